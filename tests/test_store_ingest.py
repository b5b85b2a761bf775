import gzip
import json
import os
import re
import signal
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path

import duckdb
import pytest

from conftest import CORPUS, ROOT
from marsad.pipeline import Pipeline, stage
from marsad.readers import read_inputs
from marsad.store import Store, ingest

SLICE = 150          # real articles in the kill-and-resume test (15 batches of 10)
CONTENT_TABLES = ("articles", "events", "event_sources", "figures", "quotes", "actors", "places", "entities",
                  "layers", "errors", "match_keys", "dedup_links", "incident_reports", "incidents", "dedup_state")
VOLATILE = {"run_id", "ingested_at", "created_at"}      # differ between runs by design


def snapshot(db) -> dict[str, list]:
    """Every content row, without the columns that name the run or the time."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out = {}
        for table in CONTENT_TABLES:
            cols = [c for (c,) in con.execute("SELECT column_name FROM information_schema.columns WHERE "
                                              "table_name = ? ORDER BY ordinal_position", [table]).fetchall()
                    if c not in VOLATILE]
            out[table] = con.execute(f"SELECT {', '.join(cols)} FROM {table} ORDER BY ALL").fetchall()
        return out
    finally:
        con.close()


def cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "marsad.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          **kw)


@pytest.fixture(scope="module")
def corpus_slice(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("corpus") / "slice.jsonl"
    with CORPUS.open(encoding="utf-8") as f:
        path.write_text("".join(islice(f, SLICE)), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference_db(corpus_slice, tmp_path_factory) -> Path:
    """The slice ingested in one uninterrupted run."""
    db = tmp_path_factory.mktemp("ref") / "ref.duckdb"
    report = ingest([str(corpus_slice)], str(db), workers=2, batch_size=25)
    assert report.status == "completed" and (report.new, report.errors) == (SLICE, 0)
    return db


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _start_and_wait_for_a_commit(corpus_slice, db, workers="2"):
    proc = subprocess.Popen([sys.executable, "-m", "marsad.cli", "ingest", str(corpus_slice), "--db", str(db),
                             "--workers", workers, "--batch-size", "10"], cwd=ROOT, stderr=subprocess.PIPE,
                            stdout=subprocess.DEVNULL, text=True)
    lines = []
    for line in proc.stderr:                  # one line per commit when stderr is not a terminal
        lines.append(line)
        assert not re.search(r"committed 0 new, \d+ skipped, \d+ events, 0 errors", line), \
            f"a commit that stored nothing: {line}"
        if re.search(r"committed [1-9]\d* new", line):
            return proc, lines
    proc.wait()
    pytest.fail(f"ingest finished without reporting a commit that stored articles: {''.join(lines)}")


def test_store_ingest_sigkill_mid_run_then_rerun_equals_an_uninterrupted_run(corpus_slice, reference_db, tmp_path):
    db = tmp_path / "killed.duckdb"
    proc, _ = _start_and_wait_for_a_commit(corpus_slice, db)
    workers = _children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert workers and not any(_alive(p) for p in workers), "worker processes outlived the killed ingest"

    with Store(db, read_only=True) as store:       # what the killed run committed survives the kill
        committed = store.count("articles")
        run = store.con.execute("SELECT status, articles_new FROM runs").fetchall()
    assert 0 < committed < SLICE, "the kill must land mid-run for this test to mean anything"
    assert run == [("running", committed)]

    report = ingest([str(corpus_slice)], str(db), workers=2, batch_size=25)
    assert (report.status, report.new, report.skipped) == ("completed", SLICE - committed, committed)
    assert snapshot(db) == snapshot(reference_db)
    with Store(db, read_only=True) as store:
        runs = store.con.execute("SELECT status, articles_new FROM runs ORDER BY run_id").fetchall()
    assert runs == [("interrupted", committed), ("completed", SLICE - committed)]


def test_store_ingest_again_changes_nothing(corpus_slice, reference_db, tmp_path):
    db = tmp_path / "again.duckdb"
    db.write_bytes(reference_db.read_bytes())
    before = snapshot(db)
    report = ingest([str(corpus_slice)], str(db), workers=1)
    assert (report.new, report.skipped, report.events, report.errors) == (0, SLICE, 0, 0)
    assert snapshot(db) == before


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_store_ingest_ctrl_c_or_term_commits_finished_work_and_marks_the_run(corpus_slice, tmp_path, sig):
    db = tmp_path / "stopped.duckdb"
    proc, _ = _start_and_wait_for_a_commit(corpus_slice, db, workers="1")
    proc.send_signal(sig)
    rest = proc.stderr.read()
    assert proc.wait() == 130, rest
    assert "interrupted:" in rest
    with Store(db, read_only=True) as store:
        (status, new), = store.con.execute("SELECT status, articles_new FROM runs").fetchall()
        assert status == "interrupted" and new == store.count("articles") > 0


def test_store_ingest_reads_folders_globs_gzip_and_records_bad_inputs(tmp_path):
    with CORPUS.open(encoding="utf-8") as f:
        records = [json.loads(line) for line in islice(f, 6)]
    data = tmp_path / "in"
    (data / "sub").mkdir(parents=True)
    (data / "one.txt").write_text(records[0]["title"] + "\n" + records[0]["text"], encoding="utf-8")
    (data / "sub" / "two.json").write_text(json.dumps([records[1], {"id": "no-text", "title": "x"}],
                                                      ensure_ascii=False), encoding="utf-8")
    lines = [json.dumps(records[2], ensure_ascii=False), "{not json", json.dumps(records[3], ensure_ascii=False)]
    (data / "three.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (data / "four.jsonl.gz").write_bytes(gzip.compress(json.dumps(records[4], ensure_ascii=False).encode()))
    (data / "binary.txt").write_bytes(bytes(range(256)) * 4)
    (data / "empty.txt").write_text("  \n", encoding="utf-8")
    (data / "notes.csv").write_text("a,b\n", encoding="utf-8")        # not an article type: not read
    other = tmp_path / "other"
    other.mkdir()
    (other / "five.txt").write_text(records[5]["text"], encoding="utf-8")

    db = tmp_path / "m.duckdb"
    paths = [str(data), str(other / "*.txt"), str(tmp_path / "missing.jsonl"), str(tmp_path / "none-*.json")]
    report = ingest(paths, str(db), workers=2)
    assert (report.articles, report.new, report.errors) == (12, 6, 6)
    with Store(db, read_only=True) as store:
        errors = dict(store.con.execute("SELECT location, code FROM errors").fetchall())
        ids = {r[0] for r in store.con.execute("SELECT article_id FROM articles").fetchall()}
    assert errors == {f"{data}/sub/two.json[1]": "E106", f"{data}/three.jsonl:2": "E106",
                      f"{data}/binary.txt": "E102", f"{data}/empty.txt": "E105",
                      f"{tmp_path}/missing.jsonl": "E107", f"{tmp_path}/none-*.json": "E107"}
    assert ids >= {records[i]["id"] for i in (1, 2, 3, 4)} and "one" in ids and "five" in ids

    again = ingest(paths, str(db), workers=1)
    assert (again.new, again.skipped, again.errors) == (0, 6, 6)
    with Store(db, read_only=True) as store:
        assert store.count("errors") == 6 and store.count("articles") == 6


@stage("picky", requires=["sentences"], assigns=[])      # assigns nothing: every real layer has its stage
def picky(article):
    if "الحوثي" in article.text:
        raise ValueError("cannot handle this one")
    return {}


def test_store_ingest_an_extraction_exception_is_recorded_and_the_run_goes_on(corpus_slice, tmp_path):
    pipeline = Pipeline.default()
    pipeline = Pipeline([*pipeline.stages, picky])
    sample = tmp_path / "sample.jsonl"
    with corpus_slice.open(encoding="utf-8") as f:
        sample.write_text("".join(islice(f, 40)), encoding="utf-8")
    report = ingest([str(sample)], str(tmp_path / "m.duckdb"), workers=2, pipeline=pipeline)
    failing = sum(1 for a in read_inputs([str(sample)]) if "الحوثي" in a.text)
    assert 0 < failing < 40
    assert (report.new, report.errors, report.status) == (40 - failing, failing, "completed")
    with Store(tmp_path / "m.duckdb", read_only=True) as store:
        rows = store.con.execute("SELECT kind, location, message, detail FROM errors").fetchall()
    assert len(rows) == failing
    for kind, location, message, detail in rows:
        assert kind == "extract" and location == str(sample)
        assert message == "ValueError: cannot handle this one" and "picky" in detail


def test_store_ingest_cli_prints_progress_and_a_summary(corpus_slice, tmp_path):
    sample = tmp_path / "sample.jsonl"
    with corpus_slice.open(encoding="utf-8") as f:
        sample.write_text("".join(islice(f, 30)) + "{broken\n", encoding="utf-8")
    db = tmp_path / "m.duckdb"
    r = cli("ingest", str(sample), "--db", str(db), "--workers", "1", "--batch-size", "10")
    assert r.returncode == 2, r.stderr          # one bad line: recorded, the run completes, exit 2 says so
    assert re.search(r"^ingest: \d+/31 articles, [\d.]+ articles/s, ETA \d+ s; committed", r.stderr, re.M)
    assert re.search(r"completed: 31 articles read, 30 new, 0 already stored, \d+ events, 1 errors", r.stderr)
    assert f"{sample}:31: invalid JSON" in r.stderr
    r = cli("ingest", str(sample), "--db", str(db), "--no-progress")
    assert "31 articles read, 0 new, 30 already stored" in r.stderr and not re.search("^ingest:", r.stderr, re.M)


@pytest.mark.parametrize("args,message", [
    (["--workers", "0"], "--workers must be at least 1"),
    (["--batch-size", "0"], "--batch-size must be at least 1"),
])
def test_store_ingest_cli_bad_options_are_named(corpus_slice, tmp_path, args, message):
    r = cli("ingest", str(corpus_slice), "--db", str(tmp_path / "m.duckdb"), *args)
    assert r.returncode == 2 and message in r.stderr


def test_store_ingest_cli_db_in_a_missing_folder(corpus_slice, tmp_path):
    r = cli("ingest", str(corpus_slice), "--db", str(tmp_path / "nowhere" / "m.duckdb"))
    assert r.returncode == 2 and "folder" in r.stderr and "does not exist" in r.stderr


def test_readers_jsonl_keeps_records_with_unicode_line_separators(tmp_path):
    path = tmp_path / "sep.jsonl"
    records = [{"id": "a", "text": "الفقرة الأولى\u2029الفقرة الثانية"}, {"id": "b", "text": "سطر\u2028آخر\x85"}]
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), encoding="utf-8")
    got = list(read_inputs([str(path)]))
    assert [(a.id, a.text) for a in got] == [(r["id"], r["text"]) for r in records]


def test_readers_whole_corpus_reads_as_2000_articles():
    items = list(read_inputs([str(CORPUS)]))
    assert len(items) == 2000 and all(hasattr(a, "content_hash") for a in items)


@pytest.mark.parametrize("n_cores,workers", [(1, 1), (2, 1), (4, 3), (16, 15)])
def test_store_ingest_worker_count_defaults_to_the_cores_less_the_writer(monkeypatch, n_cores, workers):
    from marsad.store import default_workers
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(n_cores)))
    assert default_workers() == workers


@stage("crashy", requires=["sentences"], assigns=[])
def crashy(article):
    if article.id == os.environ.get("MARSAD_TEST_CRASH_ID"):
        os._exit(3)           # what a segfault in native code or the OOM killer does to a worker
    return {}


def test_store_ingest_an_article_that_kills_its_worker_is_recorded_and_the_run_goes_on(corpus_slice, tmp_path,
                                                                                       monkeypatch):
    sample = tmp_path / "sample.jsonl"
    with corpus_slice.open(encoding="utf-8") as f:
        lines = list(islice(f, 30))
    sample.write_text("".join(lines), encoding="utf-8")
    victim = json.loads(lines[12])["id"]
    monkeypatch.setenv("MARSAD_TEST_CRASH_ID", victim)
    pipeline = Pipeline([*Pipeline.default().stages, crashy])
    report = ingest([str(sample)], str(tmp_path / "m.duckdb"), workers=2, pipeline=pipeline, batch_size=5)
    assert (report.status, report.new, report.errors) == ("completed", 29, 1)
    with Store(tmp_path / "m.duckdb", read_only=True) as store:
        assert store.con.execute("SELECT article_id, code FROM errors").fetchall() == [(victim, "E622")]


def test_store_ingest_commits_only_batches_that_store_something(corpus_slice, tmp_path):
    """commit_every=0: a commit is due at every turn of the loop, also while the spawned workers are still
    starting and every article read is in flight; none of those turns may commit an empty batch."""
    from store_helpers import TEXT_STAGES
    seen = [(0, 0)]           # (batches committed, articles stored) at each change of the first

    def progress(report):
        if seen[-1][0] != report.batches:
            seen.append((report.batches, report.new + report.errors))

    sample = tmp_path / "sample.jsonl"
    with corpus_slice.open(encoding="utf-8") as f:
        sample.write_text("".join(islice(f, 20)), encoding="utf-8")
    report = ingest([str(sample)], str(tmp_path / "m.duckdb"), workers=2, commit_every=0.0,
                    pipeline=Pipeline.default(TEXT_STAGES), progress=progress)
    assert (report.status, report.new) == ("completed", 20)
    stored = [n for _, n in seen]
    assert len(seen) > 1 and all(a < b for a, b in zip(stored, stored[1:])), seen


def test_store_ingest_an_interrupt_during_a_commit_stops_the_run(corpus_slice, tmp_path, monkeypatch):
    """DuckDB turns Ctrl-C (or SIGTERM, which the CLI makes one) during a statement into
    duckdb.InterruptException, a duckdb.Error: it must stop the run, not count as a batch at fault
    to be written again record by record (which swallowed the interrupt and let the run complete)."""
    from marsad.store import db as store_db
    from store_helpers import TEXT_STAGES
    real, calls = store_db.Store._write, []

    def interrupted_once(self, *args, **kw):
        calls.append(len(args[0]))
        if len(calls) == 2:
            raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")
        return real(self, *args, **kw)

    monkeypatch.setattr(store_db.Store, "_write", interrupted_once)
    sample = tmp_path / "sample.jsonl"
    with corpus_slice.open(encoding="utf-8") as f:
        sample.write_text("".join(islice(f, 40)), encoding="utf-8")
    db = tmp_path / "m.duckdb"
    report = ingest([str(sample)], str(db), workers=1, batch_size=5, pipeline=Pipeline.default(TEXT_STAGES))
    assert report.status == "interrupted" and 5 <= report.new < 40
    assert len(calls) == 3                          # the first batch, the interrupted one, the final flush
    with Store(db, read_only=True) as store:
        (status, new), = store.con.execute("SELECT status, articles_new FROM runs").fetchall()
        assert (status, new) == ("interrupted", report.new) and store.count("articles") == report.new
