"""CoNLL files (one `token TAG` per line, blank line between sentences) and BIO spans.

ANERcorp writes `PERS`; marsad's entities say `PER`. Tags are read as written and
mapped with `to_marsad_label` only where an Entity is built, so `marsad ner tag`
writes the corpus' own tag set back and anyone's scorer reads it.

A line's tag is its last space-separated field and the token is everything before
it: ANERcorp has a few tokens with inner spaces or no characters at all.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

LABELS = {"PERS": "PER", "PER": "PER", "LOC": "LOC", "ORG": "ORG", "MISC": "MISC"}


def read_conll(path: str | Path) -> list[tuple[list[str], list[str]]]:
    """[(tokens, tags)] per sentence. A line without a tag reads as an `O` token."""
    sentences: list[tuple[list[str], list[str]]] = []
    tokens: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip():
                if tokens:
                    sentences.append((tokens, tags))
                    tokens, tags = [], []
                continue
            token, sep, tag = line.rpartition(" ")
            if not sep or not _is_tag(tag):
                token, tag = line, "O"
            tokens.append(token.strip())
            tags.append(tag)
    if tokens:
        sentences.append((tokens, tags))
    return sentences


def _is_tag(tag: str) -> bool:
    return tag == "O" or (len(tag) > 2 and tag[1] == "-" and tag[0] in "BI")


def write_conll(sentences: Iterable[tuple[list[str], list[str]]]) -> Iterator[str]:
    """`token<TAB>tag` lines with a blank line after each sentence."""
    for tokens, tags in sentences:
        for token, tag in zip(tokens, tags):
            yield f"{token}\t{tag}\n"
        yield "\n"


def bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(first, last + 1, type) of each chunk, as conlleval reads BIO: an I- tag whose
    type differs from the chunk before it (or that follows O) starts a new chunk."""
    spans = []
    start, kind = None, None
    for i, tag in enumerate(list(tags) + ["O"]):
        prefix, _, t = tag.partition("-")
        begins = prefix == "B" or (prefix == "I" and t != kind)
        if start is not None and (prefix == "O" or begins):
            spans.append((start, i, kind))
            start, kind = None, None
        if prefix in ("B", "I") and begins:
            start, kind = i, t
    return spans


def to_marsad_label(kind: str) -> str:
    return LABELS.get(kind, kind)
