"""`per_word`: remember what a rule derives from a word, for every later article.

Most lexicon facts a stage needs about a token (its lookup keys, whether it can open a
mention, which trigger entries it carries) depend on its normalised form alone (its kind,
stem and forms are functions of it), and news repeats its words: a worker meets the same
few tens of thousands of forms again and again. `functools.lru_cache` would key on the
Token object, new in every article; this keys on `token.norm`, and clears itself past
`limit` entries so that a long-running worker stays bounded.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from ..article import Token

T = TypeVar("T")
_MISSING = object()
# Word types a per-word cache holds before it starts again: the 2,000-article corpus has
# 50k; at this size the caches of all stages stay within a few tens of MB per worker.
LIMIT = 100_000


def per_word(f: Callable[[Token], T] | None = None, *, limit: int = LIMIT):
    """Decorate `f(token) -> value` whose value depends only on `token.norm`."""
    def wrap(f: Callable[[Token], T]) -> Callable[[Token], T]:
        cache: dict[str, T] = {}

        @functools.wraps(f)
        def cached(t: Token) -> T:
            value = cache.get(t.norm, _MISSING)
            if value is _MISSING:
                if len(cache) >= limit:
                    cache.clear()
                value = cache[t.norm] = f(t)
            return value

        cached.cache = cache
        return cached
    return wrap(f) if f is not None else wrap
