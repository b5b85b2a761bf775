"""Word vectors for the neural tagger: fastText skipgram trained here on unlabeled Arabic text.

The text is everything unlabeled in ../shared: the conflict-news articles and
negatives, the words of ANERcorp's training part (never its test part) and the
surface words of UD Arabic PADT, all folded by `marsad.text.norm`. fastText builds a
word's vector from its character n-grams as well, so a name never seen in that text
still gets a vector near names that share its letters; the tagger keeps that ability
at run time without fastText (`SubwordVectors`): the model folder stores the vectors
of the known words and the n-gram table, and an unknown word's vector is the mean of
its n-gram rows, hashed exactly as fastText hashes them (FNV-1a over UTF-8 bytes).
"""
from __future__ import annotations

import lzma
import os
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..text.normalize import norm
from .resources import news_texts, unlabeled_sentences_of

MINN, MAXN = 2, 4


def padt_sentences(folder: Path) -> Iterator[list[str]]:
    """Surface words of UD PADT (a multi-word token's surface form, not its syntactic parts)."""
    for fn in sorted(folder.glob("*.conllu.xz")):
        with lzma.open(fn, "rt", encoding="utf-8") as f:
            words, skip_to = [], 0
            for line in f:
                line = line.rstrip("\n")
                if not line:
                    if words:
                        yield [norm(w) for w in words]
                    words, skip_to = [], 0
                    continue
                if line.startswith("#"):
                    continue
                cols = line.split("\t")
                if "-" in cols[0]:
                    a, b = cols[0].split("-")
                    words.append(cols[1])
                    skip_to = int(b)
                elif "." not in cols[0] and int(cols[0]) > skip_to:
                    words.append(cols[1])
            if words:
                yield [norm(w) for w in words]


def unlabeled_text(shared: Path, train_tokens: list[list[str]]) -> Iterator[list[str]]:
    d = Path(shared) / "data"
    for text in news_texts(d / "arabic_conflict_news"):
        yield from unlabeled_sentences_of(text)
    for tokens in train_tokens:
        yield [norm(t) for t in tokens]
    if (d / "ud_arabic_padt").exists():
        yield from padt_sentences(d / "ud_arabic_padt")


def train_fasttext(sentences, dim: int = 100, epoch: int = 10, bucket: int = 100_000, threads: int = 1,
                   min_count: int = 1, sample: float = 1e-4):
    """A fastText skipgram model. One thread: Hogwild updates are not reproducible otherwise.

    `sample` is fastText's subsampling threshold; on a text of a few thousand words the default
    drops nearly every word, and fastText then fails with "Encountered NaN" (a loss averaged over
    no examples): pass 1.0 there."""
    import fasttext

    with tempfile.NamedTemporaryFile("w", encoding="utf-8", suffix=".txt", delete=False) as f:
        for s in sentences:
            f.write(" ".join(s) + "\n")
        tmp = f.name
    try:
        for attempt in range(3):
            try:
                ft = fasttext.train_unsupervised(tmp, model="skipgram", dim=dim, epoch=epoch, minCount=min_count,
                                                 minn=MINN, maxn=MAXN, bucket=bucket, thread=threads, t=sample,
                                                 verbose=0)
                m = ft.get_input_matrix()
                # skipgram vectors stay within a few units; NaN or 1e30 is memory fastText never wrote
                if np.isfinite(m).all() and np.abs(m).max(initial=0.0) < 1e3:
                    return ft
                error = "fastText's vectors hold NaN or values no training gives"
            except RuntimeError as e:
                # "Encountered NaN": seen only on texts of a few thousand words (tests), about one run
                # in ten; a rerun passes
                if "NaN" not in str(e):
                    raise
                error = str(e)
        raise RuntimeError(f"fastText training failed three times: {error}")
    finally:
        os.unlink(tmp)


def quantize(m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and a float16 scale per row: a quarter of float32's size, error under 1 %."""
    scale = np.abs(m).max(axis=1, initial=0.0) / 127.0
    scale = np.where(scale > 0, scale, 1.0).astype(np.float16)
    return np.round(m / scale.astype(np.float32)[:, None]).clip(-127, 127).astype(np.int8), scale


def dequantize(q: np.ndarray, scale: np.ndarray) -> np.ndarray:
    return q.astype(np.float32) * scale.astype(np.float32)[:, None]


def export(ft, words: list[str]) -> dict[str, np.ndarray]:
    """Quantized arrays for `SubwordVectors`: the full vectors of `words` and fastText's n-gram table."""
    inp = ft.get_input_matrix()
    nwords = len(ft.get_words())
    vec = np.stack([ft.get_word_vector(w) for w in words]).astype(np.float32) if words else \
        np.zeros((0, inp.shape[1]), np.float32)
    return export_arrays(vec, inp[nwords:])


def export_arrays(vectors: np.ndarray, ngrams: np.ndarray) -> dict[str, np.ndarray]:
    vq, vs = quantize(np.asarray(vectors, np.float32))
    nq, ns = quantize(np.asarray(ngrams, np.float32))
    return {"ft_vectors_q": vq, "ft_vectors_s": vs, "ft_ngrams_q": nq, "ft_ngrams_s": ns}


def _fnv1a(data: bytes) -> int:
    h = 2166136261
    for b in data:
        # fastText xors the byte as a *signed* char widened to 32 bits
        h = ((h ^ (b if b < 128 else b | 0xFFFFFF00)) * 16777619) & 0xFFFFFFFF
    return h


@lru_cache(maxsize=1 << 18)
def _hash(gram: str) -> int:
    return _fnv1a(gram.encode("utf-8"))       # n-grams recur across words: hash each once


def ngram_ids(word: str, bucket: int, minn: int = MINN, maxn: int = MAXN) -> list[int]:
    """Row numbers in the n-gram table of the character n-grams of <word>, as fastText computes them."""
    w = "<" + word + ">"
    out = []
    for i in range(len(w)):
        for n in range(minn, maxn + 1):
            if i + n > len(w):
                break
            if n == 1 and (i == 0 or i + n == len(w)):
                continue
            out.append(_hash(w[i:i + n]) % bucket)
    return out


class SubwordVectors:
    """word -> vector with no fastText at run time (see the module docstring), from `export`'s arrays."""

    def __init__(self, words: list[str], arrays: dict[str, np.ndarray]):
        self.index = {w: i for i, w in enumerate(words)}
        self.vectors = dequantize(arrays["ft_vectors_q"], arrays["ft_vectors_s"])
        self.ngram_q, self.ngram_s = arrays["ft_ngrams_q"], arrays["ft_ngrams_s"].astype(np.float32)
        self.dim = self.vectors.shape[1]

    def __call__(self, word: str) -> np.ndarray:
        i = self.index.get(word)
        if i is not None:
            return self.vectors[i]
        ids = ngram_ids(word, len(self.ngram_q))
        if not ids:
            return np.zeros(self.dim, np.float32)
        return (self.ngram_q[ids].astype(np.float32) * self.ngram_s[ids, None]).mean(axis=0)
