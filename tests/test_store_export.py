import csv
import io
import json
import subprocess
import sys
from itertools import islice

import duckdb
import pyarrow.parquet as pq
import pytest

from conftest import CORPUS, ROOT, SHARED
from marsad.batch.extract import to_record
from marsad.errors import StoreError
from marsad.pipeline import DEFAULT_STAGES, Pipeline
from marsad.store import Filters, Store, export, ingest
from marsad.store.exports import ACLED_COLUMNS, interaction
from store_helpers import syria_article, with_text_layers, yemen_article

ACLED_SAMPLE = SHARED / "data" / "acled_sample" / "acled_mena_sample.csv"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    """Two hand-built articles with 4 events (3 with coordinates) beside 20 real corpus articles."""
    path = tmp_path_factory.mktemp("export") / "m.duckdb"
    sample = path.parent / "sample.jsonl"
    with CORPUS.open(encoding="utf-8") as f:
        sample.write_text("".join(islice(f, 20)), encoding="utf-8")
    # the corpus articles fill the tables; only the hand-built ones carry events (no events stage here)
    text_only = Pipeline.default([ref for ref in DEFAULT_STAGES if "events" not in ref])
    ingest([str(sample)], str(path), workers=1, pipeline=text_only)
    with Store(path) as store:
        store.write([to_record(with_text_layers(a)) for a in (syria_article(), yemen_article())])
    return str(path)


def run_export(db, fmt, filters=None):
    out = io.StringIO()
    result = export(db, fmt, out, filters)
    return result, out.getvalue()


def test_store_export_acled_header_is_acleds(db):
    with ACLED_SAMPLE.open(encoding="utf-8") as f:
        header = next(csv.reader(f))
    _, text = run_export(db, "acled-csv")
    # ACLED's columns in ACLED's order, then the number of articles reporting each incident.
    assert next(csv.reader(io.StringIO(text))) == header + ["source_count"] == list(ACLED_COLUMNS) + ["source_count"]


def test_store_export_acled_rows_fill_what_marsad_knows(db):
    result, text = run_export(db, "acled-csv")
    rows = {r["sub_event_type"] + "/" + r["event_date"]: r for r in csv.DictReader(io.StringIO(text))}
    assert result.rows == 4 == len(rows)
    arrest = rows["Arrests/2019-03-19"]
    assert arrest["year"] == "2019" and arrest["disorder_type"] == "Strategic developments"
    assert (arrest["actor1"], arrest["inter1"], arrest["actor2"], arrest["inter2"], arrest["interaction"]) == \
        ("Syrian Democratic Forces (SDF)", "2", "Islamic State (ISIS, Daesh)", "2", "22")
    assert (arrest["iso"], arrest["country"], arrest["region"], arrest["admin1"]) == \
        ("760", "Syria", "Middle East", "Al-Hasakah")
    assert arrest["latitude"] == "" and arrest["fatalities"] == "0" and arrest["time_precision"] == "2"
    assert arrest["notes"] == "وأضاف أن قوات سوريا الديمقراطية اعتقلت 30 عنصرا من داعش في ريف الحسكة."
    strike = rows["Air/drone strike/2019-03-19"]
    assert (strike["actor1"], strike["inter2"], strike["interaction"], strike["civilian_targeting"]) == \
        ("", "7", "", "Civilian targeting")
    assert (strike["fatalities"], strike["location"], strike["latitude"], strike["geo_precision"]) == \
        ("12", "Al Baghuz Fawqani", "34.4553", "1")
    yemen = rows["Air/drone strike/2015-08-02"]
    assert (yemen["iso"], yemen["country"], yemen["interaction"], yemen["source"]) == ("887", "Yemen", "28", "example")
    assert yemen["event_id_cnty"] and len({r["event_id_cnty"] for r in rows.values()}) == 4


@pytest.mark.parametrize("inter1,inter2,code", [(1, 2, 12), (2, 1, 12), (6, None, 60), (8, 7, 78), (None, 3, None)])
def test_store_export_acled_interaction_code(inter1, inter2, code):
    assert interaction(inter1, inter2) == code


def test_store_export_geojson_points_follow_rfc_7946(db):
    result, text = run_export(db, "geojson")
    doc = json.loads(text)
    assert doc["type"] == "FeatureCollection" and "crs" not in doc
    assert (result.rows, result.skipped) == (2, 2) and "2 incidents without coordinates" in result.message
    assert len(doc["features"]) == 2
    for feature in doc["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert feature["type"] == "Feature" and feature["geometry"]["type"] == "Point"
        assert -180 <= lon <= 180 and -90 <= lat <= 90 and lon > lat      # [longitude, latitude] in this region
    names = {f["properties"]["location_name"] for f in doc["features"]}
    assert names == {"الباغوز", "الحديدة"}


def test_store_export_jsonl_carries_evidence_into_the_article_text(db):
    result, text = run_export(db, "jsonl")
    events = [json.loads(line) for line in text.splitlines()]
    assert result.rows == len(events) == 4
    with Store(db, read_only=True) as store:
        texts = dict(store.con.execute("SELECT article_key, text FROM articles").fetchall())
    for e in events:
        article_text = texts[e["article"]["key"]]
        for span in (e["evidence"], (e["actor1"] or {}).get("span"), (e["location"] or {}).get("span")):
            if span:
                assert article_text[span["start"]:span["end"]] == span["text"]
    arrest = next(e for e in events if e["sub_event_type"] == "Arrests")
    assert arrest["actor1"]["id"] == "sdf" and arrest["location"]["lat"] is None and arrest["detained"] == 30
    assert arrest["article"]["id"] == "hand-syria" and arrest["date"] == "2019-03-19"


def test_store_export_parquet_reads_back_in_duckdb_and_pyarrow(db, tmp_path):
    out = tmp_path / "events.parquet"
    result = export(db, "parquet", str(out))
    table = pq.read_table(out)
    assert result.rows == table.num_rows == 4
    assert duckdb.sql(f"SELECT count(*) FROM read_parquet('{out}')").fetchall() == [(4,)]
    by_type = dict(duckdb.sql(f"SELECT sub_event_type, count(*) FROM read_parquet('{out}') GROUP BY 1").fetchall())
    assert by_type == {"Air/drone strike": 2, "Arrests": 1, "Shelling/artillery/missile attack": 1}
    _, text = run_export(db, "jsonl")
    flat = set(table.column_names)
    first = json.loads(text.splitlines()[0])
    assert {"evidence_start", "evidence_text", "actor1_id", "location_lat", "article_url"} <= flat
    assert {k for k, v in first.items() if not isinstance(v, dict) and v is not None} <= flat


def test_store_export_plover_has_event_mode_and_offset_provenance(db):
    _, text = run_export(db, "plover-jsonl")
    records = {r["id"]: r for r in map(json.loads, text.splitlines())}
    assert len(records) == 4
    arrest = next(r for r in records.values() if r["acled"]["sub_event_type"] == "Arrests")
    assert (arrest["event"], arrest["mode"], arrest["quad_code"], arrest["coded_from"]) == \
        (["COERCE"], ["arrest"], 4, "extractor")
    assert arrest["source"][0]["identifier_id"] == "sdf" and arrest["source"][0]["code"] == "SYR"
    assert arrest["source"][0]["actor_text"] == "قوات سوريا الديمقراطية" and arrest["arrested"] == 30
    shelling = next(r for r in records.values() if r["acled"]["sub_event_type"].startswith("Shelling"))
    assert (shelling["event"], shelling["mode"], shelling["coded_from"]) == (["ASSAULT"], ["artillery"],
                                                                              "acled_type")
    with Store(db, read_only=True) as store:
        texts = dict(store.con.execute("SELECT article_id, text FROM articles").fetchall())
    for r in records.values():
        (p,) = r["provenance"]                    # one report each here: the hand-built articles differ
        assert texts[p["article_id"]][p["start"]:p["end"]] == p["text"] == r["event_text"][0]
        assert r["date"] and r["cite_info"]["url"].startswith("https://example.org/")


@pytest.mark.parametrize("filters,expected", [
    (Filters(country="SY"), 2), (Filters(country="yemen"), 1), (Filters(country="YEM"), 1),
    (Filters(since="2019-01-01"), 2), (Filters(until="2015-08-01"), 1),
    (Filters(event_type="explosions/remote violence"), 3), (Filters(event_type="Battles"), 0),
    (Filters(since="2015-08-02", until="2015-08-02", country="YE", event_type="Explosions/Remote violence"), 1),
])
def test_store_export_filters(db, filters, expected):
    result, _ = run_export(db, "jsonl", filters)
    assert result.rows == expected


@pytest.mark.parametrize("fmt,filters,out,message", [
    ("xml", None, None, "Unknown export format 'xml'. Formats: acled-csv"),
    ("jsonl", Filters(country="Atlantis"), None, "Unknown country 'Atlantis'"),
    ("jsonl", Filters(event_type="Shelling"), None, "ACLED's types: Battles"),
    ("jsonl", Filters(since="19/03/2019"), None, "--since '19/03/2019' is not a date"),
    ("parquet", None, None, "give an output file with -o"),
])
def test_store_export_bad_options_say_what_to_do(db, fmt, filters, out, message):
    with pytest.raises(StoreError, match=message.replace("(", r"\(").replace(")", r"\)")):
        export(db, fmt, out, filters)


def test_store_export_cli_writes_files_and_reports(db, tmp_path):
    out = tmp_path / "events.geojson"
    r = subprocess.run([sys.executable, "-m", "marsad.cli", "export", "--db", db, "--format", "geojson", "-o",
                        str(out), "--country", "SY"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert "1 incidents as geojson" in r.stderr and "1 incident without coordinates left out" in r.stderr
    assert len(json.loads(out.read_text(encoding="utf-8"))["features"]) == 1
    r = subprocess.run([sys.executable, "-m", "marsad.cli", "export", "--db", str(tmp_path / "none.duckdb"),
                        "--format", "jsonl"], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 2 and "No database at" in r.stderr and "marsad ingest" in r.stderr


def test_store_export_country_table_agrees_with_geonames_and_acled():
    from marsad.store.countries import all_countries, country_code
    geonames = {}
    for line in (SHARED / "data" / "geonames_mena" / "countryInfo.txt").open(encoding="utf-8"):
        if line.strip() and not line.startswith("#"):
            f = line.split("\t")
            geonames[f[0]] = (f[1], int(f[2]))
    table = all_countries()
    assert len(table) > 150
    for c in table:
        assert geonames[c.alpha2] == (c.alpha3, c.numeric), c
    with ACLED_SAMPLE.open(encoding="utf-8") as f:
        acled = {(r["country"], r["region"], int(float(r["iso"]))) for r in csv.DictReader(f)}
    ours = {c.name: c for c in table}
    for name, region, iso in acled:
        assert (ours[name].region, ours[name].numeric) == (region, iso)
        assert country_code(name) == ours[name].alpha2


def test_store_export_from_a_store_this_process_has_open_for_writing(db, tmp_path):
    copy = tmp_path / "copy.duckdb"
    copy.write_bytes(open(db, "rb").read())
    with Store(copy) as store:                  # a server with writes on holds the file like this
        with pytest.raises(StoreError, match=r"\[E602\].*already open for writing in this process"):
            export(str(copy), "jsonl", io.StringIO())
        out = io.StringIO()
        assert export(store, "jsonl", out).rows == 4
        assert export(store, "parquet", str(tmp_path / "e.parquet")).rows == 4
    assert len(out.getvalue().splitlines()) == 4


def test_store_export_figures_csv_one_row_per_figure_with_offsets_into_the_article(db, tmp_path):
    """The figures of the 20 real corpus articles ingested into the fixture store: every row's evidence
    and quantity are offsets into its article's stored text."""
    from marsad.store.exports import FIGURES_COLUMNS
    result, text = run_export(db, "figures-csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert tuple(csv.reader(io.StringIO(text.splitlines()[0])).__next__()) == FIGURES_COLUMNS
    with Store(db, read_only=True) as store:
        n = store.con.execute("SELECT count(*) FROM figures").fetchall()[0][0]
        texts = dict(store.con.execute("SELECT article_key, text FROM articles").fetchall())
    assert result.rows == len(rows) == n > 10
    for r in rows:
        article = texts[r["article_key"]]
        start, end = int(r["evidence_start"]), int(r["evidence_end"])
        assert article[start:end] == r["evidence_text"]
        q0, q1 = int(r["quantity_start"]), int(r["quantity_end"])
        assert article[q0:q1] == r["quantity_text"] and start <= q0 < q1 <= end
        assert int(r["value"]) >= 0 and r["metric"] and r["article_id"] and r["article_date"]
    placed = [r for r in rows if r["place_country"]]
    assert placed and all(len(r["place_country"]) == 2 for r in placed)
    assert any(r["place_lat"] and r["place_lon"] for r in placed)
    code = placed[0]["place_country"]
    _, only = run_export(db, "figures-csv", Filters(country=code))
    assert {r["place_country"] for r in csv.DictReader(io.StringIO(only))} == {code}
    with pytest.raises(StoreError, match="figures have no event type"):
        export(db, "figures-csv", io.StringIO(), Filters(event_type="Battles"))
    out = tmp_path / "figures.csv"
    r = subprocess.run([sys.executable, "-m", "marsad.cli", "export", "--db", db, "--format", "figures-csv", "-o",
                        str(out)], capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    assert f"{n} figures as figures-csv" in r.stderr and out.read_text(encoding="utf-8") == text


def test_store_export_jsonl_lists_every_passage_of_a_report(tmp_path):
    """An article that tells one strike in its lead and again in a detail has one report with two
    passages: both are sources of the incident (the lead first, marked primary), so a reader - or
    score_dedup.py - finds the incident from either sentence."""
    from marsad.article import Article, Event, Place
    from store_helpers import span
    t = ("قتل خمسة مدنيين في غارة جوية على بلدة الباغوز شرقي سوريا صباح الثلاثاء.\n"
         "وقال سكان إن الغارة أصابت منزلا قرب السوق وإن بين القتلى طفلين.\n"
         "ولم تعلن أي جهة مسؤوليتها.")
    lead, detail = t.split("\n")[0], t.split("\n")[1]
    place = Place(span(t, "الباغوز"), "الباغوز", country="SY", lat=34.4553, lon=40.9597, geo_precision=1)
    a = Article(text=t, id="two-passages", url="https://example.org/strike", source="example", date="2019-03-19",
                date_source="input")
    a.layers["events"] = [Event("Explosions/Remote violence", "Air/drone strike", span(t, lead), date="2019-03-19",
                                location=place, fatalities=5, mentions=[span(t, lead), span(t, detail)])]
    path = tmp_path / "m.duckdb"
    with Store(path) as store:
        store.write([to_record(with_text_layers(a))])
    _, text = run_export(str(path), "jsonl")
    (incident,) = [json.loads(line) for line in text.splitlines()]
    assert incident["source_count"] == 1
    passages = [(s["evidence"]["text"], s["primary"], s["report_id"]) for s in incident["sources"]]
    assert [p[:2] for p in passages] == [(lead, True), (detail, False)]
    assert len({p[2] for p in passages}) == 1
    # the project's dedup scorer reads the sources the same way
    sys.path.insert(0, str(SHARED / "eval"))
    import score_dedup
    by_article = score_dedup.reports([incident])
    side = {"article": "two-passages", "evidence": {"start": t.index(detail), "end": t.index(detail) + len(detail)}}
    assert score_dedup.find(side, by_article) == incident["event_id"]
