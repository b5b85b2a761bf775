"""Trigger and cue lexicons for event detection, expanded to the inflected forms news uses.

Arabic writes an event as a finite verb (قصفت، يقصف، قصفوا، قصفها), a verbal noun
(القصف، قصفا) or a plural noun (غارات، اشتباكات); tokens already drop the proclitics
(و ف ب ل ك س and ال), so a lexicon only needs the inflections that follow the stem:
the verb's person/number endings and present-tense prefixes, and pronoun suffixes.
`verb()` and `noun()` generate them, and every entry goes through `norm()` so that
lexicon and text fold the same way (أ→ا, ة→ه, ى→ي).

A trigger names a *concept* (what kind of action), not yet an ACLED type: the same
قصف is an air strike when aircraft are named and shelling otherwise, the same مقتل is
a clash or an attack on civilians depending on who died. `typing.py` decides.
Finite past-tense verbs and indefinite event nouns are strong evidence; present-tense
verbs and generic nouns (المعارك، القتال) are weak and need support (a date, a toll, a
place) before they make an event.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..text import norm, norm_set

PRONOUNS = ("", "ه", "ها", "هم", "هما", "هن", "نا")


def _with_pronouns(forms: set[str]) -> set[str]:
    out = set()
    for f in forms:
        for p in PRONOUNS:
            if not p:
                out.add(f)
            elif f.endswith("ه") and len(f) > 3:         # ta marbuta becomes ت before a suffix
                out.add(f[:-1] + "ت" + p)
            elif f.endswith("وا"):                        # قصفوا + ه → قصفوه
                out.add(f[:-1] + p)
            elif f.endswith("ي") and p:                   # استولى + ها
                out.add(f + p)
            else:
                out.add(f + p)
    return out


def verb(past: str, present: str | None = None, pronouns: bool = True) -> tuple[set[str], set[str]]:
    """(past forms, present forms) of a verb from its past stem and its present stem without prefix."""
    past, present = norm(past), norm(present or past)
    if past.endswith("ي"):          # استولى، تصدى: final alif maqsura drops before endings
        stem = past[:-1]
        pasts = {past, stem + "ت", stem + "وا", stem + "يا", stem + "تا"}
    elif len(past) >= 3 and past[-2] == "ا" and past.startswith("است"):   # استعاد → استعادت، استعدنا
        pasts = {past, past + "ت", past + "وا", past + "ا", past + "تا", past[:-2] + past[-1] + "نا"}
    else:
        pasts = {past, past + "ت", past + "وا", past + "ا", past + "تا", past + "نا", past + "تم", past + "ن"}
    presents = set()
    for pre in ("ي", "ت", "ن"):
        for suf in ("", "ون", "ان", "وا", "ن"):
            if present.endswith("ي") and suf:
                presents.add(pre + present[:-1] + suf)
            else:
                presents.add(pre + present + suf)
    if pronouns:
        pasts, presents = _with_pronouns(pasts), _with_pronouns(presents)
    return pasts, presents


def noun(*words: str, pronouns: bool = True) -> set[str]:
    forms = {norm(w) for w in words}
    return _with_pronouns(forms) if pronouns else forms


@dataclass(frozen=True, slots=True)
class Entry:
    concept: str        # CLASH TERRITORY BOMBARD AIR EXPLOSION SUICIDE GRENADE CHEMICAL KILL ABDUCT
                        # SEXUAL ARREST PROTEST RIOT AGREE INTERCEPT LOOT
    pos: str            # past | present | noun
    strong: bool        # enough on its own (a finite past verb, an event noun); weak needs support
    lemma: str          # the lexicon word it came from, for debugging and tests
    needs: str | None = None   # a cue set that must appear near it (see NEEDS)


# (concept, past stem, present stem, strong-in-present?) — verbs whose past tense reports an event.
_VERBS = [
    ("CLASH", "اشتبك", "شتبك"), ("CLASH", "هاجم", "هاجم"), ("CLASH", "اقتحم", "قتحم"),
    ("CLASH", "تصدي", "تصدي"), ("CLASH", "قاتل", "قاتل"), ("CLASH", "اقتتل", "قتتل"),
    ("TERRITORY", "سيطر", "سيطر"), ("TERRITORY", "استعاد", "ستعيد"), ("TERRITORY", "حرر", "حرر"),
    ("TERRITORY", "استولي", "ستولي"), ("TERRITORY", "انتزع", "نتزع"), ("TERRITORY", "اجتاح", "جتاح"),
    ("BOMBARD", "قصف", "قصف"), ("BOMBARD", "دك", "دك"), ("BOMBARD", "استهدف", "ستهدف"),
    ("BOMBARD", "قذف", "قذف"),
    ("AIR", "اغار", "غير"),
    ("EXPLOSION", "انفجر", "نفجر"), ("EXPLOSION", "فجر", "فجر"), ("EXPLOSION", "تفجر", "تفجر"),
    ("KILL", "قتل", "قتل"), ("KILL", "اغتال", "غتال"), ("KILL", "اعدم", "عدم"), ("KILL", "ذبح", "ذبح"),
    ("KILL", "استشهد", "ستشهد"), ("KILL", "لقي", "لقي"),
    ("ABDUCT", "اختطف", "ختطف"), ("ABDUCT", "خطف", "خطف"),
    ("SEXUAL", "اغتصب", "غتصب"),
    ("ARREST", "اعتقل", "عتقل"), ("ARREST", "اوقف", "وقف"), ("ARREST", "احتجز", "حتجز"),
    ("ARREST", "ضبط", "ضبط"),
    ("PROTEST", "تظاهر", "تظاهر"), ("PROTEST", "احتج", "حتج"), ("PROTEST", "اعتصم", "عتصم"),
    ("RIOT", "رشق", "رشق"),
    ("AGREE", "اتفق", "تفق"),
    ("INTERCEPT", "اعترض", "عترض"), ("INTERCEPT", "اسقط", "سقط"), ("INTERCEPT", "فكك", "فكك"),
    ("INTERCEPT", "ابطل", "بطل"), ("INTERCEPT", "احبط", "حبط"),
    ("LOOT", "نهب", "نهب"), ("LOOT", "سلب", "سلب"), ("LOOT", "احرق", "حرق"), ("LOOT", "هدم", "هدم"),
    ("LOOT", "دمر", "دمر"),
]

# (concept, strong, needs, words)
_NOUNS = [
    ("CLASH", True, None, "اشتباك اشتباكات اشتباكا اشتباكين تبادل"),
    ("CLASH", True, None, "كمين كمينا كمينين اقتحام اقتتال"),
    ("CLASH", False, None, "مواجهات مواجهه معارك معركه قتال هجوم هجوما هجمات هجمه هجومين هجومان تصدي"),
    ("TERRITORY", False, None, "سيطره استعاده تحرير استيلاء"),
    ("BOMBARD", True, None, "قصف قصفا"),
    ("BOMBARD", False, None, "قذيفه قذائف قذيفتين قذيفتان صاروخ صواريخ صاروخا صاروخين هاون مدفعيه مدفعي "
                             "راجمات كاتيوشا"),
    ("AIR", True, None, "غاره غارات غارتين غارتان"),
    ("AIR", False, "AIR", "ضربه ضربات ضربتين"),
    ("EXPLOSION", True, None, "انفجار انفجارين انفجارات تفجير تفجيرات تفجيرين"),
    ("EXPLOSION", False, "EXPLOSIVE_ADJ", "عبوه عبوات عبوتين عبوتان"),
    ("EXPLOSION", False, None, "لغم الغام مفخخه مفخخات ملغومه"),
    ("SUICIDE", True, None, "انتحاري انتحاريه انتحاريا انتحاريين انتحاريان انتحاريون انتحاريات انتحاريتان"),
    ("GRENADE", False, "GRENADE", "قنبله قنابل قنبلتين"),
    ("CHEMICAL", False, "CHEMICAL", "كيماوي كيميائي كيماويه كيميائيه الكلور السارين"),
    ("KILL", True, None, "مقتل مصرع اغتيال اعدام استشهاد مجزره مذبحه"),
    ("KILL", True, "CONTROL", "القضاء تصفيه"),
    ("KILL", False, None, "قتل اعدامات اغتيالات"),
    ("ABDUCT", True, None, "اختطاف خطف"),
    ("ABDUCT", False, None, "مختطفين رهائن"),
    ("SEXUAL", True, None, "اغتصاب"),
    ("ARREST", True, None, "اعتقال اعتقالات القبض توقيف توقيفات"),
    ("ARREST", False, None, "احتجاز"),
    ("PROTEST", True, None, "تظاهره تظاهرات مظاهره مظاهرات متظاهرين متظاهرون اعتصام احتجاج احتجاجات "
                            "محتجين محتجون معتصمين"),
    ("PROTEST", False, None, "احتجاجا"),
    ("RIOT", True, None, "شغب"),
    ("AGREE", False, None, "اتفاق اتفاقا اتفاقيه هدنه صفقه تسويه"),
    ("INTERCEPT", False, None, "اعتراض اسقاط تفكيك ابطال احباط"),
    ("LOOT", False, None, "نهب سلب احراق هدم"),
]


@lru_cache(maxsize=1)
def triggers() -> dict[str, list[Entry]]:
    """Every inflected form → the entries it may stand for."""
    table: dict[str, list[Entry]] = {}

    def add(form: str, entry: Entry) -> None:
        if len(form) >= 2 and entry not in table.setdefault(form, []):
            table[form].append(entry)

    for concept, past, present in _VERBS:
        pasts, presents = verb(past, present)
        for f in pasts:
            add(f, Entry(concept, "past", True, past))
        for f in presents - pasts:
            add(f, Entry(concept, "present", False, past))
    for concept, strong, needs, words in _NOUNS:
        for w in words.split():
            for f in noun(w):
                add(f, Entry(concept, "noun", strong, w, needs))
    # Forms that collide with common words of another meaning: فجر is also "dawn", سلب "negative",
    # وقع "happened", اطلق "released", تبادل "exchange", صفقه "deal" (commerce), قتل also the noun.
    # قبض only as "قبض على" / "قبضت على" (قبضته is "his grip")
    for f in ("قبض", "قبضت", "قبضوا", "تقبض", "يقبض"):
        add(f, Entry("ARREST", "past" if not f.startswith(("ت", "ي")) else "present", True, "قبض", "CONTROL"))
    for bad in ("فجر", "فجرا", "الفجر", "وقع", "وقعت", "يقع", "تقع", "ضربه", "اصابه", "جرح", "تفق",
                "سلب", "هدم", "لقي", "لقيت", "القي", "تلقي", "يلقي", "نلقي", "وقف", "يوقف",
                "توقف", "نوقف", "توقفت", "توقفوا", "قاتل", "قاتلا", "احتجاجا", "سقط", "يسقط", "تسقط",
                "نسقط", "بطل", "تبطل", "يبطل"):
        table.pop(norm(bad), None)
    return table




# Cue sets: looked up on token forms in a window around the trigger.
CUES: dict[str, frozenset[str]] = {
    # aircraft and air-delivered weapons: make قصف/استهدف an air strike
    "AIR": norm_set("الجو جو جوي جويه جويا طائره طائرات طيران الطيران مقاتلات مقاتله حربيه مروحيه مروحيات مروحيتين "
                "درون درونز مسيره مسيرات اباتشي غاره غارات اف سوخوي ميغ"),
    "AIR_NOUN": norm_set("جويه جويا جوي"),
    "DRONE": norm_set("مسيره مسيرات درون درونز طيار"),
    "SHELL": norm_set("قذيفه قذائف قذيفتين مدفعي مدفعيه مدفعيا هاون صاروخ صواريخ صاروخا صاروخين صاروخي صاروخيه "
                  "راجمات راجمه كاتيوشا غراد دبابه دبابات باليستي باليستيا بالستي كاتيوشا"),
    "IED": norm_set("عبوه عبوات عبوتين عبوتان ناسفه ناسفتين ناسفتان لغم الغام لغما مفخخه مفخخات مفخخا ملغومه "
                "متفجرات متفجره"),
    "SUICIDE": norm_set("انتحاري انتحاريه انتحاريا انتحاريين انتحاريان انتحاريون انتحاريات انتحاريتان نفسه "
                    "نفسيهما انفسهم انفسهن نفسها "
                    "ناسف ناسفا احزمه حزام"),
    "GRENADE": norm_set("يدويه يدوي"),
    "CHEMICAL": norm_set("هجوم هجمات قصف غاز بغاز الغاز ضربه"),
    "EXPLOSIVE_ADJ": norm_set("ناسفه ناسفتين ناسفتان متفجره متفجرات ناسف لاصقه"),
    "CHEM_WORDS": norm_set("كيماوي كيميائي كيماويه كيميائيه الكلور السارين الخردل"),
    "FEMALE_VICTIM": norm_set("فتاه فتيات طفله طفلات امراه نساء سيدات سيده طفل اطفال قاصر قاصرات فتي فتيان "
                          "معتقلات معتقلين نازحات ايزيديات الايزيديات اسيرات سجينات"),
    "STONES": norm_set("حجاره بالحجاره الحجاره زجاجات حارقه مولوتوف"),
    "FIRE": norm_set("النار النيران الرصاص رصاص نار النيران"),
    "WEAPON": norm_set("قذيفه قذائف مدفعي مدفعيه هاون صاروخ صواريخ صاروخا صاروخي صاروخيه راجمات طائره طائرات "
                   "طيران الطيران مقاتلات مروحيات مسيره مسيرات درون غارات غاره جوي جويه عبوه عبوات ناسفه "
                   "مفخخه الرصاص رصاص الرشاشات رشاشات بالقذائف"),
    "PROJECTILE": norm_set("صاروخ صواريخ صاروخا صاروخين باليستي باليستيا طائره مسيره مسيرات درون قذيفه قذائف "
                       "مقذوف"),
    "EXPLOSIVE": norm_set("عبوه عبوات عبوتين ناسفه ناسفتين لغم الغام الغاما مفعول متفجرات"),
    "CONTROL": norm_set("علي"),
    "AGREE_VERB": norm_set("توصل توصلت توصلوا وقع وقعت وقعا وقعوا ابرم ابرمت ابرموا اعلن اعلنت ابرام توقيع دخل "
                       "دخلت سريان بدا بدات"),
    "CEASEFIRE": norm_set("اطلاق النار وقف"),
    # what makes an agreement a conflict event: a truce, a deal between fighters, an exchange
    "TRUCE": norm_set("اطلاق النار هدنه الهدنه مصالحه المصالحه تسويه التسويه سلام السلام تبادل الاسري اسري "
                  "المعتقلين المختطفين اجلاء انسحاب تهدئه التهدئه تسليم المسلحين المقاتلين الفصائل"),
    "PEOPLE": norm_set("مشتبها مشتبهين مشتبه المشتبه متهمون شخص اشخاص شخصا رجل رجلا رجال امراه نساء طفل اطفال مواطن مواطنا مواطنين مدني مدنيا مدنيين "
                   "عنصر عنصرا عناصر مسلح مسلحا مسلحين متهم متهما متهمين مشتبه مطلوب مطلوبين ناشط ناشطا "
                   "ناشطين صحفي صحفيا جندي جنديا جنود ضابط ضابطا شاب شابا شبان سوري سوريا عراقي عراقيا "
                   "ارهابي ارهابيا ارهابيين متسلل متسللين افراد فرد فردا اعضاء عضو عضوا قيادي قياديا"),
    "PROPERTY": norm_set("منزل منازل منزلا بيت بيوت محل محلات مساكن مسكن ممتلكات مبني مباني متاجر قريه قري "
                     "مزارع اراضي"),
}

# Past-tense verbs that report that something was carried out: they turn a weak event noun in their
# clause ("شنت غارات"، "أطلق صاروخا"، "وقع انفجار") into a report that it happened.
SUPPORT = frozenset().union(*(verb(v, p, pronouns=False)[0] for v, p in (
    ("شن", "شن"), ("نفذ", "نفذ"), ("اطلق", "طلق"), ("سقط", "سقط"), ("اسفر", "سفر"), ("اندلع", "ندلع"),
    ("وقع", "وقع"), ("جري", "جري"), ("دار", "دور"), ("تعرض", "تعرض"), ("استهدف", "ستهدف"),
    ("ادي", "ؤدي"), ("خلف", "خلف"), ("تسبب", "تسبب"), ("اسقط", "سقط"), ("قتل", "قتل"), ("اصاب", "صيب"),
    ("استخدم", "ستخدم"), ("تبني", "تبني"), ("نجم", "نجم"), ("هز", "هز"), ("ضرب", "ضرب"), ("طال", "طول"),
    ("تجدد", "تجدد"), ("دارت", "دور"), ("تمكن", "تمكن"), ("احكم", "حكم"), ("بسط", "بسط"), ("فرض", "فرض"),
    ("اعلن", "علن"), ("قام", "قوم"), ("شهد", "شهد"), ("فجر", "فجر"), ("القي", "لقي"), ("لقي", "لقي"),
    ("حصل", "حصل"), ("حدث", "حدث")))) - {
    "احكموا", "بسطوا", "فرضوا", "اعلنوا", "شنوا", "نفذوا", "اطلقوا", "فجروا"}   # also imperatives: calls, not reports

# A relative clause's verb before a noun trigger ("التي شهدت توقيع اتفاق")
SUPPORT_ANY = SUPPORT | norm_set("شهدت شهد تعرضت تعرض تم جري")

# Words before a trigger (in its clause) that say it did not happen, or not yet.
NEGATION = norm_set("لم لن لا ولا ولم ولن فلا فلم فلن ليس ليست وليس عدم دون بدون نفي نفت ينفي تنفي نفوا نافيا "
                "نافيه نافين نفي ونفي ونفت")
# A trigger right after these has not happened yet or is not new: "منذ أن استولت" is background.
BACKGROUND_BEFORE = norm_set("منذ ومنذ")
# Right after the trigger: a continuing campaign, not an incident ("وقصفها المتواصل").
ONGOING_AFTER = norm_set("المتواصل المتواصله متواصل متواصله المستمر المستمره مستمر مستمره المتكرر المتكرره متكرر "
                     "متكرره اليومي اليوميه")
# A trigger just after these is a purpose, not a report ("لشن هجمات"، "لاستهداف").
PURPOSE_BEFORE = norm_set("لشن لتنفيذ لاستهداف لمهاجمه لضرب لقصف لاقتحام لاستعاده لتحرير بهدف هدفها بغرض للتوصل "
                      "التوصل بالتوصل لبسط لفرض لاحكام")
# A sentence that opens with a call, demand, warning or forecast: its nouns are what is called for.
FRAMING = norm_set("طالب طالبت يطالب تطالب دعا دعت يدعو تدعو ناشد ناشدت حذر حذرت يحذر تحذر توقع توقعت يتوقع "
               "هدد هددت يهدد تهدد اقترح اقترحت")
# A list of crimes or violations is an accusation, not an incident ("ما ارتكبته من جرائم حرب").
ACCUSATION_LIST = norm_set("جرائم انتهاكات ممارسات ارتكبته ارتكبتها ارتكاب الجرائم الانتهاكات")
# A toll over a campaign, not one incident ("قتلوا في العملية التي بدأت قبل أسبوعين").
CAMPAIGN = norm_set("بدات بدا انطلاق انطلقت بدء حصيله اجمالي الاجمالي مجمل")
# Right before a past verb: a relative clause that describes what the place or group once did
# ("داعش الذي سيطر على الموصل"): background unless the clause dates it.
RELATIVE = norm_set("الذي التي الذين اللذين اللتين اللواتي اللاتي")
# Objects found or seized: explosives in a cache are no explosion.
FOUND_BEFORE = norm_set("عثر عثرت عثروا ضبط ضبطت ضبطوا اكتشاف اكتشف اكتشفت مخزن مخازن بحوزتهم بحوزته ضبطها "
                    "كميات كميه محملتين محمله تفكيك")
# A trigger right after these is a category, not an incident ("عمليات الخطف"، "جرائم القتل").
GENERIC_BEFORE = norm_set("عمليات جرائم ظاهره انواع اساليب مخاطر خطر خطورة تهديد حالات مختصه متخصصه مختص متخصص "
                      "تهم تهمه قضايا")
# Vague objects of a capture ("سيطر على بعض الأراضي"): no place, no event.
VAGUE_OBJECT = norm_set("بعض بضع عده مساحات مناطق اراضي اجزاء اجزاء مزيد المزيد")
MODALITY = norm_set(
    "سوف قد يمكن يمكنه يمكنها ربما محتمل المحتمل احتمال يعتزم تعتزم ينوي تنوي يخطط تخطط خطط خططت خطه "
    "خططا خطط مخططات خططه يناقشون ناقش فشلت فشل تنجح ينجح التخطيط بالتخطيط خوفا مخافه عازمه عازمون "
    "عازم عزمها عزمه بتهمه يحتم يتحتم يتطلب يستدعي ضروره "
    "مخطط مخططا يستعدون تستعدان يعتزمون يخططون يهددون يحاولون ينوون يريدون يسعي تسعي يسعون سعي "
    "يخشي تخشي خشيه مخاوف يخشون تتوعد يتوعدون "
    "مخطط مخططا تهدد يهدد هدد هددت تهديد تهديدات يتوعد توعد تتوعد حذر حذرت يحذر تحذر تحذير تحذيرات "
    "دعا دعت يدعو تدعو دعوه طالب طالبت يطالب تطالب مطالبه يريد تريد اراد ارادت تستعد يستعد استعداد "
    "استعدادا تحضير تحضيرات يتوقع تتوقع توقع توقعت متوقع المتوقع يامل تامل امل اذا لو حال لمنع منع "
    "يحاول تحاول ينبغي يجب لابد بصدد يرجح ترجح مرجح قرر قررت تقرر يقرر وشك اعتزام نيه عزم تعهد تعهدت "
    "يتعهد اقترح اقترحت مقترح مشروع مرتقب المرتقب مرتقبه تهديده تهديدها امكانيه اعتقد يعتقد")
# Words anywhere in the sentence head that mark a report as background, analysis or a general claim.
GENERIC = norm_set("عاده غالبا دائما احيانا كثيرا يوميا باستمرار")
FAILED = norm_set("احباط احبط احبطت فشل فشلت افشل افشلت افشال محاوله")
SPEECH = norm_set("قال قالت يقول تقول اعلن اعلنت يعلن اكد اكدت يؤكد افاد افادت ذكر ذكرت اضاف اضافت اوضح "
              "اوضحت اشار اشارت بيان اعترف اعترفت زعم زعمت ادعي ادعت اتهم اتهمت يتهم تتهم")
ACCUSE = norm_set("اتهم اتهمت يتهم تتهم اتهام اتهامات تتهمها يتهمها زعم زعمت ادعاءات ادعي")
# Duration and habit: the sentence describes a state or a long campaign, not an incident.
DURATION = norm_set("منذ لاكثر طوال طيله يوميا باستمرار عاده غالبا دائما")
TIME_WORDS = norm_set(
    "امس اليوم الليله الليله الماضيه فجر صباح مساء ظهر عصر الاحد الاثنين الثلاثاء الاربعاء الخميس الجمعه "
    "السبت اثنين ثلاثاء اربعاء خميس جمعه سبت احد يوم ساعات اسبوع")
CASUALTY = norm_set(
    "مقتل قتل قتلي قتيل قتيلا قتيلين قتلوا مصرع مصرعه مصرعهم حتفه حتفهم استشهاد شهداء شهيد اصابه اصابات "
    "اصيب اصيبوا جرحي جريح جريحا جرحوا اعتقال اعتقل اعتقلت توقيف القبض مختطفين")
