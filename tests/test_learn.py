"""Cross-validation over articles (`marsad eval --folds`) and the learners' model registry."""
import json

from click.testing import CliRunner

from conftest import EVAL
from marsad import learn
from marsad.cli import main
from marsad.learn import folds, models
from marsad.pipeline import Pipeline, stage


def test_learn_folds_are_deterministic_balanced_and_order_free():
    ids = [f"article-{i}" for i in range(23)]
    a = folds.assign(ids, 5)
    b = folds.assign(list(reversed(ids)) + ids[:3], 5)      # reordered, some ids twice
    assert a == b
    sizes = [list(a.values()).count(f) for f in range(5)]
    assert sorted(sizes) == [4, 4, 5, 5, 5]


class SeenIds:
    """A learner that remembers the articles it was trained on, to catch a model that saw a held-out article."""
    name, stage = "seen_ids", "events"

    def examples(self, article, gold):
        assert article.layer("tokens"), "examples come from articles run through the stages before 'events'"
        return [article.id]

    def fit(self, examples):
        return {"ids": sorted(examples)}


@stage("events", requires=["tokens"], assigns=["events", "figures", "quotes"])
def _leak_check(article):
    m = learn.model("seen_ids")
    article.warnings.append("no model" if m is None else ("leak" if article.id in m["ids"] else "clean"))
    return {"events": [], "figures": [], "quotes": []}


def _toy_pipeline():
    return Pipeline([*Pipeline.default().stages[:3], _leak_check])


def _gold_files(dev_gold, seed_gold):
    return {"dev.jsonl": dev_gold[:8], "seed-gold.json": [seed_gold, dev_gold[0]]}   # dev_gold[0] twice: once


def test_learn_cross_validation_never_predicts_with_a_model_that_saw_the_article(dev_gold, seed_gold, scorer):
    cv = folds.cross_validate(_gold_files(dev_gold, seed_gold), 3, scorer, learners=[SeenIds()],
                              pipeline=_toy_pipeline())
    assert sum(cv.sizes) == 9 and len(cv.folds) == 3
    assert [s["warnings"] for s in cv.system] == [["clean"]] * 9
    assert cv.by_file["seed-gold.json"]["articles"] == 2
    assert cv.spread("ev.F1")["mean"] == 0.0            # the toy stage finds nothing: scored as such


def test_learn_train_writes_a_model_the_pipeline_then_uses(dev_gold, tmp_path, monkeypatch):
    raw, compiled = folds.train([SeenIds()], dev_gold[:3], _toy_pipeline())
    assert raw["seen_ids"]["ids"] == sorted(r["id"] for r in dev_gold[:3])
    path = models.save(raw["seen_ids"], tmp_path / "seen_ids.json")
    monkeypatch.setenv("MARSAD_MODELS", str(tmp_path))
    assert learn.model("seen_ids")["ids"] == raw["seen_ids"]["ids"]
    with learn.using({}):
        assert learn.model("seen_ids") is None           # an override hides every model it does not name
    assert json.loads(path.read_text(encoding="utf-8"))["learner"] == "seen_ids"


def test_learn_eval_folds_prints_each_fold_and_the_spread(tmp_path):
    dev = [json.loads(line) for line in (EVAL / "dev.jsonl").open(encoding="utf-8")][:4]
    gold = tmp_path / "small.jsonl"
    gold.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in dev), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", "--folds", "2", str(gold), str(EVAL / "seed-gold.json"),
                                       "--system-out", str(tmp_path / "oof.jsonl")])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert any(line.startswith("fold 2") for line in lines) and any(line.startswith("mean") for line in lines)
    assert any(line.startswith("seed-gold.json") for line in lines)
    oof = [json.loads(line) for line in (tmp_path / "oof.jsonl").open(encoding="utf-8")]
    assert [r["id"] for r in oof] == [r["id"] for r in dev] + ["baghuz-2019-03-19"]


def test_learn_eval_folds_json_has_per_fold_scores(tmp_path):
    result = CliRunner().invoke(main, ["eval", "--folds", "2", "--json", str(EVAL / "dev.jsonl")])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output.splitlines()[-1])
    assert out["k"] == 2 and sum(out["fold_sizes"]) == 15
    assert 0.0 <= out["summary"]["ev.F1"]["min"] <= out["summary"]["ev.F1"]["mean"] <= 1.0
