"""Figures: counts of people attached to what happened to them.

Sentences are short quotes from ../shared/data/arabic_conflict_news (with that article's
publication date), from the seed article, or small hand-built ones where the corpus has
no numeric example (evacuated, besieged).
"""
import json

import pytest

import marsad
from marsad.article import ActorMention, Article, Place, Span
from marsad.pipeline import Pipeline

BEFORE_FIGURES = ["marsad.text.boilerplate:mark_boilerplate", "marsad.text.sentences:split_sentences",
                  "marsad.text.tokens:tokenize", "marsad.numbers.quantities:find_quantities",
                  "marsad.dates.times:find_times"]


def figures(text, date="2019-03-19"):
    return [(f.metric, f.value) for f in marsad.extract(text, date=date).layer("figures")]


# (sentence, publication date, expected (metric, value) pairs - all the figures of the sentence)
METRICS = [
    ("أسفر القصف عن مقتل تسعة من عناصر التنظيم وإصابة 12 آخرين.", "2015-07-25",
     [("killed", 9), ("injured", 12)]),
    ("قتل 4 من قوات الأمن في درنة.", "2018-06-21", [("killed", 4)]),
    ("لقي 13 عنصرا من ميليشيات الحوثي الانقلابية مصرعهم، الاثنين.", "2015-07-21", [("killed", 13)]),
    ("وأسفر عن سقوط 32 قتيلا ونحو مئة جريح.", "2015-07-21", [("killed", 32), ("injured", 100)]),
    ("قتل جنديان تركيان وجرح اثنان آخران أمس الثلاثاء في انفجار لغم.", "2015-07-22",
     [("killed", 2), ("injured", 2)]),
    ("وقال مكتب الرئيس بول بيا ان 11 شخصا قتلوا و32 أصيبوا بجروح.", "2015-07-27", [("killed", 11), ("injured", 32)]),
    ("أن 7 من عناصر الجيش و71 \"فردا تكفيريا\" قتلوا في العملية.", "2018-02-27", [("killed", 7), ("killed", 71)]),
    ("وتشمل القضاء على أربعة مسلحين يرتدون أحزمة ناسفة.", "2018-02-27", [("killed", 4)]),
    ("وأصيب عشرة بجروح.", "2015-07-25", [("injured", 10)]),
    ("وقال الدفاع المدني إن طفلين كانا من بين الجرحى.", "2018-09-06", [("injured", 2)]),
    ("على وقع تقدمها العسكري، أحصت هذه القوات خروج أكثر من 66 ألف شخص من جيب التنظيم منذ التاسع من يناير، "
     "بينهم 37 ألف مدني و5000 جهادي ونحو 24 ألفاً من أفراد عائلاتهم.", "2019-03-19",
     [("displaced", 66000), ("displaced", 37000), ("displaced", 5000), ("displaced", 24000)]),
    ("وأدت العمليات العسكرية في جنوب سوريا إلى نزوح حوالي 320 ألف شخص حتى الآن.", "2018-07-10",
     [("displaced", 320000)]),
    ("من جهة اخرى، سجلت محافظة الأنبار عودة عشرات الأسر النازحة إلى مناطق سكنها.", "2015-07-27",
     [("returned", 10)]),
    ("يذكر أن أكثر من 600 ألف مهاجر وصلوا إلى إيطاليا عن طريق البحر.", "2018-03-19", [("arrivals", 600000)]),
    ("وأفادت لجنة الإنقاذ الدولية الاثنين عن وصول 3500 شخص في أيام قليلة إلى المخيم، ما رفع عدد القاطنين في "
     "المخيم إلى أكثر من سبعين ألفاً، بينهم 25 ألف طفل.", "2019-03-19",
     [("arrivals", 3500), ("camp_population", 70000), ("camp_population", 25000)]),
    ("أكد مسؤول أن 1.8 مليون لاجئ سوري على الجانب التركي حاليا.", "2015-07-21", [("refugees", 1800000)]),
    ("وأفاد بيان صدر عن مكتب أوغلو بأنه تم توقيف 251 شخصا لانتمائهم إلى جماعات إرهابية.", "2015-07-25",
     [("detained", 251)]),
    ("فيما قام الحوثيون وقوات صالح بإطلاق سراح 27 مسلحا كانوا داخل السجن.", "2015-08-06", [("released", 27)]),
    ("ولا يزال 841 شخصا في عداد المفقودين.", "2015-08-03", [("missing", 841)]),
    ("فان 1280 شخصا قتل خلال هجوم المتطرفين على مدينة سنجار، فيما توفي 280 بسبب سوء الظروف.", "2015-08-03",
     [("conflict_deaths", 1280), ("deaths", 280)]),            # a thousand dead or more: a toll (lexicon.TOLL_MIN)
    ("وخسر النظام السوري وحلفاؤه، 260 قتيلا، خلال 30 يوماً.", "2018-01-31", [("conflict_deaths", 260)]),
    ("قتل 149 مدنيا، بينهم 9 نساء، خلال ثلاثة أشهر.", "2018-01-31", [("conflict_deaths", 149), ("conflict_deaths", 9)]),
    ("قتل 20 شخصا خلال الأسبوع الماضي.", "2018-01-31", [("killed", 20)]),
    ("هلك منهم (17) شخصًا في مواجهات مسلحة مع رجال الأمن.", "2015-07-25", [("killed", 17)]),
    ("وأصيب العشرات من المتمردين الحوثيين في المعارك.", "2015-07-25", [("injured", 10)]),
    ("ورصد التقرير 658 حالة اختطاف وإخفاء قسري و561 حالة اعتقال تعسفي.", "2018-01-01",
     [("abducted", 658), ("detained", 561)]),
    ("وقضت المحكمة العسكرية بإعدام 14 متهما بينهم عشماوي.", "2018-10-09", [("other", 14)]),
    ("وقال إن المئات من المسلحين بادروا إلى الهرب مع بدء المعركة.", "2015-07-25", [("other", 100)]),
    ("وقتل 19 شخصا من قوات الأمن التركية منذ بدء الأزمة الحالية.", "2015-07-25", [("conflict_deaths", 19)]),
    ("قبضت الأجهزة الأمنية على (8) مطلوبين.", "2015-07-25", [("detained", 8)]),
    ("وقتل ثلاثة من أقاربه في الغارة.", "2018-01-01", [("killed", 3)]),       # a possessive on the people noun
    ("اختطف التنظيم 170 سنيًا من المدينة.", "2015-08-06", [("abducted", 170)]),    # singular nisba after 11+
    ("انضمام ما يقارب من 1100 إندونيسي إلى التنظيم.", "2018-05-14", [("other", 1100)]),
    ("وخسر النظام السوري وحلفاؤه 260 قتيلا في العام الماضي.", "2018-01-31", [("killed", 260)]),
    ("إن ما يصل إلى 40 مهاجرا غرقوا قبالة الساحل الليبي.", "2015-07-25", [("deaths", 40)]),
    ("وأحصت اللجنة وفاة 123 شخصاً، غالبيتهم من الأطفال.", "2019-03-19", [("deaths", 123)]),
    ("وتشكل جبهة الباغوز دليلاً على تعقيدات النزاع السوري الذي بدأ الجمعة عامه التاسع، مخلفاً حصيلة قتلى تخطت "
     "370 ألفاً.", "2019-03-19", [("conflict_deaths", 370000)]),
    ("إن الصواريخ التي أطلقها الحوثيون أدت لمقتل 112 مدنيا على الأقل منذ عام 2015.", "2018-09-06",
     [("conflict_deaths", 112)]),
    ("أن الانقلابيين الحوثيين اختطفوا أكثر من 25 صحفياً وكاتباً، في حملة منظمة.", "2015-08-10", [("abducted", 25)]),
    ("وعدم الاعتراف بها، اختطاف الآلاف من الأطفال والنساء والشباب الايزيديين.", "2015-08-04", [("abducted", 1000)]),
    ("قالت الأمم المتحدة إن القوات الحكومية أتمت إجلاء 300 مدني من المدينة.", "2015-07-27", [("evacuated", 300)]),
    ("وقال المجلس إن 4000 شخص محاصرون داخل المدينة منذ أسابيع.", "2015-07-27", [("besieged", 4000)]),
    ("وأكد أن أكثر من ألف مسلح ينتمون لتنظيم داعش داخل المدينة.", "2015-07-26", [("other", 1000)]),
    ("مشيرا إلى أن 11 شخصا نقلوا إلى المستشفى لتلقي العلاج.", "2018-09-06", [("other", 11)]),
    ("وأدى انتشار الأوبئة إلى وفاة أكثر من 600 شخص وإصابة 10 آلاف آخرين.", "2015-08-01",
     [("deaths", 600), ("other", 10000)]),                   # infections are not injuries
]


@pytest.mark.parametrize("sentence, date, expected", METRICS)
def test_figures_metric_from_the_words_around_the_number(sentence, date, expected):
    assert figures(sentence, date) == expected


@pytest.mark.parametrize("sentence, date", [
    ("ويسيطر النظام الآن على حوالي 80 بالمائة من محافظة درعا، بحسب المرصد.", "2018-07-10"),   # percentage
    ("بميزانية سنوية قدرها 26 مليون يورو (28 مليون دولار) لتدريب ضباط خفر السواحل.", "2015-07-21"),   # money
    ("الذي سيطر على مساحات واسعة في شمال وغرب العراق في عام 2014.", "2018-02-19"),          # a year
    ("فيما دمرت قوات البيشمركة ثلاث عجلات همر استخدمها التنظيم في الهجوم.", "2015-07-22"),   # vehicles
    ("إن طائرات الولايات المتحدة والتحالف نفذت 27 غارة ضد مسلحي التنظيم.", "2015-07-25"),    # air strikes
    ("وضبط 50 الف قرص مخدر وكميات من الحشيش.", "2018-02-27"),                                # seized things
    ("وأصابت خمس وحدات من المقاتلين، إلى جانب أهداف أخرى.", "2015-07-25"),                    # units hit
    ("سيدة تبلغ من العمر 27 عامًا وأم لطفلين.", "2018-03-01"),                                 # an age
    ("وكان هذا في رمضان 1427هـ قبل 3 أيام من الهجوم.", "2015-07-31"),                          # dates
])
def test_figures_ignore_numbers_of_things(sentence, date):
    assert figures(sentence, date) == []


def test_figures_number_named_after_a_unit_is_a_label():
    assert figures("وقتل خمسة من أفراد الفرقة 30.", "2015-08-01") == [("killed", 5)]


def test_figures_repeated_count_is_kept_once():
    text = "مقتل 14 جنديا في هجوم.\nوأعلن المرصد مقتل 14 من الجنود في الهجوم نفسه."
    assert figures(text, "2018-07-10") == [("killed", 14)]


def test_figures_rough_restatement_of_an_exact_count_is_dropped():
    text = ("أحصت هذه القوات خروج أكثر من 66 ألف شخص من جيب التنظيم.\n"
            "إفساحاً في المجال أمام خروج عشرات آلاف الأشخاص.")
    assert figures(text) == [("displaced", 66000)]


def test_figures_carry_source_date_qualifier_and_evidence(seed_text):
    """Without the actors layer, the source is the phrase as written."""
    article = Article(text=seed_text, date="2019-03-19", date_source="input")
    Pipeline.default(BEFORE_FIGURES + ["marsad.numbers.figures:find_figures"])(article)
    by_value = {f.value: f for f in article.layer("figures")}
    f = by_value[66000]
    assert (f.qualifier, f.source, f.date, f.date_start) == ("more_than", "هذه القوات", "2019-03-19", "2019-01-09")
    assert article.span_text(f.evidence) == "خروج أكثر من 66 ألف شخص"
    assert article.span_text(f.quantity) == "66 ألف"
    assert by_value[520].source == "هذه القوات"                 # 'كما أفادت عن اعتقال ...': same speaker
    assert by_value[3500].source == "لجنة الإنقاذ الدولية"
    assert by_value[3500].date == "2019-03-18"                  # 'الاثنين' in the same sentence
    assert by_value[24000].qualifier == "about" and by_value[37000].population == "civilians"


def test_figures_source_is_an_actor_id_in_the_default_pipeline(seed_text):
    by_value = {f.value: f for f in marsad.extract(seed_text, date="2019-03-19").layer("figures")}
    assert by_value[66000].source == by_value[520].source == "sdf"      # 'أحصت هذه القوات' resolved


def test_figures_use_actor_ids_and_places_when_those_layers_exist():
    text = "وأفادت لجنة الإنقاذ الدولية عن وصول 3500 شخص إلى مخيم الهول."
    article = Article(text=text, date="2019-03-19")
    Pipeline.default(BEFORE_FIGURES)(article)
    irc = text.index("لجنة الإنقاذ")
    camp = text.index("مخيم الهول")
    article.layers["actors"] = [ActorMention(Span(irc, irc + len("لجنة الإنقاذ الدولية")), "irc")]
    article.layers["places"] = [Place(Span(camp, camp + len("مخيم الهول")), "مخيم الهول", country="SY")]
    from marsad.numbers.figures import find_figures
    (f,) = find_figures(article)["figures"]
    assert (f.metric, f.value, f.source, f.place.name) == ("arrivals", 3500, "irc", "مخيم الهول")


def test_figures_quality_floor_on_the_gold_sets(seed_gold, dev_gold, scorer):
    """Figures F1 on seed + dev, scored by ../shared/eval/score.py. The floor is raised when quality
    improves and never lowered silently."""
    from marsad.output import to_record
    score = scorer
    gold = [seed_gold] + dev_gold
    system = []
    for g in gold:
        article = marsad.extract(Article(text=g["text"], id=g["id"], date=g["date"], date_source="input"))
        system.append(json.loads(json.dumps(to_record(article), ensure_ascii=False)))
    result = score.score(gold, system)["figures"]
    assert result["f1"] >= 0.90, result


def test_figures_learner_trains_end_to_end_and_the_stage_uses_it(dev_gold, seed_gold):
    """The `figure` learner trained on a few gold articles: a JSON model whose keep decision the
    stage then follows (a count of people kept, a number of things not)."""
    from marsad.learn import folds, models
    from marsad.numbers.learned import LEARNER
    raw, compiled = folds.train([LEARNER], [seed_gold] + dev_gold[:10])
    model = raw["figure"]
    assert model["figures"] > 20 and model["examples"] > model["figures"]
    assert json.loads(json.dumps(model)) == model                 # plain JSON
    assert model["keep"]["weights"]["r:keep"] > 0                 # the rules' keep is evidence for a figure
    with models.using(compiled):
        found = figures("أسفر القصف عن مقتل تسعة من عناصر التنظيم وإصابة 12 آخرين.", "2015-07-25")
        assert ("killed", 9) in found and ("injured", 12) in found
        assert figures("وأرسلت الحكومة 40 شاحنة من المساعدات إلى المدينة.", "2015-07-25") == []
