"""The `figure` learner: is this number a figure about people, and which metric.

The rules of `figures.py` read every number of the article (`figures.candidates`); a logistic
regression then scores each one from the words around it, its sentence, and the rules' own
answers (kept or not, their metric, the counted noun, a repeat of an earlier figure). A rule
figure is dropped only when the model is sure it is none (< DROP); a number the rules left out
is added when the model is sure it is one (>= RESCUE). A second, multi-class regression picks
the metric where the rules read none from the words (an "other" they chose, such as an
infection count, stands): on the gold folds the rules' metric,
where they give one, is right more often than the learned one (0.84 against 0.82 of the figures
the rules find). Both are trained on the gold figures (`marsad train`,
cross-validated by `marsad eval --folds`) and scored in plain Python (`learn.linear`). Without a
trained model the stage keeps the rules' figures.

Labels: a gold figure marks the number whose value it has inside its evidence (the first place
the evidence is written where such a number is); every other number is a negative example.
"""
from __future__ import annotations

import math
from datetime import timedelta

from ..article import Article
from ..learn import model
from ..learn.linear import LinearModel, fit_binary, fit_classes

NAME = "figure"
# The rules' figures stand unless the model gives them less than DROP; a number the rules left out
# becomes a figure when the model gives it RESCUE or more (chosen on the folds: the rules are
# precise, the model mostly adds what they miss).
RESCUE = 0.7
DROP = 0.15
_WINDOW = 4          # words each side read one by one
_BAG = 10            # words each side read as a bag
_SENTENCE = 80       # words of the sentence read as a bag
_LONG_AGO = 60       # days: a period that starts this long before publication


def _word(tok) -> str:
    if tok.kind == "number":
        return "<n>"
    return tok.stem or tok.norm


def _sentence_features(ctx, c) -> list[str]:
    """What the sentence says around its numbers: its words, and whether it counts over a period
    ('منذ عام 2013', 'خلال 30 يوماً') - a war's toll rather than the day's dead."""
    f = ["s:" + t.stem for t in c.toks[:_SENTENCE] if t.kind == "word"]
    for t in ctx._times.inside(c.sentence.start, c.sentence.end):
        f.append("t:" + t.kind)
        if t.start and ctx.pub is not None and t.start <= (ctx.pub - timedelta(days=_LONG_AGO)).isoformat():
            f.append("t:long")
    return f


def features(c, earlier_values: dict[int, set[str]], ctx=None, previous=None) -> list[str]:
    """The features of one candidate (figures.Candidate); `earlier_values`: value -> the rule
    metrics of the earlier candidates with that value; `previous`: the candidate before it in
    its sentence."""
    q, toks, first, last = c.quantity, c.toks, c.first, c.last
    f = ["bias"]
    if ctx is not None:
        f += _sentence_features(ctx, c)
    if previous is not None:
        f.append("prev:m=" + (previous.found.metric if previous.found is not None else "none"))
    found = c.found
    if found is None:
        f.append("r:none")
    else:
        f.append("r:keep" if c.rule_keep else "r:dup")
        f.append(f"r:m={found.metric}")
        f.append(f"r:pop={found.population}")
        if found.noun_metric:
            f.append(f"r:nm={found.noun_metric}")
        if found.cue:
            f.append("r:cue")
    mag = min(7, int(math.log10(q.value))) if q.value > 0 else -1
    metric = found.metric if found is not None else "none"
    f += [f"q:mag={mag}", f"q:qual={q.qualifier}", f"m&mag={metric}&{mag}",
          "q:kind=" + toks[first].kind, f"q:len={min(3, last - first + 1)}"]
    if q.vague:
        f.append("q:vague")
    if q.value_max is not None:
        f.append("q:range")
    if 1900 <= q.value <= 2100:
        f.append("q:yearlike")
    for d in range(1, _WINDOW + 1):
        if first - d >= 0:
            f.append(f"p{d}={_word(toks[first - d])}")
        if last + d < len(toks):
            f.append(f"n{d}={_word(toks[last + d])}")
    if first > 0:
        f.append("p1n=" + toks[first - 1].norm)
    if last + 1 < len(toks):
        f.append("n1n=" + toks[last + 1].norm)
    for t in toks[max(0, first - _BAG):first]:
        if t.kind == "word":
            f.append("b:" + t.stem)
    for t in toks[last + 1:last + 1 + _BAG]:
        if t.kind == "word":
            f.append("a:" + t.stem)
    prior = earlier_values.get(q.value)
    if prior:
        f.append("rep:value")
        if metric in prior:
            f.append("rep:metric")
    if c.source:
        f.append("src")
    return f


def _all_features(ctx, cands) -> list[list[str]]:
    earlier: dict[int, set[str]] = {}
    out, sentence_feats, prev = [], None, None
    for c in cands:
        if prev is None or prev.sentence != c.sentence:
            sentence_feats, prev = _sentence_features(ctx, c), None
        out.append(features(c, earlier, previous=prev) + sentence_feats)
        prev = c
        earlier.setdefault(c.quantity.value, set()).add(c.found.metric if c.found is not None else "none")
    return out


class Compiled:
    def __init__(self, raw):
        self.keep = LinearModel(raw["keep"])
        self.metric = LinearModel(raw["metric"])
        self.rescue = raw.get("rescue", RESCUE)
        self.drop = raw.get("drop", DROP)


def decide(ctx, cands) -> list[tuple]:
    """(candidate, metric) for each number that is a figure: the model's call, else the rules'."""
    m = model(NAME)
    if m is None:
        return [(c, c.found.metric) for c in cands if c.rule_keep]
    if not isinstance(m, Compiled):
        m = Compiled(m)                  # a raw model (the learner not registered in LEARNERS)
    out = []
    for c, feats in zip(cands, _all_features(ctx, cands)):
        p = m.keep.probability(feats)
        if (c.rule_keep and p >= m.drop) or (not c.rule_keep and p >= m.rescue):
            f = c.found
            ruled = f.metric if f is not None and (f.metric != "other" or f.cue) else None
            out.append((c, ruled if ruled is not None else m.metric.best(feats)[0]))
    return out


def _gold_evidence(g: dict, text: str) -> list[tuple[int, int]]:
    ev = g.get("evidence")
    if isinstance(ev, dict):
        if "start" in ev and "end" in ev:
            return [(ev["start"], ev["end"])]
        ev = ev.get("text")
    if not ev:
        return []
    spans, i = [], text.find(ev)
    while i >= 0:
        spans.append((i, i + len(ev)))
        i = text.find(ev, i + 1)
    return spans


def label(article: Article, cands, gold: dict) -> list[str | None]:
    """The gold metric of each candidate (None: not a figure)."""
    labels: list[str | None] = [None] * len(cands)
    for g in gold.get("figures") or []:
        try:
            value = int(g.get("value"))
        except (TypeError, ValueError):
            continue
        for start, end in _gold_evidence(g, article.text):
            hit = next((i for i, c in enumerate(cands) if labels[i] is None and c.quantity.value == value
                        and start <= c.quantity.span.start and c.quantity.span.end <= end), None)
            if hit is not None:
                labels[hit] = g.get("metric") or "other"
                break
    return labels


class FigureLearner:
    name = NAME
    stage = "figures"

    def examples(self, article: Article, gold: dict) -> list[tuple[list[str], str | None]]:
        from .figures import _Context, candidates
        ctx = _Context(article)
        cands = candidates(ctx)
        return list(zip(_all_features(ctx, cands), label(article, cands, gold)))

    def fit(self, examples) -> dict:
        rows = [f for f, _ in examples]
        keep = fit_binary(rows, [y is not None for _, y in examples], C=0.5)
        pos = [(f, y) for f, y in examples if y is not None]
        metric = fit_classes([f for f, _ in pos], [y for _, y in pos], C=1.0)
        return {"keep": keep, "metric": metric, "rescue": RESCUE, "drop": DROP,
                "examples": len(examples), "figures": len(pos)}

    def compile(self, raw) -> Compiled:
        return Compiled(raw)


LEARNER = FigureLearner()
