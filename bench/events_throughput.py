"""Throughput of the full default pipeline (all stages up to events) over the conflict corpus.

    python bench/events_throughput.py [--limit N] [--path ../shared/data/arabic_conflict_news/articles.jsonl]

Prints articles/s, characters/s, events found, and each stage's share of the time. Numbers
depend on the machine and on which stages (and gazetteer/models) are installed; quote them
with the command and the stage list.
"""
from __future__ import annotations

import argparse
import json
import time
from itertools import islice
from pathlib import Path

import marsad
from marsad.article import Article

ROOT = Path(__file__).resolve().parents[1]
DEFAULT = ROOT.parent / "shared" / "data" / "arabic_conflict_news" / "articles.jsonl"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--path", type=Path, default=DEFAULT)
    ap.add_argument("--limit", type=int, default=None)
    args = ap.parse_args()
    with args.path.open(encoding="utf-8") as f:
        records = [json.loads(line) for line in islice(f, args.limit)]
    pipeline = marsad.default_pipeline()
    warm = Article(text=records[0]["text"], id="warm", date=records[0]["date"][:10])
    pipeline(warm)                                     # load gazetteers/models outside the timing
    pipeline.timings = {name: 0.0 for name in pipeline.names}
    chars = events = with_events = 0
    t0 = time.perf_counter()
    for r in records:
        a = pipeline(Article(text=r["text"], id=r["id"], title=r.get("title"), date=r["date"][:10],
                             date_source="input"))
        chars += len(r["text"])
        n = len(a.layer("events"))
        events += n
        with_events += bool(n)
    wall = time.perf_counter() - t0
    print(f"{'articles':<22}{len(records):>10}")
    print(f"{'seconds':<22}{wall:>10.2f}")
    print(f"{'articles/s':<22}{len(records) / wall:>10.1f}")
    print(f"{'kchars/s':<22}{chars / wall / 1000:>10.1f}")
    print(f"{'events':<22}{events:>10}")
    print(f"{'articles with events':<22}{with_events:>10}")
    print()
    print(f"{'stage':<22}{'seconds':>10}{'share':>8}")
    total = sum(pipeline.timings.values()) or 1.0
    for name, sec in pipeline.timings.items():
        print(f"{name:<22}{sec:>10.2f}{sec / total:>8.0%}")


if __name__ == "__main__":
    main()
