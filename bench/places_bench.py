"""Places benchmark: gazetteer load time and mentions resolved per second.

    MARSAD_DATA=/tmp/marsad-data marsad places build --geonames ../shared/data/geonames_mena --wof ../shared/data/gazetteer_wof_mena
    MARSAD_DATA=/tmp/marsad-data python bench/places_bench.py [N_ARTICLES]

Load: `Gazetteer.load` of the index (the pickle plus the memory-mapped arrays), best of 5. Throughput: the places stage alone
over the first N corpus articles (default 500), after boilerplate/sentences/tokens.
"""
from __future__ import annotations

import json
import statistics
import sys
import time
from pathlib import Path

from marsad.article import Article
from marsad.places import gazetteer
from marsad.places.resolve import geocode
from marsad.text.boilerplate import mark_boilerplate
from marsad.text.sentences import split_sentences
from marsad.text.tokens import tokenize

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "arabic_conflict_news" / "articles.jsonl"


def _arrays_mb(path: Path) -> float:
    from marsad.places.build import ARRAYS_SUFFIX
    arrays = Path(str(path) + ARRAYS_SUFFIX)
    return arrays.stat().st_size / 1e6 if arrays.exists() else 0.0


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    path = gazetteer.index_path()
    if not path.exists():
        sys.exit(f"no gazetteer at {path}: run `marsad places build --geonames ../shared/data/geonames_mena`")
    loads = []
    for _ in range(5):
        t0 = time.perf_counter()
        g = gazetteer.Gazetteer.load(path)
        loads.append(time.perf_counter() - t0)
    gazetteer.get()
    articles = []
    with CORPUS.open(encoding="utf-8") as f:
        for line in f:
            if len(articles) == n:
                break
            a = json.loads(line)
            art = Article(a["text"], id=a["id"])
            for s in (mark_boilerplate, split_sentences, tokenize):
                art.layers.update(s(art))
            articles.append(art)
    mentions = resolved = 0
    t0 = time.perf_counter()
    for art in articles:
        places = geocode(art)["places"]
        mentions += len(places)
        resolved += sum(1 for p in places if p.lat is not None)
    dt = time.perf_counter() - t0
    chars = sum(len(a.text) for a in articles)
    rows = [
        ("index files", f"{path.stat().st_size / 1e6:.1f} MB + {_arrays_mb(path):.1f} MB arrays, {len(g)} places, "
                        f"{len(g.names)} Arabic keys"),
        ("gazetteer load (best of 5)", f"{1000 * min(loads):.1f} ms (median {1000 * statistics.median(loads):.1f} ms)"),
        ("articles", f"{len(articles)} ({chars / 1e6:.2f} M chars)"),
        ("place mentions / resolved", f"{mentions} / {resolved}"),
        ("places stage time", f"{dt:.2f} s  ({len(articles) / dt:.0f} articles/s)"),
        ("mentions per second", f"{mentions / dt:.0f}  (resolved: {resolved / dt:.0f}/s)"),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k:<{width}}  {v}")


if __name__ == "__main__":
    main()
