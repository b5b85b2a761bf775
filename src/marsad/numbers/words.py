"""Arabic number words and digit strings, resolved to integers.

A compact parser written here rather than taken from pyarabic: pyarabic's
`text2number` reads "سبعين ألفاً" and "ثلاثة آلاف وخمسمئة" but gets "66 ألف"
(1000), "ألفي" and "عشرات" wrong, ignores digits, prints debug output and is
GPL-3 (see ../shared/STACK.md). Arabic cardinals are a small closed class, so a
table plus the usual accumulate-and-multiply rule covers MSA with its case
endings (the normaliser drops the tanwin: ألفاً → الفا), the reversed
unit-before-ten order ("خمسة وعشرون" = 25), construct duals ("ألفي" = 2000),
mixed digits and words ("66 ألف", "2.5 مليون"), and the vague plurals news uses
for rough counts ("عشرات" = 10, "مئات الآلاف" = 100000, ACLED's conservative
reading).

Every lexicon string goes through `norm`, like the text, so ة/ه, أ/ا, ى/ي and
ئ/ي variants match.
"""
from __future__ import annotations

from ..text.normalize import norm


def _table(pairs: dict[str, int]) -> dict[str, int]:
    return {norm(k): v for k, v in pairs.items()}


UNITS = _table({
    "واحد": 1, "واحدة": 1,
    "اثنان": 2, "اثنين": 2, "اثنتان": 2, "اثنتين": 2, "اثنا": 2, "اثني": 2, "اثنتا": 2, "اثنتي": 2,
    "ثلاث": 3, "ثلاثة": 3, "أربع": 4, "أربعة": 4, "خمس": 5, "خمسة": 5, "ست": 6, "ستة": 6,
    "سبع": 7, "سبعة": 7, "ثمان": 8, "ثماني": 8, "ثمانية": 8, "تسع": 9, "تسعة": 9,
    "عشر": 10, "عشرة": 10,
})
# "أحد"/"إحدى" alone mean "one of" / "anyone" far more often than 1; they count only in "أحد عشر".
TEEN_ONLY = _table({"أحد": 1, "إحدى": 1})
TENS = _table({
    "عشرون": 20, "عشرين": 20, "ثلاثون": 30, "ثلاثين": 30, "أربعون": 40, "أربعين": 40,
    "خمسون": 50, "خمسين": 50, "ستون": 60, "ستين": 60, "سبعون": 70, "سبعين": 70,
    "ثمانون": 80, "ثمانين": 80, "تسعون": 90, "تسعين": 90,
})
HUNDREDS = _table({
    "مئة": 100, "مائة": 100, "مئه": 100, "مئتان": 200, "مئتين": 200, "مئتا": 200, "مئتي": 200,
    "مائتان": 200, "مائتين": 200, "مائتا": 200, "مائتي": 200,
    **{f"{u}{h}": v * 100 for u, v in (("ثلاث", 3), ("أربع", 4), ("خمس", 5), ("ست", 6), ("سبع", 7),
                                        ("ثمان", 8), ("ثماني", 8), ("تسع", 9)) for h in ("مئة", "مائة")},
})
# Multipliers; the plurals (used after 3..10, or alone as a rough count) are kept apart.
MULTIPLIERS = _table({
    "ألف": 1000, "ألفا": 1000, "مليون": 10**6, "مليونا": 10**6, "مليار": 10**9, "مليارا": 10**9,
    "بليون": 10**9,
})
PLURAL_MULTIPLIERS = _table({
    "آلاف": 1000, "آلافا": 1000, "ألوف": 1000, "ملايين": 10**6, "مليارات": 10**9,
})
DUAL_MULTIPLIERS = _table({
    "ألفان": 2000, "ألفين": 2000, "ألفي": 2000,
    "مليونان": 2 * 10**6, "مليونين": 2 * 10**6, "مليوني": 2 * 10**6,
})
# Rough counts: the value is the conservative lower bound (ACLED: "tens" = 10).
VAGUE = _table({"عشرات": 10, "مئات": 100, "بضع": 3, "بضعة": 3})
HALF = norm("نصف")
TEEN = (norm("عشر"), norm("عشرة"))

ORDINALS = _table({
    "أول": 1, "أولى": 1, "حادي": 1, "ثاني": 2, "ثانية": 2, "ثالث": 3, "ثالثة": 3, "رابع": 4, "رابعة": 4,
    "خامس": 5, "خامسة": 5, "سادس": 6, "سادسة": 6, "سابع": 7, "سابعة": 7, "ثامن": 8, "ثامنة": 8,
    "تاسع": 9, "تاسعة": 9, "عاشر": 10, "عاشرة": 10,
})
ORDINAL_TENS = _table({"عشرين": 20, "ثلاثين": 30})


# The largest count of anything a conflict report counts: more than everyone alive. A longer
# digit run ("99999...", a phone number, an id, 310 digits that overflow a float) is not a count.
MAX_COUNT = 10**10
MAX_DIGITS = len(str(MAX_COUNT))


def parse_digits(s: str) -> float | None:
    """'66,000' → 66000; '2.5' and '1,5' → 1.5-style decimals; None if not a number. A single dot
    before three digits ('12.500') is left a decimal here: the caller knows whether a multiplier
    follows ('1.500 مليون') or not ('12.500 جندي'). Input is normalised (ASCII digits).
    None for more than MAX_DIGITS digits: beyond any count of people."""
    if not s or not s[0].isdigit():
        return None
    if len(s) > MAX_DIGITS and sum(c.isdigit() for c in s) > MAX_DIGITS:
        return None
    if "," in s:
        head, *groups = s.split(",")
        if all(len(g) == 3 and g.isdigit() for g in groups) and head.isdigit() and len(head) <= 3:
            return float(head + "".join(groups))
        if len(groups) == 1 and 1 <= len(groups[0]) <= 2 and head.isdigit() and groups[0].isdigit():
            return float(f"{head}.{groups[0]}")      # a decimal comma: '1,5 مليون'
        return None
    if "." in s:
        head, *groups = s.split(".")
        if len(groups) > 1:
            if all(len(g) == 3 for g in groups):
                return float(head + "".join(groups))
            return None
        try:
            return float(s)
        except ValueError:
            return None
    return float(s) if s.isdigit() else None


def word_value(word: str) -> tuple[str, float] | None:
    """(class, value) of one normalised number word, or None.

    Classes: unit (1-10), ten (20-90), hundred (100-900), mult (ألف, مليون), mults (آلاف,
    ملايين), dual (ألفين = 2000), vague (عشرات, مئات, بضعة), half (نصف).
    """
    for kind, table in (("ten", TENS), ("hundred", HUNDREDS), ("unit", UNITS), ("mult", MULTIPLIERS),
                        ("mults", PLURAL_MULTIPLIERS), ("dual", DUAL_MULTIPLIERS), ("vague", VAGUE)):
        if word in table:
            return kind, table[word]
    if word == HALF:
        return "half", 0.5
    return None


def ordinal_value(words: list[str]) -> tuple[int, int] | None:
    """(day number, words used) for an ordinal at the start of `words` (article already stripped):
    'تاسع' → 9; 'تاسع عشر' → 19; 'حادي و عشرين' → 21; 'عشرين' → 20; 'ثلاثين' → 30."""
    if not words:
        return None
    w = words[0]
    if w in ORDINAL_TENS:
        return ORDINAL_TENS[w], 1
    if w not in ORDINALS:
        return None
    unit = ORDINALS[w]
    rest = words[1:]
    if rest and rest[0] in (norm("عشر"), norm("عشرة")) and unit < 10:
        return 10 + unit, 2
    if len(rest) >= 1 and rest[0].startswith("و") and rest[0][1:] in ORDINAL_TENS and unit < 10:
        return ORDINAL_TENS[rest[0][1:]] + unit, 2
    if len(rest) >= 2 and rest[0] == "و" and rest[1] in ORDINAL_TENS and unit < 10:
        return ORDINAL_TENS[rest[1]] + unit, 3
    return unit, 1


class Accumulator:
    """Adds number parts left to right, as Arabic writes them: the biggest group first, and
    inside a group hundreds, then units, then tens ("مئة وخمسة وعشرون" = 125).

    `add(kind, value, joined)` returns False when a part cannot continue this number (the
    second number of "10 و15", two units in a row), so the caller ends it there.
    """

    def __init__(self):
        self.total = 0.0             # finished groups, each closed by a multiplier
        self.h = self.t = self.u = 0.0
        self.digits = None           # a group written in digits
        self.last_mult = None        # the multiplier that closed the last group
        self.parts = 0
        self.vague = False
        self.half_of = None          # 'مليون ونصف': the multiplier the half was taken of

    @property
    def group(self) -> float:
        return self.digits if self.digits is not None else self.h + self.t + self.u

    @property
    def value(self) -> float:
        return self.total + self.group

    def _reset_group(self):
        self.h = self.t = self.u = 0.0
        self.digits = None

    def add(self, kind: str, value: float, joined: bool = False) -> bool:
        """kind: digits | unit | teen | ten | hundred | mult | mults | dual | vague | half."""
        ok = self._add(kind, value, joined)
        if ok:
            self.parts += 1
        return ok

    def _add(self, kind, value, joined):
        first = self.parts == 0
        group = self.group
        if kind == "mults" and first:                  # 'آلاف' alone: thousands, a rough count
            kind = "vague"
        if kind == "mult" and not joined and not group and self.half_of == value:
            self.half_of = None                          # 'مليون ونصف مليون': the half's own multiplier
            return True
        if kind in ("mult", "mults", "dual"):
            if kind == "dual":
                if group:
                    return False
                group, value = 2, value / 2
            if joined:                                   # 'مليون وألف': a group of its own
                if first or group or not self.last_mult or value * (group or 1) >= self.last_mult:
                    return False
                self.total += value * (group or 1)
                self.last_mult = value
                return True
            if not group:
                if not first:
                    return False
                group = 1
            product = group * value
            if self.last_mult is not None and (value >= self.last_mult or product >= self.last_mult):
                return False
            self.total += product
            self.last_mult = value
            self._reset_group()
            return True
        if kind == "vague":
            if first:
                self.vague = True
                self.u = value
                return True
            if not joined and self.vague and not self.total and value in (100, 1000, 10**6) \
                    and self.u < value:
                self.u *= value                          # 'بضع مئات'
                return True
            return False
        if kind == "half":
            if first:
                self.u = 0.5
                return True
            if joined and self.last_mult and not group:
                self.total += 0.5 * self.last_mult
                self.half_of, self.last_mult = self.last_mult, self.last_mult / 2
                return True
            return False
        # a new group after a multiplier: 'ثلاثة آلاف وخمسمئة', 'مليون و200 ألف'
        if not first and not group:
            if not joined or self.last_mult is None or value >= self.last_mult:
                return False
            first = True
        if kind == "digits":
            if not first:
                return False
            self.digits = value
            return True
        if self.digits is not None:
            return False
        if first:
            setattr(self, {"unit": "u", "teen": "u", "ten": "t", "hundred": "h"}[kind], value)
            return True
        if kind == "teen" or (kind == "unit" and value == 10 and not joined):
            if 0 < self.u < 10 and not self.t:                        # 'ثلاثة عشر'
                self.u += 10
                return True
            return False
        if kind == "hundred" and not joined:
            if 2 < self.u < 10 and not self.h and not self.t and value == 100:   # 'ثلاث مئة'
                self.h, self.u = self.u * 100, 0
                return True
            return False
        if not joined:
            return False
        if kind == "unit" and not self.u and not self.t:
            self.u = value
            return True
        if kind == "ten" and not self.t and self.u < 10:
            self.t = value
            return True
        return False
