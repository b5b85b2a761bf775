"""`marsad eval GOLD...` and `marsad train`: score the pipeline on gold articles; train its learners.

`marsad eval` runs the pipeline on gold articles and prints the project scorer's table; with
`--folds K` it cross-validates instead (`folds.py`): every learned model is trained on K-1 folds
of the articles and the pipeline is scored on the held-out fold, so that a change is judged on
articles its models never saw. `marsad train` trains the learners on all gold articles and writes
their models (by default to `<data dir>/models/`, which the pipeline then uses; `--out
src/marsad/data/models` replaces the shipped ones).

The scorer (`../shared/eval/score.py`) stays the yardstick: it is imported from where it lives,
never copied. It is looked for in $MARSAD_SCORER, next to the first gold file, and in
../shared/eval/ from the working directory and from the repository.
"""
from __future__ import annotations

import importlib.util
import json
import os
import sys
import tempfile
from pathlib import Path

import click

from ..errors import MarsadError

_SCORER = "score.py"
DEFAULT_GOLD = ("train.jsonl", "dev.jsonl", "seed-gold.json")


def shared_eval_dirs() -> list[Path]:
    return [Path.cwd().parent / "shared" / "eval", Path(__file__).resolve().parents[3].parent / "shared" / "eval"]


def find_scorer(gold: Path) -> Path | None:
    candidates = []
    if os.environ.get("MARSAD_SCORER"):
        candidates.append(Path(os.environ["MARSAD_SCORER"]))
    candidates += [gold.resolve().parent / _SCORER] + [d / _SCORER for d in shared_eval_dirs()]
    return next((p for p in candidates if p.is_file()), None)


def load_scorer(path: Path):
    spec = importlib.util.spec_from_file_location("marsad_gold_scorer", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scorer_for(gold: Path):
    path = find_scorer(gold)
    if path is None:
        raise MarsadError("E703", f"The scorer {_SCORER} was not found (looked in $MARSAD_SCORER, next to "
                          f"{gold}, and in ../shared/eval/). Put the shared folder beside the repository "
                          "or set MARSAD_SCORER to the path of score.py.")
    return load_scorer(path)


def read_gold(path: Path) -> list[dict]:
    try:
        with path.open(encoding="utf-8") as f:
            if path.suffix == ".jsonl":
                records = [json.loads(line) for line in f if line.strip()]
            else:
                data = json.load(f)
                records = data if isinstance(data, list) else [data]
    except (OSError, ValueError) as e:
        raise MarsadError("E701", f"Cannot read the gold file {path}: {e}. Give a .json (one article or a list) "
                          "or .jsonl file shaped as ../shared/eval/FORMAT.md describes.") from e
    bad = [i for i, r in enumerate(records) if not isinstance(r, dict) or "text" not in r or "id" not in r]
    if bad:
        raise MarsadError("E702", f"Gold record {bad[0] + 1} of {path} has no 'id' or 'text'; every gold article "
                          "needs both (and 'date' for relative dates).")
    return records


def read_golds(paths) -> dict[str, list[dict]]:
    return {str(p): read_gold(p) for p in paths}


def per_article(scorer, records: list[dict], system: list[dict]) -> list[dict]:
    rows = []
    for g, s in zip(records, system):
        pairs = scorer.match(g.get("events", []), s["events"], scorer.event_ok, scorer.event_close)
        rows.append({"id": g["id"], "gold": len(g.get("events", [])), "system": len(s["events"]),
                     "matched": len(pairs)})
    return rows


def _jsonl(records: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)


def _note(message: str) -> None:
    click.echo(message, err=True)


@click.command("eval")
@click.argument("gold", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--folds", type=click.IntRange(2, 50), default=None,
              help="Cross-validate over articles: train the learned models on the other folds, score each fold.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object (per-article counts or folds, and scores).")
@click.option("--system-out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Also write the system output (JSON Lines; out-of-fold predictions with --folds) here.")
def eval_command(gold, folds, as_json, system_out):
    """Extract events, figures and quotes from the GOLD articles (.json or .jsonl files) and score them."""
    from .folds import cross_validate, predict, table
    try:
        files = read_golds(gold)
        scorer = scorer_for(gold[0])
    except MarsadError as e:
        click.echo(f"marsad: error: {e.message}", err=True)
        sys.exit(2)
    if folds:
        cv = cross_validate(files, folds, scorer, progress=None if as_json else _note)
        if system_out:
            system_out.write_text(_jsonl(cv.system), encoding="utf-8")
        click.echo(json.dumps(cv.to_dict(), ensure_ascii=False) if as_json else table(cv))
        return
    records = [r for recs in files.values() for r in recs]
    system = predict(records)
    rows = per_article(scorer, records, system)
    if system_out:
        system_out.write_text(_jsonl(system), encoding="utf-8")
    if as_json:
        click.echo(json.dumps({"articles": rows, "score": scorer.score(records, system)}, ensure_ascii=False))
        return
    click.echo(f"{'article':<40} {'gold':>5} {'system':>7} {'matched':>8}")
    for r in rows:
        click.echo(f"{r['id']:<40} {r['gold']:>5} {r['system']:>7} {r['matched']:>8}")
    click.echo("")
    with tempfile.TemporaryDirectory() as tmp:
        path, gold_path = Path(tmp) / "system.jsonl", Path(tmp) / "gold.jsonl"
        path.write_text(_jsonl(system), encoding="utf-8")
        gold_path.write_text(_jsonl(records), encoding="utf-8")
        scorer.main(["--gold", str(gold_path), "--system", str(path)])


@click.command("train")
@click.argument("gold", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder for the models (default: <data dir>/models, which the pipeline then uses).")
def train_command(gold, out):
    """Train the pipeline's learned models on GOLD articles (default: ../shared/eval's train, dev and seed)."""
    from ..paths import data_dir
    from . import models as md
    from .folds import train
    try:
        if not gold:
            where = next((d for d in shared_eval_dirs() if (d / DEFAULT_GOLD[0]).is_file()), None)
            if where is None:
                raise MarsadError("E704", "No gold files given and ../shared/eval/ was not found. Name the gold "
                                  "files: marsad train TRAIN.jsonl DEV.jsonl ...")
            gold = tuple(where / n for n in DEFAULT_GOLD if (where / n).is_file())
        records = [r for recs in read_golds(gold).values() for r in recs]
    except MarsadError as e:
        click.echo(f"marsad: error: {e.message}", err=True)
        sys.exit(2)
    learners = md.learners()
    if not learners:
        _note("marsad: no learned models are registered; nothing to train")
        return
    raw, _ = train(learners, records, progress=_note)
    folder = out or data_dir() / "models"
    for name, model in raw.items():
        model["trained_on"] = sorted(p.name for p in gold)
        model["articles"] = len(records)
        click.echo(f"{name}: {md.save(model, folder / f'{name}.json')}")
