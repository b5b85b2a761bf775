"""Geocoding quality against gold annotations (`marsad places eval`).

For every distinct gold location (events' `location`, figures' `place`; with
`events_only`, events' locations alone, which is what the issue's target counts) of an article,
find the place mention the stage reported for that name (same key, or one containing
the other: gold "الباغوز" ↔ "بلدة الباغوز") and check it: within 10 km of the gold
coordinates (where gold has them) and in the gold country (where gold has one).
Dateline mentions are skipped: a gold location is never the filing city.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

from ..article import Article
from . import names as nm


@dataclass
class GeoScore:
    coords_total: int = 0
    within_10km: int = 0
    country_total: int = 0
    country_right: int = 0
    misses: list[dict] = field(default_factory=list)

    @property
    def within_rate(self) -> float:
        return self.within_10km / self.coords_total if self.coords_total else 0.0

    @property
    def country_rate(self) -> float:
        return self.country_right / self.country_total if self.country_total else 0.0


def _km(a_lat, a_lon, b_lat, b_lon) -> float:
    p = math.pi / 180
    h = (math.sin((b_lat - a_lat) * p / 2) ** 2
         + math.cos(a_lat * p) * math.cos(b_lat * p) * math.sin((b_lon - a_lon) * p / 2) ** 2)
    return 12742 * math.asin(math.sqrt(min(1.0, h)))


def read_gold(path: Path) -> list[dict]:
    text = Path(path).read_text(encoding="utf-8").strip()
    if text.startswith("{") and "\n{" not in text:
        return [json.loads(text)]
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def gold_locations(gold: dict, events_only: bool = False) -> list[dict]:
    """Distinct gold locations of an article: events' locations, and figures' places unless
    `events_only` (the issue's target counts event locations only)."""
    seen, out = set(), []
    places = [] if events_only else [f.get("place") for f in gold.get("figures", [])]
    for loc in [e.get("location") for e in gold.get("events", [])] + places:
        if not loc or not loc.get("name"):
            continue
        k = (loc["name"], loc.get("country"), loc.get("lat"), loc.get("lon"))
        if k not in seen:
            seen.add(k)
            out.append(loc)
    return out


def find_resolution(article: Article, name: str):
    """The stage's place for a gold name: an exact key match first, then containment."""
    want = nm.arabic_key(name)
    places = [p for p in article.layer("places") if p.role != "dateline"]
    exact = [p for p in places if nm.arabic_key(p.name) == want]
    near = [p for p in places if want and (want in nm.arabic_key(p.name) or nm.arabic_key(p.name) in want)
            and len(nm.arabic_key(p.name)) >= 3]
    for group in (exact, near):
        if group:
            resolved = [p for p in group if p.lat is not None] or group
            return resolved[0]
    return None


def score(golds: list[dict], extract, events_only: bool = False) -> GeoScore:
    """`extract(gold) -> Article` runs the pipeline on one gold article."""
    s = GeoScore()
    for gold in golds:
        article = extract(gold)
        for loc in gold_locations(gold, events_only):
            p = find_resolution(article, loc["name"])
            miss = {"id": gold.get("id"), "name": loc["name"], "gold": [loc.get("country"), loc.get("lat"),
                                                                       loc.get("lon")],
                    "found": None if p is None else [p.name, p.country, p.lat, p.lon, p.name_en]}
            bad = False
            if loc.get("lat") is not None:
                s.coords_total += 1
                d = None if p is None or p.lat is None else _km(loc["lat"], loc["lon"], p.lat, p.lon)
                if d is not None and d <= 10:
                    s.within_10km += 1
                else:
                    bad = True
                    miss["km"] = None if d is None else round(d, 1)
            if loc.get("country"):
                s.country_total += 1
                if p is not None and p.country == loc["country"]:
                    s.country_right += 1
                else:
                    bad = True
            if bad:
                s.misses.append(miss)
    return s
