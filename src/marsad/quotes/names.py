"""Speakers named where the article first describes them.

A speaker phrase is often a description that points back to someone named earlier: a role
("الوزير التركي", "مدير المرصد") for the person introduced as "وزير الخارجية التركي مولود
تشاووش أوغلو"; a surname or short name ("الطالبة بيتروس") for the full name ("كونا بيتروس");
an organisation word ("المنظمة", "الجماعة") for the organisation named last. The guide codes
the name. This pass rewrites such speakers to the earlier mention (its span into the text),
using the entities layer; a phrase that already holds a full name, or with nothing earlier to
point to, is left as it is.
"""
from __future__ import annotations

import bisect

from ..article import Article, Quote, Span
from ..text import norm
from . import lexicon as L
from .speakers import strip

_WINDOW = 8            # words before a name that describe it ("وزير الخارجية التركي مولود ...")
_MAX_ROLE_WORDS = 6    # longer phrases are descriptions of their own
_REACH = 4000          # characters back an anaphor may point


def _words(text: str) -> list[str]:
    return [strip(w) for w in norm(text).replace("،", " ").replace(",", " ").split() if w]


def _keys(text: str) -> set[str]:
    """Every word of `text` as written and without its article or و/ف ("وزير" is not "و" + "زير",
    but "وقال" is "و" + "قال")."""
    out = set()
    for w in norm(text).replace("،", " ").replace(",", " ").split():
        out.add(w)
        out.add(strip(w))
        if w.startswith("ال") and len(w) > 4:
            out.add(w[2:])
    return out


class _Mentions:
    def __init__(self, article: Article, label: str):
        self.items = sorted((e for e in article.layer("entities") if e.label == label and e.span is not None),
                            key=lambda e: e.span.start)
        self.starts = [e.span.start for e in self.items]

    def before(self, pos: int, reach: int = _REACH):
        """Mentions ending before `pos`, nearest first."""
        k = bisect.bisect_left(self.starts, pos)
        for e in reversed(self.items[:k]):
            if e.span.end > pos:
                continue
            if pos - e.span.end > reach:
                return
            yield e

    def after(self, pos: int):
        """The first mention starting at or after `pos`."""
        k = bisect.bisect_left(self.starts, pos)
        return self.items[k] if k < len(self.items) else None

    def overlapping(self, start: int, end: int):
        k = bisect.bisect_left(self.starts, end)
        return [e for e in self.items[max(0, k - 8):k] if e.span.end > start]


_APPOSED_MAX = 60      # characters between a role phrase and the name that follows it


def _apposed(between: str) -> bool:
    """What may separate a role phrase from its name: the rest of the role ("لشبكة الجزيرة
    الإخبارية،", "بالمحافظة الدكتور"), not a clause ("إن", "أن", a quotation, a sentence end)."""
    if len(between) > _APPOSED_MAX or any(c in between for c in '.:«»"“”!?؟\n'):
        return False
    return not any(w in L.COMPLEMENTIZERS or w in L.SPEECH_VERBS for w in norm(between).split())


def name_speakers(article: Article, quotes: list[Quote]) -> None:
    if not quotes:
        return
    text = article.text
    persons, orgs = _Mentions(article, "PER"), _Mentions(article, "ORG")
    cache: dict = {}
    named: list = []                  # earlier speakers holding a name: (their words, span)
    for q in quotes:
        s = q.speaker_span
        if s is None or not q.speaker:
            continue
        key = (s.start, s.end)
        if key not in cache:
            cache[key] = _earlier(text, q.speaker, s, persons, orgs, named)
        found = cache[key] or s
        q.speaker, q.speaker_span = text[found.start:found.end], found
        if persons.overlapping(found.start, found.end) and (not named or named[-1][1] != found):
            named.append((_keys(q.speaker), found))


def _full_name(text, surname: str, span, persons: _Mentions):
    """The last full name said before `span` that ends with `surname`."""
    if len(surname) < 4:
        return None
    for e in persons.before(span.start):
        full = _words(text[e.span.start:e.span.end])
        if len(full) >= 2 and full[-1] == surname:
            return e.span
    return None


def _earlier(text, phrase, span, persons: _Mentions, orgs: _Mentions, named=()):
    words = phrase.split()
    if not words or norm(words[0]) in L.DEMONSTRATIVES:
        return None                                  # "هذا المسؤول": the source just quoted, as it was
    if len(words) >= 2 and norm(words[0]) in L.STATEMENT_WORDS and norm(words[1]) not in L.ISSUED:
        start = span.start + phrase.index(words[1], len(words[0]))
        return Span(start, span.end)                 # "بيان الداخلية التونسية": who issued it speaks
    inside = persons.overlapping(span.start, span.end)
    if inside:                                       # a short name: the full one said before
        name = _words(text[inside[0].span.start:inside[0].span.end])
        for e in persons.before(span.start):
            full = _words(text[e.span.start:e.span.end])
            if len(full) > len(name) and set(name) <= set(full):
                return e.span
        return None
    head = norm(words[0])
    role = head in L.ROLE_NOUNS or head in L.ANAPHORIC_ROLES
    after = persons.after(span.end) if role else None
    if after is not None and _apposed(text[span.end:after.span.start]):
        return after.span                            # "مدير عام الصحة في محافظة عدن، الخضر لصور، إن"
    if len(words) <= _MAX_ROLE_WORDS and role:               # a role: the person it introduced
        need = [w[2:] if w.startswith("ال") and len(w) > 4 else w for w in norm(" ".join(words)).split()]
        need = [w for w in need if len(w) > 2]
        for words_of, where in reversed(named):  # a speaker quoted before under this role and a name
            if where.end <= span.start and need and all(w in words_of for w in need):
                return where
        for e in persons.before(span.start):
            lead = _keys(" ".join(text[max(0, e.span.start - 80):e.span.start].split()[-_WINDOW:]))
            if need and need[0] in lead and 2 * sum(w in lead for w in need) >= len(need) + 1:
                return e.span                        # the role and most of its words ("المتحدث باسم التحالف")
        last = norm(words[-1])
        if len(words) > 1 and not last.startswith("ال") and last not in L.ROLE_NOUNS:
            return _full_name(text, strip(last), span, persons)     # "الطالبة بيتروس"
        return None
    if len(words) <= 3 and not head.startswith("ال") or len(words) <= 2:
        if head not in L.ORG_ANAPHORS and head not in L.ORG_HEADS:   # "المسماري تفاصيل": the full name
            return _full_name(text, strip(head), span, persons)
    if len(words) <= 3 and head in L.ORG_ANAPHORS:    # an organisation word: the last one named as one
        kind = strip(head)
        for e in orgs.before(span.start):
            own = _words(text[e.span.start:e.span.end])
            lead = _keys(" ".join(text[max(0, e.span.start - 80):e.span.start].split()[-_WINDOW:]))
            if kind in own[:1] or kind in lead:
                return None if own == [kind] else e.span
    return None
