"""Fill an event mention's arguments from the layers other stages built.

Actors (the `actors` layer): Arabic puts the agent before the verb (SVO, "قوات سوريا
الديمقراطية سيطرت") or right after it (VSO, "قصفت طائرات تركية مواقع لداعش"); the
target follows a target word (على، ضد، مواقع، عناصر، مسلحي) or carries ل ("لتنظيم").
A verb followed directly by a number or a person word is passive ("قتل 4 من قوات الأمن"):
what follows are victims. "بين X و Y" names both sides of a clash. Verbal nouns of
patients (اعتقال، اختطاف، مقتل) take the victim as their genitive; their agent is the
sentence's subject, often the body announcing it ("أعلنت الداخلية اعتقال ...").
When no actor is named, ACLED's conventions apply: bombs of unknown authorship are an
unidentified armed group's, civilians named as victims are "civilians".

Place (the `places` layer): never the dateline; the most specific place in the sentence
(ties: the nearest to the trigger); when the sentence names only a country or a
province, a more specific place of that country in the neighbouring sentences; when it
names none, the nearest preceding sentence that does (same paragraph first).

Date (the `times` layer): the time expression nearest the trigger in the sentence, else
one in the previous sentence of the paragraph, else the publication day.

Counts (the `figures` layer, else the `quantities` layer next to a casualty word):
killed/injured/detained for this sentence, ACLED-conservative (the lower bound of a
range, "أكثر من 20" = 20, "عشرات" = 10); a singular person noun after the casualty word
counts one ("مقتل جندي"), a dual two ("أصيب جنديان"); negated outcomes count nothing.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date, timedelta

from ..article import ActorMention, Article, Place, Span
from ..text import norm
from . import lexicon as lx
from .detect import SentenceView

_S = lambda words: frozenset(norm(w) for w in words.split())   # noqa: E731

TARGET_BEFORE = _S("علي ضد مواقع موقع مقرات مقر معاقل معقل تجمعات تجمع تمركزات تمركز عناصر عنصر مسلحي "
                   "مقاتلي صفوف افراد استهداف دوريه دوريات اليات اهداف نقاط نقطه قوافل ثكنه ثكنات "
                   "معسكر معسكرات منتسبي اعضاء قاده قائد قيادي جنود ضباط")
AGENT_BEFORE = _S("قبل يد بيد نفذها نفذه شنها شنه تبناه تبنت تبني يشنها بين")
SPEAKERS = _S("قال قالت اعلن اعلنت افاد افادت ذكر ذكرت اكد اكدت اوضح اوضحت اضاف اضافت اشار اشارت "
              "نقل نقلت بحسب وفق وفقا حسب يقول تقول اتهم اتهمت يتهم تتهم")
CLAIM = _S("مسؤوليته مسؤوليتها المسؤوليه تبني تبنت تبناه يتبني")
CIVILIAN_WORDS = _S("شخص شخصا اشخاص شخصين مدني مدنيا مدنيين مدنيون المدنيين مواطن مواطنا مواطنين مواطنون اطفال طفل طفلا طفله "
                    "نساء امراه سكان اهالي مصلين طلاب تلاميذ اسره عائله عائلات اسر مزارع مزارعين صيادين "
                    "صحفي صحفيا صحفيين مسعف مسعفين عمال")
ARMED_WORDS = _S("جندي جنديا جنود جنديين جنديان عسكري عسكريين عسكريا ضابط ضابطا ضباط شرطي شرطيا شرطه "
                 "مسلح مسلحا مسلحين مسلحون عنصر عناصر مقاتل مقاتلين مقاتلا مقاتلون ارهابي ارهابيا ارهابيين "
                 "متشدد متشددين تكفيري تكفيريا تكفيريين جهادي جهاديين حراس حارس امن افراد")
UNKNOWN_ATTACKER = _S("مجهولين مجهولون مجهول مجهوله مسلحين مسلحون المسلحون مسلحا")

KILLED = _S("القضاء تصفيه مقتل قتل قتلي قتيل قتيلا قتيلين قتلوا قتلا قتلت مصرع مصرعه مصرعهم مصرعهما حتفه حتفهم حتفهما "
            "استشهاد استشهد استشهدوا شهداء شهيدا شهيد لقي لقوا اعدام اعدم اعدموا ذبح")
INJURED = _S("اصابه اصابات اصيب اصيبوا اصابت جرحي جريح جريحا جريحين جرحوا جرح بجروح اصابتهم")
DETAINED = _S("اعتقال اعتقل اعتقلت اعتقلوا توقيف اوقفت اوقف القبض قبض احتجاز احتجز احتجزت معتقلين "
              "موقوفين ضبط")
SINGULAR_PERSON = _S("رجل رجلا شخص شخصا جندي جنديا ضابط ضابطا شرطي شرطيا مدني مدنيا طفل طفلا امراه طفله "
                     "مواطن مواطنا عنصر عنصرا مسلح مسلحا شاب شابا سوري سوريا عراقي عراقيا يمني يمنيا "
                     "فلسطيني فلسطينيا لبناني لبنانيا مصري مصريا صحفي صحفيا قيادي قياديا مسؤول مسؤولا "
                     "امين حارس حارسا ناشط ناشطا معلم معلما طبيب طبيبا")
DUAL_PERSON = _S("شخصين شخصان جنديين جنديان ضابطين ضابطان شرطيين شرطيان طفلين طفلان رجلين رجلان امراتين "
                 "عنصرين عنصران شابين شابان حارسين منتسبين منتسبان")
# Country names for an arrest no sentence locates: ACLED codes it to the country of the arresting force.
COUNTRY_AR = {"SY": "سوريا", "IQ": "العراق", "YE": "اليمن", "LY": "ليبيا", "EG": "مصر", "SA": "السعودية",
              "TR": "تركيا", "LB": "لبنان", "PS": "فلسطين", "IL": "إسرائيل", "JO": "الأردن", "IR": "إيران",
              "AF": "أفغانستان", "PK": "باكستان", "SD": "السودان", "SO": "الصومال", "NG": "نيجيريا",
              "ML": "مالي", "DZ": "الجزائر", "TN": "تونس", "MA": "المغرب", "KW": "الكويت", "BH": "البحرين",
              "QA": "قطر", "AE": "الإمارات", "OM": "عمان", "NE": "النيجر", "TD": "تشاد", "MR": "موريتانيا"}


def country_place(iso2: str | None) -> Place | None:
    if not iso2 or iso2 not in COUNTRY_AR:
        return None
    from .describe import COUNTRIES
    return Place(span=None, name=COUNTRY_AR[iso2], country=iso2, name_en=COUNTRIES.get(iso2), geo_precision=3,
                 feature="country")
_WORD_NUMBERS = {norm(k): v for k, v in {
    "واحد": 1, "اثنان": 2, "اثنين": 2, "ثلاثه": 3, "ثلاث": 3, "اربعه": 4, "اربع": 4, "خمسه": 5, "خمس": 5,
    "سته": 6, "ست": 6, "سبعه": 7, "سبع": 7, "ثمانيه": 8, "ثماني": 8, "تسعه": 9, "تسع": 9, "عشره": 10,
    "عشر": 10, "عشرات": 10, "العشرات": 10}.items()}

_LEVEL = {"country": 4, "admin1": 3, "region": 3, "admin2": 2}
_MAX_LOOKBACK_SENTENCES = 8


@dataclass(slots=True)
class Args:
    actor1: ActorMention | None = None
    actor2: ActorMention | None = None
    location: Place | None = None
    place_from: str = "none"        # sentence | refined | context | none
    date: str | None = None
    date_start: str | None = None
    time_precision: int | None = None
    date_from: str = "publication"  # sentence | context | publication
    fatalities: int | None = None
    injured: int | None = None
    detained: int | None = None
    victims: str | None = None      # civilians | armed | None
    notes: list[str] = field(default_factory=list)


class Context:
    """Per-article lookups shared by every mention: layers indexed by sentence."""

    def __init__(self, article: Article, views: list[SentenceView]):
        self.article = article
        self.views = views
        self.sent_starts = [v.sentence.span.start for v in views]
        dateline = _dateline_spans(article)
        actors = [a for a in article.layer("actors") if a.span is not None]
        self.actors = actors
        self.places = [p for p in article.layer("places")
                       if p.span is not None and p.role != "dateline"
                       and not any(d.overlaps(p.span) for d in dateline)
                       and not any(a.span.overlaps(p.span) for a in actors)
                       and norm(clean_place(p).name) not in _GENERIC_NAMES]
        self._lead: Place | None | bool = False
        self.times = [t for t in article.layer("times") if t.span is not None and (t.value or t.start)]
        self.figures = list(article.layer("figures"))
        self.quantities = list(article.layer("quantities"))
        self.have_quantities = "quantities" in article.layers
        self.pub = _iso(article.date)

    def in_sentence(self, items, view: SentenceView, key=lambda x: x.span):
        s = view.sentence.span
        return [x for x in items if key(x) is not None and s.start <= key(x).start and key(x).end <= s.end]


def _dateline_spans(article: Article) -> list[Span]:
    return [b.span for b in article.layer("boilerplate") if b.kind in ("dateline", "agency")]


def _iso(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def token_index(view: SentenceView, span: Span) -> int:
    starts = [t.span.start for t in view.tokens]
    i = bisect.bisect_right(starts, span.start) - 1
    return max(i, 0)


# ---------------------------------------------------------------- actors

@dataclass(slots=True)
class _Slot:
    mention: ActorMention
    i: int                  # first token index in the sentence
    target: bool            # introduced by a target word or ل
    agent_marked: bool      # introduced by من قبل / على يد / بين
    speaker: bool           # subject of a speech verb


def _slots(ctx: Context, view: SentenceView) -> list[_Slot]:
    out = []
    for m in ctx.in_sentence(ctx.actors, view):
        i = token_index(view, m.span)
        tok = view.tokens[i]
        prev = view.forms[i - 1] if i > 0 else frozenset()
        prev2 = view.forms[i - 2] if i > 1 else frozenset()
        # ل on the actor's own first word after a target noun: "مواقع لتنظيم داعش"، "هدف تابع لحماس"
        # (after anything else it is possessive: "غارات هي الأولى للجيش التركي")
        lam = (tok.norm[:1] == "ل" and tok.stem != tok.norm) or tok.norm.startswith("لل")
        lam = lam and bool(prev & (TARGET_BEFORE | _S("تابع تابعه التابعه التابع تابعين هدف اهداف")))
        counted = i > 1 and view.tokens[i - 1].norm == "من" and (
            view.tokens[i - 2].kind == "number" or bool(view.forms[i - 2] & _COUNT_WORDS))
        # the victims of a casualty noun ("مقتل عميد"، "مقتل ثمانية عناصر"، "اعتقال 23 عنصرا"), not the
        # agent after a verb ("واعتقلت القوات الأمنية")
        counted_prev = i > 1 and (view.tokens[i - 1].kind == "number" or bool(prev & (_COUNT_WORDS | _NUMBER_WORDS)))
        hit = bool(prev & _CASUALTY_NOUNS) or (counted_prev and bool(prev2 & (KILLED | INJURED | DETAINED)))
        target = bool(prev & TARGET_BEFORE) or lam or counted or hit
        agent_marked = bool(prev & AGENT_BEFORE) or bool(prev2 & _S("قبل يد"))
        speaker = bool(prev & SPEAKERS) or bool(prev & _S("باسم"))
        if speaker and view.has(CLAIM, i + 1, min(len(view.tokens), i + 4)) is not None:
            speaker, agent_marked = False, True       # "أعلن التنظيم مسؤوليته عن الهجوم"
        out.append(_Slot(m, i, target, agent_marked, speaker))
    return out


_CASUALTY_NOUNS = _S("مقتل بمقتل ومقتل لمقتل مصرع اعتقال توقيف اختطاف خطف اصابه القضاء تصفيه استهداف اغتيال اعدام")
_NUMBER_WORDS = frozenset(_WORD_NUMBERS)
_CONTINUING = _S("كما وكما واضاف واضافت وتابع وتابعت واشار واشارت واوضح واوضحت وافاد وافادت")
_COUNT_WORDS = _S("عشرات مئات الاف العشرات المئات عدد عددا العديد بعض اثنين ثلاثه اربعه خمسه سته سبعه ثمانيه "
                  "تسعه عشره")


def _same(a: ActorMention | None, b: ActorMention | None) -> bool:
    return a is not None and b is not None and (a.id or a.name) == (b.id or b.name)


_PATIENT_NOUNS = {"ARREST", "ABDUCT", "KILL", "SEXUAL", "TERRITORY"}


def assign_actors(ctx: Context, view: SentenceView, i: int, concept: str, pos: str,
                  args: Args) -> None:
    slots = _slots(ctx, view)
    a, b = view.clause_of(i)
    before = [s for s in slots if s.i < i]
    after = [s for s in slots if s.i > i]
    actor1 = actor2 = None
    # "بين X و Y": both sides of a clash
    between = view.has(_S("بين"), max(a, i - 1), min(len(view.tokens), i + 8))
    if between is not None and concept in ("CLASH", "KILL"):
        pair = [s for s in slots if s.i > between][:2]
        if len(pair) == 2:
            actor1, actor2 = pair[0].mention, pair[1].mention
    passive = False
    if actor1 is None:
        nxt = view.tokens[i + 1] if i + 1 < len(view.tokens) else None
        if pos in ("past", "present") and nxt is not None and (
                nxt.kind == "number" or view.forms[i + 1] & (lx.CUES["PEOPLE"] | SINGULAR_PERSON | DUAL_PERSON)
                or (view.forms[i + 1] & _WORD_NUMBERS.keys())):
            passive = concept in ("KILL", "ARREST", "ABDUCT")
        marked = [s for s in after if s.agent_marked and not s.speaker]
        if marked:
            actor1 = marked[0].mention
        if passive or (pos == "noun" and concept in _PATIENT_NOUNS):
            victims = [s for s in after if not s.agent_marked and s.i - i <= 8]
            if victims:
                actor2 = victims[0].mention
            if actor1 is None:
                cands = [s for s in before if not _same(s.mention, actor2) and not s.target
                         and (concept == "ARREST" or not s.speaker)]
                if cands:
                    actor1 = cands[-1].mention
        else:
            in_clause = [s for s in before if s.i >= a and not s.target and not s.speaker]
            right_after = [s for s in after if not s.target and s.i - i <= (2 if pos == "noun" else 5)]
            earlier = [s for s in before if not s.target and not s.speaker and s.i >= i - 12]
            for group, pick in ((in_clause, -1), (right_after, 0), (earlier, -1)):
                if actor1 is None and group:
                    actor1 = group[pick].mention
            rest = [s for s in after if not _same(s.mention, actor1) and s.i < b]
            targets = [s for s in rest if s.target] or rest
            if targets:
                actor2 = targets[0].mention
            elif actor1 is not None:
                others = [s for s in before if s.target and not _same(s.mention, actor1)]
                if others:
                    actor2 = others[-1].mention
    if concept == "ARREST" and actor1 is not None and actor1.actor_type not in (None, 1, 8) and actor2 is None:
        actor1, actor2 = None, actor1          # armed groups are arrested; they abduct
    if actor1 is None and concept == "ARREST" and view.index > 0 and view.tokens and \
            view.tokens[0].norm in _CONTINUING:
        prev = ctx.views[view.index - 1]
        armed = [s for s in _slots(ctx, prev) if not s.target and s.mention.actor_type in (1, 2, 3, 8)]
        if armed and prev.sentence.paragraph == view.sentence.paragraph:
            actor1 = armed[0].mention            # "أحصت هذه القوات ... كما أفادت عن اعتقال"
    if actor1 is None and concept not in ("ABDUCT", "SEXUAL", "PROTEST", "RIOT", "AGREE", "EXPLOSION", "SUICIDE",
                                          "GRENADE", "KILL"):
        # a state force announcing its own operation ("أعلن الجيش المصري عن مقتل ... إثر قصف جوي")
        states = [s for s in before if s.speaker and s.mention.actor_type == 1 and not _same(s.mention, actor2)]
        if states:
            actor1 = states[-1].mention
    if actor1 is None and actor2 is None and slots and concept not in _PATIENT_NOUNS:
        slots = [s for s in slots if s.i < b]          # not from a later clause about something else
        cands = [s for s in slots if not s.speaker and not s.target]
        if cands:
            actor1 = cands[0].mention
        else:
            targets = [s for s in slots if s.target]
            if targets:
                actor2 = targets[0].mention
    if _same(actor1, actor2):
        actor2 = None
    args.actor1, args.actor2 = actor1, actor2
    args.victims = _victims(view, i, passive or pos == "noun")


def _victims(view: SentenceView, i: int, after_first: bool) -> str | None:
    """Who was hit: the first person word after the trigger ("قتلوا 25 مدنيا"، "مقتل 9 من عناصر"),
    else the nearest before it ("7 من عناصر الجيش ... قتلوا")."""
    n = len(view.tokens)
    for j in list(range(i + 1, min(n, i + 10))) + list(range(i - 1, max(-1, i - 9), -1)):
        f = view.forms[j]
        if f & CIVILIAN_WORDS:
            return "civilians"
        if f & ARMED_WORDS and not (j < i and f & UNKNOWN_ATTACKER):
            return "armed"
    return None


def civilians_actor(span: Span | None = None) -> ActorMention:
    return ActorMention(span=span, id="civilians", name="Civilians", actor_type=7, via="descriptor")


def police_actor(iso2: str) -> ActorMention | None:
    """ACLED's actor for arrests by an unnamed authority: the country's police forces."""
    from .describe import COUNTRIES
    name = COUNTRIES.get(iso2)
    if name is None:
        return None
    return ActorMention(span=None, id=f"other:Police Forces of {name}", name=f"Police Forces of {name}",
                        actor_type=1, country=iso2, via="descriptor")


def unidentified_actor(span: Span | None = None) -> ActorMention:
    return ActorMention(span=span, id="unidentified_armed_group", name="Unidentified armed group",
                        actor_type=3, via="descriptor")


def unknown_attackers(view: SentenceView, i: int) -> int | None:
    """Unnamed gunmen acting: "مسلحون مجهولون"، "إن مسلحين قتلوا" (before the trigger, or anonymous)."""
    before = view.has(UNKNOWN_ATTACKER, max(0, i - 6), i)
    if before is not None and view.has(KILLED | INJURED | DETAINED, max(0, before - 3), before) is None:
        return before
    return view.has(_S("مجهولين مجهولون مجهول مجهوله"), 0, len(view.tokens))


# ---------------------------------------------------------------- place

_AWAY = _S("الي نحو باتجاه من صوب لدي")       # destination or origin, not where it happened
_RELATION = _S("جنوب شمال شرق غرب وسط قرب ريف بجنوب بشمال بشرق بغرب بوسط بريف محيط اطراف ضواحي غربي شرقي "
               "شمالي جنوبي جنوبي بمحافظه محافظه بمدينه مدينه قضاء مديريه بمديريه ولايه بولايه")
_LIST_JOIN = {"و", "،", ","}


def _level(p: Place) -> float:
    if p.geo_precision is not None and p.feature not in _LEVEL:
        return {1: 1.0, 2: 2.0, 3: 3.0}.get(p.geo_precision, 2.0)
    if p.feature in _LEVEL:
        return _LEVEL[p.feature]
    if p.lat is None and p.country is None:
        return 1.2          # unresolved names are mostly villages and districts the gazetteer lacks
    return 1.0


# verbs whose next word is their subject, never their target ("شنت القاهرة"، "ردت دمشق")
_SUBJECT_VERBS = _S("شن شنت نفذ نفذت اطلق اطلقت تبنت تبني ردت رد هددت هدد توعدت طالبت دعت نفت اعترفت")
_LOCATIVE = _S("في ب علي داخل قرب شمال جنوب شرق غرب وسط انحاء ارجاء ارض اراضي عموم مختلف حدود")
_GENERIC_NAMES = _S("الريف ريف المنطقه منطقه البلاد المدينه القريه المحافظه الحدود الاناضول الجبهه الساحل "
                    "الداخل الخارج العاصمه")


def _away(view: SentenceView, p: Place) -> bool:
    """Not where it happened: a destination or origin ("إلى قاعدة ديار بكر"، "من بغداد"), a generic
    word ("الريف"), or a country named as an actor ("وتقوم روسيا بدور الوساطة")."""
    j = token_index(view, p.span)
    prev = view.forms[j - 1] if j > 0 else frozenset()
    if prev & (_SUBJECT_VERBS | SPEAKERS):
        return True           # "شنت القاهرة غارات"، "قالت دمشق": a capital standing for its government
    if _level(p) >= 4:
        tok = view.tokens[j]
        attached = tok.norm[:1] == "ب" and tok.stem != tok.norm
        if not (prev & _LOCATIVE or attached or view.has(_LOCATIVE, max(0, j - 3), j) is not None):
            return True
    return bool(prev & _AWAY) and not prev & _S("في علي")


def _rank(view: SentenceView, places: list[Place], i: int | None):
    """Sort key: places named as a destination or origin last, then the most specific, then the nearest."""
    spans = [(token_index(view, p.span), p) for p in places]

    def key(item):
        j, p = item
        prev = view.forms[j - 1] if j > 0 else frozenset()
        away = 1 if prev & _AWAY and not (prev & _S("في علي")) else 0
        level = _level(p)
        # "في مناطق الجورة والجرادات بجنوب الشيخ زويد": a place right before "south of X" lies in X
        if prev & _RELATION and any(0 < j - k <= 4 for k, q in spans if q is not p):
            level += 0.5
        dist = 0.0
        if i is not None:
            dist = (j - i) if j >= i else (i - j) * 1.5 + 2
        return (away, level, dist)
    return [p for _, p in sorted(spans, key=key)]


def choose_place(ctx: Context, view: SentenceView, i: int, args: Args, prefer_country: bool = False) -> None:
    """The trigger's clause first, then the clauses before it, then the sentences before, then the
    clauses after it (these mostly describe something else: "... تلقت تدريبات من الولايات المتحدة")."""
    here = [p for p in ctx.in_sentence(ctx.places, view) if not _away(view, p)]
    a, b = view.clause_of(i)
    same = [p for p in here if a <= token_index(view, p.span) < b]
    before = [p for p in here if token_index(view, p.span) < a]
    later = [p for p in here if token_index(view, p.span) >= b]
    for group in (same, before):
        if group:
            _take(ctx, view, _rank(view, group, i)[0], args)
            return
    if prefer_country:            # an arrest no sentence locates: the arresting force's country
        country = nationality(view, i)
        if country is not None:
            args.location, args.place_from = country_place(country), "actor"
            return
    if _from_context(ctx, view, args):
        return
    if later:
        _take(ctx, view, _rank(view, later, i)[0], args)
        return
    country = nationality(view, i)
    if country is not None:
        args.location, args.place_from = country_place(country), "actor"


def _take(ctx: Context, view: SentenceView, best: Place, args: Args) -> None:
    args.location, args.place_from = best, "sentence"
    if _level(best) >= 3:
        finer = _refine(ctx, view, best)
        if finer is not None:
            args.location, args.place_from = finer, "refined"


def _from_context(ctx: Context, view: SentenceView, args: Args) -> bool:
    """The paragraph's earlier sentences; else the place the story leads with (a statement's
    items without a place belong to the region it opened with); else any earlier sentence."""
    n = view.index
    para = view.sentence.paragraph
    nearest = None
    for k in range(n - 1, max(-1, n - 1 - _MAX_LOOKBACK_SENTENCES), -1):
        prev = ctx.views[k]
        if prev.headline:
            continue
        found = [p for p in ctx.in_sentence(ctx.places, prev) if not _away(prev, p)]
        if found:
            best = _rank(prev, found, None)[0]
            if prev.sentence.paragraph == para:
                args.location, args.place_from = best, "context"
                return True
            nearest = nearest or best
            break
    if nearest is not None:
        args.location, args.place_from = nearest, "article"
        return True
    lead = lead_place(ctx)
    if lead is not None and lead_index(ctx) < n:
        args.location, args.place_from = lead, "article"
        return True
    return False


def lead_place(ctx: Context) -> Place | None:
    if ctx._lead is False:
        ctx._lead, ctx._lead_index = None, 10 ** 9
        for v in ctx.views:
            if v.headline:
                continue
            found = [p for p in ctx.in_sentence(ctx.places, v) if not _away(v, p)]
            if found:
                best = _rank(v, found, None)[0]
                if _level(best) >= 4:
                    best = _refine(ctx, v, best) or best
                ctx._lead, ctx._lead_index = best, v.index
                break
    return ctx._lead


def lead_index(ctx: Context) -> int:
    lead_place(ctx)
    return ctx._lead_index


_NISBA = {}
for _code, _stem in {"SY": "سوري", "IQ": "عراقي", "YE": "يمني", "LY": "ليبي", "EG": "مصري", "SA": "سعودي",
                    "TR": "تركي", "LB": "لبناني", "PS": "فلسطيني", "IL": "اسرائيلي", "JO": "اردني",
                    "IR": "ايراني", "AF": "افغاني", "PK": "باكستاني", "SD": "سوداني", "SO": "صومالي",
                    "NG": "نيجيري", "DZ": "جزائري", "TN": "تونسي", "MA": "مغربي", "KW": "كويتي",
                    "BH": "بحريني", "QA": "قطري", "AE": "اماراتي"}.items():
    for _suffix in ("", "ه", "ين", "ون", "ا"):
        _NISBA[norm(_stem + _suffix)] = _code


def nationality(view: SentenceView, i: int = 0) -> str | None:
    """The country of the nationality adjective nearest before the trigger (the agent's side:
    "أعلن الأمن العام اللبناني اعتقال سوري"), else the first after it."""
    order = list(range(i - 1, -1, -1)) + list(range(i, len(view.forms)))
    for j in order:
        for x in view.forms[j]:
            if x in _NISBA:
                return _NISBA[x]
    return None


_HEAD_WORDS = _S("قرب مدينه بلده قريه محافظه مديريه منطقه مناطق ولايه قضاء ناحيه حي محور ريف شمال جنوب شرق غرب "
                 "شمالي جنوبي شرقي غربي وسط اطراف محيط ضواحي الشمالي الجنوبي الشرقي الغربي اقليم")


_DIRECTIONS = _S("شمال جنوب شرق غرب شمالي جنوبي شرقي غربي وسط الشمالي الجنوبي الشرقي الغربي")


def clean_place(place: Place | None) -> Place | None:
    """The place's own name, without the head noun or direction the mention carried ("بلدة الباغوز" →
    "الباغوز", "جنوب الشيخ زويد" → "الشيخ زويد"): what ACLED writes as the location."""
    if place is None or not place.name:
        return place
    words = place.name.split()
    # "شمال سيناء" and "جنوبي سوريا" are names of regions: directions go only before a town
    heads = _HEAD_WORDS if _level(place) < 3 else _HEAD_WORDS - _DIRECTIONS
    k = 0
    while k < len(words) - 1:
        w = norm(words[k])
        bare = w[1:] if w[:1] in "بلو" and len(w) > 3 else w
        if w in heads or bare in heads or (w.startswith("ال") and w[2:] in heads):
            k += 1
        else:
            break
    if k == 0:
        return place
    import dataclasses
    return dataclasses.replace(place, name=" ".join(words[k:]))


def _refine(ctx: Context, view: SentenceView, coarse: Place) -> Place | None:
    """A country or province: a town of it named in the sentences around ("عدة مواقع في سورية" ...
    "الأهداف حددت حول بلدة حوار في سورية")."""
    n = view.index
    best, best_d = None, None
    for v in ctx.views[max(0, n - 2):n + 4]:
        if v is view or v.headline:
            continue
        for p in ctx.in_sentence(ctx.places, v):
            unresolved = p.country is None and p.lat is None
            if _level(p) >= 3 or not (_contains(coarse, p) or (unresolved and abs(v.index - n) <= 2
                                                                 and _level(coarse) >= 4)):
                continue
            d = abs(v.index - n) + (0.5 if v.index < n else 0)
            if best_d is None or d < best_d:
                best, best_d = p, d
    return best


def _contains(coarse: Place, fine: Place) -> bool:
    if coarse.country and fine.country and coarse.country != fine.country:
        return False
    if _level(coarse) >= 4:
        return bool(coarse.country and fine.country == coarse.country)
    if coarse.admin1 and fine.admin1:
        return coarse.admin1 == fine.admin1
    return False


def coordinated(ctx: Context, view: SentenceView, place: Place) -> list[Place]:
    """The places listed with `place` ("قرب الموصل ومخمور والفلوجة"): one event each, as ACLED codes them."""
    here = sorted(ctx.in_sentence(ctx.places, view), key=lambda p: p.span.start)
    if place not in here:
        return [place]
    first = token_index(view, here[0].span)
    if view.has(_S("بين"), max(0, first - 4), first) is not None:
        return [place]                 # "بين شرق بلدة الراعي وغرب جرابلس": a stretch, not a list
    k = here.index(place)
    group = [place]

    def joined(p: Place, q: Place) -> bool:
        gap = ctx.article.text[p.span.end:q.span.start]
        words = gap.replace("،", " ، ").replace(",", " , ").split()
        if len(words) == 1 and words[0] in _LIST_JOIN:
            return True
        return not words and (ctx.article.text[q.span.start:q.span.start + 1] == "و" or gap.endswith("و"))
    j = k
    while j + 1 < len(here) and joined(here[j], here[j + 1]) and abs(_level(here[j + 1]) - _level(place)) < 1:
        group.append(here[j + 1])
        j += 1
    j = k
    while j > 0 and joined(here[j - 1], here[j]) and abs(_level(here[j - 1]) - _level(place)) < 1:
        group.insert(0, here[j - 1])
        j -= 1
    return group


# ---------------------------------------------------------------- date

_PRECISION = {"day": 1, "week": 2, "month": 3, "year": 3}


def choose_date(ctx: Context, view: SentenceView, i: int, args: Args) -> None:
    here = ctx.in_sentence(ctx.times, view)
    chosen = None
    if here:
        trig_start = view.tokens[i].span.start
        chosen = min(here, key=lambda t: (abs(t.span.start - trig_start)))
        args.date_from = "sentence"
    else:
        n = view.index
        if n > 0:
            prev = ctx.views[n - 1]
            if prev.sentence.paragraph == view.sentence.paragraph:
                found = ctx.in_sentence(ctx.times, prev)
                if found:
                    chosen = found[-1]
                    args.date_from = "context"
    if chosen is not None:
        args.date = _shift(view, i, chosen.value or chosen.start)
        args.date_start = chosen.start if chosen.start and chosen.start != args.date else None
        args.time_precision = _PRECISION.get(chosen.precision, 1)
        if chosen.kind == "period" and args.time_precision == 1 and args.date_start:
            args.time_precision = 2 if _days(args.date_start, args.date) <= 7 else 3
    else:
        args.date = ctx.pub.isoformat() if ctx.pub else None
        args.time_precision = 1 if ctx.pub else None
        args.date_from = "publication"


_DAY_WORDS = {norm(w): n for w, n in (("يوم", 1), ("يوما", 1), ("ايام", 1), ("يومين", 2), ("اسبوع", 7),
                                       ("اسابيع", 7), ("اسبوعين", 14))}


def _shift(view: SentenceView, i: int, iso: str | None) -> str | None:
    """"غداة X" (the day before) and "بعد أربعة أيام على X": X happened before the sentence's date."""
    d = _iso(iso)
    if d is None:
        return iso
    a, _ = view.clause_of(i)
    lo = max(0, a - 1)
    if view.has(_S("غداه"), lo, i) is not None:
        return (d - timedelta(days=1)).isoformat()
    j = view.has(_S("بعد"), lo, i)
    if j is not None and j + 3 <= i:
        n_tok, unit = view.tokens[j + 1], view.forms[j + 2]
        count = _WORD_NUMBERS.get(n_tok.norm) or (int(n_tok.norm) if n_tok.kind == "number" and
                                                   n_tok.norm.isdigit() else None)
        days = next((v for f, v in _DAY_WORDS.items() if f in unit), None)
        if days is not None and (count or days in (2, 14)) and view.forms[j + 3] & _S("علي من"):
            return (d - timedelta(days=(count or 1) * days)).isoformat()
    return iso


def _days(a: str, b: str) -> int:
    da, db = _iso(a), _iso(b)
    return abs((db - da).days) if da and db else 0


def too_old(ctx: Context, args: Args, days: int = 30) -> bool:
    """Background: the event ended more than `days` before publication (or lies in the future), or
    its own sentence spreads it over more than `days` ("منذ عام 2015": a campaign, not an incident)."""
    d = _iso(args.date)
    if ctx.pub is None or d is None:
        return False
    if d < ctx.pub - timedelta(days=days) or d > ctx.pub + timedelta(days=1):
        return True
    start = _iso(args.date_start)
    return args.date_from == "sentence" and start is not None and (d - start).days > days


# ---------------------------------------------------------------- counts

def _metric_of(forms: frozenset[str]) -> str | None:
    if forms & KILLED:
        return "fatalities"
    if forms & INJURED:
        return "injured"
    if forms & DETAINED:
        return "detained"
    return None


_FIGURE_METRIC = {"killed": "fatalities", "injured": "injured", "detained": "detained", "abducted": None}


def fill_counts(ctx: Context, view: SentenceView, i: int, args: Args, others: list[int] = (),
                mine: list[int] = ()) -> None:
    """`others`: token indices of the sentence's other events' triggers; a count goes to the
    event whose trigger is the nearest before it (the nearest after, when none precedes)."""
    s = view.sentence.span
    found: dict[str, tuple[int, int]] = {}        # metric → (distance, value)
    trig_start = view.tokens[i].span.start
    own = set(mine) | {i}
    starts = sorted([(view.tokens[k].span.start, k) for k in set(others) | own])

    def owner(at: int) -> int:
        before = [k for st, k in starts if st <= at]
        return before[-1] if before else starts[0][1]

    def offer(metric: str | None, value: int | None, where: int):
        if metric is None or value is None:
            return
        if owner(where) not in own:
            return
        dist = abs(where - trig_start)
        if metric not in found or dist < found[metric][0]:
            found[metric] = (dist, value)

    for f in ctx.figures:
        if f.evidence is not None and s.start <= f.evidence.start < s.end:
            metric = _FIGURE_METRIC.get(f.metric)
            at = (f.quantity or f.evidence).start
            if metric and not _negated_at(view, token_index(view, Span(at, at))):
                offer(metric, f.value, at)
    from_figures = set(found)
    if True:
        quants = ctx.in_sentence(ctx.quantities, view)
        for j, forms in enumerate(view.forms):
            metric = _metric_of(forms)
            if metric is None or metric in from_figures or _negated_at(view, j):
                continue
            value, at = _count_near(ctx, view, j, quants)
            offer(metric, value, at if at is not None else view.tokens[j].span.start)
    for metric, (_, value) in found.items():
        setattr(args, metric, value)


def _negated_at(view: SentenceView, j: int) -> bool:
    for k in range(max(0, j - 3), j):
        if view.forms[k] & _S("لم لا دون بدون عدم"):
            return True
    return False


def _count_near(ctx: Context, view: SentenceView, j: int, quants) -> tuple[int | None, int | None]:
    """The count a casualty word at token j reports: a number just after or just before it."""
    n = len(view.tokens)
    q_at = {}
    for q in quants:
        q_at[token_index(view, q.span)] = q
    order = [j + 1, j + 2, j - 1, j - 2, j + 3, j - 3, j - 4]
    for k in order:
        if not 0 <= k < n or k == j:
            continue
        lo, hi = min(j, k), max(j, k)
        if any(_metric_of(view.forms[x]) and x != j for x in range(lo + 1, hi)):
            break
        if k in q_at:
            q = q_at[k]
            return q.value, q.span.start
        if not ctx.have_quantities:
            tok = view.tokens[k]
            if tok.kind == "number":
                try:
                    return int(tok.norm.replace(",", "")), tok.span.start
                except ValueError:
                    pass
            for f in view.forms[k]:
                if f in _WORD_NUMBERS:
                    return _WORD_NUMBERS[f], tok.span.start
        if view.forms[k] & DUAL_PERSON and k > j:
            return 2, view.tokens[k].span.start
    k, seen = j + 1, 0
    while k < n and seen < 3:          # "اعتقلت، اليوم الأربعاء، رجلا": skip punctuation and time words
        tok = view.tokens[k]
        if tok.kind == "number" or k in q_at:
            break
        if view.forms[k] & SINGULAR_PERSON and not _plural_after(view, k):
            return 1, tok.span.start
        if tok.kind != "punct" and not view.forms[k] & lx.TIME_WORDS:
            seen += 1
        k += 1
    return None, None


def _plural_after(view: SentenceView, k: int) -> bool:
    return k + 1 < len(view.tokens) and view.tokens[k + 1].norm in ("و", "او")

