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

from ..text import norm

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


def _collapse(s: str) -> str:
    return re.sub(r"(.)\1+", r"\1", s)


def skeleton_ar(name: str) -> str:
    """Consonant skeleton of an Arabic-script name, article removed from each word."""
    out = []
    for w in arabic_words(name):
        w = strip_article(w)
        if w.endswith("ه") and len(w) > 2:       # ta marbuta: the Latin side writes -a/-ah/-eh
            w = w[:-1]
        out.append("".join(_AR_SKELETON.get(ch, "") for ch in w))
    return _collapse("".join(out))


def skeleton_latin(name: str, final_h: bool = False) -> str:
    """Consonant skeleton of a Latin transliteration ('Al Ḩawl', 'El Hol', 'Deir ez-Zor').
    A final -ah/-eh is usually ta marbuta (dropped) but may be ح or ه ('Salah'): index
    both, `final_h=True` keeps it."""
    s = name.lower().translate(_TURKISH)
    s = unicodedata.normalize("NFKD", s)
    s = "".join(ch for ch in s if not unicodedata.combining(ch))
    s = re.sub(r"[ʿʾ'’`‘ʼ]", "", s)
    words = [w for w in re.split(r"[^a-z]+", s) if w]
    out = []
    for w in words:
        if w in _LATIN_ARTICLES:
            continue
        if not final_h and (w.endswith("ah") or w.endswith("eh")):
            w = w[:-1]
        for a, b in _LATIN_DIGRAPHS:
            w = w.replace(a, b.upper())
        w = "".join(_LATIN_SINGLE.get(ch, ch) for ch in w).lower()
        w = re.sub(r"[aeiouyw]", "", w)
        out.append(w)
    return _collapse("".join(out))
