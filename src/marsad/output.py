"""The JSON marsad prints: one object per article, shaped as ../shared/eval/FORMAT.md asks.

`events`, `figures` and `quotes` are what the scorer reads; `entities`, `places`,
`times`, `actors`, `sentences` and `boilerplate` are the supporting layers. Every
span is `{"start", "end", "text"}` with `text == article.text[start:end]`. The
shape is versioned (`schema_version`) and described by `schema/output.schema.json`.
"""
from __future__ import annotations

from typing import Any

from . import __version__
from .article import Article, encode

SCHEMA_VERSION = "1.0"
LAYERS = ("events", "figures", "quotes", "entities", "places", "times", "actors", "sentences", "boilerplate")


def to_record(article: Article, with_text: bool = False, with_tokens: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "marsad_version": __version__,
        "id": article.id,
        "date": article.date,
        "date_source": article.date_source,
        "title": article.title,
        "url": article.url,
        "source": article.source,
        "content_hash": article.content_hash,
    }
    for name in LAYERS:
        out[name] = [encode(item, article.text) for item in article.layer(name)]
    if with_tokens:
        out["tokens"] = [encode(t, article.text) for t in article.layer("tokens")]
    out["warnings"] = list(article.warnings)
    if with_text:
        out["text"] = article.text
    return out
