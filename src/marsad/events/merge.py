"""One incident, one event: merge the mentions an article makes of the same incident.

News repeats its main event: the lead, a statement quoted in full, the monitor's
figures ("قصفت ثلاث طائرات حربية تركية أمس ..." then "قصفت بالصواريخ مقرين ..." then
"نفذت الطائرات التركية فجرا ثلاث ضربات ..."). Two mentions are one event when they
have the same sub-event type, their actors do not contradict (equal, or one unknown),
their days agree (equal, or one of them only defaulted to the publication day), and
their places agree (the same name, or one lies inside the other: a country or
province and a town in it, or one unknown). Two different towns stay two events, as
ACLED codes them. The merged event keeps the best-evidenced mention (the highest
confidence) and, field by field, the most informative value: the more specific place,
the explicit date, known actors, and the most conservative count.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from ..article import ActorMention, Place, Span
from ..text import norm


@dataclass(slots=True)
class Draft:
    event_type: str
    sub_event_type: str
    evidence: Span
    trigger: Span
    mode: str | None
    actor1: ActorMention | None
    actor2: ActorMention | None
    location: Place | None
    place_level: float
    date: str | None
    date_start: str | None
    time_precision: int | None
    date_explicit: bool
    fatalities: int | None
    injured: int | None
    detained: int | None
    confidence: float
    place_weak: bool = False
    paragraph: int = 0
    sentence: int = 0
    pub_gap: int | None = None      # days between an explicit date and publication
    separate: bool = False          # introduced as another incident ("وفي واقعة منفصلة")
    mentions: int = 1
    evidence_all: list[Span] = field(default_factory=list)
    feats: dict | None = None       # the event-mention model's features (generous detection only)
    group: int = -1                 # the mention it comes from (generous detection only)
    alt_place: bool = False         # another place of the sentence than the rules chose
    listed: tuple = ()              # the places listed with it ("مديريتي الجراحي والتحيتا"), by name
    lemma: str = ""                 # the trigger's lemma (generous detection only)


def _is(a: ActorMention | None, b: ActorMention | None) -> bool:
    return a is not None and b is not None and (a.id or a.name) == (b.id or b.name)


def _actor_ok(a: ActorMention | None, b: ActorMention | None) -> bool:
    return a is None or b is None or (a.id or a.name) == (b.id or b.name)


def _place_key(p: Place) -> str:
    return " ".join(norm(p.name).replace("ال", "", 1).split()) if p.name else ""


def _place_ok(a: Draft, b: Draft) -> bool:
    pa, pb = a.location, b.location
    if pa is None or pb is None:
        return False
    if a.place_weak or b.place_weak:        # borrowed from a neighbouring sentence: only a hint
        return True
    if _place_key(pa) == _place_key(pb):
        return True
    if pa.geonameid is not None and pa.geonameid == pb.geonameid:
        return True
    coarse, fine = (a, b) if a.place_level > b.place_level else (b, a)
    if coarse.place_level <= fine.place_level or coarse.place_level < 3:
        return False
    pc, pf = coarse.location, fine.location
    if pc.country and pf.country and pc.country != pf.country:
        return False
    if coarse.place_level >= 4:
        return pc.country is not None and pc.country == pf.country
    return bool(pc.admin1 and pc.admin1 == pf.admin1) or (pc.country == pf.country and pf.admin1 is None)


def _date_ok(a: Draft, b: Draft) -> bool:
    """Equal days; or one mention has no date of its own and the other's is recent (an undated
    later mention of an event dated last week is more likely another event); or a day apart when
    both name the same actors ("أمس" in the lead, "فجرا" in the monitor's quote)."""
    if a.date == b.date:
        return True
    if a.date_explicit and b.date_explicit:
        both_known = a.actor1 is not None and b.actor1 is not None and a.actor2 is not None \
            and b.actor2 is not None
        return both_known and _within(a, b, 1)
    dated = a if a.date_explicit else b
    return dated.pub_gap is None or dated.pub_gap <= 2


# (kept, absorbed): a vaguer report of the same incident under another sub-type. A car bomb the
# same article elsewhere calls a suicide attack is the suicide attack; a clash in which a side took
# the town is the territory change (ACLED codes the battle once); a missile the article says was
# intercepted is the interception.
_ABSORBS = {
    ("Suicide bomb", "Remote explosive/landmine/IED"),
    ("Government regains territory", "Armed clash"),
    ("Non-state actor overtakes territory", "Armed clash"),
    ("Disrupted weapons use", "Shelling/artillery/missile attack"),
}
_LOOSE_ACTORS = {"Agreement"}     # the parties are named differently in each mention


def _within(a: Draft, b: Draft, days: int) -> bool:
    from datetime import date
    try:
        return abs((date.fromisoformat(a.date) - date.fromisoformat(b.date)).days) <= days
    except (TypeError, ValueError):
        return False


def _sides_ok(a: Draft, b: Draft) -> bool:
    """In a clash the two sides have no order (ACLED: "actor 1 and actor 2 do not imply
    directionality"): mentions agree when the sides one names are among the other's."""
    sa = {x.id or x.name for x in (a.actor1, a.actor2) if x is not None}
    sb = {x.id or x.name for x in (b.actor1, b.actor2) if x is not None}
    return sa <= sb or sb <= sa


def same_incident(a: Draft, b: Draft) -> bool:
    if (a.event_type, a.sub_event_type) != (b.event_type, b.sub_event_type):
        return False
    later = a if a.evidence.start > b.evidence.start else b
    if later.separate:
        return False
    if a.sub_event_type in _LOOSE_ACTORS:
        actors = True
    elif a.sub_event_type == "Armed clash":
        actors = _sides_ok(a, b)
    else:
        actors = _actor_ok(a.actor1, b.actor1) and _actor_ok(a.actor2, b.actor2)
    return actors and _date_ok(a, b) and _place_ok(a, b)


def absorbs(keep: Draft, other: Draft) -> bool:
    if (keep.sub_event_type, other.sub_event_type) not in _ABSORBS:
        return False
    if not _date_ok(keep, other) and not (keep.sub_event_type == "Suicide bomb" and _within(keep, other, 30)):
        return False
    if keep.sub_event_type == "Disrupted weapons use":
        return True
    if other.sub_event_type == "Armed clash" and abs(keep.paragraph - other.paragraph) > 0 and not (
            keep.location is not None and other.location is not None
            and _place_key(keep.location) == _place_key(other.location)):
        return False          # a clash elsewhere in the story is its own event
    pk, po = keep.location, other.location
    if pk is not None and po is not None and pk.country and po.country and pk.country != po.country:
        return False
    return True


def _min(x: int | None, y: int | None) -> int | None:
    if x is None:
        return y
    if y is None:
        return x
    return min(x, y)


def absorb(keep: Draft, other: Draft, counts_only: bool = False) -> None:
    """Fold `other` into `keep`, field by field."""
    if counts_only:
        if other.location is not None and not other.place_weak and (
                keep.location is None or keep.place_weak or (keep.place_level >= 3 > other.place_level)):
            keep.location, keep.place_level, keep.place_weak = other.location, other.place_level, False
        if keep.sub_event_type != "Disrupted weapons use":
            keep.fatalities = keep.fatalities if keep.fatalities is not None else other.fatalities
            keep.injured = keep.injured if keep.injured is not None else other.injured
        keep.mentions += other.mentions
        return
    if keep.location is None or (other.location is not None and (
            (keep.place_weak and not other.place_weak) or
            (other.place_level < keep.place_level and keep.place_weak == other.place_weak))):
        keep.location, keep.place_level, keep.place_weak = other.location, other.place_level, other.place_weak
    if not keep.date_explicit and other.date_explicit:
        keep.date, keep.date_start, keep.time_precision = other.date, other.date_start, other.time_precision
        keep.date_explicit = True
    if keep.sub_event_type == "Armed clash" and keep.actor1 is not None and keep.actor2 is None:
        extra = [x for x in (other.actor1, other.actor2) if x is not None and not _is(x, keep.actor1)]
        keep.actor2 = extra[0] if extra else None
    if keep.actor1 is None and not _is(other.actor1, keep.actor2):
        keep.actor1 = other.actor1
    if keep.actor2 is None and not _is(other.actor2, keep.actor1):
        keep.actor2 = other.actor2
    keep.fatalities = _min(keep.fatalities, other.fatalities)
    keep.injured = _min(keep.injured, other.injured)
    keep.detained = _min(keep.detained, other.detained)
    keep.mode = keep.mode or other.mode
    keep.mentions += other.mentions
    keep.evidence_all.extend(other.evidence_all or [other.evidence])
    keep.confidence = min(0.99, max(keep.confidence, other.confidence) + 0.05)


def merge(drafts: list[Draft], same=None) -> list[Draft]:
    """Greedy: the most confident mention first, later mentions folded into the first that fits
    (`same_incident`), or, with `same(kept, mention) -> probability or None` (the incident-merge
    model), into the kept event most probably the same incident, when that is over one half."""
    order = sorted(drafts, key=lambda d: (-d.confidence, d.evidence.start))
    kept: list[Draft] = []
    for d in order:
        if not d.evidence_all:
            d.evidence_all = [d.evidence]
        if same is not None:
            scored = [(p, n) for n, k in enumerate(kept) if (p := same(k, d)) is not None]
            best = max(scored, default=None)
            if best is not None and best[0] >= 0.5:
                absorb(kept[best[1]], d)
            else:
                kept.append(d)
            continue
        for k in kept:
            if same_incident(k, d):
                absorb(k, d)
                break
        else:
            kept.append(d)
    final = []
    for d in kept:
        host = next((k for k in kept if k is not d and absorbs(k, d)), None)
        if host is not None:
            absorb(host, d, counts_only=True)
        else:
            final.append(d)
    final.sort(key=lambda d: d.evidence.start)
    return final
