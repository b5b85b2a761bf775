import pytest

from marsad.text.normalize import norm, normalize


@pytest.mark.parametrize("raw, expected", [
    ("المتحدّث", "المتحدث"),                 # shadda
    ("حرباً", "حربا"),                        # tanwin
    ("الأميركية", "الاميركيه"),               # hamza on alef, ta marbuta
    ("إصابة", "اصابه"),
    ("آلاف", "الاف"),
    ("مستشفى", "مستشفي"),                    # alef maqsura
    ("مسؤول", "مسوول"),
    ("بـ\u0640المفخّخات", "بالمفخخات"),        # tatweel
    ("٦٦٬٠٠٠", "66,000"),                     # Arabic-Indic digits and separator
    ("۱۲۳", "123"),                           # Persian digits
    ("\ufefb", "لا"),                         # presentation form lam-alef
    ("«الثأر»", '"الثار"'),
    ("“الخلافة”", '"الخلافه"'),
    ("a\u00a0b", "a b"),                       # no-break space
    ("ا\u200fب\u200b", "اب"),                  # bidi mark, zero-width space
    ("CNN", "cnn"),
])
def test_normalize_folds(raw, expected):
    assert normalize(raw).text == expected
    assert norm(raw) == expected


def test_normalize_maps_every_char_back(corpus_sample):
    """On real sentences, each normalised character comes from an original character that folds to it."""
    checked = 0
    for record in corpus_sample:
        text = record["text"]
        n = normalize(text)
        assert len(n.starts) == len(n.text) + 1 and len(n.ends) == len(n.text)
        for i, ch in enumerate(n.text):
            assert ch in norm(text[n.starts[i]:n.ends[i]])
        assert n.starts == sorted(n.starts)
        checked += len(n.text)
    assert checked > 100_000


def test_normalize_span_round_trip_on_a_real_quote(seed_text):
    n = normalize(seed_text)
    needle = norm("اثأروا لدماء إخوانكم")
    i = n.text.index(needle)
    start, end = n.to_original(i, i + len(needle))
    assert seed_text[start:end] == "اثأروا لدماء إخوانكم"
    # a no-break space inside a quote folds to a plain space and maps back to itself
    nb = seed_text.index("\u00a0") if "\u00a0" in seed_text else None
    if nb is not None:
        j = n.from_original(nb)
        assert n.text[j] == " " and n.to_original(j, j + 1) == (nb, nb + 1)


def test_normalize_round_trip_of_every_word(corpus_sample):
    import re
    for record in corpus_sample[:30]:
        text = record["text"]
        n = normalize(text)
        for m in re.finditer(r"\S+", n.text):
            s, e = n.to_original(*m.span())
            assert norm(text[s:e]) == m.group()


def test_normalize_keeps_ornate_parentheses_of_quranic_citations():
    """﴿ ﴾ sit in the presentation-form block but have no decomposition; they used to recurse forever."""
    text = "وتلا ﴿وقاتلوا في سبيل الله﴾ ثم"
    n = normalize(text)
    assert n.text == "وتلا ﴿وقاتلوا في سبيل الله﴾ ثم"
    i = n.text.index("﴿")
    assert n.to_original(i, i + 1) == (text.index("﴿"), text.index("﴿") + 1)


def test_normalize_folds_every_presentation_form_without_error():
    for code in (*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)):
        n = normalize(chr(code))
        assert len(n.starts) == len(n.text) + 1 and norm(chr(code)) == n.text
