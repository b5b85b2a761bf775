"""Find event triggers in the article's sentences and keep those that report something that happened.

A sentence is read as a list of tokens; each token's `forms` (its stems with clitics
stripped) are looked up in the trigger lexicon. A trigger is dropped when:
- its sentence is page furniture (a repeated line, a byline) or a headline (the title,
  or a short line with no final stop): headlines repeat the story they head;
- its clause negates it ("لم يسفر"، "لا يقصف") or puts it in the future, a plan, a threat,
  a warning, a call or a condition ("ستقصف"، "يعتزم"، "هدد بـ"، "في حال"), or it is a question;
- it sits inside a quotation the quotes stage marked as a threat or a call to violence;
- it is weak (a present-tense verb, a generic noun such as المعارك) and nothing in its
  clause says it happened: no verb of execution (شنت، وقع، أسفر), no time word, no toll.
Clauses are cut at commas, semicolons and the conjunctions that open a new proposition
(لكن، بينما، فيما، حيث), so a negation in one clause does not reach the next.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from ..article import Article, Sentence, Token
from ..text import norm
from ..text.boilerplate import in_boilerplate
from ..text.wordcache import per_word
from . import lexicon as lx

_CLAUSE_PUNCT = {"،", ",", "؛", ";", ":", "(", ")", "-"}
_CLAUSE_WORDS = {norm(w) for w in ("لكن", "لكنه", "لكنها", "بينما", "فيما", "حيث", "الا", "اذ", "كما",
                                   "غداه", "بعدما", "عقب", "اثر", "جراء", "ردا", "انتقاما", "قبيل", "وذلك")}
_CLAUSE_BEFORE_AN = {norm(w) for w in ("قبل", "بعد")}     # "قبل أن" / "بعد أن" open a new event
# "قال ... إن": what was said starts a clause of its own (its time words are not the speech's)
_COMPLEMENTIZERS = {norm(w) for w in ("ان", "انه", "انها", "انهم", "بان", "بانه", "بانها", "وان")}
_NOT_NEGATION_AFTER = {norm(w) for w in ("يزال", "تزال", "زال", "زالت", "يزالون", "تزالان", "سيما", "بد")}
_NOUN_CONTEXT = {norm(w) for w in ("تحت", "من", "عن", "بعد", "قبل", "منذ", "خلال", "مناطق", "منطقه", "اثر",
                                   "عقب", "جراء", "بسبب", "نتيجه", "في", "الي", "علي", "مع", "ضد", "اجل",
                                   "تعزيز", "توسيع", "بسط", "فرض", "احكام", "استعاده", "اعاده", "خارج", "نطاق")}
_FUTURE_PREFIX = "س"
_HEADLINE_WORDS = 14
_WINDOW = 6           # tokens a cue may be away from its trigger
_NEG_WINDOW = 4       # negations are adjacent to what they negate
_MODAL_WINDOW = 8     # "يحتم على القوات الأمنية التركيز على تجمعاتهم وقصفها"


@dataclass(slots=True)
class SentenceView:
    """One sentence's tokens with their forms, for window lookups."""
    index: int
    sentence: Sentence
    tokens: list[Token]
    forms: list[frozenset[str]]
    clauses: list[tuple[int, int]]        # token ranges [a, b) within `tokens`
    headline: bool = False

    def clause_of(self, i: int) -> tuple[int, int]:
        for a, b in self.clauses:
            if a <= i < b:
                return a, b
        return 0, len(self.tokens)

    def has(self, cue: frozenset[str], a: int, b: int) -> int | None:
        """Index of the first token in [a, b) with a form in `cue`."""
        forms = self.forms
        for j in range(max(a, 0), min(b, len(self.tokens))):
            if not forms[j].isdisjoint(cue):
                return j
        return None

    def near(self, cue: frozenset[str], i: int, window: int = _WINDOW, clause: bool = True) -> int | None:
        a, b = self.clause_of(i) if clause else (0, len(self.tokens))
        return self.has(cue, max(a, i - window), min(b, i + window + 1))


@dataclass(slots=True)
class Trigger:
    view: SentenceView
    i: int                     # token index within the sentence
    entry: lx.Entry
    concept: str
    strong: bool
    flags: set[str] = field(default_factory=set)   # accused | failed | generic | quoted
    reasons: tuple[str, ...] = ()                  # the filters it failed (generous detection only)

    @property
    def token(self) -> Token:
        return self.view.tokens[self.i]


def sentence_views(article: Article) -> list[SentenceView]:
    tokens = article.layer("tokens")
    starts = [t.span.start for t in tokens]
    title = " ".join(norm(article.title or "").split())
    views = []
    for n, s in enumerate(article.layer("sentences")):
        a = bisect.bisect_left(starts, s.span.start)
        b = bisect.bisect_left(starts, s.span.end)
        toks = tokens[a:b]
        forms = [_form_set(t) for t in toks]
        view = SentenceView(n, s, toks, forms, _clauses(toks))
        view.headline = _is_headline(article, s, toks, title)
        views.append(view)
    return views


@per_word
def _form_set(t: Token) -> frozenset[str]:
    return frozenset(t.forms or (t.norm,))


_PUNCT_CUT, _WORD_CUT, _COMPLEMENTIZER, _BEFORE_AN = 1, 2, 4, 8


@per_word
def _clause_flags(t: Token) -> int:
    """How a token may cut a clause."""
    word = t.kind == "word"
    return ((_PUNCT_CUT if t.kind == "punct" and t.norm in _CLAUSE_PUNCT else 0)
            | (_WORD_CUT if word and (t.norm in _CLAUSE_WORDS or t.stem in _CLAUSE_WORDS
                                      or (t.norm[:1] in "وف" and t.norm[1:] in _CLAUSE_WORDS)) else 0)
            | (_COMPLEMENTIZER if word and t.norm in _COMPLEMENTIZERS else 0)
            | (_BEFORE_AN if word and (t.norm in _CLAUSE_BEFORE_AN or t.norm[1:] in _CLAUSE_BEFORE_AN) else 0))


def _clauses(tokens: list[Token]) -> list[tuple[int, int]]:
    cuts = [0]
    for j, t in enumerate(tokens):
        f = _clause_flags(t)
        if not f:
            continue
        if f & _PUNCT_CUT:
            cuts.append(j + 1)
        elif f & _WORD_CUT and j > 0:
            cuts.append(j)
        elif f & _COMPLEMENTIZER and j > 0 and tokens[j - 1].norm not in ("قبل", "بعد", "دون", "من"):
            cuts.append(j)
        elif f & _BEFORE_AN and j > 0 and j + 1 < len(tokens) and tokens[j + 1].norm == "ان":
            cuts.append(j)
    cuts.append(len(tokens))
    out = []
    for a, b in zip(cuts, cuts[1:]):
        if b > a:
            out.append((a, b))
    return out or [(0, len(tokens))]


def _is_headline(article: Article, s: Sentence, toks: list[Token], title: str) -> bool:
    text = article.text[s.span.start:s.span.end]
    if title and " ".join(norm(text).split()) == title:
        return True
    if in_boilerplate(article, s.span, kinds=("repeated", "byline", "date_line")):
        return True
    line_start = article.text.rfind("\n", 0, s.span.start) + 1
    line_end = article.text.find("\n", s.span.end)
    line = article.text[line_start:len(article.text) if line_end < 0 else line_end].strip()
    words = sum(1 for t in toks if t.kind == "word")
    whole_line = line == text.strip()
    return whole_line and words <= _HEADLINE_WORDS and text.rstrip()[-1:] not in ".!؟?\"»”:)" \
        and "\n" in article.text


def _choose(view: SentenceView, i: int, entries: list[lx.Entry]) -> lx.Entry:
    """A form that is both a past verb and a noun (سيطرتها، قصفها): a noun after a preposition or a
    governing noun, or when the token carries a prepositional proclitic; a verb otherwise."""
    if len(entries) == 1:
        return entries[0]
    tok = view.tokens[i]
    prev = view.tokens[i - 1].norm if i > 0 else ""
    noun_reading = tok.norm[:1] in "بل" or tok.norm.startswith(("وب", "ول", "فب", "فل")) or prev in _NOUN_CONTEXT \
        or tok.norm.startswith("ال")
    pick = "noun" if noun_reading else "past"
    for e in entries:
        if e.pos == pick:
            return e
    return entries[0]


def _lookup(view: SentenceView, i: int) -> list[lx.Entry]:
    tok = view.tokens[i]
    if tok.kind != "word":
        return []
    return _entries(tok)


@per_word
def _entries(tok: Token) -> list[lx.Entry]:
    table = lx.triggers()
    found: list[lx.Entry] = []
    for f in tok.forms or (tok.norm,):
        definite = f != tok.norm and tok.norm[:-len(f)].endswith("ال")
        for e in table.get(f, ()):
            if definite and e.pos != "noun":
                continue          # التوصل is a noun, not the verb توصل
            if e not in found:
                found.append(e)
    return found


def _negated(view: SentenceView, i: int, entry: lx.Entry) -> bool:
    a, _ = view.clause_of(i)
    tok = view.tokens[i]
    if entry.pos == "present" and tok.norm.startswith(_FUTURE_PREFIX) and not tok.stem.startswith(_FUTURE_PREFIX):
        return True       # ستقصف: the future prefix
    if entry.pos == "present" and tok.norm.startswith(("وس", "فس")) and tok.norm[2:3] in "يتن":
        return True
    for j in range(max(a, i - _NEG_WINDOW), i):
        f = view.forms[j]
        if f & lx.NEGATION:
            nxt = view.tokens[j + 1].norm if j + 1 < len(view.tokens) else ""
            if nxt not in _NOT_NEGATION_AFTER and not nxt.startswith(("يزال", "تزال")):
                return True
    for j in range(max(a, i - _MODAL_WINDOW), i):
        f = view.forms[j]
        if f & lx.MODALITY:
            return True
        if view.tokens[j].norm == "قد" and entry.pos == "present":
            return True
        if view.tokens[j].norm in ("سوف", "وسوف"):
            return True
    return False


def _in_relative(view: SentenceView, i: int, entry: lx.Entry) -> bool:
    """"الذي سيطر على"، "التي شهدت توقيع اتفاق": a past deed told as background, unless a time
    word in the clause makes it news."""
    a, b = view.clause_of(i)
    window = 2 if entry.pos == "past" else 4
    j = view.has(lx.RELATIVE, max(a, i - window), i)
    if j is None:
        return False
    if entry.pos != "past" and not (j + 1 < len(view.tokens) and view.forms[j + 1] & lx.SUPPORT_ANY):
        return False
    return view.has(lx.TIME_WORDS, a, b) is None


def _old_year(article: Article, view: SentenceView, i: int) -> bool:
    """A four-digit year before the publication year in the trigger's clause (a safety net when the
    times stage did not resolve "صيف 2014" or "في 2011")."""
    if not article.date or not article.date[:4].isdigit():
        return False
    pub_year = int(article.date[:4])
    a, b = view.clause_of(i)
    for t in view.tokens[a:b]:
        if t.kind == "number" and len(t.norm) == 4 and t.norm.isdigit() and 1900 < int(t.norm) < pub_year:
            return True
    return False


def _in_parentheses(article: Article, view: SentenceView, tok: Token) -> bool:
    s = view.sentence.span
    before = article.text[s.start:tok.span.start]
    return before.count("(") > before.count(")")


def _supported(view: SentenceView, i: int, entry: lx.Entry) -> bool:
    """Does the trigger's clause say that this happened, and to whom or where?

    A present-tense verb needs a time word in its clause or a weapon it is done with
    ("وتدك هذه القوات الجيب بالقذائف"): without one it is habitual ("تقاتل منذ عام").
    A noun needs an execution verb (شنت غارات)، a time word, or a specific complement
    right after it (a number, a person, a named actor or place: "اعتقال 520"، "اشتباكات في
    بنغازي"); a bare definite noun is a category ("الاعتقال"، "القصف المتواصل").
    """
    a, b = view.clause_of(i)
    time_here = view.has(lx.TIME_WORDS, a, b) is not None
    if entry.pos == "past":
        return True
    if entry.pos == "present":
        if view.has(lx.DURATION, 0, len(view.tokens)) is not None:
            return False
        return time_here or view.has(lx.CUES["WEAPON"], i + 1, min(b, i + _WINDOW + 1)) is not None
    if not entry.strong and view.has(lx.DURATION, a, b) is not None:
        return False
    if view.has(lx.SUPPORT, max(a, i - _WINDOW), min(b, i + _WINDOW + 1)) is not None:
        return True
    if time_here:
        return True
    tok = view.tokens[i]
    definite = tok.stem != tok.norm and "ال" in tok.norm[:4]
    if not entry.strong and definite:
        return False          # "الهجوم البري"، "المعارك": a definite weak noun names a category
    if entry.concept == "TERRITORY":
        return False          # "السيطرة على": only with a verb that says control was taken
    if entry.strong and not definite:
        return True           # "مقتل 8"، "اشتباكات في"، "مصرعه": an incident, not a category
    return _specific_after(view, i, b)


_PERSONISH = lx.CUES["PEOPLE"]
_QUALIFIER = lx.CUES["CHEM_WORDS"] | {norm(w) for w in ("جوي", "جويه", "مدفعي", "مدفعيه", "صاروخي", "صاروخيه", "انتحاري", "انتحاريه",
                               "سياره", "عبوه", "عبوتين", "لغم", "مسلح", "مسلحه", "دام", "دامي", "داميه", "عنيف",
                               "عنيفه", "عنيفا")}
_PLACE_PREP = {norm(w) for w in ("في", "قرب", "بين", "داخل", "شرق", "غرب", "شمال", "جنوب", "وسط",
                                 "محيط", "بمدينه", "ببلده", "بقريه", "بمحافظه", "مدينه", "بلده", "قريه", "حي",
                                 "منطقه", "محافظه", "استهدفت", "استهدف")}


def _specific_after(view: SentenceView, i: int, b: int) -> bool:
    if i + 1 < b and view.forms[i + 1] & _QUALIFIER:
        return True           # "قصف جوي"، "انفجار سيارة مفخخة"
    for j in range(i + 1, min(b, i + 4)):
        t = view.tokens[j]
        if t.kind == "number":
            return True
        if t.kind == "punct":
            continue
        f = view.forms[j]
        if f & _PERSONISH or t.norm in _PLACE_PREP or t.stem in _PLACE_PREP:
            return True
        if t.norm[:1] in "بل" and t.norm[1:] in _PLACE_PREP:
            return True
    return False


def find_triggers(article: Article, views: list[SentenceView] | None = None,
                  generous: bool = False) -> list[Trigger]:
    """The triggers that pass every filter; with `generous`, every trigger, the filters it fails
    recorded in its `reasons` (the event-mention model weighs them instead of obeying them)."""
    views = views if views is not None else sentence_views(article)
    quotes = [q.span for q in article.layer("quotes") if q.kind in ("threat", "call_to_violence")]
    found = []
    for view in views:
        if not view.tokens:
            continue
        base: list[str] = []
        if view.headline:
            base.append("headline")
        text = article.text[view.sentence.span.start:view.sentence.span.end]
        if text.rstrip().endswith(("؟", "?")):
            base.append("question")
        if base and not generous:
            continue
        for i in range(len(view.tokens)):
            entries = _lookup(view, i)
            if not entries:
                continue
            entry = _choose(view, i, entries)
            if entry.needs and view.near(lx.CUES[entry.needs], i, window=5 if entry.needs == "AIR" else 2) is None:
                continue
            reasons = _reasons(article, view, i, entry, quotes, list(base), generous)
            if reasons and not generous:
                continue
            trig = Trigger(view, i, entry, entry.concept, entry.strong)
            trig.reasons = tuple(reasons)
            a, b = view.clause_of(i)
            if view.has(lx.ACCUSE, 0, i) is not None:
                trig.flags.add("accused")
            if view.has(lx.FAILED, max(a, i - 3), i) is not None:
                trig.flags.add("failed")
            if view.has(lx.GENERIC, 0, len(view.tokens)) is not None:
                trig.flags.add("generic")
            found.append(trig)
    return found


def _reasons(article: Article, view: SentenceView, i: int, entry: lx.Entry, quotes, out: list[str],
             every: bool) -> list[str]:
    """The filters the trigger fails, in order; only the first unless `every`."""
    tok = view.tokens[i]
    checks = (
        ("threat_quote", lambda: any(q.covers(tok.span) for q in quotes)),
        ("negated", lambda: _negated(view, i, entry)),
        ("generic_before", lambda: i > 0 and bool(view.forms[i - 1] & lx.GENERIC_BEFORE)),
        ("purpose", lambda: view.has(lx.PURPOSE_BEFORE, max(0, i - 3), i) is not None),
        ("background", lambda: view.has(lx.BACKGROUND_BEFORE, max(0, i - 3), i) is not None),
        ("ongoing", lambda: i + 1 < len(view.tokens) and bool(view.forms[i + 1] & lx.ONGOING_AFTER)),
        ("relative", lambda: entry.concept != "KILL" and _in_relative(view, i, entry)),
        # "وطالب بارزاني ... بعدم التفكير في ... واختطاف": the object of a demand
        ("framing", lambda: entry.pos == "noun" and view.has(lx.FRAMING, 0, min(i, 4)) is not None),
        # "في صيف 2014": a year before publication dates it as background
        ("old_year", lambda: _old_year(article, view, i)),
        # an aside: "(انضم وقتل في إحدى العمليات في العراق)"
        ("parentheses", lambda: _in_parentheses(article, view, tok)),
        # a list of alleged crimes, no incident
        ("accusation_list", lambda: view.has(lx.ACCUSATION_LIST, 0, i) is not None
         and view.has(lx.TIME_WORDS, 0, len(view.tokens)) is None),
        ("unsupported", lambda: not _supported(view, i, entry)),
    )
    if out and not every:
        return out
    for name, check in checks:
        if check():
            out.append(name)
            if not every:
                break
    return out
