"""Actor mentions: registry names, descriptions of members, and short anaphora.

One pass over the tokens, left to right, so every resolution only looks at the text
before it (as a reader does):

- alias: a registry name, matched on token forms (clitics and the article are
  handled by the tokenizer's `forms`, spellings by `marsad.text.norm`), longest first:
  "قسد", "لقوات سوريا الديموقراطية", 'تنظيم "الدولة الإسلامية"'.
- descriptor: words for an actor's members or for its country's forces, resolved from
  what they attach to or from context: "مسلحي داعش", "المسلحون الحوثيون",
  "مقاتلو التنظيم", "عناصره", "14 مسلحا من قوات النظام", "الجهاديين", "الشرطة"
  (the police of the country the sentence or the article is about).
- anaphora: "التنظيم", "الجماعة", "الحركة", "الميليشيا", "هذه القوات", "التحالف" ...
  resolved to the most salient earlier actor of the right kind (kinds are in the
  registry); salience sums the earlier mentions, each weighted by how recent it is
  (over the last SALIENCE_SENTENCES sentences: one further back weighs less than 1/30,
  and summing over the whole article made the stage quadratic in its length).
- ner: organisation entities (the `entities` layer, when the NER stage ran) that look
  like armed groups but are not in the registry; they keep their Arabic name, no id.

Hand-written because no offline Arabic library links mentions to an actor list; the
rules are small and the registry is data.
"""
from __future__ import annotations

import bisect
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from ..article import ActorMention, Article, Span, Token
from ..text.spans import SpanIndex
from ..pipeline import stage
from ..text import norm
from ..text.wordcache import per_word
from .registry import GENERIC_STATE, Actor, Registry, load_registry

# Nouns for an actor's members: "مسلحي داعش", "عناصر من التنظيم", "عناصره".
MEMBER_NOUNS = {norm(w) for w in (
    "عناصر", "عنصر", "عنصرا", "مقاتلي", "مقاتلو", "مقاتلين", "مقاتلون", "مقاتلا", "مسلحي", "مسلحو", "مسلحين",
    "مسلحون", "مسلحا", "أفراد", "أعضاء", "جنود", "منتسبي", "قادة", "قيادي", "قياديين", "قياديا", "أمير", "أمراء",
    "أنصار", "مناصري", "ميليشيات", "مليشيات", "ميليشيا", "مليشيا", "كوادر", "خلايا", "خلية", "طائرات", "طيران",
    "مقاتلات", "قوات", "وحدات", "فصائل", "دوريات", "مجموعة", "مجموعات")}
_MEMBER_PRONOUN = re.compile(r"^(?:[وف]?[بل]?)(عناصر|مقاتلي|مسلحي|افراد|اعضاء|جنود|منتسبي|قاده|انصار|مناصري|قوات)"
                             r"(ه|ها|هم)$")
# Descriptions of militants with no name: resolved to the salient armed group, else "unidentified".
MILITANT_WORDS = {norm(w): kind for w, kind in (
    ("الجهاديين", "jihadist"), ("الجهاديون", "jihadist"), ("جهاديين", "jihadist"), ("جهاديون", "jihadist"),
    ("المتشددين", "militant"), ("المتشددون", "militant"), ("متشددين", "militant"), ("متشددون", "militant"),
    ("المتطرفين", "militant"), ("المتطرفون", "militant"), ("متطرفين", "militant"), ("الإرهابيين", "militant"),
    ("الإرهابيون", "militant"), ("إرهابيين", "militant"), ("إرهابيا", "militant"), ("التكفيريين", "militant"),
    ("تكفيريين", "militant"), ("تكفيريا", "militant"), ("المسلحين", "militant"), ("المسلحون", "militant"),
    ("مسلحين", "militant"), ("مسلحون", "militant"), ("مسلحا", "militant"), ("عناصر إرهابية", "militant"),
    ("العناصر الإرهابية", "militant"), ("العناصر التكفيرية", "militant"), ("عناصر تكفيرية", "militant"),
    ("العناصر المسلحة", "militant"), ("المتمردين", "rebels"), ("المتمردون", "rebels"),
    ("الأكراد", "kurdish"), ("المقاتلين الأكراد", "kurdish"), ("المقاتلون الأكراد", "kurdish"),
    ("المسلحين الأكراد", "kurdish"), ("الفصائل الكردية", "kurdish"),
)}
# Short definite nouns that stand for an actor named earlier, and the registry kinds they may refer to.
ANAPHORS = {norm(w): kind for w, kind in (
    ("التنظيم", "tanzim"), ("الجماعة", "jamaa"), ("الحركة", "haraka"), ("الميليشيا", "militia"),
    ("الميليشيات", "militia"), ("المليشيا", "militia"), ("المليشيات", "militia"), ("الحزب", "party"),
    ("الجبهة", "front"), ("الهيئة", "hayaa"), ("التحالف", "coalition"), ("الفصائل", "faction"),
    ("الوحدات", "units"), ("النظام", "regime"), ("المقاومة", "resistance"),
)}
DEMONSTRATIVES = {norm(w) for w in ("هذه", "هذا", "تلك", "ذلك", "هذي")}
DEMONSTRATIVE_NOUNS = {norm(w): kind for w, kind in (("القوات", "forces"), ("الجماعات", "jamaa"))}
# Adjectives that may follow an anaphor ("التنظيم الإرهابي"); any other definite word after it
# means the noun is used in another sense ("الحركة التجارية", "التحالف الانتخابي").
ANAPHOR_ADJECTIVES = {norm(w) for w in (
    "الإرهابي", "الإرهابية", "المتطرف", "المتطرفة", "المتشدد", "المتشددة", "الجهادي", "الجهادية", "المسلح",
    "المسلحة", "الإسلامي", "الإسلامية", "الانقلابية", "الانقلابي", "المتمردة", "الحوثية", "الكردية", "الكردي",
    "الدولي", "العربي", "المدعومة", "الموالية", "المسلحين", "التكفيري", "التكفيرية", "الضال", "المعارضة",
    "المقاتلة", "المتحالفة", "الموالي", "المدعوم")}
# Single-word aliases that are also common nouns: "القاعدة الجوية" is an air base.
AMBIGUOUS_ALIASES = {norm(w) for w in ("القاعدة", "الحشد", "النصرة", "الإخوان", "الحوثي", "الدفاع الوطني")}
_QUOTE_MARKS = set('"«»“”„‟″\'()')
ARMED_HEADS = {norm(w): kind for w, kind in (
    ("تنظيم", "tanzim"), ("جماعة", "jamaa"), ("حركة", "haraka"), ("ميليشيا", "militia"), ("ميليشيات", "militia"),
    ("مليشيا", "militia"), ("مليشيات", "militia"), ("قوات", "forces"), ("لواء", "forces"), ("كتائب", "forces"),
    ("كتيبة", "forces"), ("سرايا", "forces"), ("فرقة", "forces"), ("جبهة", "front"), ("حزب", "party"),
    ("جيش", "forces"), ("فيلق", "forces"), ("ألوية", "forces"), ("فصيل", "faction"), ("تحالف", "coalition"))}
TIME_WORDS = {norm(w) for w in (
    "الأحد", "الاثنين", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "اليوم", "الليلة",
    "الماضي", "الماضية", "الحالي", "الجاري", "الأسبوع", "الشهر", "العام", "السبت", "المقبل", "المقبلة")}
_QUANTITY_WORDS = {norm(w) for w in ("عشرات", "مئات", "آلاف", "ألف", "مئة", "مائة", "عشرة", "عشرين", "ثلاثين",
                                     "أربعين", "خمسين", "ستين", "سبعين", "ثمانين", "تسعين", "أحد", "أي")}
_COALITION_BY_COUNTRY = {"SY": "us_led_coalition", "IQ": "us_led_coalition", "TR": "us_led_coalition",
                         "YE": "saudi_led_coalition", "SA": "saudi_led_coalition"}
_RELATIVES = {norm(w) for w in ("الذي", "التي", "الذين", "اللذين", "اللتين", "اللواتي")}
_QAEDA = norm("القاعدة")
_BASE_WORDS = {norm(w) for w in ("قاعدة", "قواعد", "القواعد")}
_MENA_EXCLUDED = {"US", "RU", "FR", "GB"}
_CUE_BLOCKLIST = {norm(w) for w in ("المالية", "المالي")}
_MEMBER_KEYS = frozenset(MEMBER_NOUNS) | frozenset(MILITANT_WORDS)


@dataclass(frozen=True, slots=True)
class _Alias:
    tokens: tuple[str, ...]
    actor: str
    via: str


@per_word
def token_keys(t: Token) -> frozenset[str]:
    """Every string a lexicon entry may match this token as (forms, plus the definite stem)."""
    keys = set(t.forms)
    keys.add(t.norm)
    prefix = t.norm[:len(t.norm) - len(t.stem)]
    if t.stem != t.norm and (prefix.endswith("ال") or prefix.endswith("لل")):
        keys.add("ال" + t.stem)
    return frozenset(keys)


class PhraseIndex:
    """Multi-word lexicon entries keyed by their first word (and, when they have one, their
    second: "قوات" opens hundreds of entries, the next word picks a few); matched on token keys."""

    def __init__(self):
        self.single: dict[str, list[tuple[tuple[str, ...], object]]] = defaultdict(list)
        self.pair: dict[tuple[str, str], list[tuple[tuple[str, ...], object]]] = defaultdict(list)
        self.openers: set[str] = set()

    def add(self, phrase: str, value) -> None:
        words = tuple(norm(phrase).split())
        if words:
            if len(words) == 1:
                self.single[words[0]].append((words, value))
            else:
                self.pair[words[0], words[1]].append((words, value))
            self.openers.add(words[0])

    def candidates(self, keys: list[frozenset[str]]) -> list[int]:
        """Positions whose token may open an entry."""
        openers = self.openers
        return [i for i, k in enumerate(keys) if not k.isdisjoint(openers)]

    def match(self, tokens: list[Token], i: int, keys: list[set[str]]):
        """The longest entry starting at token i: (end index, value, words, key of token i), or None."""
        if keys[i].isdisjoint(self.openers):   # most tokens open no entry
            return None
        nxt = i + 1                            # the next word, past quotation marks
        while nxt < len(tokens) and _skipped(tokens[nxt]):
            nxt += 1
        seconds = keys[nxt] if nxt < len(tokens) else ()
        best = None
        for k in keys[i] & self.openers:
            entries = list(self.single.get(k, ()))
            for w in seconds:
                entries += self.pair.get((k, w), ())
            for words, value in entries:
                j, n = i + 1, 1
                while n < len(words) and j < len(tokens):
                    if _skipped(tokens[j]):
                        j += 1
                        continue
                    if words[n] != tokens[j].norm and words[n] not in keys[j]:
                        break
                    j, n = j + 1, n + 1
                if n == len(words) and (best is None or len(words) > len(best[2])
                                        or len(words) == len(best[2]) and len(k) > len(best[3])):
                    best = (j, value, words, k)
        return best


def _skipped(t: Token) -> bool:
    return t.kind == "punct" and (t.norm in _QUOTE_MARKS or t.norm == "_")


@lru_cache(maxsize=1)
def _indexes():
    reg = load_registry()
    aliases = PhraseIndex()
    for a in reg.actors.values():
        for phrase in a.aliases:
            aliases.add(phrase, _Alias(tuple(norm(phrase).split()), a.id, "alias"))
        for phrase in a.descriptors:
            aliases.add(phrase, _Alias(tuple(norm(phrase).split()), a.id, "descriptor"))
    generic = PhraseIndex()
    for role, phrases in GENERIC_STATE.items():
        for phrase in phrases:
            generic.add(phrase, role)
    militant = PhraseIndex()
    for phrase, kind in MILITANT_WORDS.items():
        militant.add(phrase, kind)
    cues, names = PhraseIndex(), PhraseIndex()
    for c in reg.countries.values():
        for phrase in c.names + c.adj_m + c.adj_f + c.adj_pl:
            if norm(phrase) not in _CUE_BLOCKLIST:
                cues.add(phrase, c.iso2)
        for phrase in c.names:
            names.add(phrase, c.iso2)
    return reg, aliases, generic, militant, cues, names


class _Context:
    """What the resolver knows about the text before the current token."""

    def __init__(self, article: Article, reg: Registry):
        self.reg = reg
        self.starts = [s.span.start for s in article.layer("sentences")] or [0]
        self.mentions: list[ActorMention] = []      # in text order: the scan appends them left to right
        self.has_qaeda = False                      # a mention of al-Qaeda so far (see _not_a_base)
        self.base_words: bool | None = None         # the article names a military base (computed once)

    def recent(self, offset: int, sentences: int) -> list[ActorMention]:
        """The mentions before `offset` that start at most `sentences` sentences before its own."""
        lo = self.starts[max(0, self.sentence_of(offset) - sentences)]
        mentions = self.mentions
        a = bisect.bisect_left(mentions, lo, key=_start)
        b = bisect.bisect_left(mentions, offset, lo=a, key=_start)
        return mentions[a:b]

    def sentence_of(self, offset: int) -> int:
        return max(0, bisect.bisect_right(self.starts, offset) - 1)

    def salient(self, offset: int, accept) -> Actor | None:
        """The earlier actor (accepted by `accept`) with the most recency-weighted mentions."""
        here = self.sentence_of(offset)
        score: Counter = Counter()
        for m in self.recent(offset, SALIENCE_SENTENCES):
            if m.id is None or m.span is None:
                continue
            actor = self.reg.actors.get(_key(m.id))
            if actor is not None and accept(actor):
                score[actor.id] += 1.0 / (1 + here - self.sentence_of(m.span.start))
        if not score:
            return None
        return self.reg.actors[max(score, key=lambda k: (score[k], k))]


SALIENCE_SENTENCES = 30


def _start(m: ActorMention) -> int:
    return m.span.start if m.span is not None else -1


def _key(code: str) -> str:
    return _by_code().get(code, code)


@lru_cache(maxsize=1)
def _by_code() -> dict[str, str]:
    return {a.code: a.id for a in load_registry().actors.values()}


def actor_for_code(code: str | None) -> Actor | None:
    """The registry actor an `ActorMention.id` stands for (None for unknown or NER-only mentions)."""
    return load_registry().actors.get(_key(code)) if code else None


def _mention(span: Span, actor: Actor, via: str) -> ActorMention:
    return ActorMention(span, actor.code, actor.name, actor.inter, actor.country, via)


def article_country(article: Article, tokens: list[Token], keys: list[set[str]], cues: PhraseIndex) -> str | None:
    """The country most of the article is about: country names and adjectives, plus geocoded places."""
    votes: Counter = Counter()
    for i in cues.candidates(keys):
        m = cues.match(tokens, i, keys)
        if m and m[1] not in _MENA_EXCLUDED:
            votes[m[1]] += 1
    for place in article.layer("places"):
        if getattr(place, "country", None) and place.country not in _MENA_EXCLUDED:
            votes[place.country] += 1
    return max(votes, key=lambda c: (votes[c], c)) if votes else None


@stage("actors", requires=["tokens", "sentences"], assigns=["actors"])
def find_actors(article: Article) -> list[ActorMention]:
    """Actor mentions with registry ids (see the module docstring for the four ways of finding them)."""
    reg, aliases, generic, militant, cues, names = _indexes()
    tokens = [t for t in article.layer("tokens")]
    keys = [token_keys(t) for t in tokens]
    ctx = _Context(article, reg)
    country = article_country(article, tokens, keys, cues)
    sentence_cues = _sentence_cues(tokens, keys, names, ctx)
    out = ctx.mentions
    i = 0
    while i < len(tokens):
        if _inert(tokens[i]):
            i += 1
            continue
        found = _at(i, tokens, keys, article, ctx, aliases, generic, militant, country, sentence_cues)
        if found is None:
            i += 1
            continue
        end, mention = found
        if mention is not None:
            out.append(mention)
            ctx.has_qaeda = ctx.has_qaeda or mention.id in ("al_qaeda", "aqap")
        i = max(end, i + 1)
    out.extend(_ner_mentions(article, out))
    out.sort(key=lambda m: m.span.start if m.span else -1)
    return out


@lru_cache(maxsize=1)
def _openers() -> frozenset[str]:
    _, aliases, generic, militant, _, _ = _indexes()
    return frozenset(aliases.openers | generic.openers | militant.openers | _MEMBER_KEYS)


@per_word
def _inert(t: Token) -> bool:
    """No mention can start at this word (see `_at`'s six ways)."""
    return t.kind != "word" or token_keys(t).isdisjoint(_openers()) and not (
        _MEMBER_PRONOUN.match(t.norm) or t.norm in DEMONSTRATIVES
        or _definite(t) and ("ال" + t.stem) in ANAPHORS)


def _sentence_cues(tokens, keys, names, ctx) -> dict[int, set[str]]:
    """Countries named in each sentence (names only: adjectives are also surnames, "محمد صالح العراقي")."""
    found: dict[int, set[str]] = defaultdict(set)
    for i in names.candidates(keys):
        m = names.match(tokens, i, keys)
        if m and m[1] not in _MENA_EXCLUDED:
            found[ctx.sentence_of(tokens[i].span.start)].add(m[1])
    return found


def _alias_ok(tokens: list[Token], end: int, words: tuple[str, ...]) -> bool:
    """Reject single-word aliases used as common nouns: "القاعدة الجوية", "الحشد العسكري"."""
    if " ".join(words) not in AMBIGUOUS_ALIASES or end >= len(tokens):
        return True
    nxt = tokens[end].norm
    return not (nxt.startswith("ال") and nxt not in ANAPHOR_ADJECTIVES and len(nxt) > 3)


def _not_a_base(tokens: list[Token], i: int, m, ctx: _Context) -> bool:
    """Bare "القاعدة" is al-Qaeda only where the article names no military base ("قاعدة العند")."""
    if m[2] != (_QAEDA,):
        return True
    if ctx.has_qaeda:
        return True
    if ctx.base_words is None:          # asked at every "القاعدة": the article's answer, once
        ctx.base_words = any(t.norm in _BASE_WORDS or (t.norm[:1] in "وب" and t.norm[1:] in _BASE_WORDS)
                             for t in tokens)
    return not ctx.base_words


def _span(text: str, tokens: list[Token], i: int, end: int, key: str | None = None) -> Span:
    """Tokens i..end, without the proclitics of the first word ("بقوات" -> "قوات"), closing a quote it opened."""
    start, stop = _orig_offset(text, tokens[i], _stem_cut(tokens[i], key)), tokens[end - 1].span.end
    inner = [t for t in tokens[i:end] if t.kind == "punct"]
    if inner and end < len(tokens) and tokens[end].kind == "punct" and tokens[end].norm in _QUOTE_MARKS:
        opened = sum(1 for t in inner if t.norm in '"(') % 2 == 1
        if opened:
            stop = tokens[end].span.end
    return Span(start, stop)


def _at(i, tokens, keys, article, ctx: _Context, aliases, generic, militant, country, sentence_cues):
    """The mention that starts at token i: (end token index, mention or None), or None."""
    reg = ctx.reg
    t = tokens[i]
    if t.kind != "word":
        return None
    again = (tokens, keys, article, ctx, aliases, generic, militant, country, sentence_cues)
    # 1. A registry name.
    m = aliases.match(tokens, i, keys)
    if m and _alias_ok(tokens, m[0], m[2]) and _not_a_base(tokens, i, m, ctx):
        end, alias, _, key = m
        return end, _mention(_span(article.text, tokens, i, end, key), reg.actors[alias.actor], alias.via)
    # 2. The forces of a country named by context: "الشرطة", "القوات الحكومية", "قوات الأمن".
    m = generic.match(tokens, i, keys)
    if m:
        end, role, _, key = m
        actor = _state_actor(role, t.span.start, ctx, country, sentence_cues)
        return end, (_mention(_span(article.text, tokens, i, end, key), actor, "descriptor") if actor else None)
    # 3. A member noun before a name or an anaphor: "مسلحي داعش", "عناصر من التنظيم", "14 مسلحا من قوات النظام".
    member = None
    if not keys[i].isdisjoint(_MEMBER_KEYS):
        member = next((k for k in sorted(keys[i], key=len, reverse=True) if k in _MEMBER_KEYS), None)
    if member is not None:
        j = i + 1
        if j < len(tokens) and tokens[j].norm == "من":
            j += 1
        coordinated = j < len(tokens) and tokens[j].norm[:1] == "و" and tokens[j].norm[1:] in tokens[j].forms
        inner = _at(j, *again) if j < len(tokens) and not coordinated else None
        if inner is not None and inner[1] is not None and inner[1].id is not None:
            end, m = inner
            start = _span(article.text, tokens, i, i + 1, member).start
            return end, _mention(Span(start, m.span.end), reg.actors[_key(m.id)], "descriptor")
    # 4. "عناصره", "مقاتليها": the members of the actor just named, else of the actor the text is about.
    if _MEMBER_PRONOUN.match(t.norm):
        near = [m for m in ctx.recent(t.span.start, 0) if m.id and m.span and 0 <= t.span.start - m.span.end <= 25]
        actor = reg.actors[_key(near[-1].id)] if near else None
        if actor is None or actor.inter in (None, 6, 7):
            actor = ctx.salient(t.span.start, lambda a: a.inter not in (None, 6, 7))
        return i + 1, (_mention(t.span, actor, "descriptor") if actor else None)
    # 5. "الجهاديين", "المسلحين", "عناصر إرهابية": the armed group in focus, else an unidentified one.
    m = militant.match(tokens, i, keys)
    if m and len(m[2]) == 1 and m[2][0].endswith("ا") and not _counted(tokens, i):
        m = None                                        # "نزاعا مسلحا", "عملا إرهابيا": adjectives
    if m:
        end, kind, _, key = m
        actor = ctx.salient(t.span.start, lambda a: kind in a.kinds)
        if actor is None and kind in ("militant", "jihadist"):
            actor = reg.actors["unidentified_armed_group"]
        span = _span(article.text, tokens, i, end, key)
        return end, (_mention(span, actor, "descriptor") if actor else None)
    # 6. Anaphora: "التنظيم", "الجماعة", "هذه القوات".
    kind, end, key = None, i + 1, None
    if t.norm in DEMONSTRATIVES and i + 1 < len(tokens):
        kind = next((DEMONSTRATIVE_NOUNS.get(k) or ANAPHORS.get(k) for k in keys[i + 1]
                     if k in DEMONSTRATIVE_NOUNS or k in ANAPHORS), None)
        end = i + 2
    elif _definite(t) and ("ال" + t.stem) in ANAPHORS:
        kind, key = ANAPHORS["ال" + t.stem], "ال" + t.stem
        if end < len(tokens) and tokens[end].kind == "word":
            nxt = tokens[end].norm
            if nxt in ANAPHOR_ADJECTIVES:
                end += 1
            elif nxt.startswith("ال") and len(nxt) > 3 and nxt not in TIME_WORDS and nxt not in _RELATIVES:
                return None
    if kind is None:
        return None
    actor = ctx.salient(t.span.start, lambda a: kind in a.kinds)
    if actor is None and kind == "coalition":       # "التحالف" with none named yet: the one fighting there
        actor = reg.actors.get(_COALITION_BY_COUNTRY.get(country, ""))
    if actor is None:
        return end, None
    return end, _mention(_span(article.text, tokens, i, end, key), actor, "anaphora")


def _stem_cut(t: Token, key: str | None) -> int:
    """How many normalised characters of the token come before `key` (one of its forms)."""
    if not key or key == t.norm or t.kind != "word":
        return 0
    if t.norm.endswith(key):
        cut = len(t.norm) - len(key)
    elif key.startswith("ال") and t.norm.endswith(key[2:]):
        cut = len(t.norm) - len(key) + 2      # "للجيش": no written article, start at the stem
    else:
        return 0
    return cut


def _orig_offset(text: str, t: Token, cut: int) -> int:
    """Original offset of normalised character `cut` of the token (diacritics may sit between letters)."""
    pos, seen = t.span.start, 0
    while pos < t.span.end and seen < cut:
        if norm(text[pos]):
            seen += len(norm(text[pos]))
        pos += 1
    while pos < t.span.end and not norm(text[pos]):
        pos += 1
    return pos


def _counted(tokens: list[Token], i: int) -> bool:
    """A number or a quantity word before: "19 تكفيريا", '71 "فردا تكفيريا"', "عشرات المسلحين"."""
    words = [t for t in tokens[max(0, i - 4):i] if t.kind != "punct"][-2:]
    return any(t.kind == "number" or t.norm in _QUANTITY_WORDS for t in words)


def _definite(t: Token) -> bool:
    prefix = t.norm[:len(t.norm) - len(t.stem)]
    return prefix.endswith("ال") or prefix.endswith("لل")


def _state_actor(role: str, offset: int, ctx: _Context, country: str | None,
                 sentence_cues: dict[int, set[str]]) -> Actor | None:
    """A bare "الجيش"/"الشرطة": the forces already in focus, else those of the sentence's or article's country."""
    kind = "army" if role == "military" else "police"
    here = ctx.sentence_of(offset)
    recent = [m for m in ctx.recent(offset, 2) if m.id and m.span]
    focus = ctx.salient(offset, lambda a: kind in a.kinds and any(_key(m.id) == a.id for m in recent))
    if focus is not None:
        return focus
    local = sentence_cues.get(here, set())
    iso = next(iter(local)) if len(local) == 1 else country
    return ctx.reg.state_forces(iso, role)


def _ner_mentions(article: Article, found: list[ActorMention]) -> list[ActorMention]:
    """Organisation entities that look like armed groups and that no registry entry matched."""
    out = []
    found_at = SpanIndex(found)
    for e in article.layer("entities"):
        if e.label != "ORG" or found_at.overlapping(e.span.start, e.span.end):
            continue
        words = norm(article.span_text(e.span)).split()
        if words and any(w in ARMED_HEADS or w[1:] in ARMED_HEADS for w in words[:1]):
            out.append(ActorMention(e.span, None, article.span_text(e.span), None, None, "ner"))
    return out
