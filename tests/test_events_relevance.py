"""Sport, economy and culture articles yield no events; `marsad eval` scores gold files."""
import json
from itertools import islice

from click.testing import CliRunner

import marsad
from conftest import EVAL, NEGATIVES
from marsad.article import Article
from marsad.cli import main
from marsad.events.relevance import domain_counts, is_conflict_article


def negatives(step):
    with NEGATIVES.open(encoding="utf-8") as f:
        return [json.loads(line) for line in islice(f, 0, None, step)]


def test_events_negatives_rarely_yield_events():
    sample = negatives(5)                         # 100 of the 500 sport/economy/culture/technology articles
    with_events = 0
    for r in sample:
        a = marsad.extract(Article(text=r["text"], id=r["id"], title=r["title"], date=r["date"][:10]))
        with_events += bool(a.layer("events"))
    assert with_events / len(sample) <= 0.02


def test_events_football_attack_is_off_topic():
    sport = next(r for r in negatives(1) if r["topic"] == "sport" and "هجوم" in r["text"])
    a = marsad.extract(Article(text=sport["text"], id=sport["id"], date=sport["date"][:10]))
    counts = domain_counts(a)
    assert counts["sport"] > counts["conflict"] and not is_conflict_article(a)


def test_events_conflict_article_is_on_topic(corpus_sample):
    on_topic = sum(is_conflict_article(marsad.extract(Article(text=r["text"], id=r["id"], date=r["date"][:10])))
                   for r in corpus_sample[:40])
    assert on_topic >= 36


def test_events_eval_prints_scorer_table_and_counts():
    result = CliRunner().invoke(main, ["eval", str(EVAL / "seed-gold.json")])
    assert result.exit_code == 0, result.output
    assert "baghuz-2019-03-19" in result.output and "events   P=" in result.output


def test_events_eval_json_and_bad_gold(tmp_path):
    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"id": "x"}\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(bad)])
    assert result.exit_code == 2 and "has no 'id' or 'text'" in result.output
    good = tmp_path / "one.json"
    good.write_text(json.dumps({"id": "a", "date": "2018-03-12", "text": "وقصفت المليشيات حي الجمهوري في تعز.",
                                "events": []}, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["eval", str(good), "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["articles"][0]["id"] == "a" and "events" in out["score"]
