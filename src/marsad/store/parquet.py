"""The store as a folder of Parquet tables: what `marsad spark run` writes (`marsad.batch.spark`),
`marsad store import` loads into a store file, and `marsad serve --parquet` reads in place.

    DIR/articles/month=2019-03/part-....parquet     one folder per table; the tables of articles
    DIR/events/month=2019-03/...                    (articles, errors and every child table of
    ...                                             `db.CHILD_TABLES`) are partitioned by the
    DIR/incidents/part-....parquet                  article's publication month ('undated' when it
    DIR/incident_reports/, dedup_links/, dedup_state/  has none); the deduplication tables are whole

Every table has the store's own columns, names and types (read from the schema's migrations,
never written out a second time here), less what only a store's run gives: `run_id`,
`ingested_at` and `created_at`. Nothing in this module imports pyspark: DuckDB reads the files.
"""
from __future__ import annotations

import contextlib
import glob
import time
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from ..errors import StoreError
from .db import CHILD_TABLES, DEDUP_TABLES, Store

# Tables of one article each (partitioned by month) and the tables deduplication writes (whole).
ARTICLE_TABLES = ("articles", "errors", *CHILD_TABLES)
WHOLE_TABLES = (*DEDUP_TABLES, "dedup_state")
# Columns a store's run fills in: not in the Parquet files.
RUN_COLUMNS = {"articles": ("run_id", "ingested_at"), "errors": ("run_id", "created_at")}
PARTITION = "month"
UNDATED = "undated"


@lru_cache(maxsize=1)
def _columns() -> dict[str, tuple[tuple[str, str], ...]]:
    """{table: ((column, DuckDB type), ...)} of the latest schema, from an empty store in memory."""
    import duckdb

    con = duckdb.connect(":memory:")
    try:
        from . import schema
        schema.migrate(con, ":memory:")
        out: dict[str, list] = {}
        for table, name, dtype in con.execute(
                "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' "
                "ORDER BY table_name, column_index").fetchall():
            out.setdefault(table, []).append((name, dtype))
    finally:
        con.close()
    return {t: tuple(c) for t, c in out.items()}


def columns(table: str) -> tuple[tuple[str, str], ...]:
    """(name, DuckDB type) of each column a Parquet table has: the store's, less RUN_COLUMNS."""
    skip = RUN_COLUMNS.get(table, ())
    return tuple(c for c in _columns()[table] if c[0] not in skip)


def month_of(day: str | None) -> str:
    """The partition of an article published on `day` (ISO date or None)."""
    return day[:7] if isinstance(day, str) and len(day) >= 7 else UNDATED


def files(root: str | Path, table: str) -> list[str]:
    return sorted(glob.glob(str(Path(root) / table / "**" / "*.parquet"), recursive=True))


def _check(root: str | Path) -> Path:
    root = Path(root)
    if not root.is_dir() or not files(root, "articles"):
        raise StoreError("E650", f"{root} is not the output of `marsad spark run` (no articles/*.parquet in it). "
                         f"Write one with `marsad spark run INPUT... --out {root}`.")
    return root


def _scan(root: Path, table: str) -> str:
    pattern = str(root / table / "**" / "*.parquet").replace("'", "''")
    return f"read_parquet('{pattern}', hive_partitioning = true, union_by_name = true)"


def _select(table: str, extra: dict[str, str] | None = None) -> str:
    cols = [f'CAST("{name}" AS {dtype}) AS "{name}"' for name, dtype in columns(table)]
    cols += [f"{value} AS \"{name}\"" for name, value in (extra or {}).items()]
    return ", ".join(cols)


class ParquetStore:
    """A Spark output opened read-only: an in-memory DuckDB database whose tables are views over
    the Parquet files (the tables the output lacks are the store's, empty). It has what the
    server, the exports and the summaries use of a `Store`: `con`, `path`, `columns`, `close`.
    Each query reads the files as they are then, so a re-run of the job shows at once."""

    read_only = True

    def __init__(self, root: str | Path):
        import duckdb

        from . import schema

        self.root = _check(root)
        self.path = str(self.root)
        self.con = duckdb.connect(":memory:")
        try:
            schema.migrate(self.con, ":memory:")
            # What the API calls "updated" (the last time an article was stored): when the files were written.
            newest = max(Path(f).stat().st_mtime for f in files(self.root, "articles"))
            stamp = datetime.fromtimestamp(newest, timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
            for table in (*ARTICLE_TABLES, *WHOLE_TABLES):
                if not files(self.root, table):
                    continue
                extra = {"articles": {"run_id": "NULL::INTEGER", "ingested_at": f"TIMESTAMP '{stamp}'"},
                         "errors": {"run_id": "NULL::INTEGER", "created_at": f"TIMESTAMP '{stamp}'"}}.get(table)
                self.con.execute(f"DROP TABLE {table}")
                self.con.execute(f"CREATE VIEW {table} AS SELECT {_select(table, extra)} FROM {_scan(self.root, table)}")
        except BaseException:
            self.con.close()
            raise
        self._columns = {t: [c for c, _ in _columns()[t]] for t in _columns()}

    def columns(self, table: str) -> list[str]:
        return self._columns[table]

    def count(self, table: str) -> int:
        return self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def __enter__(self) -> "ParquetStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()


def import_dir(root: str | Path, db: str | Path) -> dict:
    """Load a Spark output into the store `db` (created if missing), as `marsad ingest` would have
    stored the same articles: articles already in the store are skipped, error rows replace those
    of the same input, and the run is a row of `runs`. Into a store that had no reports the
    output's incidents are copied as they are (Spark matched every report already); otherwise
    every report is clustered afresh (`marsad dedup`). Returns counts."""
    from . import incidents

    root = _check(root)
    t = time.perf_counter()
    with Store(db) as store:
        pipeline = store.con.execute(f"SELECT any_value(pipeline) FROM {_scan(root, 'articles')}").fetchone()[0]
        run_id = store.start_run([str(root)], 0, pipeline or "")
        status, message = "failed", None
        try:
            with store.transaction():
                out = _load(store, root, run_id)
                had_reports = out.pop("had_reports")
                if had_reports or not files(root, "incidents"):
                    out.update(incidents.rebuild(store.con, store._insert))
                else:
                    for table in DEDUP_TABLES:
                        if files(root, table):
                            store.con.execute(f"INSERT INTO {table} SELECT {_select(table)} FROM {_scan(root, table)}")
                    state = dict(store.con.execute(f"SELECT key, value FROM {_scan(root, 'dedup_state')}").fetchall()) \
                        if files(root, "dedup_state") else {}
                    incidents.set_state(store.con, **state)
                out["incidents"] = store.count("incidents")
            status = "completed"
        except BaseException as e:
            message = str(e)
            raise
        finally:
            with contextlib.suppress(Exception):
                store.finish_run(run_id, status, time.perf_counter() - t, message)
    out["run_id"], out["seconds"] = run_id, time.perf_counter() - t
    return out


def _load(store: Store, root: Path, run_id: int) -> dict:
    con = store.con
    had_reports = con.execute("SELECT count(*) FROM events").fetchone()[0] > 0
    con.execute(f"CREATE TEMP TABLE _import_keys AS SELECT DISTINCT article_key FROM {_scan(root, 'articles')} "
                "WHERE article_key NOT IN (SELECT article_key FROM articles)")
    read = con.execute(f"SELECT count(*) FROM {_scan(root, 'articles')}").fetchone()[0]
    new = con.execute("SELECT count(*) FROM _import_keys").fetchone()[0]
    now = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(sep=" ")
    con.execute(f"INSERT INTO articles BY NAME SELECT {_select('articles')}, {int(run_id)} AS run_id, "
                f"TIMESTAMP '{now}' AS ingested_at FROM {_scan(root, 'articles')} "
                "WHERE article_key IN (SELECT article_key FROM _import_keys)")
    for table in CHILD_TABLES:
        if files(root, table):
            con.execute(f"INSERT INTO {table} BY NAME SELECT {_select(table)} FROM {_scan(root, table)} "
                        "WHERE article_key IN (SELECT article_key FROM _import_keys)")
    # Stored now: an earlier failure of the same article is history (as in Store.write).
    con.execute("DELETE FROM errors WHERE article_key IN (SELECT article_key FROM articles)")
    errors = 0
    if files(root, "errors"):
        con.execute(f"CREATE TEMP TABLE _import_errors AS SELECT {_select('errors')} FROM {_scan(root, 'errors')} "
                    "WHERE article_key IS NULL OR article_key NOT IN (SELECT article_key FROM articles)")
        con.execute("DELETE FROM errors WHERE error_key IN (SELECT error_key FROM _import_errors)")
        con.execute(f"INSERT INTO errors BY NAME SELECT *, {int(run_id)} AS run_id, TIMESTAMP '{now}' AS created_at "
                    "FROM _import_errors")
        errors = con.execute("SELECT count(*) FROM _import_errors").fetchone()[0]
        con.execute("DROP TABLE _import_errors")
    events = con.execute("SELECT count(*) FROM events WHERE article_key IN (SELECT article_key FROM _import_keys)"
                         ).fetchone()[0]
    con.execute("DROP TABLE _import_keys")
    con.execute("UPDATE runs SET articles_read = ?, articles_new = ?, articles_skipped = ?, errors = ?, events = ? "
                "WHERE run_id = ?", [read + errors, new, read - new, errors, events, run_id])
    return {"articles": read, "new": new, "skipped": read - new, "errors": errors, "events": events,
            "had_reports": had_reports}


def describe(root: str | Path) -> dict:
    """Rows per table of a Spark output (for messages and tests)."""
    root = _check(root)
    with ParquetStore(root) as p:
        return {t: p.count(t) for t in (*ARTICLE_TABLES, *WHOLE_TABLES)}
