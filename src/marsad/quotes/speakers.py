"""Who is speaking: the noun phrase after a speech verb, and what a bare "وأضاف" refers to.

Arabic news puts the speaker right after the verb (VSO): "قال المتحدث باسم التحالف شون
راين لفرانس برس الإثنين إن ...". The speaker runs from the verb to the first word that
starts something else: a time word (الإثنين), an adjunct (في بيان، لفرانس برس، خلال
كلمته), a relative clause (الذي ...), an aside (-وهو ...-, ومقره ...), the complementizer
(إن/أن) or a quotation. A name in apposition after a comma is kept ("المتحدث باسم الجيش
الوطني الليبي، أحمد المسماري،"). When the verb has no subject ("وأضاف", "ولكنه أكد"),
the speaker is the one the text was already quoting; a bare role ("وقال المسؤول") or a
surname ("وأضاف الفهداوي") points back to the speaker first described in full.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from ..article import ActorMention, Article, Span, Token
from ..text.spans import SpanIndex
from . import lexicon as L


@dataclass(slots=True)
class Speaker:
    span: Span
    text: str
    organization: str | None = None
    anonymous: bool = False
    plural: bool = False
    person: bool = False          # a role or a name: may be the subject of a later bare verb


def strip(word: str) -> str:
    """A normalised word without و/ف and the article: the key for role and name comparisons."""
    for p in ("وال", "فال", "بال", "لل", "ال", "و", "ف"):
        if word.startswith(p) and len(word) - len(p) >= 3:
            return word[len(p):]
    return word


def has(t: Token, words: frozenset[str]) -> bool:
    return t.norm in words or any(f in words for f in t.forms)


def plain(t: Token, words: frozenset[str]) -> bool:
    """The word itself or with و/ف in front (no other clitic): for stop lists of function words."""
    return t.norm in words or (t.norm[:1] in "وف" and t.norm[1:] in words)


class SpeakerFinder:
    """Speaker phrases of one article; holds the tokens, quotation regions and actor mentions."""

    def __init__(self, article: Article, tokens: list[Token], inside_region: list[int | None],
                 regions, actors: list[ActorMention]):
        self.article = article
        self.text = article.text
        self.tokens = tokens
        self.inside = inside_region          # token index -> index of its top-level region, or None
        self.regions = regions
        self.actors = [a for a in actors if a.span is not None]
        self._actors = SpanIndex(self.actors)                                   # asked per phrase
        self._persons = SpanIndex(e for e in article.layer("entities") if e.label == "PER")
        self._entities = SpanIndex(e for e in article.layer("entities") if e.span is not None)

    # -- the noun phrase after a verb -------------------------------------------------------------
    def after(self, v: int, limit: int) -> tuple[int, int] | None:
        """Token range [i, j) of the speaker phrase after token v, or None when the verb has no subject."""
        toks = self.tokens
        i = v + 1
        if has(toks[v], frozenset({"نقل", "نقلت", "نقلا"})):        # "نقلت الوكالة عن المرصد قوله"
            for k in range(v + 1, min(limit, v + 10)):
                if toks[k].norm == "عن":
                    return self.after(k, limit)
        while i < limit and (toks[i].norm in "،,:" or plain(toks[i], L.TIME_WORDS) or toks[i].norm in L.PRONOUN_PPS):
            i += 1                                           # "أعلن، اليوم، المتحدث ...", "قال عنها المدعي"
        if i < limit and (_object_like(self.text, toks[i]) or toks[i].norm == "باسم"):
            return None                                      # "نفى وجوده", "يتحدث باسم": no subject here
        j = i
        while j < limit and j - i < 14:
            t = toks[j]
            if self.inside[j] is not None:                   # a quoted name inside the phrase: وكالة "دوغان"
                region, k = self.inside[j], j
                while k < limit and self.inside[k] == region:
                    k += 1
                named = j > i and has(toks[j - 1], L.ORG_HEADS)           # جماعة "أنصار بيت المقدس"
                if j == i or sum(1 for x in range(j, k) if toks[x].kind == "word") > (6 if named else 3):
                    break
                j = k
                continue
            if t.kind == "punct":
                if t.norm in "،," and j > i:
                    j = self._apposition(j, limit)
                elif t.norm == "(" and j > i and has(toks[j - 1], L.NAMING):     # "التي تعرف باسم (الفرقة 30)"
                    close = next((k for k in range(j + 1, min(limit, j + 8)) if toks[k].norm == ")"), None)
                    if close is not None:
                        j = close + 1
                break
            if has(t, L.ISSUED) and j + 1 < limit and toks[j + 1].norm == "عن":    # "بيان صدر عن مكتب ..."
                return self.after(j + 1, limit)
            if t.kind == "symbol" and t.norm == "#":            # hashtags: "#حجة"
                j += 1
                continue
            if t.kind not in ("word", "latin", "number"):
                break
            if self._stop(j, limit) or j > i and _object_like(self.text, t) and not has(toks[j - 1], L.ROLE_NOUNS):
                break
            j += 1
        while j > i and toks[j - 1].norm in ("في", "من", "و", "ل", "ب") or \
                (j > i and toks[j - 1].norm in L.PREPOSITIONS and not _name_ali(self.text, toks[j - 1])):
            j -= 1
        if j > i and not self._can_start(i, j):
            return None
        return (i, j) if j > i else None

    def _can_start(self, i: int, j: int) -> bool:
        """Not a speaker: a number or month ("2014", "يناير"), a preposition ("في هذا السياق"),
        another speech verb ("ويتابع"), or a lone demonstrative ("جاء ذلك")."""
        t = self.tokens[i]
        if t.kind == "number" or plain(t, L.MONTHS) or (t.norm in L.PREPOSITIONS and not _name_ali(self.text, t)):
            return False
        if has(t, L.SPEECH_VERBS) or has(t, L.PLURAL_SPEECH_VERBS):
            return False
        if t.norm.startswith("ب") and len(t.forms) > 1 and t.norm not in ("باسم",) \
                and not (t.norm in L.ADJUNCT_NOUNS or t.norm in L.SAYING_NOUNS or t.norm in L.ORG_HEADS
                         or t.norm in L.ROLE_NOUNS) \
                and not self._entities.overlapping(t.span.start, t.span.end):
            return False                                     # "وأضاف بنغمة لا تخلو من التهكم": how, not who
        return not (j == i + 1 and t.norm in L.DEMONSTRATIVES)

    def _stop(self, j: int, limit: int) -> bool:
        toks = self.tokens
        t = toks[j]
        n = t.norm
        if _name_ali(self.text, t) or (j > 0 and _name_sabah(self.text, t, toks[j - 1],
                                                              toks[j + 1] if j + 1 < limit else None)):
            return False                                     # "الرائد حسين علي", "صباح كرحوت": names
        if j > 0 and _PARTICIPLE.match(n) and not has(t, L.ROLE_NOUNS) and toks[j - 1].kind == "word":
            return True                                      # "الوزير التركي مدافعاً عما ...": how he said it
        if n in L.DEMONSTRATIVES or n == "بشدة":
            return True                                      # "نفى المحامي هذه الاتهامات": the object
        if n == "في" and any(_adjunct(toks[k]) for k in range(j + 1, min(limit, j + 3))):
            return True                                      # "المنظمة في أحدث تقرير لها"
        if plain(t, L.SPEAKER_STOPS) or plain(t, L.TIME_WORDS) or n in L.COMPLEMENTIZERS or n in L.APPOSITION_PRONOUNS:
            return True
        if has(t, L.CONNECTORS) or has(t, L.SPEECH_VERBS) or has(t, L.PLURAL_SPEECH_VERBS) or n in L.SAYING_NOUNS:
            return True
        if n in L.RELATIVES:
            return not (j + 1 < limit and has(toks[j + 1], L.NAMING))
        if n == "في" and j + 1 < limit and _adjunct(toks[j + 1]):
            return True
        if n in ("ل", "ب", "ك"):
            return True
        if n.startswith("ل") and len(n) > 2 and (n[1:] in L.MEDIA_WORDS or ("ال" + n[2:]) in L.MEDIA_WORDS
                                                  or n[2:] in L.MEDIA_WORDS):
            return True
        if n.startswith("بال") and n not in ("باسم",):
            return True
        return False

    def _apposition(self, comma: int, limit: int) -> int:
        """After "X،": keep a short name or role in apposition ("، أحمد المسماري،"), else stop at the comma."""
        toks = self.tokens
        k = comma + 1
        while k < limit and k - comma <= 6 and toks[k].kind == "word" and not self._stop(k, limit) \
                and self.inside[k] is None:
            k += 1
        n = k - comma - 1
        if not 1 <= n <= 5:
            return comma
        first = toks[comma + 1]
        if (first.norm in L.PREPOSITIONS and not _name_ali(self.text, first)) or _PARTICIPLE.match(first.norm):
            return comma                                     # "، من جهة أخرى", "، معتبرا"
        closes = k >= limit or toks[k].norm in "،,:" or toks[k].norm in L.COMPLEMENTIZERS or self._stop(k, limit)
        if not closes:
            return comma
        if has(first, L.ROLE_NOUNS) or self._person_entity(first.span) or \
                (not first.norm.startswith("ال") and first.norm not in L.PARTICLES and n <= 4
                 and not has(first, L.ANONYMOUS) and not has(first, L.ORG_HEADS)):
            return k
        return comma

    def before(self, v: int, start: int) -> tuple[int, int] | None:
        """Subject before a present-tense verb at a clause start: "لكن منتقدين يقولون إن"."""
        toks = self.tokens
        k = v - 1
        if k >= start and toks[k].norm in ("قد",):
            k -= 1
        j = k + 1
        while k >= start and j - k <= 10 and toks[k].kind == "word" and not plain(toks[k], L.PARTICLES) \
                and not self._stop(k, v) and self.inside[k] is None:
            k -= 1
        i = k + 1
        if i >= j:
            return None
        boundary = k < start or toks[k].norm in "،,:" or plain(toks[k], L.CLAUSE_OPENERS) \
            or toks[k].norm in ("وكان", "كان", "وكانت", "كانت") or toks[k].norm in L.COMPLEMENTIZERS
        return (i, j) if boundary else None

    # -- turning a phrase into a speaker ----------------------------------------------------------
    def make(self, i: int, j: int, plural_verb: bool = False) -> Speaker:
        toks = self.tokens
        span = Span(toks[i].span.start, toks[j - 1].span.end)
        text = self.text[span.start:span.end]
        first = toks[i]
        anonymous = has(first, L.ANONYMOUS) or (has(first, L.QUANTIFIERS) and i + 1 < j
                                                 and has(toks[i + 1], L.ANONYMOUS))
        org = self._organization(i, j, span)
        stem = strip(first.norm)
        plural = plural_verb or stem.endswith(("ون", "ين")) and len(stem) >= 6 or stem.endswith("ات")
        person = has(first, L.ROLE_NOUNS) or any(has(toks[k], L.ROLE_NOUNS) for k in range(i, j)) \
            or self._person_entity(span) or (org is None and j - i <= 4 and not anonymous)
        return Speaker(span, text, org, anonymous, plural, person)

    def _organization(self, i: int, j: int, span: Span) -> str | None:
        inside = self._actors.inside(span.start, span.end)
        if inside and inside[0].id:
            return inside[0].id
        for k in range(i, j):
            if has(self.tokens[k], L.ORG_HEADS):
                t = self.tokens[k]
                start = t.span.start
                if t.norm not in L.ORG_HEADS and t.norm[:1] in "لب" and t.norm[1:] in L.ORG_HEADS:
                    start = t.span.start + 1                                # "بجهاز الأمن" -> "جهاز الأمن"
                end = next((m for m in range(k + 1, j) if has(self.tokens[m], L.TITLES)
                            or self.tokens[m].kind == "punct"), j)
                return self.text[start:self.tokens[end - 1].span.end]
        return None

    def _person_entity(self, span: Span) -> bool:
        return bool(self._persons.overlapping(span.start, span.end))


_PARTICIPLE = re.compile(r"^م\w{3,}ا$")


def _name_sabah(text: str, t: Token, prev: Token, nxt: Token | None) -> bool:
    """"صباح" after a role word and before a word that is no time ("رئيس المجلس صباح كرحوت") is a name;
    "صباح اليوم", "صباح الاثنين" are mornings."""
    if t.span.of(text) != "صباح" or nxt is None or nxt.kind != "word" or prev.kind != "word":
        return False
    return not (plain(nxt, L.TIME_WORDS) or nxt.norm.startswith("ال") or plain(prev, L.PREPOSITIONS))


def _name_ali(text: str, t: Token) -> bool:
    """"علي" written with ي is the name Ali; the preposition is written "على" (both fold to علي)."""
    return t.span.of(text) == "علي"


def _adjunct(t: Token) -> bool:
    """"بيان", "بيانه", "تصريحاتها": how something was said."""
    n = t.norm
    return has(t, L.ADJUNCT_NOUNS) or any(n.endswith(suf) and n[:-len(suf)] in L.ADJUNCT_NOUNS
                                          for suf in ("ه", "ها", "هم", "ات", "اته", "اتها"))


def _object_like(text: str, t: Token) -> bool:
    """A noun with a possessive suffix right after the verb is its object: "نفى وجوده", "نقل تحياته"."""
    word = t.span.of(text)
    if t.kind != "word" or len(word) < 5 or word.endswith("الله") or word in L.ROLE_NOUNS:
        return False
    return word.endswith(("ها", "هم", "هما")) and not word.endswith("اها") or word.endswith("ه") \
        and not word.endswith(("اه", "وه"))


def resolve(speaker: Speaker, history: list[Speaker], tokens_norm: list[str]) -> Speaker:
    """A bare role ("المسؤول") or a surname ("الفهداوي") stands for the speaker described earlier."""
    if len(tokens_norm) != 1 or not history:
        return speaker
    word = tokens_norm[0]
    key = strip(word)
    if word in L.ANAPHORIC_ROLES:
        for earlier in reversed(history):
            heads = [strip(w) for w in _words(earlier.text)]
            if key in heads:
                return earlier
        if word in L.ANONYMOUS:
            return speaker                    # "وأضاف المصدر" with no source named before: still anonymous
        for earlier in reversed(history):
            if earlier.person and not earlier.plural:
                return earlier
        return speaker
    if word not in L.ROLE_NOUNS and word not in L.ORG_HEADS:
        for earlier in reversed(history):
            if earlier.span != speaker.span and key in [strip(w) for w in _words(earlier.text)]:
                return earlier
    return speaker


def _words(text: str) -> list[str]:
    from ..text import norm
    return [w for w in norm(text).replace("،", " ").replace(",", " ").split() if w]
