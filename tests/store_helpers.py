"""Hand-built articles with every extracted layer filled, for the store tests.

The extraction stages are built elsewhere; these articles stand in for their output. The
sentences are short phrases of the kind the corpus reports (``../shared/data/
arabic_conflict_news``), and every span is found in the text, never typed as numbers.
"""
from __future__ import annotations

from marsad.article import ActorMention, Article, Entity, Event, Figure, Place, Quote, Span
from marsad.pipeline import Pipeline

# The foundation's text stages only: the hand-built layers stand in for every later stage.
TEXT_STAGES = ["marsad.text.boilerplate:mark_boilerplate", "marsad.text.sentences:split_sentences",
               "marsad.text.tokens:tokenize"]


def with_text_layers(article: Article) -> Article:
    """Add boilerplate, sentences and tokens without touching the hand-built layers."""
    return Pipeline.default(TEXT_STAGES)(article)

SYRIA_TEXT = (
    "بيروت - قال المرصد السوري لحقوق الإنسان إن 12 مدنيا قتلوا في غارات جوية على بلدة الباغوز "
    "في ريف دير الزور الشرقي يوم الثلاثاء.\n"
    "وأضاف أن قوات سوريا الديمقراطية اعتقلت 30 عنصرا من داعش في ريف الحسكة.\n"
    "وقال المتحدث باسم قوات سوريا الديمقراطية: «سنواصل العمليات حتى القضاء على التنظيم».\n"
    "ونزح أكثر من 66 ألف شخص من المنطقة منذ بداية العام."
)

YEMEN_TEXT = (
    "صنعاء - سقطت أكثر من 10 قذائف هاون على منازل في ناحية هبهب، وأصيب ثلاثة مدنيين.\n"
    "وشن التحالف العربي غارات جوية على مواقع الحوثيين شمال مدينة الحديدة."
)


def span(text: str, phrase: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return Span(start, start + len(phrase))


def syria_article(url: str | None = "https://example.org/syria/1", date: str = "2019-03-19") -> Article:
    t = SYRIA_TEXT
    a = Article(text=t, id="hand-syria", url=url, source="example", title="غارات على الباغوز", date=date,
                date_source="input")
    baghuz = Place(span(t, "الباغوز"), "الباغوز", geonameid=None, name_en="Al Baghuz Fawqani", country="SY",
                   admin1="Deir ez-Zor", lat=34.4553, lon=40.9597, geo_precision=1, feature="village",
                   name_ar="الباغوز فوقاني", confidence=0.9)
    hasaka = Place(span(t, "الحسكة"), "الحسكة", geonameid=173576, name_en="Al-Hasakah", country="SY",
                   admin1="Al-Hasakah", geo_precision=3, feature="admin1")     # no coordinates on purpose
    sdf = ActorMention(span(t, "قوات سوريا الديمقراطية"), "sdf", "Syrian Democratic Forces (SDF)", 2, "SY")
    sdf2 = ActorMention(span(t, "قوات سوريا الديمقراطية", 1), "sdf", "Syrian Democratic Forces (SDF)", 2, "SY")
    isis = ActorMention(span(t, "داعش"), "isis", "Islamic State (ISIS, Daesh)", 2, None)
    civilians = ActorMention(span(t, "مدنيا"), "civilians", "Civilians (Syria)", 7, "SY", via="descriptor")
    first = t.split("\n")[0]
    second = t.split("\n")[1]
    a.layers.update({
        "entities": [Entity(span(t, "المرصد السوري لحقوق الإنسان"), "ORG", 0.97), Entity(span(t, "الباغوز"), "LOC"),
                     Entity(span(t, "قوات سوريا الديمقراطية"), "ORG", 0.91)],
        "places": [baghuz, hasaka],
        "actors": [sdf, isis, sdf2, civilians],
        "events": [
            Event("Explosions/Remote violence", "Air/drone strike", span(t, first), date="2019-03-19",
                  time_precision=1, actor1=None, actor2=civilians, location=baghuz, fatalities=12,
                  trigger=span(t, "غارات جوية"), confidence=0.8),
            Event("Strategic developments", "Arrests", span(t, second), date="2019-03-19", time_precision=2,
                  actor1=sdf, actor2=isis, location=hasaka, detained=30, plover_type="COERCE",
                  plover_mode="arrest"),
        ],
        "figures": [Figure("displaced", 66000, span(t, "ونزح أكثر من 66 ألف شخص من المنطقة منذ بداية العام."),
                           qualifier="more_than", population="people", quantity=span(t, "66 ألف"))],
        "quotes": [Quote(span(t, "سنواصل العمليات حتى القضاء على التنظيم"),
                         "سنواصل العمليات حتى القضاء على التنظيم", speaker="المتحدث باسم قوات سوريا الديمقراطية",
                         speaker_span=span(t, "المتحدث باسم قوات سوريا الديمقراطية"), organization="sdf")],
    })
    return a


def yemen_article(url: str | None = "https://example.org/yemen/7") -> Article:
    t = YEMEN_TEXT
    a = Article(text=t, id="hand-yemen", url=url, source="example", title="قذائف على هبهب", date="2015-08-02",
                date_source="input")
    hodeidah = Place(span(t, "الحديدة"), "الحديدة", geonameid=79415, name_en="Al Hudaydah", country="YE",
                     admin1="Al Hudaydah", lat=14.7978, lon=42.9545, geo_precision=2, feature="city")
    coalition = ActorMention(span(t, "التحالف العربي"), "saudi_coalition", "Saudi-led coalition", 8, "SA")
    houthis = ActorMention(span(t, "الحوثيين"), "houthis", "Houthis (Ansar Allah)", 2, "YE")
    lines = t.split("\n")
    a.layers.update({
        "places": [hodeidah],
        "actors": [coalition, houthis],
        "events": [
            Event("Explosions/Remote violence", "Shelling/artillery/missile attack", span(t, lines[0]),
                  date="2015-08-01", actor2=None, injured=3),   # no location: not on a map
            Event("Explosions/Remote violence", "Air/drone strike", span(t, lines[1]), date="2015-08-02",
                  actor1=coalition, actor2=houthis, location=hodeidah),
        ],
    })
    return a
