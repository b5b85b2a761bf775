"""Runs that used to break (issue 19): a bad line or file, a stuck article, a full disk. Each now
costs one clear line (or one errors row), the other inputs are processed, the exit code is 2, and
nothing committed is lost: the same command run again carries on."""
from __future__ import annotations

import gzip
import json
import re
import subprocess
import sys
import time
from itertools import islice
from pathlib import Path

import pytest

from conftest import CORPUS, ROOT
from marsad.batch.pool import DeadlinePool, TaskTimeout, WorkerDied
from marsad.store import ingest
from marsad.store.db import Store

CORRUPT_GZIP = b"\x1f\x8b\x08\x00garbage"
FLOOD = "قتل " * 400_000          # 15-30 s of work or more: far past an 8-second deadline (a news
                                  # article: < 1 s; 150,000 words took 6-12 s once the pipeline got faster)


def cli(*args, **kw):
    return subprocess.run([sys.executable, "-m", "marsad.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          **kw)


def corpus(n: int, start: int = 0) -> list[dict]:
    with CORPUS.open(encoding="utf-8") as f:
        return [json.loads(line) for line in islice(f, start, start + n)]


@pytest.fixture(scope="module")
def bad_folder(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("inputs")
    good = corpus(3)
    (folder / "good.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in good),
                                       encoding="utf-8")
    # A lone surrogate, legal as a JSON escape: the line failed on every run, blocking the rest of the file.
    lone = corpus(2, start=3)
    lone[1]["text"] = lone[1]["text"][:40] + "\ud800" + lone[1]["text"][40:]
    lines = [json.dumps(lone[0], ensure_ascii=False), json.dumps(lone[1], ensure_ascii=True)]
    assert "\\ud800" in lines[1]
    (folder / "surrogate.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "corrupt.jsonl.gz").write_bytes(CORRUPT_GZIP)
    (folder / "corrupt.txt.gz").write_bytes(CORRUPT_GZIP)
    (folder / "flood.json").write_text(json.dumps({"id": "flood", "date": "2019-03-19", "text": FLOOD}),
                                       encoding="utf-8")
    return folder


def test_ingest_goes_on_past_bad_lines_bad_files_and_a_stuck_article(bad_folder, tmp_path):
    db = tmp_path / "bad.duckdb"
    r = cli("ingest", str(bad_folder), "--db", str(db), "--workers", "2", "--article-timeout", "8", "--no-progress")
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert re.search(r"corrupt\.(jsonl|txt)\.gz.*cannot read", r.stderr)
    with Store(db, read_only=True) as store:
        assert store.count("articles") == 5                 # the three good ones and both of surrogate.jsonl
        texts = [t for (t,) in store.con.execute("SELECT text FROM articles").fetchall()]
        assert all("\ud800" not in t for t in texts) and sum("\ufffd" in t for t in texts) == 1
        errors = store.con.execute("SELECT location, code FROM errors ORDER BY location").fetchall()
        status = store.con.execute("SELECT status FROM runs").fetchall()
    assert [(Path(loc).name, code) for loc, code in errors] == [
        ("corrupt.jsonl.gz:1", "E107"), ("corrupt.txt.gz", "E107"), ("flood.json", "E623")]
    assert status == [("completed",)]


def test_extract_prints_one_line_per_bad_input_and_goes_on(bad_folder):
    r = cli("extract", str(bad_folder), "--format", "jsonl", "--article-timeout", "8")
    assert r.returncode == 2
    assert "Traceback" not in r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("marsad: error:")]
    assert len(errors) == 3, r.stderr                        # two corrupt gzips, the flood past its deadline
    assert any("longer than 8 s" in line for line in errors)
    records = [json.loads(line) for line in r.stdout.splitlines()]
    assert len(records) == 5 and all(rec["content_hash"] for rec in records)


DISK_FULL = """
import os, resource, sys
import marsad
from marsad.readers import from_plain_text
from marsad.store.db import Store
db, src, room = sys.argv[1], sys.argv[2], int(sys.argv[3])
marsad.extract(from_plain_text("قال مصدر إن مسلحين قتلوا ثلاثة جنود في الموصل أمس.", date="2019-03-19"))
with Store(db):
    pass
# The disk is full a little past what the empty store takes: every write beyond fails (EFBIG, as ENOSPC).
resource.setrlimit(resource.RLIMIT_FSIZE, (os.path.getsize(db) + room, resource.RLIM_INFINITY))
from marsad.cli import main
main(["ingest", src, "--db", db, "--workers", "1", "--batch-size", "5", "--no-progress"])
"""


def test_disk_full_ends_the_run_in_one_line_and_the_same_command_carries_on(tmp_path):
    src = tmp_path / "forty.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in corpus(40)), encoding="utf-8")
    db = tmp_path / "full.duckdb"
    r = subprocess.run([sys.executable, "-c", DISK_FULL, str(db), str(src), "150000"], capture_output=True,
                       text=True, cwd=ROOT)
    assert r.returncode == 2, r.stderr
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("marsad: error: cannot write to"), r.stderr
    with Store(db, read_only=True) as store:                  # readable, with what was committed
        (status, message), = store.con.execute("SELECT status, message FROM runs").fetchall()
        kept = store.count("articles")
    assert status == "failed" and "cannot write" in message
    assert 0 < kept < 40
    report = ingest([str(src)], str(db), workers=1)           # space again: the same command carries on
    assert (report.status, report.new, report.skipped, report.errors) == ("completed", 40 - kept, kept, 0)
    with Store(db, read_only=True) as store:
        assert store.count("articles") == 40
        assert store.con.execute("SELECT count(DISTINCT article_key) FROM articles").fetchone()[0] == 40


def test_store_write_failure_is_one_error_not_a_retry_per_row(tmp_path, monkeypatch):
    """A failure of the file itself (simulated at the DuckDB call) is E630 at once; the run row says failed."""
    import duckdb

    src = tmp_path / "three.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in corpus(3)), encoding="utf-8")
    db = tmp_path / "io.duckdb"
    calls = []

    def broken(self, table, rows):
        calls.append(table)
        raise duckdb.IOException('Could not write file "io.duckdb.wal": No space left on device')

    monkeypatch.setattr(Store, "_insert", broken)
    from marsad.errors import StoreError
    with pytest.raises(StoreError) as e:
        ingest([str(src)], str(db), workers=1)
    assert e.value.code == "E630" and "No space left on device" in e.value.message
    assert len(calls) == 1
    monkeypatch.undo()
    with Store(db, read_only=True) as store:
        assert store.con.execute("SELECT status FROM runs").fetchall() == [("failed",)]


# -- the pool itself ---------------------------------------------------------------------------

CATASTROPHIC = (r"(a+)+$", "a" * 40 + "b")     # a regex stuck in C for ages: no signal interrupts it


def test_pool_kills_a_worker_stuck_in_native_code_and_keeps_the_others():
    with DeadlinePool(2, timeout=1.0) as pool:
        deadline = time.monotonic() + 60
        while not all(w.ready for w in pool._workers):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        before = set(pool.pids)
        stuck = pool.submit(re.match, *CATASTROPHIC)
        fine = pool.submit(sorted, [3, 1, 2])
        with pytest.raises(TaskTimeout):
            stuck.result(timeout=30)
        assert fine.result(timeout=30) == [1, 2, 3]
        after = set(pool.pids)
        assert len(before - after) == 1                        # the stuck one was replaced ...
        gone = (before - after).pop()
        assert not Path(f"/proc/{gone}").exists() or "Z" in Path(f"/proc/{gone}/stat").read_text().split()[2]
        assert pool.submit(len, "بيروت").result(timeout=60) == 5     # ... and the pool goes on


def test_pool_reports_a_dead_worker_as_the_task_error():
    import os
    with DeadlinePool(1, timeout=30.0) as pool:
        with pytest.raises(WorkerDied, match="exit code 7"):
            pool.submit(os._exit, 7).result(timeout=60)
        assert pool.submit(abs, -4).result(timeout=60) == 4
