"""Does matching a new article cost more in a bigger store? Time 200 articles against 1x and 5x.

    python bench/dedup_scaling.py                    # ingests the 2,000 corpus articles first
    python bench/dedup_scaling.py --db corpus.duckdb # a store that holds them already (copied, never changed)

1. The 2,000 corpus articles are ingested (`marsad ingest`, two workers): the 1x store.
2. The 5x store adds four copies of them, each moved 800 days further on (article and event
   dates, match keys) under new article keys: five times the reports, the same number per block
   and day. With `--dense`, a third store adds the four copies at the *same* dates: five times
   as many reports in every block, which is what matching does grow with (slow to build: its
   blocks hold 25 times the pairs).
3. 200 new articles (every tenth corpus article again, from another URL, as a second outlet
   running the same story) are written to each store in batches of 50, once with matching and
   once without (`Store(db, dedup=False)`), three times each on a fresh copy; the table
   gives the median milliseconds per article and their difference, the cost of matching,
   both as wall-clock time and as the CPU time of the writing process (all its threads,
   DuckDB's included), which a machine shared with other work disturbs much less.

The per-article step is not rerun: the stored articles are read back as records
(`Store.load_article` + `to_record`), which is exactly what `marsad ingest` writes.
"""
from __future__ import annotations

import argparse
import copy
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "arabic_conflict_news" / "articles.jsonl"
sys.path.insert(0, str(ROOT / "src"))

from marsad.batch.extract import article_key, event_id, to_record  # noqa: E402
from marsad.store import Store  # noqa: E402
from marsad.dedup.model import load  # noqa: E402
from marsad.store.incidents import rebuild  # noqa: E402


def _shift_day(value, days: int):
    if not value:
        return value
    return (date.fromisoformat(str(value)[:10]) + timedelta(days=days)).isoformat()


def shifted(record: dict, days: int, tag: str) -> dict:
    """The record of the same article at another URL, `days` later (every date moved)."""
    rec = copy.deepcopy(record)
    art = rec["article"]
    url = f"{art.get('url') or 'https://example.org/'}#{tag}"
    key = article_key(art["content_hash"], url)
    art.update(article_key=key, url=url, date=_shift_day(art.get("date"), days),
               article_id=f"{art.get('article_id')}-{tag}")
    rec["key"] = key
    ids = {}
    for row in rec["tables"].get("events", ()):
        ids[row["event_id"]] = row["event_id"] = event_id(key, row["idx"])
    for table, rows in rec["tables"].items():
        for row in rows:
            row["article_key"] = key
            if "event_id" in row and row["event_id"] in ids:
                row["event_id"] = ids[row["event_id"]]
            for c in ("date", "date_start", "day"):
                if c in row:
                    row[c] = _shift_day(row[c], days)
    return rec


def time_writes(base: Path, new: list[dict], dedup: bool, tmp: Path, batch: int = 50) -> tuple[float, float]:
    """(wall, CPU) milliseconds per article of writing `new` to a copy of `base`."""
    db = tmp / "timed.duckdb"
    shutil.copy(base, db)
    with Store(db, dedup=dedup) as store:
        t, cpu = time.perf_counter(), time.process_time()
        for i in range(0, len(new), batch):
            store.write(new[i:i + batch])
        seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
    db.unlink()
    return 1000 * seconds / len(new), 1000 * cpu / len(new)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", type=Path, help="A store holding the corpus already (it is copied, never changed).")
    ap.add_argument("--corpus", type=Path, default=CORPUS)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--dense", action="store_true", help="Also a 5x store with the copies at the same dates.")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        one = tmp / "x1.duckdb"
        if args.db:
            shutil.copy(args.db, one)
        else:
            t = time.perf_counter()
            subprocess.run([sys.executable, "-m", "marsad.cli", "ingest", str(args.corpus), "--db", str(one),
                            "--workers", "2", "--no-progress"], check=True, cwd=ROOT)
            print(f"ingest of the corpus: {time.perf_counter() - t:.0f} s", file=sys.stderr)
        with Store(one, read_only=True) as store:
            keys = [k for (k,) in store.con.execute("SELECT article_key FROM articles ORDER BY article_key").fetchall()]
            records = [to_record(store.load_article(k), key=k) for k in keys]
            reports = store.count("events")
        new = [shifted(r, 0, "second-outlet") for r in records[::10]][:200]
        stores = {"1x": one}
        for name, step in (("5x, later dates", 800), ("5x, same dates", 0))[:2 if args.dense else 1]:
            db = tmp / f"{name.replace(' ', '').replace(',', '')}.duckdb"
            shutil.copy(one, db)
            t = time.perf_counter()
            with Store(db, dedup=False) as store:
                for k in range(1, 5):
                    copies = [shifted(r, k * step, f"copy{k}") for r in records]
                    for i in range(0, len(copies), 500):
                        store.write(copies[i:i + 500])
                with store.transaction():
                    built = rebuild(store.con, store._insert)
            print(f"{name}: {built['reports']} reports, {built['incidents']} incidents, re-clustered in "
                  f"{time.perf_counter() - t:.0f} s", file=sys.stderr)
            stores[name] = db
        load()                          # the model's word table, read once per process: not timed
        print(f"200 new articles written in batches of 50 to stores of {len(records)} articles ({reports} reports) "
              f"and five times that; median of {args.repeats} runs, ms per article (wall clock | CPU)")
        print(f"{'store':<18} {'reports':>8} {'with matching':>14} {'without':>8} {'matching':>9} | "
              f"{'with':>6} {'without':>8} {'matching':>9}")
        for name, db in stores.items():
            with Store(db, read_only=True) as store:
                n = store.count("events")
            runs = {d: [time_writes(db, new, d, tmp) for _ in range(args.repeats)] for d in (True, False)}
            (on, off), (on_cpu, off_cpu) = [[statistics.median(r[k] for r in runs[d]) for d in (True, False)]
                                            for k in (0, 1)]
            print(f"{name:<18} {n:>8} {on:>14.2f} {off:>8.2f} {on - off:>9.2f} | "
                  f"{on_cpu:>6.2f} {off_cpu:>8.2f} {on_cpu - off_cpu:>9.2f}")


if __name__ == "__main__":
    main()
