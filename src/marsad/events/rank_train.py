"""The learners of `rank.py`: `event_places` (location), `event_roles` (actor1, actor2) and
`event_counts` (fatalities). `event_places` pairs events by type and date only (see its class).

Examples: the article goes through the events stage with the models trained so far; every
event it yields is paired with a gold event the way the project's scorer pairs them (same
event type, dates at most 2 days apart, places within 50 km or of the same name, closest
first); each paired event gives one group of candidates per field, labelled by the gold value
(no actor / no count where the gold leaves it empty). Groups whose gold value is not among the
candidates teach nothing and are left out. Fit: scikit-learn's logistic regression (L2) over
the candidates of all groups; the model is its weights by feature name.
"""
from __future__ import annotations

import math

from ..text import norm
from . import rank

EVENT_KM, DATE_DAYS = 50.0, 2
L2 = 1.0
C = 0.5
C_COUNTS = 1.0
C_PLACES = 0.3              # best of 0.1 / 0.3 / 1 / 3 for the place (out-of-fold ranking accuracy)
METHOD = "lr"


def _gold_key(a) -> str | None:
    if isinstance(a, dict):
        a = a.get("id")
    if isinstance(a, str) and a.startswith("other:"):
        return "other:" + " ".join(a[6:].lower().split())
    return a or None


def _days(a: str | None, b: str | None) -> int | None:
    from datetime import date
    try:
        da = date.fromisoformat(str(a)[:10]) if a else None
        db = date.fromisoformat(str(b)[:10]) if b else None
    except ValueError:
        return None
    if da is None and db is None:
        return 0
    if da is None or db is None:
        return None
    return abs((da - db).days)


def _km(g: dict, p) -> float | None:
    try:
        la1, lo1 = math.radians(float(g["lat"])), math.radians(float(g["lon"]))
        la2, lo2 = math.radians(float(p.lat)), math.radians(float(p.lon))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _name(s: str | None) -> str:
    words = []
    for w in norm(s or "").split():
        words.append(w[2:] if len(w) > 3 and w.startswith("ال") else w)
    return " ".join(words)


def _compatible(g: dict, e) -> float | None:
    """The scorer's closeness of a gold and a system event, None when they cannot pair."""
    if g.get("event_type") != e.event_type:
        return None
    gap = _days(g.get("date"), e.date)
    if gap is None or gap > DATE_DAYS:
        return None
    gl, p = g.get("location") or {}, e.location
    if not _same_place(gl, p):
        return None
    return gap * 100 + (_km(gl, p) or 0.0)


def paired(article, gold: dict) -> list[tuple[dict, dict]]:
    """(recorded candidate groups, gold event) for each event of the article the scorer would pair."""
    from .stage import extract_events
    with rank.recording() as rec:
        events = extract_events.func(article)
    if len(rec) != len(events):
        return []
    gev = gold.get("events") or []
    pairs = sorted((c, i, j) for i, g in enumerate(gev) for j, e in enumerate(events)
                   if (c := _compatible(g, e)) is not None)
    used_g, used_s, out = set(), set(), []
    for _, i, j in pairs:
        if i not in used_g and j not in used_s:
            used_g.add(i)
            used_s.add(j)
            out.append((rec[j], gev[i]))
    return out


def _fit(groups: list[list[tuple[dict, bool]]]) -> dict:
    return _fit_lr(groups) if METHOD == "lr" else _fit_clogit(groups)


def _fit_lr(groups: list[list[tuple[dict, bool]]], c: float | None = None) -> dict:
    """A logistic regression over every candidate of every group (is this the gold value?)."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    groups = [g for g in groups if any(y for _, y in g)]
    rows = [f for g in groups for f, _ in g]
    ys = [int(y) for g in groups for _, y in g]
    if not rows or len(set(ys)) < 2:
        return {"weights": {}, "bias": 0.0, "groups": len(groups)}
    vec = DictVectorizer()
    x = vec.fit_transform(rows)
    c = C if c is None else c
    lr = LogisticRegression(C=c, max_iter=2000)
    lr.fit(x, ys)
    names = vec.get_feature_names_out()
    weights = {str(n): round(float(w), 5) for n, w in zip(names, lr.coef_[0]) if abs(w) > 1e-6}
    return {"weights": weights, "bias": round(float(lr.intercept_[0]), 5), "groups": len(groups), "C": c}


def _fit_binary(rows: list[dict], ys: list[int]) -> dict:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    if len(set(ys)) < 2:
        return {"weights": {}, "bias": 0.0 if not ys else (5.0 if ys[0] else -5.0)}
    vec = DictVectorizer()
    lr = LogisticRegression(C=1.0, max_iter=2000).fit(vec.fit_transform(rows), ys)
    weights = {str(n): round(float(w), 5) for n, w in zip(vec.get_feature_names_out(), lr.coef_[0]) if abs(w) > 1e-6}
    return {"weights": weights, "bias": round(float(lr.intercept_[0]), 5)}


def _fit_clogit(groups: list[list[tuple[dict, bool]]], l2: float | None = None) -> dict:
    """A conditional logit (softmax over each group's candidates, L2): the weights by feature name."""
    import numpy as np
    from scipy.optimize import minimize
    l2 = L2 if l2 is None else l2
    groups = [g for g in groups if any(y for _, y in g) and len(g) > 1]
    names = sorted({f for g in groups for feats, _ in g for f in feats})
    if not groups or not names:
        return {"weights": {}, "bias": 0.0, "groups": len(groups)}
    col = {n: k for k, n in enumerate(names)}
    mats, pos = [], []
    for g in groups:
        x = np.zeros((len(g), len(names)))
        for r, (feats, _) in enumerate(g):
            for f, v in feats.items():
                x[r, col[f]] = v
        mats.append(x)
        pos.append(next(r for r, (_, y) in enumerate(g) if y))
    big = np.vstack(mats)
    bounds = np.cumsum([0] + [len(g) for g in groups])
    target = np.zeros(len(names))
    for x, p in zip(mats, pos):
        target += x[p]

    def loss(w):
        s = big @ w
        total, grad = -float(target @ w), -target.copy()
        for a, b in zip(bounds[:-1], bounds[1:]):
            z = s[a:b]
            m = z.max()
            e = np.exp(z - m)
            total += m + float(np.log(e.sum()))
            grad += (e / e.sum()) @ big[a:b]
        return total + 0.5 * l2 * float(w @ w), grad + l2 * w

    w = minimize(loss, np.zeros(len(names)), jac=True, method="L-BFGS-B").x
    weights = {n: round(float(v), 5) for n, v in zip(names, w) if abs(v) > 1e-6}
    return {"weights": weights, "bias": 0.0, "groups": len(groups), "l2": l2}


class _Ranker:
    stage = "events"
    fields: tuple[str, ...] = ()

    def examples(self, article, gold: dict) -> list:
        out = []
        for rec, g in paired(article, gold):
            for name in self.fields:
                cands = rec.get(name) or []
                want = self.gold_value(name, g)
                labels = [c.key == want for c in cands]
                if any(labels):
                    out.append((name, [(dict(c.feats), y) for c, y in zip(cands, labels)]))
        return out

    def fit(self, examples: list) -> dict:
        return {name: _fit([g for n, g in examples if n == name]) for name in self.fields}

    def compile(self, raw: dict) -> dict:
        return {name: rank.Linear(raw[name]) for name in self.fields if raw.get(name, {}).get("weights")}


class RolesLearner(_Ranker):
    name = "event_roles"
    fields = ("actor1", "actor2")

    def gold_value(self, name: str, g: dict):
        return _gold_key(g.get(name))


class CountsLearner(_Ranker):
    name = "event_counts"
    fields = ("fatalities",)
    threshold = 0.6         # P(no count) from which an event gets none: best accuracy of all events' counts

    def gold_value(self, name: str, g: dict):
        return g.get(name)

    def fit(self, examples: list) -> dict:
        groups = [g for n, g in examples if n == "fatalities"]
        valued = [[(f, y) for f, y in g if not f.get("none")] for g in groups
                  if not any(y and f.get("none") for f, y in g)]
        ranker = _fit_lr(valued, C_COUNTS)
        lin = rank.Linear(ranker)
        rows, ys = [], []
        for g in groups:
            cands = [rank.Candidate(None if f.get("none") else k, None, f) for k, (f, _) in enumerate(g)]
            feats, _ = rank.none_features(cands, lin)
            rows.append(feats)
            ys.append(int(any(y and f.get("none") for f, y in g)))
        return {"fatalities": {"rank": ranker, "none": _fit_binary(rows, ys), "threshold": self.threshold,
                               "groups": len(groups)}}

    def compile(self, raw: dict) -> dict:
        got = raw.get("fatalities") or {}
        return {"fatalities": rank.CountModel(got)} if got.get("rank", {}).get("weights") else {}


class PlacesLearner(_Ranker):
    """The event's place. Events are paired with gold events of their type and date wherever they
    are (the scorer's pairing needs the place right already, which is what is being learned); a
    pair whose rules' place is right comes first, then one where some candidate is."""
    name = "event_places"
    fields = ("location",)

    def examples(self, article, gold: dict) -> list:
        from .stage import extract_events
        with rank.recording() as rec:
            events = extract_events.func(article)
        if len(rec) != len(events):
            return []
        gev = gold.get("events") or []
        options = []
        for i, g in enumerate(gev):
            for j, e in enumerate(events):
                gap = _days(g.get("date"), e.date)
                if g.get("event_type") != e.event_type or gap is None or gap > DATE_DAYS:
                    continue
                labels = [_same_place(g.get("location") or {}, c.value) for c in rec[j].get("location") or []]
                if not any(labels):
                    continue
                rule_right = any(y and c.feats.get("rule") for c, y in zip(rec[j]["location"], labels))
                options.append((0 if rule_right else 1, gap, i, j, labels))
        used_g, used_s, out = set(), set(), []
        for _, _, i, j, labels in sorted(options, key=lambda o: o[:4]):
            if i in used_g or j in used_s:
                continue
            used_g.add(i)
            used_s.add(j)
            out.append(("location", [(dict(c.feats), y) for c, y in zip(rec[j]["location"], labels)]))
        return out

    def fit(self, examples: list) -> dict:
        return {"location": _fit_lr([g for n, g in examples if n == "location"], C_PLACES)}


def _same_place(gl: dict, p) -> bool:
    """The scorer's test: within EVENT_KM, or the same name in the same country."""
    if p is None:
        return False
    same_name = bool(_name(gl.get("name"))) and _name(gl.get("name")) == _name(p.name) and (
        not gl.get("country") or not p.country or gl.get("country") == p.country)
    d = _km(gl, p)
    return same_name or (d is not None and d <= EVENT_KM)


PLACES = PlacesLearner()
ROLES = RolesLearner()
COUNTS = CountsLearner()
