"""Sparse logistic regression for the learners: trained with scikit-learn, applied in plain Python.

An example's features are a list of strings (present = 1). Training (`fit_binary`,
`fit_classes`) needs scikit-learn (the `train` extra); the model is a JSON dict of feature
weights, and scoring it (`LinearModel`) is a dictionary lookup per feature, so the pipeline
needs neither scikit-learn nor numpy at run time. Features seen fewer than `min_count` times in
training are dropped, and weights are rounded, to keep the shipped JSON small.
"""
from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence


def _vocab(rows: Sequence[Iterable[str]], min_count: int) -> dict[str, int]:
    counts = Counter(f for row in rows for f in set(row))
    return {f: i for i, f in enumerate(sorted(f for f, n in counts.items() if n >= min_count))}


def _matrix(rows, vocab):
    from scipy.sparse import csr_matrix
    data, indices, indptr = [], [], [0]
    for row in rows:
        cols = sorted({vocab[f] for f in row if f in vocab})
        indices.extend(cols)
        data.extend([1.0] * len(cols))
        indptr.append(len(indices))
    return csr_matrix((data, indices, indptr), shape=(len(rows), max(1, len(vocab))))


def fit_binary(rows: Sequence[Iterable[str]], labels: Sequence[bool], C: float = 1.0,
               min_count: int = 2, class_weight=None) -> dict:
    """{"bias": b, "weights": {feature: w}}: P(yes) = sigmoid(b + sum of the present features' w)."""
    rows = [list(r) for r in rows]
    if len(set(labels)) < 2:
        p = (sum(labels) + 0.5) / (len(labels) + 1.0)
        return {"bias": round(math.log(p / (1 - p)), 4), "weights": {}}
    from sklearn.linear_model import LogisticRegression
    vocab = _vocab(rows, min_count)
    m = LogisticRegression(C=C, max_iter=5000, class_weight=class_weight).fit(_matrix(rows, vocab),
                                                                              [bool(y) for y in labels])
    coef = m.coef_[0]
    return {"bias": round(float(m.intercept_[0]), 4),
            "weights": {f: round(float(coef[i]), 4) for f, i in vocab.items() if abs(coef[i]) >= 1e-4}}


def fit_classes(rows: Sequence[Iterable[str]], labels: Sequence[str], C: float = 1.0, min_count: int = 2) -> dict:
    """{"classes": [...], "bias": [...], "weights": {feature: [w per class]}}: softmax over classes."""
    rows = [list(r) for r in rows]
    classes = sorted(set(labels))
    if len(classes) < 2:
        return {"classes": classes, "bias": [0.0] * len(classes), "weights": {}}
    from sklearn.linear_model import LogisticRegression
    vocab = _vocab(rows, min_count)
    m = LogisticRegression(C=C, max_iter=5000).fit(_matrix(rows, vocab), list(labels))
    order = [list(m.classes_).index(c) for c in classes]
    weights = {}
    for f, i in vocab.items():
        ws = [round(float(m.coef_[k][i]), 4) for k in order]
        if any(abs(w) >= 1e-4 for w in ws):
            weights[f] = ws
    return {"classes": classes, "bias": [round(float(m.intercept_[k]), 4) for k in order], "weights": weights}


class LinearModel:
    """A fitted binary or multi-class model, scored in plain Python."""

    def __init__(self, raw: Mapping):
        self.classes = list(raw.get("classes") or [])
        self.bias = raw.get("bias", 0.0)
        self.weights = dict(raw.get("weights") or {})

    def probability(self, features: Iterable[str]) -> float:
        """P(yes) of a binary model."""
        z = self.bias + sum(self.weights.get(f, 0.0) for f in set(features))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def scores(self, features: Iterable[str]) -> dict[str, float]:
        """Class -> probability of a multi-class model."""
        z = list(self.bias)
        for f in set(features):
            ws = self.weights.get(f)
            if ws:
                for k, w in enumerate(ws):
                    z[k] += w
        top = max(z) if z else 0.0
        ex = [math.exp(v - top) for v in z]
        total = sum(ex) or 1.0
        return {c: e / total for c, e in zip(self.classes, ex)}

    def best(self, features: Iterable[str]) -> tuple[str, float]:
        s = self.scores(features)
        c = max(s, key=s.get)
        return c, s[c]
