import pytest

from marsad.article import Article
from marsad.text.boilerplate import mark_boilerplate


def marks(text, **kw):
    a = Article(text=text, **kw)
    return a, mark_boilerplate(a)["boilerplate"]


def test_boilerplate_on_the_worked_example(seed_text):
    a, found = marks(seed_text)
    kinds = [(b.kind, a.span_text(b.span)) for b in found]
    assert ("dateline", "بيروت -") in kinds
    assert ("date_line", "الثلاثاء 2019/03/19") in kinds
    repeated = [t for k, t in kinds if k == "repeated"]
    assert repeated.count("قوات سوريا الديمقراطية تسيطر على أراض جديدة في الباغوز") == 2
    assert repeated.count("المعركة الحاسمة ضد داعش") == 2
    dateline = next(b for b in found if b.kind == "dateline")
    assert dateline.value == "بيروت" and a.span_text(dateline.value_span) == "بيروت"
    assert a.date == "2019-03-19" and a.date_source == "text"


@pytest.mark.parametrize("line, city", [
    ("عدن - (رويترز) - قال مسؤول إن", "عدن"),
    ("القاهرة (رويترز) - أعلن الجيش", "القاهرة"),
    ("دبي، الإمارات العربية المتحدة (CNN) --\u00a0قتل فلسطينيان", "دبي، الإمارات العربية المتحدة"),
    ("بيروت – أ ف ب: قال", "بيروت"),
])
def test_boilerplate_datelines(line, city):
    a, found = marks(line)
    datelines = [b for b in found if b.kind == "dateline"]
    assert datelines and datelines[0].value == city


@pytest.mark.parametrize("line", [
    "وقال المسؤول: إن القوات تقدمت",
    "وأضاف النائب - في تصريح - أن",
    "الاثنين - أعلنت الشرطة",
])
def test_boilerplate_speech_is_not_a_dateline(line):
    _, found = marks(line)
    assert not [b for b in found if b.kind == "dateline"]


def test_boilerplate_outlet_lead_is_an_agency_not_a_place():
    a, found = marks("سبق- أعلنت وزارة الداخلية القبض على خلية.")
    assert [b.kind for b in found] == ["agency"]


def test_boilerplate_keeps_metadata_date():
    a, _ = marks("الخميس 2024/05/16\nنص", date="2024-05-17", date_source="input")
    assert a.date == "2024-05-17"
