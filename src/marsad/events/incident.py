"""One incident, one event: are two accepted mentions of an article the same incident? (learned)

A pairwise logistic regression over two drafts of the same event type, the more confident one
(already kept) and a later one: the rules' verdict (`merge.same_incident`) and its parts as
features (same sub-type; same place, one inside the other, the distance between them, a place
borrowed from context; the same day or how many days apart; actors equal, contradicting or
unknown; how many sentences apart, the same paragraph, "وفي واقعة منفصلة"; counts equal or
not). `merge.merge` folds a mention into the kept event it most probably belongs to, when that
probability is over one half; mentions of different event types are left to the rules.

Labels (`learned.IncidentMerge`): each training draft is paired with the closest gold event it
is compatible with (as the scorer pairs them); two drafts of one gold event are the same
incident, two of different gold events are not, and a mention of no gold event folded into a
kept one that has its gold event is one (it reported nothing codable of its own).
"""
from __future__ import annotations

import math

from . import merge as mg
from .mention import Linear, _bucket

MODEL = "incident_merge"


def _km(a, b) -> float | None:
    pa, pb = a.location, b.location
    if pa is None or pb is None or pa.lat is None or pb.lat is None or pa.lon is None or pb.lon is None:
        return None
    la1, lo1, la2, lo2 = (math.radians(x) for x in (pa.lat, pa.lon, pb.lat, pb.lon))
    h = math.sin((la2 - la1) / 2) ** 2 + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def _actor(x, y, name: str, f: dict) -> None:
    if x is None or y is None:
        f[name + "=unknown"] = 1.0
    else:
        f[name + ("=same" if (x.id or x.name) == (y.id or y.name) else "=other")] = 1.0


def pair_features(k, d) -> dict[str, float]:
    """`k`: the kept (more confident) draft; `d`: the later one."""
    f: dict[str, float] = {"bias": 1.0, "type=" + k.event_type: 1.0}
    f["rule_same"] = float(mg.same_incident(k, d))
    f["same_sub"] = float(k.sub_event_type == d.sub_event_type)
    if k.location is not None and d.location is not None:
        f["same_place"] = float(mg._place_key(k.location) == mg._place_key(d.location))
        f["place_ok"] = float(mg._place_ok(k, d))
        f["same_country"] = float(bool(k.location.country) and k.location.country == d.location.country)
        km = _km(k, d)
        f["km=" + _bucket(None if km is None else int(km), (0, 10, 50, 150))] = 1.0
    f["weak=" + str(int(k.place_weak)) + str(int(d.place_weak))] = 1.0
    f["alt=" + str(int(k.alt_place)) + str(int(d.alt_place))] = 1.0
    f["coarse"] = float(max(k.place_level, d.place_level) >= 3)
    gap = None
    if k.date and d.date:
        from .learned import _iso
        dk, dd = _iso(k.date), _iso(d.date)
        gap = abs((dk - dd).days) if dk and dd else None
    f["days=" + _bucket(gap, (0, 1, 2, 7))] = 1.0
    f["explicit=" + str(int(k.date_explicit)) + str(int(d.date_explicit))] = 1.0
    _actor(k.actor1, d.actor1, "actor1", f)
    _actor(k.actor2, d.actor2, "actor2", f)
    f["sides_ok"] = float(mg._sides_ok(k, d))
    f["sentences=" + _bucket(abs(k.sentence - d.sentence), (0, 1, 2, 4, 8))] = 1.0
    f["same_paragraph"] = float(k.paragraph == d.paragraph)
    later = k if k.evidence.start > d.evidence.start else d
    f["separate"] = float(later.separate)
    f["later_is_new"] = float(later is d)
    if k.fatalities is not None and d.fatalities is not None:
        f["fatal=" + ("same" if k.fatalities == d.fatalities else "other")] = 1.0
    f["conf_low"] = min(k.confidence, d.confidence)
    return f


class PairModel:
    """The compiled incident-merge model: `same(kept, mention)` -> probability, None across types."""

    def __init__(self, linear: Linear):
        self.linear = linear

    def same(self, k, d) -> float | None:
        if k.event_type != d.event_type:
            return None
        return self.linear.prob(pair_features(k, d))
