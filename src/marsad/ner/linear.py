"""Tagging with a trained crfsuite model without crfsuite's per-string interface.

python-crfsuite takes every token as a list of attribute strings and looks each one up
in the model's dictionary: about 80 strings a token, and most of the ner stage's time.
A linear-chain CRF scores a label at a token as the sum of the weights of that token's
attributes, so the sum can be done once per word type instead of once per occurrence:
a word's own attributes give one vector of label scores, its attributes as seen from a
neighbour two positions away another, and a sentence's score matrix is a handful of
shifted additions. Viterbi and forward-backward then run in numpy, every sentence of a
document in one batch. crfsuite has no vectorised tagger and no library decodes a CRF
from crfsuite weights, hence this module; `tests/test_ner_linear.py` checks that it gives
crfsuite's own tags and marginals.

The weights are read from the `.crfsuite` file itself through `Tagger.info()` (CRF1d:
state features attribute × label, transitions label × label, no start or end weights),
so the model folder keeps one source of truth.
"""
from __future__ import annotations

from itertools import repeat

import numpy as np

from .features import MAX_CACHE, Featurizer


class LinearCRF:
    """Label scores, best paths and marginals for sentences of surface tokens."""

    def __init__(self, tagger, featurizer: Featurizer):
        info = tagger.info()
        self.labels = [lab for lab, _ in sorted(info.labels.items(), key=lambda kv: int(kv[1]))]
        index = {lab: i for i, lab in enumerate(self.labels)}
        L = len(self.labels)
        rows: dict[str, int] = {}
        cells = []
        for (attr, label), w in info.state_features.items():
            cells.append((rows.setdefault(attr, len(rows)), index[label], w))
        W = np.zeros((len(rows) + 1, L))           # the last row stays zero: "no known attribute"
        for r, c, w in cells:
            W[r, c] += w
        self.W, self.rows, self.none = W, rows, len(rows)
        self.bigrams: dict[str, dict[tuple[str, str], np.ndarray]] = {"bi-": {}, "bi+": {}}
        for attr, r in rows.items():
            head, eq, pair = attr.partition("=")
            if eq and head in self.bigrams:
                a, bar, b = pair.partition("|")
                if bar:
                    self.bigrams[head][(a, b)] = W[r]
        # "-1:w=X", "2:s=Y": a neighbour's feature, found by its base name for every offset at once
        slots = {str(o): k for k, o in enumerate(featurizer.offsets())}
        self.context_rows: dict[str, list[int]] = {}
        for attr, r in rows.items():
            head, colon, base = attr.partition(":")
            if colon and head in slots:
                self.context_rows.setdefault(base, [len(rows)] * len(slots))[slots[head]] = r
        self.trans = np.zeros((L, L))
        for (a, b), w in info.transitions.items():
            self.trans[index[a], index[b]] += w
        self.exp_trans = np.exp(self.trans)
        self.featurizer = featurizer
        self.zero = np.zeros(L)
        self.offsets = featurizer.offsets()
        self._pad = [self._sum([f"{o}:pad"]) for o in self.offsets]
        self._marks: dict[tuple[str, ...], np.ndarray] = {}
        self._reset()

    def _reset(self) -> None:
        # Per word type, by id: its own label scores and its scores as each neighbour offset
        # sees it (one row of `_vecs`), its stem (for the stem bigrams) and whether a
        # gazetteer phrase may start with it.
        self._ids: dict[str, int] = {}
        self._vecs = np.zeros((4096, 1 + len(self.offsets), len(self.labels)))
        self._stems: list[str] = []
        self._opens: list[bool] = []
        self._marks.clear()

    def __getstate__(self):
        raise TypeError("LinearCRF is rebuilt from its model folder in each process; pickle the tagger's path")

    def _sum(self, features) -> np.ndarray:
        ids = [r for r in map(self.rows.get, features) if r is not None]
        return self.W[ids].sum(0) if ids else self.zero

    def _learn(self, tokens) -> None:
        """Vectors for the word types not seen before: every feature row of every new word
        gathered in one index, summed per (word, offset) segment with one `reduceat`."""
        known = self._ids
        new = list(dict.fromkeys(t for t in tokens if t not in known))
        if not new:
            return
        fz = self.featurizer
        ids, starts = [], []
        get, none = self.rows.get, repeat(self.none)     # an attribute the model lacks reads the zero row
        zero, K = self.none, len(self.offsets)
        ctx_get, absent = self.context_rows.get, [zero] * K
        for token in new:
            own, ctx = fz.word_parts(token)
            starts.append(len(ids))
            ids.extend(map(get, own, none))
            ids.append(zero)                         # keeps every segment non-empty
            per_offset = list(zip(*[ctx_get(x, absent) for x in ctx])) if ctx else [()] * K
            for rows in per_offset:
                starts.append(len(ids))
                ids.extend(rows)
                ids.append(zero)
            self._stems.append(fz.analysis(token)[1])
            self._opens.append(fz.phrase_start(token) > 0)
        sums = np.add.reduceat(self.W[ids], starts, axis=0).reshape(len(new), *self._vecs.shape[1:])
        first = len(known)
        if first + len(new) > len(self._vecs):
            grown = np.zeros((2 * (first + len(new)), *self._vecs.shape[1:]))
            grown[:first] = self._vecs[:first]
            self._vecs = grown
        self._vecs[first:first + len(new)] = sums
        for k, token in enumerate(new, first):
            known[token] = k

    def emissions(self, sentences: list[list[str]]) -> np.ndarray:
        """(tokens × labels) sums of state-feature weights, what crfsuite adds up per position,
        for the non-empty sentences given, one after another."""
        fz = self.featurizer
        if fz.trim() or len(self._ids) > MAX_CACHE or len(self._marks) > MAX_CACHE:
            self._reset()
        flat = [t for s in sentences for t in s]
        self._learn(flat)
        n = len(flat)
        lengths = [len(s) for s in sentences]
        pos = np.arange(n) - np.repeat(np.cumsum(lengths) - lengths, lengths)    # index within its sentence
        left = np.repeat(lengths, lengths) - pos - 1
        known = self._ids
        ids = [known[t] for t in flat]
        V = self._vecs[ids]
        E = V[:, 0].copy()
        for k, (o, pad) in enumerate(zip(self.offsets, self._pad), 1):
            d = abs(o)
            shifted = np.empty_like(E)
            if o < 0:
                shifted[d:] = V[:n - d, k]
                inside = pos >= d            # the neighbour d places back is in the same sentence
            else:
                shifted[:n - d] = V[d:, k]
                inside = left >= d
            E += np.where(inside[:, None], shifted, pad)
        opens = self._opens
        rows, vecs = [], []
        at = 0
        for s in sentences:
            candidates = [k for k, i in enumerate(ids[at:at + len(s)]) if opens[i]]
            for i, length, names in fz.phrase_hits(s, candidates) if candidates else ():
                for j in range(i, i + length):
                    key = (j == i, tuple(names))
                    vec = self._marks.get(key)
                    if vec is None:
                        marks = [("G=B-" if j == i else "G=I-") + name for name in names]
                        vec = self._marks[key] = self._sum(marks)
                    rows.append(at + j)
                    vecs.append(vec)
            at += len(s)
        if rows:
            E[rows] += vecs
        stems = [self._stems[i] for i in ids]
        before, after = self.bigrams["bi-"], self.bigrams["bi+"]
        firsts = set(np.cumsum(lengths[:-1]).tolist())          # no bigram across a sentence break
        for table, shift in ((before, 0), (after, -1)):
            rows, vecs = [], []
            for i, pair in enumerate(zip(stems, stems[1:]), 1):
                vec = table.get(pair)
                if vec is not None and i not in firsts:
                    rows.append(i + shift)
                    vecs.append(vec)
            if rows:
                E[rows] += vecs
        return E

    def tag_many(self, sentences: list[list[str]]) -> list[tuple[list[str], list[float]]]:
        """Best tags and each tag's marginal probability, for every sentence at once."""
        out: list = [([], [])] * len(sentences)
        todo = [i for i, s in enumerate(sentences) if s]
        if not todo:
            return out
        batch = [sentences[i] for i in todo]
        lengths = np.array([len(s) for s in batch])
        B, T, L = len(batch), int(lengths.max()), len(self.labels)
        which = np.repeat(np.arange(B), lengths)
        pos = np.concatenate([np.arange(n) for n in lengths])
        E = np.zeros((B, T, L))
        E[which, pos] = self.emissions(batch)
        paths = viterbi(E, lengths, self.trans)
        probs = marginals(E, lengths, self.exp_trans)
        best = paths[which, pos]
        chosen = probs[which, pos, best].tolist()
        names = [self.labels[k] for k in best.tolist()]
        at = 0
        for i, n in zip(todo, lengths.tolist()):
            out[i] = (names[at:at + n], chosen[at:at + n])
            at += n
        return out


def _ends(lengths: np.ndarray) -> dict[int, np.ndarray]:
    """Sentence indices by the position of their last token."""
    ends = lengths - 1
    order = np.argsort(ends, kind="stable")
    cuts = np.flatnonzero(np.diff(ends[order])) + 1
    return {int(ends[g[0]]): g for g in np.split(order, cuts)}


def viterbi(E: np.ndarray, lengths: np.ndarray, trans: np.ndarray) -> np.ndarray:
    """Best label sequence per sentence; E is (batch, time, labels), padded past each length
    (padding is decoded too, and ignored: each path is read back from its own last token)."""
    B, T, L = E.shape
    ends = _ends(lengths)
    back = np.empty((B, T, L), dtype=np.intp)
    final = np.empty(B, dtype=np.intp)
    score = E[:, 0].copy()
    if 0 in ends:
        final[ends[0]] = score[ends[0]].argmax(1)
    batch, labels = np.arange(B)[:, None], np.arange(L)[None, :]
    for t in range(1, T):
        cand = score[:, :, None] + trans                      # previous label × next label
        best = back[:, t] = cand.argmax(1)
        score = cand[batch, best, labels]                     # the max, read at the argmax (cheaper)
        score += E[:, t]
        done = ends.get(t)
        if done is not None:
            final[done] = score[done].argmax(1)
    rows = np.arange(B)
    paths = np.zeros((B, T), dtype=np.intp)
    last = final.copy()
    for t in range(T - 1, -1, -1):
        done = ends.get(t)
        if done is not None:
            last[done] = final[done]
        paths[:, t] = last
        if t:
            last = back[rows, t, last]
    return paths


_RESCALE = 4      # steps between renormalisations: transitions scale mass by e^-11.1..e^5.3 per step


def marginals(E: np.ndarray, lengths: np.ndarray, exp_trans: np.ndarray) -> np.ndarray:
    """P(label at t | sentence), by scaled forward-backward (renormalised every few steps;
    a per-position scale cancels out). The backward pass runs over each sentence reversed,
    so that its padding comes last too, and both passes run in the same steps, stacked:
    P(t) is proportional to the forward mass arriving at t before t's own emission times the
    backward mass arriving at t after it."""
    B, T, L = E.shape
    G = np.exp(E - E.max(2, keepdims=True))
    rows = np.arange(B)[:, None]
    rev = np.clip(lengths[:, None] - 1 - np.arange(T), 0, None)     # reversed index; padding -> 0
    H = np.stack([G, G[rows, rev]])                                  # (2, B, T, L)
    M = np.stack([exp_trans, exp_trans.T])
    before = np.empty_like(H)
    after = np.empty_like(H)
    before[:, :, 0] = 1.0
    x = after[:, :, 0] = H[:, :, 0]
    for t in range(1, T):
        x = np.matmul(x, M)
        before[:, :, t] = x
        x *= H[:, :, t]
        if not t % _RESCALE:
            x /= x.sum(2, keepdims=True)
        after[:, :, t] = x
    p = before[0] * after[1][rows, rev]         # back in reading order (padding: garbage, unused)
    return p / p.sum(2, keepdims=True)
