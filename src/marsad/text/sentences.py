"""Sentence splitting for Arabic news.

A line break always ends a sentence (scraped news keeps one paragraph a line).
Inside a line, . ! ? ؟ end a sentence when followed by space, except:
inside a quotation (« », “ ”, paired " "), in an ellipsis (.. ... … and "(...)"),
between digits (3.5), or after a one-letter abbreviation (د. م.). The comma-like
، and ؛ never end a sentence. Every non-space character of the article lies in
exactly one sentence.
"""
from __future__ import annotations

import re

from ..article import Article, Sentence, Span
from ..pipeline import stage

_OPEN = {"«": "»", "“": "”", "„": "”", "‹": "›"}
_STRAIGHT = {'"', "\u2033", "\uff02"}
_END = re.compile(r"[.!?؟]+")
# Only quotation marks change the state of quote_regions: it jumps from one to the next.
_QUOTE_MARK = re.compile("[" + re.escape("".join(sorted({*_OPEN, *_OPEN.values(), *_STRAIGHT}))) + "]")
_ELLIPSIS = re.compile(r"\.{2,}|…")


def quote_regions(line: str) -> list[tuple[int, int]]:
    """(start, end) of each paired quotation in a line, marks included; unpaired marks are ignored."""
    regions, stack = [], []
    straight_open = None
    for m in _QUOTE_MARK.finditer(line):
        i, ch = m.start(), m.group()
        if ch in _OPEN:
            stack.append((i, _OPEN[ch]))
        elif stack and ch == stack[-1][1]:
            start, _ = stack.pop()
            if not stack:
                regions.append((start, i + 1))
        elif ch in _STRAIGHT:
            if straight_open is None:
                straight_open = i
            else:
                regions.append((straight_open, i + 1))
                straight_open = None
    return sorted(regions)


def _is_boundary(line: str, m: re.Match, regions) -> bool:
    i, j = m.span()
    if _ELLIPSIS.fullmatch(m.group()) or m.group() == ".":
        if m.group() != ".":
            return False
        if i > 0 and j < len(line) and line[i - 1].isdigit() and line[j].isdigit():
            return False
        if i >= 1 and line[i - 1].isalpha() and (i == 1 or not line[i - 2].isalpha()):
            return False                       # one-letter abbreviation: د. م.
    if any(s < i < e for s, e in regions):
        return False
    return j == len(line) or line[j].isspace() or line[j] in "»”\"')]"


@stage("sentences", requires=["text"], assigns=["sentences"])
def split_sentences(article: Article) -> list[Sentence]:
    """Sentences that cover every non-space character of the article."""
    text = article.text
    sentences = []
    paragraph = 0
    for line_m in re.finditer(r"[^\n]+", text):
        line = line_m.group()
        if not line.strip():
            continue
        base = line_m.start()
        regions = quote_regions(line)
        cut = 0
        for m in _END.finditer(line):
            if not _is_boundary(line, m, regions):
                continue
            end = m.end()
            while end < len(line) and line[end] in "»”\"')]":
                end += 1
            sentences.append(_trimmed(text, base + cut, base + end, paragraph))
            cut = end
        if line[cut:].strip():
            sentences.append(_trimmed(text, base + cut, base + len(line), paragraph))
        paragraph += 1
    return [s for s in sentences if s is not None]


def _trimmed(text: str, start: int, end: int, paragraph: int) -> Sentence | None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Sentence(Span(start, end), paragraph) if end > start else None
