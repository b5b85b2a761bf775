"""Word lists for figures: who is counted, what happened to them, what is not a person.

Entries are written in ordinary spelling and folded with `norm`, like the text. Nouns are
listed with their usual singular and plural(s); `noun_entry` also accepts the accusative
singular after numbers 11-99 ("شخصاً"), construct plurals ("مسلحي"), duals of nouns
with a broken plural ("جنديين", "شخصان") and nisba plurals ("فلسطينيين", "كويتيين").

A metric word is either a noun that names the outcome itself (قتلى, نازحين) or a verb or
verbal noun around the number (مقتل, اعتقال, وصول). `people_only` marks triggers that
apply to people only, so "مقتل 8" is a figure even without a noun, while "وصول 8" needs
one ("وصول 8 شاحنات" counts lorries).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..text.normalize import norm


@dataclass(frozen=True, slots=True)
class Noun:
    population: str                 # who, in plain English
    metric: str | None = None       # the outcome the noun itself names (قتلى → killed)
    dual: bool = False              # singular + ين/ان is a dual only (its plural is broken)


# singular, plurals..., population, metric, dual: read from data/figures/people.tsv
_DATA = Path(__file__).resolve().parents[1] / "data" / "figures"


def _read_people() -> list[tuple[tuple[str, ...], str, str | None, bool]]:
    rows = []
    for line in (_DATA / "people.tsv").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        forms, population, metric, dual = line.split("\t")
        rows.append((tuple(forms.split(",")), population, None if metric == "-" else metric, dual == "yes"))
    return rows


_PEOPLE = _read_people()

# Words between a number's "من" and the people it counts: "14 من صفوف ...", "من بين".
TRANSPARENT = {norm(w) for w in ("صفوف", "بين", "ضمن", "جملة")}

# Nisba plurals of places that are not people ("ملايين" is a number, handled before).
_NOT_NISBA = {norm(w) for w in ("سوريا", "ليبيا", "تركيا", "روسيا", "إثيوبيا", "كينيا", "نيجيريا", "بريطانيا",
                                 "ألمانيا", "إيطاليا", "إسبانيا", "أفريقيا", "آسيا", "الصومال", "تريليون",
                                 "بليون", "مليون", "دنيا", "ثانية", "ثواني", "يوليو", "يونيو", "مايو", "عليا",
                                 "حاليا", "تقريبا", "مبدئيا", "يوميا", "شهريا", "سنويا", "أسبوعيا", "رسميا",
                                 "جزئيا", "نهائيا", "مؤقتا", "عسكريا", "أمنيا", "سياسيا", "محليا", "دوليا",
                                 "فعليا", "تلقائيا", "جويا", "بريا", "بحريا", "إضافيا", "شخصيا", "كليا",
                                 "يدويا", "ثنائيا", "عالميا", "عربيا", "إقليميا", "وطنيا", "تاريخيا", "نسبيا",
                                 "عمليا", "جماعيا", "ميدانيا", "إعلاميا", "إنسانيا", "اقتصاديا", "حرفيا",
                                 "إيجابيا", "سلبيا", "جسديا", "نفسيا", "ماديا", "معنويا", "تدريجيا", "أساسيا",
                                 "إجماليا", "مبدئيا", "تقريبيا", "ذاتيا", "داخليا", "خارجيا", "دستوريا",
                                 "قانونيا", "شرعيا", "طبيعيا", "كيميائيا", "إلكترونيا", "هاتفيا", "شفهيا",
                                 "كتابيا", "علنيا", "سريا", "فوريا", "يوميا", "ليليا", "نهائيا", "أمريكيا",
                                 "أوروبيا", "دوليين", "محليين", "إقليميين", "رئيسيين", "أساسيين", "إضافيين")}

NOUNS: dict[str, Noun] = {}
for words, population, metric, dual in _PEOPLE:
    entry = Noun(population, metric, dual)
    for w in words:
        NOUNS[norm(w)] = entry

# Duals: ان is always a dual; ين only for nouns whose plural is broken (جنديين, but مدنيين is
# a plural); feminine ة becomes ت (امرأتين). "طالبان" is the Taliban; "آخران" agrees with
# anything ("هجومان آخران"), so it counts only right after a number.
DUALS: dict[str, Noun] = {}
for words, *_ in _PEOPLE:
    for w in map(norm, words):
        if " " in w:
            continue
        entry = NOUNS[w]
        stem = w[:-1] + "ت" if w.endswith("ه") else w
        DUALS.setdefault(stem + "ان", entry)
        if entry.dual or w.endswith("ه"):
            DUALS.setdefault(stem + "ين", entry)
for w in [w for w in DUALS if w in NOUNS] + [norm("طالبان"), norm("آخران")]:
    DUALS.pop(w, None)


def noun_entry(form: str, after_number: bool = True) -> Noun | None:
    """The people noun a normalised, clitic-free form names, or None."""
    if form in NOUNS:
        return NOUNS[form]
    if form.endswith("ا") and form[:-1] in NOUNS:                # شخصا، قتيلا، مدنيا
        return NOUNS[form[:-1]]
    if form.endswith("ي") and form + "ن" in NOUNS:               # construct plural: مسلحي، مقاتلي
        return NOUNS[form + "ن"]
    if after_number and len(form) >= 5 and form not in _NOT_NISBA and not form.startswith("ال"):
        if form.endswith(("يين", "يون")):
            return Noun("people")                                  # nisba plural: فلسطينيين، كويتيين
        if form.endswith("يا") and not form.endswith("ييا"):
            return Noun("people")                                  # فلسطينيا، حوثيا
        if form.endswith(("سي", "ني", "دي", "قي", "ري", "بي")):
            return Noun("people")                                  # after thousands: '18 ألف سني', '1100 إندونيسي'
    if after_number and len(form) == 4 and form.endswith("يا") and form not in _NOT_NISBA \
            and not form.startswith("ال"):
        return Noun("people")                                      # '170 سنيا'
    if len(form) >= 5 and form.endswith(_POSSESSIVE):                # 'ثلاثة من أقاربه', 'اثنين من أبنائه'
        for suffix in _POSSESSIVE:
            if form.endswith(suffix) and form[:-len(suffix)] in NOUNS:
                return NOUNS[form[:-len(suffix)]]
            if form.endswith(suffix) and form[:-len(suffix)].endswith("ئ") and \
                    form[:-len(suffix) - 1] + "ء" in NOUNS:          # أبنائه -> أبناء
                return NOUNS[form[:-len(suffix) - 1] + "ء"]
    return None


_POSSESSIVE = ("هم", "هن", "ها", "ه")


def dual_entry(form: str) -> Noun | None:
    return DUALS.get(form)


# Things and measures counted in the same constructions as people: never figures.
THINGS = {norm(w) for w in """
سيارة سيارات آلية آليات مركبة مركبات عربة عربات دبابة دبابات مدرعة مدرعات شاحنة شاحنات حافلة حافلات
دراجة دراجات قارب قوارب سفينة سفن زورق زوارق طائرة طائرات مروحية مروحيات مسيرة مسيرات درون
صاروخ صواريخ قذيفة قذائف غارة غارات ضربة ضربات طلعة طلعات برميل براميل عبوة عبوات لغم ألغام
قنبلة قنابل رصاصة رصاصات طلقة طلقات سلاح أسلحة بندقية بنادق مدفع مدافع ذخيرة ذخائر
منزل منازل بيت بيوت مبنى مباني مبان منشأة منشآت مدرسة مدارس مستشفى مستشفيات مسجد مساجد كنيسة كنائس
موقع مواقع هدف أهداف قرية قرى بلدة بلدات مدينة مدن حي أحياء محافظة محافظات ولاية ولايات دولة دول بلد بلدان
مخيم مخيمات نقطة نقاط حاجز حواجز مقر مقرات معسكر معسكرات نفق أنفاق جسر جسور طريق طرق
كيلومتر كيلومترا كيلومترات كلم كم متر مترا أمتار ميل ميلا أميال طن طنا أطنان كيلو كيلوغرام كغ غرام لتر هكتار
دولار دولارا دولارات يورو ريال ريالا ريالات جنيه جنيها دينار دينارا ليرة ليرات درهم درهما فرنك روبل
بالمئة بالمائة المئة المائة بالميه نسبة
عام عاما أعوام سنة سنوات سنين شهر شهرا أشهر شهور أسبوع أسبوعا أسابيع يوم يوما أيام ساعة ساعات دقيقة دقائق
ثانية ثوان ليلة ليال مرة مرات ضعف أضعاف
عملية عمليات حادثة حوادث حادث هجوم هجمات انفجار انفجارات تفجير تفجيرات اشتباك اشتباكات مواجهة مواجهات
جولة جولات قرار قرارات مادة مواد بند بنود فقرة صفحة صفحات رسالة رسائل تقرير تقارير بيان بيانات
وحدة وحدات كتيبة كتائب لواء ألوية فرقة فرق فوج أفواج سرية سرايا مجموعة مجموعات خلية خلايا جبهة جبهات محور محاور
فصيل فصائل تنظيم تنظيمات حزب أحزاب منظمة منظمات شركة شركات جمعية جمعيات
حالة حالات قضية قضايا جريمة جرائم انتهاك انتهاكات خرق خروقات مخالفة مخالفات
طلب طلبات وثيقة وثائق جواز رخصة
رأس رؤوس منصب مناصب مقعد مقاعد صوت أصوات درجة درجات نقطة
""".split()}

# Verbs and verbal nouns that say what happened to the people counted: data/figures/triggers.tsv
# (metric, people_only, words)
def _read_triggers() -> list[tuple[str, bool, str]]:
    rows = []
    for line in (_DATA / "triggers.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            metric, people_only, words = line.split("\t")
            rows.append((metric, people_only == "yes", words))
    return rows


_TRIGGERS = _read_triggers()
TRIGGERS: dict[str, tuple[str, bool]] = {}
for metric, people_only, words in _TRIGGERS:
    for w in words.split():
        TRIGGERS.setdefault(norm(w), (metric, people_only))
# Triggers only right before the number: "تحرير 5 رهائن" (freed), but "تحرير" is mostly the
# "liberation" of a town, with its population counted further on; "وفقد 15 آخرون" (went
# missing), but a bare "فقد" is mostly the particle ف + قد ("فقد قرر ثلاثة أعضاء").
IMMEDIATE_ONLY = {**{norm(w): ("released", True) for w in ("تحرير", "حرر", "حررت")},
                  **{norm(w): ("missing", True) for w in ("وفقد", "ففقد")}}
# "القضاء على" (eliminated) is a killing; "القضاء" alone is the judiciary.
KILL_BIGRAMS = {(norm("القضاء"), norm("على")), (norm("قضاء"), norm("على"))}

# Non-violent causes that make a death count "deaths" rather than "killed".
NON_VIOLENT = {norm(w) for w in """غرق غرقوا الغرق غرقى الجوع جوعا المجاعة مجاعة التغذية المرض مرض الأمراض
    الكوليرا كوليرا الجفاف البرد الصقيع التجمد وباء الوباء الحصبة الإسهال السير الفيضانات فيضانات الزلزال
    زلزال""".split()}

# Disease words: "إصابة" there is an infection, not an injury.
DISEASE = {norm(w) for w in """المرض مرض الأمراض الكوليرا كوليرا وباء الوباء الأوبئة أوبئة الحصبة الإسهال حمى الحمى
    الحميات الضنك فيروس الفيروس كورونا الملاريا التهاب""".split()}

# Words that make a death toll cumulative (a war's toll, not one event's).
WAR_WORDS = {norm(w) for w in "النزاع نزاع الحرب حرب الصراع صراع الأزمة الثورة الاقتتال الحروب الانتفاضة".split()}
# Verbs that also mean "amount to" when followed by إلى: 'وصل عدد القتلى إلى 30'.
AMOUNT_VERBS = {norm(w) for w in "وصل وصلت يصل تصل وصول".split()}
TOLL_WORDS = {norm(w) for w in "حصيلة الحصيلة عدد إجمالي مجموع".split()}

# Sub-counts of the figure before: "بينهم 37 ألف مدني", "منهم 5 أطفال".
SUBCOUNT = {norm(w) for w in """بينهم بينهن منهم منهن غالبيتهم معظمهم أغلبهم أكثرهم بينها منها
    وبينهم ومنهم وبينهن ومنهن هم وهم يتوزعون يتوزع توزعوا""".split()}

# Verbs and prepositions that introduce who gives a number.
SOURCE_VERBS = {norm(w) for w in """أحصت أحصى أحصى أفاد أفادت ذكر ذكرت قال قالت أعلن أعلنت أكد أكدت أوضح أوضحت
    وثق وثقت رصد رصدت سجل سجلت كشف كشفت أشار أشارت أضاف أضافت قدر قدرت صرح صرحت نقلت أوردت أورد
    أفادت أحصت تحدثت تحدث""".split()}
SOURCE_PREPS = {norm(w) for w in "بحسب حسب وفق وفقا طبقا نقلا".split()}

# A death count of this size is a war's (or a campaign's) toll, never one day's dead.
TOLL_MIN = 1000
# Period words and how many days each unit is; a count summed over PERIOD_MIN_DAYS or more
# ('خلال 30 يوماً', 'في ثلاثين عاما', 'منذ ثلاثة أشهر') is cumulative.
PERIOD_UNITS = {**{norm(w): 1 for w in "يوم يوما أيام".split()},
                **{norm(w): 7 for w in "أسبوع أسبوعا أسابيع أسبوعين".split()},
                **{norm(w): 30 for w in "شهر شهرا شهور أشهر شهرين".split()},
                **{norm(w): 365 for w in "عام عاما أعوام سنة سنوات سنين عامين سنتين".split()}}
PERIOD_PREPS = {norm(w) for w in "خلال في منذ مدى طوال طيلة مدار غضون".split()}
PERIOD_MIN_DAYS = 20
# "658 حالة اختطاف", "و3 حالات وفاة": a count of cases of something that befell people counts them.
CASES = {norm(w) for w in "حالة حالات".split()}
# Courts: a death sentence ('قضت بإعدام 14 متهما', 'الحكم بالإعدام') is not a killing.
COURT = {norm(w) for w in """محكمة المحكمة قضت حكمت أحكام بالإعدام القاضي أدانت أدان إدانة""".split()}
# Who counts as fighters: their flight is a retreat, not displacement.
COMBATANTS = {"fighters", "gunmen", "jihadists", "militants", "rebels", "ISIS fighters", "suicide bombers",
              "commanders", "soldiers", "officers", "wanted people", "suspects", "infiltrators", "attackers",
              "members"}
YEAR_WORDS = {norm(w) for w in "عام العام سنة".split()}
# Unit words that are a span by themselves ('خلال أشهر', 'منذ سنوات', 'خلال عامين').
PERIOD_PLURALS = {norm(w) for w in "أيام أسابيع أسبوعين شهور أشهر شهرين أعوام سنوات سنين عامين سنتين".split()}
# Number words before a period unit ('ثلاثة أشهر', 'ثلاثين عاما').
NUMBER_WORDS = {norm(w) for w in """ثلاثة ثلاث أربعة أربع خمسة خمس ستة ست سبعة سبع ثمانية ثماني تسعة تسع عشرة
    عشر عشرين عشرون ثلاثين ثلاثون أربعين أربعون خمسين خمسون ستين ستون سبعين سبعون ثمانين ثمانون تسعين تسعون
    بضعة بضع عدة""".split()}
