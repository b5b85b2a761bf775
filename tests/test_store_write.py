import dataclasses
import json

import pytest

import marsad
from marsad.article import Article
from marsad.batch.extract import article_key, flatten, process, to_record
from marsad.pipeline import Pipeline, stage
from marsad.store import Store
from store_helpers import SYRIA_TEXT, TEXT_STAGES, syria_article, with_text_layers, yemen_article

SPAN_TABLES = {"events": ["evidence", "trigger", "actor1_span", "actor2_span", "location_span"],
               "event_sources": ["evidence"], "figures": ["evidence", "quantity"],
               "quotes": ["span", "speaker_span"], "actors": ["span"], "places": ["span"], "entities": ["span"]}


def record(article):
    return to_record(with_text_layers(article), stages=TEXT_STAGES)


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "m.duckdb") as s:
        yield s


def test_store_write_round_trips_every_layer_but_tokens(store):
    article = with_text_layers(syria_article())
    store.write([to_record(article)])
    back = store.load_article(article_key(article.content_hash, article.url))
    article.layers.pop("tokens")
    assert back == article


@pytest.mark.parametrize("table,spans", SPAN_TABLES.items())
def test_store_write_evidence_columns_are_exact_substrings(store, table, spans):
    store.write([record(syria_article()), record(yemen_article())])
    checked = 0
    for name in spans:
        rows = store.con.execute(
            f"SELECT t.{name}_start, t.{name}_end, t.{name}_text, a.text FROM {table} t "
            f"JOIN articles a USING (article_key) WHERE t.{name}_start IS NOT NULL").fetchall()
        for start, end, text, article_text in rows:
            assert article_text[start:end] == text and text
            checked += 1
    assert checked >= 1


def test_store_write_counts_rows_per_layer(store):
    written = store.write([record(syria_article()), record(yemen_article())])
    assert (written.new, written.events, written.errors) == (2, 4, 0)
    assert {t: store.count(t) for t in ("articles", "events", "event_sources", "figures", "quotes", "actors",
                                         "places", "entities")} == \
        {"articles": 2, "events": 4, "event_sources": 4, "figures": 1, "quotes": 1, "actors": 6, "places": 3,
         "entities": 3}
    row = store.con.execute("SELECT actor1_id, actor2_id, location_name, location_lat, detained, plover_type "
                            "FROM events WHERE sub_event_type = 'Arrests'").fetchone()
    assert row == ("sdf", "isis", "الحسكة", None, 30, "COERCE")


def test_store_write_same_text_is_stored_once(store):
    first = store.write([record(syria_article())])
    again = store.write([record(syria_article()), record(syria_article())])
    assert (first.new, again.new, again.skipped) == (1, 0, 2)
    assert store.count("articles") == 1 and store.count("events") == 2


@pytest.mark.parametrize("url_a,url_b,stored", [
    (None, None, 1),                                           # same text, no URL: one article
    ("https://a.example/x", "https://a.example/x", 1),         # same text, same URL
    ("https://a.example/x", " https://a.example/x ", 1),       # whitespace around a URL is noise
    ("https://a.example/x", "https://b.example/y", 2),         # same wire story on two sites: two sources
])
def test_store_write_identity_is_content_hash_plus_url(store, url_a, url_b, stored):
    store.write([record(syria_article(url=url_a))])
    store.write([record(syria_article(url=url_b))])
    assert store.count("articles") == stored
    assert store.con.execute("SELECT count(DISTINCT content_hash) FROM articles").fetchone()[0] == 1


def test_store_write_bad_record_fails_alone_and_leaves_no_partial_rows(store):
    bad = record(yemen_article())
    bad["tables"]["events"][0]["fatalities"] = "many"      # not an INTEGER: the batch cannot be inserted
    written = store.write([record(syria_article()), bad])
    assert (written.new, written.errors) == (1, 1)
    assert store.con.execute("SELECT count(*) FROM events WHERE article_key = ?", [bad["key"]]).fetchone()[0] == 0
    assert store.con.execute("SELECT count(*) FROM articles WHERE article_key = ?", [bad["key"]]).fetchone()[0] == 0
    kind, message = store.con.execute("SELECT kind, message FROM errors WHERE article_key = ?",
                                      [bad["key"]]).fetchone()
    assert kind == "store" and "many" in message
    assert store.count("events") == 2


def test_store_write_error_row_goes_once_the_article_is_stored(store):
    article = syria_article()
    failed = process(article, Pipeline([_explode]))
    assert failed["error"] and "RuntimeError: stage failed on purpose" in failed["error"]["message"]
    store.write([failed | {"location": "in.jsonl"}])
    assert store.con.execute("SELECT location, article_id FROM errors").fetchall() == [("in.jsonl", "hand-syria")]
    store.write([record(syria_article())])
    assert store.count("errors") == 0 and store.count("articles") == 1


@stage("explode", assigns=["times"])
def _explode(article):
    raise RuntimeError("stage failed on purpose")


def test_store_write_interrupted_transaction_keeps_nothing(store, monkeypatch):
    rec = record(syria_article())
    real = store._insert

    def interrupt_after_articles(table, rows):
        real(table, rows)
        if table == "events":
            raise KeyboardInterrupt
    monkeypatch.setattr(store, "_insert", interrupt_after_articles)
    with pytest.raises(KeyboardInterrupt):
        store.write([rec])
    assert store.count("articles") == 0 and store.count("events") == 0


def test_batch_flatten_names_nested_fields_and_spans():
    article = syria_article()
    row = flatten(article.layers["events"][1], article.text)
    assert row["actor1_id"] == "sdf" and row["actor1_span_text"] == "قوات سوريا الديمقراطية"
    assert row["location_name"] == "الحسكة" and row["location_lat"] is None
    assert row["evidence_text"] == SYRIA_TEXT.split("\n")[1]
    assert row["date"] == "2019-03-19" and row["trigger"] is None


def test_batch_flatten_keeps_fields_a_stage_adds_later():
    @dataclasses.dataclass
    class Casualty:       # a layer type with a list field and a malformed date
        span: object
        victims: list
        date: str

    article = syria_article()
    item = Casualty(article.layers["events"][0].evidence, ["مدنيا"], "2019-02-30")
    row = flatten(item, article.text)
    assert json.loads(row["victims"]) == ["مدنيا"] and row["date"] is None and row["span_start"] == 0


def test_batch_record_is_plain_data_for_spark():
    rec = record(yemen_article())

    def plain(v):
        if isinstance(v, dict):
            return all(isinstance(k, str) and plain(x) for k, x in v.items())
        if isinstance(v, list):
            return all(plain(x) for x in v)
        return v is None or isinstance(v, (str, int, float, bool))
    assert plain(rec) and json.loads(json.dumps(rec)) == rec


def test_batch_process_runs_the_pipeline(tmp_path):
    rec = process(Article(text=SYRIA_TEXT, url=None))
    assert rec["error"] is None
    assert {r["layer"] for r in rec["tables"]["layers"]} >= {"sentences", "boilerplate"}
    assert rec["article"]["pipeline"] == ",".join(marsad.default_pipeline().names)
