import pickle

import pytest

import marsad
from marsad.article import Article, Span
from marsad.errors import PipelineError
from marsad.pipeline import Pipeline, stage
from marsad.text.sentences import split_sentences
from marsad.text.tokens import tokenize


@stage("shouting", requires=["tokens"], assigns=["shouts"])
def shouting(article):
    return [t.span for t in article.layer("tokens") if t.kind == "punct"]


def test_pipeline_rejects_a_wrong_order_at_construction():
    with pytest.raises(PipelineError) as e:
        Pipeline([shouting, tokenize])
    assert "'shouting' needs 'tokens'" in str(e.value) and "E010" in str(e.value)


def test_pipeline_rejects_two_stages_assigning_one_layer():
    with pytest.raises(PipelineError, match="E011"):
        Pipeline([tokenize, tokenize])


def test_pipeline_runs_stages_in_order_and_times_them():
    p = Pipeline([tokenize, split_sentences, shouting])
    a = p(Article(text="قال: نعم. ثم مضى!"))
    assert [a.span_text(s) for s in a.layer("shouts")] == [":", ".", "!"]
    assert set(p.timings) == {"tokens", "sentences", "shouting"}


def test_pipeline_default_pickles_by_reference():
    p = marsad.default_pipeline()
    clone = pickle.loads(pickle.dumps(p))
    assert clone.names == p.names
    text = "بيروت - قال مسؤول إن القوات تقدمت."
    assert clone(Article(text=text)).to_dict() == p(Article(text=text)).to_dict()


def test_article_round_trips_through_json(seed_text):
    import json
    a = marsad.extract(Article(text=seed_text, id="seed", date="2019-03-19", date_source="input"))
    data = json.loads(json.dumps(a.to_dict(), ensure_ascii=False))
    b = Article.from_dict(data)
    assert b == a
    assert b.layer("tokens")[0].span == a.layer("tokens")[0].span


def test_article_rejects_a_span_whose_text_disagrees():
    from marsad.errors import MarsadError
    a = Article(text="قال المسؤول", layers={"sentences": []})
    data = a.to_dict()
    data["layers"]["sentences"] = [{"span": {"start": 0, "end": 3, "text": "غير"}, "paragraph": 0}]
    with pytest.raises(MarsadError, match="E003"):
        Article.from_dict(data)
    with pytest.raises(MarsadError, match="E001"):
        Span(5, 2)
