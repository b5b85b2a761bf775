"""The events stage's learners (registered in `marsad.learn.models.LEARNERS`).

`event_mention` (`EventMention`): which generously detected drafts are codable recent events
(`mention.py`). Labels pair a draft with the article's gold events the way the project's scorer
pairs events: the same event type, dates at most 2 days apart (or both unknown), places within
50 km or the same normalised name.
"""
from __future__ import annotations

import math
from datetime import date

from ..text import norm
from . import incident as inc
from . import mention as mn

EVENT_KM, DATE_DAYS = 50.0, 2
# the event model's regularisation, chosen with its threshold on out-of-article predictions (the
# features are many and sparse: on the folds, weaker C than the default wins)
EVENT_C = (0.01, 0.03, 0.1)


def _iso(value):
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _km(la1, lo1, la2, lo2) -> float:
    la1, lo1, la2, lo2 = (math.radians(float(x)) for x in (la1, lo1, la2, lo2))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _name(s) -> str:
    return " ".join(w[2:] if len(w) > 3 and w.startswith("ال") else w for w in norm(s or "").split())


def compatible(g: dict, d) -> bool:
    """Would the scorer pair gold event `g` with draft `d`?"""
    if g.get("event_type") != d.event_type:
        return False
    dg, dd = _iso(g.get("date")), _iso(d.date)
    if (dg is None) != (dd is None):
        return False
    if dg is not None and abs((dg - dd).days) > DATE_DAYS:
        return False
    gl, p = g.get("location") or {}, d.location
    if p is None:
        return False
    same_name = bool(_name(gl.get("name"))) and _name(gl.get("name")) == _name(p.name) and (
        not gl.get("country") or not p.country or gl.get("country") == p.country)
    if gl.get("lat") is not None and gl.get("lon") is not None and p.lat is not None and p.lon is not None:
        return same_name or _km(gl["lat"], gl["lon"], p.lat, p.lon) <= EVENT_KM
    return same_name


def happened(g: dict, d) -> bool:
    """Is draft `d` a report of gold event `g`, wherever the rules placed it? The same event type,
    dates as the scorer allows, and the same country (or a compatible place)."""
    if compatible(g, d):
        return True
    if g.get("event_type") != d.event_type:
        return False
    dg, dd = _iso(g.get("date")), _iso(d.date)
    if (dg is None) != (dd is None) or (dg is not None and abs((dg - dd).days) > DATE_DAYS):
        return False
    gc = (g.get("location") or {}).get("country")
    return bool(gc) and d.location is not None and d.location.country == gc


def gold_matches(gold: dict, drafts) -> list[list[int]]:
    """For each draft, the indexes of the gold events it is compatible with."""
    events = gold.get("events") or []
    return [[k for k, g in enumerate(events) if compatible(g, d)] for d in drafts]


class EventMention:
    name, stage = mn.MODEL, "events"

    def examples(self, article, gold):
        from .relevance import is_conflict_article
        from .stage import candidates
        if not article.layer("tokens") or not is_conflict_article(article):
            return []
        drafts = [d for d in candidates(article, generous=True) if d.location is not None]
        events = gold.get("events") or []
        out = []
        for d in drafts:
            fits = [k for k, g in enumerate(events) if compatible(g, d)]
            out.append({"feats": d.feats, "article": str(article.id), "group": d.group, "gold": len(events),
                        "event": int(bool(fits) or any(happened(g, d) for g in events)),
                        "place": int(bool(fits)), "fits": fits})
        return out

    def fit(self, examples):
        # event-ness: one row per mention (its rules' draft), labelled by any of its places
        groups: dict = {}
        for e in examples:
            key = (e["article"], e["group"])
            g = groups.setdefault(key, {"rule": None, "event": 0, "rows": []})
            g["rows"].append(e)
            g["event"] = max(g["event"], e["event"], e["place"])
            if g["rule"] is None and not e["feats"].get("alt_place"):
                g["rule"] = e
        keys = [key for key, g in groups.items() if g["rule"] is not None]
        rows = [(groups[k]["rule"]["feats"], groups[k]["event"], k[0]) for k in keys]
        fits = [{(k[0], f) for e in groups[k]["rows"] for f in e["fits"]} for k in keys]
        total = sum({e["article"]: e["gold"] for e in examples}.values())

        def gain(selected) -> float:
            """F1 as the scorer would count it, roughly: a kept mention is right when one of its places
            fits a gold event; recall is over the gold events of the articles."""
            kept = [k for k, s in enumerate(selected) if s]
            right = sum(1 for k in kept if fits[k])
            covered = len(set().union(*(fits[k] for k in kept))) if kept else 0
            p, r = right / max(len(kept), 1), covered / max(total, 1)
            return 2 * p * r / (p + r) if p + r else 0.0

        event = mn.fit_linear(rows, gain=gain, c=EVENT_C)
        # place: the mentions with several places, one of them right
        place_rows = [(mn.place_view(e["feats"]), e["place"], key[0]) for key, g in groups.items()
                      if len(g["rows"]) > 1 and any(e["place"] for e in g["rows"]) for e in g["rows"]]
        place = mn.fit_linear(place_rows, choose_threshold=False) if place_rows else {"weights": {}}
        return {"event": event, "place": place}

    def compile(self, raw):
        ev = raw["event"]
        return mn.MentionModel(mn.Linear(ev["weights"], ev["threshold"]),
                               mn.Linear(raw["place"]["weights"], 0.5))


EVENT_MENTION = EventMention()


def closest_gold(gold: dict, d) -> int | None:
    """The gold event the scorer would most likely pair with draft `d` (closest in days, then km)."""
    best = None
    for k, g in enumerate(gold.get("events") or []):
        if not compatible(g, d):
            continue
        dg, dd = _iso(g.get("date")), _iso(d.date)
        days = abs((dg - dd).days) if dg and dd else 0
        gl, p = g.get("location") or {}, d.location
        km = _km(gl["lat"], gl["lon"], p.lat, p.lon) if gl.get("lat") is not None and p.lat is not None \
            and gl.get("lon") is not None and p.lon is not None else 0.0
        key = (days * 100 + km, k)
        if best is None or key < best:
            best = key
    return None if best is None else best[1]


class IncidentMerge:
    name, stage = inc.MODEL, "events"

    def examples(self, article, gold):
        from .. import learn
        from .relevance import is_conflict_article
        from .stage import mentions
        if not article.layer("tokens") or not is_conflict_article(article):
            return []
        drafts = [d for d in mentions(article, learn.model(mn.MODEL)) if d.location is not None]
        order = sorted(drafts, key=lambda d: (-d.confidence, d.evidence.start))
        ids = [closest_gold(gold, d) for d in order]
        out = []
        for a in range(len(order)):
            for b in range(a + 1, len(order)):
                k, d = order[a], order[b]
                if k.event_type != d.event_type or ids[a] is None or ids[b] is None:
                    continue
                label = int(ids[a] == ids[b] or ids[b] is None)
                out.append((inc.pair_features(k, d), label, str(article.id)))
        return out

    def fit(self, examples):
        return mn.fit_linear(examples, choose_threshold=False)

    def compile(self, raw):
        return inc.PairModel(mn.Linear(raw["weights"], 0.5))


INCIDENT_MERGE = IncidentMerge()


OURS = (mn.MODEL, inc.MODEL)


def rules_only():
    """Run the events stage on its rules (the fallback, and the features the models weigh), with
    every other learner's model as it is: `with rules_only(): ...`."""
    from .. import learn
    return learn.using({x.name: learn.model(x.name) for x in learn.learners() if x.name not in OURS})
