"""`marsad spark run` on local[2]: the same tables as `marsad ingest`, idempotent, served from Parquet.

One Spark session for the module (starting the JVM takes seconds); ~200 real corpus articles with a
corrupt line and a repeated article among them, run twice, against the same articles ingested into
a DuckDB store.
"""
from __future__ import annotations

from itertools import islice
from pathlib import Path

import duckdb
import pytest

from conftest import CORPUS

from marsad.batch import spark as job
from marsad.store import ingest, parquet
from marsad.store.inputs import iter_articles, expand

N = 200
CORRUPT_AT = 101            # the corrupt line's number in the input file
RUN_COLUMNS = {"articles": ("run_id", "ingested_at"), "errors": ("run_id", "created_at")}
SKIP_TABLES = {"runs", "schema_version"}


def _tables(con) -> dict[str, list[tuple]]:
    """Every table's rows sorted, without what only a run fills in (run ids, timestamps)."""
    out = {}
    for (table,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main' "
                                "ORDER BY 1").fetchall():
        if table in SKIP_TABLES:
            continue
        cols = [c for (c,) in con.execute("SELECT column_name FROM duckdb_columns() WHERE table_name = ? "
                                          "ORDER BY column_index", [table]).fetchall()
                if c not in RUN_COLUMNS.get(table, ())]
        out[table] = con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL").fetchall()
    return out


def _output(out: Path) -> dict[str, list[tuple]]:
    with parquet.ParquetStore(out) as store:
        return _tables(store.con)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> Path:
    """N corpus articles in one JSON Lines file, with a corrupt line and the first article again."""
    with CORPUS.open(encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in islice(f, N)]
    lines.insert(CORRUPT_AT - 1, '{"id": "cut-off", "text": "قتل ثلاثة')
    lines.append(lines[0])
    path = tmp_path_factory.mktemp("spark-in") / "articles.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def session():
    spark = job.session("local[2]", 2)
    yield spark
    spark.stop()


@pytest.fixture(scope="module")
def runs(session, inputs, tmp_path_factory):
    root = tmp_path_factory.mktemp("spark-out")
    out = root / "out"
    first = job.run([str(inputs)], out, spark=session, partitions=2)
    tables_first = _output(out)
    months_first = sorted(p.relative_to(out).as_posix() for p in out.glob("*/month=*"))
    second = job.run([str(inputs)], out, spark=session, partitions=2)
    tables_second = _output(out)
    months_second = sorted(p.relative_to(out).as_posix() for p in out.glob("*/month=*"))
    ingested = root / "ingest.duckdb"
    ingest([str(inputs)], str(ingested), workers=1)
    imported = root / "spark.duckdb"
    result = parquet.import_dir(out, imported)
    return {"out": out, "first": first, "second": second, "tables": (tables_first, tables_second),
            "months": (months_first, months_second), "ingested": ingested, "imported": imported,
            "import": result}


def test_spark_run_then_import_equals_ingest(runs, inputs):
    with duckdb.connect(str(runs["ingested"]), read_only=True) as a, \
            duckdb.connect(str(runs["imported"]), read_only=True) as b:
        want, got = _tables(a), _tables(b)
    assert sorted(got) == sorted(want)
    for table in want:
        assert got[table] == want[table], f"table {table} differs"
    assert len(want["articles"]) == N                       # the repeated article is stored once
    assert len(want["incidents"]) < len(want["events"])     # some reports of different articles were merged
    assert any(r[0] > 1 for r in duckdb.connect(str(runs["imported"]), read_only=True).execute(
        "SELECT source_count FROM incidents").fetchall())
    report = runs["first"]
    assert (report.articles, report.stored, report.errors) == (N + 2, N, 1)
    assert runs["import"]["new"] == N and runs["import"]["errors"] == 1


def test_spark_corrupt_line_is_an_error_row_with_its_location(runs, inputs):
    with parquet.ParquetStore(runs["out"]) as store:
        rows = store.con.execute("SELECT kind, location, code, message FROM errors").fetchall()
    assert rows == [("input", f"{inputs}:{CORRUPT_AT}", "E106", rows[0][3])]
    assert rows[0][3].startswith("invalid JSON")


def test_spark_second_run_changes_nothing(runs):
    first, second = runs["tables"]
    assert first == second
    assert runs["months"][0] == runs["months"][1]
    assert any(m.startswith("articles/month=20") for m in runs["months"][0])
    # One file per month and table: the re-run replaced its months' files, it did not add to them.
    assert all(len(list((runs["out"] / m).glob("*.parquet"))) == 1 for m in runs["months"][1])


def test_serve_parquet_answers_like_the_store(runs):
    from fastapi.testclient import TestClient

    from marsad.service.app import create_app
    from marsad.service.config import ServiceConfig

    answers = []
    for config in (ServiceConfig(db=runs["ingested"]), ServiceConfig(parquet=runs["out"])):
        with TestClient(create_app(config)) as client:
            events = client.get("/v1/events", params={"limit": 500, "sort": "-date"})
            stats = client.get("/v1/stats")
            syria = client.get("/v1/stats", params={"country": "SY"})
            assert events.status_code == stats.status_code == syria.status_code == 200
            one = client.get(f"/v1/events/{events.json()['items'][0]['id']}")
            assert one.status_code == 200
            answers.append([events.json(), _without_updated(stats.json()), _without_updated(syria.json()),
                            one.json()])
    store, spark = answers
    assert spark == store
    assert store[0]["total"] == store[1]["total"] == len(store[0]["items"]) > 0
    assert store[2]["total"] > 0


def _without_updated(answer: dict) -> dict:
    return {k: v for k, v in answer.items() if k != "updated"}


def test_spark_parts_read_every_line_once_with_its_location(tmp_path, inputs):
    """The driver's parts of a JSON Lines file, read one by one, give what `marsad ingest` reads."""
    parts = job.plan([str(inputs)], 7)
    assert len(parts) >= 7 and all(p[0] == "lines" for p in parts)
    got = [(where, getattr(item, "id", None) or getattr(item, "where", None))
           for part in parts for where, item in job._read(part, 10_000_000)]
    want = [(where, getattr(item, "id", None) or getattr(item, "where", None))
            for where, item in iter_articles(expand([str(inputs)]))]
    assert got == want
    assert (str(inputs), f"{inputs}:{CORRUPT_AT}") in got


def test_pyspark_is_imported_by_one_module_only():
    src = Path(job.__file__).resolve().parents[1]
    importing = sorted(p.relative_to(src).as_posix() for p in src.rglob("*.py")
                       if any(line.lstrip().startswith(("import pyspark", "from pyspark"))
                              for line in p.read_text(encoding="utf-8").splitlines()))
    assert importing == ["batch/spark.py"]
