"""Every error marsad raises, each with a code, in one place.

Messages say what happened, why, and what to do. The library raises; batch runs
record the failure on the article and go on; the CLI prints one line and exits 2.

Codes: E0xx data model, E01x pipeline, E1xx inputs, E4xx NER models (marsad/ner).
"""
from __future__ import annotations


class MarsadError(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(f"[{code}] {message}")
        self.code = code
        self.message = message


class InputError(MarsadError):
    """An input (file, line, field) that cannot be read as an article."""

    def __init__(self, where: str, message: str, code: str = "E100"):
        super().__init__(code, f"{where}: {message}")
        self.where = where


class PipelineError(MarsadError):
    pass


class StoreError(MarsadError):
    """The database, an ingest run, an export or a query (codes E600-E639)."""
