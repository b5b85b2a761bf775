"""The times stage: time expressions in the text, resolved against the publication date.

Recognition is a set of regular expressions over the normalised text (so "الإثنين",
"الاثنين" and "الأثنين" are one word, and ٢٠١٩ is 2019); resolution is calendar
arithmetic in `calendar.py`. What is found, with the kind it gets:

- date:     "2019/03/19", "19 مارس 2019", "19 آذار/مارس", "التاسع من يناير",
            "الثلاثاء 17 مارس 2018م", "10 من الشهر الجاري"
- hijri:    "25 شوال 1436 هـ", "1436/10/25هـ", "1436 هـ" (converted, Umm al-Qura)
- weekday:  "الاثنين", "يوم الخميس", "امس الإثنين", "مساء الأحد", "ليل السبت الأحد"
            (the most recent such day on or before publication; "المقبل" the next one)
- relative: "اليوم", "أمس", "أول أمس", "فجر اليوم", "الليلة الماضية", "قبل ثلاثة أيام"
- month:    "في سبتمبر" (the most recent September), "مارس 2019", "أواخر مارس الماضي"
- year:     "عام 2014", "في 2011"
- period:   "منذ التاسع من يناير" (start 2019-01-09, value = publication), "خلال الأسبوع
            الماضي", "الشهر الماضي", "العام الماضي", "خلال اليومين الماضيين", "منذ 2011"

`value` is the ISO day the expression points to (the last day of a period), `start` the
first day of a period, `precision` day | week | month | year (ACLED's time precision).
Without a publication date, expressions that need one get value None: a date is never
resolved against "today".

dateparser was tried first (it is a dependency) and is not used here: it cannot find
expressions in running text with their spans (its `search_dates` needs a language
model of Arabic word boundaries it does not have), it misses the Levantine and
Maghrebi month names, ordinal days, "أول أمس", "منذ ثلاثة أيام" and "العام الماضي"
(../shared/STACK.md), and for month names it returns a day of the month copied from
the base date ("في سبتمبر" → 2018-09-19). Once a phrase is recognised, resolving it is
a few lines of date arithmetic, 100x faster than a dateparser call.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

from ..article import Article, Span, TimeExpr
from ..numbers.words import Accumulator, ordinal_value, word_value
from ..pipeline import stage
from ..text.normalize import norm, normalize
from . import calendar as cal

_S = r"[ ]+"        # one or more spaces; never a line break: an expression stays on its line
_O = r"[ ]*"


def _fold(pattern: str) -> str:
    """norm() for the Arabic letters of a regex, leaving its syntax alone."""
    return "".join(norm(c) if "\u0600" <= c <= "\u06ff" else c for c in pattern)


def _alt(words) -> str:
    return "|".join(re.escape(norm(w)).replace(r"\ ", _S) for w in sorted(set(words), key=len, reverse=True))


_B = r"(?<![\w])"   # word boundaries that treat Arabic letters as letters
_E = r"(?![\w])"
_CONJ = r"(?:[وف]?)"

MONTH = _alt(cal.MONTHS)
SAFE_MONTH = _alt(m for m in cal.MONTHS if m not in cal.AMBIGUOUS_MONTHS)
HMONTH = _alt(cal.HIJRI_MONTHS)
WEEKDAY = _alt(cal.WEEKDAYS)
TOD = _alt(["فجر", "صباح", "ظهر", "ظهيرة", "عصر", "مساء", "ليل", "ليلة", "منتصف ليل", "منتصف ليلة", "صبيحة",
            "فجر يوم", "صباح يوم", "مساء يوم", "ليل يوم", "ليلة يوم", "عشية", "ظهر يوم"])
TENSE = _alt(["الماضي", "الماضية", "المنصرم", "المنصرمة", "الفائت", "الفائتة", "المقبل", "المقبلة", "القادم",
              "القادمة", "الجاري", "الحالي", "الحالية"])
_PAST, _FUTURE, _CURRENT = ({norm(w) for w in ws.split()} for ws in (
    "الماضي الماضية المنصرم المنصرمة الفائت الفائتة", "المقبل المقبلة القادم القادمة", "الجاري الحالي الحالية"))
ORD = (r"ال(?:اول|حادي|ثاني|ثالث|رابع|خامس|سادس|سابع|ثامن|تاسع|عاشر)(?:" + _S + r"عشر|" + _S + r"و" + _O
       + r"ال(?:عشرين|ثلاثين))?|ال(?:عشرين|ثلاثين)")
DAY = rf"(?:ال{_O})?(?P<day>[0-3]?\d)|(?P<ord>{ORD})"
YEAR = rf"(?:{_S}(?:من{_S})?(?:(?:عام|العام|سنه|السنه){_O})?(?P<year>(?:19|20)\d\d)(?:{_O}م{_E})?)"
NUM_WORD = r"[\w]+(?:" + _S + r"و?[\w]+)?"
UNIT = _alt(["يوم", "يوما", "أيام", "أسبوع", "أسبوعا", "أسابيع", "شهر", "شهرا", "أشهر", "شهور", "سنة", "سنوات",
             "عام", "عاما", "أعوام", "ساعة", "ساعات"])
DUAL_UNIT = _alt(["يومين", "أسبوعين", "شهرين", "عامين", "سنتين", "ساعتين"])
_EDGE = _alt(["مطلع", "أوائل", "أواخر", "منتصف", "نهاية", "بداية", "أواسط", "مستهل", "آخر"])

# Patterns are written in ordinary spelling and folded with `norm`, like the text they run on.
_RULES: list[tuple[str, re.Pattern]] = [(name, re.compile(_fold(rx))) for name, rx in [
    ("numeric", rf"{_B}(?:(?P<wd>{WEEKDAY}){_O}[،,]?{_O})?(?:(?P<y1>\d{{4}}){_O}(?P<s1>[/.-]){_O}(?P<m1>\d{{1,2}})"
                rf"{_O}(?P=s1){_O}(?P<d1>\d{{1,2}})|(?P<d2>\d{{1,2}}){_O}(?P<s2>[/.-]){_O}(?P<m2>\d{{1,2}}){_O}"
                rf"(?P=s2){_O}(?P<y2>\d{{4}}))(?:{_O}(?P<mark>ه|م){_E})?(?![\d/])"),
    ("day_month", rf"{_B}(?:(?P<wd>{WEEKDAY}){_O}[،,]?{_O}(?:الموافق{_S})?)?(?:يوم{_S})?(?:{DAY}){_S}(?:من{_S})?"
                  rf"(?:شهر{_S})?(?P<month>{MONTH})(?:(?:{_O}[/(-]{_O}|{_S})(?P<month2>{MONTH}){_O}\)?)?{YEAR}?"
                  rf"(?:{_S}(?P<tense>{TENSE}))?{_E}"),
    ("day_this_month", rf"{_B}(?:يوم{_S})?(?:{DAY}){_S}من{_S}(?:هذا{_S})?(?:ال)?شهر(?:{_S}(?P<tense>{TENSE}))?{_E}"),
    ("hijri_date", rf"{_B}(?:{DAY}){_S}(?:من{_S})?(?:شهر{_S})?(?P<hmonth>{HMONTH})"
                   rf"(?:{_S}(?:عام{_S})?(?P<year>1[34]\d\d))?(?:{_O}(?P<mark>ه){_E})?{_E}"),
    ("hijri_month", rf"{_B}(?:شهر{_S})?(?P<hmonth>{HMONTH}){_S}(?:(?:من{_S})?(?:عام|العام|سنه){_S})?"
                    rf"(?P<year>1[34]\d\d)(?:{_O}(?P<mark>ه){_E})?{_E}"),
    ("hijri_year", rf"{_B}(?:(?:عام|العام|سنه){_S})?(?P<year>1[34]\d\d){_O}ه{_E}"),
    ("month", rf"{_B}(?:(?P<edge>{_EDGE}){_S})?(?:شهر{_S})?(?P<month>{MONTH})"
              rf"(?:(?:{_O}[/(-]{_O}|{_S})(?P<month2>{MONTH}){_O}\)?)?(?:{YEAR}|{_S}(?P<tense>{TENSE}))?{_E}"),
    ("year", rf"{_B}(?:(?P<edge>{_EDGE}){_S})?(?P<lead>عام|العام|سنه|السنه|عامي){_O}(?P<year>(?:19|20)\d\d){_E}"
             rf"(?:{_O}م{_E})?"),
    ("bare_year", rf"{_B}(?P<lead>[وف]?(?:في|منذ|حتى|بحلول|خلال|قبل|بعد|مطلع|أواخر|نهاية|بداية|منتصف)){_S}"
                  rf"(?P<year>(?:19|20)\d\d){_E}(?!{_O}[/.-]{_O}\d)"),
    ("weekday", rf"{_B}(?:(?P<tod0>{TOD}){_S})?(?:(?P<rel>امس|البارحه|اليوم){_S})?(?:(?P<tod>{TOD}){_S})?(?:يوم{_S})?"
                rf"(?P<wd>{WEEKDAY})"
                rf"(?:{_O}[-/–]?{_O}(?P<wd2>{WEEKDAY}))?(?:{_S}(?P<tense>{TENSE}))?{_E}"),
    ("relative", rf"{_B}(?<!ذلك )(?<!نفس )(?<!صحيفة )(?<!جريدة )(?:(?P<tod>{TOD}){_S})?"
                 rf"(?P<rel>اليوم|امس|بالامس|البارحه|اول{_S}امس|اول{_S}من{_S}امس|امس{_S}الاول|غدا|بعد{_S}غد|الليله{_S}الماضيه|الليله{_S}قبل{_S}الماضيه|ليله{_S}امس|الليله)"
                 rf"(?!{_S}(?:التالي|الاول|الثاني|الثالث|الاخير|العالمي|الوطني|نفسه|ذاته|السابق|الموعود))"
                 rf"(?!{_O}[\"»])(?<![\"«]اليوم){_E}"),
    ("ago", rf"{_B}(?P<lead>قبل|منذ){_S}(?:(?:نحو|حوالي|قرابه){_S})?(?:(?P<dual>{DUAL_UNIT})|(?P<n>\d+|{NUM_WORD})"
            rf"{_S}(?P<unit>{UNIT})){_E}"),
    ("last_units", rf"{_B}(?:(?:خلال|في|طوال|على{_S}مدى|علي{_S}مدي|منذ){_S})?(?:ال)?(?:(?P<n>\d+){_O})?(?P<unit>الايام|"
                   rf"الاسابيع|الاشهر|الشهور|الساعات|السنوات|الاعوام|ساعه|اليومين|الاسبوعين|الشهرين|العامين|"
                   rf"السنتين){_S}(?:(?:القليله|الاخيره){_S})?(?P<tense>الماضيه|الماضيين|الاخيره|المنصرمه|"
                   rf"الماضي|الفايته){_E}"),
    ("this_period", rf"{_B}(?<!الامين )(?<!المدعي )(?<!النايب )(?<!المدير )(?<!الراي )(?<!القطاع )"
                    rf"(?<!المال )(?<!الشان )(?:(?P<edge>{_EDGE}){_S})?(?:(?P<this>هذا|هذه){_S})?"
                    rf"(?P<unit>الاسبوع|الشهر|العام|السنه)(?:{_S}(?P<tense>{TENSE}))?{_E}"),
]]
# What each rule cannot match without, checked before the rule runs: most articles have
# no Hijri month, no numeric date and no "منذ", and a rule's full pattern costs ten times
# more to run over a text than a search for its anchor.
_ANCHORS: dict[str, re.Pattern] = {name: re.compile(_fold(rx)) for name, rx in [
    ("numeric", r"\d[ ]*[/.-][ ]*\d"),
    ("day_month", MONTH),
    ("day_this_month", r"شهر"),
    ("hijri_date", HMONTH),
    ("hijri_month", HMONTH),
    ("hijri_year", r"1[34]\d\d[ ]*ه"),
    ("month", MONTH),
    ("year", r"(?:عامي|عام|سنه)[ ]*(?:19|20)\d\d"),
    ("bare_year", r"(?:19|20)\d\d"),
    ("weekday", WEEKDAY),
    ("relative", r"اليوم|امس|البارحه|غد|الليله"),
    ("ago", r"قبل|منذ"),
    ("last_units", r"الماضي|الاخيره|المنصرمه|الفايته"),
    ("this_period", r"الاسبوع|الشهر|العام|السنه"),
]}
_SINCE = re.compile(rf"(?:^|[ (])[وف]?منذ{_S}$")
_MONTH_LEAD = re.compile(_fold(r"(?:^|[ (])[وف]?(?:في|منذ|خلال|حتى|بحلول|قبل|بعد|أواخر|مطلع|منتصف)[ ]+$"))
_UNIT_DAYS = {"يوم": 1, "ساعه": 1, "اسبوع": 7, "شهر": 30, "سنه": 365, "عام": 365}
_UNIT_OF = {**{norm(w): "يوم" for w in ("يوم", "يوما", "أيام", "يومين", "الايام", "اليومين")},
            **{norm(w): "اسبوع" for w in ("أسبوع", "أسبوعا", "أسابيع", "أسبوعين", "الاسابيع", "الاسبوعين")},
            **{norm(w): "شهر" for w in ("شهر", "شهرا", "أشهر", "شهور", "شهرين", "الاشهر", "الشهور", "الشهرين")},
            **{norm(w): "سنه" for w in ("سنة", "سنوات", "سنتين", "عام", "عاما", "أعوام", "عامين", "السنوات",
                                        "الاعوام", "العامين", "السنتين")},
            **{norm(w): "ساعه" for w in ("ساعة", "ساعات", "ساعتين", "الساعات")}}
_PRECISION = {"يوم": "day", "ساعه": "day", "اسبوع": "week", "شهر": "month", "سنه": "year"}
_DUAL_UNITS = {norm(w) for w in ("يومين", "أسبوعين", "شهرين", "عامين", "سنتين", "ساعتين", "اليومين",
                                 "الاسبوعين", "الشهرين", "العامين", "السنتين")}
_NOT_YEAR_AFTER = re.compile(rf"{_S}(?:شخص|مدني|قتيل|جريح|طفل|عنصر|مقاتل|جندي|نازح|لاجي|غاره|صاروخ|دولار|عايله|اسره|"
                             r"مسلح|امراه|متر|كيلو|كلم)")


_MAX_DIGITS = 6         # more days, months or years than this is no time expression ("منذ 99999999 عام")


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


_safe_date = cal.safe_day       # None for a day that does not exist or lies outside the supported range


def _number(text: str) -> int | None:
    """'3' or 'ثلاثة' or 'خمسة عشر' → int; None for 'عدة', 'بضعة' (vague: no day to point to)."""
    text = text.strip()
    if text.isdigit():
        return int(text) if len(text) <= _MAX_DIGITS else None
    acc = Accumulator()
    for i, w in enumerate(text.split()):
        joined = i > 0 and w.startswith("و") and len(w) > 2
        found = word_value(w[1:] if joined else w)
        if found is None or found[0] == "vague" or not acc.add(found[0], found[1], joined):
            return None
    v = acc.value
    return int(v) if v and v == int(v) else None


def _day(m: re.Match) -> int | None:
    if m.groupdict().get("day"):
        return int(m.group("day"))
    if m.groupdict().get("ord"):
        words = [w[2:] if w.startswith("ال") else w for w in m.group("ord").split()]
        words = [w if not w.startswith("وال") else "و" + w[3:] for w in words]
        found = ordinal_value(words)
        return found[0] if found else None
    return None


def _tense(word: str | None) -> str | None:
    if not word:
        return None
    w = norm(word)
    return "past" if w in _PAST else "future" if w in _FUTURE else "current" if w in _CURRENT else None


class _Resolver:
    """Turns one regex match into (kind, value, start, precision), given the publication date."""

    def __init__(self, pub: date | None):
        self.pub = pub
        self.clamped = False        # the last resolution left the supported range and was clamped

    def _back(self, n: int, unit: str) -> date:
        """The publication date moved back n units (negative: forward), clamped to the supported range."""
        if unit == "شهر":
            d = cal.add_months(self.pub, -n)
        elif unit == "سنه":
            d = cal.add_months(self.pub, -12 * n)
        else:
            d = cal.add_days(self.pub, -n * _UNIT_DAYS[unit])
        self.clamped = d in (cal.MIN_DAY, cal.MAX_DAY)
        return d

    def numeric(self, m):
        if m.group("y1"):
            y, mo, d = int(m.group("y1")), int(m.group("m1")), int(m.group("d1"))
        else:
            y, mo, d = int(m.group("y2")), int(m.group("m2")), int(m.group("d2"))
        if m.group("mark") == "ه" or 1300 <= y <= 1500:
            return "hijri", cal.hijri_to_gregorian(y, mo, d), None, "day"
        if not 1900 <= y <= 2100:
            return None
        d = _safe_date(y, mo, d)
        return ("date", d, None, "day") if d else None

    def day_month(self, m):
        month = cal.MONTHS[" ".join(m.group("month").split())]
        month2 = m.group("month2")
        if month2 and cal.MONTHS[" ".join(month2.split())] != month:
            return None
        day = _day(m)
        if not day or not 1 <= day <= 31:
            return None
        if m.group("year"):
            d = _safe_date(int(m.group("year")), month, day)
        elif self.pub:
            d = cal.nearest_year(self.pub, month, day, _tense(m.group("tense")) if _tense(m.group("tense"))
                                 in ("past", "future") else None)
        else:
            d = None
        return "date", d, None, "day"

    def day_this_month(self, m):
        day = _day(m)
        if not day or not 1 <= day <= 31:
            return None
        if not self.pub:
            return "date", None, None, "day"
        ref = self.pub if _tense(m.group("tense")) != "past" else cal.add_months(self.pub.replace(day=1), -1)
        return "date", _safe_date(ref.year, ref.month, day), None, "day"

    def hijri_date(self, m):
        day = _day(m)
        month = cal.HIJRI_MONTHS[" ".join(m.group("hmonth").split())]
        if month == 2 and not (m.group("year") or m.group("mark")):
            return None                                   # 'صفر' is also zero: '1 صفر' is a score
        if not day or not 1 <= day <= 30:
            return None
        if m.group("year"):
            return "hijri", cal.hijri_to_gregorian(int(m.group("year")), month, day), None, "day"
        if not self.pub:
            return "hijri", None, None, "day"
        h = cal.gregorian_to_hijri(self.pub)
        if not h:
            return "hijri", None, None, "day"
        options = [cal.hijri_to_gregorian(y, month, day) for y in (h[0] - 1, h[0], h[0] + 1)]
        options = [d for d in options if d]
        best = min(options, key=lambda d: (abs((d - self.pub).days), d > self.pub)) if options else None
        return "hijri", best, None, "day"

    def hijri_month(self, m):
        month = cal.HIJRI_MONTHS[" ".join(m.group("hmonth").split())]
        y = int(m.group("year"))
        first = cal.hijri_to_gregorian(y, month, 1)
        nxt = cal.hijri_to_gregorian(y + (month == 12), month % 12 + 1, 1)
        return "hijri", nxt - timedelta(days=1) if nxt else None, first, "month"

    def hijri_year(self, m):
        y = int(m.group("year"))
        first, last = cal.hijri_to_gregorian(y, 1, 1), cal.hijri_to_gregorian(y + 1, 1, 1)
        return "hijri", last - timedelta(days=1) if last else None, first, "year"

    def month(self, m):
        name = " ".join(m.group("month").split())
        month = cal.MONTHS[name]
        month2 = m.group("month2")
        if month2 and cal.MONTHS[" ".join(month2.split())] != month:
            return None
        tense = _tense(m.group("tense"))
        lead = m.string[max(0, m.start() - 12):m.start()]
        has_cue = bool(m.group("year") or month2 or tense or m.group("edge") or "شهر" in m.group()
                       or _MONTH_LEAD.search(lead))
        if not has_cue or (name in cal.AMBIGUOUS_MONTHS and not (m.group("year") or month2 or "شهر" in m.group())):
            if not (name in cal.AMBIGUOUS_MONTHS and name == norm("مارس") and has_cue):
                return None
        if m.group("year"):
            y = int(m.group("year"))
            first, last = date(y, month, 1), cal.last_day(y, month)
        elif self.pub:
            first, last = cal.month_on_or_before(self.pub, month, tense if tense in ("past", "future") else None)
        else:
            return "month", None, None, "month"
        if self.pub and first <= self.pub <= last:
            last = self.pub
        return "month", last, first, "month"

    def year(self, m):
        y = int(m.group("year"))
        if m.group("lead") and norm(m.group("lead")) not in (norm("عام"), norm("العام"), norm("سنة"), norm("السنة"),
                                                            norm("عامي")):
            if _NOT_YEAR_AFTER.match(m.string, m.end()) or (self.pub and y > self.pub.year + 10):
                return None
        first, last = date(y, 1, 1), date(y, 12, 31)
        if m.groupdict().get("lead") and norm(m.group("lead")).endswith(norm("منذ")):
            return "period", self.pub, first, "year"           # 'منذ 2011'
        if self.pub and first <= self.pub <= last:
            last = self.pub
        return "year", last, first, "year"

    bare_year = year

    def weekday(self, m):
        wd = cal.WEEKDAYS[m.group("wd")]
        wd2 = cal.WEEKDAYS.get(m.group("wd2") or "")
        lead = m.string[max(0, m.start() - 6):m.start()]
        if m.group("wd") == norm("الاثنين") and not (m.group("tod") or m.group("tod0") or m.group("rel")
                                                     or "يوم" in m.group()) and \
                (re.search(r"(?:بين|كلا)[ ]+$", lead) or re.match(rf"{_S}(?:من|معا|كليهما)", m.string[m.end():])):
            return None                                   # 'بين الاثنين', 'الاثنين من': "the two"
        if not self.pub:
            return "weekday", None, None, "day"
        rel = norm(m.group("rel") or "")
        tense = _tense(m.group("tense"))
        if rel in ("امس", "البارحه"):
            d = cal.add_days(self.pub, -1)
        elif rel == "اليوم":
            d = self.pub
        elif wd2 is not None:
            d = cal.weekday_on_or_before(self.pub, wd2)
            return "weekday", d, cal.add_days(d, -((wd2 - wd) % 7 or 1)), "day"
        elif tense == "future":
            d = cal.weekday_after(self.pub, wd)
        elif tense == "past":
            d = cal.weekday_on_or_before(cal.add_days(self.pub, -1), wd)
        else:
            d = cal.weekday_on_or_before(self.pub, wd)
        return "weekday", d, None, "day"

    def relative(self, m):
        if not self.pub:
            return "relative", None, None, "day"
        rel = " ".join(m.group("rel").split())
        back = {"اليوم": 0, "الليله": 0, "امس": 1, "بالامس": 1, "البارحه": 1, "ليله امس": 1, "الليله الماضيه": 1,
                "اول امس": 2, "اول من امس": 2, "امس الاول": 2, "الليله قبل الماضيه": 2, "غدا": -1,
                "بعد غد": -2}[rel]
        return "relative", cal.add_days(self.pub, -back), None, "day"

    def ago(self, m):
        if m.group("dual"):
            unit, n = _UNIT_OF[norm(m.group("dual"))], 2
        else:
            unit, n = _UNIT_OF.get(norm(m.group("unit"))), _number(m.group("n"))
        if not unit or not n:
            return None
        since = norm(m.group("lead")) == norm("منذ")
        if not self.pub:
            return ("period" if since else "relative"), None, None, _PRECISION[unit]
        d = self._back(n, unit)
        if since:
            return "period", self.pub, d, _PRECISION[unit]
        return "relative", d, None, _PRECISION[unit]

    def last_units(self, m):
        unit_word = norm(m.group("unit"))
        unit = _UNIT_OF.get(unit_word, "ساعه" if unit_word == "ساعه" else None)
        if unit is None:
            return None
        n = 2 if unit_word in _DUAL_UNITS else _number(m.group("n")) if m.group("n") else None
        if unit == "ساعه":
            n = max(1, (n or 24) // 24)
            unit = "يوم"
        if n is None:      # 'الأيام الماضية': about a week; 'الأسابيع الماضية': about a month
            n, unit = {"يوم": (7, "يوم"), "اسبوع": (4, "اسبوع"), "شهر": (3, "شهر"), "سنه": (3, "سنه")}[unit]
        if not self.pub:
            return "period", None, None, _PRECISION["اسبوع" if unit == "يوم" and n > 2 else unit]
        start = self._back(n, unit)
        precision = "day" if unit == "يوم" and n <= 2 else "week" if unit in ("يوم", "اسبوع") else \
            _PRECISION[unit]
        return "period", self.pub, start, precision

    def this_period(self, m):
        unit = norm(m.group("unit"))
        tense = _tense(m.group("tense"))
        if not (tense or m.group("this") or m.group("edge")):
            return None
        if tense == "future":
            return None
        precision = {"الاسبوع": "week", "الشهر": "month", "العام": "year", "السنه": "year"}[unit]
        if not self.pub:
            return "period", None, None, precision
        p = self.pub
        if precision == "week":
            start = cal.add_days(p, -7 if tense == "past" else -6)
            return "period", p, start, "week"
        if precision == "month":
            if tense == "past":
                first = cal.add_months(p.replace(day=1), -1)
                return "period", cal.last_day(first.year, first.month), first, "month"
            return "period", p, p.replace(day=1), "month"
        if tense == "past":
            return "period", cal.clamp(date(p.year - 1, 12, 31)), cal.clamp(date(p.year - 1, 1, 1)), "year"
        return "period", p, date(p.year, 1, 1), "year"


def _pub_date(article: Article) -> date | None:
    """The publication day, clamped to the supported range (the readers already clamp and warn;
    this keeps a hand-built Article dated 0001-01-01 from overflowing the arithmetic)."""
    try:
        return cal.clamp(date.fromisoformat(article.date[:10])) if article.date else None
    except ValueError:
        return None


def find_time_spans(text: str, pub: date | None, clamped: list | None = None
                    ) -> list[tuple[int, int, TimeExpr]]:
    """(normalised start, end, TimeExpr with a normalised span) for every expression, no overlaps.
    `clamped` collects the normalised (start, end) of expressions resolved outside the supported
    dates and clamped to MIN_DAY or MAX_DAY."""
    n = normalize(text)
    resolver = _Resolver(cal.clamp(pub) if pub else None)
    found = []
    for name, rx in _RULES:
        if not _ANCHORS[name].search(n.text):
            continue
        for m in rx.finditer(n.text):
            if m.end() == m.start():
                continue
            resolver.clamped = False
            got = getattr(resolver, name)(m)
            if got is None:
                continue
            if resolver.clamped and clamped is not None:
                clamped.append((m.start(), m.end()))
            found.append((m.start(), m.end(), name, got))
    found.sort(key=lambda f: (f[0], -(f[1] - f[0])))
    out = []
    last_end = -1
    for a, b, name, (kind, value, start, precision) in found:
        if a < last_end:
            continue
        since = _SINCE.search(n.text, max(0, a - 12), a)
        if since and name not in ("ago", "last_units"):         # 'منذ التاسع من يناير': from then to publication
            a = since.start() + (1 if n.text[since.start()] in " (" else 0)
            start, value, kind = start or value, pub, "period"
            if start and pub and start > pub:
                start = None
        out.append((a, b, TimeExpr(Span(a, b), kind, _iso(value), _iso(start), precision)))
        last_end = b
    return out


@stage("times", requires=["tokens", "sentences", "boilerplate"], assigns=["times"])
def find_times(article: Article) -> list[TimeExpr]:
    """Dates, weekdays, relative days and periods, resolved against the publication date."""
    n = normalize(article.text)
    pub = _pub_date(article)
    out, clamped = [], []
    for a, b, t in find_time_spans(article.text, pub, clamped):
        s, e = n.to_original(a, b)
        t.span = Span(s, e)
        out.append(t)
    for a, b in clamped[:3]:
        s, e = n.to_original(a, b)
        article.warnings.append(f"time expression {article.text[s:e]!r} at {s}-{e} points outside the supported "
                                f"dates {cal.MIN_DAY}..{cal.MAX_DAY}; resolved to the nearest of them.")
    return out


def parse_date_line(line: str) -> str | None:
    """ISO date of a line that is only a date with a month name ('الثلاثاء 19 مارس 2019'), else None."""
    text = norm(line).strip()
    for name in ("day_month", "numeric", "hijri_date"):
        rx = dict(_RULES)[name]
        m = rx.fullmatch(text)
        if m and (name != "day_month" or m.group("year")) and (name != "hijri_date" or m.group("year")):
            got = getattr(_Resolver(None), name)(m)
            if got and got[1]:
                return got[1].isoformat()
    return None
