"""The "ner" pipeline stage: marsad's tokens, sentence by sentence, through the tagger.

marsad's tokens are surface words with punctuation split off, close to ANERcorp's
tokens, so each sentence's token texts go to the tagger as they are and every BIO
chunk becomes an Entity whose span runs from its first token's start to its last
token's end in the original text. The score is the mean of the tagger's per-token
probabilities. A name found confidently in one sentence is then tagged where the
tagger missed it elsewhere in the article (`consistency.py`). The model loads on first use and is cached per process
(`model.load`); the stage itself holds nothing and pickles by reference.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right

from ..article import Article, Entity, Span
from ..pipeline import stage
from .conll import bio_spans, to_marsad_label
from .consistency import tag_document
from .model import load

LABELS = ("PER", "LOC", "ORG", "MISC")


def sentence_tokens(article: Article) -> list[list]:
    """The article's tokens grouped by sentence (tokens outside every sentence are skipped)."""
    tokens = article.layer("tokens")
    starts = [t.span.start for t in tokens]
    ends = [t.span.end for t in tokens]          # tokens do not overlap: both lists ascend
    groups, i = [], 0
    for s in article.layer("sentences"):
        a = bisect_left(starts, s.span.start, i)
        b = bisect_right(ends, s.span.end, a)
        if b > a:
            groups.append(tokens[a:b])
        i = b
    return groups


def entities_of(article: Article, tagger=None) -> list[Entity]:
    tagger = tagger or load()
    groups = sentence_tokens(article)
    sentences = [[article.text[t.span.start:t.span.end] for t in group] for group in groups]
    out = []
    for group, (tags, scores) in zip(groups, tag_document(tagger, sentences)):
        if tags.count("O") == len(tags):
            continue
        for a, b, kind in bio_spans(tags):
            label = to_marsad_label(kind)
            if label not in LABELS:          # a plug-in model's extra types (GPE, DATE...) are not ours
                continue
            score = sum(scores[a:b]) / (b - a)
            out.append(Entity(Span(group[a].span.start, group[b - 1].span.end), label, round(score, 4)))
    return out


@stage("ner", requires=["tokens", "sentences"], assigns=["entities"])
def find_entities(article: Article) -> list[Entity]:
    """Persons, places, organisations and other names (PER / LOC / ORG / MISC)."""
    return entities_of(article)
