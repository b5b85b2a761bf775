"""When it happened: the date and ACLED time precision from the `times` layer.

The time expression nearest the trigger in its sentence, else one in the previous
sentence of the paragraph, else the publication day. "غداة X" puts X a day earlier and
"بعد أربعة أيام على X" four days earlier. An event that ended more than 30 days before
publication, or that its own sentence spreads over more than 30 days ("منذ عام 2015"), is
background, not an event.
"""
from __future__ import annotations

from datetime import timedelta

from ..dates import calendar as cal
from ..text import norm
from .context import _S, _WORD_NUMBERS, Args, Context, _iso
from .detect import SentenceView

_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}


def choose_date(ctx: Context, view: SentenceView, i: int, args: Args) -> None:
    here = ctx.in_sentence(ctx.times, view)
    chosen = None
    if here:
        trig_start = view.tokens[i].span.start
        chosen = min(here, key=lambda t: (abs(t.span.start - trig_start)))
        args.date_from = "sentence"
    else:
        n = view.index
        if n > 0:
            prev = ctx.views[n - 1]
            if prev.sentence.paragraph == view.sentence.paragraph:
                found = ctx.in_sentence(ctx.times, prev)
                if found:
                    chosen = found[-1]
                    args.date_from = "context"
    if chosen is not None:
        args.date = _shift(view, i, chosen.value or chosen.start)
        args.date_start = chosen.start if chosen.start and chosen.start != args.date else None
        args.time_precision = _PRECISION.get(chosen.precision, 1)
        if chosen.kind == "period" and args.time_precision == 1 and args.date_start:
            args.time_precision = 2 if _days(args.date_start, args.date) <= 7 else 3
    else:
        args.date = ctx.pub.isoformat() if ctx.pub else None
        args.time_precision = 1 if ctx.pub else None
        args.date_from = "publication"


_DAY_WORDS = {norm(w): n for w, n in (("يوم", 1), ("يوما", 1), ("ايام", 1), ("يومين", 2), ("اسبوع", 7),
                                       ("اسابيع", 7), ("اسبوعين", 14))}


def _shift(view: SentenceView, i: int, iso: str | None) -> str | None:
    """"غداة X" (the day before) and "بعد أربعة أيام على X": X happened before the sentence's date."""
    d = _iso(iso)
    if d is None:
        return iso
    a, _ = view.clause_of(i)
    lo = max(0, a - 1)
    if view.has(_S("غداه"), lo, i) is not None:
        return cal.add_days(d, -1).isoformat()
    j = view.has(_S("بعد"), lo, i)
    if j is not None and j + 3 <= i:
        n_tok, unit = view.tokens[j + 1], view.forms[j + 2]
        count = _WORD_NUMBERS.get(n_tok.norm) or (int(n_tok.norm) if n_tok.kind == "number" and
                                                   n_tok.norm.isdigit() and len(n_tok.norm) <= 4 else None)
        days = next((v for f, v in _DAY_WORDS.items() if f in unit), None)
        if days is not None and (count or days in (2, 14)) and view.forms[j + 3] & _S("علي من"):
            return cal.add_days(d, -(count or 1) * days).isoformat()
    return iso


def _days(a: str, b: str) -> int:
    da, db = _iso(a), _iso(b)
    return abs((db - da).days) if da and db else 0


def too_old(ctx: Context, args: Args, days: int = 30) -> bool:
    """Background: the event ended more than `days` before publication (or lies in the future), or
    its own sentence spreads it over more than `days` ("منذ عام 2015": a campaign, not an incident)."""
    d = _iso(args.date)
    if ctx.pub is None or d is None:
        return False
    if d < ctx.pub - timedelta(days=days) or d > ctx.pub + timedelta(days=1):
        return True
    start = _iso(args.date_start)
    return args.date_from == "sentence" and start is not None and (d - start).days > days
