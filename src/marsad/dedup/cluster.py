"""From scored pairs to incidents, the same whatever order the reports came in.

1. **Links**: every pair of reports from two different articles, in one block (country and
   event-type family) and at most `window` days apart, whose score reaches the threshold.
2. **Components**: the connected components of the links. A component only grows when a new
   report links into it, so ingesting an article re-clusters just the components it touches.
3. **Incidents** inside a component: single linkage, strongest link first (ties by the two
   report ids), except that two groups holding a report each *from one article* are joined
   only if those two reports match each other too: the extractor already merged what one
   article says about one incident, so two reports it kept apart in an article need their own
   evidence that they are one incident (the within-article gold: events of one article are
   different incidents).

Every step is a function of the set of reports (their keys and the model), never of their
order: the links are, the components are, and step 3 visits the links in a fixed order. An
incident is named after its smallest report id (`i-<event_id>`), so its id follows from its
members, and it stays the same while reports join it (unless one with a smaller id does).

Written here rather than taken from scikit-learn's AgglomerativeClustering: that has no
cannot-link constraints, needs the full distance matrix and has no incremental use.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable


def components(members: Iterable[str], links: Iterable[tuple[str, str, float]]) -> list[list[str]]:
    """Connected components of `links` over `members`, each sorted, in order of their first id."""
    parent = {m: m for m in members}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _ in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[str, list[str]] = {}
    for m in parent:
        groups.setdefault(find(m), []).append(m)
    return sorted((sorted(g) for g in groups.values()), key=lambda g: g[0])


def incidents(members: list[str], article: dict[str, str], links: list[tuple[str, str, float]],
              match: Callable[[str, str], bool]) -> list[list[str]]:
    """Split one component into incidents (step 3 above).

    `article` maps each report to its article key; `links` are the component's (a, b, score)
    with a != b from different articles; `match(x, y)` says whether two reports of one article
    match each other (asked only when a join would put them in one incident)."""
    group = {m: m for m in members}
    items: dict[str, list[str]] = {m: [m] for m in members}
    arts: dict[str, set[str]] = {m: {article[m]} for m in members}

    def find(x: str) -> str:
        while group[x] != x:
            group[x] = group[group[x]]
            x = group[x]
        return x

    for a, b, _ in sorted(links, key=lambda l: (-l[2], min(l[0], l[1]), max(l[0], l[1]))):
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        shared = arts[ra] & arts[rb]
        if shared and not all(match(x, y) for x in items[ra] if article[x] in shared
                              for y in items[rb] if article[y] == article[x]):
            continue
        keep, gone = min(ra, rb), max(ra, rb)
        group[gone] = keep
        items[keep] = items[keep] + items.pop(gone)
        arts[keep] = arts[keep] | arts.pop(gone)
    return sorted((sorted(v) for v in items.values()), key=lambda g: g[0])


def incident_id(members: Iterable[str]) -> str:
    return f"i-{min(members)}"
