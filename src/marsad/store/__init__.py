"""The embedded store: one DuckDB file with every article, what was extracted from it (with
the evidence spans), each ingest run and each failure; plus exports and summaries.

    >>> from marsad import store
    >>> report = store.ingest(["articles.jsonl"], "marsad.duckdb", workers=2)
    >>> store.export("marsad.duckdb", "geojson", "events.geojson", store.Filters(country="SY"))
    >>> store.query("marsad.duckdb", "events-by-week").rows

The CLI commands (`marsad ingest`, `marsad export`, `marsad query`) are thin wrappers over
these three functions. One process at a time may write a database file (see `db`).
"""
from __future__ import annotations

from .db import Store
from .exports import FORMATS, ExportResult, Filters, export
from .ingest import IngestReport, default_workers, ingest
from .queries import SUMMARIES, QueryResult, query

__all__ = ["FORMATS", "SUMMARIES", "ExportResult", "Filters", "IngestReport", "QueryResult", "Store",
           "default_workers", "export", "ingest", "query"]
