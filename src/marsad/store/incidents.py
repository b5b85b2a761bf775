"""Incidents in the store: reports of one incident from different articles grouped together.

Each row of `events` is a **report**: what one article says about one incident, with its
own type, date, place, actors, counts and evidence span (its id and columns are those the
extractor wrote; nothing here changes them). Cross-article matching (`marsad.dedup`) groups
reports into **incidents**:

    match_keys        one row per report: what matching compares (written with the report)
    dedup_links       pairs of reports whose score reaches the threshold (a < b)
    incident_reports  report -> its incident and its component (the connected set of links)
    incidents         one row per incident, fields chosen from its reports (dedup.incident)
    dedup_state       the model the links were made with, the threshold if one was set with
                      `marsad dedup --threshold`, and 'pending' when reports wait for a full
                      re-clustering (`marsad ingest --no-dedup`)

`update` runs inside the transaction that stores a batch of articles, so an incident never
lags behind its reports and a crash leaves both or neither. It compares each new report
with the stored reports of its block (country, event-type family) within the model's date
window, so the pairs scored grow with the block, not the store; then it re-clusters only
the components the new links touch.

What a commit reads is bounded the same way. DuckDB (2.0.1) answers a lookup by id with a
sequential scan, ART index or not, and a semi-join on ids reads every column of every row
before it filters: on a wide table (`match_keys` with its word lists, `events`) that cost
grows with the store. So every wide read here goes by block and day, or by row id
(`rowid IN (SELECT rowid ... WHERE event_id = ANY(?))`): only the narrow id column is
scanned whole, and the wide columns are read for the rows found (`_by_id`). A stored
report's keys, once read, stay in the writer's `SigCache` for the next commits. `rebuild` clusters the whole store block by block (`marsad dedup`). Both give the
same incidents for the same reports, whatever order and batches they came in (see
`marsad.dedup.cluster`).
"""
from __future__ import annotations

import bisect
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from datetime import date as Date, timedelta
from typing import Any

from ..dedup import cluster as clustering
from ..dedup.incident import build
from ..dedup.model import Model, Sig, load

KEY_COLUMNS = ("event_id", "article_key", "block", "day", "event_type", "sub_event_type", "place", "admin1",
               "lat", "lon", "actors", "words", "context", "title", "numbers", "text")
# What a report's keys take from its `events` row besides (`marsad.dedup.keys` puts it in the
# rows it makes for new reports).
EVENT_KEYS = ("fatalities",)
CHUNK = 2000


def _rows(con, sql: str, params: list | None = None) -> list[dict[str, Any]]:
    cur = con.execute(sql, params or [])
    names = [d[0] for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def _ids(values: Iterable[str]) -> list[str]:
    return sorted(set(values))


def _by_id(con, table: str, columns: str, ids: list[str], join: str = "", alias: str = "") -> list[dict[str, Any]]:
    """Rows of a wide table by event id, reading its wide columns only for those rows (see the
    module's docstring): the ids are found by a scan of the id column, the rows by row id."""
    out: list[dict[str, Any]] = []
    t = f"{table} {alias}".strip()
    rowid = f"{alias}.rowid" if alias else "rowid"
    for i in range(0, len(ids), CHUNK):
        out.extend(_rows(con, f"SELECT {columns} FROM {t} {join} WHERE {rowid} IN "
                              f"(SELECT rowid FROM {table} WHERE event_id = ANY(?::VARCHAR[]))",
                         [ids[i:i + CHUNK]]))
    return out


def _keys_by_id(con, ids: list[str]) -> list[dict[str, Any]]:
    """Match-key rows (with `EVENT_KEYS` from `events`) of these reports."""
    rows = _by_id(con, "match_keys", ", ".join(KEY_COLUMNS), ids)
    if rows:
        extra = {r["event_id"]: r for r in _by_id(con, "events", ", ".join(("event_id",) + EVENT_KEYS),
                                                  [r["event_id"] for r in rows])}
        for r in rows:
            r.update({c: (extra.get(r["event_id"]) or {}).get(c) for c in EVENT_KEYS})
    return rows


def _intervals(days: Iterable[Date], window: int) -> list[tuple[Date, Date]]:
    """The days within `window` of any of `days`, as sorted disjoint intervals."""
    out: list[list[Date]] = []
    step = timedelta(days=window)
    for d in sorted(set(days)):
        lo, hi = d - step, d + step
        if out and lo <= out[-1][1] + timedelta(days=1):
            out[-1][1] = max(out[-1][1], hi)
        else:
            out.append([lo, hi])
    return [(lo, hi) for lo, hi in out]


# -- state -----------------------------------------------------------------------------------

def state(con) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM dedup_state").fetchall())


def set_state(con, **values: str | None) -> None:
    for key, value in values.items():
        con.execute("DELETE FROM dedup_state WHERE key = ?", [key])
        if value is not None:
            con.execute("INSERT INTO dedup_state VALUES (?, ?)", [key, value])


def settings(con, model: Model) -> tuple[float, bool]:
    """(threshold, up to date): the threshold set with `marsad dedup --threshold`, else the
    model's; and whether the links were made by this model and no report waits for clustering."""
    s = state(con)
    threshold = float(s.get("threshold", model.threshold))
    return threshold, s.get("model") == model.id and s.get("pending") is None


# -- matching ----------------------------------------------------------------------------------

class _Block:
    """A block's reports sorted by day, for the window lookups of a sweep."""

    def __init__(self, sigs: list[Sig]):
        self.sigs = sorted((s for s in sigs if s.day is not None), key=lambda s: (s.day, s.event_id))
        self.days = [s.day.toordinal() for s in self.sigs]

    def near(self, day: Date, window: int) -> list[Sig]:
        o = day.toordinal()
        return self.sigs[bisect.bisect_left(self.days, o - window):bisect.bisect_right(self.days, o + window)]


def _link(model: Model, threshold: float, a: Sig, b: Sig) -> tuple[str, str, float] | None:
    if a.article_key == b.article_key or a.event_id == b.event_id:
        return None
    p = model.score(a, b, at_least=threshold)
    if p is None or p < threshold:
        return None
    return (a.event_id, b.event_id, p) if a.event_id < b.event_id else (b.event_id, a.event_id, p)


def _matcher(model: Model, threshold: float, sigs: dict[str, Sig]) -> Callable[[str, str], bool]:
    cache: dict[tuple[str, str], bool] = {}

    def match(x: str, y: str) -> bool:
        key = (x, y) if x < y else (y, x)
        if key not in cache:
            cache[key] = model.score(sigs[x], sigs[y]) >= max(threshold, model.same_article)
        return cache[key]
    return match


def _cluster(members: list[str], articles: dict[str, str], links: list[tuple[str, str, float]],
             match) -> list[tuple[str, str, list[str]]]:
    """(component id, incident id, members) for every incident over `members`."""
    out = []
    by_member: dict[str, list] = defaultdict(list)
    for link in links:
        by_member[link[0]].append(link)
    for comp in clustering.components(members, links):
        comp_links = [link for m in comp for link in by_member.get(m, ())]
        for inc in clustering.incidents(comp, articles, comp_links, match):
            out.append((comp[0], clustering.incident_id(inc), inc))
    return out


# -- writing -----------------------------------------------------------------------------------

REPORT_COLUMNS = """e.event_id, e.article_key, e.event_type, e.sub_event_type, e.evidence_start, e.evidence_end,
    e.evidence_text, e.date, e.date_start, e.time_precision,
    e.actor1_id, e.actor1_name, e.actor1_actor_type, e.actor1_country, e.actor1_via, e.actor1_span_start,
    e.actor1_span_end, e.actor1_span_text, e.actor2_id, e.actor2_name, e.actor2_actor_type, e.actor2_country,
    e.actor2_via, e.actor2_span_start, e.actor2_span_end, e.actor2_span_text,
    e.location_name, e.location_role, e.location_geonameid, e.location_name_en, e.location_country,
    e.location_admin1, e.location_admin2, e.location_lat, e.location_lon, e.location_geo_precision,
    e.location_feature, e.location_span_start, e.location_span_end, e.location_span_text, e.location_name_ar,
    e.location_confidence, e.fatalities, e.injured, e.detained, e.plover_type, e.plover_mode, e.notes, e.confidence,
    e.trigger_start, e.trigger_end, e.trigger_text, a.date AS article_date"""


def _write(con, insert, groups: list[tuple[str, str, list[str]]], articles: dict[str, str]) -> None:
    """Store incident_reports and incidents rows for these (component, incident, members)."""
    members = [m for _, _, inc in groups for m in inc]
    reports = {r["event_id"]: r for r in _by_id(con, "events", REPORT_COLUMNS, members,
                                                 join="JOIN articles a USING (article_key)", alias="e")}
    members_rows, rows = incident_rows(groups, articles, reports)
    insert("incident_reports", members_rows)
    for row in rows:
        for c in ("date", "date_start", "first_reported", "last_reported"):
            if isinstance(row.get(c), Date):
                row[c] = row[c].isoformat()
    insert("incidents", rows)


class SigCache:
    """Recently compared reports' precomputed keys (event id -> Sig), so the reports of a busy
    block are not rebuilt at every commit. Bounded; a stored report's keys never change."""

    def __init__(self, model: Model, size: int = 20000):
        self.model, self.size, self.items = model, size, OrderedDict()

    def get(self, event_id: str) -> Sig | None:
        sig = self.items.get(event_id)
        if sig is not None:
            self.items.move_to_end(event_id)
        return sig

    def put(self, sig: Sig) -> None:
        self.items[sig.event_id] = sig
        if len(self.items) > self.size:
            self.items.popitem(last=False)


def update(con, insert, keys: list[dict[str, Any]], model: Model | None = None,
           cache: SigCache | None = None) -> None:
    """Merge new reports (their match-key rows, already inserted) into the stored incidents."""
    if not keys:
        return
    model = model or load()
    if cache is None or cache.model is not model:
        cache = SigCache(model)
    threshold, current = settings(con, model)
    if not current:
        rebuild(con, insert, model)      # (the threshold as stored, or the model's: not recorded as chosen)
        return
    window = model.window
    new = {s.event_id: s for s in (model.sig(r) for r in keys)}
    days: dict[str, set[Date]] = defaultdict(set)
    for s in new.values():
        if s.day is not None:
            days[s.block].add(s.day)
    # The stored reports of each block within the window of a new report's day: one query of
    # table filters (block, day range) per interval, so what is read grows with the blocks'
    # days, not with the store; only the rows not in the cache are converted.
    spans = [(block, lo, hi) for block in sorted(days) for lo, hi in _intervals(days[block], window)]
    old: dict[str, Sig] = {}
    for i in range(0, len(spans), 64):
        part = spans[i:i + 64]
        sql = " UNION ALL ".join(["SELECT event_id FROM match_keys WHERE block = ? AND day BETWEEN ? AND ?"] * len(part))
        ids = [r[0] for r in con.execute(sql, [v for span in part for v in span]).fetchall() if r[0] not in new]
        missing = []
        for eid in ids:
            sig = cache.get(eid)
            if sig is None:
                missing.append(eid)
            else:
                old[eid] = sig
        for r in _keys_by_id(con, missing):
            old[r["event_id"]] = sig = model.sig(r)
            cache.put(sig)
    for s in new.values():
        cache.put(s)
    by_block_old: dict[str, list[Sig]] = defaultdict(list)
    for s in old.values():
        by_block_old[s.block].append(s)
    by_block_new: dict[str, list[Sig]] = defaultdict(list)
    for s in new.values():
        by_block_new[s.block].append(s)
    links = []
    for block, fresh in by_block_new.items():
        olds, news = _Block(by_block_old.get(block, [])), _Block(fresh)
        for s in news.sigs:
            for c in olds.near(s.day, window):
                link = _link(model, threshold, s, c)
                if link:
                    links.append(link)
            for c in news.near(s.day, window):
                if c.event_id > s.event_id:
                    link = _link(model, threshold, s, c)
                    if link:
                        links.append(link)
    insert("dedup_links", [{"a": a, "b": b, "p": p} for a, b, p in links])

    # The components the new links reach, whole; everything else stays as it is.
    touched = _ids(x for a, b, _ in links for x in (a, b) if x not in new)
    articles = {s.event_id: s.article_key for s in new.values()}
    old_members: list[dict] = []
    if touched:
        comps = _ids(r["component_id"] for r in _rows(
            con, "SELECT component_id FROM incident_reports WHERE event_id IN (SELECT unnest(?::VARCHAR[]))",
            [touched]))
        old_members = _rows(con, "SELECT event_id, article_key, incident_id FROM incident_reports "
                                 "WHERE component_id IN (SELECT unnest(?::VARCHAR[]))", [comps])
    for r in old_members:
        articles[r["event_id"]] = r["article_key"]
    members = sorted(articles)
    stored_links = []
    if old_members:
        ids = [r["event_id"] for r in old_members]
        stored_links = [(r["a"], r["b"], r["p"]) for r in _rows(
            con, "SELECT a, b, p FROM dedup_links WHERE a IN (SELECT unnest(?::VARCHAR[]))", [ids])]
    all_links = sorted(set(stored_links) | set(links))
    sigs = dict(new)
    counts: dict[str, int] = defaultdict(int)
    for a in articles.values():
        counts[a] += 1
    wanted = [m for m, a in articles.items() if counts[a] > 1 and m not in sigs]
    for m in wanted:
        sig = old.get(m) or cache.get(m)
        if sig is not None:
            sigs[m] = sig
    for r in _keys_by_id(con, [m for m in wanted if m not in sigs]):
        sigs[r["event_id"]] = sig = model.sig(r)
        cache.put(sig)
    groups = _cluster(members, articles, all_links, _matcher(model, threshold, sigs))
    if old_members:
        con.execute("DELETE FROM incident_reports WHERE event_id IN (SELECT unnest(?::VARCHAR[]))",
                    [[r["event_id"] for r in old_members]])
        con.execute("DELETE FROM incidents WHERE incident_id IN (SELECT unnest(?::VARCHAR[]))",
                    [_ids(r["incident_id"] for r in old_members)])
    _write(con, insert, groups, articles)


def cluster_block(model: Model, threshold: float, sigs: list[Sig]
                  ) -> tuple[list[tuple[str, str, float]], list[tuple[str, str, list[str]]]]:
    """All the links among the reports of one block, and its (component id, incident id, members):
    what `rebuild` does for each block of a store, and a Spark job for each group of reports
    (`marsad.batch.spark`). A function of the set of reports alone, not of their order."""
    index = _Block(sigs)
    links = []
    for i, s in enumerate(index.sigs):
        hi = bisect.bisect_right(index.days, index.days[i] + model.window)
        for c in index.sigs[i + 1:hi]:
            link = _link(model, threshold, s, c)
            if link:
                links.append(link)
    articles = {s.event_id: s.article_key for s in sigs}
    groups = _cluster(sorted(articles), articles, sorted(links), _matcher(model, threshold,
                                                                          {s.event_id: s for s in sigs}))
    return links, groups


def incident_rows(groups: list[tuple[str, str, list[str]]], articles: dict[str, str], reports: dict[str, dict]
                  ) -> tuple[list[dict], list[dict]]:
    """(incident_reports rows, incidents rows) of these groups; `reports` maps each member to its
    row of REPORT_COLUMNS (an `events` row with its article's date as `article_date`)."""
    links = [{"event_id": m, "article_key": articles[m], "incident_id": iid, "component_id": cid}
             for cid, iid, inc in groups for m in inc]
    return links, [build(iid, [reports[m] for m in inc]) for _, iid, inc in groups]


def rebuild(con, insert, model: Model | None = None, threshold: float | None = None,
            progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Re-cluster the whole store (match keys missing for older reports are computed first)."""
    model = model or load()
    if threshold is None:
        threshold = settings(con, model)[0]
    else:                               # chosen by the user: kept for later ingests
        set_state(con, threshold=repr(threshold))
    backfill(con, insert)
    for table in ("dedup_links", "incident_reports", "incidents"):
        con.execute(f"DELETE FROM {table}")
    blocks = [b for (b,) in con.execute("SELECT DISTINCT block FROM match_keys ORDER BY block").fetchall()]
    links_total = 0
    for n, block in enumerate(blocks):
        sigs = [model.sig(r) for r in _rows(
            con, f"SELECT {', '.join('m.' + c for c in KEY_COLUMNS)}, {', '.join('e.' + c for c in EVENT_KEYS)} "
                 "FROM match_keys m JOIN events e USING (event_id) WHERE m.block = ? ORDER BY m.event_id", [block])]
        links, groups = cluster_block(model, threshold, sigs)
        insert("dedup_links", [{"a": a, "b": b, "p": p} for a, b, p in links])
        links_total += len(links)
        _write(con, insert, groups, {s.event_id: s.article_key for s in sigs})
        if progress:
            progress(n + 1, len(blocks))
    set_state(con, model=model.id, pending=None)
    incidents = con.execute("SELECT count(*) FROM incidents").fetchone()[0]
    reports = con.execute("SELECT count(*) FROM incident_reports").fetchone()[0]
    return {"reports": reports, "incidents": incidents, "links": links_total, "blocks": len(blocks)}


def backfill(con, insert) -> int:
    """Compute the match keys of reports stored before they existed (a store from before
    migration 4), from the stored article text, title, quantities and event rows."""
    from ..article import Article
    from ..dedup.keys import rows as key_rows
    import json

    keys = [k for (k,) in con.execute(
        "SELECT DISTINCT e.article_key FROM events e ANTI JOIN match_keys m USING (event_id) ORDER BY 1").fetchall()]
    for i in range(0, len(keys), 200):
        chunk = keys[i:i + 200]
        arts = {r["article_key"]: r for r in _rows(
            con, "SELECT article_key, text, title, CAST(date AS VARCHAR) AS date FROM articles "
                 "WHERE article_key IN (SELECT unnest(?::VARCHAR[]))", [chunk])}
        layers = dict(con.execute("SELECT article_key, data FROM layers WHERE layer = 'quantities' AND "
                                  "article_key IN (SELECT unnest(?::VARCHAR[]))", [chunk]).fetchall())
        events: dict[str, list[dict]] = defaultdict(list)
        for r in _rows(con, "SELECT event_id, article_key, event_type, sub_event_type, CAST(date AS VARCHAR) AS date, "
                            "evidence_start, evidence_end, location_geonameid, location_name, location_country, "
                            "location_admin1, location_lat, location_lon, actor1_id, actor2_id, fatalities FROM events "
                            "WHERE article_key IN (SELECT unnest(?::VARCHAR[])) ORDER BY idx", [chunk]):
            events[r["article_key"]].append(r)
        out = []
        for key in chunk:
            a = arts[key]
            article = Article.from_dict({"text": a["text"], "title": a["title"], "date": a["date"],
                                         "layers": {"quantities": json.loads(layers.get(key) or "[]")}})
            out.extend(key_rows(article, events[key], key))
        insert("match_keys", out)
    return len(keys)
