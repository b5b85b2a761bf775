"""Quantities: numbers in digits and words, with qualifiers, ranges and rough counts.

Phrases are short quotes from ../shared/data/arabic_conflict_news (and the seed article).
"""
import pytest

from marsad.article import Article
from marsad.numbers.quantities import find_quantities
from marsad.numbers.words import parse_digits
from marsad.text.tokens import tokenize


def quantities(text):
    a = Article(text=text)
    a.layers.update(tokenize(a))
    return [(a.span_text(q.span), q) for q in find_quantities(a)["quantities"]]


def the_one(text):
    found = quantities(text)
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize("phrase, written, value", [
    ("خروج أكثر من 66 ألف شخص", "66 ألف", 66000),                       # digits x multiplier, no case ending
    ("إلى أكثر من سبعين ألفاً", "سبعين ألفاً", 70000),                     # tanwin on the multiplier
    ("بثلاثة آلاف وثمانمائة شخص منذ مارس", "بثلاثة آلاف وثمانمائة", 3800),  # و-joined hundreds, plural آلاف
    ("لتسعة وعشرين شخصًا فيما يتصل", "لتسعة وعشرين", 29),                  # unit before ten
    ("تم ضبط (97) سبعة وتسعين موقوفاً", "سبعة وتسعين", 97),
    ("استقبلت أكثر من نصف مليون نازح", "نصف مليون", 500000),
    ("عن اكثر من 15 الف قتيل و1,5 مليون مهجر", "1,5 مليون", 1500000),      # decimal comma
    ("وفر حوالي 270.000 شخص من السكان", "270.000", 270000),                # dot grouping thousands
    ("وإتلاف ٦٥ ألف أسطوانة غاز", "٦٥ ألف", 65000),                       # Arabic-Indic digits
    ("امتلاك داعش حاليا ١٠ آلاف حساب", "١٠ آلاف", 10000),
    ("نزوح ۱۲۰۰ شخص", "۱۲۰۰", 1200),                                      # Persian digits (hand-built)
    ("خروج 66٬000 شخص", "66٬000", 66000),                                 # Arabic thousands separator
    ("عشرة جنود ليبيين قُتلوا", "عشرة", 10),
    ("وبدأ الجيش قبل أحد عشر شهرا", "أحد عشر", 11),
    ("وأدخلت نحو ألفي شخص", "ألفي", 2000),                                # construct dual of ألف
    ("ويقبع ما يزيد على 6500 أسير فلسطيني", "6500", 6500),
])
def test_quantities_read_digits_and_words(phrase, written, value):
    found = [(w, q.value) for w, q in quantities(phrase) if not q.ordinal]
    assert (written, value) in found


@pytest.mark.parametrize("phrase, written, value", [
    ("قتيلان من حزب الله في غارة", "قتيلان", 2),
    ("أن جنديين عراقيين قتلا", "جنديين", 2),
    ("الميليشيات وامرأتين و17 شابا", "وامرأتين", 2),
    ("أدى إلى مقتل شخص واحد, وإصابة", "شخص واحد", 1),
])
def test_quantities_read_duals_and_one(phrase, written, value):
    assert (written, value) in [(w, q.value) for w, q in quantities(phrase)]


@pytest.mark.parametrize("phrase, value, qualifier", [
    ("خروج أكثر من 66 ألف شخص", 66000, "more_than"),
    ("ونحو 24 ألفاً من أفراد عائلاتهم", 24000, "about"),
    ("أن قرابة ألف أفغاني قتلوا", 1000, "about"),
    ("أبلغت عن وقوع زهاء 100 قتيل", 100, "about"),
    ("نزوح حوالي 320 ألف شخص حتى الآن", 320000, "about"),
    ("ويقبع ما يزيد على 6500 أسير", 6500, "more_than"),
    ("وجمع ما يفوق 3000 قرينة", 3000, "more_than"),
    ("حصيلة قتلى تخطت 370 ألفاً", 370000, "more_than"),
    ("في مديرية التواهي تجاوزت 40 قتيلاً", 40, "more_than"),
    ("بعد مرور أقل من 12 ساعة", 12, "less_than"),
    ("إن ما يصل إلى 40 مهاجرا غرقوا", 40, "less_than"),
    ("مقتل ما لا يقل عن 100 مسلح", 100, "at_least"),
    ("أدت لمقتل 112 مدنيا على الأقل منذ عام 2015", 112, "at_least"),   # qualifier after the noun
    ("مقتل 21 من الضيوف", 21, "exact"),
])
def test_quantities_qualifiers(phrase, value, qualifier):
    q = next(q for w, q in quantities(phrase) if q.value == value)
    assert q.qualifier == qualifier


@pytest.mark.parametrize("phrase, written, value, value_max", [
    ("أن ما بين 20 و25 شخصاً أصيبوا", "20 و25", 20, 25),
    ("بين 100 و160 ضابطا", "100 و160", 100, 160),
    ("أن 35 إلى 40 شخصا لقوا حتفهم", "35 إلى 40", 35, 40),
    ("بين 10 و15 ألفا", "10 و15 ألفا", 10000, 15000),                     # the multiplier covers both
])
def test_quantities_ranges(phrase, written, value, value_max):
    w, q = the_one(phrase)
    assert (w, q.value, q.value_max, q.qualifier) == (written, value, value_max, "at_least")


def test_quantities_a_rise_is_two_numbers_not_a_range():
    found = quantities("وارتفع عدد القتلى من 20 إلى 25")
    assert [(q.value, q.value_max) for _, q in found] == [(20, None), (25, None)]


@pytest.mark.parametrize("phrase, written, value", [
    ("نزوح عشرات العائلات", "عشرات", 10),
    ("تهجير مئات الألوف من عرب", "مئات الألوف", 100000),
    ("عن سقوط عشرات آلاف القتلى", "عشرات آلاف", 10000),
    ("يحاصرون بضعة آلاف من العوائل", "بضعة آلاف", 3000),
    ("نزوح الآلاف من الأسر", "الآلاف", 1000),
    ("وتمكنوا من اصطحاب المئات من أبنائهم", "المئات", 100),
])
def test_quantities_rough_counts_are_vague_lower_bounds(phrase, written, value):
    w, q = the_one(phrase)
    assert (w, q.value, q.vague, q.qualifier) == (written, value, True, "at_least")


@pytest.mark.parametrize("phrase, day", [
    ("منذ التاسع من يناير", 9),
    ("أعادت في الثلاثين من يونيو الماضي", 30),
    ("في الحادي والعشرين من آذار", 21),
])
def test_quantities_ordinal_days(phrase, day):
    _, q = the_one(phrase)
    assert q.ordinal and q.value == day


@pytest.mark.parametrize("phrase", [
    "دعا الاثنين عناصره",          # Monday, not "the two"
    "قتل أحد الجنود",              # "one of", not a count
    "بحسب ما قالت الشرطة وأحد السكان",
    "لست أدري",
    "على بعد 3.5 كلم",             # a fractional measure is not a count
    "القرن الحادي والعشرين",
    "هجومان آخران",
])
def test_quantities_ignore_words_that_only_look_like_numbers(phrase):
    assert [w for w, q in quantities(phrase) if not q.ordinal] == []


@pytest.mark.parametrize("digits, value", [
    ("66,000", 66000), ("1,5", 1.5), ("2.5", 2.5), ("1,200,000", 1200000), ("12", 12), ("1,23,4", None),
])
def test_quantities_parse_digit_strings(digits, value):
    assert parse_digits(digits) == value


def test_quantities_spans_point_into_the_original_text(seed_text):
    a = Article(text=seed_text)
    a.layers.update(tokenize(a))
    found = find_quantities(a)["quantities"]
    written = {a.span_text(q.span): q.value for q in found}
    assert written["66 ألف"] == 66000 and written["سبعين ألفاً"] == 70000 and written["24 ألفاً"] == 24000
    for q in found:
        assert a.span_text(q.span).strip() == a.span_text(q.span)
