"""How many were killed, injured and detained, with ACLED's counting conventions.

From the `figures` layer where it has the metric, else a number (the `quantities` layer,
or digits and number words when that layer is absent) next to a casualty word. ACLED is
conservative: the lower bound of a range, "أكثر من 20" = 20, "عشرات" = 10 (the quantities
stage's value for vague counts); a singular person noun after the casualty word counts one
("مقتل جندي"، "اعتقلت رجلا"), a dual two ("أصيب جنديان"); a negated outcome ("لم يسفر عن
إصابات"، "دون وقوع ضحايا") counts nothing. A count belongs to the nearest trigger before it,
so one sentence's two events keep their own numbers.
"""
from __future__ import annotations

from ..article import Span
from . import lexicon as lx
from .context import (_S, _WORD_NUMBERS, DETAINED, DUAL_PERSON, INJURED, KILLED, SINGULAR_PERSON, Args, Context,
                      token_index)
from .detect import SentenceView

def _metric_of(forms: frozenset[str]) -> str | None:
    if forms & KILLED:
        return "fatalities"
    if forms & INJURED:
        return "injured"
    if forms & DETAINED:
        return "detained"
    return None


_FIGURE_METRIC = {"killed": "fatalities", "injured": "injured", "detained": "detained", "abducted": None}
# Numbers the figures stage read as tolls of a whole war or as non-violent deaths are no one event's.
_NOT_EVENT_COUNTS = {"conflict_deaths", "deaths", "displaced", "refugees", "camp_population"}
# Above this a count is a cumulative toll, not one event's: the largest event in ACLED's MENA sample
# counts 25 dead, UCDP's sample one event above 1,000; news numbers that size are war totals.
MAX_EVENT_COUNT = 1000


def fill_counts(ctx: Context, view: SentenceView, i: int, args: Args, others: list[int] = (),
                mine: list[int] = ()) -> None:
    """`others`: token indices of the sentence's other events' triggers; a count goes to the
    event whose trigger is the nearest before it (the nearest after, when none precedes)."""
    s = view.sentence.span
    found: dict[str, tuple[int, int]] = {}        # metric → (distance, value)
    trig_start = view.tokens[i].span.start
    own = set(mine) | {i}
    starts = sorted([(view.tokens[k].span.start, k) for k in set(others) | own])

    def owner(at: int) -> int:
        before = [k for st, k in starts if st <= at]
        return before[-1] if before else starts[0][1]

    tolls = [f.quantity or f.evidence for f in ctx.figures if f.metric in _NOT_EVENT_COUNTS
             and (f.quantity or f.evidence) is not None]

    def offer(metric: str | None, value: int | None, where: int):
        if metric is None or value is None or value > MAX_EVENT_COUNT:
            return
        if any(t.start <= where < t.end for t in tolls):
            return
        if owner(where) not in own:
            return
        dist = abs(where - trig_start)
        if metric not in found or dist < found[metric][0]:
            found[metric] = (dist, value)

    for f in ctx.figures:
        if f.evidence is not None and s.start <= f.evidence.start < s.end:
            metric = _FIGURE_METRIC.get(f.metric)
            at = (f.quantity or f.evidence).start
            if metric and not _negated_at(view, token_index(view, Span(at, at))):
                offer(metric, f.value, at)
    from_figures = set(found)
    if True:
        quants = ctx.in_sentence(ctx.quantities, view)
        for j, forms in enumerate(view.forms):
            metric = _metric_of(forms)
            if metric is None or metric in from_figures or _negated_at(view, j):
                continue
            value, at = _count_near(ctx, view, j, quants)
            offer(metric, value, at if at is not None else view.tokens[j].span.start)
    for metric, (_, value) in found.items():
        setattr(args, metric, value)


def _negated_at(view: SentenceView, j: int) -> bool:
    for k in range(max(0, j - 3), j):
        if view.forms[k] & _S("لم لا دون بدون عدم"):
            return True
    return False


def _count_near(ctx: Context, view: SentenceView, j: int, quants) -> tuple[int | None, int | None]:
    """The count a casualty word at token j reports: a number just after or just before it."""
    n = len(view.tokens)
    q_at = {}
    for q in quants:
        q_at[token_index(view, q.span)] = q
    order = [j + 1, j + 2, j - 1, j - 2, j + 3, j - 3, j - 4]
    for k in order:
        if not 0 <= k < n or k == j:
            continue
        lo, hi = min(j, k), max(j, k)
        if any(_metric_of(view.forms[x]) and x != j for x in range(lo + 1, hi)):
            break
        if k in q_at:
            q = q_at[k]
            return q.value, q.span.start
        if not ctx.have_quantities:
            tok = view.tokens[k]
            if tok.kind == "number":
                try:
                    return int(tok.norm.replace(",", "")), tok.span.start
                except ValueError:
                    pass
            for f in view.forms[k]:
                if f in _WORD_NUMBERS:
                    return _WORD_NUMBERS[f], tok.span.start
        if view.forms[k] & DUAL_PERSON and k > j:
            return 2, view.tokens[k].span.start
    k, seen = j + 1, 0
    while k < n and seen < 3:          # "اعتقلت، اليوم الأربعاء، رجلا": skip punctuation and time words
        tok = view.tokens[k]
        if tok.kind == "number" or k in q_at:
            break
        if view.forms[k] & SINGULAR_PERSON and not _plural_after(view, k):
            return 1, tok.span.start
        if tok.kind != "punct" and not view.forms[k] & lx.TIME_WORDS:
            seen += 1
        k += 1
    return None, None


def _plural_after(view: SentenceView, k: int) -> bool:
    return k + 1 < len(view.tokens) and view.tokens[k + 1].norm in ("و", "او")
