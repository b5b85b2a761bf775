"""Ingest throughput and peak memory: `marsad ingest` of the corpus with 1 and 2 workers.

    pip install -e '.[bench]'
    python bench/ingest_throughput.py                       # the 2,000 corpus articles, 1 and 2 workers
    python bench/ingest_throughput.py --limit 500 --workers 1 2 4
    python bench/ingest_throughput.py --workers 2 --dedup off on --repeats 2

Each worker count is run with cross-article matching on (the default of `marsad ingest`) and
off (`--no-dedup`), alternating, so a machine shared with other work slows both alike; the
last lines give the throughput with matching as a share of the throughput without.

Each run ingests into a fresh database in a subprocess (`python -m marsad.cli ingest`)
while a sampler adds up the resident memory (RSS) of that process and all its children
every 50 ms; the table reports the peak of that sum, so it includes the extraction workers.
Throughput is new articles per second of the run as recorded in the runs table (worker
start-up included, Python start-up not). `cpu ms/art` is the CPU time of the whole run (the
ingest process and its workers, user + system, Python start-up included) per new article:
on a machine shared with other work it moves much less than the throughput does, and the
last lines compare it too. Shared pages count once per process, so the
total slightly overstates the machine's real use.
"""
from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import threading
import time
from itertools import islice
from pathlib import Path

import duckdb
import psutil

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "arabic_conflict_news" / "articles.jsonl"


def peak_rss(proc: subprocess.Popen, stop: threading.Event, out: dict) -> None:
    try:
        root = psutil.Process(proc.pid)
    except psutil.NoSuchProcess:
        return
    while not stop.is_set():
        try:
            tree = [root, *root.children(recursive=True)]
            parent = root.memory_info().rss
            total = 0
            for p in tree:
                try:
                    total += p.memory_info().rss
                except psutil.NoSuchProcess:
                    pass
            out["parent"] = max(out.get("parent", 0), parent)
            out["total"] = max(out.get("total", 0), total)
            out["procs"] = max(out.get("procs", 0), len(tree))
        except psutil.NoSuchProcess:
            return
        time.sleep(0.05)


def run(inputs: Path, workers: int, batch_size: int, tmp: Path, dedup: bool = True) -> dict:
    db = tmp / f"bench-{workers}-{dedup}.duckdb"
    db.unlink(missing_ok=True)
    mem: dict = {}
    stop = threading.Event()
    t0 = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.Popen([sys.executable, "-m", "marsad.cli", "ingest", str(inputs), "--db", str(db),
                             "--workers", str(workers), "--batch-size", str(batch_size), "--no-progress",
                             "--dedup" if dedup else "--no-dedup"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = threading.Thread(target=peak_rss, args=(proc, stop, mem))
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    stop.set()
    sampler.join()
    if proc.returncode not in (0, 2):
        raise SystemExit(f"ingest failed ({proc.returncode}): {err}")
    con = duckdb.connect(str(db), read_only=True)
    new, seconds, events = con.execute("SELECT articles_new, seconds, events FROM runs").fetchone()
    incidents = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
    con.close()
    return {"workers": workers, "dedup": dedup, "incidents": incidents,
            "articles": new, "events": events, "seconds": seconds, "wall": wall,
            "rate": new / seconds, "cpu_ms": 1000 * cpu / max(1, new), "parent_mb": mem.get("parent", 0) / 2**20,
            "total_mb": mem.get("total", 0) / 2**20, "procs": mem.get("procs", 0),
            "db_mb": db.stat().st_size / 2**20}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--input", type=Path, default=CORPUS)
    ap.add_argument("--limit", type=int, default=None, help="Only the first N articles.")
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--batch-size", type=int, default=50)
    ap.add_argument("--dedup", nargs="+", choices=["on", "off"], default=["off", "on"],
                    help="Run with cross-article matching on, off or both (alternating).")
    ap.add_argument("--repeats", type=int, default=1, help="Runs of each setting.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        inputs = args.input
        if args.limit:
            inputs = tmp / "input.jsonl"
            with args.input.open(encoding="utf-8") as f:
                inputs.write_text("".join(islice(f, args.limit)), encoding="utf-8")
        rows = [run(inputs, w, args.batch_size, tmp, d == "on") for _ in range(args.repeats)
                for w in args.workers for d in args.dedup]
    print(f"marsad ingest of {args.input.name}{f' (first {args.limit})' if args.limit else ''}, "
          f"batch size {args.batch_size}, {psutil.cpu_count()} CPUs")
    print(f"{'workers':>7} {'dedup':>5} {'articles':>8} {'events':>6} {'incidents':>9} {'run s':>7} {'wall s':>7} "
          f"{'art/s':>7} {'cpu ms/art':>10} {'parent MB':>9} {'peak MB':>8} {'procs':>5} {'db MB':>6}")
    for r in rows:
        print(f"{r['workers']:>7} {'on' if r['dedup'] else 'off':>5} {r['articles']:>8} {r['events']:>6} "
              f"{r['incidents']:>9} {r['seconds']:>7.1f} {r['wall']:>7.1f} {r['rate']:>7.1f} {r['cpu_ms']:>10.1f} {r['parent_mb']:>9.0f} "
              f"{r['total_mb']:>8.0f} {r['procs']:>5} {r['db_mb']:>6.1f}")
    for w in args.workers:
        on = [r["rate"] for r in rows if r["workers"] == w and r["dedup"]]
        off = [r["rate"] for r in rows if r["workers"] == w and not r["dedup"]]
        if on and off:
            print(f"{w} worker{'s' if w > 1 else ''}: with matching {sum(on) / len(on):.1f} articles/s, without "
                  f"{sum(off) / len(off):.1f}: {100 * sum(on) / len(on) / (sum(off) / len(off)):.0f}%")
            c_on = [r["cpu_ms"] for r in rows if r["workers"] == w and r["dedup"]]
            c_off = [r["cpu_ms"] for r in rows if r["workers"] == w and not r["dedup"]]
            print(f"{w} worker{'s' if w > 1 else ''}: CPU per article with matching {sum(c_on) / len(c_on):.1f} ms, "
                  f"without {sum(c_off) / len(c_off):.1f}: the work without is "
                  f"{100 * sum(c_off) / len(c_off) / (sum(c_on) / len(c_on)):.0f}% of the work with")


if __name__ == "__main__":
    main()
