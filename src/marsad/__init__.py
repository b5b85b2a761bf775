"""marsad: Arabic conflict news → structured, geocoded, evidence-linked events.

    >>> import marsad
    >>> article = marsad.extract("بيروت - قال مسؤول ...", date="2019-03-19")
    >>> article.layer("events")
"""
from __future__ import annotations

__version__ = "0.1.0"

from .article import Article, Span  # noqa: E402
from .pipeline import Pipeline, stage  # noqa: E402

_default: Pipeline | None = None


def default_pipeline() -> Pipeline:
    """The full pipeline, built once per process (stages load their models lazily)."""
    global _default
    if _default is None:
        _default = Pipeline.default()
    return _default


def extract(article: Article | str, date: str | None = None, pipeline: Pipeline | None = None) -> Article:
    """Run the pipeline on one article (or a plain text) and return it with its layers."""
    if isinstance(article, str):
        from .readers import from_plain_text
        article = from_plain_text(article, date=date)
    elif date and not article.date:
        article.date, article.date_source = date, "input"
    return (pipeline or default_pipeline())(article)


__all__ = ["Article", "Pipeline", "Span", "default_pipeline", "extract", "stage", "__version__"]
