from marsad.article import Article
from marsad.text.sentences import split_sentences


def sentences(text):
    a = Article(text=text)
    return [a.span_text(s.span) for s in split_sentences(a)["sentences"]]


def test_sentences_split_on_arabic_question_mark_not_comma():
    assert sentences("هل انتهت المعركة؟ قال المسؤول، في بيان؛ إنها لم تنته.") == [
        "هل انتهت المعركة؟", "قال المسؤول، في بيان؛ إنها لم تنته."]


def test_sentences_keep_quotations_whole():
    text = 'وأكد المتحدث أن "معركتنا لم تبدأ بعد. فارقبوها حرباً". وغادر.'
    assert sentences(text) == ['وأكد المتحدث أن "معركتنا لم تبدأ بعد. فارقبوها حرباً".', "وغادر."]
    assert sentences("قال «انتهى الأمر. عدنا» ثم صمت.") == ["قال «انتهى الأمر. عدنا» ثم صمت."]


def test_sentences_survive_ellipsis_numbers_and_abbreviations():
    assert sentences("غزوة للثأر.. فأحكموا العبوات. ثم رحلوا") == ["غزوة للثأر.. فأحكموا العبوات.", "ثم رحلوا"]
    assert sentences("لم يحم وطيسها بعد(...) فارقبوها.") == ["لم يحم وطيسها بعد(...) فارقبوها."]
    assert sentences("ارتفع بنسبة 3.5 في المئة. وقال د. أحمد إن ذلك مهم.") == [
        "ارتفع بنسبة 3.5 في المئة.", "وقال د. أحمد إن ذلك مهم."]


def test_sentences_break_at_lines(seed_text):
    a = Article(text=seed_text)
    result = split_sentences(a)["sentences"]
    covered = set()
    for s in result:
        assert "\n" not in a.span_text(s.span)
        assert a.span_text(s.span) == a.span_text(s.span).strip()
        covered.update(range(s.span.start, s.span.end))
    assert all(i in covered for i, c in enumerate(seed_text) if not c.isspace())
    texts = [a.span_text(s.span) for s in result]
    assert 'وأضاف "لا نعلم إن كانوا سيقاومون أم لا".' in texts


def test_sentences_cover_real_articles(corpus_sample):
    for record in corpus_sample:
        a = Article(text=record["text"])
        spans = [s.span for s in split_sentences(a)["sentences"]]
        assert all(x.end <= y.start for x, y in zip(spans, spans[1:]))
        text_chars = {i for i, c in enumerate(a.text) if not c.isspace()}
        in_sentences = {i for s in spans for i in range(s.start, s.end)}
        assert text_chars <= in_sentences
