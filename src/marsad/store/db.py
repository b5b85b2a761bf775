"""The embedded database: one DuckDB file with articles, their extracted layers, runs and errors.

Writes go through `Store.write`, which stores a batch of records (from
`marsad.batch.extract`) in ONE transaction: an article row and all its child rows are
committed together or not at all, so a crash or a kill at any moment leaves whole articles
or nothing, and a re-run carries on from what was committed. Rows go in through Arrow
tables (`INSERT ... BY NAME`), which is fast and takes only the columns the schema has.

DuckDB lets one process open a database file for writing, and while it does no other
process can open the file at all, not even read-only. So `marsad export` and `marsad query`
wait for a running `marsad ingest` on the same file to finish (several readers together
are fine).
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..article import Article
from ..errors import StoreError
from . import schema

CHILD_TABLES = ("events", "event_sources", "figures", "quotes", "actors", "places", "entities", "layers",
                "match_keys")
# Written by the store itself from the rows above (store/incidents.py), never by a record.
DEDUP_TABLES = ("dedup_links", "incident_reports", "incidents")
_ARROW_TYPES = {"VARCHAR": "string", "JSON": "string", "DATE": "string", "INTEGER": "int32",
                "BIGINT": "int64", "DOUBLE": "float64", "BOOLEAN": "bool_", "TIMESTAMP": "timestamp"}


def _arrow_type(dtype: str):
    import pyarrow as pa

    if dtype.endswith("[]"):
        return pa.list_(_arrow_type(dtype[:-2]))
    kind = _ARROW_TYPES.get(dtype, "string")
    if kind == "timestamp":
        return pa.timestamp("us")
    return getattr(pa, kind)()


def arrow_schemas(con, tables) -> dict:
    """Arrow schemas of the tables that exist, from the database's own column types."""
    import pyarrow as pa

    fields: dict[str, list] = {}
    for table, name, dtype in con.execute(
            "SELECT table_name, column_name, data_type FROM duckdb_columns() WHERE schema_name = 'main' "
            "AND table_name IN (SELECT unnest(?::VARCHAR[])) ORDER BY table_name, column_index",
            [list(tables)]).fetchall():
        fields.setdefault(table, []).append(pa.field(name, _arrow_type(dtype)))
    return {t: pa.schema(f) for t, f in fields.items()}


def insert_rows(con, schema, table: str, rows: list[dict]) -> None:
    """Insert rows (dicts) through an Arrow table: fast, and only the columns the table has."""
    import pyarrow as pa

    if not rows:
        return
    batch = pa.Table.from_pylist(rows, schema=schema)
    con.register("_marsad_rows", batch)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _marsad_rows")
    finally:
        con.unregister("_marsad_rows")


def inserter(con):
    """insert(table, rows) for a bare connection (migrations)."""
    schemas: dict = {}

    def insert(table: str, rows: list[dict]) -> None:
        if table not in schemas:
            schemas.update(arrow_schemas(con, [table]))
        insert_rows(con, schemas[table], table, rows)
    return insert


@dataclass
class Written:
    new: int = 0          # articles stored
    skipped: int = 0      # already stored (or twice in the batch)
    events: int = 0
    errors: int = 0       # error rows written


def connect(path: str | Path, read_only: bool = False):
    """A DuckDB connection, with the errors people meet turned into messages that say what to do."""
    import duckdb

    path = str(path)
    if read_only and not Path(path).exists():
        raise StoreError("E601", f"No database at {path}. Create it with `marsad ingest PATH... --db {path}`.")
    parent = Path(path).resolve().parent
    if not parent.is_dir():
        raise StoreError("E601", f"Cannot create the database {path}: the folder {parent} does not exist.")
    try:
        return duckdb.connect(path, read_only=read_only)
    except duckdb.IOException as e:
        if "lock" in str(e).lower():
            raise StoreError("E602", f"{path} is open in another process ({_pid(str(e))}). DuckDB lets one "
                             "process at a time write a database file, and no other process open it meanwhile: "
                             "wait for that process (a running `marsad ingest`?) to finish, or stop it.") from None
        raise StoreError("E605", f"Cannot open {path}: {e}") from None
    except duckdb.Error as e:
        if "same database file with a different configuration" in str(e):
            raise StoreError("E602", f"{path} is already open for writing in this process, and DuckDB will not "
                             "open it a second time: use that open Store (export() and query() accept one)."
                             ) from None
        raise StoreError("E605", f"Cannot open {path} as a DuckDB database ({e}). Is it another kind of file?") \
            from None


def _pid(message: str) -> str:
    import re
    m = re.search(r"PID (\d+)", message)
    return f"PID {m.group(1)}" if m else "another program"


class Store:
    """An open marsad database. Opening applies any pending migration (see `schema`);
    `target` stops at an older schema version (to test upgrades). Writes merge new reports
    into the incidents (`store.incidents`) unless `dedup` is False."""

    def __init__(self, path: str | Path, read_only: bool = False, target: int | None = None, dedup: bool = True):
        self.path, self.read_only, self.dedup = str(path), read_only, dedup
        self.con = connect(path, read_only)
        try:
            if read_only:
                if schema.version(self.con) != schema.LATEST:
                    # Upgrade (or get the error explaining why not) through a short write session.
                    self.con.close()
                    with Store(path):
                        pass
                    self.con = connect(path, read_only=True)
            else:
                schema.migrate(self.con, self.path, schema.LATEST if target is None else target)
            self._arrow = self._arrow_schemas(("articles", "errors", *CHILD_TABLES, *DEDUP_TABLES))
        except BaseException:
            self.con.close()
            raise

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    @property
    def version(self) -> int:
        return schema.version(self.con)

    def _arrow_schemas(self, tables) -> dict:
        return arrow_schemas(self.con, tables)

    def columns(self, table: str) -> list[str]:
        return self._arrow[table].names

    # -- reading ---------------------------------------------------------------------------

    def existing(self, keys: Sequence[str]) -> set[str]:
        """Which of these article keys are stored already."""
        if not keys:
            return set()
        rows = self.con.execute("SELECT article_key FROM articles WHERE article_key IN "
                                "(SELECT unnest(?::VARCHAR[]))", [list(keys)]).fetchall()
        return {r[0] for r in rows}

    def count(self, table: str) -> int:
        if table not in self._arrow and table != "runs":
            raise StoreError("E606", f"No table {table!r}. Tables: {', '.join(sorted(self._arrow))}, runs.")
        return self.con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]

    def load_article(self, key: str) -> Article:
        """Rebuild a stored article with its layers (all but tokens) from the JSON kept with each row."""
        row = self.con.execute("SELECT text, article_id, url, source, title, CAST(date AS VARCHAR), date_source, "
                               "warnings FROM articles WHERE article_key = ?", [key]).fetchone()
        if row is None:
            raise StoreError("E607", f"No article with key {key!r} in {self.path}.")
        text, aid, url, source, title, date, date_source, warnings = row
        layers: dict[str, list] = {}
        from ..batch.extract import TABLE_LAYERS
        for table, layer in TABLE_LAYERS.items():
            items = self.con.execute(f"SELECT data FROM {table} WHERE article_key = ? ORDER BY idx", [key]).fetchall()
            if items:
                layers[layer] = [json.loads(d) for (d,) in items]
        for name, data in self.con.execute("SELECT layer, data FROM layers WHERE article_key = ?", [key]).fetchall():
            layers[name] = json.loads(data)
        return Article.from_dict({"text": text, "id": aid, "url": url, "source": source, "title": title,
                                  "date": date, "date_source": date_source, "layers": layers,
                                  "warnings": json.loads(warnings or "[]")})

    # -- runs ------------------------------------------------------------------------------

    def start_run(self, inputs: Sequence[str], workers: int, pipeline: str) -> int:
        from .. import __version__

        with self.transaction():
            # We hold the only write lock on this file, so a run still marked 'running' was killed.
            self.con.execute("UPDATE runs SET status = 'interrupted', message = coalesce(message, "
                             "'stopped without finishing (killed?)') WHERE status = 'running'")
            run_id = self.con.execute("SELECT coalesce(max(run_id), 0) + 1 FROM runs").fetchone()[0]
            self.con.execute("INSERT INTO runs (run_id, started_at, status, marsad_version, pipeline, inputs, "
                             "workers) VALUES (?, ?, 'running', ?, ?, ?, ?)",
                             [run_id, _now(), __version__, pipeline, json.dumps(list(inputs), ensure_ascii=False),
                              workers])
        return run_id

    def finish_run(self, run_id: int, status: str, seconds: float, message: str | None = None) -> None:
        with self.transaction():
            self.con.execute("UPDATE runs SET status = ?, finished_at = ?, seconds = ?, message = ? WHERE run_id = ?",
                             [status, _now(), seconds, message, run_id])

    # -- writing ---------------------------------------------------------------------------

    def transaction(self):
        return _Transaction(self.con)

    def write(self, records: Sequence[dict], run_id: int | None = None, input_errors: Iterable[dict] = (),
              read: int = 0, skipped: int = 0) -> Written:
        """Store records and error rows in one transaction, and add the counts to the run.

        `read` and `skipped` count articles the caller read or skipped since its last write,
        so the run's counters always match what is committed. If the batch cannot be written
        (a value of the wrong type, say), it is rolled back and written again one record at
        a time, so only the record at fault ends up in the errors table. An interrupt during
        the write rolls it back and raises KeyboardInterrupt.
        """
        import duckdb
        import pyarrow as pa

        input_errors = list(input_errors)
        try:
            return self._write(records, run_id, input_errors, read, skipped)
        except duckdb.InterruptException:
            # Ctrl-C or a signal during a statement: DuckDB rolls it back and raises this (a
            # duckdb.Error); it is the user stopping the run, not a batch at fault.
            raise KeyboardInterrupt from None
        except (duckdb.Error, pa.ArrowException, ValueError, TypeError, OverflowError) as e:
            if store_failure(e):
                raise StoreError("E630", f"cannot write to {self.path}: {_first_line(e)}. The batch in progress "
                                 "was rolled back and everything committed before is kept; free some space (or "
                                 "fix the disk) and run the same command again to carry on.") from None
            if len(records) == 1:
                rec = records[0]
                failed = {**rec, "tables": {}, "error": {"code": "E621", "message": f"cannot store: {e}",
                                                         "detail": None, "kind": "store"}}
                return self._write([failed], run_id, input_errors, read, skipped)
            total = self._write([], run_id, input_errors, read, skipped)
            for rec in records:
                w = self.write([rec], run_id)
                total.new, total.skipped = total.new + w.new, total.skipped + w.skipped
                total.events, total.errors = total.events + w.events, total.errors + w.errors
            return total

    def _write(self, records, run_id, input_errors, read, skipped) -> Written:
        out = Written(skipped=skipped)
        now = _now()
        with self.transaction():
            stored = self.existing([r["key"] for r in records if not r["error"]])
            good, errors, seen = [], list(input_errors), set()
            for rec in records:
                if rec["error"]:
                    errors.append(extract_error_row(rec))
                elif rec["key"] in stored or rec["key"] in seen:
                    out.skipped += 1
                else:
                    seen.add(rec["key"])
                    good.append(rec)
            self._insert("articles", [{**r["article"], "run_id": run_id, "ingested_at": now} for r in good])
            for table in CHILD_TABLES:
                self._insert(table, [row for r in good for row in r["tables"].get(table, ())])
            self._merge([row for r in good for row in r["tables"].get("match_keys", ())])
            if good:
                # Stored now: an earlier failure of the same article is history.
                self.con.execute("DELETE FROM errors WHERE article_key IN (SELECT unnest(?::VARCHAR[]))",
                                 [[r["key"] for r in good]])
            if errors:
                rows = {}
                for e in errors:
                    rows[e["error_key"]] = {**e, "run_id": run_id, "created_at": now}
                self.con.execute("DELETE FROM errors WHERE error_key IN (SELECT unnest(?::VARCHAR[]))",
                                 [list(rows)])
                self._insert("errors", list(rows.values()))
            out.new, out.errors = len(good), len(errors)
            out.events = sum(len(r["tables"].get("events", ())) for r in good)
            if run_id is not None:
                self.con.execute(
                    "UPDATE runs SET articles_read = articles_read + ?, articles_new = articles_new + ?, "
                    "articles_skipped = articles_skipped + ?, errors = errors + ?, events = events + ? "
                    "WHERE run_id = ?", [read, out.new, out.skipped, out.errors, out.events, run_id])
        return out

    def _merge(self, keys: list[dict]) -> None:
        """Merge new reports into the incidents, in the transaction that stores them."""
        if not keys or "match_keys" not in self._arrow:
            return
        from . import incidents
        if self.dedup:
            if getattr(self, "_sigs", None) is None:
                from ..dedup.model import load
                self._sigs = incidents.SigCache(load())
            incidents.update(self.con, self._insert, keys, self._sigs.model, self._sigs)
        else:
            incidents.set_state(self.con, pending="ingested with --no-dedup")

    def _insert(self, table: str, rows: list[dict]) -> None:
        if not rows or table not in self._arrow:     # (an older schema without this table)
            return
        insert_rows(self.con, self._arrow[table], table, rows)


def store_failure(error: BaseException) -> bool:
    """Whether a write failed because of the database file or its disk (no space, an I/O error, a
    database DuckDB invalidated), not because of the rows: retrying row by row cannot help then."""
    import duckdb
    if isinstance(error, (duckdb.IOException, duckdb.FatalException)):
        return True
    text = str(error).lower()
    return any(w in text for w in ("no space left", "file too large", "disk full", "invalidated",
                                   "could not write", "i/o error", "input/output error"))


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


class _Transaction:
    def __init__(self, con):
        self.con = con

    def __enter__(self):
        self.con.execute("BEGIN TRANSACTION")
        return self.con

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            self.con.execute("COMMIT")
        else:
            try:
                self.con.execute("ROLLBACK")
            except Exception:   # the connection may already have aborted the transaction
                pass
        return False


def input_error_row(location: str, error) -> dict[str, Any]:
    message = getattr(error, "message", str(error))
    if message.startswith(f"{location}: "):         # the location has a column of its own
        message = message[len(location) + 2:]
    return {"error_key": _hash("input", location), "kind": "input", "location": location,
            "article_key": None, "article_id": None, "code": getattr(error, "code", None),
            "message": message, "detail": None}


def extract_error_row(record: dict) -> dict[str, Any]:
    err, art = record["error"], record.get("article") or {}
    return {"error_key": record["key"], "kind": err.get("kind", "extract"), "location": record.get("location"),
            "article_key": record["key"], "article_id": art.get("article_id"), "code": err.get("code"),
            "message": err.get("message"), "detail": err.get("detail")}


def _hash(*parts: str) -> str:
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:32]


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)
