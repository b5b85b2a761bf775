"""Events' places on the 2,000 corpus articles: coordinates, districts, and countries the article never names.

    MARSAD_DATA=... python bench/places_countries.py [N_ARTICLES] [-v]

Counts, over the events `marsad extract` finds in ../shared/data/arabic_conflict_news/articles.jsonl:
- events without coordinates (target: 10% or fewer);
- events whose place has a district (`admin2`) among those resolved below country level;
- events placed in a country that neither the article's words nor its actors name (target 0):
  "named" = a place mention other than this event's (dateline included), a nisba adjective
  (السورية → SY), an actor's country, or the event's place itself when it is a country, a
  governorate or a city of 100,000 or more (تعز names Yemen). `-v` lists them.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import marsad
from marsad.article import Article
from marsad.places import gazetteer
from marsad.places.resolve import _nisba_countries

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "arabic_conflict_news" / "articles.jsonl"


def _population(g, gid: int) -> int:
    hit = (g._gid == gid).nonzero()[0]
    return g.entry(int(hit[0])).population if len(hit) else 0


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    n = int(args[0]) if args else 2000
    verbose = "-v" in sys.argv
    g = gazetteer.get()
    if g is None:
        sys.exit("no gazetteer: run the README's `marsad places build ...` first")
    c: Counter = Counter()
    with CORPUS.open(encoding="utf-8") as f:
        for k, line in enumerate(f):
            if k == n:
                break
            a = json.loads(line)
            art = marsad.extract(Article(a["text"], id=a["id"], date=a.get("date")))
            events = art.layer("events")
            if not events:
                continue
            places = art.layer("places")
            named = {p.country for p in places if p.country}
            named |= set(_nisba_countries(art, g))
            for e in events:
                named |= {x.country for x in (e.actor1, e.actor2) if x is not None and x.country}
            for e in events:
                c["events"] += 1
                p = e.location
                if p is None or p.lat is None:
                    c["no coordinates"] += 1
                if p is not None and p.lat is not None and p.feature not in ("country", "admin1"):
                    c["below admin1"] += 1
                    c["with admin2"] += bool(p.admin2)
                if p is not None and p.country:
                    others = {q.country for q in places if q.country and q.span != p.span}
                    itself = p.feature in ("country", "admin1") or (p.geonameid is not None and _population(g, p.geonameid) >= 100_000)
                    if not itself and p.country not in (named - {p.country}) | others:
                        c["unnamed country"] += 1
                        if verbose:
                            print(f"{a['id']}\t{p.name}\t{p.country}\t{p.name_en}", file=sys.stderr)
    ev = c["events"] or 1
    print(f"events                       {c['events']}")
    print(f"without coordinates          {c['no coordinates']}  ({100 * c['no coordinates'] / ev:.1f}%)")
    print(f"with admin2 (below admin1)   {c['with admin2']} / {c['below admin1']}")
    print(f"in a country not named       {c['unnamed country']}")


if __name__ == "__main__":
    main()
