import csv
import json
import subprocess
import sys

import pytest

from conftest import EVAL, ROOT, SHARED
from marsad.actors.registry import load_registry
from marsad.actors.resolve import actor_for_code, find_actors
from marsad.article import Article, Entity, Span
from marsad.pipeline import Pipeline
from marsad.text.boilerplate import mark_boilerplate
from marsad.text.sentences import split_sentences
from marsad.text.tokens import tokenize

PIPELINE = Pipeline([mark_boilerplate, split_sentences, tokenize, find_actors])


def mentions(text: str, entities=()) -> list[tuple[str, str | None, str]]:
    article = Article(text)
    if entities:
        article.layers["entities"] = list(entities)
    PIPELINE(article)
    return [(article.span_text(m.span), m.id, m.via) for m in article.layer("actors")]


def test_actors_registry_has_every_gold_id():
    with (EVAL / "actors.tsv").open(encoding="utf-8") as f:
        gold = [row["id"] for row in csv.DictReader(f, delimiter="\t")]
    reg = load_registry()
    for actor_id in gold:
        assert reg.get(actor_id) is not None, actor_id
        assert reg.get(actor_id).code == actor_id         # gold ids are written out as they are


def test_actors_registry_has_state_forces_of_every_mena_country():
    reg = load_registry()
    countries = "SY IQ YE LY SD SS LB JO PS IL EG SA TR IR AF SO ML NE NG TD DZ TN MA KW BH QA AE OM MR DJ ER ET PK CY"
    for iso in countries.split():
        for role in ("military", "police"):
            actor = reg.state_forces(iso, role)
            assert actor is not None and actor.inter in (1, 8) and actor.country == iso, (iso, role)
    assert reg.state_forces("LB", "military").code == "other:Military forces of Lebanon"
    assert reg.state_forces("TR", "police").code == "other:Police Forces of Turkey"
    assert reg.state_forces("IQ", "police").code == "iraqi_forces"
    assert actor_for_code("other:Military forces of Lebanon").country == "LB"


@pytest.mark.parametrize("text, written, code", [
    ('وتشن قوات "قسد"، وهي عبارة عن ائتلاف لفصائل كردية وعربية، منذ شهر هجوما ضد آخر جيب.', "قسد", "sdf"),
    ("لكن المرصد ذكر مساء أن قوات سوريا الديموقراطية تمكنت من استعادة ثلاث من هذه القرى.",
     "قوات سوريا الديموقراطية", "sdf"),
    ("وقد عبر المقاتلون نهر الفرات ليقصفوا قاعدة تابعة لقوات سوريا الديمقراطية.", "قوات سوريا الديمقراطية", "sdf"),
    ('وتبنى تنظيم "الدولة الإسلامية" الهجوم.', 'تنظيم "الدولة الإسلامية"', "isis"),
    ("فتح خمسة عناصر من داعش في سوريا النار على موقع متقدم للجيش التركي.", "جيش التركي", "turkish_forces"),
    ("وكان 6 أشخاص قتلوا الخميس في عملية انتحارية نفذتها حركة طالبان ضد الشرطة الأفغانية جنوب العاصمة كابل.",
     "الشرطة الأفغانية", "other:Police Forces of Afghanistan"),
    ("وكان 6 أشخاص قتلوا الخميس في عملية انتحارية نفذتها حركة طالبان ضد الشرطة الأفغانية.", "حركة طالبان",
     "other:Taliban"),
    ("أعلن مصدر أمني أن #المخابرات_اللبنانية اعتقلت رجلا.", "المخابرات_اللبنانية", "other:Military forces of Lebanon"),
    ("وقالت قناة المسيرة التي يديرها الحوثيون إن الحوثيين استهدفوا معسكرا.", "الحوثيون", "houthis"),
])
def test_actors_alias_forms(text, written, code):
    assert (written, code, "alias") in mentions(text)


@pytest.mark.parametrize("text, written, code", [
    # a member noun before a name
    ("واشتبكت قوات الأمن مع مسلحي داعش داخل حرمها.", "مسلحي داعش", "isis"),
    ("قتل 14 مسلحا من قوات النظام السوري والمعارضة المسلحة.", "مسلحا من قوات النظام السوري", "syrian_gov_forces"),
    # an adjective of the actor
    ("وتمكن المسلحون الحوثيون والموالون لهم من الانتشار في مطار وميناء الحديدة.", "المسلحون الحوثيون", "houthis"),
    # members of the actor named before
    ("خطف تنظيم داعش 14 سيدة من قرية الشبكي المتاخمة للبادية، حيث يتحصن مقاتلو التنظيم.", "مقاتلو التنظيم",
     "isis"),
    ("داعش يدعو عناصره لـ\"الثأر\" من أكراد سوريا.", "عناصره", "isis"),
    ("يسيطر تنظيم داعش على البلدة. ويقصف النظام بانتظام مناطق واقعة تحت سيطرة المعارضة أو الجهاديين في حلب.",
     "الجهاديين", "isis"),
    # unnamed militants
    ("أعلن المتحدث العسكري المصري أن 7 من عناصر الجيش و71 \"فردا تكفيريا\" قتلوا.", "تكفيريا",
     "unidentified_armed_group"),
    # the forces of the country the article is about
    ("قتل شرطي في القاهرة. وشنت قوات الأمن المصرية حملة دهم في مصر. واعتقلت الشرطة 23 عنصرا.", "الشرطة",
     "egypt_forces"),
    ("وقال في بيان إن المقاتلين صدوا هجوم قوات الأمن في أفغانستان.", "قوات الأمن",
     "other:Police Forces of Afghanistan"),
])
def test_actors_descriptors(text, written, code):
    assert (written, code, "descriptor") in mentions(text)


@pytest.mark.parametrize("text, written, code", [
    ("وتخوض قوات سوريا الديموقراطية بدعم من التحالف الدولي هجوماً ضد التنظيم. وتدكّ هذه القوات الجيب المحاصر.",
     "هذه القوات", "sdf"),
    ("وتخوض قوات سوريا الديموقراطية بدعم من التحالف الدولي هجوماً ضد داعش. وباتت تحاصر التنظيم في جيب صغير.",
     "التنظيم", "isis"),
    ("ومنذ 2014، عندما بدأت الكاميرون تتصدى لبوكو حرام، قتلت الجماعة \"2000 مدني وعسكري\".", "الجماعة",
     "other:Boko Haram"),
    ("وتكشف هذه الهجمات تصاعد نشاط حركة طالبان، على الرغم من النزاعات التي سببها انتقال القيادة في الحركة.",
     "الحركة", "other:Taliban"),
    ("أسفرت المعارك عن مقتل عناصر من ميليشيات الحوثي. وشنت طائرات التحالف غارات على مواقع الميليشيا.",
     "الميليشيا", "houthis"),
    ("من جانب آخر، قال التحالف الذي يقود العملية العسكرية ضد داعش في بيان إن طائرات أمريكا نفذت 27 غارة في سورية.",
     "التحالف", "us_led_coalition"),
])
def test_actors_anaphora(text, written, code):
    assert (written, code, "anaphora") in mentions(text)


@pytest.mark.parametrize("text, absent", [
    ("ورصد شهود عيان أكثر من 12 غارة جوية استهدفت القاعدة الجوية العسكرية.", "al_qaeda"),
    ("ويشهد اليمن نزاعا مسلحا منذ سنوات بين القوات الحكومية والمتمردين.", "unidentified_armed_group"),
    ("وشهدت الحركة التجارية في الأسواق تراجعا بعد أن أعلنت حركة حماس الإضراب.", None),
])
def test_actors_common_nouns_are_not_actors(text, absent):
    found = mentions(text)
    assert all(code != absent for _, code, _ in found)
    if absent is None:                                      # "الحركة التجارية" is trade, not Hamas
        assert [w for w, _, via in found if via == "anaphora"] == []


def test_actors_surname_is_not_a_country_cue():
    text = ("اليمن: تقدم الجيش الوطني في جبهة الساحل الغربي. كما قتل القيادي محمد صالح العراقي في منطقة الصافية "
            "خلال مواجهات مع قوات الجيش الوطني.")
    codes = {code for written, code, _ in mentions(text) if "الجيش الوطني" in written}
    assert codes == {"yemen_gov_forces"}


def test_actors_ner_organisations_outside_the_registry():
    text = "وأعلنت سرايا الأقصى مسؤوليتها عن الهجوم."
    start = text.index("سرايا")
    ent = Entity(Span(start, start + len("سرايا الأقصى")), "ORG")
    assert ("سرايا الأقصى", None, "ner") in mentions(text, [ent])


def test_actors_seed_and_dev_cover_the_gold_event_actors(seed_gold, dev_gold):
    """Most actors that gold events name appear in the article's actor layer (a floor, raised as rules improve)."""
    found = total = 0
    for gold in [seed_gold, *dev_gold]:
        codes = {code for _, code, _ in mentions(gold["text"])}
        for event in gold["events"]:
            for key in ("actor1", "actor2"):
                if event.get(key):
                    total += 1
                    found += event[key] in codes
    assert total > 50 and found / total >= 0.75


def test_actors_spans_point_into_the_text(corpus_sample):
    for row in corpus_sample[:30]:
        article = Article(row["text"])
        PIPELINE(article)
        for m in article.layer("actors"):
            assert m.span is not None and article.span_text(m.span).strip() == article.span_text(m.span)
            assert m.via in ("alias", "descriptor", "anaphora", "ner")
            assert m.id is None or actor_for_code(m.id) is not None


def test_actors_list_command():
    r = subprocess.run([sys.executable, "-m", "marsad.cli", "actors", "list", "--format", "json"],
                       capture_output=True, text=True, cwd=ROOT)
    assert r.returncode == 0, r.stderr
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    codes = {row["code"] for row in rows}
    assert {"isis", "sdf", "civilians", "other:Military forces of Lebanon"} <= codes
    assert SHARED.exists()
