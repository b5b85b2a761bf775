"""per_word: a rule's per-token facts computed once per normalised word, bounded."""
from marsad.article import Article
from marsad.text.tokens import tokenize
from marsad.text.wordcache import per_word


def test_wordcache_computes_once_per_normalised_word_and_keeps_falsy_answers():
    calls = []

    @per_word
    def is_long(t):
        calls.append(t.norm)
        return len(t.norm) > 5

    tokens = tokenize(Article(text="قال المرصد إن القوات قصفت القرية، وقال المرصد إن القوات انسحبت"))["tokens"]
    answers = [is_long(t) for t in tokens]
    assert answers == [len(t.norm) > 5 for t in tokens]
    assert sorted(calls) == sorted({t.norm for t in tokens})      # False answers are cached too


def test_wordcache_stays_bounded():
    @per_word(limit=3)
    def norm_of(t):
        return t.norm

    for t in tokenize(Article(text="واحد اثنان ثلاثة أربعة خمسة ستة سبعة"))["tokens"]:
        norm_of(t)
        assert len(norm_of.cache) <= 3
