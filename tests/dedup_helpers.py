"""Hand-built reports of one air strike from two outlets, and of another strike that day, for
the deduplication tests. The sentences are written the way the corpus's outlets write such
news (compare ../shared/eval/dedup-dev.jsonl, pair p078); every span is found in the text."""
from __future__ import annotations

from marsad.article import ActorMention, Article, Event, Place, Span


def span(text: str, phrase: str) -> Span:
    start = text.index(phrase)
    return Span(start, start + len(phrase))


def _gaza_place(t: str, phrase: str, name_en: str, lat: float, lon: float, precision: int = 1) -> Place:
    return Place(span(t, phrase), phrase, name_en=name_en, country="PS", admin1="Gaza Strip", lat=lat, lon=lon,
                 geo_precision=precision, feature="city")


def beit_lahia_first(url: str = "https://example.org/alarabiya/1365") -> Article:
    t = ("غزة - قتل فلسطيني وأصيب آخر بجروح في قصف مدفعي إسرائيلي على بلدة بيت لاهيا شمال قطاع غزة الاثنين، "
         "وفقا لما أعلنته وزارة الصحة في غزة.\nوقالت الوزارة إن المصاب نقل إلى مستشفى الشفاء.")
    evidence = "قتل فلسطيني وأصيب آخر بجروح في قصف مدفعي إسرائيلي على بلدة بيت لاهيا شمال قطاع غزة الاثنين"
    army = ActorMention(span(t, "إسرائيلي"), "israel_forces", "Military forces of Israel", 1, "IL")
    event = Event("Explosions/Remote violence", "Shelling/artillery/missile attack", span(t, evidence),
                  date="2018-05-28", time_precision=1, actor1=army,
                  location=_gaza_place(t, "بيت لاهيا", "Bayt Lahya", 31.5464, 34.49514), fatalities=1, injured=1,
                  trigger=span(t, "قصف"), confidence=0.8)
    return Article(text=t, id="alarabiya-1365", url=url, source="alarabia", title="مقتل فلسطيني بقصف على بيت لاهيا",
                   date="2018-05-28", date_source="input", layers={"events": [event], "actors": [army]})


def beit_lahia_second(url: str = "https://example.org/skynews/88") -> Article:
    t = ("أعلنت وزارة الصحة في غزة أن فلسطينيا قتل وأصيب آخر بجروح، الاثنين، في قصف مدفعي إسرائيلي استهدف "
         "بلدة بيت لاهيا شمالي القطاع.\nوأضافت أن شخصين آخرين أصيبا في القصف.")
    evidence = "فلسطينيا قتل وأصيب آخر بجروح، الاثنين، في قصف مدفعي إسرائيلي استهدف بلدة بيت لاهيا شمالي القطاع"
    event = Event("Explosions/Remote violence", "Shelling/artillery/missile attack", span(t, evidence),
                  date="2018-05-28", time_precision=1,
                  location=_gaza_place(t, "بيت لاهيا", "Bayt Lahya", 31.5464, 34.49514), fatalities=2, injured=3,
                  trigger=span(t, "قصف"), confidence=0.7)
    return Article(text=t, id="skynews-88", url=url, source="skynews", title="غزة: قتيل وجريح في قصف إسرائيلي",
                   date="2018-05-28", date_source="input", layers={"events": [event]})


def rafah_same_day(url: str = "https://example.org/bbc/551") -> Article:
    t = ("وفي تطور آخر، قصفت دبابات إسرائيلية موقعا لحركة حماس شرق مدينة رفح جنوب قطاع غزة مساء الاثنين، "
         "دون أن يبلغ عن إصابات.\nوقال الجيش إن القصف جاء ردا على إطلاق قذائف هاون.")
    evidence = "قصفت دبابات إسرائيلية موقعا لحركة حماس شرق مدينة رفح جنوب قطاع غزة مساء الاثنين"
    army = ActorMention(span(t, "إسرائيلية"), "israel_forces", "Military forces of Israel", 1, "IL")
    hamas = ActorMention(span(t, "حركة حماس"), "hamas", "Hamas", 2, "PS")
    event = Event("Explosions/Remote violence", "Shelling/artillery/missile attack", span(t, evidence),
                  date="2018-05-28", time_precision=1, actor1=army, actor2=hamas,
                  location=_gaza_place(t, "رفح", "Rafah", 31.29722, 34.24357, 2), trigger=span(t, "قصفت"),
                  confidence=0.8)
    return Article(text=t, id="bbc-551", url=url, source="bbc", title="دبابات إسرائيلية تقصف موقعا لحماس في رفح",
                   date="2018-05-28", date_source="input", layers={"events": [event], "actors": [army, hamas]})


def same_words_two_towns() -> list[Article]:
    """Two outlets' reports of shelling, word for word alike but for the town: Homs and Deir ez-Zor,
    about 280 km apart. Wire copy reads like this on a day of many strikes."""
    out = []
    for town, name_en, lat, lon, n, url in (("حمص", "Homs", 34.7268, 36.7234, 3, "https://example.org/a/1"),
                                            ("دير الزور", "Deir ez-Zor", 35.3359, 40.1408, 4, "https://example.org/b/2")):
        t = f"{town} - قتل {n} مدنيين جراء قصف مدفعي استهدف أحياء سكنية في مدينة {town}، بحسب مصادر محلية."
        evidence = f"قتل {n} مدنيين جراء قصف مدفعي استهدف أحياء سكنية في مدينة {town}"
        where = t.index(town, len(town))
        place = Place(Span(where, where + len(town)), town, name_en=name_en, country="SY", admin1=name_en,
                      lat=lat, lon=lon, geo_precision=1, feature="city")
        event = Event("Explosions/Remote violence", "Shelling/artillery/missile attack", span(t, evidence),
                      date="2015-03-02", time_precision=1, location=place, fatalities=n, trigger=span(t, "قصف"),
                      confidence=0.8)
        out.append(Article(text=t, id=url, url=url, source=url.split("/")[3], title=f"قصف في {town}",
                           date="2015-03-02", date_source="input", layers={"events": [event]}))
    return out
