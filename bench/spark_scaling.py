"""`marsad spark run` on local[1] and local[2] next to `marsad ingest`, on the same articles and machine.

    pip install -e '.[spark]'           # and Java 17
    python bench/spark_scaling.py                  # the 2,000 corpus articles
    python bench/spark_scaling.py --limit 200      # a quick look

Each measurement runs in a fresh process, one after the other:

- **ingest**: `marsad ingest FILE --db NEW --workers 1` (the default on 2 cores), matching included;
  its wall time from the command's start (import, models, extraction, store, incidents).
- **spark local[N]**: a process starts a SparkSession (timed on its own: the JVM and the context),
  then runs `marsad.batch.spark.run` into a new folder (timed: Python workers starting and loading
  the pipeline, extraction, the Parquet files, deduplication).

Reported: seconds and articles/s of each, the speed-up of local[2] over local[1], Spark's overhead
per article (local[1]'s job time less ingest's, over the articles: one core each), and the session
start-up separately. The load average before each measurement is printed: on a machine busy with
other work the numbers say little. The table and a JSON of every number go to
`bench/results/YYYY-MM-DD-<host>-spark.md`.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import date
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "arabic_conflict_news" / "articles.jsonl"

SPARK_JOB = """
import json, sys, time
t = time.perf_counter()
from marsad.batch import spark as job
s = job.session(sys.argv[1], int(sys.argv[2]))
start = time.perf_counter() - t
r = job.run([sys.argv[3]], sys.argv[4], spark=s, partitions=int(sys.argv[2]))
s.stop()
print(json.dumps({"session_s": start, "job_s": r.seconds, "articles": r.articles, "stored": r.stored,
                  "events": r.events, "incidents": r.incidents, "phases": r.phases}))
"""


def load() -> float:
    return os.getloadavg()[0]


def run_ingest(path: Path, work: Path) -> dict:
    db = work / "ingest.duckdb"
    t = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "marsad.cli", "ingest", str(path), "--db", str(db), "--workers", "1",
                           "--no-progress"], capture_output=True, text=True, env=_env())
    seconds = time.perf_counter() - t
    if proc.returncode not in (0, 2):
        sys.exit(f"marsad ingest failed:\n{proc.stderr[-3000:]}")
    return {"job_s": seconds, "summary": proc.stderr.strip().splitlines()[0]}


def run_spark(path: Path, work: Path, cores: int) -> dict:
    out = work / f"spark-{cores}"
    proc = subprocess.run([sys.executable, "-c", SPARK_JOB, f"local[{cores}]", str(max(2, cores)), str(path),
                           str(out)], capture_output=True, text=True, env=_env())
    if proc.returncode != 0:
        sys.exit(f"spark run on local[{cores}] failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT / "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--limit", type=int, default=2000, help="Articles (the first N lines of --corpus).")
    ap.add_argument("--out", type=Path, default=ROOT / "bench" / "results")
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="marsad-spark-bench-") as tmp:
        work = Path(tmp)
        path = work / "articles.jsonl"
        with args.corpus.open(encoding="utf-8") as f, path.open("w", encoding="utf-8") as g:
            g.writelines(islice(f, args.limit))
        n = sum(1 for _ in path.open(encoding="utf-8"))
        rows = {}
        for name, fn in (("ingest", lambda: run_ingest(path, work)), ("local[1]", lambda: run_spark(path, work, 1)),
                         ("local[2]", lambda: run_spark(path, work, 2))):
            before = load()
            print(f"spark_scaling: {name} on {n} articles (load {before:.1f}) ...", file=sys.stderr, flush=True)
            rows[name] = fn() | {"load_before": before}
    ingest_s, one, two = rows["ingest"]["job_s"], rows["local[1]"]["job_s"], rows["local[2]"]["job_s"]
    lines = [f"# Spark scaling, {date.today().isoformat()}", "",
             f"Machine: {platform.node()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
             f"{n} articles of {args.corpus.name}.", "",
             "| run | load before | session start s | job s | articles/s | vs ingest |",
             "|---|---|---|---|---|---|"]
    for name, r in rows.items():
        session = f"{r['session_s']:.1f}" if "session_s" in r else "-"
        lines.append(f"| {name} | {r['load_before']:.1f} | {session} | {r['job_s']:.1f} | {n / r['job_s']:.1f} | "
                     f"{ingest_s / r['job_s']:.2f}x |")
    lines += ["", f"- local[2] over local[1]: {one / two:.2f}x.",
              f"- Spark's overhead per article (local[1] job less ingest, one core each): "
              f"{(one - ingest_s) / n * 1000:.1f} ms; the session start-up comes on top, once per run "
              f"({rows['local[1]']['session_s']:.1f} s).",
              f"- Phases of the local[2] job (s): " + ", ".join(f"{k} {v:.1f}" for k, v in rows["local[2]"]["phases"].items())]
    table = "\n".join(lines)
    print(table)
    args.out.mkdir(parents=True, exist_ok=True)
    stem = args.out / f"{date.today().isoformat()}-{platform.node()}-spark"
    stem.with_suffix(".md").write_text(table + "\n", encoding="utf-8")
    stem.with_suffix(".json").write_text(json.dumps({"articles": n, "runs": rows}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
