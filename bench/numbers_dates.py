"""Throughput of the quantities, times and figures stages on the real corpus, printed as a table.

    python bench/numbers_dates.py [--articles 500] [--repeat 3]

Each stage runs alone over articles whose earlier layers (boilerplate, sentences, tokens)
are already built and whose normalised text is cached, as in the pipeline, so the numbers
are the stage's own cost. "phrases/s" counts sentences
(the unit a stage scans); "found/s" counts what the stage emits. The best of --repeat runs
is reported, to damp noise from other processes on the machine.
"""
from __future__ import annotations

import argparse
import json
import time
from itertools import islice
from pathlib import Path

from marsad.article import Article
from marsad.dates.times import find_times
from marsad.numbers.figures import find_figures
from marsad.numbers.quantities import find_quantities
from marsad.text.boilerplate import mark_boilerplate
from marsad.text.normalize import normalize
from marsad.text.sentences import split_sentences
from marsad.text.tokens import tokenize

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "arabic_conflict_news" / "articles.jsonl"


def load(n: int) -> list[Article]:
    articles = []
    with CORPUS.open(encoding="utf-8") as f:
        for line in islice(f, n):
            try:
                r = json.loads(line)
            except json.JSONDecodeError:
                continue
            a = Article(text=r["text"], id=r["id"], date=r["date"][:10], date_source="input")
            for s in (mark_boilerplate, split_sentences, tokenize):
                a.layers.update(s(a))
            articles.append(a)
    return articles


def run(stage, articles, repeat) -> tuple[float, int]:
    best, found = float("inf"), 0
    for _ in range(repeat):
        total, found = 0.0, 0
        for a in articles:
            normalize(a.text)          # in the pipeline the tokens stage has just normalised this text
            t0 = time.perf_counter()
            layers = stage(a)
            total += time.perf_counter() - t0
            a.layers.update(layers)
            found += sum(len(v) for v in layers.values())
        best = min(best, total)
    return best, found


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=500)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    articles = load(args.articles)
    sentences = sum(len(a.layer("sentences")) for a in articles)
    print(f"{len(articles)} articles, {sentences} sentences, best of {args.repeat}")
    print(f"{'stage':<12}{'seconds':>9}{'articles/s':>12}{'phrases/s':>12}{'found':>8}{'found/s':>10}")
    for name, stage in (("quantities", find_quantities), ("times", find_times), ("figures", find_figures)):
        secs, found = run(stage, articles, args.repeat)
        print(f"{name:<12}{secs:>9.3f}{len(articles) / secs:>12.0f}{sentences / secs:>12.0f}{found:>8}"
              f"{found / secs:>10.0f}")


if __name__ == "__main__":
    main()
