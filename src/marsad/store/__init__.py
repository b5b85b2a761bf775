"""The embedded store: one DuckDB file with every article, what was extracted from it (with
the evidence spans), each ingest run and each failure; plus exports and summaries.

    >>> from marsad import store
    >>> report = store.ingest(["articles.jsonl"], "marsad.duckdb", workers=2)
    >>> store.export("marsad.duckdb", "geojson", "events.geojson", store.Filters(country="SY"))
    >>> store.query("marsad.duckdb", "events-by-week").rows

The CLI commands (`marsad ingest`, `marsad export`, `marsad query`, `marsad dedup`) are thin
wrappers over these functions. One process at a time may write a database file (see `db`).
"""
from __future__ import annotations

from .db import Store
from .exports import FORMATS, ExportResult, Filters, export
from .ingest import IngestReport, default_workers, ingest
from .queries import SUMMARIES, QueryResult, query


def dedup(db, threshold: float | None = None) -> dict:
    """Re-cluster every report of the store `db` into incidents (`marsad dedup`); `threshold`
    (0..1) replaces the store's setting. Returns counts and the time taken."""
    import time

    from ..dedup.model import load
    from ..errors import StoreError
    from . import incidents

    if threshold is not None and not 0.0 < threshold < 1.0:
        raise StoreError("E641", f"--threshold must be between 0 and 1, exclusive (got {threshold:g}).")
    t = time.perf_counter()
    with Store(db) as store, store.transaction():
        result = incidents.rebuild(store.con, store._insert, threshold=threshold)
        result["threshold"] = incidents.settings(store.con, load())[0]
    result["seconds"] = time.perf_counter() - t
    return result


__all__ = ["FORMATS", "SUMMARIES", "ExportResult", "Filters", "IngestReport", "QueryResult", "Store",
           "dedup", "default_workers", "export", "ingest", "query"]
