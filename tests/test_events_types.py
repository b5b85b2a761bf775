"""One table per ACLED event type: real corpus sentences (shortened) that report an event, and
tricky ones that do not (threats, plans, denials, negations, generic statements, metaphors).

Each article is built by hand: the text stages run for real, and the place the sentence names is
filled in as the places stage would, so the events stage can locate the event.
"""
import pytest

from marsad.article import ActorMention, Article, Place, Span
from marsad.events.stage import extract_events
from marsad.events.learned import rules_only
from marsad.pipeline import Pipeline


@pytest.fixture(autouse=True)
def _rules():
    """These tables test the events stage's rules (its fallback, and the features its event-mention
    and incident models weigh); the shipped models' behaviour is tested in test_events_mention.py."""
    with rules_only():
        yield


TEXT = Pipeline.default(["marsad.text.boilerplate:mark_boilerplate", "marsad.text.sentences:split_sentences",
                         "marsad.text.tokens:tokenize"])


def ids(value):
    """Readable test ids: the expected type as is, Arabic text by its first words' length."""
    if isinstance(value, str) and not value.isascii():
        return f"ar{len(value)}"
    return value if isinstance(value, str) or value is None else None


def build(text, places=(), actors=(), date="2018-03-12"):
    """places: names to mark (each occurrence); actors: (alias, id, ACLED inter code)."""
    a = Article(text=text, id="t", date=date, date_source="input")
    TEXT(a)
    layer = []
    for name in places:
        start = text.find(name)
        while start >= 0:
            layer.append(Place(Span(start, start + len(name)), name, country="XX", lat=30.0, lon=40.0,
                               geo_precision=1, feature="city"))
            start = text.find(name, start + 1)
    a.layers["places"] = layer
    a.layers["actors"] = [ActorMention(Span(s, s + len(alias)), aid, aid, inter)
                          for alias, aid, inter in actors for s in _all(text, alias)]
    a.layers.update(extract_events(a))
    return a


def _all(text, phrase):
    start = text.find(phrase)
    while start >= 0:
        yield start
        start = text.find(phrase, start + 1)


def subtypes(text, places, actors=()):
    return sorted({e.sub_event_type for e in build(text, places, actors).layer("events")})


def check(text, place, expected, actors=()):
    got = subtypes(text, [place] if place else [], actors)
    if expected is None:
        assert got == [], got
    else:
        assert expected in got, got


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ("شن مسلحو داعش هجمات بالأسلحة على عدد من القرى بريف السويداء حيث اشتبكوا مع القوات الحكومية.",
     "السويداء", "Armed clash"),
    ("أفادت الشرطة بمقتل 17 شخصا على الأقل في حادث إطلاق نار في مدرسة ثانوية في مدينة باركلاند.",
     "باركلاند", "Attack"),
    ("وقال إن اشتباكات عنيفة اندلعت اليوم بين الجانبين في محيط مدينة تعز.", "تعز", "Armed clash"),
    # plans, threats, fears: nothing happened yet
    ("ويخشى مراقبون من أن تكون القوات السورية تستعد لشن هجوم بري كاسح على الغوطة الشرقية.",
     "الغوطة الشرقية", None),
    ("وكان التنظيم المتشدد هدد بشن هجمات قبل الانتخابات في العراق.", "العراق", None),
    # a generic definite noun names a category, not an incident
    ("ويبرز القتال في بنغازي الفوضى في ليبيا.", "بنغازي", None),
])
def test_events_battles_armed_clash(text, place, expected):
    check(text, place, expected)


@pytest.mark.parametrize("text,place,expected,actors", ids=ids, argvalues=[
    ("انتزع الجيش اليمني، بإسناد من طيران التحالف العربي، الثلاثاء، مواقع في مديرية القبيطة.", "القبيطة",
     "Government regains territory", [("الجيش اليمني", "yemen_gov_forces", 1)]),
    ("إلى ذلك سيطرت المقاومة الشعبية الثلاثاء على منطقة مطلة على مدينة تعز.", "تعز",
     "Non-state actor overtakes territory", [("المقاومة الشعبية", "other:Popular Resistance", 3)]),
    # control as a state, not a capture
    ("ويسيطر الحوثيون على العاصمة صنعاء ومساحات كبيرة في شمال اليمن.", "صنعاء", None,
     [("الحوثيون", "houthis", 2)]),
    # vague object, background
    ("وسيطر تنظيم داعش على مساحات كبيرة من سوريا والعراق.", "سوريا", None, [("داعش", "isis", 2)]),
    ("ووضع الحشد هدفا وهو حماية بغداد من تنظيم داعش الذي سيطر على الموصل والرمادي.", "الموصل", None,
     [("داعش", "isis", 2)]),
])
def test_events_battles_territory(text, place, expected, actors):
    check(text, place, expected, actors)


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ("قصفت طائرات حربية سورية وروسية الجمعة منطقة حوض اليرموك في ريف درعا.", "درعا", "Air/drone strike"),
    ("شنت القوات الجوية الإسرائيلية قصفاً على هدف تابع لحماس في قطاع غزة، صباح الإثنين.", "قطاع غزة",
     "Air/drone strike"),
    ("وذكرت مصادر ميدانية أن غارات جوية استهدفت تعزيزات للميليشيا في منطقة الغوادر.", "الغوادر",
     "Air/drone strike"),
    # future, denial
    ("قالت تركيا أمس إن التحالف سيشن قريبا معركة شاملة ضد متشددي تنظيم داعش في شمال سورية.", "سورية", None),
    ("ونفى الجيش التركي السبت استهداف مستشفى في عفرين.", "عفرين", None),
])
def test_events_remote_air_strike(text, place, expected):
    check(text, place, expected)


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ("وقصفت المليشيات الانقلابية، السبت حي الجمهوري السكني في تعز.", "تعز",
     "Shelling/artillery/missile attack"),
    ("وأضاف الجيش أنه أحصى نحو ثلاثين قذيفة بينها صواريخ أطلقت ليلا من القطاع على سديروت.", "سديروت",
     "Shelling/artillery/missile attack"),
    ("وأوضح أن القصف المدفعي استهدف 185 هدفا بمناطق العمليات في رفح.", "رفح",
     "Shelling/artillery/missile attack"),
    ("وكان وزير الدفاع الإسرائيلي قد هدد باستهداف هذه المنظومة في حال تسليمها لدمشق.", "دمشق", None),
    # a continuing campaign, not an incident
    ("تناقض الواقع مع تقدم القوات وقصفها المتواصل في دير الزور.", "دير الزور", None),
])
def test_events_remote_shelling(text, place, expected):
    check(text, place, expected)


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ("تبنى تنظيم داعش انفجار سيارة مفخخة قرب القنصلية الإيطالية في القاهرة.", "القاهرة",
     "Remote explosive/landmine/IED"),
    ("وقال الناطق باسم الجيش إن انفجار العبوة الناسفة يوم أمس قرب نابلس لم يسفر عن وقوع أي إصابات.", "نابلس",
     "Remote explosive/landmine/IED"),
    # explosives found in a cache are no explosion
    ("وفي الشيخ زويد، عثرت القوات على 70 عبوة ناسفة في مخزن لتصنيع العبوات الناسفة.", "الشيخ زويد", None),
    # a call to violence quoted from a speech
    ('وقال المتحدث "فأحكموا العبوات وانشروا القناصات وأغيروا عليهم بالمفخخات" في الرقة.', "الرقة", None),
])
def test_events_remote_ied(text, place, expected):
    check(text, place, expected)


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ("قتل 15 شخصا على الاقل، اليوم الاربعاء، عندما فجر انتحاري نفسه في سوق مزدحمة بمدينة قندوز.", "قندوز",
     "Suicide bomb"),
    ("وأعلنت الوزارة أن 30 شخصا قتلوا أمس الاثنين، في هجوم انتحاري استهدف مدينة سوروتش التركية.", "سوروتش",
     "Suicide bomb"),
    # a question about bombers is no bombing; a foiled attempt is no suicide bombing
    ("لماذا أكثر المتطرفين، الانتحاريون منهم، الذين يقاتلون في صفوف داعش في الرقة هم توانسة؟", "الرقة", None),
])
def test_events_remote_suicide(text, place, expected):
    check(text, place, expected)


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ("وفي حادث منفصل، اصيب سبعة من عناصر الشرطة في هجوم بقنبلة يدوية في منطقة بيسميل.", "بيسميل", "Grenade"),
    ("وفي الشيخ زويد، عثر بداخل المخزن على 60 قنبلة يدوية و200 مفجر.", "الشيخ زويد", None),
])
def test_events_remote_grenade(text, place, expected):
    check(text, place, expected)


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ('70 قتيلا على الأقل في "هجوم كيماوي" على دوما في سوريا.', "دوما", "Chemical weapon"),
    ("ويخزن التنظيم أسلحة وأسمدة كيماوية في الرقة لاستخدامها في صنع المتفجرات.", "الرقة", None),
])
def test_events_remote_chemical(text, place, expected):
    check(text, place, expected)


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ("وقال عضو في المجلس المحلي الجمعة إن مسلحين قتلوا 25 مدنيا من الطوارق في أمالولو.", "أمالولو", "Attack"),
    # generic accusation, no incident
    ("داعش تستهدف كل إعلامي سوري يعمل ضد النظام في الرقة.", "الرقة", None),
    # a drowning is no attack
    ('وقالت المتحدثة: "علمنا منهم أن 35 إلى 40 شخصا لقوا حتفهم" قبالة زوارة.', "زوارة", None),
])
def test_events_civilians_attack(text, place, expected):
    check(text, place, expected)


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ("أحرق مسلحون مجهولون مبنى مدرسة حكومية وخطفوا عشرة عمال في مقاطعة كورام.", "كورام",
     "Abduction/forced disappearance"),
    ("واستهدف المسلحون قرية درزية في ريف السويداء وخطفوا منها المدنيين رهائن.", "السويداء",
     "Abduction/forced disappearance"),
    # kidnapping as a category, and a past event in a relative clause
    ("غير أن لتجنيد الأطفال في حلب وسائل أخرى منها الخطف.", "حلب", None),
])
def test_events_civilians_abduction(text, place, expected):
    check(text, place, expected)


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ("وقالت ناجية إن مسلحي التنظيم اغتصبوا الفتيات المختطفات في سنجار.", "سنجار", "Sexual violence"),
    # usurpation, not rape
    ("اتخذ الحوثي الاتفاقيات وسيلة لاجتياح المدن واغتصاب العاصمة صنعاء.", "صنعاء", None),
])
def test_events_civilians_sexual_violence(text, place, expected):
    check(text, place, expected)


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ("قال مسؤولون، الخميس، إن السلطات التركية اعتقلت 18 شخصا يشتبه بأنهم من أعضاء تنظيم داعش في إسطنبول.",
     "إسطنبول", "Arrests"),
    ("واضافت وزارة الداخلية ان قوات الامن تمكنت من القبض على 13 عنصرا في القصرين.", "القصرين", "Arrests"),
    # a detention facility, a suspension, a warrant
    ("ويرتب هذا العدد أعباء كبيرة مع اكتظاظ مراكز الاعتقال في الحسكة.", "الحسكة", None),
    ("وكان المدرب قد أوقف أربعة أشهر عندما كان في تورينو.", "تورينو", None),
    ("وأوضح البيان قيام حرس الحدود في السلوم بالقبض على 419 متسللا من جنسيات مختلفة.", "السلوم", None),
])
def test_events_strategic_arrests(text, place, expected):
    check(text, place, expected)


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ("وفي بغداد، تظاهر المئات من العراقيين وأغلقوا الطريق السريع على مدخل مدينة الشعلة.", "بغداد",
     "Peaceful protest"),
    ("وحاول متظاهرون اقتحام مبنى المحافظة في الديوانية، لكن الشرطة قامت بتفريقهم بواسطة قنابل الغاز المسيل "
     "للدموع.", "الديوانية", "Protest with intervention"),
    ("واحتشد عشرات الشباب في الطرق في سريناغار ورشقوا بالحجارة قوات الشرطة.", "سريناغار",
     "Violent demonstration"),
    # "in protest at" alone is no demonstration
    ("وقدم الوزير استقالته احتجاجا على القرار في عمان.", "عمان", None),
])
def test_events_protests_and_riots(text, place, expected):
    check(text, place, expected)


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ("وأعلن التحالف أمس الخميس هدنة يبدأ سريانها ليل الأحد في اليمن لمدة خمسة أيام.", "اليمن", "Agreement"),
    ("وتوصلت الأطراف الجمعة إلى اتفاق لوقف إطلاق النار في درعا.", "درعا", "Agreement"),
    # failed talks, a trade treaty
    ("ولم تنجح محاولات متتالية للتوصل إلى هدنة في طرابلس.", "طرابلس", None),
    ("ووقعت الشركة اتفاقا مع الحكومة لاستيراد القمح إلى مصر.", "مصر", None),
])
def test_events_strategic_agreement(text, place, expected):
    check(text, place, expected)


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ("أفادت مصادر أن الدفاعات الجوية اعترضت فجر الجمعة صاروخاً باليستياً أطلق باتجاه مدينة مأرب.", "مأرب",
     "Disrupted weapons use"),
    ("وأبطلت القوات مفعول ست عبوات ناسفة زرعت على جانبي الطريق في منطقة الجورة.", "الجورة",
     "Disrupted weapons use"),
])
def test_events_strategic_disrupted_weapons(text, place, expected):
    check(text, place, expected)


@pytest.mark.parametrize("text,place,expected", ids=ids, argvalues=[
    ("وأوضح أن الحوثيين نهبوا مبالغ مالية من منزل الجنيد في إب.", "إب", "Looting/property destruction"),
    ("وانتشر شريط يظهر مقاتلين يناقشون خططا لنهب المنازل في عفرين.", "عفرين", None),
])
def test_events_strategic_looting(text, place, expected):
    check(text, place, expected)
