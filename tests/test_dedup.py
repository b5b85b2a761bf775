"""Cross-article deduplication: the pair model, the clustering, incidents in the store, and the
same incidents whatever order, batches, runs and workers the articles come in."""
from __future__ import annotations

import importlib.util
import io
import json
import math
import random
import shutil
import subprocess
import sys
from datetime import date
from itertools import islice
from pathlib import Path

import duckdb
import pytest

from conftest import CORPUS, EVAL, ROOT
from dedup_helpers import beit_lahia_first, beit_lahia_second, rafah_same_day, same_words_two_towns
from marsad.article import Article, Event, Place, Span
from marsad.batch.extract import to_record
from marsad.dedup import cluster
from marsad.dedup.incident import build
from marsad.dedup.model import FEATURES, load
from marsad.store import Store, dedup, export, ingest, schema
from marsad.store.incidents import EVENT_KEYS, KEY_COLUMNS, _rows, settings
from store_helpers import with_text_layers

SLICE = 300             # real corpus articles in the order-independence test


def members(db) -> list[tuple]:
    """Every incident's id and sorted report ids."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT incident_id, list(event_id ORDER BY event_id) FROM incident_reports "
                           "GROUP BY ALL ORDER BY ALL").fetchall()
    finally:
        con.close()


def incident_rows(db) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT * FROM incidents ORDER BY incident_id").fetchall()
    finally:
        con.close()


def records(*articles):
    return [to_record(with_text_layers(a)) for a in articles]


# -- one incident from two outlets ---------------------------------------------------------------

def test_dedup_two_outlets_reporting_one_shelling_are_one_incident(tmp_path):
    db = tmp_path / "gaza.duckdb"
    with Store(db) as store:
        store.write(records(beit_lahia_first()))
        store.write(records(beit_lahia_second(), rafah_same_day()))
        rows = _rows(store.con, "SELECT * FROM incidents ORDER BY source_count DESC, incident_id")
        reports = store.count("events")
    assert reports == 3 and len(rows) == 2
    strike, rafah = rows
    assert (strike["source_count"], strike["report_count"], rafah["source_count"]) == (2, 2, 1)
    assert strike["location_name"] == "بيت لاهيا" and rafah["location_name"] == "رفح"
    # The most conservative counts of the two reports (1 and 2 killed, 1 and 3 injured), as ACLED codes them.
    assert (strike["fatalities"], strike["injured"]) == (1, 1)
    # The one report naming the attacker gives actor1; the notes are rewritten from the chosen fields.
    assert strike["actor1_id"] == "israel_forces" and "1 killed, 1 injured" in strike["notes"]
    assert strike["incident_id"] == "i-" + min(m for (_, ms) in members(db) if len(ms) == 2 for m in ms)


def test_dedup_a_shared_place_counts_with_the_words_and_a_shared_toll_counts_too(tmp_path):
    model = load()
    first, second, rafah = (rec["tables"]["match_keys"][0]
                            for rec in records(beit_lahia_first(), beit_lahia_second(), rafah_same_day()))
    # Another Beit Lahia report that day, told in other words: a sniper shooting at the fence.
    t = ("بيت لاهيا - أصيب شاب برصاص قناص إسرائيلي قرب السياج الفاصل شمال غرب بلدة بيت لاهيا، "
         "ونقل إلى المستشفى الإندونيسي.")
    evidence = "أصيب شاب برصاص قناص إسرائيلي قرب السياج الفاصل شمال غرب بلدة بيت لاهيا"
    where = t.index("بيت لاهيا", 10)
    place = Place(Span(where, where + len("بيت لاهيا")), "بيت لاهيا", name_en="Bayt Lahya", country="PS",
                  admin1="Gaza Strip", lat=31.5464, lon=34.49514, geo_precision=1, feature="city")
    start = t.index(evidence)
    event = Event("Explosions/Remote violence", "Shelling/artillery/missile attack",
                  Span(start, start + len(evidence)), date="2018-05-28", time_precision=1, location=place,
                  injured=1, trigger=Span(t.index("برصاص"), t.index("برصاص") + 5), confidence=0.6)
    other = Article(text=t, id="maan-7", url="https://example.org/maan/7", source="maan",
                    title="إصابة شاب برصاص قناص شمال القطاع", date="2018-05-28", date_source="input",
                    layers={"events": [event]})
    shooting = to_record(with_text_layers(other))["tables"]["match_keys"][0]
    f = {name: dict(zip(FEATURES, model.features(model.sig(first), model.sig(x)))) for name, x in
         (("second", second), ("shooting", shooting), ("rafah", rafah))}
    assert f["second"]["same_place"] == f["shooting"]["same_place"] == 1 and f["rafah"]["same_place"] == 0
    assert f["second"]["place_words"] > f["shooting"]["place_words"] + 0.2 and f["rafah"]["place_words"] == 0
    # 1 and 2 killed: no agreement; the same toll on both sides is one more sign of one incident.
    assert f["second"]["fatalities_agree"] == 0
    agreeing = dict(second, fatalities=first["fatalities"])
    assert dict(zip(FEATURES, model.features(model.sig(first), model.sig(agreeing))))["fatalities_agree"] == 1
    score = {name: model.score(model.sig(first), model.sig(x)) for name, x in
             (("second", second), ("agreeing", agreeing), ("shooting", shooting))}
    assert score["agreeing"] > score["second"] > score["shooting"] + 0.05, score


def test_dedup_the_first_write_keeps_the_threshold_the_model_s(tmp_path):
    # A store records a threshold only when `marsad dedup --threshold` sets one, so a refitted
    # model's threshold applies to stores built before it.
    with Store(tmp_path / "s.duckdb") as store:
        store.write(records(beit_lahia_first(), beit_lahia_second()))
        stored = dict(store.con.execute("SELECT key, value FROM dedup_state").fetchall())
        assert "threshold" not in stored and settings(store.con, load()) == (load().threshold, True)


def test_dedup_the_same_words_about_two_distant_towns_are_two_incidents(tmp_path):
    with Store(tmp_path / "s.duckdb") as store:
        store.write(records(*same_words_two_towns()))
        assert store.count("events") == 2 and store.count("incidents") == 2


def test_dedup_export_lists_every_source_as_score_dedup_reads_it(tmp_path):
    db = tmp_path / "gaza.duckdb"
    with Store(db) as store:
        store.write(records(beit_lahia_first(), beit_lahia_second(), rafah_same_day()))
        texts = dict(store.con.execute("SELECT article_id, text FROM articles").fetchall())
    out = io.StringIO()
    assert export(str(db), "jsonl", out).rows == 2
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    strike = next(e for e in events if e["source_count"] == 2)
    assert {s["article"]["id"] for s in strike["sources"]} == {"alarabiya-1365", "skynews-88"}
    for e in events:
        for s in e["sources"]:
            ev = s["evidence"]
            assert texts[s["article"]["id"]][ev["start"]:ev["end"]] == ev["text"]
            assert set(s["article"]) == {"id", "key", "url", "source", "date", "title"}
    scorer = _scorer()
    by_article = scorer.reports(events)
    side = {"article": "skynews-88", "evidence": strike["sources"][1]["evidence"]}
    other = {"article": "alarabiya-1365", "evidence": strike["sources"][0]["evidence"]}
    assert scorer.find(side, by_article) == scorer.find(other, by_article) == strike["event_id"]


def _scorer():
    spec = importlib.util.spec_from_file_location("score_dedup", EVAL / "score_dedup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# -- the rules and the clustering ------------------------------------------------------------------

def _report(eid, **fields):
    base = {"event_id": eid, "article_key": eid.split("-")[0], "event_type": "Battles", "sub_event_type": "Armed clash",
            "date": date(2015, 8, 9), "date_start": None, "time_precision": 1, "article_date": date(2015, 8, 10),
            "location_name": None, "location_lat": None, "location_country": "YE", "location_admin1": None,
            "location_geo_precision": None, "fatalities": None, "injured": None, "detained": None,
            "actor1_id": None, "actor2_id": None, "confidence": 0.5, "notes": "n"}
    return base | fields


def test_dedup_incident_fields_follow_the_documented_rules():
    reports = [
        _report("a-1", date=date(2015, 8, 9), location_name="محافظة إب", location_admin1="Ibb",
                location_geo_precision=3, fatalities=16, actor1_id="popular_resistance", actor2_id="houthis"),
        _report("b-1", date=date(2015, 8, 9), location_name="حزم العدين", location_admin1="Ibb",
                location_geo_precision=1, fatalities=12, actor1_id="popular_resistance", confidence=0.9),
        _report("c-1", date=date(2015, 8, 8), location_name="زنجبار", location_admin1="Abyan",
                location_geo_precision=1, actor1_id="houthis", actor2_id="popular_resistance",
                article_date=date(2015, 8, 9)),
    ]
    row = build("i-a-1", reports)
    assert row["date"] == date(2015, 8, 9)                       # the day two of three reports give
    assert row["location_name"] == "حزم العدين"                   # most specific place of the agreeing admin1
    assert row["fatalities"] == 12                                # the smallest figure given
    assert (row["actor1_id"], row["actor2_id"]) == ("popular_resistance", "houthis")
    assert row["report_id"] == "b-1" and row["confidence"] == 0.9
    assert (row["source_count"], row["report_count"]) == (3, 3)
    assert (row["first_reported"], row["last_reported"]) == (date(2015, 8, 9), date(2015, 8, 10))


def test_dedup_cluster_keeps_apart_what_one_article_kept_apart():
    # a-1 and a-2 are two incidents of article a; b-1 links to both, c-1 to a-2.
    articles = {"a-1": "a", "a-2": "a", "b-1": "b", "c-1": "c"}
    links = [("a-1", "b-1", 0.9), ("a-2", "b-1", 0.8), ("a-2", "c-1", 0.7)]
    apart = cluster.incidents(sorted(articles), articles, links, lambda x, y: False)
    assert apart == [["a-1", "b-1"], ["a-2", "c-1"]]
    # Were the two reports of article a one incident after all, all four would be.
    together = cluster.incidents(sorted(articles), articles, links, lambda x, y: True)
    assert together == [["a-1", "a-2", "b-1", "c-1"]]
    assert cluster.components(sorted(articles), links) == [["a-1", "a-2", "b-1", "c-1"]]
    assert cluster.incident_id(["c-1", "a-2"]) == "i-a-2"


# -- real corpus articles --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def corpus_slice(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "slice.jsonl"
    with CORPUS.open(encoding="utf-8") as f:
        path.write_text("".join(islice(f, SLICE)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(corpus_slice, tmp_path_factory) -> Path:
    """The slice in file order, one run, two workers."""
    db = tmp_path_factory.mktemp("ref") / "ref.duckdb"
    report = ingest([str(corpus_slice)], str(db), workers=2, batch_size=25)
    assert report.status == "completed" and report.new == SLICE
    return db


def test_dedup_corpus_articles_give_incidents_of_several_sources(reference):
    with Store(reference, read_only=True) as store:
        reports, incidents = store.count("events"), store.count("incidents")
        sizes = dict(store.con.execute("SELECT source_count, count(*) FROM incidents GROUP BY 1").fetchall())
        covered = store.con.execute("SELECT count(*) FROM events ANTI JOIN incident_reports USING (event_id)"
                                    ).fetchall()[0][0]
    assert covered == 0 and sum(n * k for k, n in sizes.items()) >= incidents
    assert incidents < reports and max(sizes) >= 3      # one outlet's story is told by others too


def test_dedup_same_incidents_whatever_the_order_runs_and_workers(corpus_slice, reference, tmp_path):
    lines = corpus_slice.read_text(encoding="utf-8").splitlines(keepends=True)
    random.Random(16).shuffle(lines)
    db = tmp_path / "shuffled.duckdb"
    for i, part in enumerate((lines[:90], lines[90:200], lines[200:])):    # three runs, one worker
        path = tmp_path / f"part{i}.jsonl"
        path.write_text("".join(part), encoding="utf-8")
        assert ingest([str(path)], str(db), workers=1, batch_size=7).status == "completed"
    assert members(db) == members(reference)
    assert incident_rows(db) == incident_rows(reference)


def test_dedup_recluster_gives_what_ingest_built_and_keeps_a_new_threshold(reference, tmp_path):
    db = tmp_path / "again.duckdb"
    shutil.copy(reference, db)
    r = subprocess.run([sys.executable, "-m", "marsad.cli", "dedup", "--db", str(db)], capture_output=True,
                       text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "incidents" in r.stderr and members(db) == members(reference)
    assert incident_rows(db) == incident_rows(reference)
    strict = dedup(str(db), threshold=0.95)
    assert strict["threshold"] == 0.95 and strict["incidents"] > len(members(reference))
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT value FROM dedup_state WHERE key = 'threshold'").fetchall() == [("0.95",)]
    bad = subprocess.run([sys.executable, "-m", "marsad.cli", "dedup", "--db", str(db), "--threshold", "1.5"],
                         capture_output=True, text=True, cwd=ROOT)
    assert bad.returncode == 2 and "between 0 and 1" in bad.stderr and "Traceback" not in bad.stderr


def test_dedup_no_dedup_ingest_waits_for_marsad_dedup(corpus_slice, reference, tmp_path):
    few = tmp_path / "few.jsonl"
    few.write_text("".join(corpus_slice.read_text(encoding="utf-8").splitlines(keepends=True)[:8]), encoding="utf-8")
    report = ingest([str(few)], str(tmp_path / "few.duckdb"), workers=1, dedup=False)
    assert report.new == 8 and report.events > 0 and report.incidents == 0
    # The reference's articles stored without matching (as they came out of the per-article step) ...
    db = tmp_path / "later.duckdb"
    with Store(reference, read_only=True) as store:
        keys = [k for (k,) in store.con.execute("SELECT article_key FROM articles ORDER BY 1").fetchall()]
        recs = [to_record(store.load_article(k), key=k) for k in keys]
    with Store(db, dedup=False) as store:
        for i in range(0, len(recs), 40):
            store.write(recs[i:i + 40])
    out = io.StringIO()
    result = export(str(db), "jsonl", out)
    assert result.rows == 0 and "run `marsad dedup" in result.message
    # ... are the reference's incidents once `marsad dedup` has run.
    dedup(str(db))
    assert members(db) == members(reference)


def test_dedup_pair_scores_are_symmetric_and_pruning_never_changes_one(reference):
    model = load()
    with Store(reference, read_only=True) as store:
        sigs = [model.sig(r) for r in _rows(
            store.con, f"SELECT {', '.join('m.' + c for c in KEY_COLUMNS)}, {', '.join('e.' + c for c in EVENT_KEYS)} "
                       "FROM match_keys m JOIN events e USING (event_id) ORDER BY m.event_id")]
    rng = random.Random(3)
    by_block: dict[str, list] = {}
    for s in sigs:
        by_block.setdefault(s.block, []).append(s)
    pairs = [tuple(rng.sample(group, 2)) for group in by_block.values() if len(group) > 1 for _ in range(40)]
    assert len(pairs) > 200
    linked = agree = 0
    for a, b in pairs:
        p = model.score(a, b)
        # 0 exactly is the distance veto (places farther apart than max_km), nothing else.
        assert p == model.score(b, a) and (0 < p < 1 or (p == 0 and math.expm1(model.features(a, b)[2]) > model.max_km))
        assert model.features(a, b) == model.features(b, a) and len(model.features(a, b)) == len(FEATURES)
        pruned = model.score(a, b, at_least=model.threshold)
        assert pruned == p if p >= model.threshold else pruned in (None, p)
        linked += p >= model.threshold
        agree += model.features(a, b)[FEATURES.index("fatalities_agree")] == 1
    assert 0 < linked < len(pairs) and agree > 0


def test_dedup_upgrade_from_version_3_groups_the_stored_reports(tmp_path):
    db = tmp_path / "old.duckdb"
    with Store(db, target=3) as store:
        store.write(records(beit_lahia_first(), beit_lahia_second(), rafah_same_day()))
        assert store.version == 3
    with Store(db) as store:
        assert store.version == schema.LATEST and store.count("match_keys") == 3
        sizes = sorted(n for (n,) in store.con.execute("SELECT source_count FROM incidents").fetchall())
    assert sizes == [1, 2]


def test_dedup_commands_are_documented():
    from marsad.store.commands import dedup as command, ingest as ingest_command
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "marsad dedup --db" in readme
    for cmd in (command, ingest_command):
        options = [o for p in cmd.params for o in p.opts if o.startswith("--")]
        assert [o for o in options if o not in readme] == []
