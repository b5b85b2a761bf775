"""How common a word is in Arabic news: the share of news articles whose text holds its stem.

Read from the document-frequency table the deduplication model ships
(`marsad/data/dedup/idf.tsv.gz`: stems, as `marsad.dedup.keys.stems` cuts them, seen in at least
3 of the 38,010 ANT articles of `../shared/data/arabic_news_unlabeled`; see that directory's
MODEL.md for its licence). One table serves both: a stem's rarity weighs shared words there,
and here it tells a word of the language (مساء، صباح: in 5-7% of articles) from a name
(خليل، غراب: under 1%). Unseen stems have share 0.
"""
from __future__ import annotations

import gzip
from functools import lru_cache
from importlib.resources import files


def read_counts(path) -> tuple[dict[str, int], int]:
    """A document-frequency table (`#documents<TAB>N`, then `stem<TAB>df` lines): (df by stem, N)."""
    with gzip.open(str(path), "rt", encoding="utf-8") as f:
        n = int(f.readline().rstrip("\n").split("\t")[1])
        counts = {}
        for line in f:
            word, df = line.rstrip("\n").split("\t")
            counts[word] = int(df)
    return counts, n


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, int], int]:
    return read_counts(files("marsad") / "data" / "dedup" / "idf.tsv.gz")


def doc_share(stem: str) -> float:
    """Share of the news articles that use `stem` (0 for a stem the table has not seen)."""
    counts, n = _table()
    return counts.get(stem, 0) / n
