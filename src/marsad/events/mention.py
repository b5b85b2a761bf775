"""Event mentions: is this candidate a codable, recent event of the article? (a learned decision)

The detector proposes generously (`find_triggers(generous=True)`): every trigger, with the
filters it fails recorded instead of obeyed (negation, modality, relative clause, background
"منذ", a year before publication, a headline ...). Each candidate becomes a draft with its
arguments (actors, place, date, counts) and a sparse feature dict built from those layers:
the trigger (concept, lemma, part of speech), the filters and flags, where it sits (lead
sentence, paragraph), its time (the source of its date, days from publication, month or
period expressions), its place and actors, its counts, quote and speech context, and the
normalised words around the trigger. A logistic regression over these features (trained with
scikit-learn, applied here in plain Python) gives the probability that the draft matches a
gold event (same event type, within 2 days and 50 km, as the project's scorer pairs them);
drafts under the model's threshold are dropped before merging.

Labels come from the gold events of the training articles: a draft is positive when a gold
event of its article is compatible with it under the scorer's pairing rules. The threshold is
chosen by cross-validation over the training articles (grouped by article), maximising F1.

Tried: only the rule filters as verdicts (the baseline); the same features without the words
(weaker on the folds: the topic words of reactions, trials and analysis carry much of it);
gradient-boosted trees (scikit-learn, depth 1 to 3, 150 to 300 trees) in place of the event
regression: pooled event F1 0.40-0.42 against 0.44 for the regression (5 folds, December 2026);
the place's country against the actors' countries and the word before the place per event type as
place features, and the place model's strength (C 0.03 or 0.5 for 0.1): no gain on the folds.
"""
from __future__ import annotations

import math
from collections import Counter
from datetime import date

from ..text import norm, norm_set
from . import lexicon as lx

MODEL = "event_mention"
_WORDS_AROUND = 6
_MIN_WORD_COUNT = 3
_MONTHS = norm_set("يناير فبراير مارس ابريل مايو يونيو يوليو اغسطس سبتمبر اكتوبر نوفمبر ديسمبر "
                   "كانون شباط اذار نيسان ايار حزيران تموز اب ايلول تشرين")
_SINCE = norm_set("منذ ومنذ")
_AGO = norm_set("قبل مضي مرور الماضي الماضيه السابق السابقه")


def _bucket(x: int | None, edges: tuple[int, ...]) -> str:
    if x is None:
        return "none"
    for e in edges:
        if x <= e:
            return str(e)
    return f">{edges[-1]}"


def features(ctx, m, args, draft) -> dict[str, float]:
    """The local features of one draft (its sentence, trigger and arguments)."""
    view, trig = m.view, m.trigger
    i = trig.i
    f: dict[str, float] = {"bias": 1.0}
    f["concept=" + trig.concept] = 1.0
    f["lemma=" + trig.entry.lemma] = 1.0
    f["pos=" + trig.entry.pos] = 1.0
    f["strong"] = float(trig.entry.strong)
    f["sub=" + draft.sub_event_type] = 1.0
    f["type=" + draft.event_type] = 1.0
    for r in trig.reasons:
        f["reason=" + r] = 1.0
    if not trig.reasons:
        f["reason=none"] = 1.0
    for fl in trig.flags:
        f["flag=" + fl] = 1.0
    f["n_reasons"] = min(len(trig.reasons), 3) / 3
    f["sent=" + _bucket(view.index, (0, 1, 2, 4, 8, 15))] = 1.0
    f["para=" + _bucket(view.sentence.paragraph, (0, 1, 2, 4, 8))] = 1.0
    n_sent = max(len(ctx.views), 1)
    f["rel_pos"] = view.index / n_sent
    f["date_from=" + args.date_from] = 1.0
    f["place_from=" + args.place_from] = 1.0
    f["precision=" + str(args.time_precision)] = 1.0
    gap = None
    d = _iso(args.date)
    if d is not None and ctx.pub is not None:
        gap = (ctx.pub - d).days
    f["gap=" + _bucket(None if gap is None else abs(gap), (0, 1, 2, 7, 30, 365))] = 1.0
    if gap is not None and gap < 0:
        f["future"] = 1.0
    f["level=" + str(int(draft.place_level))] = 1.0
    if args.location is not None:
        f["place_resolved"] = float(args.location.lat is not None)
    f["actor1"] = float(args.actor1 is not None)
    f["actor2"] = float(args.actor2 is not None)
    if args.actor1 is not None:
        f["a1type=" + str(args.actor1.actor_type)] = 1.0
    if args.actor2 is not None:
        f["a2type=" + str(args.actor2.actor_type)] = 1.0
    f["victims=" + str(args.victims)] = 1.0
    for name in ("fatalities", "injured", "detained"):
        v = getattr(args, name)
        if v is not None:
            f[name] = 1.0
            f[name + "_log"] = min(math.log1p(v), 8.0) / 8
    f["rule_conf"] = draft.confidence
    f["also"] = min(len(m.also), 3) / 3
    # the sentence's times: month names and periods point to the past
    here = ctx.in_sentence(ctx.times, view)
    for t in here:
        f["time=" + t.kind] = 1.0
    n = len(view.tokens)
    a, b = view.clause_of(i)
    if view.has(_MONTHS, 0, n) is not None:
        f["month_word"] = 1.0
    if view.has(_SINCE, 0, n) is not None:
        f["since_sentence"] = 1.0
    if view.has(_AGO, max(0, i - 6), min(n, i + 6)) is not None:
        f["ago_near"] = 1.0
    if view.has(lx.SPEECH, 0, i) is not None:
        f["speech_before"] = 1.0
    if view.has(lx.TIME_WORDS, a, b) is not None:
        f["time_word_clause"] = 1.0
    tok = trig.token
    quotes = ctx.article.layer("quotes")
    inside = next((q for q in quotes if q.span.start <= tok.span.start < q.span.end), None)
    if inside is not None:
        f["quote=" + inside.kind] = 1.0
        f["quote_direct"] = float(inside.direct)
    f["clause_words"] = min(b - a, 30) / 30
    f["sent_words"] = min(n, 60) / 60
    # the words around the trigger, and the trigger's neighbours as bigrams
    for j in range(max(0, i - _WORDS_AROUND), min(n, i + _WORDS_AROUND + 1)):
        t = view.tokens[j]
        if t.kind == "word" and j != i:
            f["w=" + t.stem] = 1.0
    if i > 0:
        f["prev=" + view.tokens[i - 1].stem] = 1.0
    if i + 1 < n:
        f["next=" + view.tokens[i + 1].stem] = 1.0
    return f


_MAX_ALTERNATIVES = 6


def place_features(ctx, view, i: int, place, f: dict[str, float], names: int) -> None:
    """Where the draft's place sits relative to its trigger, and how it is written (`names`: how
    many places its sentence names)."""
    from . import location
    from .context import _level, token_index
    if place is None:
        return
    f["pl_level=" + str(int(_level(place)))] = 1.0
    f["pl_resolved"] = float(place.lat is not None)
    s = view.sentence.span
    if place.span is None or not (s.start <= place.span.start < s.end):
        f["pl_outside"] = 1.0
        return
    j = token_index(view, place.span)
    a, b = view.clause_of(i)
    f["pl_clause"] = float(a <= j < b)
    f["pl_after"] = float(j > i)
    f["pl_dist=" + _bucket(abs(j - i), (1, 2, 4, 8, 16))] = 1.0
    if j > 0:
        f["pl_prev=" + view.tokens[j - 1].stem] = 1.0
    f["pl_away"] = float(location._away(view, place))
    f["pl_names"] = min(names, 6) / 6


def place_alternatives(ctx, m, drafts, split: bool = False) -> list:
    """Copies of the mention's draft at each other place of its sentence (the model may prefer one).
    With `split` (an event type coded once per place), each copy knows the places listed with it:
    when the model prefers one of them, the mention is an event at each."""
    from dataclasses import fields
    from .context import _level
    from .location import coordinated
    first = drafts[0]
    if first.feats is None:
        return []
    view, i = m.view, m.trigger.i
    here = ctx.in_sentence(ctx.places, view)
    for d in drafts:
        place_features(ctx, view, i, d.location, d.feats, len(here))
    taken = {_key(d.location) for d in drafts if d.location is not None}
    out = []
    for raw in here:
        p = ctx.clean(raw)
        k = _key(p)
        if k in taken or len(out) >= _MAX_ALTERNATIVES:
            continue
        taken.add(k)
        copy = type(first)(**{f.name: getattr(first, f.name) for f in fields(first)})
        copy.location, copy.place_level, copy.place_weak, copy.alt_place = p, _level(p), False, True
        copy.evidence_all = []
        copy.feats = {k2: v for k2, v in first.feats.items() if not k2.startswith(("place_from=", "level=", "pl_"))}
        copy.feats["alt_place"] = 1.0
        copy.feats["level=" + str(int(copy.place_level))] = 1.0
        place_features(ctx, view, i, p, copy.feats, len(here))
        if split:
            group = coordinated(ctx, view, raw)
            copy.listed = tuple(_key(ctx.clean(q)) for q in group) if len(group) > 1 else ()
        out.append(copy)
    return out


def _key(p) -> str:
    return " ".join((p.name or "").split())


def article_features(drafts, article=None) -> None:
    """Features that compare a draft with the article's other drafts and its title: the first of its
    type, in the article's main country, at the lead's place, at a place the article repeats or its
    title names, of a type the other drafts repeat."""
    if not drafts:
        return
    title = set(norm(article.title or "").split()) if article is not None else set()
    place_count = Counter(_key(d.location) for d in drafts if d.location is not None and not d.alt_place)
    type_place = Counter((d.event_type, _key(d.location)) for d in drafts if d.location is not None)
    names = Counter(norm(p.name) for p in article.layer("places")) if article is not None else Counter()
    order = sorted(drafts, key=lambda d: d.evidence.start)
    countries = Counter(d.location.country for d in order if d.location is not None and d.location.country)
    main_country = countries.most_common(1)[0][0] if countries else None
    lead = next((d for d in order if d.location is not None and not d.place_weak), None)
    seen: Counter = Counter()
    seen_type: Counter = Counter()
    normed: dict[str, str] = {}
    in_title: dict[str, float] = {}
    for k, d in enumerate(order):
        if d.feats is None:
            continue
        f = d.feats
        f["nth_sub=" + _bucket(seen[d.sub_event_type], (0, 1, 3))] = 1.0
        f["nth_type=" + _bucket(seen_type[d.event_type], (0, 1, 3))] = 1.0
        f["nth=" + _bucket(k, (0, 1, 3, 7))] = 1.0
        seen[d.sub_event_type] += 1
        seen_type[d.event_type] += 1
        if d.location is not None and main_country is not None:
            f["main_country"] = float(d.location.country == main_country)
        if lead is not None and d.location is not None and lead is not d:
            f["lead_place"] = float(d.location.name == lead.location.name)
        f["n_drafts=" + _bucket(len(order), (1, 3, 6, 12, 25))] = 1.0
        if d.location is not None:
            k2 = _key(d.location)
            f["same_place=" + _bucket(place_count[k2] - (not d.alt_place), (0, 1, 3))] = 1.0
            f["same_type_place=" + _bucket(type_place[(d.event_type, k2)] - 1, (0, 1, 3))] = 1.0
            name = d.location.name or ""
            n = normed.get(name)
            if n is None:
                n = normed[name] = norm(name)
            f["place_named=" + _bucket(names[n], (0, 1, 2, 4))] = 1.0
            if title:
                words = set(n.split())
                f["place_in_title"] = float(bool(words) and words <= title)
        if title and d.lemma:
            got = in_title.get(d.lemma)
            if got is None:
                got = in_title[d.lemma] = float(any(w.endswith(d.lemma) or d.lemma.endswith(w)
                                                    for w in title if len(w) > 2))
            f["lemma_in_title"] = got


def _iso(value):
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


class Linear:
    """A logistic regression over sparse feature dicts: weights by feature name, a threshold."""

    def __init__(self, weights: dict[str, float], threshold: float):
        self.weights = weights
        self.threshold = threshold

    def prob(self, feats: dict[str, float]) -> float:
        w = self.weights
        z = sum(w.get(k, 0.0) * v for k, v in feats.items())
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))

    def accept(self, feats: dict[str, float]) -> float | None:
        p = self.prob(feats)
        return p if p >= self.threshold else None


_PLACE_KEYS = ("pl_", "alt_place", "level=", "place_from=", "main_country", "lead_place", "split_place", "bias",
               "same_place=", "same_type_place=", "place_named=", "place_in_title",
               "sub=", "type=")


def place_view(feats: dict[str, float]) -> dict[str, float]:
    """The features the place choice looks at."""
    return {k: v for k, v in feats.items() if k.startswith(_PLACE_KEYS)}


class MentionModel:
    """Two linear models: is the mention an event (`event`), and which of its places (`place`)."""

    def __init__(self, event: Linear, place: Linear):
        self.event, self.place = event, place
        self.threshold = event.threshold

    def choose(self, group: list) -> list:
        """The drafts of one mention to keep (with their probability), or none: the rules' places,
        or the place the place model prefers to them and the places listed with it."""
        rule = [d for d in group if not d.alt_place] or group
        p = self.event.prob(rule[0].feats)
        if p < self.threshold:
            return []
        scored = [(self.place.prob(place_view(d.feats)), d) for d in group]
        best_q, best = max(scored, key=lambda x: x[0])
        if best.alt_place and best_q > max(q for q, d in scored if not d.alt_place or d in rule):
            return [(p, d) for d in group if d is best or (d.alt_place and _key(d.location) in best.listed)]
        return [(p, d) for d in rule]


_SMOOTH = 2      # grid steps (of 0.02) either side of a threshold that its score is averaged over


def fit_linear(rows: list[tuple[dict[str, float], int, str]], c: float | tuple[float, ...] = 0.1,
               min_count: int = _MIN_WORD_COUNT, folds: int = 5, choose_threshold: bool = True,
               gain=None) -> dict:
    """Train a logistic regression on (features, label, group) rows; choose the threshold by F1 over
    out-of-group predictions (or by `gain(selected)`, a boolean array of the rows kept -> score).
    With several values of `c` (the inverse regularisation strength), the same out-of-group
    predictions choose it together with the threshold.
    Returns {"weights": {...}, "threshold": t, "C": c, ...}."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    import numpy as np
    import hashlib

    counts = Counter(k for f, _, _ in rows for k in f)
    keep = {k for k, n in counts.items() if n >= min_count or not k.startswith(("w=", "prev=", "next=", "lemma="))}
    X_dicts = [{k: v for k, v in f.items() if k in keep} for f, _, _ in rows]
    y = np.array([lab for _, lab, _ in rows])
    groups = [g for _, _, g in rows]
    grid = tuple(c) if isinstance(c, (tuple, list)) else (c,)

    def train(idx, strength):
        vec = DictVectorizer()
        X = vec.fit_transform([X_dicts[i] for i in idx])
        clf = LogisticRegression(C=strength, max_iter=2000, fit_intercept=False)
        clf.fit(X, y[idx])
        return vec, clf

    def score(sel) -> float:
        if gain is not None:
            return gain(sel)
        tp = float((sel & (y == 1)).sum())
        p = tp / max(sel.sum(), 1)
        r = tp / max((y == 1).sum(), 1)
        return 2 * p * r / (p + r) if p + r else 0.0

    threshold, chosen = 0.5, grid[0]
    if choose_threshold and len(set(y)) == 2 and len(set(groups)) >= folds:
        fold_of = {g: int(hashlib.sha256(g.encode()).hexdigest(), 16) % folds for g in set(groups)}
        splits = [([i for i, g in enumerate(groups) if fold_of[g] != k],
                   [i for i, g in enumerate(groups) if fold_of[g] == k]) for k in range(folds)]
        if all(te and len(set(y[tr])) == 2 for tr, te in splits):
            best = (-1.0, 0.5, grid[0])
            ts = np.arange(0.2, 0.81, 0.02)
            for strength in grid:
                pred = np.zeros(len(rows))
                for tr, te in splits:
                    vec, clf = train(tr, strength)
                    pred[te] = clf.predict_proba(vec.transform([X_dicts[i] for i in te]))[:, 1]
                scores = [score(pred >= t) for t in ts]
                for k, t in enumerate(ts):
                    # the middle of a plateau, not its highest point: the mean score of the thresholds
                    # within SMOOTH of t, so that a few changed training rows move the choice little
                    near = scores[max(0, k - _SMOOTH):k + _SMOOTH + 1]
                    f1 = sum(near) / len(near)
                    if f1 > best[0] + 1e-9:
                        best = (f1, float(t), strength)
            threshold, chosen = round(best[1], 2), best[2]
    if len(set(y)) < 2:
        return {"weights": {"bias": 5.0 if (len(y) and y[0]) else -5.0}, "threshold": threshold,
                "examples": len(rows), "positives": int(y.sum())}
    vec, clf = train(list(range(len(rows))), chosen)
    weights = {name: round(float(w), 4) for name, w in zip(vec.get_feature_names_out(), clf.coef_[0])
               if abs(w) >= 1e-4}
    return {"weights": weights, "threshold": threshold, "examples": len(rows), "positives": int(y.sum()),
            "C": chosen}
