"""The pure per-article step of a batch run: `process(article) -> record`.

A record is plain data (str, int, float, bool, None in dicts and lists), so it pickles
cheaply between processes and maps one-to-one onto database or Parquet rows:

    {"key": article_key,
     "article": {...one row of the articles table...},
     "tables": {"events": [...], "event_sources": [...], "figures": [...], "quotes": [...],
                "actors": [...], "places": [...], "entities": [...], "layers": [...],
                "match_keys": [...]},
     "error": None | {"code", "message", "detail"}}

Nothing here touches a database or a file. `marsad.store.ingest` sends articles to worker
processes and writes what comes back in the parent; a Spark job can map the same function
over a DataFrame of articles and write each table of the records as Parquet.

Rows are built generically from the dataclasses in `marsad.article`, so a stage that adds
a field needs no change here: a nested dataclass flattens with its field name as prefix
(`actor1_id`, `location_lat`), each Span becomes `<name>_start`, `<name>_end`, `<name>_text`
(the evidence the dashboard highlights), lists become JSON, and the whole item is also kept
losslessly as JSON in `data`. The store keeps the columns its schema has and ignores the
rest, which stay readable in `data`.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
import traceback
from datetime import date as Date
from typing import Any

from .. import __version__
from ..article import Article, Span, encode
from ..dedup.keys import rows as match_keys
from . import settle

# Layers with a table of their own (table name -> layer name).
TABLE_LAYERS = {"events": "events", "figures": "figures", "quotes": "quotes",
                "actors": "actors", "places": "places", "entities": "entities"}
# A bare `id` would be ambiguous in SQL next to article and event ids.
RENAME = {"events": {"id": "local_id"}, "actors": {"id": "actor_id"}}
# Tokens are ten times the size of everything else and the tokenizer rebuilds them exactly.
UNSTORED_LAYERS = {"tokens"}


def article_key(content_hash: str, url: str | None) -> str:
    """Identity of a stored article: the same text at the same URL (or with no URL) is the
    same article; the same text at another URL is another source reporting it."""
    return hashlib.sha256(f"{content_hash}\n{(url or '').strip()}".encode()).hexdigest()[:32]


def key_of(article: Article) -> str:
    return article_key(article.content_hash, article.url)


def event_id(key: str, idx: int) -> str:
    return f"{key[:16]}-{idx + 1}"


def process(article: Article, pipeline=None, timeout: float | None = None) -> dict[str, Any]:
    """Run the pipeline on one article and return its record; an exception becomes an error record,
    and so does running past `timeout` seconds (error E623, see `pool.time_limit`)."""
    from .pool import time_limit
    key = key_of(article)
    try:
        if pipeline is None:
            import marsad
            pipeline = marsad.default_pipeline()
        with time_limit(timeout):
            pipeline(article)
        settle()
        return to_record(article, stages=pipeline.names, key=key)
    except Exception as e:   # one bad article must not stop a batch; the parent records it
        return error_record(article, e, key)


def error_record(article: Article, error: BaseException, key: str | None = None) -> dict[str, Any]:
    return {"key": key or key_of(article), "article": _article_row(article, key or key_of(article), ()),
            "tables": {}, "error": {"code": getattr(error, "code", None) or "E620",
                                    "message": f"{type(error).__name__}: {error}",
                                    "detail": "".join(traceback.format_exception(error))[-4000:]}}


def to_record(article: Article, stages=(), key: str | None = None) -> dict[str, Any]:
    """The rows for an article whose layers are already filled (by a pipeline or by hand)."""
    key = key or key_of(article)
    text = article.text
    tables: dict[str, list[dict]] = {}
    for table, layer in TABLE_LAYERS.items():
        rows = []
        for idx, item in enumerate(article.layer(layer)):
            row = {"article_key": key, "idx": idx}
            row.update(flatten(item, text, rename=RENAME.get(table, {})))
            row["data"] = _json(encode(item, text))
            rows.append(row)
        tables[table] = rows
    for idx, row in enumerate(tables["events"]):
        row["event_id"] = event_id(key, idx)
    tables["event_sources"] = [
        {"event_id": row["event_id"], "article_key": key, "role": "reported",
         "evidence_start": row.get("evidence_start"), "evidence_end": row.get("evidence_end"),
         "evidence_text": row.get("evidence_text")}
        for row in tables["events"]]
    # What cross-article matching compares, computed here so that workers (and Spark) do it.
    tables["match_keys"] = match_keys(article, tables["events"], key)
    tables["layers"] = [
        {"article_key": key, "layer": name, "n": len(items),
         "data": _json([encode(item, text) for item in items])}
        for name, items in sorted(article.layers.items())
        if name not in UNSTORED_LAYERS and name not in TABLE_LAYERS.values()]
    return {"key": key, "article": _article_row(article, key, stages), "tables": tables, "error": None}


def _article_row(article: Article, key: str, stages) -> dict[str, Any]:
    return {"article_key": key, "content_hash": article.content_hash, "url": article.url,
            "article_id": article.id, "source": article.source, "title": article.title,
            "date": iso_day(article.date), "date_source": article.date_source, "text": article.text,
            "n_chars": len(article.text), "warnings": _json(list(article.warnings)),
            "pipeline": ",".join(stages), "marsad_version": __version__}


def flatten(obj: Any, text: str, prefix: str = "", rename: dict[str, str] | None = None) -> dict[str, Any]:
    """One dataclass item -> flat columns (see the module docstring for the naming)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        name = prefix + ((rename or {}).get(f.name, f.name))
        if isinstance(value, Span):
            out[f"{name}_start"], out[f"{name}_end"] = value.start, value.end
            out[f"{name}_text"] = text[value.start:value.end]
        elif dataclasses.is_dataclass(value):
            out.update(flatten(value, text, f"{name}_"))
        elif isinstance(value, (list, tuple, dict)):
            out[name] = _json(encode(value, text))
        else:
            out[name] = value
        if f.name in ("date", "date_start") and name in out:
            out[name] = iso_day(out[name])    # a malformed date must not fail a whole DATE column
    return out


def iso_day(value) -> str | None:
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return Date.fromisoformat(value[:10]).isoformat()
    except ValueError:
        return None


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)
