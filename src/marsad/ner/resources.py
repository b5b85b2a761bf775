"""Feature resources built from ../shared, stored inside the model so the model is what ships.

- Gazetteers: ANERgazet's LOC / ORG / PERS lists, GeoNames Arabic place names (cities
  ≥ 500 people in the MENA extract, plus Arabic country names). Persian, Urdu and
  Kurdish spellings share the Arabic script; names with letters outside the Arabic
  alphabet (پ چ ژ گ ی ک ہ ە ...) are dropped rather than folded into false Arabic.
- Word clusters learned on unlabeled news (the conflict-news articles and negatives
  and the training part of ANERcorp, never its test part): a positive-PMI matrix of
  left/right neighbours, reduced by truncated SVD and cut by k-means at three
  granularities (the coarse ids generalise, the fine ones discriminate, as Brown
  cluster prefixes do). Everything is seeded, so `marsad ner train` rebuilds the
  same clusters from the same files.
- Corpus statistics per word: a frequency bucket and how often its stem carries the
  article ال (personal names almost never do), which tells a name from a noun in a
  language without capital letters.
"""
from __future__ import annotations

import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..text.normalize import norm
from ..text.tokens import TOKEN_RE, analyse

_ARABIC_ONLY = re.compile(r"^[\u0621-\u063a\u0641-\u064a\u064b-\u0652\u0670 ]+$")
CLUSTER_SIZES = (64, 256, 1024)


def shared_paths(shared: Path) -> dict[str, Path]:
    d = shared / "data"
    return {
        "train": d / "anercorp" / "ANERCorp.approxCamelSplit.train.txt",
        "test": d / "anercorp" / "ANERCorp.approxCamelSplit.test.txt",
        "anergazet": d / "anercorp" / "ANERGazet",
        "cities": d / "geonames_mena" / "cities500_mena.tsv",
        "countries": d / "geonames_mena" / "country_names_ar.tsv",
        "news": d / "arabic_conflict_news",
    }


def phrase(name: str) -> tuple[str, ...]:
    return tuple(norm(name).split())


def read_anergazet(folder: Path) -> dict[str, set[tuple[str, ...]]]:
    out = {}
    for kind, fn in (("LOC", "AlignedLocGazetteer.txt"), ("ORG", "AlignedOrgGazetteer.txt"),
                     ("PER", "AlignedPersGazetteer.txt")):
        names = set()
        for line in (folder / fn).read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith(("====", "****")):
                p = phrase(line)
                if p:
                    names.add(p)
        out[kind] = names
    return out


def read_geonames(cities: Path, countries: Path, big: int = 100_000) -> dict[str, set[tuple[str, ...]]]:
    geo, geo_big = set(), set()
    with cities.open(encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        col_ar, col_pop = header.index("arabic_names"), header.index("population")
        for line in f:
            row = line.rstrip("\n").split("\t")
            for name in filter(None, row[col_ar].split("|")):
                if _ARABIC_ONLY.match(name):
                    p = phrase(name)
                    geo.add(p)
                    if int(row[col_pop] or 0) >= big:
                        geo_big.add(p)
    with countries.open(encoding="utf-8") as f:
        next(f)
        for line in f:
            name = line.rstrip("\n").split("\t")[-1]
            if name and _ARABIC_ONLY.match(name):
                geo_big.add(phrase(name))
                geo.add(phrase(name))
    return {"GEO": geo, "GEOBIG": geo_big}


def news_texts(folder: Path) -> Iterator[str]:
    for fn in ("articles.jsonl", "negatives.jsonl"):
        with (folder / fn).open(encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    rec = json.loads(line)
                    yield (rec.get("title") or "") + "\n" + rec["text"]


def unlabeled_sentences_of(text: str) -> Iterator[list[str]]:
    """Normalised token sequences of a text, one per line."""
    for line in norm(text).split("\n"):
        toks = [m.group() for m in TOKEN_RE.finditer(line)]
        if toks:
            yield toks


def unlabeled_sentences(news: Path, train_sentences: Iterable[list[str]]) -> Iterator[list[str]]:
    """Normalised token sequences: one per news line, one per training sentence."""
    for text in news_texts(news):
        yield from unlabeled_sentences_of(text)
    for tokens in train_sentences:
        yield [norm(t) for t in tokens]


def corpus_stats(sentences: list[list[str]]) -> tuple[Counter, dict[str, int], dict[str, int]]:
    """(word counts, frequency bucket per word, article-ratio bucket per stem)."""
    counts = Counter(w for s in sentences for w in s)
    with_al, total = Counter(), Counter()
    for w, c in counts.items():
        cut, stem, _ = analyse(w)
        total[stem] += c
        if cut:
            with_al[stem] += c
    freq = {w: min(int(math.log2(c)), 12) for w, c in counts.items() if c >= 2}
    al = {s: int(4 * with_al[s] / n) for s, n in total.items() if n >= 3}
    return counts, freq, al


def word_clusters(sentences: list[list[str]], counts: Counter, min_count: int = 3, n_context: int = 4000,
                  dim: int = 100, sizes: Iterable[int] = CLUSTER_SIZES, seed: int = 0) -> dict[str, list[int]]:
    """word -> [cluster id at each granularity] from PPMI(left/right neighbours) + SVD + k-means."""
    import numpy as np
    from scipy import sparse
    from scipy.sparse.linalg import svds
    from sklearn.cluster import KMeans

    vocab = sorted((w for w, c in counts.items() if c >= min_count), key=lambda w: (-counts[w], w))
    index = {w: i for i, w in enumerate(vocab)}
    ctx = {w: i for i, w in enumerate(vocab[:n_context])}
    rows, cols = [], []
    for s in sentences:
        ids = [index.get(w, -1) for w in s]
        cids = [ctx.get(w, -1) for w in s]
        for i, wi in enumerate(ids):
            if wi < 0:
                continue
            for off, slot in ((-1, 0), (1, 1), (-2, 2), (2, 3)):
                j = i + off
                if 0 <= j < len(s) and cids[j] >= 0:
                    rows.append(wi)
                    cols.append(slot * n_context + cids[j])
    m = sparse.coo_matrix((np.ones(len(rows), dtype=np.float64), (rows, cols)),
                          shape=(len(vocab), 4 * n_context)).tocsr()
    m.sum_duplicates()
    total = m.sum()
    row = np.asarray(m.sum(axis=1)).ravel()
    col = np.asarray(m.sum(axis=0)).ravel() ** 0.75      # context smoothing (Levy et al. 2015)
    col = col / col.sum()
    m = m.tocoo()
    pmi = np.log(m.data * 1.0 / (row[m.row] / total) / col[m.col] / total)
    keep = pmi > 0
    ppmi = sparse.csr_matrix((pmi[keep], (m.row[keep], m.col[keep])), shape=m.shape)
    rng = np.random.default_rng(seed)
    dim = min(dim, min(ppmi.shape) - 1)
    u, s, _ = svds(ppmi, k=dim, v0=rng.standard_normal(min(ppmi.shape)))
    vec = u * np.sqrt(s)
    vec /= np.linalg.norm(vec, axis=1, keepdims=True) + 1e-9
    out: dict[str, list[int]] = {w: [] for w in vocab}
    for k in sizes:
        labels = KMeans(n_clusters=k, n_init=1, max_iter=60, random_state=seed).fit_predict(vec)
        for w, c in zip(vocab, labels):
            out[w].append(int(c))
    return out
