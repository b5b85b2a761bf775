"""Argument filling, ACLED counting conventions, merging, notes and ids, on small hand-built
articles: real corpus sentences, with the layers other stages would add filled in by hand."""
from datetime import date, timedelta

import pytest

from marsad.article import ActorMention, Article, Figure, Place, Quantity, Span, TimeExpr
from marsad.events import describe
from marsad.events.stage import candidates, extract_events
from marsad.events.learned import rules_only
from marsad.pipeline import Pipeline


@pytest.fixture(autouse=True)
def _rules():
    """These tables test the events stage's rules (its fallback, and the features its event-mention
    and incident models weigh); the shipped models' behaviour is tested in test_events_mention.py."""
    with rules_only():
        yield


TEXT = Pipeline.default(["marsad.text.boilerplate:mark_boilerplate", "marsad.text.sentences:split_sentences",
                         "marsad.text.tokens:tokenize"])
PUB = "2018-03-12"


def spans(text, phrase):
    start = text.find(phrase)
    while start >= 0:
        yield Span(start, start + len(phrase))
        start = text.find(phrase, start + 1)


def build(text, places=(), actors=(), times=(), quantities=(), figures=(), date=PUB, title=None):
    """places: {name: dict(Place fields)}; actors: {alias: (id, inter)}; times: {phrase: (iso, kind, start)};
    quantities: {phrase: (value, qualifier)}; figures: [(metric, value, evidence phrase)]."""
    a = Article(text=text, id="t", date=date, title=title, date_source="input")
    TEXT(a)
    a.layers["places"] = [Place(sp, name, **{"lat": 30.0, "lon": 40.0, "geo_precision": 1, "feature": "city",
                                             **fields})
                          for name, fields in dict(places).items() for sp in spans(text, name)]
    a.layers["actors"] = [ActorMention(sp, aid, aid.replace("_", " "), inter)
                          for alias, (aid, inter) in dict(actors).items() for sp in spans(text, alias)]
    a.layers["times"] = [TimeExpr(sp, kind, iso, start)
                         for phrase, (iso, kind, start) in dict(times).items() for sp in spans(text, phrase)]
    a.layers["quantities"] = [Quantity(sp, value, qualifier, vague=qualifier == "vague")
                              for phrase, (value, qualifier) in dict(quantities).items()
                              for sp in spans(text, phrase)]
    a.layers["figures"] = [Figure(metric, value, next(spans(text, ev))) for metric, value, ev in figures]
    a.layers.update(extract_events(a))
    return a


def only(article):
    events = article.layer("events")
    assert len(events) == 1, [(e.sub_event_type, e.location and e.location.name) for e in events]
    return events[0]


# ---------------------------------------------------------------- actors

def test_events_actor1_after_verb_and_target_marked_with_lam():
    e = only(build("شنت القوات الجوية الإسرائيلية قصفاً على هدف تابع لحماس في قطاع غزة، صباح الإثنين.",
                   places={"قطاع غزة": {}},
                   actors={"القوات الجوية الإسرائيلية": ("israel_forces", 1), "حماس": ("hamas", 2)}))
    assert (e.sub_event_type, e.actor1.id, e.actor2.id) == ("Air/drone strike", "israel_forces", "hamas")


def test_events_actor1_before_verb():
    e = only(build("وقالت مصادر إن قوات الجيش الوطني سيطرت الثلاثاء على معسكر جبل طيبة في مديرية برط.",
                   places={"برط": {}}, actors={"قوات الجيش الوطني": ("yemen_gov_forces", 1)}))
    assert e.sub_event_type == "Government regains territory" and e.actor1.id == "yemen_gov_forces"


def test_events_territory_by_non_state_actor():
    e = only(build("وسيطر مسلحو الحوثي أمس على مبنى المحافظة في مدينة إب.", places={"إب": {}},
                   actors={"الحوثي": ("houthis", 2)}))
    assert e.sub_event_type == "Non-state actor overtakes territory" and e.actor1.id == "houthis"


def test_events_clash_between_two_sides():
    e = only(build("واندلعت اشتباكات عنيفة أمس بين قوات الجيش ومسلحي الحوثي في مديرية حيس.", places={"حيس": {}},
                   actors={"قوات الجيش": ("yemen_gov_forces", 1), "الحوثي": ("houthis", 2)}))
    assert (e.actor1.id, e.actor2.id) == ("yemen_gov_forces", "houthis")


def test_events_passive_victims_are_actor2_and_bomber_unidentified():
    e = only(build("قتل 4 من قوات الأمن في درنة، الأربعاء، بعد أن فجر انتحاري سيارة ملغومة.",
                   places={"درنة": {}}, actors={"قوات الأمن": ("lna", 1)}, quantities={"4": (4, "exact")}))
    assert e.sub_event_type == "Suicide bomb"
    assert e.actor1.id == "unidentified_armed_group" and e.actor2.id == "lna" and e.fatalities == 4


def test_events_civilian_victims_make_an_attack():
    e = only(build("وقال عضو في المجلس المحلي الجمعة إن مسلحين قتلوا 25 مدنيا من الطوارق في أمالولو.",
                   places={"أمالولو": {}}, quantities={"25": (25, "exact")}))
    assert e.sub_event_type == "Attack"
    assert e.actor1.id == "unidentified_armed_group" and e.actor2.id == "civilians" and e.fatalities == 25


def test_events_civilians_are_never_the_side_that_acts():
    text = "واكد الحزب ان عشرة مدنيين قتلوا السبت واصيب 15 ايضا في الغارات التي استهدفت مواقع في قرية زركلي."
    e = only(build(text, places={"قرية زركلي": {}}, actors={"مدنيين": ("civilians", 7)},
                   quantities={"عشرة": (10, "exact"), "15": (15, "exact")}))
    assert e.actor1 is None or e.actor1.id != "civilians"
    assert e.actor2 is not None and e.actor2.id == "civilians"


def test_events_claim_of_responsibility_names_actor1():
    e = only(build("تبنى تنظيم داعش انفجار سيارة مفخخة قرب القنصلية الإيطالية في القاهرة.",
                   places={"القاهرة": {}}, actors={"داعش": ("isis", 2)}))
    assert e.actor1.id == "isis"


# ---------------------------------------------------------------- place


@pytest.mark.parametrize("text, written, name", [
    ("أحرق مسلحون مجهولون مبنى مدرسة حكومية وخطفوا عشرة عمال كانوا داخل المدرسة الواقعة في مقاطعة كورام.",
     "مقاطعة كورام", "كورام"),
    ("وقتل ثلاثة مدنيين في قصف للحوثيين على ضاحية دار سعد.", "ضاحية دار سعد", "دار سعد"),
    ("ودارت معارك عنيفة بين المقاومة والحوثيين في جبهتي الجفينة.", "جبهتي الجفينة", "الجفينة"),
    ("وقصفت الطائرات مواقع التنظيم في منطقتي المهدية.", "منطقتي المهدية", "المهدية"),
    # a region phrase with its preposition, and a name the sentence quotes
    ("وسيطرت القوات على مواقع جديدة بالقرب من مدينة حرض بعد معارك مع الحوثيين.", "بالقرب من مدينة حرض", "حرض"),
    ('وقصفت الطائرات تجمعات للمسلحين في منطقة "فج عطان" بصنعاء.', 'منطقة "فج عطان"', "فج عطان"),
])
def test_events_location_is_the_name_without_its_head_noun(text, written, name):
    # the gold (and ACLED) write the place's own name: the district, suburb or front head noun the
    # sentence puts before it, singular, dual or plural, is not part of it
    events = build(text, places={written: {}}).layer("events")
    assert events
    for e in events:
        assert e.location.name == name
        assert text[e.location.span.start:e.location.span.end] == written


def test_events_location_keeps_a_facility_or_terrain_head():
    text = "وشنت طائرات التحالف غارات على قاعدة العند الجوية."
    e = only(build(text, places={"قاعدة العند": {"feature": "facility"}}))
    assert e.location.name == "قاعدة العند"

def test_events_never_at_the_dateline():
    text = "بيروت - قال مسؤول اليوم الثلاثاء إن القوات سيطرت سيطرة تامة على مخيم في الباغوز."
    a = build(text, places={"بيروت": {"role": "dateline"}, "الباغوز": {}})
    e = only(a)
    assert e.location.name == "الباغوز"
    assert a.text[e.evidence.start:e.evidence.end].startswith("قال مسؤول")     # the dateline is no evidence
    only_dateline = build(text.replace("في الباغوز", "هناك"), places={"بيروت": {"role": "dateline"}})
    assert all(e.location is None or e.location.name != "بيروت" for e in only_dateline.layer("events"))


def test_events_place_from_previous_sentence_when_sentence_names_none():
    text = ("وتحاصر القوات التنظيم في جيب صغير في بلدة الباغوز.\n"
            "وتدك هذه القوات الجيب المحاصر بالقذائف والرشاشات.")
    e = only(build(text, places={"بلدة الباغوز": {"lat": None, "lon": None, "feature": None,
                                                  "geo_precision": None}}))
    assert e.sub_event_type == "Shelling/artillery/missile attack"
    assert e.location.name == "الباغوز"          # the head noun "بلدة" dropped, as ACLED writes it


def test_events_destination_is_not_the_place():
    text = "قصفت الطائرات المقاتلة بالصواريخ مقرين للتنظيم في جرابلس قبل أن تعود إلى قاعدة ديار بكر."
    e = only(build(text, places={"جرابلس": {}, "ديار بكر": {}}))
    assert e.location.name == "جرابلس"


def test_events_capital_as_subject_is_not_the_place():
    e = only(build("وردا على إعدام المصريين الأقباط، شنت القاهرة أمس غارات جوية على مواقع الجهاديين في درنة.",
                   places={"القاهرة": {}, "درنة": {}}))
    assert (e.sub_event_type, e.location.name) == ("Air/drone strike", "درنة")


def test_events_two_events_in_one_sentence_get_their_own_clause():
    a = build("وتدك هذه القوات الجيب المحاصر بالقذائف والرشاشات بينما تستهدفه طائرات التحالف بالضربات الجوية في "
              "الباغوز.", places={"الباغوز": {}})
    evidence = {e.sub_event_type: a.text[e.evidence.start:e.evidence.end] for e in a.layer("events")}
    assert evidence["Shelling/artillery/missile attack"].endswith("بالقذائف والرشاشات")
    assert evidence["Air/drone strike"].startswith("بينما تستهدفه طائرات التحالف")


def test_events_one_event_per_listed_place():
    a = build("وفي العراق أصابت الغارات أهدافا عدة قرب تسع مدن بينها الموصل ومخمور والفلوجة.",
              places={"العراق": {"feature": "country", "geo_precision": 3}, "الموصل": {}, "مخمور": {},
                      "الفلوجة": {}})
    assert sorted(e.location.name for e in a.layer("events")) == ["الفلوجة", "الموصل", "مخمور"]


def test_events_an_intercepted_missile_is_coded_where_it_was_stopped():
    a = build("تواصل جماعة الحوثي حربها من صعدة. وقالت قوات الدفاع الجوي السعودي إنها اعترضت صاروخا "
              "باليستيا جرى إطلاقه من الأراضي اليمنية باتجاه نجران.",
              places={"صعدة": {"country": "YE"}, "الأراضي اليمنية": {"country": "YE"}, "نجران": {"country": "SA"}})
    rules = [(d.sub_event_type, d.location.name) for d in candidates(a)]
    assert rules == [("Disrupted weapons use", "نجران")]


@pytest.mark.parametrize("text,names,listed", [
    # "بين الطرفين" names the sides; the places after "في" are a list
    ("وشنت الطائرات غارات بين الطرفين في جبال هرمز والحمة.", ["هرمز", "الحمة"], ["هرمز", "الحمة"]),
    # a stretch of land between two places is one place
    ("وقصفت الطائرات المنطقة بين شرق الراعي وغرب جرابلس.", ["الراعي", "جرابلس"], ["الراعي"]),
    # a district and an area the gazetteer places only in its province are one list
    ("وقصفت الطائرات مناطق القلعة والمحفد.", ["مناطق القلعة", "المحفد"], ["مناطق القلعة", "المحفد"]),
    # a town and its province are a place and where it lies, not a list
    ("وقصفت الطائرات مدينة سرمين ومحافظة إدلب.", ["سرمين", "محافظة إدلب"], ["سرمين"]),
])
def test_events_places_listed_together(text, names, listed):
    from marsad.events import context as cx
    from marsad.events import location
    from marsad.events.detect import sentence_views
    levels = {"محافظة إدلب": {"feature": "admin1", "geo_precision": 3},
              "مناطق القلعة": {"feature": "region", "geo_precision": 3}, "المحفد": {"feature": "admin2"}}
    a = build(text, places={n: levels.get(n, {}) for n in names})
    ctx = cx.Context(a, sentence_views(a))
    first = min(ctx.places, key=lambda p: p.span.start)
    assert [p.name for p in location.coordinated(ctx, ctx.views[0], first)] == listed


# ---------------------------------------------------------------- date

def test_events_date_from_times_layer_and_precision():
    yesterday = (date.fromisoformat(PUB) - timedelta(days=1)).isoformat()
    e = only(build("قصفت طائرات حربية أمس منطقة حوض اليرموك في ريف درعا.", places={"درعا": {}},
                   times={"أمس": (yesterday, "relative", None)}))
    assert (e.date, e.time_precision) == (yesterday, 1)


def test_events_publication_day_without_time_cue():
    e = only(build("وقصفت المليشيات الانقلابية حي الجمهوري السكني في تعز.", places={"تعز": {}}))
    assert e.date == PUB


@pytest.mark.parametrize("phrase,iso,kind,start", [
    ("في 26 يونيو الماضي", "2018-01-26", "date", None),                 # 45 days before publication
    ("منذ عام 2015", PUB, "period", "2015-01-01"),                        # a campaign, not an incident
])
def test_events_background_is_not_an_event(phrase, iso, kind, start):
    a = build(f"وفجر انتحاري {phrase} حزامه الناسف في مسجد في الكويت.", places={"الكويت": {}},
              times={phrase: (iso, kind, start)})
    assert a.layer("events") == []


# ---------------------------------------------------------------- counts (ACLED conventions)

@pytest.mark.parametrize("text,quantities,field,value", [
    ("وأشار المسؤولون إلى مقتل 11 مدنيا وإصابة 16 آخرين في انفجار عبوتين ناسفتين في بعقوبة.",
     {"11": (11, "exact"), "16": (16, "exact")}, "injured", 16),
    ("قتل عشرات المدنيين في غارات جوية على بلدة كفربطنا.", {"عشرات": (10, "vague")}, "fatalities", 10),
    ("قتل أكثر من 20 شخصا في غارات جوية على بلدة كفربطنا.", {"أكثر من 20": (20, "more_than")}, "fatalities", 20),
    ("وأصيب جنديان بجروح في انفجار عبوة ناسفة قرب بلدة كفربطنا.", {}, "injured", 2),
    ("وقال الناطق إن انفجار العبوة الناسفة يوم أمس في كفربطنا لم يسفر عن وقوع أي إصابات.", {}, "injured", None),
])
def test_events_counts_follow_acled_conventions(text, quantities, field, value):
    place = "كفربطنا" if "كفربطنا" in text else "بعقوبة"
    e = only(build(text, places={place: {}}, quantities=quantities))
    assert getattr(e, field) == value


def test_events_singular_person_counts_one_detained():
    e = only(build("أعلن مصدر أمني أن المخابرات اعتقلت، اليوم الأربعاء، رجلا في طرابلس.", places={"طرابلس": {}}))
    assert (e.sub_event_type, e.detained) == ("Arrests", 1)


def test_events_counts_prefer_the_figures_layer():
    text = "واعتقلت القوات الأمنية 23 عنصرا جنائيا وتكفيريا بجنوب مدينة العريش."
    e = only(build(text, places={"العريش": {}}, figures=[("detained", 23, "23 عنصرا")]))
    assert e.detained == 23


def test_events_count_belongs_to_its_own_event():
    text = ("قصفت طائرات حربية أمس مواقع للتنظيم في جرابلس غداة تبادل لإطلاق النار على الحدود، وأسفر القصف "
            "عن مقتل 9 من عناصر التنظيم.")
    # the figures layer as the figures stage reads this sentence (the learned counts use it)
    a = build(text, places={"جرابلس": {}}, quantities={"9": (9, "exact")}, figures=[("killed", 9, "مقتل 9")])
    by_type = {e.sub_event_type: e for e in a.layer("events")}
    assert by_type["Air/drone strike"].fatalities == 9
    assert by_type.get("Armed clash") is None or by_type["Armed clash"].fatalities is None


# ---------------------------------------------------------------- merging

def test_events_repeated_mentions_merge_into_one():
    text = ("قصفت طائرات حربية أمس مواقع للتنظيم في سورية.\n"
            "وأفادت وكالة أن الغارات الجوية استهدفت مواقع حول بلدة حوار.")
    yesterday = (date.fromisoformat(PUB) - timedelta(days=1)).isoformat()
    a = build(text, places={"سورية": {"feature": "country", "geo_precision": 3, "country": "SY"},
                            "بلدة حوار": {"country": "SY"}},
              times={"أمس": (yesterday, "relative", None)})
    e = only(a)
    assert (e.location.name, e.date) == ("حوار", yesterday)


def test_events_separate_incident_is_not_merged():
    text = ("وأعلن مصدر أمني أن المخابرات اعتقلت اليوم رجلا في لبنان.\n"
            "وفي واقعة منفصلة، أعلن الأمن العام اليوم اعتقال سوري آخر في لبنان.")
    a = build(text, places={"لبنان": {"feature": "country", "geo_precision": 3}})
    assert [e.sub_event_type for e in a.layer("events")] == ["Arrests", "Arrests"]


def test_events_two_towns_are_two_events():
    text = "وقصفت المليشيات حي الجمهوري في تعز.\nوقصفت المليشيات أيضا قرية الصراري في صبر."
    a = build(text, places={"تعز": {}, "صبر": {"lat": 31.0}})
    assert len(a.layer("events")) == 2


def test_events_headline_and_repeated_caption_make_no_event():
    caption = "مقتل 5 جنود في هجوم على حاجز في العريش"
    text = f"{caption}\nقال مصدر إن الوضع هادئ في العريش.\n{caption}\n{caption}"
    a = build(text, places={"العريش": {}}, title=caption)
    assert a.layer("events") == []


# ---------------------------------------------------------------- description

def test_events_notes_sentence_from_fields():
    place = Place(None, "الباغوز", name_en="al-Baghuz", country="SY", admin1="Deir ez-Zor")
    text = describe.notes("Shelling/artillery/missile attack", "2019-03-19", 1,
                          ActorMention(None, "sdf", "SDF", 2), ActorMention(None, "isis", "Islamic State", 2), place)
    assert text == "On 19 March 2019, SDF shelled Islamic State in al-Baghuz (Deir ez-Zor, Syria). Casualties unknown."


def test_events_notes_transliterate_unknown_places_and_report_counts():
    text = describe.notes("Arrests", "2018-02-21", 2, ActorMention(None, "other:Police forces of Lebanon"), None,
                          Place(None, "الباغوز", country="LB"), detained=3)
    assert text.startswith("Around 21 February 2018, Police forces of Lebanon made arrests in al-Baghuz (Lebanon).")
    assert text.endswith("3 detained.")


def test_events_id_is_stable_and_depends_on_the_fields():
    place = Place(None, "تعز")
    a = describe.event_id("x", "Battles", "Armed clash", "2018-01-01", place, None, None)
    assert a == describe.event_id("x", "Battles", "Armed clash", "2018-01-01", place, None, None)
    assert a != describe.event_id("x", "Battles", "Armed clash", "2018-01-01", Place(None, "إب"), None, None)


def test_events_every_acled_sub_type_has_a_plover_mapping():
    import csv
    from conftest import SHARED
    with (SHARED / "data" / "acled_sample" / "acled_event_categories.csv").open(encoding="utf-8") as f:
        subs = {row["sub_event_type"] for row in csv.DictReader(f)}
    assert subs - set(describe.PLOVER) == set()


def test_events_output_carries_plover_notes_id_and_confidence():
    e = only(build("وقصفت المليشيات الانقلابية، السبت حي الجمهوري السكني في تعز.", places={"تعز": {}}))
    assert (e.plover_type, e.plover_mode) == ("ASSAULT", "artillery")
    assert e.id and e.notes.startswith("On 12 March 2018") and 0 < e.confidence < 1
    assert e.evidence.start <= e.trigger.start and e.trigger.end <= e.evidence.end


def test_events_stage_degrades_without_optional_layers():
    a = Article(text="قصفت طائرات حربية منطقة حوض اليرموك في ريف درعا.", id="t", date=PUB)
    TEXT(a)
    assert extract_events(a) == {"events": []}       # nothing locates it: no event, no error


def test_events_boilerplate_kinds_are_respected():
    text = "كتب: محمد علي\nوقصفت المليشيات حي الجمهوري في تعز."
    a = build(text, places={"تعز": {}})
    assert any(b.kind == "byline" for b in a.layer("boilerplate"))
    assert [e.sub_event_type for e in a.layer("events")] == ["Shelling/artillery/missile attack"]


@pytest.mark.parametrize("text, quantities, figures", [
    # a war's toll, read by the figures stage as conflict_deaths
    ("وقتل نحو 10 آلاف شخص في الحرب بين قوات الحكومة اليمنية والحوثيين بينهم 2200 طفل.",
     {"نحو 10 آلاف": (10000, "about")}, [("conflict_deaths", 10000, "نحو 10 آلاف شخص")]),
    # too large for one event even when nothing marked it as a toll
    ("كما قتل 63,360 من مقاتلي جبهة فتح الشام وتنظيم الدولة الإسلامية في المعارك.",
     {"63,360": (63360, "exact")}, []),
])
def test_events_war_tolls_are_not_an_events_fatalities(text, quantities, figures):
    for e in build(text, quantities=quantities, figures=figures).layer("events"):
        assert e.fatalities is None
