"""Name keys shared by the gazetteer build and the matcher, so both sides fold alike.

- `arabic_key(name)`: the lookup key of an Arabic-script name: `marsad.text.norm`
  folding (hamza, alef, ya, ta marbuta), standalone hamza and spaces dropped, and
  the article ال removed from the first word, so "الحسكة", "حسكة" and "الحسكه" meet
  and "أبو حماد" meets "أبوحماد".
- `is_arabic(name)`: False for Persian/Urdu/Kurdish/Pashto spellings (letters such as
  پ چ ژ گ ڤ ی ہ ے ە ێ ۆ); they are kept as names, ranked below Arabic forms.
- `skeleton_ar` / `skeleton_latin`: a consonant skeleton of an Arabic name and of a
  Latin transliteration, comparable with each other (vowels, و and ي, ع and hamza
  dropped; sh kh gh th dh folded), for the transliteration fallback: الهول and
  "Al Hol" / "Al Hawl" both give "hl".

Hand-written: the keys must agree exactly with the text layer's normaliser, and no
library transliterates Arabic to a skeleton that matches GeoNames' Latin variants.
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from ..text import norm
from ..text.wordcache import LIMIT

_NON_ARABIC_LETTERS = set("پچژگڤۀیہےەێۆڵڕۊھکۇۈۋڭځڅډړږښګڼۍې")
_ARABIC_SCRIPT = re.compile(r"[\u0600-\u06ff\u0750-\u077f\ufb50-\ufdff\ufe70-\ufeff]")
# Words a GeoNames name may open with that text usually writes without, or on their own.
NAME_HEADS = ("مدينه", "محافظه", "ولايه", "منطقه", "مخيم", "بلده", "قريه", "حي", "ناحيه", "قضاء", "قضا",
              "مديريه", "مقاطعه", "اقليم", "امارة", "اماره", "بلديه", "مركز", "جزيره", "ميناء", "مطار")


def has_arabic_script(name: str) -> bool:
    return bool(_ARABIC_SCRIPT.search(name))


def is_arabic(name: str) -> bool:
    """Arabic script and no letter that only Persian, Urdu, Kurdish or Pashto use."""
    return has_arabic_script(name) and not (_NON_ARABIC_LETTERS & set(name))


def _letters(s: str) -> str:
    return "".join(ch for ch in s if ch.isalpha() or ch == " ")


def arabic_words(name: str) -> list[str]:
    """Folded words of an Arabic-script name (punctuation and digits dropped)."""
    return _letters(norm(name).replace("ء", "")).split()


def strip_article(word: str) -> str:
    if word.startswith("ال") and len(word) >= 4:
        return word[2:]
    if word.startswith("لل") and len(word) >= 4:   # لل = ل + ال
        return word[2:]
    return word


@lru_cache(maxsize=LIMIT)     # the matcher asks for the same words' keys in article after article
def arabic_key(name: str) -> str:
    words = arabic_words(name)
    if not words:
        return ""
    words[0] = strip_article(words[0])
    return "".join(words)


def has_article(name: str) -> bool:
    words = arabic_words(name)
    return bool(words) and words[0].startswith("ال") and len(words[0]) >= 4


def name_variants(name: str) -> set[str]:
    """Keys under which a gazetteer name is indexed: itself and, when it opens with a
    head noun (مدينة الكويت, مخيم اليرموك), the name without it."""
    keys = {arabic_key(name)}
    words = arabic_words(name)
    if len(words) >= 2 and words[0] in NAME_HEADS:
        keys.add(arabic_key(" ".join(words[1:])))
    keys.discard("")
    return keys


# --- transliteration skeletons -------------------------------------------------------

_AR_SKELETON = {
    "ب": "b", "ت": "t", "ث": "t", "ج": "g", "ح": "h", "خ": "x", "د": "d", "ذ": "d", "ر": "r", "ز": "z",
    "س": "s", "ش": "c", "ص": "s", "ض": "d", "ط": "t", "ظ": "z", "غ": "g", "ف": "f", "ق": "k", "ك": "k",
    "ل": "l", "م": "m", "ن": "n", "ه": "h", "پ": "b", "چ": "c", "ژ": "z", "گ": "g", "ڤ": "f",
}
_LATIN_DIGRAPHS = [("dsch", "g"), ("sch", "c"), ("tch", "c"), ("sh", "c"), ("ch", "c"), ("kh", "x"),
                   ("gh", "g"), ("th", "t"), ("dh", "d"), ("ph", "f"), ("dj", "g"), ("zh", "z"), ("ck", "k")]
_LATIN_SINGLE = {"j": "g", "q": "k", "c": "k", "v": "f", "p": "b", "x": "ks"}
# Turkish spells تش and ش with ç and ş, and ğ is silent: Suruç ↔ سوروتش
_TURKISH = str.maketrans({"ç": "tsh", "ş": "sh", "ğ": "", "ı": "i"})
_LATIN_ARTICLES = {"al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ath", "adh", "ed",
                   "er", "es", "et", "ez", "en", "ech", "esh", "ul", "il", "l"}


_AR_VOWELS = set("اويى")
_LATIN_VOWELS = set("aeiouyw")
MASK_BITS = 32


def _pattern(letters: list[str]) -> tuple[str, int, int]:
    """(consonant skeleton, vowel mask, required-vowel mask) of a letter sequence where "."
    marks a vowel and ":" a vowel the Arabic spelling must write (Latin y, w, ā, ī, ū): bit g
    of a mask is set when such a vowel sits before consonant g (the last bit: after the last
    one). A doubled consonant counts once (Raqqa ↔ رقة), but not across a vowel (Harir is
    h.r.r, not حوار)."""
    skel: list[str] = []
    mask = required = 0
    prev = None
    for ch in letters:
        if not ch:
            continue
        if ch in ".:":
            if len(skel) < MASK_BITS:
                mask |= 1 << len(skel)
                if ch == ":":
                    required |= 1 << len(skel)
            prev = "."
        elif ch != prev:
            skel.append(ch)
            prev = ch
    return "".join(skel), mask, required


def pattern_ar(name: str) -> tuple[str, int]:
    """Skeleton and vowel mask of an Arabic-script name: ا و ي ى are vowels (a long vowel is
    always written, so a Latin spelling of the same name has a vowel there too); ع and hamza
    are dropped; the article is removed from each word, ta marbuta from its end."""
    letters: list[str] = []
    for w in arabic_words(name):
        w = strip_article(w)
        if w.endswith("ه") and len(w) > 2:       # ta marbuta: the Latin side writes -a/-ah/-eh
            w = w[:-1]
        for ch in w:
            letters.append("." if ch in _AR_VOWELS else _AR_SKELETON.get(ch, ""))
    skel, mask, _ = _pattern(letters)
    return skel, mask


_MACRON = re.compile("[aeiou]\u0304")
_APOSTROPHES = re.compile(r"[ʿʾ'’`‘ʼ]")
_LATIN_SPLIT = re.compile(r"[^a-zV]+")
_SINGLE_TABLE = str.maketrans(_LATIN_SINGLE)
# after the digraphs (upper case) and single letters: V y w must be written in Arabic (":"),
# other vowels may be ("."), digraph letters back to lower case
_CLASS_TABLE = str.maketrans({**{ch: "." for ch in "aeiou"}, "V": ":", "y": ":", "w": ":",
                              **{ch: ch.lower() for ch in "GCXTDFZK"}})


def _latin_words(name: str) -> list[str]:
    s = name.lower().translate(_TURKISH)
    if not s.isascii():
        s = unicodedata.normalize("NFKD", s)
        s = _MACRON.sub("V", s)                     # a macron marks a long vowel
        s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = _APOSTROPHES.sub("", s)
    return [w for w in _LATIN_SPLIT.split(s) if w and w not in _LATIN_ARTICLES]


def _latin_letters(w: str) -> str:
    for a, b in _LATIN_DIGRAPHS:
        if a in w:
            w = w.replace(a, b.upper())
    return w.translate(_SINGLE_TABLE).translate(_CLASS_TABLE)


def pattern_latin(name: str, final_h: bool = False) -> tuple[str, int, int]:
    """Skeleton and vowel mask of a Latin transliteration ('Al Ḩawl', 'El Hol', 'Deir ez-Zor').
    A final -ah/-eh is usually ta marbuta (dropped) but may be ح or ه ('Salah'): index
    both, `final_h=True` keeps it. y and w count as vowels, like ي and و, and with the
    long vowels GeoNames marks (ā ī ū) they are vowels the Arabic spelling must write."""
    words = _latin_words(name)
    if not final_h:
        words = [w[:-1] if w.endswith(("ah", "eh", "Vh")) else w for w in words]
    return _pattern("".join(_latin_letters(w) for w in words))


def latin_patterns(name: str) -> set[tuple[str, int, int]]:
    """`pattern_latin` of a name with and without a final h kept, in one pass."""
    words = _latin_words(name)
    cut = [w[:-1] if w.endswith(("ah", "eh", "Vh")) else w for w in words]
    out = {_pattern("".join(_latin_letters(w) for w in cut))}
    if cut != words:
        out.add(_pattern("".join(_latin_letters(w) for w in words)))
    return out


def skeleton_ar(name: str) -> str:
    """Consonant skeleton of an Arabic-script name (see `pattern_ar`)."""
    return pattern_ar(name)[0]


def skeleton_latin(name: str, final_h: bool = False) -> str:
    """Consonant skeleton of a Latin transliteration (see `pattern_latin`)."""
    return pattern_latin(name, final_h)[0]


def vowels_fit(arabic_mask: int, latin_mask: int, latin_required: int = 0) -> bool:
    """Every long vowel the Arabic spelling writes has a vowel in the Latin one (Latin adds
    the short vowels Arabic leaves out): كوباني fits Kobani, not Kobin; and every y, w or
    ā ī ū of the Latin one is written in Arabic: شقرة is not Shuqayrah."""
    return arabic_mask & ~latin_mask == 0 and latin_required & ~arabic_mask == 0
