"""The quantities stage: every number in the text, resolved to an integer with its qualifier.

Works on tokens (whose `norm` already has Arabic-Indic and Persian digits folded to
ASCII and ٬ to ,): a run of number tokens - digits, number words, و-joined parts
("ثلاثة آلاف وخمسمئة") - is added up by `words.Accumulator`. Around it:

- qualifiers written before ("نحو"، "أكثر من"، "ما لا يقل عن") or after ("على الأقل"،
  "تقريباً") the number;
- ranges "بين 10 و15"، "35 إلى 40"، "خمسة أو ستة" (value = the lower bound, `value_max`
  the upper, qualifier at_least); a rise "ارتفع من 20 إلى 25" is two numbers, not a range;
- rough counts (عشرات، مئات، آلاف، بضعة) are `vague`, valued at their lower bound, at_least;
- duals of people nouns ("جنديين"، "قتيلان" = 2) and "شخص واحد" (= 1);
- ordinal day numbers before a month ("التاسع من يناير"), marked `ordinal`.

Decimals that stay fractional ("3.5 كلم") are not counts and are left out.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..article import Article, Quantity, Span, Token
from ..dates.calendar import MONTHS
from ..pipeline import stage
from ..text.normalize import norm, normalize
from . import lexicon
from .words import (MAX_COUNT, ORDINAL_TENS, ORDINALS, TEEN, TEEN_ONLY, Accumulator, ordinal_value, parse_digits,
                    word_value)


def _alts(words: str) -> str:
    return "|".join(re.escape(norm(w)).replace(r"\ ", r"\s+") for w in
                    sorted(words.split(","), key=len, reverse=True))


_BEFORE = [
    ("at_least", _alts("ما لا يقل عن,لا يقل عن,لا تقل عن,ما لا يقل على,على الأقل")),
    ("less_than", _alts("أقل من,ما يقل عن,ما دون,دون,ما يصل إلى,ما يصل الى,لا يزيد عن,لا يزيد على,لا يتجاوز,"
                        "لا تتجاوز")),
    ("more_than", _alts("أكثر من,ما يزيد على,ما يزيد عن,يزيد على,يزيد عن,تزيد على,تزيد عن,ما يربو على,يربو على,"
                        "تخطت,تخطى,يتخطى,تتخطى,ما يتخطى,تجاوز,تجاوزت,يتجاوز,تتجاوز,ما يتجاوز,يفوق,تفوق,ما يفوق,"
                        "فاق,فاقت,أزيد من,ما فوق,أكثر من")),
    ("about", _alts("نحو,حوالي,حوالى,قرابة,زهاء,ما يقارب,يقارب,تقارب,ما يناهز,يناهز,ما يقرب من,يقرب من,"
                    "تقريبا,ما يعادل")),
]
_BEFORE_RE = [(q, re.compile(rf"(?:^|[\s\"'(«])[وفبل]{{0,2}}(?:{alts})\s*(?:ال)?\s*$")) for q, alts in _BEFORE]
_AFTER_RE = re.compile(rf"\s*(?:[^\s.،,؛:!?؟\"]+\s+){{0,3}}?({_alts('على الأقل,تقريبا,ونيف,ونيفا,فأكثر,أو أكثر')})"
                       r"(?![^\s.،,؛:!?؟])")
_AFTER_QUALIFIER = {norm("على الأقل"): "at_least", norm("تقريبا"): "about", norm("ونيف"): "more_than",
                    norm("ونيفا"): "more_than", norm("فأكثر"): "at_least", norm("أو أكثر"): "at_least"}
_DOT_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3}){1,3}")
_RANGE_WORDS = {norm(w) for w in ("إلى", "الى", "أو", "او", "-", "حتى")}
_BETWEEN = {norm(w) for w in ("بين", "وبين", "مابين")}
_CHANGE = {norm(w) for w in """ارتفع ارتفعت يرتفع ترتفع ارتفاع رفع رفعت زاد زادت تراجع تراجعت انخفض انخفضت
    قفز قفزت تضاعف ازداد ازدادت هبط هبطت""".split()}
_NO_ARTICLE = {"unit": {norm("اثنين"), norm("اثنان"), norm("واحد"), norm("واحدة")}}
_FUNCTION = {norm(w) for w in """في من على عن إلى الى مع بين حتى منذ خلال بعد قبل و أو ثم لكن أن إن التي الذي
    الذين هذا هذه ذلك تلك هو هي هم كان كانت قد لقد ما لا لم لن""".split()}


def _part(tok: Token, text: str = "") -> tuple[str, float, bool, bool] | None:
    """(kind, value, joined by و, has the article) of one token, or None if it is not a number.
    text: the article, to tell و + أحد ("وأحد السكان") from واحد, which normalise alike."""
    if tok.kind == "number":
        v = parse_digits(tok.norm)
        return ("digits", v, False, False) if v is not None else None
    if tok.kind != "word":
        return None
    found = _word_part(tok.norm)
    if found and found[0] == "unit" and found[1] == 1 and text[tok.span.start:tok.span.start + 2] in ("وأ", "وإ"):
        return None            # 'وأحد': and one of, not واحد
    return found


@lru_cache(maxsize=65536)
def _word_part(w: str) -> tuple[str, float, bool, bool] | None:
    for prefix, joined, article in (("", False, False), ("و", True, False), ("ال", False, True),
                                    ("وال", True, True), ("ب", False, False), ("ل", False, False),
                                    ("بال", False, True), ("لل", False, True)):
        if not w.startswith(prefix) or len(w) - len(prefix) < (3 if prefix in ("ب", "ل") else 2):
            continue         # 'لست' is "you are not", not ل + ست
        rest = w[len(prefix):]
        found = word_value(rest)
        if found is None and rest in TEEN_ONLY:
            found = ("teen_only", 1)
        if found is None:
            continue
        kind, value = found
        if article and (kind in ("ten", "hundred") or rest in _NO_ARTICLE.get(kind, ())):
            return None        # العشرين (the 20th), بالمئة (per cent), الاثنين (Monday), الواحد
        return kind, value, joined, article
    return None


def _scan(tokens: list[Token], i: int, text: str = "") -> tuple[Accumulator, int] | None:
    """Add up the number starting at token i; (accumulator, index of its last token)."""
    if _part(tokens[i], text) is None:
        return None                      # most tokens: no number starts here
    acc = Accumulator()
    last = None
    j = i
    while j < len(tokens):
        k, joined = j, False
        if acc.parts and tokens[j].norm == "و" and j + 1 < len(tokens):
            k, joined = j + 1, True
        part = _part(tokens[k], text)
        if part is None:
            break
        kind, value, pjoined, article = part
        if pjoined:
            if joined:
                break
            joined = True
        if kind == "teen_only":
            nxt = tokens[k + 1].norm if k + 1 < len(tokens) else ""
            if acc.parts or nxt not in TEEN:
                break
            kind = "unit"
        if acc.parts and article and kind not in ("mults", "mult"):
            break
        if not acc.parts:
            joined = False       # a leading و joins the clause, not the number
        if not acc.add(kind, value, joined):
            break
        last = k
        j = k + 1
    return (acc, last) if last is not None else None


def _qualifier_before(n, start: int) -> tuple[str, int] | None:
    """(qualifier, normalised start of its words) written just before normalised offset start."""
    head = n.text[max(0, start - 40):start]
    for qualifier, rx in _BEFORE_RE:
        m = rx.search(head)
        if m:
            lead = m.start() + (1 if m.group()[:1] in " \"'(«" else 0)
            return qualifier, start - len(head) + lead
    return None


def _qualifier_after(n, end: int) -> str | None:
    m = _AFTER_RE.match(n.text, end, min(len(n.text), end + 60))
    return _AFTER_QUALIFIER.get(" ".join(m.group(1).split())) if m else None


def _is_range_start(tokens, i) -> bool:
    """True when the number at i opens 'بين A و B' (also after a qualifier: 'ما بين')."""
    for k in (i - 1, i - 2):
        if k >= 0 and tokens[k].norm in _BETWEEN:
            return True
    return False


def _is_change(tokens, i) -> bool:
    """'ارتفع العدد من 20 إلى 25': a rise, two numbers rather than a range."""
    if i == 0 or tokens[i - 1].norm != "من":
        return False
    return any(set(t.forms) & _CHANGE for t in tokens[max(0, i - 7):i - 1])


@stage("quantities", requires=["tokens"], assigns=["quantities"])
def find_quantities(article: Article) -> list[Quantity]:
    """Numbers in digits and words, with qualifiers and ranges: 'أكثر من 66 ألف'، 'بين 10 و15'."""
    tokens = article.layer("tokens")
    n = normalize(article.text)
    out: list[Quantity] = []
    i = 0
    while i < len(tokens):
        found = _ordinal_date(tokens, i)
        if found:
            value, last = found
            out.append(Quantity(Span(tokens[i].span.start, tokens[last].span.end), value, ordinal=True))
            i = last + 1
            continue
        dual = _dual(tokens, i)
        if dual is not None:
            out.append(_qualified(n, Quantity(dual, 2)))
            i += 2 if dual.end > tokens[i].span.end else 1
            continue
        scanned = _scan(tokens, i, article.text)
        if scanned is None:
            i += 1
            continue
        acc, last = scanned
        value, vague = acc.value, acc.vague
        if last == i and _DOT_THOUSANDS.fullmatch(tokens[i].norm):
            value = int(tokens[i].norm.replace(".", ""))     # '12.500 جندي': a dot grouping thousands
        start, end = tokens[i].span.start, tokens[last].span.end
        value_max = None
        nxt = last + 1
        if nxt < len(tokens) and value == int(value):
            k = nxt + 1 if tokens[nxt].norm in _RANGE_WORDS or (tokens[nxt].norm == "و" and
                                                                _is_range_start(tokens, i)) else None
            if k is None and tokens[nxt].norm.startswith("و") and _is_range_start(tokens, i):
                k = nxt                                # 'بين عشرة وخمسة عشر'
            second = _scan_joined(tokens, k) if k is not None and k < len(tokens) else None
            if second and not _is_change(tokens, i):
                acc2, last2 = second
                low = value
                if acc2.last_mult and not acc.last_mult and low * acc2.last_mult <= acc2.value:
                    low *= acc2.last_mult              # 'بين 10 و15 ألفا' = 10000-15000
                if acc2.value > low:
                    value, value_max, end, last = low, acc2.value, tokens[last2].span.end, last2
        if value > MAX_COUNT or (value_max is not None and value_max > MAX_COUNT) \
                or value != int(value) or (value_max is not None and value_max != int(value_max)):
            i = last + 1        # beyond any count of people ('مليار مليار'), or a fraction: not a quantity
            continue
        if value in (1, 2) and last == i and i > 0 and not acc.vague:
            head = _people_before(tokens, i)
            if head is not None:
                start = tokens[head].span.start       # 'شخص واحد', 'عسكريين تركيين اثنين'
        q = Quantity(Span(start, end), int(value), value_max=int(value_max) if value_max is not None else None,
                     vague=vague)
        out.append(_qualified(n, q))
        i = last + 1
    return out


def _scan_joined(tokens, k):
    """A number at k that may carry a leading و ('و15', 'وخمسة')."""
    tok = tokens[k]
    if tok.kind == "word" and tok.norm.startswith("و") and tok.norm != "و":
        part = _part(tok)
        if part is None or not part[2]:
            return None
        acc = Accumulator()
        acc.add(part[0] if part[0] != "teen_only" else "unit", part[1])
        rest = _continue(tokens, k + 1, acc)
        return acc, rest if rest is not None else k
    if tok.norm == "و" and k + 1 < len(tokens):
        return _scan(tokens, k + 1)
    return _scan(tokens, k)


def _continue(tokens, j, acc):
    """Feed the tokens after j into an accumulator already started; index of the last one taken."""
    last = None
    while j < len(tokens):
        part = _part(tokens[j])
        if part is None or part[2] or not acc.add(part[0], part[1], False):
            break
        last, j = j, j + 1
    return last


def _qualified(n, q: Quantity) -> Quantity:
    a = n.from_original(q.span.start)
    b = n.from_original(q.span.end)
    before = _qualifier_before(n, a)
    if before:
        q.qualifier = before[0]
        s, _ = n.to_original(before[1], before[1] + 1)
        q.qualifier_span = Span(s, q.span.start)
    else:
        after = _qualifier_after(n, b)
        if after:
            q.qualifier = after
        elif q.vague or q.value_max is not None:
            q.qualifier = "at_least"
    return q


def _people_before(tokens, i) -> int | None:
    """Index of the people noun a trailing 'واحد'/'اثنين' counts, over one nisba adjective."""
    for k in (i - 1, i - 2):
        if k < 0 or tokens[k].kind != "word":
            return None
        if any(lexicon.noun_entry(f, after_number=False) for f in tokens[k].forms):
            return k
        if not tokens[k].norm.endswith(("ي", "يه", "يين", "يون", "يان", "يتين", "يتان")):
            return None
    return None


@lru_cache(maxsize=65536)
def _is_dual(word: str, stem: str) -> bool:
    # the surface, the article-less stem or و + dual; 'لطفلين' (to two children) is not a count
    forms = {word, stem} | ({word[1:]} if word.startswith("و") else set())
    return any(lexicon.dual_entry(f) for f in forms)


def _dual(tokens, i) -> Span | None:
    """A people noun in the dual ('جنديين', 'قتيلان', 'طفلتين'), with a following 'اثنين'."""
    tok = tokens[i]
    if tok.kind != "word" or not _is_dual(tok.norm, tok.stem):
        return None
    if i > 0 and _part(tokens[i - 1]) is not None:
        return None
    end = tok.span.end
    if i + 1 < len(tokens) and tokens[i + 1].norm in (norm("اثنين"), norm("اثنان"), norm("اثنتين"),
                                                      norm("اثنتان")):
        end = tokens[i + 1].span.end
    return Span(tok.span.start, end)


def _ordinal_date(tokens, i) -> tuple[int, int] | None:
    """'التاسع من يناير', 'الحادي والعشرين من آذار', 'العاشر من الشهر الجاري': (day, last token)."""
    tok = tokens[i]
    if tok.kind != "word" or not tok.norm.startswith(("ال", "وال", "بال", "فال")) \
            or tok.stem not in ORDINALS and tok.stem not in ORDINAL_TENS:
        return None          # an ordinal day opens with an ordinal word
    words = []
    for t in tokens[i:i + 3]:
        s = t.stem
        if t is not tok and t.norm.startswith("و") and t.norm != "و":
            words.append("و" + s if not s.startswith("و") else s)
        else:
            words.append(s)
    found = ordinal_value(words)
    if not found:
        return None
    day, used = found
    if not 1 <= day <= 31:
        return None
    k = i + used
    if k < len(tokens) and tokens[k].norm == "من":
        k += 1
    if k >= len(tokens):
        return None
    first = tokens[k].stem
    two = first + " " + tokens[k + 1].norm if k + 1 < len(tokens) else ""
    if first in MONTHS or two in MONTHS or first == norm("شهر") or tokens[k].norm == norm("الشهر"):
        return day, i + used - 1
    return None
