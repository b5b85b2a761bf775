"""Month and weekday names as Arabic news writes them, and calendar arithmetic.

Gregorian months have three name sets in use: the Egyptian/Gulf transliterations
(يناير ... ديسمبر), the Levantine/Iraqi Syriac names (كانون الثاني ... كانون الأول,
often paired: "آذار/مارس", "مارس (آذار)") and the Maghrebi French-derived ones
(جانفي، فيفري، أفريل، ماي، جوان، جويلية، أوت) plus Morocco's (يوليوز، غشت، شتنبر،
نونبر، دجنبر). Hijri dates are converted with `hijridate` (MIT, Umm al-Qura
calendar, 1343-1500 AH).
"""
from __future__ import annotations

import calendar as _cal
from datetime import date, timedelta

from ..text.normalize import norm

_MONTHS = {
    1: ["يناير", "كانون الثاني", "جانفي"],
    2: ["فبراير", "شباط", "فيفري", "فبراير"],
    3: ["مارس", "آذار"],
    4: ["أبريل", "إبريل", "ابريل", "نيسان", "أفريل"],
    5: ["مايو", "أيار", "ماي"],
    6: ["يونيو", "يونيه", "حزيران", "جوان"],
    7: ["يوليو", "يوليه", "تموز", "جويلية", "يوليوز"],
    8: ["أغسطس", "اغسطس", "آب", "أوت", "غشت"],
    9: ["سبتمبر", "أيلول", "شتنبر"],
    10: ["أكتوبر", "اكتوبر", "تشرين الأول"],
    11: ["نوفمبر", "تشرين الثاني", "نونبر"],
    12: ["ديسمبر", "كانون الأول", "دجنبر"],
}
MONTHS: dict[str, int] = {norm(name): m for m, names in _MONTHS.items() for name in names}
# Names that are also ordinary words or names (مارس "he practised", آب/أب "father", ماي
# "Theresa May", جوان a Kurdish given name): they count as months only next to a day number, a year, a
# second month name or the word شهر.
AMBIGUOUS_MONTHS = {norm(w) for w in ("مارس", "آب", "ماي", "أوت", "جوان")}

_HIJRI = {
    1: ["محرم"], 2: ["صفر"], 3: ["ربيع الأول", "ربيع أول"], 4: ["ربيع الآخر", "ربيع الثاني", "ربيع ثاني"],
    5: ["جمادى الأولى", "جمادى الأول"], 6: ["جمادى الآخرة", "جمادى الثانية", "جمادى الآخر"],
    7: ["رجب"], 8: ["شعبان"], 9: ["رمضان"], 10: ["شوال"], 11: ["ذو القعدة", "ذي القعدة"],
    12: ["ذو الحجة", "ذي الحجة"],
}
HIJRI_MONTHS: dict[str, int] = {norm(name): m for m, names in _HIJRI.items() for name in names}

_WEEKDAYS = {0: ["الاثنين", "الإثنين", "الأثنين"], 1: ["الثلاثاء"], 2: ["الأربعاء"], 3: ["الخميس"],
             4: ["الجمعة"], 5: ["السبت"], 6: ["الأحد"]}
WEEKDAYS: dict[str, int] = {norm(name): d for d, names in _WEEKDAYS.items() for name in names}


def month_pattern(names) -> str:
    """A regex alternation of names, longest first so 'كانون الثاني' beats 'كانون'."""
    import re
    return "|".join(re.escape(n).replace(r"\ ", r"\s+") for n in sorted(names, key=len, reverse=True))


# The days marsad resolves dates in. Python's `date` spans years 1-9999, and arithmetic near
# either end raises (OverflowError, ValueError); news is dated within a few generations, and
# the Hijri table covers 1924-2077. Publication dates outside are clamped (with a warning on
# the article, by the reader); a relative expression that lands outside ("قبل 3000 سنة") is
# clamped to the nearest end and flagged, and a written date outside is not taken as a date.
MIN_DAY = date(1900, 1, 1)
MAX_DAY = date(2100, 12, 31)


def in_range(d: date) -> bool:
    return MIN_DAY <= d <= MAX_DAY


def clamp(d: date) -> date:
    return MIN_DAY if d < MIN_DAY else MAX_DAY if d > MAX_DAY else d


def safe_day(year: int, month: int, day: int) -> date | None:
    """The date, or None when it does not exist or lies outside MIN_DAY..MAX_DAY."""
    try:
        d = date(year, month, day)
    except (ValueError, OverflowError):
        return None
    return d if in_range(d) else None


def add_days(d: date, days: int) -> date:
    """d + days, clamped to MIN_DAY..MAX_DAY (never an OverflowError, however large `days` is)."""
    lo, hi = (MIN_DAY - d).days, (MAX_DAY - d).days
    return d + timedelta(days=max(lo, min(hi, days)))


def last_day(year: int, month: int) -> date:
    return date(year, month, _cal.monthrange(year, month)[1])


def add_months(d: date, months: int) -> date:
    """d moved by whole months (the day kept where the month has it), clamped to MIN_DAY..MAX_DAY."""
    index = d.year * 12 + d.month - 1 + months
    if index < MIN_DAY.year * 12:
        return MIN_DAY
    if index > MAX_DAY.year * 12 + 11:
        return MAX_DAY
    y, m = divmod(index, 12)
    return clamp(date(y, m + 1, min(d.day, _cal.monthrange(y, m + 1)[1])))


def weekday_on_or_before(ref: date, weekday: int) -> date:
    return add_days(ref, -((ref.weekday() - weekday) % 7))


def weekday_after(ref: date, weekday: int) -> date:
    return add_days(ref, (weekday - ref.weekday() - 1) % 7 + 1)


def nearest_year(ref: date, month: int, day: int, tense: str | None = None) -> date | None:
    """The date with this month and day closest to `ref`; tense 'past' keeps it on or before
    ref, 'future' after it (a day-and-month without a year, as news writes most dates)."""
    options = [d for d in (safe_day(y, month, day) for y in (ref.year - 1, ref.year, ref.year + 1)) if d]
    if tense == "past":
        options = [d for d in options if d <= ref]
        return max(options) if options else None
    if tense == "future":
        options = [d for d in options if d > ref]
        return min(options) if options else None
    return min(options, key=lambda d: (abs((d - ref).days), d > ref)) if options else None


def month_on_or_before(ref: date, month: int, tense: str | None = None) -> tuple[date, date]:
    """(first, last day) of the most recent such month on or before ref ('المقبل': the next one;
    'الماضي': the last one before the current month)."""
    year = ref.year
    if tense == "future":
        year = ref.year if month > ref.month else ref.year + 1
    elif month > ref.month or (tense == "past" and month == ref.month):
        year = ref.year - 1
    year = max(MIN_DAY.year, min(MAX_DAY.year, year))
    return date(year, month, 1), last_day(year, month)


def hijri_to_gregorian(year: int, month: int, day: int) -> date | None:
    """Umm al-Qura conversion; None outside the table (1343-1500 AH) or for an invalid day."""
    try:
        from hijridate import Hijri
        g = Hijri(year, month, day).to_gregorian()
        return date(g.year, g.month, g.day)
    except (ImportError, ValueError, OverflowError):
        return None


def gregorian_to_hijri(d: date) -> tuple[int, int, int] | None:
    try:
        from hijridate import Gregorian
        h = Gregorian(d.year, d.month, d.day).to_hijri()
        return h.year, h.month, h.day
    except (ImportError, ValueError, OverflowError):
        return None
