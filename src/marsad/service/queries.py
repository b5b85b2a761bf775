"""Read functions the API needs over the store's tables (see `marsad.store.schema`).

The store owns the schema, ingest and the exporters; this module only reads: a page of
events with filters, one event with its source articles and evidence, one article with
every span, counts, and the located events counted per place for the map. An event of the API is
an incident (`store.incidents`): the reports of one incident from several articles are one event,
with `source_count`, and /v1/events/{id} lists every report with its article and evidence span.
Every value goes to DuckDB as a bound parameter, never spliced
into SQL; sorting picks from a fixed table of ORDER BY clauses.

An article's answer is rebuilt as an `Article` (its row + each layer's JSON) and printed
with `marsad.output.to_record`, so /v1/articles/{id} has the shape `marsad extract
--with-text` prints.
"""
from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path
from typing import Any

DAY = "coalesce(e.date, a.date)"   # the event's day, or the article's when the text gives none
SORT_SQL = {
    "date": f"{DAY} ASC NULLS LAST, e.incident_id",
    "-date": f"{DAY} DESC NULLS LAST, e.incident_id",
    "fatalities": "e.fatalities ASC NULLS LAST, e.incident_id",
    "-fatalities": "e.fatalities DESC NULLS LAST, e.incident_id",
    "country": "e.location_country ASC NULLS LAST, e.incident_id",
    "-country": "e.location_country DESC NULLS LAST, e.incident_id",
    "event_type": "e.event_type ASC NULLS LAST, e.incident_id",
    "-event_type": "e.event_type DESC NULLS LAST, e.incident_id",
}
SUMMARY_COLUMNS = f"""
    e.incident_id, e.report_id, e.source_count, e.report_count, e.article_key, e.event_type, e.sub_event_type, {DAY} AS day, e.date, e.date_start,
    e.time_precision, e.location_name, e.location_name_en, e.location_country, e.location_admin1,
    e.location_lat, e.location_lon, e.location_geo_precision, e.actor1_id, e.actor1_name, e.actor2_id,
    e.actor2_name, e.fatalities, e.injured, e.detained, e.evidence_start, e.evidence_end, e.evidence_text,
    e.confidence, e.notes, a.title, a.source, a.date AS article_date"""


class Database:
    """The store, open for the server's lifetime. Each read takes its own DuckDB cursor (a
    connection to the same database, safe to use in its own thread); writes go through the
    store's own `Store.write` on a connection of their own, one write at a time."""

    def __init__(self, path: Path, writable: bool = False, parquet: bool = False):
        from ..store.db import Store
        self.path = Path(path)
        self.writable = writable and not parquet
        if parquet:     # `serve --parquet`: views over a Spark output's files (store.parquet), never written
            from ..store.parquet import ParquetStore
            self.store = ParquetStore(self.path)
        else:
            self.store = Store(self.path, read_only=not writable)
        # A second Store on the same file shares the same DuckDB instance (same settings), so
        # a long write never holds the connection the reads take their cursors from.
        self.writer = Store(self.path) if self.writable else None
        self.write_lock = threading.Lock()

    @contextlib.contextmanager
    def cursor(self):
        cur = self.store.con.cursor()
        try:
            yield cur
        finally:
            cur.close()

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.store.close()


def ingest(db: Database, articles: list, records: list | None = None) -> dict:
    """Extract and store articles as `marsad ingest` does (`batch.extract.process` then `Store.write`);
    `records`: their extraction, done already (the server runs it in its worker processes)."""
    from ..batch.extract import process
    if records is None:
        records = [process(article) for article in articles]
    with db.write_lock:
        written = db.writer.write(records)
    return {"articles": len(articles), "new": written.new, "skipped": written.skipped,
            "events": written.events, "errors": written.errors,
            "ids": [r["key"] for r in records],
            "failed": [{"id": r["key"], "code": r["error"]["code"], "message": r["error"]["message"]}
                       for r in records if r["error"]]}


@dataclass
class Where:
    clauses: list[str] = field(default_factory=list)
    params: list[Any] = field(default_factory=list)

    def add(self, clause: str, *params: Any) -> None:
        self.clauses.append(clause)
        self.params.extend(params)

    @property
    def sql(self) -> str:
        return ("WHERE " + " AND ".join(self.clauses)) if self.clauses else ""


def where(filters) -> Where:
    w = Where()
    if filters.date_from:
        w.add(f"{DAY} >= ?", filters.date_from)
    if filters.date_to:
        w.add(f"{DAY} <= ?", filters.date_to)
    if filters.country:
        w.add(f"e.location_country IN ({', '.join('?' * len(filters.country))})", *filters.country)
    if filters.admin1:
        w.add("lower(e.location_admin1) = lower(?)", filters.admin1)
    if filters.event_type:
        w.add(f"e.event_type IN ({', '.join('?' * len(filters.event_type))})", *filters.event_type)
    if filters.actor:
        # contains(), not LIKE: a '%' or '_' the user types is a character, not a wildcard.
        w.add("(lower(e.actor1_id) = lower(?) OR lower(e.actor2_id) = lower(?) OR "
              "contains(lower(e.actor1_name), lower(?)) OR contains(lower(e.actor2_name), lower(?)) OR "
              "contains(lower(e.actor1_span_text), lower(?)) OR contains(lower(e.actor2_span_text), lower(?)))",
              *[filters.actor] * 6)
    if filters.bbox:
        min_lon, min_lat, max_lon, max_lat = filters.bbox
        w.add("e.location_lon BETWEEN ? AND ? AND e.location_lat BETWEEN ? AND ?", min_lon, max_lon, min_lat, max_lat)
    if filters.since:
        # An incident is new or changed when any of its reports comes from an article stored since.
        w.add("EXISTS (SELECT 1 FROM incident_reports r JOIN articles x ON x.article_key = r.article_key "
              "WHERE r.incident_id = e.incident_id AND x.ingested_at > ?)", filters.since)
    if filters.q:
        # The words may be in any report's evidence, not only the one the incident shows.
        w.add("(contains(e.evidence_text, ?) OR contains(lower(a.title), lower(?)) OR "
              "contains(e.location_name, ?) OR contains(lower(e.location_name_en), lower(?)) OR "
              "(e.report_count > 1 AND EXISTS (SELECT 1 FROM incident_reports r JOIN events x USING (event_id) "
              "WHERE r.incident_id = e.incident_id AND contains(x.evidence_text, ?))))", *[filters.q] * 5)
    return w


def list_events(cur, filters, sort: str, limit: int, offset: int) -> tuple[int, list[dict]]:
    w = where(filters)
    base = f"FROM incidents e JOIN articles a ON a.article_key = e.article_key {w.sql}"
    total = cur.execute(f"SELECT count(*) {base}", w.params).fetchone()[0]
    # LIMIT and OFFSET are written in (validated ints): as bound parameters they cost DuckDB its
    # top-N plan, which doubled the time of a page.
    rows = _dicts(cur.execute(f"SELECT {SUMMARY_COLUMNS} {base} ORDER BY {SORT_SQL[sort]} "
                              f"LIMIT {int(limit)} OFFSET {int(offset)}", w.params))
    return total, [summary(r) for r in rows]


def summary(r: dict) -> dict:
    """One incidents row as the API's event object (nested location and actors, spans as objects)."""
    location = None
    if r["location_name"] is not None or r["location_lat"] is not None:
        location = {"name": r["location_name"], "name_en": r["location_name_en"], "country": r["location_country"],
                    "admin1": r["location_admin1"], "lat": r["location_lat"], "lon": r["location_lon"],
                    "geo_precision": r["location_geo_precision"]}
    return {
        "id": r["incident_id"], "article_id": r["article_key"], "report_id": r["report_id"],
        "source_count": r["source_count"], "report_count": r["report_count"],
        "event_type": r["event_type"], "sub_event_type": r["sub_event_type"],
        "date": _iso(r["date"]), "date_start": _iso(r["date_start"]), "day": _iso(r["day"]),
        "time_precision": r["time_precision"], "location": location,
        "actor1": _actor(r["actor1_id"], r["actor1_name"]), "actor2": _actor(r["actor2_id"], r["actor2_name"]),
        "fatalities": r["fatalities"], "injured": r["injured"], "detained": r["detained"],
        "evidence": _span(r["evidence_start"], r["evidence_end"], r["evidence_text"]),
        "confidence": r["confidence"], "notes": r["notes"],
        "article": {"title": r["title"], "source": r["source"], "date": _iso(r["article_date"])},
    }


def get_event(cur, event_id: str) -> dict | None:
    """One incident with every report: its article and its spans. A report's id (the event ids
    of the store before incidents, still those of /v1/articles/{id}) finds its incident."""
    sql = f"SELECT {SUMMARY_COLUMNS} FROM incidents e JOIN articles a ON a.article_key = e.article_key WHERE "
    rows = _dicts(cur.execute(sql + "e.incident_id = ?", [event_id]))
    if not rows:
        rows = _dicts(cur.execute(sql + "e.incident_id = (SELECT incident_id FROM incident_reports WHERE "
                                        "event_id = ?)", [event_id]))
    if not rows:
        return None
    row = rows[0]
    reports = _dicts(cur.execute("""
        SELECT x.event_id, x.article_key, x.evidence_start, x.evidence_end, x.evidence_text, x.data,
               a.article_id, a.title, a.source, a.url, a.date
        FROM incident_reports r JOIN events x USING (event_id) JOIN articles a ON a.article_key = x.article_key
        WHERE r.incident_id = ? ORDER BY (x.event_id = ?) DESC, a.date NULLS LAST, x.event_id""",
                                 [row["incident_id"], row["report_id"]]))
    out = summary(row)
    # The representative report exactly as extraction wrote it (its spans are into its article).
    out["record"] = next((_loads(s["data"]) for s in reports if s["event_id"] == row["report_id"]), None) or {}
    out["sources"] = []
    for s in reports:
        evidence = _span(s["evidence_start"], s["evidence_end"], s["evidence_text"])
        record = _loads(s["data"]) or {}
        out["sources"].append({
            "report_id": s["event_id"],
            "article": {"id": s["article_key"], "source_id": s["article_id"], "title": s["title"],
                        "source": s["source"], "url": s["url"], "date": _iso(s["date"])},
            "role": "reported", "evidence": evidence,
            # every passage of the article that tells this incident (its evidence first)
            "mentions": record.get("mentions") or [evidence],
            # The report as extraction wrote it: every span is into this source's own text.
            "event": dict(record, evidence=evidence),
        })
    return out


def get_article(cur, article_id: str) -> dict | None:
    from ..article import LAYER_TYPES, Article
    from ..output import to_record

    rows = _dicts(cur.execute("SELECT * FROM articles WHERE article_key = ?", [article_id]))
    if not rows:   # the id the article came with, when it names one article only
        rows = _dicts(cur.execute("SELECT * FROM articles WHERE article_id = ? LIMIT 2", [article_id]))
        if len(rows) != 1:
            return None
    a = rows[0]
    key = a["article_key"]
    layers: dict[str, list] = {}
    for table in ("events", "figures", "quotes", "actors", "places", "entities"):
        items = cur.execute(f"SELECT data FROM {table} WHERE article_key = ? ORDER BY idx", [key]).fetchall()
        layers[table] = [_loads(d) for (d,) in items]
    for name, data in cur.execute("SELECT layer, data FROM layers WHERE article_key = ?", [key]).fetchall():
        layers[name] = _loads(data) or []
    layers = {k: v for k, v in layers.items() if k in LAYER_TYPES}
    article = Article.from_dict({"text": a["text"], "id": a["article_id"], "url": a["url"], "source": a["source"],
                                 "title": a["title"], "date": _iso(a["date"]), "date_source": a["date_source"],
                                 "warnings": _loads(a["warnings"]) or [], "layers": layers})
    record = to_record(article, with_text=True)
    record["source_id"], record["id"] = record["id"], key
    event_ids = cur.execute("SELECT e.event_id, r.incident_id FROM events e LEFT JOIN incident_reports r "
                            "USING (event_id) WHERE e.article_key = ? ORDER BY e.idx", [key]).fetchall()
    for event, (eid, incident) in zip(record["events"], event_ids):
        event["event_id"], event["incident_id"] = eid, incident
    return record


EXPORTS = {  # format -> (media type, file extension)
    "acled-csv": ("text/csv; charset=utf-8", "csv"),
    "geojson": ("application/geo+json", "geojson"),
    "parquet": ("application/vnd.apache.parquet", "parquet"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "jsonl"),
    "plover-jsonl": ("application/x-ndjson; charset=utf-8", "plover.jsonl"),
}


def export(db: Database, fmt: str, filters) -> tuple[Path, str, str]:
    """Write the events matching `filters` with the store's exporter to a temporary file.

    The exporters take the filters `marsad export` has (dates, one country, one event type);
    asking for another one is a 422 rather than an export that silently ignores it. The store
    streams the rows in Arrow batches over its own cursor, so an export is not under the query
    time limit: it is the one request meant to read everything."""
    import os
    import tempfile

    from ..store import exports
    from .envelope import invalid

    for name, value in (("admin1", filters.admin1), ("actor", filters.actor), ("bbox", filters.bbox),
                        ("q", filters.q), ("since", filters.since)):
        if value:
            raise invalid(name, "exports do not filter on it; they take date_from, date_to, country, event_type")
    for name, values in (("country", filters.country), ("event_type", filters.event_type)):
        if len(values) > 1:
            raise invalid(name, "exports take one value of it")
    chosen = exports.Filters(since=_iso(filters.date_from), until=_iso(filters.date_to),
                             country=filters.country[0] if filters.country else None,
                             event_type=filters.event_type[0] if filters.event_type else None)
    media_type, ext = EXPORTS[fmt]
    fd, name = tempfile.mkstemp(prefix="marsad-export-", suffix="." + ext)
    os.close(fd)
    path = Path(name)
    try:
        exports.export(db.store, fmt, str(path), chosen)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path, media_type, f"marsad-events.{ext}"


def stats(cur, filters) -> dict:
    w = where(filters)
    base = f"FROM incidents e JOIN articles a ON a.article_key = e.article_key {w.sql}"

    def counts(expr: str, name: str, order: str = "count DESC, key", limit: int | None = None) -> list[dict]:
        sql = f"SELECT {expr} AS key, count(*) AS count {base} GROUP BY key ORDER BY {order}"
        rows = cur.execute(sql + (f" LIMIT {int(limit)}" if limit else ""), w.params).fetchall()
        return [{name: _iso(k), "count": n} for k, n in rows]

    total = cur.execute(f"SELECT count(*), sum(e.fatalities), min({DAY}), max({DAY}) {base}", w.params).fetchone()
    actors = cur.execute(f"""
        SELECT actor, count(*) AS n FROM (
            SELECT coalesce(e.actor1_id, e.actor1_name) AS actor {base}
            UNION ALL SELECT coalesce(e.actor2_id, e.actor2_name) {base})
        WHERE actor IS NOT NULL GROUP BY actor ORDER BY n DESC, actor LIMIT 20""", w.params * 2).fetchall()
    return {
        "total": total[0], "fatalities": total[1] or 0, "first_day": _iso(total[2]), "last_day": _iso(total[3]),
        "by_type": counts("e.event_type", "event_type"),
        "by_country": counts("e.location_country", "country"),
        "by_week": counts(f"date_trunc('week', {DAY})::DATE", "week", "key NULLS LAST"),
        "by_day": counts(f"{DAY}", "day", "key NULLS LAST"),
        "top_actors": [{"actor": a, "count": n} for a, n in actors],
        "updated": updated(cur),
    }


def updated(cur) -> str | None:
    """When an article was last stored (ISO 8601, UTC): what `since` takes."""
    from ..feeds.state import iso_stamp
    return iso_stamp(cur.execute("SELECT max(ingested_at) FROM articles").fetchone()[0])


def feeds(cur) -> dict:
    """The feeds' state (`marsad feeds status`): see marsad.feeds.state.health."""
    from ..feeds.state import health
    return health(cur)


MAP_EVENTS_PER_PLACE = 5     # the latest events of a place listed with it (the rest are a filter away)


def map_places(cur, filters) -> dict:
    """Every located event of the filters, counted per place (its coordinates): what the map draws.

    One row per distinct (lat, lon), so the answer grows with the places of the gazetteer, not
    with the events; each carries its count per event type, its fatalities and its latest
    events ({id, day, event_type}), so a place of one event opens it at a click."""
    w = where(filters)
    base = f"FROM incidents e JOIN articles a ON a.article_key = e.article_key {w.sql}"
    total, located = cur.execute(f"SELECT count(*), count(e.location_lat) FILTER (WHERE e.location_lon IS NOT NULL) "
                                 f"{base}", w.params).fetchone()
    rows = cur.execute(f"""
        WITH ev AS (
            SELECT e.location_lat AS lat, e.location_lon AS lon, e.location_name AS name,
                   e.location_name_en AS name_en, e.location_country AS country, e.location_admin1 AS admin1,
                   e.location_geo_precision AS geo_precision, e.event_type, e.incident_id AS event_id, {DAY} AS day,
                   e.fatalities
            {base} {"AND" if w.clauses else "WHERE"} e.location_lat IS NOT NULL AND e.location_lon IS NOT NULL),
        types AS (SELECT lat, lon, event_type, count(*) AS n FROM ev GROUP BY ALL),
        latest AS (SELECT lat, lon, list({{'id': event_id, 'day': day, 'event_type': event_type}}
                                         ORDER BY day DESC NULLS LAST, event_id)[1:{MAP_EVENTS_PER_PLACE}]
                          AS ids FROM ev GROUP BY ALL)
        SELECT p.lat, p.lon, p.name, p.name_en, p.country, p.admin1, p.geo_precision, p.count, p.fatalities,
               p.first_day, p.last_day, t.by_type, l.ids
        FROM (SELECT lat, lon, mode(name) AS name, mode(name_en) AS name_en, mode(country) AS country,
                     mode(admin1) AS admin1, min(geo_precision) AS geo_precision, count(*) AS count,
                     sum(fatalities) AS fatalities, min(day) AS first_day, max(day) AS last_day
              FROM ev GROUP BY lat, lon) p
        JOIN (SELECT lat, lon, map_from_entries(list((event_type, n) ORDER BY n DESC, event_type)) AS by_type
              FROM types GROUP BY ALL) t USING (lat, lon)
        JOIN latest l USING (lat, lon)
        ORDER BY p.count DESC, p.lat, p.lon""", w.params).fetchall()
    places = [{"lat": lat, "lon": lon, "name": name, "name_en": name_en, "country": country, "admin1": admin1,
               "geo_precision": precision, "count": count, "fatalities": fatalities or 0,
               "first_day": _iso(first), "last_day": _iso(last), "by_type": dict(by_type),
               "events": [{**e, "day": _iso(e["day"])} for e in ids]}
              for (lat, lon, name, name_en, country, admin1, precision, count, fatalities, first, last, by_type,
                   ids) in rows]
    return {"total": total, "located": located, "places": places}


def _dicts(result) -> list[dict]:
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def _loads(value):
    if value is None or isinstance(value, (list, dict)):
        return value
    return json.loads(value)


def _iso(value):
    return value.isoformat() if isinstance(value, Date) else value


def _span(start, end, text) -> dict | None:
    return None if start is None else {"start": start, "end": end, "text": text}


def _actor(actor_id, name) -> dict | None:
    return None if actor_id is None and name is None else {"id": actor_id, "name": name}
