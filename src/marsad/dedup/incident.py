"""An incident's fields, chosen from its reports by fixed rules.

Reports are visited in id order and every tie is broken by a stated key, so the same reports
always give the same incident:

- **type**: the (event type, sub-event type) most reports give; a tie goes to the pair of the
  smallest report id.
- **date**: the day most reports give (a tie: the earliest); its time precision is the best
  (smallest) among the reports giving that day, its start the earliest they give.
- **place**: the most specific place the reports agree on: the reports are grouped by
  (country, admin1); the largest group wins (a tie: the group with the most specific place,
  then the smaller country/admin1); inside it the place with the best ACLED geo_precision
  (1 before 2 before 3, unknown last), then the name most reports use, then the smallest id.
- **counts**: fatalities, injured and detained are the smallest figure any report gives (the
  most conservative, as ACLED codes conflicting reports); a report that gives none does not
  count as zero.
- **actors**: actor1 is the actor most reports name as actor1 (a tie: the one named most on
  either side, then the smaller id); actor2 likewise among the others.
- **evidence**: that of the representative report: the one agreeing with most of the chosen
  fields (type, day, place, fatalities), then from the earliest article, then the smallest id.
  Its article, evidence, trigger, PLOVER type and mode are the incident's.
- **notes**: the report's own for an incident of one report; else rewritten from the chosen
  fields (`marsad.events.describe.notes`), since no one report's note describes them all.
- **confidence**: the highest of the reports'; `source_count`: the distinct articles;
  `report_count`: the reports; `first_reported` / `last_reported`: the articles' dates.
"""
from __future__ import annotations

from collections import Counter
from typing import Any

from ..article import ActorMention, Place
from ..events.describe import notes

ACTOR_COLUMNS = ("id", "name", "actor_type", "country", "via", "span_start", "span_end", "span_text")
PLACE_COLUMNS = ("name", "role", "geonameid", "name_en", "country", "admin1", "admin2", "lat", "lon",
                 "geo_precision", "feature", "span_start", "span_end", "span_text", "name_ar", "confidence")
# The incident columns besides those copied by the rules (see schema, migration 4).
OWN = ("incident_id", "report_id", "article_key", "source_count", "report_count", "first_reported",
       "last_reported")


def _mode(values: list, tie=min):
    """The most frequent value (None ignored); ties go to `tie` of the tied values."""
    counts = Counter(v for v in values if v is not None)
    if not counts:
        return None
    top = max(counts.values())
    return tie([v for v, n in counts.items() if n == top])


def _precision(r: dict) -> int:
    p = r.get("location_geo_precision")
    return p if p is not None else 9


def build(incident_id: str, reports: list[dict[str, Any]]) -> dict[str, Any]:
    """One incident row from its reports (rows of `events` with `article_date`)."""
    reports = sorted(reports, key=lambda r: r["event_id"])
    out: dict[str, Any] = {"incident_id": incident_id}

    types = [(r.get("event_type"), r.get("sub_event_type")) for r in reports]
    counts = Counter(types)
    top = max(counts.values())
    out["event_type"], out["sub_event_type"] = next(t for t in types if counts[t] == top)

    day = _mode([r.get("date") for r in reports])
    out["date"] = day
    same_day = [r for r in reports if r.get("date") == day and day is not None]
    out["time_precision"] = min((r["time_precision"] for r in same_day if r.get("time_precision") is not None),
                                default=None)
    out["date_start"] = min((r["date_start"] for r in same_day if r.get("date_start") is not None), default=None)

    place = _place(reports)
    for c in PLACE_COLUMNS:
        out[f"location_{c}"] = place.get(f"location_{c}") if place else None

    for c in ("fatalities", "injured", "detained"):
        out[c] = min((r[c] for r in reports if r.get(c) is not None), default=None)

    first = _actor(reports, "actor1", exclude=None)
    second = _actor(reports, "actor2", exclude=first.get("actor1_id") if first else None)
    for p, chosen in (("actor1", first), ("actor2", second)):
        for c in ACTOR_COLUMNS:
            out[f"{p}_{c}"] = chosen.get(f"{p}_{c}") if chosen else None

    rep = _representative(reports, out)
    out["report_id"], out["article_key"] = rep["event_id"], rep["article_key"]
    for c in ("evidence_start", "evidence_end", "evidence_text", "trigger_start", "trigger_end", "trigger_text",
              "plover_type", "plover_mode"):
        out[c] = rep.get(c)
    out["confidence"] = max((r["confidence"] for r in reports if r.get("confidence") is not None), default=None)
    out["notes"] = rep.get("notes") if len(reports) == 1 else _notes(out)
    out["source_count"] = len({r["article_key"] for r in reports})
    out["report_count"] = len(reports)
    days = [r["article_date"] for r in reports if r.get("article_date") is not None]
    out["first_reported"], out["last_reported"] = (min(days), max(days)) if days else (None, None)
    return out


def _place(reports: list[dict]) -> dict | None:
    located = [r for r in reports if r.get("location_name") is not None or r.get("location_lat") is not None]
    if not located:
        return None
    groups: dict[tuple, list[dict]] = {}
    for r in located:
        groups.setdefault((r.get("location_country") or "", r.get("location_admin1") or ""), []).append(r)
    key = min(groups, key=lambda k: (-len(groups[k]), min(_precision(r) for r in groups[k]), k))
    group = groups[key]
    names = Counter(r.get("location_name") for r in group)
    return min(group, key=lambda r: (_precision(r), -names[r.get("location_name")], r["event_id"]))


def _actor(reports: list[dict], side: str, exclude: str | None) -> dict | None:
    named = [r for r in reports if r.get(f"{side}_id") and r.get(f"{side}_id") != exclude]
    if not named:
        return None
    on_side = Counter(r[f"{side}_id"] for r in named)
    anywhere = Counter(a for r in reports for a in (r.get("actor1_id"), r.get("actor2_id")) if a)
    best = min(on_side, key=lambda a: (-on_side[a], -anywhere[a], a))
    return next(r for r in named if r[f"{side}_id"] == best)


def _representative(reports: list[dict], chosen: dict) -> dict:
    def agreement(r: dict) -> int:
        return ((r.get("event_type"), r.get("sub_event_type")) == (chosen["event_type"], chosen["sub_event_type"])) \
            + (r.get("date") == chosen["date"]) + (r.get("location_name") == chosen["location_name"]) \
            + (r.get("fatalities") == chosen["fatalities"])
    return min(reports, key=lambda r: (-agreement(r), r.get("article_date") is None, r.get("article_date") or 0,
                                       r["event_id"]))


def _notes(row: dict) -> str:
    def actor(p: str) -> ActorMention | None:
        if not (row.get(f"{p}_id") or row.get(f"{p}_name")):
            return None
        return ActorMention(None, row.get(f"{p}_id"), row.get(f"{p}_name"))
    place = None
    if row.get("location_name") is not None:
        place = Place(None, row["location_name"], name_en=row.get("location_name_en"),
                      country=row.get("location_country"), admin1=row.get("location_admin1"))
    iso = row["date"].isoformat() if hasattr(row.get("date"), "isoformat") else row.get("date")
    start = row["date_start"].isoformat() if hasattr(row.get("date_start"), "isoformat") else row.get("date_start")
    return notes(row.get("sub_event_type") or "", iso, row.get("time_precision"), actor("actor1"), actor("actor2"),
                 place, row.get("fatalities"), row.get("injured"), row.get("detained"), start)
