"""A short loop over named stages; each reads the article and returns the layers it adds.

A stage declares the layers it `requires` and `assigns`. The order is checked once,
when the pipeline is built, so a wrong order fails early with a message naming the
missing layer. Stages are plain module-level functions (or small classes) that hold
no per-article state: a pipeline pickles by reference, which is what multiprocessing
and Spark need.

Why not spaCy's pipeline: spaCy would re-tokenise the text into its own Doc, cost
~1 s of import at start-up, and loads no Arabic model offline; marsad only needs
the ordering contract and per-stage timing, which fit in this file.
"""
from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .article import Article
from .errors import PipelineError

# The default pipeline, in order. "module:attribute" strings, imported on first
# use so that `marsad --help` stays fast and a missing optional stage is skipped.
DEFAULT_STAGES: list[str] = [
    "marsad.text.boilerplate:mark_boilerplate",
    "marsad.text.sentences:split_sentences",
    "marsad.text.tokens:tokenize",
    "marsad.numbers.quantities:find_quantities",
    "marsad.dates.times:find_times",
    "marsad.ner.stage:find_entities",
    "marsad.places.resolve:geocode",
    "marsad.actors.resolve:find_actors",
    "marsad.quotes.find:find_quotes",
    "marsad.numbers.figures:find_figures",
    "marsad.events.stage:extract_events",
]


class Stage:
    """One step of the pipeline. Subclass and override `predict`/`annotate` for model
    stages that batch; plain functions are wrapped by `@stage`."""

    name: str
    requires: tuple[str, ...] = ()
    assigns: tuple[str, ...] = ()

    def predict(self, articles: Sequence[Article]) -> list[Any]:
        raise NotImplementedError

    def annotate(self, article: Article, prediction: Any) -> dict[str, list]:
        raise NotImplementedError

    def __call__(self, article: Article) -> dict[str, list]:
        return self.annotate(article, self.predict([article])[0])

    def __repr__(self) -> str:
        return f"<stage {self.name}: {list(self.requires)} -> {list(self.assigns)}>"


class FunctionStage(Stage):
    def __init__(self, func: Callable[[Article], Any], name: str,
                 requires: Iterable[str], assigns: Iterable[str]):
        self.func, self.name = func, name
        self.requires, self.assigns = tuple(requires), tuple(assigns)
        self.__doc__ = func.__doc__
        self.__module__ = func.__module__
        self.__qualname__ = func.__qualname__

    def __call__(self, article: Article) -> dict[str, list]:
        result = self.func(article)
        if isinstance(result, dict):
            return result
        if len(self.assigns) != 1:
            raise PipelineError("E012", f"Stage '{self.name}' assigns {list(self.assigns)} "
                                "and must return a dict of them, not a list.")
        return {self.assigns[0]: result}

    def __reduce__(self):
        return (_import, (f"{self.__module__}:{self.__qualname__}",))


def stage(name: str, requires: Iterable[str] = ("text",), assigns: Iterable[str] = ()):
    """Turn `func(article) -> list | dict[layer, list]` into a pipeline stage."""
    def wrap(func):
        return FunctionStage(func, name, requires, assigns)
    return wrap


def _import(ref: str):
    module, _, attr = ref.partition(":")
    obj = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


class Pipeline:
    def __init__(self, stages: Sequence[Stage]):
        self.stages = list(stages)
        self.timings: dict[str, float] = {s.name: 0.0 for s in self.stages}
        have = {"text"}
        for s in self.stages:
            missing = [r for r in s.requires if r not in have]
            if missing:
                before = [x.name for x in self.stages[:self.stages.index(s)]]
                raise PipelineError(
                    "E010", f"Stage '{s.name}' needs {', '.join(repr(m) for m in missing)}, which no earlier "
                    f"stage assigns (earlier stages: {before or 'none'}). Put a stage that assigns "
                    f"{missing[0]!r} before '{s.name}'.")
            again = [a for a in s.assigns if a in have]
            if again:
                raise PipelineError("E011", f"Stage '{s.name}' assigns {again[0]!r}, which an earlier stage "
                                    "already assigns. Remove one of them.")
            have.update(s.assigns)
        self.provides = have

    @classmethod
    def default(cls, refs: Sequence[str] | None = None) -> "Pipeline":
        return cls([_import(ref) for ref in (refs or DEFAULT_STAGES)])

    @property
    def names(self) -> list[str]:
        return [s.name for s in self.stages]

    def __call__(self, article: Article) -> Article:
        for s in self.stages:
            t0 = time.perf_counter()
            layers = s(article)
            for key in layers:
                if key not in s.assigns:
                    raise PipelineError("E013", f"Stage '{s.name}' returned layer {key!r} it does not "
                                        f"declare; it assigns {list(s.assigns)}.")
            article.layers.update(layers)
            self.timings[s.name] += time.perf_counter() - t0
        return article

    def pipe(self, articles: Iterable[Article]) -> Iterable[Article]:
        for article in articles:
            yield self(article)
