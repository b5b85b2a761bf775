"""Tokens with proclitics separated for matching, offsets kept on the surface word.

Arabic glues conjunctions, prepositions and the article to the word: وبالباغوز is
و + ب + ال + باغوز. A token keeps the whole surface word as its span and adds its
`stem` (the best analysis: the article and the proclitics before it are stripped,
which is unambiguous) and `forms` (every plausible stem, including و/ف/ب/ل/ك/س
stripped without an article, which is ambiguous: وصول is a word, not و + صول).
Lexicon lookups try every form; spans stay on the surface word.

Hand-written because the offline segmenters do not fit: farasa is research-only
and camel-tools' analyser needs a download (see ../shared/STACK.md); spaCy's
blank Arabic tokenizer does not split clitics.
"""
from __future__ import annotations

import re
from functools import lru_cache

from ..article import Article, Span, Token
from ..pipeline import stage
from .normalize import normalize

_AR = "\u0621-\u063a\u0641-\u064a\u0671-\u06d3\u06fa-\u06ff\ufb50-\ufdff\ufe70-\ufefc"
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640\u200c\u200d"
_DIGIT = "0-9\u0660-\u0669\u06f0-\u06f9"
TOKEN_RE = re.compile(
    rf"(?P<number>[{_DIGIT}]+(?:[.,\u066b\u066c][{_DIGIT}]+)*)"
    rf"|(?P<word>[{_AR}][{_AR}{_MARKS}]*)"
    rf"|(?P<latin>[A-Za-z\u00c0-\u024f]+(?:['’][A-Za-z]+)?)"
    rf"|(?P<punct>\.\.\.?|[^\s\w]|_)"
    rf"|(?P<symbol>[^\s])"
)

_TRAILING_MARK = re.compile(f"[{_MARKS}]")
# _MARKS lies within U+0600–U+06FF plus ZWNJ/ZWJ: the same class as a set, for a cheap `in`.
_TRAILING_MARKS = frozenset(ch for ch in map(chr, (*range(0x0600, 0x0700), 0x200C, 0x200D))
                            if _TRAILING_MARK.match(ch))
_ARTICLE_PREFIXES = ("", "و", "ف", "ب", "ك", "وب", "فب", "وك", "فك")
_PROCLITICS = ("و", "ف", "ب", "ل", "ك", "س", "وب", "ول", "وك", "وس", "فب", "فل", "فك", "فس")


def analyse(word: str) -> tuple[int, str, list[str]]:
    """(length of the stripped prefix, best stem, every plausible stem) of a normalised word."""
    cut, stem, forms = _analysed(word)
    return cut, stem, list(forms)


# News repeats its words: the 16k most frequent forms are 93% of the corpus's word tokens; 64k hold
# every word type of a 2,000-article corpus (about 20 MB).
@lru_cache(maxsize=1 << 16)
def _analysed(word: str) -> tuple[int, str, tuple[str, ...]]:
    forms = [word]
    best_cut = 0
    for p in _ARTICLE_PREFIXES:
        if word.startswith(p + "ال") and len(word) - len(p) - 2 >= 2:
            best_cut = len(p) + 2
            break
    else:
        for p in ("ل", "ول", "فل"):
            if word.startswith(p + "ل") and len(word) - len(p) - 1 >= 3:   # لل = ل + ال
                best_cut = len(p) + 1
                break
    if best_cut:
        forms.append(word[best_cut:])
    for p in _PROCLITICS:
        rest = word[len(p):]
        if word.startswith(p) and len(rest) >= 3 and rest not in forms:
            forms.append(rest)
            if rest.startswith("ال") and len(rest) >= 4 and rest[2:] not in forms:
                forms.append(rest[2:])
    return best_cut, word[best_cut:], tuple(forms)


@stage("tokens", requires=["text"], assigns=["tokens"])
def tokenize(article: Article) -> list[Token]:
    """Words, numbers, Latin words and punctuation, each with its normalised forms."""
    text = article.text
    n = normalize(text)
    starts, ends, size = n.starts, n.ends, len(text)
    tokens = []
    append = tokens.append
    for m in TOKEN_RE.finditer(n.text):
        kind = m.lastgroup
        a, b = m.span()
        word = m.group()
        start, end = starts[a], ends[b - 1]      # n.to_original(a, b): every match is non-empty
        if kind == "word":
            while end < size and text[end] in _TRAILING_MARKS:   # keep tanwin/tatweel on the word
                end += 1
            cut, stem, forms = _analysed(word)
            forms = list(forms)
            stem_start = starts[a + cut]
        else:
            stem, forms, stem_start = word, [word], start
        append(Token(Span(start, end), word, stem, stem_start, kind, forms))
    return tokens
