"""Ready summaries of the stored incidents, and read-only SQL for power users.

A summary counts incidents (`events` = incidents: the reports of one incident from several
articles count once); `sources` adds up how many articles reported them.

Raw SQL runs on a read-only connection with external access switched off (and locked), so
a query can read every table but cannot change the database, read or write other files,
attach other databases or load extensions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..errors import StoreError
from .db import Store, connect
from .exports import Filters

SUMMARIES = {
    "events-by-type": """
        SELECT event_type, sub_event_type, count(*) AS events, sum(fatalities) AS fatalities,
               sum(source_count) AS sources
        FROM incidents e {where} GROUP BY ALL ORDER BY events DESC, event_type, sub_event_type""",
    "events-by-country": """
        SELECT location_country AS country, count(*) AS events, sum(fatalities) AS fatalities,
               sum(source_count) AS sources, min(date) AS first, max(date) AS last
        FROM incidents e {where} GROUP BY ALL ORDER BY events DESC, country NULLS LAST""",
    "events-by-week": """
        SELECT CAST(date_trunc('week', date) AS DATE) AS week, count(*) AS events,
               sum(fatalities) AS fatalities, sum(source_count) AS sources
        FROM incidents e {where} GROUP BY ALL ORDER BY week NULLS LAST""",
    "top-actors": """
        WITH sides AS (
            SELECT actor1_id AS actor, actor1_name AS name, 1 AS as_actor1, 0 AS as_actor2, fatalities
            FROM incidents e {where}
            UNION ALL
            SELECT actor2_id, actor2_name, 0, 1, fatalities FROM incidents e {where})
        SELECT actor, any_value(name) AS name, count(*) AS events, sum(as_actor1) AS as_actor1,
               sum(as_actor2) AS as_actor2, sum(fatalities) AS fatalities
        FROM sides WHERE actor IS NOT NULL GROUP BY actor ORDER BY events DESC, actor LIMIT {limit}""",
}


@dataclass
class QueryResult:
    columns: list[str]
    rows: list[tuple[Any, ...]]

    def records(self) -> list[dict[str, Any]]:
        return [dict(zip(self.columns, row)) for row in self.rows]


def query(db: str | Store, name: str | None = None, sql: str | None = None, filters: Filters | None = None,
          limit: int = 20) -> QueryResult:
    """A ready summary (`name`, see SUMMARIES) or one read-only SQL statement (`sql`).

    `db` is a database file or, for summaries, a Store this process already has open."""
    if (name is None) == (sql is None):
        raise StoreError("E636", f"Give either a summary ({', '.join(SUMMARIES)}) or --sql, not "
                         f"{'both' if name else 'neither'}.")
    if sql is not None:
        if isinstance(db, Store):
            raise StoreError("E638", "Raw SQL runs on a read-only connection of its own: give the database "
                             "file, not an open Store.")
        return _raw(db, sql)
    if name not in SUMMARIES:
        raise StoreError("E636", f"Unknown summary {name!r}. Summaries: {', '.join(SUMMARIES)} (or --sql).")
    where, params = (filters or Filters()).where()
    text = SUMMARIES[name].format(where=where, limit=int(limit))
    if name == "top-actors":
        params = params * 2
    if isinstance(db, Store):
        return _run(db.con.cursor(), text, params)
    with Store(db, read_only=True) as store:
        return _run(store.con, text, params)


def _run(con, text: str, params: list) -> QueryResult:
    cur = con.execute(text, params)
    return QueryResult([d[0] for d in cur.description], cur.fetchall())


def _raw(db: str, sql: str) -> QueryResult:
    import duckdb

    with Store(db, read_only=True):    # checks the schema version and migrates if needed
        pass
    con = connect(db, read_only=True)
    try:
        con.execute("SET enable_external_access = false")
        con.execute("SET lock_configuration = true")
        try:
            cur = con.execute(sql)
        except duckdb.Error as e:
            raise StoreError("E637", f"SQL error: {e}") from None
        if cur.description is None:
            return QueryResult([], [])
        return QueryResult([d[0] for d in cur.description], cur.fetchall())
    finally:
        con.close()
