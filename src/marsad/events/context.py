"""What the argument finders share: the article's layers indexed by sentence, the record of
one mention's arguments, and the vocabulary of casualties and persons.

`Context` keeps only the places that can be an event's location: never the dateline
(ACLED codes where it happened, not where the story was filed), never a span that is an
actor's name ("قوات سوريا الديمقراطية"), never a generic word the gazetteer matched
("الريف"، "المنطقة").
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from datetime import date

from ..article import ActorMention, Article, Place, Span
from ..text import norm, norm_set
from ..text.spans import SpanIndex
from .detect import SentenceView
from ..places import mentions as _place_heads

_S = norm_set

CIVILIAN_WORDS = _S("شخص شخصا اشخاص شخصين مدني مدنيا مدنيين مدنيون المدنيين مواطن مواطنا مواطنين مواطنون اطفال طفل طفلا طفله "
                    "نساء امراه سكان اهالي مصلين طلاب تلاميذ اسره عائله عائلات اسر مزارع مزارعين صيادين "
                    "صحفي صحفيا صحفيين مسعف مسعفين عمال")
ARMED_WORDS = _S("جندي جنديا جنود جنديين جنديان عسكري عسكريين عسكريا ضابط ضابطا ضباط شرطي شرطيا شرطه "
                 "مسلح مسلحا مسلحين مسلحون عنصر عناصر مقاتل مقاتلين مقاتلا مقاتلون ارهابي ارهابيا ارهابيين "
                 "متشدد متشددين تكفيري تكفيريا تكفيريين جهادي جهاديين حراس حارس امن افراد")

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
_WORD_NUMBERS = {norm(k): v for k, v in {
    "واحد": 1, "اثنان": 2, "اثنين": 2, "ثلاثه": 3, "ثلاث": 3, "اربعه": 4, "اربع": 4, "خمسه": 5, "خمس": 5,
    "سته": 6, "ست": 6, "سبعه": 7, "سبع": 7, "ثمانيه": 8, "ثماني": 8, "تسعه": 9, "تسع": 9, "عشره": 10,
    "عشر": 10, "عشرات": 10, "العشرات": 10}.items()}

_LEVEL = {"country": 4, "admin1": 3, "region": 3, "admin2": 2}


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
        by_span = SpanIndex(actors)
        self.places = [p for p in article.layer("places")
                       if p.span is not None and p.role != "dateline"
                       and not any(d.overlaps(p.span) for d in dateline)
                       and not by_span.overlapping(p.span.start, p.span.end)
                       and norm(clean_place(p).name) not in _GENERIC_NAMES]
        self._lead: Place | None | bool = False
        self.times = [t for t in article.layer("times") if t.span is not None and (t.value or t.start)]
        self.figures = list(article.layer("figures"))
        self.quantities = list(article.layer("quantities"))
        self.have_quantities = "quantities" in article.layers
        self.pub = _iso(article.date)
        self._inside: dict[tuple[int, int], list] = {}
        self.cleaned: dict[int, Place] = {}      # id(place) -> clean_place(place), asked per mention
        self._indexes: dict[int, tuple[SpanIndex, dict[int, int]]] = {}

    def clean(self, p: Place) -> Place:
        """`clean_place(p)`, computed once per place of the article."""
        c = self.cleaned.get(id(p))
        if c is None:
            c = self.cleaned[id(p)] = clean_place(p)
        return c

    def in_sentence(self, items, view: SentenceView) -> list:
        """The items (this context's places, actors, times...) inside the view's sentence;
        asked again and again for the same sentences, so kept."""
        got = self._inside.get((id(items), view.index))
        if got is None:
            s = view.sentence.span
            known = self._indexes.get(id(items))
            if known is None:       # each layer indexed once per article, with its order
                known = self._indexes[id(items)] = (SpanIndex(items), {id(x): k for k, x in enumerate(items)})
            index, order = known
            # in layer order, as a scan gives them
            got = self._inside[id(items), view.index] = sorted(index.inside(s.start, s.end),
                                                                key=lambda x: order[id(x)])
        return list(got)


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



def _level(p: Place) -> float:
    if p.geo_precision is not None and p.feature not in _LEVEL:
        return {1: 1.0, 2: 2.0, 3: 3.0}.get(p.geo_precision, 2.0)
    if p.feature in _LEVEL:
        return _LEVEL[p.feature]
    if p.lat is None and p.country is None:
        return 1.2          # unresolved names are mostly villages and districts the gazetteer lacks
    return 1.0


# verbs whose next word is their subject, never their target ("شنت القاهرة"، "ردت دمشق")


_GENERIC_NAMES = _S("الريف ريف المنطقه منطقه البلاد المدينه القريه المحافظه الحدود الاناضول الجبهه الساحل "
                    "الداخل الخارج العاصمه")
# words before a name that are not part of it: the places layer's settlement and administrative head
# nouns, singular, dual or plural ("مقاطعة كورام", "جبهتي الجفينة", "ضاحية دار سعد"), and the words
# that make a region around it ("ريف", "قرب", the directions); facility and terrain heads stay
# (قاعدة العند، جبل صبر، وادي زبيد are the places' names)
_HEAD_WORDS = frozenset({h for h, kind in _place_heads.HEADS.items() if kind in ("settlement", "admin")}
                        | _place_heads._PLURAL | _place_heads.REGION_WORDS
                        | _S("محور وسط الشمالي الجنوبي الشرقي الغربي"))


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
        if w in heads or bare in heads or (w.startswith("ال") and w[2:] in heads) or (k and w == "من"):
            k += 1        # (بالقرب من مدينة حرض → حرض)
        else:
            break
    name = " ".join(words[k:]).strip(_place_heads.QUOTE_MARKS + " ")     # منطقة "فج حرض" → فج حرض
    if name == place.name or not name:
        return place
    import dataclasses
    return dataclasses.replace(place, name=name)
