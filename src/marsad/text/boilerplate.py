"""Page furniture, marked and never deleted: datelines, agency leads, date lines,
bylines and "read also" links, and short lines the scraper repeated.

The dateline ("بيروت -", "عدن - (رويترز) -", "دبي، الإمارات (CNN) --") says where the
story was filed, not where anything happened; later stages read this layer so the
filing city never becomes an event location.
"""
from __future__ import annotations

import re
from collections import defaultdict

from ..article import Article, Boilerplate, Span
from ..dates.calendar import safe_day
from ..pipeline import stage
from .spans import SpanIndex
from .normalize import norm

_W = r"[\u0621-\u064a\u0671-\u06d3\u064b-\u065f\u0640]+"
_AGENCY = (r"(?:رويترز|أ\s?ف\s?ب|ا\s?ف\s?ب|فرانس\s?برس|أ\.ف\.ب|د\s?ب\s?أ|الأناضول|سبوتنيك|واس|وام|سانا|قنا|كونا"
           r"|بترا|واج|ومع|الأسوشيتد\s?برس|أسوشيتد\s?برس|شينخوا|CNN|AFP|Reuters|AP|[^()\n]{1,25}?وكالات)")
DATELINE_RE = re.compile(
    rf"^(?P<city>{_W}(?:[ \u00a0]{_W}){{0,2}}(?:،[ \u00a0]?{_W}(?:[ \u00a0]{_W}){{0,3}})?)"
    rf"[ \u00a0]*(?P<tag>\((?:{_AGENCY})\))?[ \u00a0]*[-–—]{{1,2}}[ \u00a0]*"
    rf"(?:\(?(?P<tag2>{_AGENCY})\)?[ \u00a0]*[-–—]{{0,2}}[ \u00a0]*)?(?=\S)"
)
# Outlets that open a story with their own name instead of a city.
_OUTLETS = {norm(w) for w in ("سبق", "واس", "عين اليوم", "رويترز", "وام", "سانا", "قنا", "كونا", "بترا",
                              "الأناضول", "فرانس برس", "الوطن", "عكاظ", "الرياض", "المدينة", "اليوم", "الحياة")}
# Speech verbs and weekdays open lines too ("وأضاف النائب -"); they are not cities.
_NOT_A_CITY = {norm(w) for w in (
    "قال", "قالت", "أكد", "أكدت", "أضاف", "أضافت", "تابع", "أعلن", "أعلنت", "أوضح", "ذكر", "أفاد", "أشار",
    "شدد", "اعتبر", "المصدر", "كتب", "تحرير", "بقلم", "الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء",
    "الخميس", "الجمعة", "السبت", "يظن", "يسلط", "فكرة")}


def _is_city_word(word: str) -> bool:
    w = norm(word)
    return w not in _NOT_A_CITY and not (w[:1] in "وف" and w[1:] in _NOT_A_CITY)
BYLINE_RE = re.compile(r"^(?:كتب|كتبت|بقلم|تحرير|إعداد|المصدر|مراسل|متابعات|اقرأ أيضا|اقرأ أيضاً|شاهد أيضا|"
                       r"شاهد أيضاً|شاهد|اقرأ المزيد|تابعونا|للمزيد)\s*[:：\-–]?")
_DAYS = r"(?:ال)?(?:أحد|احد|اثنين|إثنين|ثلاثاء|أربعاء|اربعاء|خميس|جمعة|سبت)"
DATE_LINE_RE = re.compile(
    rf"^\s*(?:{_DAYS}\s*[،,]?\s*)?(?P<y>\d{{4}})[/\-.](?P<m>\d{{1,2}})[/\-.](?P<d>\d{{1,2}})\s*$"
    rf"|^\s*(?:{_DAYS}\s*[،,]?\s*)?(?P<d2>\d{{1,2}})[/\-.](?P<m2>\d{{1,2}})[/\-.](?P<y2>\d{{4}})\s*$")
_MAX_DATE_LINE_WORDS = 7    # a line that is only a written-out date
_MAX_DATELINE_LINE = 6       # datelines open the story: look only at its first lines
_MAX_REPEATED_WORDS = 25     # longer repeated lines are body text quoted twice, not furniture


@stage("boilerplate", requires=["text"], assigns=["boilerplate"])
def mark_boilerplate(article: Article) -> list[Boilerplate]:
    text = article.text
    marks: list[Boilerplate] = []
    lines = [(m.start(), m.group()) for m in re.finditer(r"[^\n]+", text) if m.group().strip()]
    dateline_found = False
    by_norm = defaultdict(list)
    for n, (base, line) in enumerate(lines):
        stripped = line.strip()
        lead = len(line) - len(line.lstrip())
        m = DATE_LINE_RE.match(line)
        if m:
            y, mo, d = (m.group("y"), m.group("m"), m.group("d")) if m.group("y") else \
                (m.group("y2"), m.group("m2"), m.group("d2"))
            day = safe_day(int(y), int(mo), int(d))     # None outside the supported dates: '9999/12/31'
            iso = day.isoformat() if day else None
            marks.append(Boilerplate(Span(base + lead, base + lead + len(stripped)), "date_line", iso))
            continue
        if len(stripped.split()) <= _MAX_DATE_LINE_WORDS and any(c.isdigit() for c in stripped):
            from ..dates.times import parse_date_line     # 'الثلاثاء 19 مارس 2019', '25 شوال 1436 هـ'
            iso = parse_date_line(stripped)
            if iso:
                marks.append(Boilerplate(Span(base + lead, base + lead + len(stripped)), "date_line", iso))
                continue
        if not dateline_found and n < _MAX_DATELINE_LINE:
            m = DATELINE_RE.match(line)
            if m and _is_city_word(m.group("city").split()[0]):
                city = m.group("city")
                end = m.end()
                while end > 0 and line[end - 1] in " \u00a0":
                    end -= 1
                kind = "agency" if norm(city) in _OUTLETS else "dateline"
                marks.append(Boilerplate(Span(base, base + end), kind, city,
                                         Span(base + m.start("city"), base + m.end("city"))))
                dateline_found = True
                continue
        m = BYLINE_RE.match(stripped)
        if m and len(stripped.split()) <= 12:
            marks.append(Boilerplate(Span(base + lead, base + lead + len(stripped)), "byline"))
            continue
        if len(stripped.split()) <= _MAX_REPEATED_WORDS:
            by_norm[" ".join(norm(stripped).split())].append((base + lead, base + lead + len(stripped)))
    for spans in by_norm.values():
        if len(spans) > 1:
            marks.extend(Boilerplate(Span(s, e), "repeated") for s, e in spans)
    marks.sort(key=lambda b: b.span.start)
    if article.date is None:      # the page's own date line is the next best publication date
        found = next((b.value for b in marks if b.kind == "date_line" and b.value), None)
        if found:
            article.date, article.date_source = found, "text"
    return marks


def dateline_span(article: Article) -> Span | None:
    """Where the filing city is written, if the article has a dateline."""
    for b in article.layer("boilerplate"):
        if b.kind == "dateline":
            return b.value_span
    return None


def in_boilerplate(article: Article, span: Span,
                   kinds=("dateline", "agency", "repeated", "byline", "date_line")) -> bool:
    # Asked for every sentence: through an index of the layer, not a scan of it.
    return any(b.kind in kinds for b in SpanIndex.of(article.layer("boilerplate")).overlapping(span.start, span.end))
