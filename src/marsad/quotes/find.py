"""Reported speech: direct quotations and "قال إن ..." clauses, with who said them.

Sentence by sentence, left to right:

1. Speech sites: finite speech verbs (قال، أكد، أعلن، أفاد، أشار ...), participles that add
   a clause by the same speaker (قائلا، مضيفا، موضحا، مشيرا ...), "قوله"/"بالقول", and
   "جاء في بيان لـX". Each site gets a speaker (see `speakers.py`); a site with no subject
   continues the speaker the text was quoting.
2. Indirect speech: a complementizer (إن/أن/بأن ..., "إلى أن" after أشار/لفت/نوه) whose
   nearest speech site lies before it in the sentence. The quote is the clause after it, up
   to the end of the sentence, the next speech act ("، مضيفا أن"), or a trailing
   attribution ("بحسب ..."). A clause that opens with a quotation mark is the quotation.
3. Direct speech: quotation marks (paired by `marks.py`, nesting included) after a speech
   site ("وأضاف "...""، "قائلا: «...»"), after a speaker and a colon, followed by an
   attribution ("«...»، قال المتحدث"), or embedded in a sentence that reports speech.
   Short quoted terms are not quotes: at least 2 words right after the verb or a colon,
   3 after a speaker, 5 inside a sentence ('لـ"الثأر"', '"جنود الخلافة"', names).
4. Speakers the guide calls unidentifiable (anonymous sources, witnesses, critics) and
   the continuations of their words are dropped.

Hand-written: no offline Arabic tool finds reported speech or its source.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass

from ..article import Article, Quote, Span, Token
from ..pipeline import stage
from ..text.wordcache import per_word
from . import lexicon as L
from .kinds import classify
from .marks import Region, quote_regions
from .names import name_speakers
from .speakers import Speaker, SpeakerFinder, has, plain, resolve

MIN_WORDS_STRONG, MIN_WORDS_SPEAKER, MIN_WORDS_EMBEDDED = 2, 3, 6
MAX_VERB_DISTANCE = 30
_TRAILING = " \t\n.،,:;؛-–"
_MARKS = set('"«»“”„‟″')
_ILA = {"الي", "الى"}
_NAQL = frozenset({"نقل", "نقلت"})
_CLITICS = {"ل", "ب", "ك"}
_OPENERS = frozenset({"فقد", "لكن", "ولكن", "بينما", "فيما", "حيث", "إذ", "اذ", "بيد", "غير", "إلا", "الا"})
_KANA = {"كان", "وكان", "كانت", "وكانت", "فكان", "فكانت"}


@dataclass(slots=True)
class _Site:
    index: int                    # the token of the verb, participle or saying noun
    kind: str                     # verb | connector | saying | jaa
    verb: str                     # its normalised form (for the quote's kind)
    speaker: Speaker | None = None
    explicit: bool = False
    resolved: bool = False
    impersonal: bool = False


@dataclass(slots=True)
class _Pending:
    site: _Site
    start: int                    # first token of the clause
    region: Region | None = None  # the clause is a quotation
    end: int | None = None        # token index the clause stops before


class _State:
    """The speakers seen so far in one article (what "وأضاف" refers to)."""

    def __init__(self):
        self.history: list[Speaker] = []
        self.last: Speaker | None = None

    def said(self, speaker: Speaker) -> None:
        self.history.append(speaker)
        self.last = speaker


@stage("quotes", requires=["tokens", "sentences", "actors"], assigns=["quotes"])
def find_quotes(article: Article) -> list[Quote]:
    """Direct and indirect quotes with speaker, organisation and kind (see the module docstring)."""
    tokens: list[Token] = article.layer("tokens")
    regions = [r for r in quote_regions(article.text) if r.depth == 0]
    starts = [t.span.start for t in tokens]
    inside: list[int | None] = [None] * len(tokens)
    for n, r in enumerate(regions):
        for k in range(bisect.bisect_left(starts, r.start), bisect.bisect_left(starts, r.end)):
            inside[k] = n
    finder = SpeakerFinder(article, tokens, inside, regions, article.layer("actors"))
    state = _State()
    quotes: list[Quote] = []
    used: set[int] = set()
    for sentence in article.layer("sentences"):
        a = bisect.bisect_left(starts, sentence.span.start)
        b = bisect.bisect_left(starts, sentence.span.end)
        if a < b:
            quotes.extend(_sentence(article, tokens, a, b, regions, inside, finder, state, used))
    name_speakers(article, quotes)
    return quotes


_NOT_AFTER, _SPEECH, _NAQL_VERB, _CONNECTOR, _SAYING, _JAA = 1, 2, 4, 8, 16, 32


@per_word
def _flags(t: Token) -> int:
    """What a word can be for `_sites`."""
    return ((_NOT_AFTER if plain(t, L.NOT_A_VERB_AFTER) else 0)
            | (_SPEECH if plain(t, L.SPEECH_VERBS) or plain(t, L.PLURAL_SPEECH_VERBS) else 0)
            | (_NAQL_VERB if plain(t, _NAQL) else 0)
            | (_CONNECTOR if plain(t, L.CONNECTORS) else 0)
            | (_SAYING if t.norm in L.SAYING_NOUNS else 0)
            | (_JAA if "جاء" in t.forms else 0))


def _sites(tokens: list[Token], a: int, b: int, inside) -> list[_Site]:
    sites = []
    for k in range(a, b):
        t = tokens[k]
        if inside[k] is not None or t.kind != "word":
            continue
        f = _flags(t)
        if not f & (_SPEECH | _CONNECTOR | _SAYING | _JAA):
            continue
        if k > a and _flags(tokens[k - 1]) & _NOT_AFTER:
            continue
        if f & _SPEECH:
            if f & _NAQL_VERB and not any(tokens[j].norm == "عن" for j in range(k + 1, min(b, k + 10))):
                continue                                        # "نقل تحياته": not "نقلت الوكالة عن ..."
            sites.append(_Site(k, "verb", t.norm))
        elif f & _CONNECTOR:
            j = k + 1
            while j < b and j <= k + 2 and (tokens[j].norm in _ILA or tokens[j].norm in ":،,"):
                j += 1
            if j < b and (tokens[j].norm in L.COMPLEMENTIZERS or inside[j] is not None):
                sites.append(_Site(k, "connector", t.norm))     # not "وكان لافتا قبل يومين ..."
        elif f & _SAYING:
            sites.append(_Site(k, "saying", t.norm))
        elif k + 2 < b and tokens[k + 1].norm == "في" and has(tokens[k + 2], L.ADJUNCT_NOUNS):
            sites.append(_Site(k, "jaa", t.norm))
    return sites


def _speaker(site: _Site, sites: list[_Site], tokens, a, b, finder: SpeakerFinder, state: _State) -> Speaker | None:
    """The speaker of a site, resolved once; explicit speakers become the one later verbs continue."""
    if site.resolved:
        return site.speaker
    site.resolved = True
    t = tokens[site.index]
    plural = has(t, L.PLURAL_SPEECH_VERBS)
    span = None
    if site.kind == "jaa":
        k = site.index + 2
        span = finder.after(k, b)
        if span is None and k + 2 < b and tokens[k + 1].norm in ("صادر", "صدر") and tokens[k + 2].norm == "عن":
            span = finder.after(k + 2, b)
        if span is None:
            span = (k, k + 1)
    elif site.kind == "verb":
        span = None
        kana = next((k for k in range(site.index - 1, max(a, site.index - 10) - 1, -1)
                     if tokens[k].norm in _KANA), None)
        if kana is not None and kana < site.index - 1:           # "وكان المرصد ... قد أعلن", "وكان الصماد هدد"
            stop = site.index - 1 if tokens[site.index - 1].norm == "قد" else site.index
            span = finder.after(kana, stop)
            if span is not None and any(tokens[k].kind == "word" for k in range(span[1], stop)):
                span = None                                       # the "كان" of another clause
        span = span or finder.after(site.index, b)
        if span is None and t.norm[:1] not in "وف":        # "لكن منتقدين يقولون إن", "بيد أن الأحمدي أشار"
            span = finder.before(site.index, a)
        if span is None and has(t, L.IMPERSONAL):
            site.impersonal = True
            return None
    if span is not None:
        speaker = finder.make(*span, plural_verb=plural)
        speaker = resolve(speaker, state.history, [tokens[k].norm for k in range(*span)])
        site.speaker, site.explicit = speaker, True
        state.said(speaker)
        return speaker
    main = next((s.speaker for s in reversed(sites) if s.explicit and s.index < site.index), None)
    if main is None and site.index > a + 1 and tokens[a].kind == "word" and a not in {s.index for s in sites}:
        # "واختتم الصبيحي تصريحاته بالقول", "وظهر الكرواتي في التسجيل ... ويقول": the sentence's subject
        span = finder.after(a, site.index)
        if span is not None:
            subject = finder.make(*span)
            if subject.person and not subject.anonymous:
                main = resolve(subject, state.history, [tokens[k].norm for k in range(*span)])
                state.said(main)
    speaker = main or state.last
    if speaker is not None and plural and not speaker.plural:
        speaker = None
    site.speaker = speaker
    return speaker


def _sentence(article, tokens, a, b, regions, inside, finder, state, used) -> list[Quote]:
    sites = _sites(tokens, a, b, inside)
    site_at = {s.index: s for s in sites}
    for s in sites:                                # speakers in text order: later verbs continue earlier ones
        _speaker(s, sites, tokens, a, b, finder, state)
    if not sites:
        _remember_subject(tokens, a, b, finder, state)
    pendings = _indirect(tokens, a, b, sites, site_at, inside, regions)
    _close(pendings, tokens, b, sites)
    out = []
    for p in pendings:
        sp = p.site.speaker
        if sp is None or sp.anonymous:
            continue
        if p.region is not None:
            used.add(id(p.region))
            span = _inner(article.text, p.region)
            direct = True
        else:
            span = _trim(article.text, tokens[p.start].span.start, tokens[p.end - 1].span.end)
            direct = False
        if span is not None:
            out.append(_quote(article.text, span, sp, p.site.verb, direct))
    for n in sorted({inside[k] for k in range(a, b) if inside[k] is not None}):
        r = regions[n]
        if id(r) in used or r.start < tokens[a].span.start or any(q.span.overlaps(Span(*r.inner)) for q in out):
            continue
        found = _direct(r, n, tokens, a, b, sites, inside, finder, finder.actors)
        if found is None:
            continue
        sp, verb = found
        if sp is None or sp.anonymous:
            continue
        span = _inner(article.text, r)
        if span is not None:
            used.add(id(r))
            out.append(_quote(article.text, span, sp, verb, True))
    out.sort(key=lambda q: q.span.start)
    return out


def _indirect(tokens, a, b, sites, site_at, inside, regions) -> list[_Pending]:
    pendings: list[_Pending] = []
    dead: set[int] = set()          # complementizers of verbs in relative clauses ("الذي يؤكد أنه")
    for c in range(a, b):
        t = tokens[c]
        if inside[c] is not None or t.norm not in L.COMPLEMENTIZERS:
            continue
        prev = tokens[c - 1] if c > a else None
        need = None
        if prev is not None and prev.norm in _ILA:
            need = L.ILA_VERBS
        elif prev is not None and prev.norm == "من":
            need = L.MIN_VERBS
        elif prev is not None and plain(prev, L.COMPLEMENTIZER_BLOCKERS):
            continue
        site, passed_dead = None, False
        for k in range(c - 1, max(a, c - MAX_VERB_DISTANCE) - 1, -1):
            if inside[k] is not None:
                continue
            n = tokens[k].norm
            if k in dead:
                passed_dead = True
                continue
            if n in L.COMPLEMENTIZERS or (n[:1] == "و" and n[1:] in L.COMPLEMENTIZERS) or plain(tokens[k], _OPENERS):
                break                                   # "..., فقد تبين بسرعة أنه": another clause
            if k in site_at:
                if _relative(tokens, site_at[k].index, a):
                    if passed_dead:
                        continue
                    dead.add(c)
                    break
                site = site_at[k]
                break
        if site is None:
            continue
        verb_tok = tokens[site.index]
        if need is not None and not has(verb_tok, need):
            continue
        if has(verb_tok, L.DESCRIBING):
            continue                                   # "وصفت المحتجين بأنهم ...": a description, not a report
        if prev is not None and prev.norm in _ILA and has(verb_tok, L.CALL_VERBS):
            continue
        if site.impersonal:
            continue
        if pendings and pendings[-1].start <= site.index and not _new_act(tokens, site, a):
            continue                                   # nested speech inside a reported clause
        s = c + 1
        while s < b and tokens[s].kind == "punct" and tokens[s].norm in "،,:-–" and inside[s] is None:
            s += 1
        if s >= b:
            continue
        region = None
        if inside[s] is not None and regions[inside[s]].start == tokens[s].span.start:
            region = regions[inside[s]]
            after = next((k for k in range(s, b) if inside[k] != inside[s]), b)
            if not _ends_clause(tokens, after, b, site_at):
                region = None                           # 'إن "انفجارات" وقعت ...': the clause, not the word
        pendings.append(_Pending(site, s, region))
    return pendings


def _ends_clause(tokens, k: int, b: int, site_at) -> bool:
    """Nothing of the clause follows token k: punctuation, the sentence end, another speech act, "بحسب ..."."""
    if k >= b or tokens[k].kind == "punct":
        return True
    site = site_at.get(k)
    if site is not None and (site.kind == "connector" or tokens[k].norm[:1] in "وف"):
        return True
    return plain(tokens[k], L.ATTRIBUTIONS) or tokens[k].norm == "في" and k + 1 < b and tokens[k + 1].norm == "اشاره"


def _relative(tokens, k: int, a: int) -> bool:
    """The verb at k is in a relative clause: "المرصد الذي يؤكد أنه ..."."""
    before = [tokens[j].norm for j in range(max(a, k - 2), k)]
    return bool(before) and (before[-1] in L.RELATIVES or len(before) == 2 and before[0] in L.RELATIVES
                             and before[1] in ("لا", "قد", "لم"))


def _new_act(tokens, site: _Site, a: int) -> bool:
    """A speech site inside a reported clause starts a new one only as "، مضيفا" or "وأكد"."""
    if site.kind == "connector":
        return True
    t = tokens[site.index]
    prev = tokens[site.index - 1] if site.index > a else None
    return t.norm[:1] in "وف" and t.norm[1:] in t.forms or prev is not None and prev.norm in "،,"


def _close(pendings: list[_Pending], tokens, b: int, sites: list[_Site]) -> None:
    """Where each indirect clause ends: the sentence end, the next speech act, or "بحسب ..."."""
    boundaries = sorted({s.index for s in sites if s.kind in ("connector", "verb") and _new_act(tokens, s, 0)} |
                        {p.site.index for p in pendings})
    for p in pendings:
        end = b
        for k in boundaries:
            if p.start < k < end:
                end = k
                break
        for k in range(p.start + 3, end):
            n = tokens[k].norm
            if plain(tokens[k], L.ATTRIBUTIONS) or n == "على" and k + 1 < end and tokens[k + 1].norm == "حد" \
                    or n == "في" and k + 1 < end and tokens[k + 1].norm == "اشاره":
                end = k
                break
        while end > p.start + 1 and (tokens[end - 1].kind == "punct" and tokens[end - 1].norm not in '")'
                                     or tokens[end - 1].norm in ("و", "ف")):
            end -= 1
        p.end = end


def _direct(r: Region, n: int, tokens, a, b, sites: list[_Site], inside, finder, actors):
    """(speaker, verb) for a quotation when something introduces or attributes it, else None."""
    first = next(k for k in range(a, b) if inside[k] == n)
    last = max(k for k in range(first, b) if inside[k] == n)
    words = sum(1 for k in range(first, last + 1) if tokens[k].kind in ("word", "number", "latin")) - \
        sum(1 for k in range(first, last + 1) if tokens[k].kind == "word" and tokens[k].norm in ("ل", "و"))
    if first > a and tokens[first - 1].norm in _CLITICS and words < MIN_WORDS_EMBEDDED:
        return None                                     # 'لـ"الثأر"', 'لـ«الجيش السوري الحر»'
    site_at = {s.index: s for s in sites}
    if words < MIN_WORDS_EMBEDDED and not _ends_clause(tokens, last + 1, b, site_at):
        return None                                     # a quoted name or term inside the clause
    inner = Span(*r.inner)
    if any(s.explicit and s.speaker and s.speaker.span.overlaps(inner) for s in sites):
        return None                                     # a name inside the speaker: جماعة "أنصار بيت المقدس"
    if any(m.id and len(m.span) >= 0.8 * len(inner) for m in finder._actors.overlapping(inner.start, inner.end)):
        return None
    # Before the quotation: the verb itself, a colon, or the speaker after the verb.
    p, colon = first - 1, False
    while p >= a and tokens[p].kind == "punct" and tokens[p].norm in ":،,-–" and inside[p] is None:
        colon = colon or tokens[p].norm == ":"
        p -= 1
    site = None
    for k in range(p, max(a, p - 20) - 1, -1):
        if inside[k] is not None and inside[k] != n:
            break
        if tokens[k].norm in L.COMPLEMENTIZERS:
            break
        site = next((s for s in sites if s.index == k), None)
        if site is not None:
            break
    if site is not None:
        gap = p - site.index
        if gap <= 0 or colon:
            need = MIN_WORDS_STRONG
        elif plain(tokens[site.index + 1], L.SPEAKER_STOPS) or tokens[site.index + 1].norm.startswith("ب") \
                and not tokens[site.index + 1].norm.startswith("باسم"):
            need = MIN_WORDS_EMBEDDED
        else:
            need = MIN_WORDS_SPEAKER
        if words >= need:
            return site.speaker, site.verb
    # After it: "«...»، قال المتحدث", "... بحسب المرصد".
    q = last + 1
    while q < b and tokens[q].kind == "punct" and tokens[q].norm in "،,-–":
        q += 1
    if q < b and words >= MIN_WORDS_SPEAKER:
        after = next((s for s in sites if s.index == q and s.kind == "verb"), None)
        if after is not None and after.explicit:
            return after.speaker, after.verb
        if plain(tokens[q], L.ATTRIBUTIONS):
            k = q
            if k + 1 < b and tokens[k + 1].norm in ("ل", "لما", "ما"):     # "وفقا لما ذكره المرصد"
                k += 1
                if tokens[k].norm != "ل" and k + 1 < b and tokens[k + 1].kind == "word":
                    k += 1
            span = finder.after(k, b) if k + 1 < b else None
            if span is not None:
                return finder.make(*span), tokens[q].norm
    # A headline "داعش: «...»".
    if colon and p >= a and p - a < 5 and words >= MIN_WORDS_SPEAKER and not sites:
        speaker = finder.make(a, p + 1)
        if not speaker.anonymous:
            return speaker, None
    # Inside a sentence that reports speech.
    earlier = [s for s in sites if s.index < first and s.speaker is not None]
    if earlier and words >= MIN_WORDS_EMBEDDED:
        return earlier[-1].speaker, earlier[-1].verb
    return None


def _remember_subject(tokens, a, b, finder: SpeakerFinder, state: _State) -> None:
    """"وتعزو بشرى العبيدي، عضو المفوضية، ..." names who a following bare "وقالت" is."""
    if b - a < 3 or tokens[a].kind != "word":
        return
    span = finder.after(a, b)
    if span is None:
        return
    speaker = finder.make(*span)
    if speaker.person and any(has(tokens[k], L.ROLE_NOUNS) for k in range(*span)) and not speaker.anonymous:
        state.said(resolve(speaker, state.history, [tokens[k].norm for k in range(*span)]))


def _inner(text: str, r: Region) -> Span | None:
    return _trim(text, r.start + 1, r.end - 1)


def _trim(text: str, start: int, end: int) -> Span | None:
    while start < end and text[start] in _TRAILING:
        start += 1
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    piece = text[start:end]
    if piece and piece[-1] in _MARKS and sum(piece.count(m) for m in _MARKS) % 2 == 1:
        end -= 1
    elif piece and piece[0] in _MARKS and sum(piece.count(m) for m in _MARKS) % 2 == 1:
        start += 1
    while end > start and text[end - 1] in _TRAILING:
        end -= 1
    return Span(start, end) if end > start else None


def _quote(text: str, span: Span, speaker: Speaker, verb: str | None, direct: bool) -> Quote:
    words = text[span.start:span.end]
    return Quote(span, words, speaker.text, speaker.span, speaker.organization, classify(words, verb), direct)
