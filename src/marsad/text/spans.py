"""`SpanIndex`: the items of a layer sorted by start, for the questions stages ask of every
sentence and mention ("which entities overlap this name?", "which quantities lie inside this
sentence?"). Asking by scanning the whole layer each time made a stage quadratic in the
article's length (issue 19: 10,000 short lines took minutes); with the index a question costs
O(log n + the items it looks at).

`SpanIndex.of(items)` keeps the index of the last few layers asked about, keyed on the layer
list itself (held, so its id cannot be reused), so a stage can ask through a module function
without threading an index through every call.

Written here: the standard library has `bisect` but no interval index, and the layers are
small sorted lists for which an interval tree library would cost more than it saves.
"""
from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Iterable
from itertools import accumulate
from typing import Any

from ..article import Span


def _span(item) -> Span | None:
    return item if isinstance(item, Span) else item.span


class SpanIndex:
    """Items (anything with a `.span`, or Spans) sorted by start; items without a span are left out."""

    __slots__ = ("items", "starts", "reach")

    def __init__(self, items: Iterable[Any], span: Callable[[Any], Span | None] = _span):
        pairs = sorted(((s, x) for x in items if (s := span(x)) is not None), key=lambda p: (p[0].start, p[0].end))
        self.items = [x for _, x in pairs]
        self.starts = [s.start for s, _ in pairs]
        self.reach = list(accumulate((s.end for s, _ in pairs), max))   # furthest end among items[:k+1]

    def __len__(self) -> int:
        return len(self.items)

    def inside(self, start: int, end: int) -> list:
        """Items whose span lies within [start, end)."""
        a, b = bisect_left(self.starts, start), bisect_left(self.starts, end)
        return [x for x in self.items[a:b] if _span(x).end <= end] if a < b else []

    def overlapping(self, start: int, end: int) -> list:
        """Items whose span overlaps [start, end) (as `Span.overlaps`), in order of start."""
        k = bisect_left(self.starts, end)
        out = []
        reach = self.reach
        while k > 0 and reach[k - 1] > start:
            k -= 1
            s = _span(self.items[k])
            if s.start < end and start < s.end:
                out.append(self.items[k])
        out.reverse()
        return out

    def covering(self, start: int, end: int) -> list:
        """Items whose span covers [start, end)."""
        return [x for x in self.overlapping(start, end) if _span(x).start <= start and end <= _span(x).end]

    # -- one index per layer list, kept while the layer is in use -----------------------------
    _memo: dict[int, tuple[list, int, "SpanIndex"]] = {}

    @classmethod
    def of(cls, items: list) -> "SpanIndex":
        """The index of a layer list, built once while the list is unchanged (same object, same length)."""
        got = cls._memo.get(id(items))
        if got is not None and got[0] is items and got[1] == len(items):
            return got[2]
        if len(cls._memo) >= 32:
            cls._memo.clear()
        index = cls(items)
        cls._memo[id(items)] = (items, len(items), index)
        return index
