"""What a quote does: incite violence, threaten it, or state something.

Lexical cues that carry over between speakers and conflicts, checked on the
normalised words of the quote:

- call_to_violence: plural imperatives of attack and revenge ("اثأروا", "أغيروا عليهم",
  "اقتلوهم", "انفروا"), and calls to jihad or to kill ("ندعو ... إلى قتل"). Imperatives
  whose spelling is also a past tense ("هاجموا", "أحرقوا": they attacked/burned) count only
  when the quote addresses its audience (يا، عليكم، إخوانكم); "إلى قتل/استهداف ..." only
  with a verb of calling (ندعو، نحث، دعا ...).
- threat: first-person future violence ("سنضرب", "سننتقم", "سوف نرد"), the addressee's
  punishment ("ستدفعون الثمن"), and set phrases ("حربا شاملة", "رد مزلزل", "فارقبوها").
  A quote introduced by توعد/هدد ("threatened") is a threat.
- statement: everything else, including a government's "the operation will go on".
"""
from __future__ import annotations

import re

from ..text import norm

# Imperatives that cannot be read as a past tense (hamzat al-wasl or form IV).
_IMPERATIVE = re.compile(
    r"^[فو]?(اقتل|اضرب|اذبح|انفر|اغز|اطعن|ادهس|اقصف|اخطف|اسحق|انسف|اسفك|اغير|احمل|ابيد)(وا|وه|وهم|وها)$")
# Imperatives spelled like a past plural: need a second-person context.
_IMPERATIVE_AMBIGUOUS = re.compile(
    r"^[فو]?(هاجم|قاتل|جاهد|فجر|دمر|استهدف|تربص|ترصد|لاحق|طارد|اضرم|اثار|احرق|اقتحم|انتقم|اثخن|ارهب)"
    r"(وا|وه|وهم|وها)$")
_ADDRESS = re.compile(r"(?:^|\s)(?:يا|ايها|عليكم|انتم|اخوانكم|اخواتكم|دماء\s+اخوانكم|لكم|فيكم|منكم)(?:\s|$)")
_CALL_PHRASES = [norm(p) for p in ("النفير العام", "يجب قتل", "واجب قتل", "اعلنوها غزوة", "حمل السلاح ضد")]
# What a call asks for ("ندعو ... إلى قتل"): incitement only with a verb of calling.
_CALL_TARGETS = [norm(p) for p in (
    "الى الجهاد", "الجهاد ضد", "الى قتل", "الى قتال", "الى استهداف", "الى مهاجمة", "الى الهجوم على", "الى الثأر",
    "للثأر من", "الى ضرب", "الى تنفيذ هجمات", "الى شن هجمات", "الى حمل السلاح", "الى الانتقام",
)]
_CALLING = re.compile(r"^[وف]?(ندعو|ادعو|ادعوا|يدعو|تدعو|نحث|احث|نطالب|نناشد|ندعوكم|ادعوكم|يحرض|تحرض|حرض)$")
CALL_VERBS = {norm(w) for w in ("دعا", "دعت", "ناشد", "ناشدت", "حرض", "حرضت", "حث", "حثت", "داعيا", "داعية")}
_FUTURE_VIOLENCE = re.compile(
    r"^[فو]?(?:سن|سا|سوف\s+ن|سوف\s+ا)(ضرب|قتل|رد|نتقم|ثار|لاحق|ستهدف|دمر|سحق|حرق|قاتل|هاجم|طارد|لقن|قصف|محو|"
    r"فجر|جتث|بيد|دفن|ذيق)")
_THREAT_PHRASES = [norm(p) for p in (
    "حربا شاملة", "ستدفعون الثمن", "ستدفع الثمن", "سيدفعون الثمن", "سيدفع الثمن", "ستدفعون ثمنا",
    "ستدفع ثمنا", "سيدفعون ثمنا", "ستندمون", "ستندم", "رد قاس", "ردا قاسيا",
    "رد مزلزل", "ردا مزلزلا", "بيد من حديد", "لا تبقي ولا تذر", "فارقبوها", "فارتقبوا", "ترقبوا", "الويل لكم",
    "لم يحم وطيسها", "سنجعلها جحيما", "ابواب جهنم", "لن نتوانى عن", "لن نتردد في ضرب", "معركتنا معكم",
    "ستكون هدفا", "اهداف مشروعة", "هدفا مشروعا", "اهدافا مشروعة",
)]
# Executions announced by their perpetrators: "خاطفيه سيعدمونه".
_WILL_EXECUTE = re.compile(r"^[وف]?(?:سي|ست|سن|سا)(?:عدم|ذبح|نحر)")
_WILL_DO = re.compile(r"(?:^| )[وف]?(?:سنقوم|سوف نقوم) ب(?:تصفي|قتل|استهداف|ضرب|تدمير|سحق|الرد|القضاء)")
THREAT_VERBS = {norm(w) for w in ("توعد", "توعدت", "هدد", "هددت", "يتوعد", "تتوعد", "يهدد", "تهدد", "متوعدا",
                                  "متوعدة", "مهددا", "مهددة")}


def classify(text: str, verb: str | None = None) -> str:
    """statement | threat | call_to_violence for the words of a quote (and the verb that introduced it)."""
    n = " " + " ".join(norm(text).split()) + " "
    n = re.sub(r"[^\w\s]", " ", n)
    words = n.split()
    addressed = bool(_ADDRESS.search(n))
    for k, w in enumerate(words):
        if _IMPERATIVE.match(w) or (_IMPERATIVE_AMBIGUOUS.match(w) and addressed):
            return "call_to_violence"
    if any(f" {p} " in n for p in _CALL_PHRASES):
        return "call_to_violence"
    calling = any(_CALLING.match(w) for w in words) or verb is not None and norm(verb).lstrip("وف") in CALL_VERBS
    if calling and any(f" {p} " in n for p in _CALL_TARGETS):
        return "call_to_violence"
    joined = " ".join(words)
    if any(f" {p} " in f" {joined} " for p in _THREAT_PHRASES):
        return "threat"
    if " لن " in f" {joined} " and " دون عقاب " in f" {joined} ":
        return "threat"                                 # "لن يمر دون عقاب", "لن يراق دون عقاب"
    if _WILL_DO.search(joined) or any(_WILL_EXECUTE.match(w) for w in words):
        return "threat"
    for k, w in enumerate(words):
        if _FUTURE_VIOLENCE.match(w) or (w == "سوف" and k + 1 < len(words)
                                         and _FUTURE_VIOLENCE.match("سوف " + words[k + 1])):
            return "threat"
    if verb is not None and norm(verb).lstrip("وف") in THREAT_VERBS:
        return "threat"
    return "statement"
