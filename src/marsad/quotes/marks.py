"""Pairing quotation marks, nested ones included.

« » are unambiguous. Straight " (and “ ” / „, which outlets use in both directions) are
not: whether a mark opens or closes is read from its neighbours, as a reader does. A
mark with space (or a clitic such as لـ) before it and a letter after it opens; a mark
with a letter or punctuation before it and space or punctuation after it closes. With
that, 'قال "نفذت ... لتنظيم "داعش" في ... بجروح".' pairs as one quotation with a name
quoted inside it, not as two quotations with a gap between them.

Marks pair within one line: a mark left open at the end of a paragraph is a typo
more often than a quotation that runs on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

_FAMILY = {"«": "g", "»": "g", "‹": "g1", "›": "g1", "“": "c", "”": "c", "„": "c", "‟": "c",
           '"': "s", "″": "s", "＂": "s"}
_ALWAYS_OPEN = {"«", "‹", "„"}
_ALWAYS_CLOSE = {"»", "›"}
_CLITIC_BEFORE = re.compile(r"(?:^|[\s(\[/])[وفبلك]{1,2}ـ*$|ـ$")


@dataclass(frozen=True, slots=True)
class Region:
    start: int          # the opening mark
    end: int            # just after the closing mark
    depth: int = 0      # 0 for a top-level quotation

    @property
    def inner(self) -> tuple[int, int]:
        return self.start + 1, self.end - 1


def _role(line: str, i: int) -> str:
    ch = line[i]
    if ch in _ALWAYS_OPEN:
        return "open"
    if ch in _ALWAYS_CLOSE:
        return "close"
    before = line[i - 1] if i > 0 else " "
    after = line[i + 1] if i + 1 < len(line) else " "
    space_before = before.isspace() or before in "([/:،,-–" or bool(_CLITIC_BEFORE.search(line[max(0, i - 4):i]))
    space_after = after.isspace() or after in ".,،:;؛)]!?؟-–" or after in _FAMILY
    if space_before and not space_after:
        return "open"
    if space_after and not space_before:
        return "close"
    return "either"


_MARK_RE = re.compile("[" + "".join(re.escape(ch) for ch in _FAMILY) + "]")


def quote_regions(text: str) -> list[Region]:
    """Every paired quotation in the text, outermost first within each line, sorted by start."""
    regions: list[Region] = []
    for line_m in re.finditer(r"[^\n]+", text):
        line, base = line_m.group(), line_m.start()
        stack: list[tuple[str, int]] = []
        pairs: list[tuple[int, int]] = []
        for m in _MARK_RE.finditer(line):            # the marks only: most characters are none
            i = m.start()
            family = _FAMILY[m.group()]
            role = _role(line, i)
            open_idx = next((k for k in range(len(stack) - 1, -1, -1) if stack[k][0] == family), None)
            if role == "either":
                role = "close" if open_idx is not None else "open"
            if role == "open":
                stack.append((family, i))
            elif open_idx is not None:
                _, start = stack[open_idx]
                del stack[open_idx:]
                pairs.append((start, i + 1))
        pairs.sort()
        for s, e in pairs:
            depth = sum(1 for s2, e2 in pairs if s2 < s and e <= e2)
            regions.append(Region(base + s, base + e, depth))
    return sorted(regions, key=lambda r: (r.start, -r.end))
