"""Time expressions, resolved against the publication date.

Phrases are short quotes from ../shared/data/arabic_conflict_news (with that article's
publication date) and from the seed article (published Tuesday 2019-03-19).
"""
from datetime import date

import pytest

import marsad
from marsad.article import Article
from marsad.dates import calendar as cal
from marsad.dates.times import find_time_spans, find_times, parse_date_line
from marsad.pipeline import Pipeline
from marsad.text.boilerplate import mark_boilerplate
from marsad.text.normalize import normalize

SEED_PUB = "2019-03-19"


def times(text, pub):
    found = find_time_spans(text, date.fromisoformat(pub) if pub else None)
    out = []
    n = normalize(text)
    for a, b, t in found:
        s, e = n.to_original(a, b)
        out.append((text[s:e], t.kind, t.value, t.start, t.precision))
    return out


# (phrase, publication date, written, kind, value, start, precision)
SEED = [
    ("وكان التنظيم قد دعا الاثنين عناصره", SEED_PUB, "الاثنين", "weekday", "2019-03-18", None, "day"),
    ("خروج أكثر من 66 ألف شخص من جيب التنظيم منذ التاسع من يناير", SEED_PUB, "منذ التاسع من يناير", "period",
     SEED_PUB, "2019-01-09", "day"),
    ("النزاع السوري الذي بدأ الجمعة عامه التاسع", SEED_PUB, "الجمعة", "weekday", "2019-03-15", None, "day"),
    ("هجوماً ضد التنظيم في شرق سوريا منذ سبتمبر.", SEED_PUB, "منذ سبتمبر", "period", SEED_PUB, "2018-09-01",
     "month"),
    ("الثلاثاء 2019/03/19", SEED_PUB, "الثلاثاء 2019/03/19", "date", "2019-03-19", None, "day"),
]

ABSOLUTE = [
    ("وكانت الأجهزة الأمنية الأردنية قبضت عليهما في 8 مارس 2016.", "2018-03-21", "8 مارس 2016", "date",
     "2016-03-08", None, "day"),
    ("حدتها في أعقاب ثورة 25 يناير (كانون الثاني) 2011، التي", "2015-07-21", "25 يناير (كانون الثاني) 2011",
     "date", "2011-01-25", None, "day"),
    ("وقال إن 19 آذار/مارس شهد", SEED_PUB, "19 آذار/مارس", "date", "2019-03-19", None, "day"),
    ("قتل في 8 يوليو خلال تنقله", "2015-07-23", "8 يوليو", "date", "2015-07-08", None, "day"),
    ("أعادت في الثلاثين من يونيو الماضي، المنسق", "2015-08-04", "الثلاثين من يونيو الماضي", "date",
     "2015-06-30", None, "day"),
    ("بدأت في 3 كانون الثاني 2015", "2015-07-21", "3 كانون الثاني 2015", "date", "2015-01-03", None, "day"),
    ("جرى الاقتراع في 12 جانفي 2019", SEED_PUB, "12 جانفي 2019", "date", "2019-01-12", None, "day"),  # Maghrebi
    ("وفي 3 أوت الماضي", SEED_PUB, "3 أوت الماضي", "date", "2018-08-03", None, "day"),
    ("ميناء عدن في 21 آب/أغسطس", "2015-08-25", "21 آب/أغسطس", "date", "2015-08-21", None, "day"),
    ("العاشر من الشهر الجاري", SEED_PUB, "العاشر من الشهر الجاري", "date", "2019-03-10", None, "day"),
]

HIJRI = [
    ("إسلام آباد 18 شوال 1436 هـ الموافق 03 اغسطس", "2015-08-03", "18 شوال 1436 ه", "hijri", "2015-08-03", None,
     "day"),
    ("الإحساء بتاريخ 10 / 1 / 1436هـ. 2-حادث", "2015-07-22", "10 / 1 / 1436ه", "hijri", "2014-11-03", None, "day"),
    ("وكان هذا في رمضان 1427هـ ، مما", "2015-07-31", "رمضان 1427ه", "hijri", "2006-10-22", "2006-09-24", "month"),
]

WEEKDAYS = [
    ("بدءا من يوم الخميس المقبل.", "2015-07-21", "يوم الخميس المقبل", "weekday", "2015-07-23", None, "day"),
    ("أفاد شهود عيان امس الإثنين بمقتل 33 مسلحا", "2015-07-21", "امس الإثنين", "weekday", "2015-07-20", None,
     "day"),
    ("ووصلت مساء الأحد، إلى ميناء مدينة", "2015-08-04", "مساء الأحد", "weekday", "2015-08-02", None, "day"),
    ("من سريانها ليلة الأحد - الاثنين، إذ أطلقوا", "2015-07-31", "ليلة الأحد - الاثنين", "weekday", "2015-07-27",
     "2015-07-26", "day"),
    ("بعد منتصف ليل السبت- الأحد عدة براميل", "2015-07-27", "منتصف ليل السبت- الأحد", "weekday", "2015-07-26",
     "2015-07-25", "day"),
    ("قصفوا في وقت سابق من يوم الأحد الماضي أحد أحياء", "2015-07-21", "يوم الأحد الماضي", "weekday", "2015-07-19",
     None, "day"),
    ("قال مصدر يوم الخميس إن", SEED_PUB, "يوم الخميس", "weekday", "2019-03-14", None, "day"),
]

RELATIVE = [
    ("بينما اختطف مجهولون يوم أول أمس عنصراً", "2015-07-23", "أول أمس", "relative", "2015-07-21", None, "day"),
    ("تظاهرت أمس الأول، بحسب المرصد", "2015-07-22", "أمس الأول", "relative", "2015-07-20", None, "day"),
    ("في بيان الليلة الماضية :", "2015-07-21", "الليلة الماضية", "relative", "2015-07-20", None, "day"),
    ("انفجرت صباح اليوم الاحد في عدد من", "2015-07-19", "صباح اليوم الاحد", "weekday", "2015-07-19", None,
     "day"),
    ("في الساعات الأولى من فجر اليوم، كمائن", "2015-07-21", "فجر اليوم", "relative", "2015-07-21", None, "day"),
    ("وأصيب مساء أمس الجمعة اربعة فلسطينيين", "2015-08-08", "مساء أمس الجمعة", "weekday", "2015-08-07", None,
     "day"),
    ("اختطاف الشاب مارك الحاج موسى، قبل ثلاثة أيام على أيدي", "2015-08-08", "قبل ثلاثة أيام", "relative",
     "2015-08-05", None, "day"),
    ("مفاوضات سلام مباشرة قبل أسبوعين في باكستان", "2015-07-21", "قبل أسبوعين", "relative", "2015-07-07", None,
     "week"),
]

PERIODS = [
    ("كما أحرقوا خلال الأسبوع الماضي نصف القرية", "2015-07-21", "الأسبوع الماضي", "period", "2015-07-21",
     "2015-07-14", "week"),
    ("رئيس هيئة قناة السويس، الشهر الماضي، إن", "2015-07-21", "الشهر الماضي", "period", "2015-06-30", "2015-06-01",
     "month"),
    ("التي خسرتها في بنغازي العام الماضي، لكن", "2015-07-21", "العام الماضي", "period", "2014-12-31", "2014-01-01",
     "year"),
    ("الأنبار وصلاح الدين خلال اليومين الماضيين.", "2015-07-22", "خلال اليومين الماضيين", "period", "2015-07-22",
     "2015-07-20", "day"),
    ("على مدى الـ24 ساعة الماضية، اشتباكات", "2015-07-25", "على مدى الـ24 ساعة الماضية", "period", "2015-07-25",
     "2015-07-24", "day"),
    ("وتعيش ليبيا حالة من الفوضى منذ عام 2011، بعد", "2018-05-02", "منذ عام 2011", "period", "2018-05-02",
     "2011-01-01", "year"),
    ("في حصيلة يومية هي الأعلى منذ ثلاث سنوات في", "2018-02-20", "منذ ثلاث سنوات", "period", "2018-02-20",
     "2015-02-20", "year"),
    ("انشقوا عنه منذ بداية العام، وبحسب", "2015-07-21", "منذ بداية العام", "period", "2015-07-21", "2015-01-01",
     "year"),
    ("اعتقلت منذ الجمعة في جميع أنحاء تركيا", "2015-07-26", "منذ الجمعة", "period", "2015-07-26", "2015-07-24",
     "day"),
    ("في وقت سابق الأسبوع الجاري.", "2015-07-25", "الأسبوع الجاري", "period", "2015-07-25", "2015-07-19", "week"),
]

MONTHS_YEARS = [
    ("زب العمال المعارض رئيسا جديدا في سبتمبر أيلول قبل", "2015-07-21", "سبتمبر أيلول", "month", "2014-09-30",
     "2014-09-01", "month"),
    ("ووقعت مصر في فبراير (شباط) الماضي اتفاقية", "2015-07-21", "فبراير (شباط) الماضي", "month", "2015-02-28",
     "2015-02-01", "month"),
    ("والتي أطلقها مطلع أكتوبر 2016، وعلق", "2018-04-02", "مطلع أكتوبر 2016", "month", "2016-10-31", "2016-10-01",
     "month"),
    ("شمال وغرب العراق في عام 2014 بضمنها", "2018-02-19", "عام 2014", "year", "2014-12-31", "2014-01-01", "year"),
    ("بدعم تنظيم القاعدة في 2003 والإفراج عنه", "2018-04-04", "في 2003", "year", "2003-12-31", "2003-01-01", "year"),
]


@pytest.mark.parametrize("phrase, pub, written, kind, value, start, precision",
                         SEED + ABSOLUTE + HIJRI + WEEKDAYS + RELATIVE + PERIODS + MONTHS_YEARS)
def test_times_resolve_against_publication(phrase, pub, written, kind, value, start, precision):
    assert (written, kind, value, start, precision) in times(phrase, pub)


@pytest.mark.parametrize("phrase", [
    "اعتبر الدكتور خليل الخليل",              # ليل inside a word
    "وتقول تيريزا ماي إن",                      # a name, not the month ماي
    "في اليوم التالي للهجوم",                   # the day after an event, not publication day
    "الأمين العام الحالي للأمم المتحدة",        # "general", not "year"
    "وقال لصحيفة «اليوم» إن",                   # the newspaper al-Yaum
    "الخلاف بين الاثنين",                       # "the two"
    "قبل عدة أيام",                             # vague: no day to point to
    "حرب تموز",                                 # a war's name, no day
])
def test_times_ignore_lookalikes(phrase):
    assert times(phrase, SEED_PUB) == []


@pytest.mark.parametrize("phrase, kind", [
    ("قال المسؤول أمس إن", "relative"), ("دعا الاثنين عناصره", "weekday"), ("خلال الأسبوع الماضي", "period"),
    ("في سبتمبر", "month"), ("منذ التاسع من يناير", "period"),
])
def test_times_without_publication_date_leave_relative_values_unknown(phrase, kind):
    (_, k, value, start, _), = times(phrase, None)
    assert k == kind and value is None and start is None


def test_times_absolute_dates_need_no_publication_date():
    assert ("8 مارس 2016", "date", "2016-03-08", None, "day") in times("في 8 مارس 2016.", None)


def test_times_stage_uses_the_date_line_never_today():
    text = "عنوان الخبر\nالثلاثاء 19 مارس 2019\nقال مسؤول أمس إن الهجوم وقع الاثنين."
    article = Article(text=text)
    pipeline = Pipeline.default(["marsad.text.boilerplate:mark_boilerplate", "marsad.text.sentences:split_sentences",
                                 "marsad.text.tokens:tokenize", "marsad.dates.times:find_times"])
    pipeline(article)
    assert (article.date, article.date_source) == ("2019-03-19", "text")
    values = {article.span_text(t.span): t.value for t in article.layer("times")}
    assert values["أمس"] == "2019-03-18" and values["الاثنين"] == "2019-03-18"
    undated = marsad.extract("قال مسؤول أمس إن الهجوم وقع الاثنين.")
    assert undated.date is None
    assert [t.value for t in undated.layer("times")] == [None, None]


@pytest.mark.parametrize("line, iso", [
    ("الثلاثاء 19 مارس 2019", "2019-03-19"), ("19 آذار/مارس 2019", "2019-03-19"),
    ("25 شوال 1436 هـ", "2015-08-10"), ("19 مارس", None), ("قال مسؤول في 19 مارس 2019", None),
])
def test_times_parse_date_line(line, iso):
    assert parse_date_line(line) == iso


def test_times_spans_are_exact_on_the_seed(seed_text):
    article = Article(text=seed_text, date=SEED_PUB)
    article.layers.update(mark_boilerplate(article))
    found = find_times(article)["times"]
    written = {article.span_text(t.span): t.value for t in found}
    assert written["منذ التاسع من يناير"] == SEED_PUB
    assert written["اليوم الثلاثاء"] == SEED_PUB and written["الإثنين"] == "2019-03-18"
    assert {t.kind for t in found} >= {"date", "weekday", "period"}


@pytest.mark.parametrize("year, month, day, tense, expected", [
    (2019, 3, 25, None, "2019-03-25"), (2019, 12, 25, None, "2018-12-25"), (2019, 3, 25, "past", "2018-03-25"),
    (2019, 2, 30, None, None),
])
def test_times_day_and_month_take_the_nearest_year(year, month, day, tense, expected):
    got = cal.nearest_year(date(2019, 3, 19), month, day, tense)
    assert (got.isoformat() if got else None) == expected


def test_times_hijri_conversion_round_trips():
    g = cal.hijri_to_gregorian(1440, 7, 12)
    assert g == date(2019, 3, 19) and cal.gregorian_to_hijri(g) == (1440, 7, 12)
    assert cal.hijri_to_gregorian(1200, 1, 1) is None      # outside the Umm al-Qura table


@pytest.mark.parametrize("phrase", ["19 مارس 2019", "الاثنين", "الجمعة", "أمس", "اليوم", "9 يناير", "2019-03-19",
                                    "19/3/2019", "قبل يومين", "الأحد"])
def test_times_agree_with_dateparser_where_it_reads_arabic(phrase):
    """dateparser is not called at run time (see times.py); on the forms it does read, both agree."""
    import datetime

    import dateparser
    base = datetime.datetime(2019, 3, 19)
    expected = dateparser.parse(phrase, languages=["ar"], settings={"RELATIVE_BASE": base,
                                                                    "PREFER_DATES_FROM": "past"})
    (_, _, value, _, _), = times(phrase, SEED_PUB)
    assert value == expected.date().isoformat()
