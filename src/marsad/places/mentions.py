"""Finding place mentions in the tokens: gazetteer names, head nouns, NER LOC entities.

A mention is a run of word tokens whose key (see `names.arabic_key`) is a gazetteer
name, tried longest first (up to five words) from every token, with every proclitic
reading of the first word (وبالباغوز → باغوز) except the future prefix س and the
splits of words the corpus also writes with ال (البشرية: بشرية is not ب + شرية).
Around the name the matcher reads:

- a head noun before it (بلدة، قرية، مدينة، مخيم، محافظة، ولاية ...): a strong cue that
  this is a place, even when the gazetteer lacks it (then the mention is unresolved);
  a landform head (هضبة، جبل، وادي، ساحل ...) with a name written with ال, and a plural
  or dual head with a list of names (مناطق الجورة والجرادات، بلدتي الفوعة وكفريا، جبلي نصص وكريف), too,
  and a quoted name after a head whatever its words are (حاجز "جهري"، مناطق "غارة" و"متينا"); after a
  facility head that also opens common phrases (معسكر، حاجز، حقل، سد، تبة) an unknown name needs ال or
  an opener, and a word followed by a preposition with a pronoun is a relative clause (قرية يسيطر عليها);
  a definite landform word with a country adjective is a region (الساحل الليبي);
- a region word before it (ريف، شمال، جنوب، قرب، أطراف ...) and a direction after it
  (الشرقي ...): the place is only near or part of the named one (ACLED precision 2);
- a preposition before it (في، ب، من، إلى، قرب ...): a weak cue;
- an NER LOC entity (the `entities` layer, when a tagger ran): a strong cue; PER/ORG
  entities that contain a match remove it (قوات سوريا الديمقراطية is not a place).
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from ..article import Article, Span, Token
from ..text.spans import SpanIndex
from ..text import norm, norm_set, normalize
from ..text.boilerplate import dateline_span
from ..text.frequency import doc_share
from ..text.wordcache import LIMIT, per_word
from . import names as nm

MAX_WORDS = 5
# a word in this share of news articles or more is a word of the language, not the second word of
# a village's name (مساء 7%, صباح 5%, ليل 1.9%; خليل 0.5%, كامب 0.35%)
NAME_WORD_SHARE = 0.01
_GLOSS_DIRECTIONS = norm_set("شمال جنوب شرق غرب وسط الشمال الجنوب الشرق الغرب الوسط شمالي جنوبي شرقي غربي")
_HAMLET_POP = 1_000
# a word in fewer news articles than this is a name where a region word introduces it (ديورا: none;
# المنارة: 13 of 38,010)
RARE_NAME_SHARE = 0.001
_PARTY_WORDS = norm_set("أطراف")       # the outskirts, and the parties (أطراف متصارعة)
_FRONT = norm("جبهة")
_NO_GAZ_MEMO: dict[str, int] = {}




# head noun → kind of place it introduces
HEADS: dict[str, str] = {}
for _kind, _words in {
    "settlement": "مدينة بلدة قرية حي ضاحية بلدية مدن بلدات قرى أحياء قريتي بلدتي مدينتي",
    "admin": "محافظة ولاية منطقة مقاطعة إقليم قضاء ناحية مديرية مركز محافظات ولايات مناطق مديريات أقاليم "
             "مديريتي محافظتي منطقتي ناحيتي جبهتي جبهات جبهة",
    "facility": "مخيم مخيمات مطار ميناء معبر قاعدة سجن جسر محور حقل حقول سد معسكر حاجز تبة دوار",
    "terrain": "جبل جبال جبلي وادي سهل هضبة جزيرة صحراء ساحل سواحل شاطئ بحيرة حوض",
}.items():
    for _w in _words.split():
        HEADS[norm(_w)] = _kind
STRONG_HEADS = {"settlement", "admin", "facility"}
_SHORT_HEADS = {h for h in HEADS if len(h) <= 2}
# heads after which a name the gazetteer lacks is still a place (a plural or dual head only
# with a list of names: مناطق الجورة والجرادات، قريتي X وY)
_TERRAIN_SINGULAR = norm_set("جبل وادي سهل هضبة جزيرة صحراء ساحل شاطئ بحيرة حوض")
# (the fronts of a war, جبهتي صرواح والجفينة، and a dual of mountains, جبلي نصص وكريف, name places in a list
# only: the singular جبهة opens organisations' names, جبهة النصرة)
_PLURAL = norm_set("مدن بلدات قرى أحياء قريتي بلدتي مدينتي مناطق مخيمات مديريتي محافظتي منطقتي ناحيتي "
                   "جبهتي جبهات جبلي جبال")
_DUAL = norm_set("قريتي بلدتي مدينتي مديريتي محافظتي منطقتي ناحيتي جبهتي جبلي")
# feminine settlement heads: an indefinite word ending in ة or ي after them is an adjective
# (بلدة تركية، مدينة رئيسية، حي سكني), a definite or other word a name (بلدة حوار، قرية الحديد)
_NAMING_HEADS = norm_set("مدينة بلدة قرية")
# a definite landform word with a country adjective is a region of that country
# (الساحل الليبي، البادية السورية): reported unresolved, its country from the adjective
REGION_NOUNS = norm_set("ساحل بادية صحراء هضبة سهل شريط أراضي")
_SINGULAR = norm_set("مدينة بلدة قرية حي ضاحية بلدية محافظة ولاية منطقة مقاطعة إقليم قضاء ناحية مديرية مركز مخيم "
                 "مطار ميناء معبر قاعدة سجن جسر محور")
# facility heads that also open common phrases (معسكر تدريب، حاجز أمني، حقل ألغام، سد الفراغ): a name the
# gazetteer lacks after them needs ال or an opener (معسكر الحمزة، تبة الشيخ)
_FACILITY_SINGULAR = norm_set("معسكر حاجز حقل سد تبة دوار")
# a word after an indefinite head that is followed by a preposition with a pronoun is a verb of a
# relative clause (قرية يسيطر عليها التنظيم), not a name
_RELATIVE_TAILS = norm_set("عليها عليه فيها فيه منها منه إليها إليه بها به لها له عنها عنه")
QUOTE_MARKS = '"“”«»\''          # the quotation marks a name may stand between (also the events' and resolver's)
_QUOTES = set(QUOTE_MARKS)
# words before a name that make it a region around the place (ACLED precision 2)
REGION_WORDS = norm_set("ريف أرياف شمال جنوب شرق غرب شمالي جنوبي شرقي غربي أطراف ضواحي محيط قرب مشارف تخوم "
                    "جنوبي شرق شمال غرب بالقرب ضاحية")
DIRECTION_AFTER = norm_set("الشرقي الغربي الشمالي الجنوبي الشرقية الغربية الشمالية الجنوبية")
DIRECTION_STEMS = {w[2:] for w in DIRECTION_AFTER}
PREPOSITIONS = norm_set("في من إلى الى على عن حتى داخل خارج حول عبر نحو باتجاه تجاه صوب قرب بين عند لدى وسط "
                    "قرابة بالقرب مع شمال جنوب شرق غرب")
# words a village name often opens with (the name then has two words: تل أبيض، كفر نبل)
NAME_OPENERS = norm_set("أبو أبي أم بني بنى عين تل دير جبل كفر بيت خربة رأس راس بئر بير قصر سيدي ذي ذات عرب حاسي "
                    "وادي مرج سوق جسر مزرعة الشيخ شيخ عين أولاد آل حمام")
# after a head noun, words that are not names (مدينة كبيرة، مخيم اللاجئين)
NOT_NAMES = norm_set("كبيرة صغيرة الكبيرة الصغيرة اللاجئين النازحين للاجئين للنازحين عسكرية العسكرية سكنية السكنية "
                 "المدينة القرية البلدة المنطقة المحافظة المخيم التي الذي التابعة الواقعة المحاذية المجاورة القريبة "
                 "الحدودية الحدود واسعة الساحلية الجبلية أخرى الأخرى جديدة الجديدة قديمة القديمة آمنة الآمنة "
                 "خضراء الخضراء عازلة العازلة محررة المحررة محاصرة المحاصرة عدة عديدة ذاتها نفسها كاملة بأكملها "
                 "الصناعية صناعية الشرقية الغربية الشمالية الجنوبية الوسطى شرقي غربي شمالي جنوبي مجاورة "
                 "قريبة قريب مجاور محاذية محاذي تابعة تابع واقعة واقع")
# closed-class words never start or continue a place name (إلى is also an Iranian village)
CLOSED = norm_set("في من إلى الى على عن حتى مع ضد عند لدى منذ خلال بعد قبل بين حول عبر نحو دون غير سوى إن أن أنّ "
              "إنّ لكن لكنّ كان كانت يكون تكون كانوا ليس ليست قد لقد لم لن لا ما ماذا هل كيف أين متى كما مثل "
              "هذا هذه ذلك تلك هؤلاء أولئك هنا هناك التي الذي الذين اللذين اللتين اللواتي الذى هو هي هم هن "
              "نحن أنا أنت أنتم إذا إذ حيث بينما كل بعض جميع أي أيضا أيضاً فقط ثم أو أم بل قال قالت أكد أكدت "
              "وقال وقالت يوم اليوم أمس غدا الآن بسبب جراء إثر عقب وفق حسب بحسب وسط أمام خلف فوق تحت داخل "
              "خارج لدى عدد عدة منها منه فيها فيه عليها عليه إليها إليه عنها بها به له لها لهم أنه أنها أنهم "
              "إنه إنها إنهم لأن لأنه كأن بلا الشرق الأوسط")
ORG_OPENERS = norm_set("قوات مجلس جيش حزب حركة جبهة تنظيم وكالة جامعة صحيفة قناة إذاعة تلفزيون بنك شركة مؤسسة "
                   "منظمة لجنة هيئة اتحاد نادي منتخب")


@lru_cache(maxsize=1)
def _organisation_keys() -> frozenset[str]:
    """Keys of the actor registry's names and aliases (جبهة النصرة is an organisation)."""
    from ..actors.registry import load_registry
    out = set()
    for a in load_registry().actors.values():
        for name in a.aliases:
            out.add(nm.arabic_key(norm(name)))
    return frozenset(out)


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    path = Path(__file__).with_name("data") / "stopwords.txt"
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def common_words() -> frozenset[str]:
    path = Path(__file__).with_name("data") / "common_words.txt"
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1)
def clitic_words() -> frozenset[str]:
    path = Path(__file__).with_name("data") / "clitic_words.txt"
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines()
                     if line.strip() and not line.startswith("#"))


@dataclass
class Mention:
    start: int                      # original offsets of the whole phrase (head/region word .. name)
    end: int
    name_start: int                 # original offsets of the toponym itself
    name_end: int
    key: str                        # gazetteer key of the toponym
    words: int                      # words in the toponym
    hits: list[tuple[int, int]] = field(default_factory=list)   # (place index, flags) from the gazetteer
    head: str | None = None         # head noun (normalised)
    head_kind: str | None = None
    region: str | None = None       # region word (ريف، شمال ...)
    prep: bool = False              # a preposition (or ب/ل proclitic) introduces it
    ner: bool = False               # an NER LOC entity covers it
    article: bool = False           # written with ال
    sentence: int = 0
    role: str = "mention"
    stop: bool = False              # the key is a common word (stop list)
    common: bool = False            # not in the gazetteer and a frequent word: a place only if resolved

    @property
    def strong(self) -> bool:
        return self.ner or self.head_kind in STRONG_HEADS or (self.head_kind == "terrain" and not self.hits)

    def span(self) -> Span:
        return Span(self.start, self.end)


# What the matcher reads off a token depends on its normalised text alone (its forms are
# computed from it): kept per word for every article a worker reads.
@per_word
def _readings(t: Token) -> list[tuple[str, int]]:
    """(form, characters of the normalised word cut before it), least cut first. A place name
    is a noun: the future prefix س is no clitic of it (سرقة is not س + رقة), and a word the
    corpus also writes with ال (البشرية، الورقة) is a word of its own, not a clitic and a
    name (ب + شرية)."""
    out = []
    whole_word = t.norm in clitic_words() or nm.strip_article(t.norm) in common_words()
    for f in t.forms:
        cut = len(t.norm) - len(f)
        if not t.norm.endswith(f) or cut < 0:
            continue
        lead = t.norm[:cut]
        if cut and "ال" not in lead and ("س" in lead or whole_word):
            continue
        out.append((f, cut))
    return sorted(set(out), key=lambda x: x[1])


@per_word
def _key_openers(t: Token) -> list[tuple[str, int]]:
    """The token's readings as the opening of a gazetteer key, with their cuts."""
    return [(nm.strip_article(f.replace("ء", "")), cut) for f, cut in _readings(t)]


@per_word
def _closed_word(t: Token) -> bool:
    if t.norm in CLOSED:
        return True
    if t.norm.startswith("ال") and t.stem == t.norm[2:]:
        return False          # الله is not ال + له
    return t.stem in CLOSED or any(f in CLOSED for f, cut in _readings(t) if cut)


def _name_cut(t: Token) -> int:
    """Cut proclitics (not ال) off a name written right after a head noun."""
    for f, cut in _readings(t):
        if f.startswith("ال") or cut == 0:
            return cut
    return 0


@per_word
def _key1(t: Token) -> str:
    """`Matcher._key(j, 1)`."""
    return nm.arabic_key(t.norm[_name_cut(t):])


class Matcher:
    """Reads one article's tokens; `gaz` may be None (head nouns and NER still give mentions)."""

    def __init__(self, article: Article, gaz):
        self.article, self.gaz = article, gaz
        self.n = normalize(article.text)
        self.tokens: list[Token] = article.layer("tokens")
        self.sent_starts = [s.span.start for s in article.layer("sentences")]
        self.stop = stopwords()
        self._words = [t.kind == "word" for t in self.tokens]

    # --- token helpers ---------------------------------------------------------------
    def _offset(self, t: Token, cut: int) -> int:
        """Original offset `cut` normalised characters into the token (keeping ال on the name)."""
        if cut >= 2 and t.norm[cut - 2:cut] == "ال":
            cut -= 2
        i = self.n.from_original(t.span.start) + cut
        return self.n.starts[min(i, len(self.n.text) - 1)] if self.n.text else t.span.start

    def _is_word(self, i: int) -> bool:
        return 0 <= i < len(self._words) and self._words[i]

    def _sentence(self, offset: int) -> int:
        import bisect
        return max(0, bisect.bisect_right(self.sent_starts, offset) - 1)

    def _lookup(self, i: int, first_forms=None) -> tuple[int, str, int, list] | None:
        """Longest gazetteer name starting at token i: (words, key, cut, hits)."""
        if self.gaz is None or not self._is_word(i) or self._closed(i):
            return None
        if first_forms:
            firsts = [(nm.strip_article(form.replace("ء", "")), cut) for form, cut in first_forms]
        else:
            firsts = _key_openers(self.tokens[i])
        span = 1
        if self._is_word(i + 1) and not self._closed(i + 1):
            # a longer name only where some key starts with the first two words' letters
            second = self.tokens[i + 1].norm.replace("ء", "")
            if any(self.gaz.has_prefix(first + second) for first, _ in firsts):
                span = 2
                while span < MAX_WORDS and self._is_word(i + span) and not self._closed(i + span):
                    span += 1
        lookup = self.gaz.lookup
        for n in range(span, 0, -1):
            rest = "".join(self.tokens[j].norm for j in range(i + 1, i + n)).replace("ء", "")
            for first, cut in firsts:
                key = first + rest
                hits = lookup(key)
                if hits:
                    return n, key, cut, hits
        return None

    # --- the scan ----------------------------------------------------------------------
    def find(self) -> list[Mention]:
        toks = self.tokens
        out: list[Mention] = []
        dl = dateline_span(self.article)
        i = 0
        while i < len(toks):
            t = toks[i]
            if t.kind != "word" or (dl and dl.covers(t.span)) or self._cannot_start(i):
                i += 1
                continue
            m = self._mention_at(i)
            if m is None:
                i += 1
                continue
            out.append(m[0])
            i = m[1]
        out = self._with_entities(self._coordinated(out))
        return self._lists(self._repeat_unknown(out))

    def _coordinated(self, mentions: list[Mention]) -> list[Mention]:
        """Names listed after a plural or dual head (مناطق الجورة والجرادات، قريتي X وY) are
        places too, known to the gazetteer or not: the first takes the head, each next one
        joins with و or a comma and must look like a name (ال or an opener, no common word),
        or be quoted, or follow a dual head (which announces two names)."""
        extra = []
        for m in mentions:
            if m.head not in _PLURAL:
                continue
            j = self._token_at(m.name_end - 1) + 1
            first = self._token_at(m.name_start)
            was_quoted = first > 0 and self.tokens[first - 1].norm in _QUOTES
            while j < len(self.tokens):
                k, cut, quoted = self._next_item(j)
                if k is None:
                    break
                t = self.tokens[k]
                word = t.norm[cut:]
                n = self._quoted_name(k) if quoted else 0
                # the last of a list of quoted names may go unquoted (و"متينا"، و هاكورك) if it is a rare word
                rare = was_quoted and nm.strip_article(word) not in self.stop \
                    and nm.strip_article(word) not in common_words()
                was_quoted = bool(n)
                if not (word.startswith("ال") or word in NAME_OPENERS or m.head in _DUAL or n or rare) \
                        or len(nm.strip_article(word)) < 3 \
                        or word in NOT_NAMES or word in CLOSED or self._head_of(t) \
                        or (word in REGION_WORDS if m.head in _DUAL else self._region_of(t)):
                    break         # (كريف after جبلي نصص is a name, not ك + ريف)
                forms = [(word, cut)] + [(f, c) for f, c in _readings(t) if c > cut]
                hit = self._lookup(k, forms)
                if n and (hit is None or hit[0] != n):
                    hit = (n, self._key(k, n), cut, [])     # مناطق "غارة" و"متينا": quoted names
                if hit is None:
                    if nm.strip_article(word) in common_words() or (
                            nm.strip_article(word) in self.stop and m.head not in _DUAL):
                        break     # (after a dual head the second name is a name: جبلي نصص وكريف)
                    hit = (1, nm.arabic_key(word), cut, [])
                item = self._make(k, k, hit, m.head, m.head_kind)
                item.prep = True
                extra.append(item)
                j = k + hit[0]
        if not extra:
            return mentions
        taken = {(m.start, m.end): m for m in mentions}
        for m in extra:
            old = taken.get((m.start, m.end))
            if old is not None and old.head is None:
                old.head, old.head_kind, old.prep = m.head, m.head_kind, True   # the list's head is its too
        return sorted(mentions + [m for m in extra if (m.start, m.end) not in taken], key=lambda m: m.start)

    def _token_at(self, offset: int) -> int:
        import bisect
        if not hasattr(self, "_tok_starts"):
            self._tok_starts = [t.span.start for t in self.tokens]
        return max(0, bisect.bisect_right(self._tok_starts, offset) - 1)

    def _next_item(self, j: int) -> tuple[int | None, int, bool]:
        """The next item of a list whose last name ends before token j: (its first word token,
        characters of و to cut, whether it is quoted), or (None, 0, False). Items are joined by
        a comma or و, either may stand alone or stick to the name, and each may be quoted:
        الجورة والجرادات، الجورة، الجرادات، "غارة" و"متينا"."""
        toks, comma, quoted = self.tokens, False, False
        while j < len(toks) and not self._is_word(j) and toks[j].norm in _QUOTES | {"،", ","}:
            comma = comma or toks[j].norm in ("،", ",")
            j += 1
        if not self._is_word(j):
            return None, 0, False
        if comma and toks[j].norm.startswith("و") and len(toks[j].norm) > 1 \
                and not toks[j].norm.startswith(("واد", "واح")):
            return j, 1, toks[j - 1].norm in _QUOTES      # X، وميناء الحديدة: و after the comma too
        if toks[j].norm == "و":                # و "متينا"، و هاكورك: the conjunction written apart
            if not (self._is_word(j + 1) or j + 1 < len(toks) and toks[j + 1].norm in _QUOTES):
                return None, 0, False
            comma, j = True, j + 1
            if not self._is_word(j):
                j, quoted = j + 1, True
                if not self._is_word(j):
                    return None, 0, False
        elif not comma:
            if not toks[j].norm.startswith("و"):
                return None, 0, False
            return j, 1, toks[j - 1].norm in _QUOTES
        return j, 0, quoted or toks[j - 1].norm in _QUOTES

    def _quoted_name(self, j: int) -> int:
        """Tokens from j to the closing quote when a quote opens before token j and closes
        within four tokens, words or a dash between words (سينات – هافتانين), else 0."""
        toks = self.tokens
        if j == 0 or toks[j - 1].norm not in _QUOTES:
            return 0
        for n in range(1, 5):
            if j + n >= len(toks):
                return 0
            t = toks[j + n]
            if t.norm in _QUOTES:
                return n if self._is_word(j + n - 1) else 0
            if not (self._is_word(j + n) or t.norm == "-") or self._is_word(j + n) and self._closed(j + n):
                return 0
        return 0

    def _lists(self, mentions: list[Mention]) -> list[Mention]:
        """In a list (الموصل ومخمور والفلوجة، حلب وإدلب) every item shares the first one's cue."""
        text = self.article.text
        for a, b in zip(mentions, mentions[1:]):
            gap = text[a.end:b.start]
            if len(gap) <= 3 and gap.strip() in ("", "،", ",", "و") and (
                    gap.strip() in ("،", ",") or text[b.start:b.start + 1] == "و" or gap.strip() == "و"
                    or self._starts_with_waw(b)):
                if a.hits or a.prep or a.head or a.region:
                    b.prep = True
        return mentions

    def _starts_with_waw(self, m: Mention) -> bool:
        if not self.tokens:
            return False
        t = self.tokens[self._token_at(m.start)]           # the token holding m.start, by bisection
        if t.span.start <= m.start < t.span.end:
            return t.norm.startswith("و") and m.start > t.span.start
        return False

    def _repeat_unknown(self, mentions: list[Mention]) -> list[Mention]:
        """A name a head noun made a place (بلدة الباغوز) is a place wherever the article
        repeats it (في الباغوز), even when the gazetteer lacks it."""
        unknown = {m.key: m for m in mentions if m.strong and not m.hits and not m.common}
        if not unknown:
            return mentions
        import bisect
        taken = sorted((m.start, m.end) for m in mentions)
        starts = [a for a, _ in taken]
        openings = {k[:n] for k in unknown for n in range(len(k) + 1)}
        extra = []
        for j, t in enumerate(self.tokens):
            if t.kind != "word":
                continue
            key1 = _key1(t)
            # a two-word key starts with the first word's key: only then is it worth building
            if key1 not in unknown and not (self._is_word(j + 1) and key1 in openings
                                            and self._key(j, 2) in unknown):
                continue
            k = bisect.bisect_right(starts, t.span.start) - 1
            if k >= 0 and t.span.start < taken[k][1]:
                continue
            for n in (2, 1):
                if not all(self._is_word(k) for k in range(j, j + n)):
                    continue
                key = self._key(j, n)
                if key in unknown:
                    ref = unknown[key]
                    m = self._make(j, j, (n, key, _name_cut(t), []), None, None)
                    m.head, m.head_kind = ref.head, ref.head_kind
                    extra.append(m)
                    taken.append((m.start, m.end))
                    break
        return sorted(mentions + extra, key=lambda m: m.start)

    def _start_kind(self, t: Token) -> int:
        """0: no mention can start at this word, whatever follows; 1: only a gazetteer name of
        several words can (some key starts with its letters); 2: a mention may start here (a
        head, region or landform word, or a name on its own). A function of the normalised
        word and the gazetteer, so kept with the gazetteer."""
        memo = self.gaz.memo.setdefault("start", {}) if self.gaz is not None else _NO_GAZ_MEMO
        kind = memo.get(t.norm)
        if kind is None:
            if len(memo) > LIMIT:
                memo.clear()
            firsts = _key_openers(t) if self.gaz is not None else []
            if self._head_of(t) or self._region_of(t) or t.norm.startswith("ال") and t.stem in REGION_NOUNS \
                    or any(self.gaz.names.get(first) for first, _ in firsts):
                kind = 2
            elif any(self.gaz.has_prefix(first) for first, _ in firsts):
                kind = 1
            else:
                kind = 0
            memo[t.norm] = kind
        return kind

    def _cannot_start(self, i: int) -> bool:
        """No mention starts at token i (what `_mention_at` would find, told cheaply)."""
        t = self.tokens[i]
        kind = self._start_kind(t)
        if kind == 0 and self._gloss_near(i):
            return False
        if kind != 1:
            return kind == 0
        if self._closed(i) or not self._is_word(i + 1) or self._closed(i + 1):
            return True
        second = self.tokens[i + 1].norm.replace("ء", "")
        return not any(self.gaz.has_prefix(first + second) for first, _ in _key_openers(t))

    def _head_of(self, t: Token) -> tuple[str, str] | None:
        """A head noun introduces a name only in the construct state: بلدة الباغوز, not البلدة."""
        if t.norm.startswith("وا") and self.article.text[t.span.start + 1:t.span.start + 2] in "أإآ":
            return None           # وأدى القصف: و + a verb, which normalises like وادي
        for f, cut in _readings(t):
            if f in HEADS and not t.norm[:cut].endswith(("ال", "لل")):
                return f, HEADS[f]
        n = t.norm
        for cut in (1, 2):        # بحي، وبحي: the tokenizer keeps a two-letter stem whole
            if len(n) > cut and all(c in "وفبل" for c in n[:cut]) and n[cut:] in _SHORT_HEADS:
                return n[cut:], HEADS[n[cut:]]
        return None

    def _closed(self, j: int) -> bool:
        return _closed_word(self.tokens[j])

    def _region_of(self, t: Token) -> str | None:
        for f, _ in _readings(t):
            if f in REGION_WORDS:
                return f
        return None

    def _region_phrase(self, i: int) -> tuple[Mention, int] | None:
        """الساحل الليبي، البادية السورية: a definite landform word and a country adjective."""
        t = self.tokens[i]
        if self.gaz is None or not t.norm.startswith("ال") or t.stem not in REGION_NOUNS or not self._is_word(i + 1):
            return None
        k = i + 1
        if (self.gaz.nisba_country(self.tokens[k].norm) is None and self._is_word(k + 1)
                and self.tokens[k].norm.startswith("ال") and self.tokens[k].norm.endswith("ي")):
            k += 1                # الشريط الحدودي السعودي: one adjective before the country's
        nxt = self.tokens[k]
        if self.gaz.nisba_country(nxt.norm) is None:
            return None
        words = " ".join(self.tokens[w].norm for w in range(i, k + 1))
        m = self._make(i, i, (1, nm.arabic_key(words), 0, []), t.stem, "terrain")
        m.end = nxt.span.end
        return m, k + 1

    def _direction_adjective(self, i: int) -> bool:
        toks = self.tokens
        t = toks[i]
        return (t.stem in DIRECTION_STEMS and t.norm.startswith("ال") and self._is_word(i - 1)
                and not self.article.text[toks[i - 1].span.end:t.span.start].strip())

    def _mention_at(self, i: int) -> tuple[Mention, int] | None:
        toks = self.tokens
        t = toks[i]
        if self._direction_adjective(i):
            return None                   # الغوطة الشرقية: the adjective of the word before, not Sharqia
        phrase = self._region_phrase(i)
        if phrase:
            return phrase
        head = self._head_of(t)
        region = self._region_of(t)
        # a whole name first: شمال سيناء, جبل الزاوية, مدينة الكويت
        hit = self._lookup(i)
        if hit and hit[0] >= 2 and (head or region) and self._head_splits(i, hit, bool(head)):
            hit = None
        if hit and (hit[0] >= 2 or not (head or region)):
            if hit[0] == 1 and (t.stem in DIRECTION_STEMS or t.stem in HEADS or t.stem in REGION_WORDS):
                return None               # الشرقية, الميناء alone are common words, not places
            return self._make(i, i, hit, None, None), i + hit[0]
        if not (head or region):
            n = self._glossed(i)
            if n:                         # في ديونتزا (وسط): a town the wire glosses with its part of the country
                m = self._make(i, i, (n, self._key(i, n), _name_cut(t), []), None, "settlement")
                return m, i + n
            return None
        # head/region words (up to three: بالقرب من، ريف محافظة، شمال شرق)
        j = i
        heads, regions = [], []
        while j < len(toks) and j - i < 3 and self._is_word(j):
            whole = self._lookup(j) if j > i else None
            if whole and whole[0] >= 2 and not self._head_splits(j, whole, bool(self._head_of(toks[j]))):
                break                     # محافظة شمال سيناء: the region word opens the name
            h, r = self._head_of(toks[j]), self._region_of(toks[j])
            if h:
                heads.append(h)
            elif r:
                regions.append(r)
            elif toks[j].norm == "من" and regions:
                pass
            else:
                break
            j += 1
        quoted = 0
        if (j > i and heads and j < len(toks) and not self._is_word(j) and toks[j].norm in _QUOTES
                and self._is_word(j + 1)):
            j += 1                        # قرية "الزركة": a quoted name after its head
            quoted = self._quoted_name(j)
        if j == i or not self._is_word(j):
            return None
        head_word, head_kind = heads[-1] if heads else (None, None)
        region_word = regions[0] if regions else None
        if head_word == _FRONT and not self._front_name(j):
            return None                   # جبهة النصرة، جبهة العمل الإسلامي: an organisation, not a front
        hit = self._lookup(j)
        if quoted and head_word and not self._closed(j) and (hit is None or hit[0] != quoted):
            # the quotes say where the name ends, whatever its words (مناطق "غارة"، حاجز "جهري")
            return self._closing_quote(self._make(i, j, (quoted, self._key(j, quoted), _name_cut(toks[j]), []),
                                                  head_word, head_kind, region_word), j, quoted)
        if hit and hit[0] == 1 and head_word and self._opens_name(j):
            hit = None                    # حي الشيخ مقصود: an opener after a head starts a longer name
        if hit and hit[0] == 1 and head_word and (
                self._adjective(j) or toks[j].norm[_name_cut(toks[j]):] in NOT_NAMES):
            return None                   # قاعدة عسكرية، ميناء عسكريا، منطقة قريبة: a head and its adjective
        if (hit and hit[0] == 1 and head_word in _PLURAL and head_word not in _DUAL and hit[1] in self.stop
                and not self._list_follows(j + 1)):
            return None                   # مناطق المعارضة: a common word after a plural head, no list
        if hit and hit[0] == 1 and head_word and not hit[1] in self.stop and self._name_word(j + 1) \
                and all(self.gaz.entry(p).population < _HAMLET_POP for p, _ in hit[3]):
            hit = None                    # منطقة خواجة خليل: a rare second word makes another name than
                                          # the hamlets the first spells (خواجة, Iran)
        if hit:
            m = self._make(i, j, hit, head_word, head_kind, region_word)
            if quoted and hit[0] == quoted:
                return self._closing_quote(m, j, quoted)        # جبهة «عكد»
            return m, j + hit[0]
        singular = head_kind in STRONG_HEADS and head_word != "مركز" and (
            head_word in _SINGULAR or head_word in _FACILITY_SINGULAR and (
                self._looks_like_name(j) or self._name_word(j + 1)))
        terrain = head_word in _TERRAIN_SINGULAR
        plural = head_word in _PLURAL
        if singular or terrain or plural:   # a name the gazetteer lacks
            self._common_name = False
            n = self._unknown_name_length(j, head_word)
            if n and (terrain or plural) and (self._common_name or not (self._looks_like_name(j)
                                                                         or head_word in _DUAL)):
                n = 0             # جبل من الأكاذيب، مناطق سيطرة: a name needs ال or an opener there
                                  # (after a dual head, two names follow: جبلي نصص وكريف)
            if n and plural and not self._list_follows(j + n, dual=head_word in _DUAL):
                n = 0             # مناطق المعارضة: after a plural head, only a list of names
            if n:
                m = self._make(i, j, (n, self._key(j, n), _name_cut(toks[j]), []), head_word, head_kind,
                               region_word)
                m.common = self._common_name
                return m, j + n
        if region_word and not head_word and region_word not in _PARTY_WORDS and not toks[i].norm.startswith("ال") \
                and self._rare_name(j):
            # شرق ديورا، غرب المنارة: after a region word, a word hardly ever written in the news is a
            # place's name (a settlement the gazetteer lacks)
            return self._make(i, j, (1, self._key(j, 1), _name_cut(toks[j]), []), None, "settlement",
                              region_word), j + 1
        return None

    def _rare_name(self, j: int) -> bool:
        t = self.tokens[j]
        w = t.norm[_name_cut(t):]
        if len(nm.strip_article(w)) < 3 or self._closed(j) or w in NOT_NAMES or self._head_of(t) \
                or self._region_of(t) or w in DIRECTION_AFTER or self._adjective(j) or w.startswith("و") \
                or w.endswith(("ها", "هم", "نا", "كم", "يين", "يون", "يه", "تين")):
            return False          # (محيط هجماتها، جنوب افريقيين، شرق أوسطية: no names)
        return max(doc_share(nm.strip_article(w)), doc_share(t.stem)) < RARE_NAME_SHARE

    def _list_follows(self, k: int, dual: bool = False) -> bool:
        """A next list item right after token k-1: و + name, or a comma and a name (after a
        dual head, بلدتي الفوعة وكفريا, a name without ال too)."""
        k, cut, quoted = self._next_item(k)
        if k is None or self._closed(k):
            return False
        if quoted and self._quoted_name(k):
            return True
        word = self.tokens[k].norm[cut:]
        return (word.startswith("ال") or word in NAME_OPENERS or dual and len(word) >= 3) \
            and word not in NOT_NAMES and (dual or nm.strip_article(word) not in self.stop) \
            and nm.strip_article(word) not in common_words()

    def _head_splits(self, i: int, hit, is_head: bool) -> bool:
        """A name opening with a head or region word (token i) is rather that word and the
        name after it: when the name after it runs further (منطقة دير الزور is منطقة + دير
        الزور, not the name منطقة دير + الزور), or, after a head noun, ends alike and names a
        place ten times as big (مدينة الرياض is Riyadh, not an Emirati quarter)."""
        inner = self._lookup(i + 1)
        if not inner:
            return False
        if inner[0] >= hit[0]:
            return True
        return is_head and inner[0] + 1 == hit[0] and self._bigger(inner[3], hit[3])

    def _bigger(self, hits, than) -> bool:
        """The places of `hits` are ten times as populous as those of `than`, and a town at least."""
        pop = max(self.gaz.entry(i).population for i, _ in hits)
        return pop >= 10_000 and pop >= 10 * max(self.gaz.entry(i).population for i, _ in than)

    def _opens_name(self, j: int) -> bool:
        """Token j is a name opener (الشيخ، أبو، بني ...) with a name word after it."""
        t = self.tokens[j]
        first = t.norm[_name_cut(t):]
        if first not in NAME_OPENERS or not self._is_word(j + 1) or self._closed(j + 1):
            return False
        nxt = self.tokens[j + 1]
        return (nxt.norm not in NOT_NAMES and not self._head_of(nxt) and not self._region_of(nxt)
                and nxt.norm not in self.stop)

    def _adjective(self, j: int) -> bool:
        """Token j is an indefinite relational adjective (nisba: عسكرية، عسكريا، سكني) that is a
        frequent word of the corpus: after a head noun it describes the place, it does not name it."""
        t = self.tokens[j]
        w = t.norm[_name_cut(t):]
        if w.startswith("ال") or not w.endswith(("يه", "يا", "ي")):
            return False
        common = common_words()
        return any(f in self.stop or f in common for f in ((w, w[:-1]) if w.endswith("يا") else (w,)))

    def _looks_like_name(self, j: int) -> bool:
        t = self.tokens[j]
        first = t.norm[_name_cut(t):]
        return first.startswith("ال") or first in NAME_OPENERS

    def _key(self, j: int, n: int) -> str:
        t = self.tokens[j]
        first = t.norm[_name_cut(t):]
        return nm.arabic_key(" ".join([first] + [self.tokens[k].norm for k in range(j + 1, j + n)]))

    def _unknown_name_length(self, j: int, head: str | None = None) -> int:
        t = self.tokens[j]
        first = t.norm[_name_cut(t):]
        if (first in NOT_NAMES or len(nm.strip_article(first)) < 3 or self._head_of(t) or self._region_of(t)
                or self._closed(j) or nm.strip_article(first) in HEADS):
            return 0      # منطقة الجبل: a head noun with ال is a common noun
        if nm.strip_article(first) in self.stop or nm.strip_article(first) in common_words():
            if head in _NAMING_HEADS and (first.startswith("ال") or not first.endswith(("ه", "ي"))):
                pass      # بلدة حوار، قرية الحديد: a town named with a common word
            # منطقة الاشتباكات: a frequent word is no village name, unless a Latin name
            # spells it (مخيم الهول ↔ Al Hol); the resolver drops it if that fails
            elif self.gaz is None or not self.gaz.transliterations(first):
                return 0
            else:
                self._common_name = True
        if first.startswith("و") and not first.startswith(("واد", "واح")):
            return 0           # مخيم وأراضٍ: a conjunction, not a name
        if first[0] in "يت" and first.endswith(("ها", "هم", "هما", "هن")):
            return 0           # منطقة يقطنها الدروز: a verb with its object, not a name
        if first.endswith(("ها", "هم")) and doc_share(first[:-2]) >= NAME_WORD_SHARE:
            return 0           # منطقة ضربها الزلزال: a frequent word with a pronoun, not a name
        if self._is_word(j + 1) and self.tokens[j + 1].norm in _RELATIVE_TAILS:
            return 0           # قرية يسيطر عليها التنظيم: a relative clause, not a name
        if not first.startswith("ال") and first.endswith("يه") and len(first) >= 5 or self._adjective(j):
            return 0           # منطقة قبلية، بلدة حدودية، ميناء عسكريا: an adjective (nisba), not a name
        if first in NAME_OPENERS and self._is_word(j + 1) and self.tokens[j + 1].norm not in NOT_NAMES:
            return 2
        if self._hyphenated(j):
            return 3           # معسكر غورما-راروس: one name written with a hyphen
        if self._name_word(j + 1):
            return 2           # منطقة خواجة خليل، معسكر كامب انتيغريتي: a second rare word goes on the name
        return 1

    def _closing_quote(self, m: Mention, j: int, n: int) -> tuple[Mention, int]:
        """A quoted name of n tokens from j: its phrase closes the quote; (m, the token after it)."""
        m.end = max(m.end, self.tokens[j + n].span.end)
        return m, j + n + 1

    def _gloss_near(self, i: int) -> bool:
        """A bracket one or two tokens after i (what `_glossed` needs, told cheaply)."""
        toks = self.tokens
        return any(i + n < len(toks) and toks[i + n].norm == "(" for n in (1, 2))

    def _glossed(self, i: int) -> int:
        """Words of a name the gazetteer lacks that a preposition introduces and a bracketed
        direction follows (في ديونتزا (وسط)، قرب بلدة X (شرق)), the wire agencies' gloss of a
        town's part of the country: 1 or 2, or 0."""
        toks = self.tokens
        if not self._preposition_before(i):
            return 0
        for n in (1, 2):
            k = i + n
            if k + 2 < len(toks) and toks[k].norm == "(" and toks[k + 1].norm in _GLOSS_DIRECTIONS and (
                    toks[k + 2].norm == ")" or k + 3 < len(toks) and toks[k + 2].norm in _GLOSS_DIRECTIONS
                    and toks[k + 3].norm == ")"):
                words = range(i, k)
                if all(self._is_word(w) and not self._closed(w) for w in words) and \
                        self._unknown_name_length(i) and all(self._name_word(w) for w in words if w > i):
                    return n
                return 0
        return 0

    def _front_name(self, j: int) -> bool:
        """After the singular جبهة, a war front's place (جبهة المخدرة، جبهة صرواح): a name with ال or
        a gazetteer name, rare in the news (the organisations' words are not: العمل، التحرير، الإنقاذ),
        and no organisation of the actor registry (جبهة النصرة)."""
        t = self.tokens[j]
        w = t.norm[_name_cut(t):]
        if not (w.startswith("ال") or self._lookup(j)) or self._closed(j) or w in NOT_NAMES \
                or nm.strip_article(w) in common_words() or self._adjective(j):
            return False          # (جبهة واسعة: an adjective)
        if max(doc_share(nm.strip_article(w)), doc_share(t.stem)) >= NAME_WORD_SHARE:
            return False
        return nm.arabic_key(_FRONT + " " + w) not in _organisation_keys()

    def _hyphenated(self, j: int) -> bool:
        toks = self.tokens
        return (j + 2 < len(toks) and toks[j + 1].norm == "-" and self._is_word(j + 2)
                and toks[j].span.end == toks[j + 1].span.start and toks[j + 1].span.end == toks[j + 2].span.start)

    def _name_word(self, k: int) -> bool:
        """Token k, right after the first word of a name the gazetteer lacks, continues it: an
        indefinite word that is no frequent word of the corpus, no closed-class, head, region or
        direction word, no nisba and no imperfect verb (قرية زينون التابعة، منطقة حوار يسيطر)."""
        if not self._is_word(k) or self.article.text[self.tokens[k - 1].span.end:self.tokens[k].span.start] != " ":
            return False
        t = self.tokens[k]
        w = t.norm
        if (w.startswith(("ال", "و")) or len(w) < 3 or w[0] in "يت" or w in NOT_NAMES or self._closed(k)
                or nm.strip_article(w) in common_words() or self._head_of(t) or self._region_of(t)
                or w in DIRECTION_AFTER or w.endswith("ا") and w[:-1] in REGION_WORDS    # شمالاً
                or self._adjective(k) or w.endswith("يه")):
            return False
        if self.gaz is not None and self.gaz.nisba_country(w) is not None:
            return False
        if max(doc_share(w), doc_share(t.stem)) >= NAME_WORD_SHARE:
            return False       # قرية زينون مساء: a word of the language, in 7% of the news
        return not (self._is_word(k + 1) and self.tokens[k + 1].norm in _RELATIVE_TAILS)

    def _make(self, i: int, j: int, hit, head_word, head_kind, region_word=None) -> Mention:
        toks = self.tokens
        n, key, cut, hits = hit
        first = toks[j]
        name_start = self._offset(first, cut)
        last = toks[j + n - 1]
        name_end = last.span.end
        end = name_end
        if self._is_word(j + n) and toks[j + n].norm in DIRECTION_AFTER and (region_word or head_kind):
            end = toks[j + n].span.end
            region_word = region_word or toks[j + n].norm
        if i < j:   # the phrase starts at the head/region word, without its proclitics
            lead = toks[i]
            forms = _readings(lead)
            lead_cut = next((c for f, c in forms if f in HEADS or f in REGION_WORDS), 0)
            start = self._offset(lead, lead_cut) if lead_cut else lead.span.start
            if lead.norm.startswith("و") and lead_cut == 0 and len(lead.norm) > 1 and lead.norm[1:] in HEADS:
                start = self._offset(lead, 1)
        else:
            start = name_start
        prep = self._preposition_before(i)
        word = first.norm[cut:]
        m = Mention(start, end, name_start, name_end, key, n, hits, head_word, head_kind, region_word, prep,
                    article=word.startswith("ال") or first.norm[max(0, cut - 2):cut] == "ال",
                    sentence=self._sentence(start))
        m.stop = key in self.stop
        return m

    def _preposition_before(self, i: int) -> bool:
        t = self.tokens[i]
        lead = t.norm[:len(t.norm) - len(t.stem)] if t.stem != t.norm else ""
        if "ب" in lead or "ل" in lead.replace("ال", ""):
            return True
        for f, cut in _readings(t):
            if cut and t.norm[:cut].rstrip("ال").endswith(("ب", "ل")):
                return True
        return self._is_word(i - 1) and self.tokens[i - 1].norm in PREPOSITIONS

    # --- NER ---------------------------------------------------------------------------
    def _with_entities(self, mentions: list[Mention]) -> list[Mention]:
        ents = self.article.layer("entities")
        if not ents:
            return mentions
        keep = []
        ents = sorted(ents, key=lambda e: e.span.start)
        ent_starts = [e.span.start for e in ents]
        reach = list(accumulate((e.span.end for e in ents), max))     # furthest end so far
        for m in mentions:
            span = Span(m.name_start, m.name_end)
            # the entities starting before the name ends, back to where none reaches it
            k = bisect.bisect_left(ent_starts, span.end)
            covering = []
            while k > 0 and reach[k - 1] > span.start:
                k -= 1
                if ents[k].span.overlaps(span):
                    covering.append(ents[k])
            covering.reverse()
            if any(e.label in ("PER", "PERS", "ORG") and e.span.covers(span) and len(e.span) > len(span)
                   for e in covering) and not m.strong:
                continue
            if any(e.label in ("LOC", "GPE") for e in covering):
                m.ner = True
            keep.append(m)
        dl = dateline_span(self.article)
        kept = SpanIndex(Span(m.start, m.end) for m in keep if m.end > m.start)
        for e in ents:
            if e.label not in ("LOC", "GPE") or kept.overlapping(e.span.start, e.span.end):
                continue
            if dl and dl.overlaps(e.span):        # the dateline city is the dateline's, as in find()
                continue
            toks = self._words_in(e.span)
            if not toks or len(toks) > MAX_WORDS:
                continue
            j = toks[0]
            if len(toks) == 1 and self._direction_adjective(j):
                prev = self.tokens[j - 1].norm
                if not prev.startswith("ال") or nm.strip_article(prev) in self.stop or self._closed(j - 1) \
                        or kept.overlapping(self.tokens[j - 1].span.start, self.tokens[j - 1].span.end):
                    continue              # NER's الشرقية in الحكومة الشرقية
                j, toks = j - 1, [j - 1, j]   # NER's الشرقية in الغوطة الشرقية: the region is both words
            hit = self._lookup(j)
            if hit is None or hit[0] != len(toks):
                hit = (len(toks), self._key(j, len(toks)), _name_cut(self.tokens[j]), [])
            m = self._make(j, j, hit, None, None)
            m.ner = True
            keep.append(m)
        keep.sort(key=lambda m: m.start)
        return keep

    def _words_in(self, span: Span) -> list[int]:
        """Indices of the word tokens inside `span` (a contiguous run: tokens do not overlap)."""
        k = self._token_at(span.start)
        if self.tokens and self.tokens[k].span.start < span.start:
            k += 1
        out = []
        while k < len(self.tokens) and self.tokens[k].span.end <= span.end:
            if self.tokens[k].kind == "word":
                out.append(k)
            k += 1
        return out

    # --- dateline ----------------------------------------------------------------------
    def dateline(self) -> Mention | None:
        dl = dateline_span(self.article)
        if dl is None:
            return None
        toks = [k for k, t in enumerate(self.tokens) if t.kind == "word" and dl.covers(t.span)]
        if not toks:
            return None
        j = toks[0]
        hit = self._lookup(j)
        if hit is None:
            n = 1
            while n < len(toks) and toks[n] == j + n:
                n += 1
            hit = (n, self._key(j, n), 0, [])
        m = self._make(j, j, hit, None, None)
        m.role = "dateline"
        return m


def find_mentions(article: Article, gaz) -> tuple[list[Mention], Mention | None]:
    matcher = Matcher(article, gaz)
    return matcher.find(), matcher.dateline()
