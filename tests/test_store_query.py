import csv
import io
import json
import subprocess
import sys

import pytest

from conftest import ROOT
from marsad.batch.extract import to_record
from marsad.errors import StoreError
from marsad.store import Filters, Store, query
from store_helpers import syria_article, with_text_layers, yemen_article


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("query") / "m.duckdb"
    with Store(path) as store:
        store.write([to_record(with_text_layers(a)) for a in (syria_article(), yemen_article())])
    return str(path)


def cli(*args):
    return subprocess.run([sys.executable, "-m", "marsad.cli", "query", *args], capture_output=True, text=True,
                          cwd=ROOT)


def test_store_query_events_by_type(db):
    result = query(db, "events-by-type")
    assert result.columns[:4] == ["event_type", "sub_event_type", "events", "fatalities"]
    assert result.rows[0][:4] == ("Explosions/Remote violence", "Air/drone strike", 2, 12)
    assert sum(r[2] for r in result.rows) == 4


def test_store_query_events_by_country_and_week(db):
    by_country = {r["country"]: r["events"] for r in query(db, "events-by-country").records()}
    assert by_country == {"SY": 2, "YE": 1, None: 1}
    weeks = [(str(r["week"]), r["events"]) for r in query(db, "events-by-week").records()]
    assert weeks == [("2015-07-27", 2), ("2019-03-18", 2)]     # ISO weeks start on Monday


def test_store_query_top_actors_counts_both_sides(db):
    rows = {r["actor"]: r for r in query(db, "top-actors").records()}
    assert (rows["sdf"]["events"], rows["sdf"]["as_actor1"], rows["sdf"]["as_actor2"]) == (1, 1, 0)
    assert (rows["civilians"]["as_actor2"], rows["civilians"]["fatalities"]) == (1, 12)
    assert set(rows) == {"sdf", "isis", "civilians", "saudi_coalition", "houthis"}
    assert len(query(db, "top-actors", limit=2).rows) == 2


def test_store_query_summaries_take_the_export_filters(db):
    result = query(db, "events-by-type", filters=Filters(country="YE"))
    assert sum(r[2] for r in result.rows) == 1
    assert [r["actor"] for r in query(db, "top-actors", filters=Filters(since="2019-01-01")).records()] == \
        ["civilians", "isis", "sdf"]


def test_store_query_raw_sql_reads_any_table(db):
    result = query(db, sql="SELECT speaker, text FROM quotes")
    assert result.rows == [("المتحدث باسم قوات سوريا الديمقراطية", "سنواصل العمليات حتى القضاء على التنظيم")]


@pytest.mark.parametrize("sql", [
    "DELETE FROM events",
    "CREATE TABLE x (a INTEGER)",
    "COPY events TO '/tmp/marsad-query-test.csv'",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SET enable_external_access = true",
    "ATTACH '/tmp/marsad-other.duckdb' AS other",
])
def test_store_query_raw_sql_cannot_change_anything(db, sql):
    with pytest.raises(StoreError, match=r"\[E637\] SQL error"):
        query(db, sql=sql)
    assert query(db, sql="SELECT count(*) FROM events").rows == [(4,)]


@pytest.mark.parametrize("kwargs,message", [
    ({}, "not neither"), ({"name": "events-by-type", "sql": "SELECT 1"}, "not both"),
    ({"name": "by-colour"}, "Unknown summary 'by-colour'"), ({"sql": "SELEC 1"}, "SQL error"),
])
def test_store_query_bad_requests_are_explained(db, kwargs, message):
    with pytest.raises(StoreError, match=message):
        query(db, **kwargs)


def test_store_query_cli_formats(db):
    r = cli("events-by-country", "--db", db, "--format", "csv")
    assert r.returncode == 0, r.stderr
    assert list(csv.reader(io.StringIO(r.stdout)))[0] == ["country", "events", "fatalities", "sources", "first",
                                                           "last"]
    r = cli("--db", db, "--sql", "SELECT event_id, date FROM events ORDER BY date LIMIT 1", "--format", "json")
    assert json.loads(r.stdout)[0]["date"] == "2015-08-01"
    r = cli("top-actors", "--db", db)
    assert r.returncode == 0 and "saudi_coalition" in r.stdout and "Saudi-led coalition" in r.stdout
    r = cli("--db", db, "--sql", "DROP TABLE events")
    assert r.returncode == 2 and "read-only" in r.stderr


def test_store_commands_offer_exactly_the_library_choices():
    from marsad.store import FORMATS, SUMMARIES, commands
    assert commands.FORMATS == FORMATS and commands.SUMMARIES == tuple(SUMMARIES)


def test_store_query_summaries_on_a_store_this_process_has_open(db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(open(db, "rb").read())
    with Store(copy) as store:
        assert query(store, "events-by-type").rows == query(db, "events-by-type").rows
        with pytest.raises(StoreError, match="E638"):
            query(store, sql="SELECT 1")
