"""`per_word`: remember what a rule derives from a word, for every later article.

Most lexicon facts a stage needs about a token (its lookup keys, whether it can open a
mention, which trigger entries it carries) depend on its normalised form alone, and
news repeats its words: a worker meets the same few tens of thousands of forms again
and again. `functools.lru_cache` keys on the Token object, which is new in every
article; this keys on `token.norm` (or another key), and clears itself past `limit`
entries so that a long-running worker stays bounded.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from ..article import Token

T = TypeVar("T")
_MISSING = object()


def by_norm(t: Token) -> str:
    return t.norm


def per_word(key: Callable[[Token], Any] = by_norm, limit: int = 200_000):
    """Decorate `f(token) -> value` whose value depends only on `key(token)`."""
    def wrap(f: Callable[[Token], T]) -> Callable[[Token], T]:
        cache: dict[Any, T] = {}

        @functools.wraps(f)
        def cached(t: Token) -> T:
            k = key(t)
            value = cache.get(k, _MISSING)
            if value is _MISSING:
                if len(cache) >= limit:
                    cache.clear()
                value = cache[k] = f(t)
            return value

        cached.cache = cache
        return cached
    return wrap
