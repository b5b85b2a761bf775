"""Inputs that crashed the pipeline (issue 19): each one now extracts, says what it clamped, and
keeps the output's invariants (every span exact, counts >= 0, dates ISO inside the supported range).

The sentences are from the seed article (published 2019-03-19) with the failing expression added
where a reporter would write it.
"""
import json
from datetime import date

import pytest

import marsad
from marsad.dates import calendar as cal
from marsad.output import to_record
from marsad.readers import clean_text, from_record

SEED_SENTENCE = ("بيروت - قال مسؤول إعلامي بقوات سوريا الديمقراطية إن قوات سوريا الديمقراطية سيطرت سيطرة "
                 "تامة على مخيم كان يتحصن فيه مقاتلو تنظيم الدولة الإسلامية في الباغوز قرب الحدود العراقية")
KILLED = "وقتل خمسة مدنيين في قصف على بلدة الباغوز"
DATE_KEYS = {"date", "date_start", "value", "start"}


def spans(obj):
    if isinstance(obj, dict):
        if set(obj) >= {"start", "end", "text"} and isinstance(obj["start"], int):
            yield obj
        for v in obj.values():
            yield from spans(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from spans(v)


def check_invariants(record: dict, text: str) -> None:
    """What every output must hold, whatever the input (used by the fuzz test too)."""
    json.dumps(record, ensure_ascii=False).encode("utf-8")         # printable and storable
    for s in spans(record):
        assert 0 <= s["start"] <= s["end"] <= len(text)
        assert text[s["start"]:s["end"]] == s["text"]
    for layer in ("events", "figures", "quotes", "times", "places", "entities", "actors"):
        for item in record[layer]:
            for key in DATE_KEYS & set(item):
                value = item[key]
                if isinstance(value, str):
                    assert cal.in_range(date.fromisoformat(value)), (layer, key, value)
    for e in record["events"]:
        for key in ("fatalities", "injured", "detained"):
            assert e[key] is None or e[key] >= 0
    for f in record["figures"]:
        assert f["value"] >= 0


def extract(text: str, pub: str | None) -> tuple[dict, str]:
    article = from_record({"text": text, "date": pub}, "test")
    record = to_record(marsad.extract(article))
    check_invariants(record, article.text)
    return record, article.text


@pytest.mark.parametrize("phrase, bound", [
    ("قبل 3000 سنة", cal.MIN_DAY),          # ValueError: year -981 is out of range
    ("منذ 2019 عاما", cal.MIN_DAY),         # ValueError: year 0 is out of range
    ("قبل 800000 يوم", cal.MIN_DAY),        # OverflowError: date value out of range
])
def test_far_relative_times_clamp_and_say_so(phrase, bound):
    record, text = extract(f"{KILLED} {phrase}.", "2019-03-19")
    t = next(t for t in record["times"] if t["span"]["text"] == phrase)
    assert bound.isoformat() in (t["value"], t["start"])
    assert any(phrase in w and "outside the supported dates" in w for w in record["warnings"])


def test_relative_times_near_the_publication_date_are_not_clamped():
    record, _ = extract(f"{KILLED} قبل ثلاثة أيام.", "2019-03-19")
    assert [t["value"] for t in record["times"]] == ["2019-03-16"]
    assert record["warnings"] == [] or not any("outside" in w for w in record["warnings"])


def test_digit_run_beyond_any_count_is_no_quantity():
    digits = "9" * 400                            # OverflowError: cannot convert float infinity to integer
    record, _ = extract(f"وقتل {digits} شخصا في قصف على بلدة الباغوز أمس.", "2019-03-19")
    assert all(digits not in f["evidence"]["text"] or f["value"] < 10**11 for f in record["figures"])
    article = marsad.extract(from_record({"text": f"وقتل {digits} شخصا", "date": "2019-03-19"}, "test"))
    assert article.layer("quantities") == []
    small = marsad.extract(from_record({"text": "وقتل 66 شخصا", "date": "2019-03-19"}, "test"))
    assert [q.value for q in small.layer("quantities")] == [66]


def test_digit_run_in_a_since_expression():
    record, _ = extract(f"{KILLED} منذ {'9' * 5000} يوم", "2019-03-19")
    assert all(len(t["span"]["text"]) < 100 for t in record["times"])


@pytest.mark.parametrize("line", ["9999/12/31", "0001/01/01"])
def test_date_lines_outside_the_supported_range_are_no_publication_date(line):
    # OverflowError: date value out of range (the date line became the publication date)
    record, _ = extract(f"{line}\n{SEED_SENTENCE} أمس، و{KILLED} الاثنين الماضي.", None)
    assert record["date"] is None
    assert all(e["date"] is None for e in record["events"])


@pytest.mark.parametrize("pub, near", [("0001-01-01", cal.MIN_DAY), ("9999-12-31", cal.MAX_DAY)])
def test_publication_dates_at_the_edges_clamp_and_say_so(pub, near):
    text = f"{KILLED} غدا، وقصفت الطائرات بلدة الباغوز الاثنين خلال الأسبوع الماضي."
    record, _ = extract(text, pub)
    assert record["date"] == near.isoformat()
    assert any(pub in w and "outside the dates marsad resolves" in w for w in record["warnings"])
    assert record["times"]


def test_a_lone_surrogate_is_replaced_one_for_one():
    text = f"{SEED_SENTENCE} \ud800 {KILLED} أمس."
    assert clean_text(text) == text.replace("\ud800", "\ufffd")
    assert len(clean_text(text)) == len(text)
    record, clean = extract(text, "2019-03-19")       # UnicodeEncodeError in content_hash
    assert "\ud800" not in clean and clean.index("\ufffd") == text.index("\ud800")
    assert record["content_hash"]
    # A pair of surrogates as JSON writes an emoji decodes to one character and is kept.
    emoji = json.loads('"\\ud83d\\ude00"')
    assert clean_text(emoji) == emoji == "\U0001F600"


def test_surrogates_in_the_other_fields_are_replaced_too():
    article = from_record({"text": KILLED, "title": "عنوان \udc80", "id": "a\ud800", "source": "\udfff"}, "t")
    assert (article.title, article.id, article.source) == ("عنوان \ufffd", "a\ufffd", "\ufffd")
