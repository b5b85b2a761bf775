"""Normalisation for matching, with a map back to the original offsets.

`normalize(text)` returns a `Normalized`: the matching form of the text and, for
each of its characters, where it came from. A stage matches on `norm.text` and
reports `norm.to_original(start, end)`, so evidence spans always point into the
untouched article text.

What is folded (the forms vary between outlets, scrapers and keyboards):
diacritics and tatweel (dropped); alef with hamza/madda/wasla → ا; ى → ي; ة → ه;
ؤ → و; ئ → ي; Arabic-Indic and Persian digits → 0-9; Arabic thousands/decimal
separators → , and .; presentation forms (U+FB50–U+FEFF) → their base letters;
Persian ک ی → ك ي; no-break, thin and other spaces → space; zero-width and bidi
controls (dropped); every quotation mark « » “ ” „ ″ ‹ › 〝 〞 → "; Latin lowercased.

Written here rather than taken from camel-tools/pyarabic because neither keeps an
offset map, and the map is the point: spans must survive normalisation.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_DROP = (
    [chr(c) for c in range(0x0610, 0x061B)]      # Quranic marks
    + [chr(c) for c in range(0x064B, 0x0660)]    # harakat, tanwin, shadda, sukun
    + ["\u0670", "\u0640"]                        # superscript alef, tatweel
    + [chr(c) for c in range(0x06D6, 0x06EE)]    # Quranic annotation signs
    + ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad",  # zero-width, soft hyphen
       "\u200e", "\u200f", "\u061c"]              # LRM, RLM, ALM
    + [chr(c) for c in range(0x202A, 0x202F)]    # bidi embeddings/overrides
    + [chr(c) for c in range(0x2066, 0x206A)]    # bidi isolates
)
_ONE_TO_ONE = {
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا",
    "ى": "ي", "ی": "ي", "ې": "ي", "ئ": "ي", "ة": "ه", "ۃ": "ه", "ؤ": "و",
    "ک": "ك", "ڪ": "ك", "ھ": "ه", "ە": "ه",
    "٬": ",", "٫": ".",
    "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\u200a": " ", "\u2002": " ",
    "\u2003": " ", "\u2004": " ", "\u2005": " ", "\u2006": " ", "\u2008": " ", "\u205f": " ",
    "\u3000": " ", "\t": " ",
    "«": '"', "»": '"', "“": '"', "”": '"', "„": '"', "‟": '"', "″": '"', "‹": '"', "›": '"',
    "〝": '"', "〞": '"', "＂": '"', "‘": "'", "’": "'", "‚": "'",
    "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-",
}
_ONE_TO_ONE.update({chr(0x0660 + i): str(i) for i in range(10)})   # Arabic-Indic
_ONE_TO_ONE.update({chr(0x06F0 + i): str(i) for i in range(10)})   # Persian


@lru_cache(maxsize=4096)
def _fold(ch: str) -> str:
    """The matching form of one character ('' when dropped)."""
    if ch in _ONE_TO_ONE:
        return _ONE_TO_ONE[ch]
    if ch in _DROP_SET:
        return ""
    o = ord(ch)
    if 0xFB50 <= o <= 0xFDFF or 0xFE70 <= o <= 0xFEFF:   # presentation forms
        base = unicodedata.normalize("NFKC", ch)
        if base == ch:    # no decomposition: ornate parentheses ﴾ ﴿, unassigned and noncharacters
            return ch
        return "".join(_fold(c) for c in base if c != " ")
    if "A" <= ch <= "Z":
        return ch.lower()
    return ch


_DROP_SET = frozenset(_DROP)


@dataclass(slots=True)
class Normalized:
    """A normalised copy of `original` with offsets back into it."""
    original: str
    text: str
    starts: list[int]   # starts[i]: original offset of normalised char i; starts[len] = len(original)
    ends: list[int]     # ends[i]: original offset just after the char i came from

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Original (start, end) of the normalised slice [start, end)."""
        if start >= end:
            o = self.starts[start] if start < len(self.starts) else len(self.original)
            return o, o
        return self.starts[start], self.ends[end - 1]

    def from_original(self, offset: int) -> int:
        """The first normalised index at or after an original offset."""
        import bisect
        return bisect.bisect_left(self.starts, offset, 0, len(self.text))


def _build_table() -> tuple[dict[int, str], str]:
    """Every character `_fold` changes, as a `str.translate` table, and the class of those
    that do not fold to exactly one character (dropped or expanded)."""
    chars = set(_ONE_TO_ONE) | _DROP_SET | {chr(c) for c in range(ord("A"), ord("Z") + 1)}
    chars |= {chr(c) for c in (*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00))}
    table, irregular = {}, []
    for ch in sorted(chars):
        f = _fold(ch)
        if f != ch:
            table[ord(ch)] = f
        if len(f) != 1:
            irregular.append(ch)
    return table, "".join(irregular)


_TABLE, _IRREGULAR_CHARS = _build_table()
_IRREGULAR = re.compile("[" + re.escape(_IRREGULAR_CHARS) + "]")


@lru_cache(maxsize=16)
def normalize(text: str) -> Normalized:
    """Cached: every stage of one article shares the same normalised copy.

    `str.translate` folds the text in C. Most characters fold to exactly one character,
    so the offset map is the identity between the few that are dropped (diacritics,
    tatweel, zero-width marks) or expanded (ligatures); only those are visited here."""
    folded = text.translate(_TABLE)
    starts: list[int] = []
    ends: list[int] = []
    pos = 0
    for m in _IRREGULAR.finditer(text):
        i = m.start()
        if i > pos:
            starts.extend(range(pos, i))
            ends.extend(range(pos + 1, i + 1))
        f = _TABLE[ord(text[i])]
        if f:
            starts.extend([i] * len(f))
            ends.extend([i + 1] * len(f))
        pos = i + 1
    starts.extend(range(pos, len(text) + 1))
    ends.extend(range(pos + 1, len(text) + 1))
    return Normalized(text, folded, starts, ends)


def norm(text: str) -> str:
    """Just the matching form, for lexicons: they go through the same folding as the text."""
    return text.translate(_TABLE)


@lru_cache(maxsize=4096)       # rules also build small lexicons inline, article after article
def norm_set(words: str) -> frozenset[str]:
    """A lexicon from space-separated words, folded like the text it is matched against."""
    return frozenset(norm(w) for w in words.split())
