"""The figures stage: each count of people, with what happened to them and who says so.

For every quantity (outside dates, datelines and percentages) the stage looks, inside
its sentence, for:

1. what it counts - a people noun right after it ("66 ألف شخص", "520 إرهابياً"), after
   "من" ("14 من قوات الجيش", "الآلاف من الأسر"), inside it (duals: "جنديان"; "شخص
   واحد"), or named before it in a toll ("عدد القاطنين في المخيم إلى أكثر من سبعين
   ألفاً", "حصيلة قتلى تخطت 370 ألفاً"). A thing right after it (vehicles, money,
   kilometres, years...) means no figure.
2. the metric, first match wins: a sub-count or a coordinated count takes the metric of
   the figure it belongs to ("بينهم 37 ألف مدني و5000 جهادي"); a trigger word right
   before it ("مقتل 8", "اعتقال 520", "وصول 3500 شخص"); a verb right after the people
   ("شخصين قتلا", "مهاجراً غرقوا"); the noun itself (قتلى, نازح); the nearest trigger
   earlier in the sentence; else "other". Killing words become "deaths" in a sentence
   about drowning, hunger or disease, and "conflict_deaths" when the toll is cumulative
   (a war's toll, or counted since a date months back).
3. a number with no people noun is a figure only right after a trigger that applies to
   people ("مقتل 8 وإصابة 15").

A figure repeated in the same article (same metric and value: the lead and the body,
or two outlets quoted) is kept once. Source, date and place come from the same
sentence: the attribution ("أحصت هذه القوات", "بحسب المرصد"; actor ids when the
actors layer is present), the times layer (else the publication date) and the places
layer (when present).

Rules rather than a trained model: the gold sets hold a few dozen figures, too few to
learn from, and every decision here can be read and corrected from the word lists in
`lexicon.py`.
"""
from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta

from ..article import Article, Figure, Quantity, Span, Token
from ..text.spans import SpanIndex
from ..pipeline import stage
from ..text.normalize import norm
from ..text.wordcache import per_word
from . import lexicon as lx

_PERCENT = {norm(w) for w in ("%", "٪", "بالمئة", "بالمائة", "بالميه", "المئة", "المائة", "الميه")}
_QUOTES = set('"\'«»“”()[]')                      # quotes and brackets around a number: '(17) شخصاً'
_STRONG_PUNCT = {".", ":", "؛", ";", "!", "?", "؟"}
_SKIP_BEFORE = {norm(w) for w in ("عن", "على", "إلى", "الى", "ب", "نحو", "حوالي", "قرابة", "من", "ما", "أكثر",
                                  "يقارب", "زهاء", "لا", "يقل", "يزيد", "يصل", "حتى", "الـ", "ال")}
_OF = norm("من")
_TO = {norm("إلى"), norm("الى")}
_TOLL = {norm("حصيلة"), norm("الحصيلة")}
_SKIP_BOILERPLATE = ("dateline", "agency", "byline", "date_line")
_CAMP = norm("مخيم")
_RESIDENTS = {norm(w) for w in ("سكان", "قاطنين", "قاطن", "مقيم", "مقيمين", "نازح", "نازحين", "شخص", "أشخاص")}
_SINCE = norm("منذ")
_WAR_START = {norm(w) for w in ("اندلاع", "بدء", "بداية", "انطلاق")}
_SOURCE_STOP = {norm(w) for w in """أن إن ان بأن بان أنه انه إنه أنها إنها بأنه بأنها عن على إلى الى في حول بعد قبل
    خلال من الذي التي الذين اليوم أمس امس مساء صباح يوم وأن وإن ل لـ ب""".split()}
_TO_WHOM = {norm(w) for w in "له لها لهم لهن لنا لي لك لكم".split()}
_LABELS = {norm(w) for w in """سن عمر العمر رقم الرقم المادة مادة القرار قرار الفرقة فرقة اللواء لواء الكيلو
    الكتيبة كتيبة الساعة ساعة الطريق طريق الصفحة المرتبة المركز الدرجة الفقرة البند القطاع الحي المنطقة""".split()}
_CLAUSE_BREAK = {norm(w) for w in ("،", ",", "أن", "إن", "ان", "بأن", "وأن", "وإن", "أنه", "إنه")}
_CLAUSE_EDGE = _STRONG_PUNCT | {norm(w) for w in ("،", ",", "فيما", "بينما", "وفيما", "وبينما")}
_RELATIVE = {norm(w) for w in ("التي", "الذي", "الذين", "اللذين", "اللتين", "اللواتي", "اللاتي")}
_POST_WINDOW = 4
_TOLL_WINDOW = 17
_LONG_POST_WINDOW = 9
_PRE_WINDOW = 10


@stage("figures", requires=["tokens", "sentences", "quantities", "times"], assigns=["figures"])
def find_figures(article: Article) -> list[Figure]:
    """Counts of people with their metric: 'مقتل 8', 'خروج أكثر من 66 ألف شخص', 'بينهم 37 ألف مدني'.

    The rules above propose and judge every number; when the `figure` model is trained
    (`learned.py`), it makes the last call on each one - is it a figure, and which metric -
    with the rules' answers among its features."""
    ctx = _Context(article)
    cands = candidates(ctx)
    from .learned import decide
    decided = decide(ctx, cands)
    figures: list[Figure] = []
    for c, metric in decided:
        q = c.quantity
        date_, start = ctx.dates_for(c.sentence, q.span)
        found = c.found
        figures.append(Figure(
            metric=metric, value=q.value, evidence=found.evidence if found else c.evidence(),
            qualifier=q.qualifier, population=found.population if found else c.population(),
            place=ctx.place_for(c.sentence, q.span), date=date_, date_start=start, source=c.source,
            quantity=q.span))
    return figures


class Candidate:
    """One number of the article with what the rules made of it: `found` (None when they saw no
    count of people), `rule_keep` (False for a rejected number or a repeat of a kept figure)."""
    __slots__ = ("quantity", "found", "source", "sentence", "toks", "first", "last", "rule_keep", "index")

    def __init__(self, quantity, found, source, sentence, toks, first, last, index):
        self.quantity, self.found, self.source, self.sentence = quantity, found, source, sentence
        self.toks, self.first, self.last, self.index = toks, first, last, index
        self.rule_keep = False

    def evidence(self) -> Span:
        """The number and the word after it (what it counts), when the rules found no figure."""
        q = self.quantity
        start = q.qualifier_span.start if q.qualifier_span else q.span.start
        end = q.span.end
        if self.last + 1 < len(self.toks) and self.toks[self.last + 1].kind == "word":
            end = self.toks[self.last + 1].span.end
        if self.first > 0 and self.toks[self.first - 1].kind == "word" and \
                self.toks[self.first - 1].span.start < start:
            start = self.toks[self.first - 1].span.start
        return Span(min(start, q.span.start), max(end, q.span.end))

    def population(self) -> str:
        k = self.last + 1
        if k < len(self.toks):
            noun = _noun(self.toks[k], counted=True)
            if noun and noun.population != "others":
                return noun.population
        return "people"


def candidates(ctx: "_Context") -> list[Candidate]:
    """Every number outside dates and boilerplate, in text order, judged by the rules."""
    out: list[Candidate] = []
    source_carry: tuple[int, str | None] = (-1, None)
    for sentence in ctx.article.layer("sentences"):
        toks = ctx.tokens_in(sentence.span)
        if not toks:
            continue
        source = _source(ctx, toks)
        if source is _NO_SUBJECT:
            source = source_carry[1] if source_carry[0] == sentence.paragraph else None
        elif source is not None:
            source_carry = (sentence.paragraph, source)
        founds: list[_Found] = []
        for q in ctx.quantities_in(sentence.span):
            first = next((k for k, t in enumerate(toks) if t.span.start >= q.span.start), None)
            if first is None:
                continue
            last = max(k for k, t in enumerate(toks) if t.span.start < q.span.end)
            found = _attach(ctx, toks, q, founds[-1] if founds else None)
            if found is not None:
                founds.append(found)
            out.append(Candidate(q, found, source, sentence.span, toks, first, last, len(out)))
        for i in range(len(founds) - 1, 0, -1):      # '7 من عناصر الجيش و71 فردا قتلوا': the verb covers both
            if founds[i].coordinated and founds[i].cue and not founds[i - 1].cue:
                founds[i - 1].metric, founds[i - 1].cue = founds[i].metric, True
        for found in founds:
            found.metric = _refine(ctx, toks, found)
    found_all = [(c.found, c.source, c.sentence) for c in out if c.found is not None]
    seen: set[tuple] = set()
    for c in out:
        found = c.found
        key = (found.metric, c.quantity.value, found.population if found.metric == "other" else None) \
            if found is not None else None
        if found is None or key in seen or _restates(found, found_all):
            continue                              # ('other' counts of different people are different figures)
        seen.add(key)
        c.rule_keep = True
    return out


def _restates(found: "_Found", found_all) -> bool:
    """'عشرات آلاف الأشخاص' beside 'أكثر من 66 ألف شخص': a rough count of thousands of the same order
    as an exact one with the same metric is the same people, said loosely."""
    q = found.quantity
    if not q.vague or q.value < 1000:                 # 'العشرات' beside '13 جريحاً' is mostly another group
        return False
    return any(other.metric == found.metric and not other.quantity.vague and
               q.value <= other.quantity.value < q.value * 10 for other, _, _ in found_all)


class _Found:
    __slots__ = ("metric", "population", "evidence", "noun_end", "quantity", "cue", "coordinated", "noun_metric",
                 "parent")

    def __init__(self, metric, population, evidence, noun_end, quantity, cue, coordinated, noun_metric):
        self.metric, self.population, self.evidence = metric, population, evidence
        self.noun_end, self.quantity = noun_end, quantity      # noun_end: token index in the sentence
        self.cue, self.coordinated = cue, coordinated          # metric read from a word; joined by و
        self.noun_metric = noun_metric                         # the metric the counted noun names, if any
        self.parent = None                                     # the count it is part of ('بينهم 9 نساء')


class _Context:
    """Per-article lookups, built once per call (stages keep no state between articles)."""

    def __init__(self, article: Article):
        self.article = article
        self.tokens = article.layer("tokens")
        self.starts = [t.span.start for t in self.tokens]
        self.times = article.layer("times")
        self.places = [p for p in article.layer("places") if p.span is not None and p.role != "dateline"]
        self.actors = [a for a in article.layer("actors") if a.span is not None and a.id]
        self.skip = [b.span for b in article.layer("boilerplate") if b.kind in _SKIP_BOILERPLATE]
        try:
            self.pub = date.fromisoformat(article.date[:10]) if article.date else None
        except ValueError:
            self.pub = None
        self.quantities = sorted((q for q in article.layer("quantities") if not q.ordinal),
                                 key=lambda q: q.span.start)
        # Asked for every sentence and word: indexed, so the stage stays linear in the article.
        self._times, self._places = SpanIndex(self.times), SpanIndex(self.places)
        self._actors, self._skip = SpanIndex(self.actors), SpanIndex(self.skip)
        self._quantities = SpanIndex(self.quantities)

    def tokens_in(self, span: Span) -> list[Token]:
        i = bisect_left(self.starts, span.start)
        j = bisect_left(self.starts, span.end)
        return self.tokens[i:j]

    def quantities_in(self, span: Span) -> list[Quantity]:
        return [q for q in self._quantities.inside(span.start, span.end)
                if not self._times.overlapping(q.span.start, q.span.end)
                and not self._skip.overlapping(q.span.start, q.span.end)]

    def in_time(self, span: Span) -> bool:
        return bool(self._times.covering(span.start, span.end))

    def overlaps_quantity(self, span: Span) -> bool:
        return bool(self._quantities.overlapping(span.start, span.end))

    def dates_for(self, sentence: Span, where: Span) -> tuple[str | None, str | None]:
        """(date, date_start): the day-precision time nearest the number in its sentence, the start
        of a period there ('منذ التاسع من يناير'), else the publication date."""
        inside = [t for t in self._times.inside(sentence.start, sentence.end) if t.value]
        days = [t for t in inside if t.kind != "period" and t.precision == "day"]
        periods = [t for t in inside if t.start and (t.kind == "period" or t.precision != "day")]
        day = min(days, key=lambda t: abs(t.span.start - where.start), default=None)
        period = min(periods, key=lambda t: abs(t.span.start - where.start), default=None)
        value = day.value if day else period.value if period else (self.pub.isoformat() if self.pub else None)
        start = period.start if period and (value is None or period.start < value) else None
        return value, start

    def place_for(self, sentence: Span, where: Span):
        inside = self._places.inside(sentence.start, sentence.end)
        return min(inside, key=lambda p: abs(p.span.start - where.start), default=None)

    def actor_in(self, span: Span) -> str | None:
        found = self._actors.overlapping(span.start, span.end)
        return found[0].id if found else None


def _forms(tok: Token) -> list[str]:
    return tok.forms if tok.kind == "word" else [tok.norm]


def _noun(tok: Token, after_number: bool = True, counted: bool = False) -> lx.Noun | None:
    """The people noun a token names. counted: the token right after a number, where a و/ف
    proclitic means a new conjunct ('الـ18 وامرأة'), never the counted noun."""
    if tok.kind != "word":
        return None
    for f in ((tok.norm, tok.stem) if counted else tok.forms):
        entry = lx.noun_entry(f, after_number)
        if entry:
            return entry
    return None


def _trigger(toks: list[Token], i: int) -> tuple[str, bool] | None:
    tok = toks[i]
    if tok.kind != "word":
        return None
    for f in tok.forms:
        if f in lx.TRIGGERS:
            if f in lx.AMOUNT_VERBS and i + 1 < len(toks) and toks[i + 1].norm in _TO:
                return None                               # 'وصل عدد الجرحى إلى 200': reached, not arrived
            return lx.TRIGGERS[f]
    if i + 1 < len(toks) and any((f, toks[i + 1].norm) in lx.KILL_BIGRAMS for f in tok.forms):
        return "killed", True
    return None


def _metric_word(toks: list[Token], i: int) -> str | None:
    """The metric a word names, as a trigger (مقتل) or as a noun (القتلى, النازحين)."""
    trig = _trigger(toks, i)
    if trig:
        return trig[0]
    noun = _noun(toks[i], after_number=False)
    return noun.metric if noun else None


_REJECT = object()


def _counted(toks, q: Quantity, first: int, last: int, after: int):
    """(people noun, its token index) the number counts - (None, None) when none is named - or
    _REJECT when it counts something else (a percentage, a thing, 'الاعتداءات الثلاثة')."""
    nxt = toks[after] if after < len(toks) else None
    if nxt is not None and (nxt.norm in _PERCENT or (nxt.norm in ("في", "ب") and after + 1 < len(toks)
                                                      and toks[after + 1].norm in _PERCENT)):
        return _REJECT
    for k in range(first, last + 1):                      # inside the number: 'جنديان', 'شخص واحد'
        if toks[k].kind == "word":
            entry = _noun(toks[k], after_number=False) or next(
                (lx.dual_entry(f) for f in toks[k].forms if lx.dual_entry(f)), None)
            if entry:
                return entry, k
    if toks[first].kind == "word" and toks[first].norm.startswith("ال") and first > 0 and q.value <= 10 \
            and not q.vague and toks[first - 1].kind == "word" and _trigger(toks, first - 1) is None:           # before it: 'الجنود الثلاثة', not 'الاعتداءات الثلاثة'
        noun = _noun(toks[first - 1], after_number=False)
        return (noun, first - 1) if noun else _REJECT
    if nxt is None:
        return None, None
    if nxt.norm in lx.CASES and after + 1 < len(toks):     # '658 حالة اختطاف': cases of what befell people
        trig = _trigger(toks, after + 1)
        if trig is not None and trig[1]:
            return lx.Noun("people", trig[0]), after + 1
    if any(f in lx.THINGS for f in _forms(nxt)):
        return _REJECT
    noun = _noun(nxt, counted=True)                       # after it: '66 ألف شخص'
    if noun:
        return noun, after
    if nxt.norm == _OF:                                   # '14 من قوات الجيش', 'الآلاف من الأسر'
        k = after + 1
        while k < len(toks) and (toks[k].norm in _QUOTES or any(f in lx.TRANSPARENT for f in _forms(toks[k]))):
            k += 1
        if k < len(toks):
            noun = _noun(toks[k], counted=True)
            if noun:
                return noun, k
    return None, None


def _attach(ctx: _Context, toks: list[Token], q: Quantity, previous: _Found | None) -> _Found | None:
    first = next((k for k, t in enumerate(toks) if t.span.start >= q.span.start), None)
    if first is None:
        return None
    last = max(k for k, t in enumerate(toks) if t.span.start < q.span.end)
    after = last + 1
    while after < len(toks) and toks[after].norm in _QUOTES:
        after += 1
    nxt = toks[after] if after < len(toks) else None
    counted = _counted(toks, q, first, last, after)
    if counted is _REJECT:
        return None
    noun, noun_at = counted
    toll = _toll(ctx, toks, first)
    if toll and noun is None:
        noun, noun_at = toll[0], None
    if 1900 <= q.value <= 2100 and noun_at is None and q.value_max is None and toks[first].kind == "number" \
            and first == last:
        return None                                       # a year the times stage did not claim
    # 2. the metric
    pre_start = _pre_start(toks, first, q)
    if pre_start is not None and all(t.norm in _QUOTES or t.norm == "ال" for t in toks[pre_start + 1:first]) \
            and any(f in _LABELS for f in _forms(toks[pre_start])):
        return None                                       # 'دون سن الـ18', 'الفرقة 30', 'القرار 2254'

    immediate = _trigger(toks, pre_start) if pre_start is not None else None
    if immediate is None and pre_start == first - 1:
        tok = toks[pre_start]
        immediate = next((lx.IMMEDIATE_ONLY[f] for f in (tok.norm, tok.stem) if f in lx.IMMEDIATE_ONLY), None)
    metric, ev_start = None, q.qualifier_span.start if q.qualifier_span else q.span.start
    link = _link(toks, first, previous)
    inherited = link is not None and previous.cue
    noun_end = noun_at if noun_at is not None else last
    post = _post_metric(ctx, toks, noun_end + 1)
    adjacent = post is not None and post[2] == noun_end + 1 and _verb_like(toks[post[2]])
    if inherited and link == "sub":
        metric = previous.metric
    elif immediate and not (immediate[0] == "arrivals" and noun and noun.metric in ("killed", "injured")):
        metric = immediate[0]                             # ('استقبلت ألوف الجرحى' stays injured)
        ev_start = toks[pre_start].span.start
        inherited = False
    elif adjacent:                                        # '260 مقاتلاً قتلوا ومئات جرحوا'
        metric, inherited = post[0], False
    elif noun and noun.metric:                            # '35 قتيلاً و40 جريحاً'
        metric, inherited = noun.metric, False
    elif inherited:
        metric = previous.metric
    elif post:
        metric = post[0]
    elif toll and toll[1]:
        metric, ev_start = toll[1], toks[toll[2]].span.start
    if noun is None:
        # a bare number counts people only right after a people trigger, or before a people verb
        bare_ok = immediate and (nxt is None or nxt.kind != "word" or _not_a_noun(nxt)
                                 or (immediate[1] and nxt.norm.endswith(("ين", "ون"))))
        if not bare_ok and not (adjacent and not q.vague):
            return None
    if metric is None:
        far = _far_trigger(ctx, toks, first, q)
        if far:
            metric, ev_start = far[0], min(ev_start, toks[far[1]].span.start)
    cue = metric is not None
    if metric is None:
        metric = "other"
    end_tok = max(noun_end, post[2] if post and not inherited and not immediate else noun_end)
    evidence = Span(min(ev_start, q.span.start), max(q.span.end, toks[end_tok].span.end))
    population = noun.population if noun else "people"
    if population == "others":
        population = previous.population if previous is not None else "people"
    found = _Found(metric, population, evidence, noun_end, q, cue, link == "and", noun.metric if noun else None)
    if inherited and link is not None:
        found.parent = previous
    return found


_FUNCTION_AFTER = {norm(w) for w in """في و من خلال جراء اثر إثر بينهم منهم على عن الى إلى حتى منذ بعد قبل عندما
    أثناء اثناء لدى ضمن داخل قرب بسبب نتيجة أمس امس اليوم آخرين اخرين آخرون وآخرون""".split()}


def _not_a_noun(tok: Token) -> bool:
    """After 'مقتل 8': a preposition, a conjunction, a time word - not the thing the number counts."""
    if tok.norm in _FUNCTION_AFTER:
        return True
    rest = tok.forms[1:]
    if tok.norm.startswith("و") and any(f in lx.TRIGGERS or f in _FUNCTION_AFTER or f in lx.NOUNS for f in rest):
        return True                                       # 'مقتل 8 وإصابة 15'
    return tok.norm.startswith("ب") and len(tok.norm) > 3 and bool(rest)   # 'إصابة 3 بجروح', 'برصاص'


def _pre_start(toks, first, q: Quantity) -> int | None:
    """Index of the word governing the number: before it, past its qualifier, 'عن'/'على' and quotes."""
    k = first - 1
    while k >= 0 and (toks[k].norm in _QUOTES or (q.qualifier_span and toks[k].span.start >= q.qualifier_span.start)
                      or toks[k].norm in _SKIP_BEFORE):
        k -= 1
    return k if k >= 0 else None


def _verb_like(tok: Token) -> bool:
    """'قتلوا', 'بجروح', 'غرقوا' - not 'لاستقبال' (for the purpose of) after a bare number."""
    return not tok.norm.startswith(("ل", "ال"))


def _link(toks, first, previous: "_Found | None") -> str | None:
    """How a count hangs on the one before it in the sentence: 'sub' for 'بينهم 37 ألف مدني',
    'and' for a coordinated count ('37 ألف مدني و5000 جهادي ونحو 24 ألفاً', 'مقتل 18 من عناصر
    التنظيم و11 عراقياً'), else None."""
    if previous is None:
        return None
    between = toks[previous.noun_end + 1:first]
    if any(f in lx.SUBCOUNT for t in between[-3:] for f in _forms(t)):
        return "sub"
    if len(between) > 6:
        return None
    joined = toks[first].norm.startswith("و") or any(
        t.norm == "و" or (t.norm.startswith("و") and t.norm[1:] in _SKIP_BEFORE) for t in between[-3:])
    if not joined:
        return None
    for k, t in enumerate(between):
        if t.norm in _STRONG_PUNCT or t.norm in ("،", ",") or t.kind == "number":
            return None
        if _metric_word(toks, previous.noun_end + 1 + k):
            return None
    return "and"


def _post_metric(ctx, toks, k) -> tuple[str, int, int] | None:
    """A verb or outcome noun after the counted people: 'شخصين قتلا', 'كانا من بين الجرحى', and, past
    the rest of the noun phrase, a plural or dual verb: '390 مقاتلاً كردياً من حزب العمال قتلوا'."""
    for j in range(k, min(len(toks), k + _LONG_POST_WINDOW)):
        t = toks[j]
        if t.norm in _STRONG_PUNCT or t.norm in _CLAUSE_BREAK - {"،", ","}:
            return None
        if t.kind == "number" and not ctx.in_time(t.span):
            return None
        m = _metric_word(toks, j)
        if m and t.norm.startswith("و") and t.norm not in lx.TRIGGERS:
            return None                                   # '100 قتيل من الميليشيا وإصابة العشرات': a new conjunct
        if m and (j < k + _POST_WINDOW or t.norm.endswith(("وا", "ا"))):
            return m, j, j
    return None


def _far_trigger(ctx, toks, first, q: Quantity) -> tuple[str, int] | None:
    """The nearest metric word earlier in the same clause, not past another number or a relative
    pronoun ('دخول الأسواق التي تضم 30 مليون شخص') - unless the relative clause only gives the
    amount ('نزوح آلاف المدنيين والتي تجاوزت 150 ألف مدني')."""
    lead = q.qualifier_span.start if q.qualifier_span else q.span.start
    for j in range(first - 1, max(-1, first - 1 - _PRE_WINDOW), -1):
        t = toks[j]
        if any(f in _RELATIVE for f in _forms(t)) and (j + 1 >= len(toks) or toks[j + 1].span.start < lead):
            return None
        if t.norm in _STRONG_PUNCT or t.norm in _CLAUSE_BREAK or (t.kind == "number" and not ctx.in_time(t.span)):
            return None
        m = _metric_word(toks, j)
        if m:
            return m, j
    return None


def _toll(ctx, toks, first) -> tuple[lx.Noun, str | None, int] | None:
    """'عدد القاطنين في المخيم إلى ...', 'حصيلة قتلى تخطت ...', 'بلغ عدد النازحين ...': the noun named
    after a toll word before the number, its metric and where the toll word is."""
    for j in range(first - 1, max(-1, first - _TOLL_WINDOW), -1):
        t = toks[j]
        if t.norm in _STRONG_PUNCT or (t.kind == "number" and not ctx.in_time(t.span)):
            return None
        if any(f in lx.TOLL_WORDS for f in _forms(t)):
            nxt = toks[j + 1] if j + 1 < first else None
            noun = _noun(nxt, after_number=False) if nxt is not None else None
            metric = noun.metric if noun else None
            for k in range(j + 1, first):                      # 'عدد الأشخاص الذين تم ضبطهم'
                m = _trigger(toks, k)
                if m:
                    metric = m[0]
                    break
            if noun is None and norm("حصيلة") in _forms(t) and (nxt is None or nxt.kind != "word"
                                                                           or _noun(nxt) is None):
                noun, metric = lx.Noun("people", "killed"), metric or "killed"
            if noun is None:
                return None
            return noun, metric, j
    return None


def _refine(ctx: _Context, toks: list[Token], found: _Found) -> str:
    """Camp residents, non-violent deaths and cumulative war tolls, from the whole sentence."""
    metric = found.metric
    words = {f for t in toks if t.kind == "word" for f in t.forms}
    clause = {f for t in _clause(toks, found) if t.kind == "word" for f in t.forms}
    if metric == "other" and _CAMP in words and found.population in ("residents", "people"):
        if any(f in _RESIDENTS for t in toks for f in _forms(t)):
            metric = "camp_population"
    if metric == "camp_population" and _CAMP not in words:
        return found.noun_metric or "other"               # 'يعيش في الغوطة 400 ألف شخص': a town, not a camp
    if metric == "killed" and clause & lx.COURT:
        return "other"                                    # 'قضت بإعدام 14 متهما': sentenced, not killed
    if metric == "displaced" and found.population in lx.COMBATANTS and found.parent is None:
        return "other"                                    # 'عشرات المسلحين فروا': fighters fleeing, not displaced
    if metric == "killed" and clause & lx.NON_VIOLENT:
        return "deaths"
    if metric == "injured" and clause & lx.DISEASE:
        return "other"                                    # infections, not injuries
    if metric == "killed" and (_cumulative(ctx, toks, found, words) or found.quantity.value >= lx.TOLL_MIN
                               or (found.parent is not None and found.parent.metric == "conflict_deaths")):
        metric = "conflict_deaths"                        # ('بينهم 9 نساء' of a war's toll is part of it)
    return metric


def _clause(toks: list[Token], found: "_Found") -> list[Token]:
    """The tokens of the clause a figure sits in: between commas, 'فيما'/'بينما' and strong punctuation."""
    at = next((k for k, t in enumerate(toks) if t.span.start >= found.quantity.span.start), 0)
    a = at
    while a > 0 and toks[a - 1].norm not in _CLAUSE_EDGE:
        a -= 1
    b = at
    while b < len(toks) and toks[b].norm not in _CLAUSE_EDGE:
        b += 1
    return toks[a:b]


def _cumulative(ctx: _Context, toks: list[Token], found: "_Found", words: set[str]) -> bool:
    """A war's toll: 'حصيلة قتلى (النزاع)', 'منذ اندلاع الحرب', or counted 'منذ' a date months back,
    written right after the count ('مقتل 112 مدنياً على الأقل منذ عام 2015')."""
    before = {f for t in toks if t.kind == "word" and t.span.end <= found.quantity.span.start for f in t.forms}
    if before & lx.WAR_WORDS and before & (_TOLL | _WAR_START):
        return True                                       # the war left the toll: both named before the count
    if _over_a_period(toks, found):
        return True
    if ctx.pub is None:
        return False
    after = Span(found.quantity.span.end, min(toks[-1].span.end, found.evidence.end + 60))
    long_ago = (ctx.pub - timedelta(days=180)).isoformat()
    for t in ctx._times.inside(after.start, after.end):
        if t.kind == "period" and t.start and t.start <= long_ago and \
                norm(ctx.article.text[t.span.start:t.span.end]).lstrip("وف").startswith(_SINCE):
            between = ctx.tokens_in(Span(found.evidence.end, t.span.start))
            if len(between) <= 4:
                return True
    return False


def _over_a_period(toks: list[Token], found: "_Found") -> bool:
    """Counted over weeks, months or years, in the figure's clause: 'خلال 30 يوماً', 'في ثلاثين
    عاما', 'منذ ثلاثة أشهر' - a toll summed over a period, not one day's dead."""
    clause = _clause(toks, found)
    if not clause:
        return False
    k = next((i for i, t in enumerate(toks) if t.span.start >= clause[-1].span.end), len(toks))
    while k < len(toks) and toks[k].norm not in _STRONG_PUNCT:
        k += 1                                            # and the clauses after it: '260 قتيلا، خلال 30 يوماً'
    clause = clause + toks[next((i for i, t in enumerate(toks) if t.span.start >= clause[-1].span.end),
                                len(toks)):k]
    for k in range(1, len(clause)):
        t = clause[k]
        if t.norm.lstrip("وف") == _SINCE and k + 1 < len(clause) and t.span.start > found.quantity.span.end \
                and t.span.start - found.evidence.end < _SINCE_REACH:
            nxt = clause[k + 1]                           # 'منذ عام 2013', 'منذ بدء الأزمة', 'منذ 2011'
            if any(f in _WAR_START for f in _forms(nxt)) or nxt.norm in lx.YEAR_WORDS or (
                    nxt.kind == "number" and nxt.norm.isdigit() and 1900 <= int(nxt.norm) <= 2100):
                return True
        if t.kind != "word" or t.norm.startswith("ال") or not any(f in lx.PERIOD_UNITS for f in t.forms):
            continue                                      # 'في العام الماضي' is a time, not a duration
        j = k - 1
        counted = clause[j].kind == "number" or ctx_quantity_word(clause[j])
        if counted:
            j -= 1                                        # past the number: 'خلال [30] يوماً'
        elif t.norm not in lx.PERIOD_PLURALS:
            continue                                      # 'في عام 2009': a year named, not a span of years
        if 0 <= j < k and any(f in lx.PERIOD_PREPS for f in _forms(clause[j])):
            unit_days = lx.PERIOD_UNITS[next(f for f in t.forms if f in lx.PERIOD_UNITS)]
            count = _count_before(clause, k)
            if unit_days * count >= lx.PERIOD_MIN_DAYS:
                return True
    return False


_SINCE_REACH = 60        # characters after a count where 'منذ عام 2013' still dates it


def ctx_quantity_word(t: Token) -> bool:
    """A number word before a unit: 'ثلاثة أشهر', 'ثلاثين عاما'."""
    return t.kind == "word" and any(f in lx.NUMBER_WORDS for f in t.forms)


def _count_before(clause: list[Token], k: int) -> int:
    """How many units a period names: the number before the unit word, else 1 (a dual or bare unit)."""
    prev = clause[k - 1] if k > 0 else None
    if prev is not None and prev.kind == "number":
        try:
            return int(float(prev.norm))
        except ValueError:
            return 1
    return 1


class _NoSubject:
    pass


_NO_SUBJECT = _NoSubject()


_PREP, _VERB = 1, 2


@per_word
def _source_kind(t: Token) -> int:
    """Whether a word is an attribution preposition (بحسب) or verb (أفاد)."""
    forms = _forms(t)
    return ((_PREP if any(f in lx.SOURCE_PREPS for f in forms) else 0)
            | (_VERB if any(f in lx.SOURCE_VERBS for f in forms) else 0))


def _source(ctx: _Context, toks: list[Token]):
    """Who gives the numbers of a sentence: the subject of an attribution verb or the object of
    'بحسب'. None when the sentence names no one; _NO_SUBJECT when a verb has no subject
    ('كما أفادت عن اعتقال ...'), so the previous sentence's source carries over."""
    for i, t in enumerate(toks):
        kind = _source_kind(t)
        if not kind:
            continue
        if kind & _PREP:
            j = i + 1
            while j < len(toks) and toks[j].norm in ("ل", "عن", "ما", "لما"):
                j += 1
            if j < len(toks) and _source_kind(toks[j]) & _VERB:
                j += 1
            phrase = _phrase(ctx, toks, j)
            if phrase:
                return phrase
        if kind & _VERB:
            phrase = _phrase(ctx, toks, i + 1)
            if phrase:
                return phrase
            if i + 1 < len(toks) and toks[i + 1].norm in (norm("عن"), norm("أن"), norm("ان"), norm("بأن")):
                return _NO_SUBJECT
    return None


def _phrase(ctx: _Context, toks: list[Token], j: int) -> str | None:
    """The noun phrase from j: up to six words, stopping at إن/أن/عن, punctuation, or a number."""
    while j < len(toks) and (ctx.in_time(toks[j].span) or toks[j].norm in _TO_WHOM):
        j += 1                                            # 'أفادت الاثنين لجنة ...', 'فقال لهم الضابط'
    if j < len(toks) and toks[j].norm.endswith(("ها", "هم")) and len(toks[j].norm) > 4:
        return None                                       # 'أعلنت ولاءها': an object, not a speaker
    k = j
    while k < len(toks) and k - j < 6:
        t = toks[k]
        if t.kind not in ("word", "latin") or t.norm in _SOURCE_STOP or ctx.in_time(t.span) \
                or _trigger(toks, k) or ctx.overlaps_quantity(t.span):
            break
        if k > j and t.norm.startswith("ل") and not t.norm.startswith("لل") and len(t.norm) > 3 and \
                t.norm[1:2] != "ا":
            break                                         # 'لفرانس برس': to whom, not who
        k += 1
    if k == j:
        return None
    span = Span(toks[j].span.start, toks[k - 1].span.end)
    return ctx.actor_in(span) or ctx.article.text[span.start:span.end]
