import pytest

from marsad.article import Article
from marsad.text.tokens import analyse, tokenize


@pytest.mark.parametrize("word, stem, also", [
    ("وبالباغوز", "باغوز", ["الباغوز"]),
    ("بالضربات", "ضربات", []),
    ("للمدنيين", "مدنيين", []),
    ("والمسلحين", "مسلحين", []),
    ("فالتنظيم", "تنظيم", []),
    ("الجيش", "جيش", []),
    ("وقال", "وقال", ["قال"]),               # و + verb: offered as a form, not forced
    ("بقوات", "بقوات", ["قوات"]),
    ("لقوات", "لقوات", ["قوات"]),
    ("وصول", "وصول", []),                     # a word, not و + صول: the surface stays the best stem
    ("سيطرت", "سيطرت", []),
])
def test_tokens_separate_proclitics(word, stem, also):
    _, best, forms = analyse(word)
    assert best == stem
    assert word in forms
    for f in also:
        assert f in forms


def test_tokens_keep_surface_offsets():
    text = "وتدكّ هذه القوات الجيبَ بالقذائفِ، وأصيب ٣ مدنيين «بجروح»."
    a = Article(text=text)
    tokens = tokenize(a)["tokens"]
    surface = [text[t.span.start:t.span.end] for t in tokens]
    assert surface == ["وتدكّ", "هذه", "القوات", "الجيبَ", "بالقذائفِ", "،", "وأصيب", "٣", "مدنيين", "«",
                       "بجروح", "»", "."]
    t = tokens[4]
    assert t.stem == "قذايف" and text[t.stem_start:t.span.end] == "قذائفِ"
    assert tokens[7].kind == "number" and tokens[7].norm == "3"


def test_tokens_cover_every_word_of_real_articles(corpus_sample):
    for record in corpus_sample[:20]:
        a = Article(text=record["text"])
        tokens = tokenize(a)["tokens"]
        covered = sum(len(t.span) for t in tokens)
        non_space = sum(1 for c in a.text if not c.isspace() and c not in "\u200b\u200c\u200d\u200e\u200f\ufeff")
        assert covered >= 0.99 * non_space
        assert all(a.text[t.span.start:t.span.end].strip() for t in tokens)
