"""The places stage: gazetteer build (extract, local dumps, download), name keys, resolution."""
import json
import math
import pickle
import re
import threading
import zipfile
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from click.testing import CliRunner

import marsad
from marsad.cli import main
from marsad.places import gazetteer
from marsad.places import names as nm
from marsad.places.resolve import NO_GAZETTEER, geocode
from conftest import SHARED

EXTRACT = SHARED / "data" / "geonames_mena"
WOF = SHARED / "data" / "gazetteer_wof_mena"


def _km(a, b, c, d):
    p = math.pi / 180
    h = math.sin((c - a) * p / 2) ** 2 + math.cos(a * p) * math.cos(c * p) * math.sin((d - b) * p / 2) ** 2
    return 12742 * math.asin(math.sqrt(h))


@pytest.fixture(scope="session")
def gazetteer_data(tmp_path_factory):
    """The README's gazetteer (GeoNames extract + Who's On First) built once into a temporary
    MARSAD_DATA for the whole session."""
    data = tmp_path_factory.mktemp("marsad-data")
    from marsad.places.build import build
    build([EXTRACT], data / "places", log=lambda msg: None, wof=[WOF])
    return data


@pytest.fixture
def with_gazetteer(gazetteer_data, monkeypatch):
    monkeypatch.setenv("MARSAD_DATA", str(gazetteer_data))
    gazetteer.clear_cache()
    yield gazetteer.get()
    gazetteer.clear_cache()


@pytest.fixture
def without_gazetteer(tmp_path, monkeypatch):
    monkeypatch.setenv("MARSAD_DATA", str(tmp_path / "empty"))
    gazetteer.clear_cache()
    yield
    gazetteer.clear_cache()


def places_of(text, date=None):
    return [p for p in marsad.extract(text, date=date).layer("places")]


# --- names --------------------------------------------------------------------------------

@pytest.mark.parametrize("a, b", [
    ("الحسكة", "حسكه"), ("دير الزور", "ديرالزور"), ("أبوحماد", "أبو حماد"), ("صنعاء", "صنعا"),
    ("إدلب", "ادلب"), ("الرقة", "الرقه"),
])
def test_places_arabic_key_folds_variants(a, b):
    assert nm.arabic_key(a) == nm.arabic_key(b)


@pytest.mark.parametrize("arabic, latin", [
    ("الهول", "Al Hol"), ("الهول", "Al Ḩawl"), ("دير الزور", "Dayr az Zawr"), ("الحسكة", "Al-Hasakah"),
    ("بنغازي", "Benghazi"), ("سوروتش", "Suruç"), ("صلاح الدين", "Salah ad Din"),
])
def test_places_skeletons_meet(arabic, latin):
    assert nm.skeleton_ar(arabic) in {nm.skeleton_latin(latin), nm.skeleton_latin(latin, final_h=True)}


@pytest.mark.parametrize("name, arabic", [
    ("أبوظبي", True), ("ابو ظبى", True), ("ابوظہبی", False), ("ئەبووزەبی", False), ("گرگان", False),
    ("Abu Dhabi", False),
])
def test_places_is_arabic_tells_persian_and_kurdish_spellings(name, arabic):
    assert nm.is_arabic(name) is arabic


# --- the extract ------------------------------------------------------------------------------

def test_places_build_gives_governorates_arabic_names(with_gazetteer):
    g = with_gazetteer
    adm = [g.entry(i) for i, _ in g.lookup(nm.arabic_key("دير الزور")) if g.entry(i).feature == "admin1"]
    assert [(e.country, e.name_en) for e in adm] == [("SY", "Deir ez-Zor")]
    syria = g.country_entry("SY")
    assert syria.name_ar == "سوريا" and syria.lat is not None


def test_places_seed_article(with_gazetteer, seed_text):
    places = places_of(seed_text, "2019-03-19")
    hol = [p for p in places if "الهول" in p.name]
    assert hol and all(p.lat is not None and _km(p.lat, p.lon, 36.39, 41.15) <= 10 for p in hol)
    deir = [p for p in places if "دير الزور" in p.name]
    assert deir and all(p.country == "SY" and p.admin1 == "Deir ez-Zor" for p in deir)
    beirut = [p for p in places if p.name == "بيروت"]
    assert [p.role for p in beirut] == ["dateline"]
    baghuz = [p for p in places if "الباغوز" in p.name]
    # a village GeoNames' cities500 lacks and Who's On First has, with its district
    assert baghuz and all(p.lat is not None and _km(p.lat, p.lon, 34.432, 40.992) <= 10 and p.country == "SY"
                          and p.admin1 == "Deir ez-Zor" and p.admin2 == "Abu Kamal" for p in baghuz)
    assert not any(p.country not in ("SY", "IQ", "US", "LB") for p in places)


@pytest.mark.parametrize("text, name, country, admin1, precision", [
    # phrases from ../shared/data/arabic_conflict_news
    ("تهدم جزء كبير من جسرين رئيسيين في ريف دير الزور جراء استهدافهما بغارات.", "ريف دير الزور", "SY",
     "Deir ez-Zor", 2),
    ("كمين نصبته المقاومة الشعبية بمدينة رداع بمحافظة البيضاء وسط اليمن.", "مدينة رداع", "YE", "Al Bayda", 1),
    ("قُتل 13 وأُصيب 85 من ميليشيا الحوثي في مدينة تعز الواقعة شمال عدن.", "مدينة تعز", "YE", "Ta‘izz", 1),
    ("لا يمكننا أن نقاتل منفردين في محافظة الحسكة، قال قائد سوري.", "محافظة الحسكة", "SY", "Al-Hasakah", 3),
    ("قتل تنظيم داعش 38 مواطنا في مناطق مختلفة بمدينة الموصل العراقية أمس.", "مدينة الموصل", "IQ", "Nineveh", 1),
    ("هجمات على نقاط تفتيش في شمال سيناء يوم السبت في مصر.", "شمال سيناء", "EG", "North Sinai", 3),
    ("قضى مئات الفلسطينيين في مخيم اليرموك للاجئين الفلسطينيين بدمشق في سوريا.", "مخيم اليرموك", "SY", None, 1),
])
def test_places_resolves_real_phrases(with_gazetteer, text, name, country, admin1, precision):
    hits = [p for p in places_of(text) if p.name == name]
    assert hits, [p.name for p in places_of(text)]
    p = hits[0]
    assert (p.country, p.geo_precision) == (country, precision)
    if admin1:
        assert p.admin1 == admin1
    assert p.lat is not None


@pytest.mark.parametrize("text, word", [
    ("نجحت طائرات التحالف العربي في تدمير بعض المواقع لميليشيا الحوثي في اليمن.", "التحالف"),
    ("أنهى حالة الجمود التي استمرت في المدينة على مدار أشهر في ليبيا.", "المدينة"),
    ("وأكد المصدر أن الحكومة اليمنية ستعقد اجتماعا يوم الخميس.", "المصدر"),
    ("وقال قائد في المعارضة السورية المسلحة إن الهجوم فشل.", "السورية"),
    ("وناشد المتحدث باسم التنظيم أبي الحسن المهاجر عناصره في سوريا.", "أبي"),
    # a head noun and its adjective: the gazetteer's عسكرية is no name after قاعدة
    ("هاجم مسلحو حركة الشباب قاعدة عسكرية في كيسمايو جنوب الصومال.", "عسكرية"),
    ("وسقطت القذائف على منطقة قريبة من مطار الموصل دون أن تسفر عن إصابات.", "قريبة"),
    ("وأدى القصف المدفعي إلى تدمير عدد من المنازل في بلدة كفرنبل.", "القصف"),
    ("وعاد السكان إلى منطقة ضربها القصف العنيف الأسبوع الماضي في ريف حماة.", "ضربها"),
])
def test_places_common_words_are_not_places(with_gazetteer, text, word):
    assert not any(p.name == word or p.name.endswith(" " + word) for p in places_of(text))


@pytest.mark.parametrize("text, country", [
    # Israel's Northern District is spelt منطقة الشمال in the gazetteer: in a Cameroonian story it is
    # the Far North Region, and must not make Israel the story's country
    ("قتل 20 شخصا على الأقل في شمال الكاميرون في تفجيرين انتحاريين نفذتهما فتاتان يشتبه بأنهما من جماعة "
     "بوكو حرام التي تتمركز في نيجيريا. ووقع التفجيران في مدينة مروة عاصمة منطقة الشمال الاقصى، في سوق "
     "وحي مكتظ بالسكان.", "CM"),
    ("قصف الجيش الإسرائيلي مواقع في لبنان بعد إطلاق صواريخ على منطقة الشمال في إسرائيل.", "IL"),
])
def test_places_a_direction_is_a_district_only_in_its_country(with_gazetteer, text, country):
    got = [p for p in places_of(text) if p.name == "منطقة الشمال"]
    assert got and all(p.country == country for p in got)


def test_places_a_direction_district_of_the_story_resolves(with_gazetteer):
    p = next(p for p in places_of("أعلنت السلطات السعودية اعتقال خمسة أشخاص في المنطقة الشرقية بالمملكة.")
             if p.name == "المنطقة الشرقية")
    assert (p.country, p.feature) == ("SA", "admin1")


@pytest.mark.parametrize("text, name", [
    # Libya's capital is the bigger طرابلس, but a story that names Lebanon means Lebanon's, and its
    # Libyan reading must not pull the story's other places (منطقة القبة) to Libya
    ("قتل شخصان في اشتباكات في طرابلس في لبنان. وأصيب ثلاثة في حي الزاهرية وفي منطقة القبة.", "منطقة القبة"),
    ("قتل شخصان في اشتباكات مسلحة في طرابلس. وقال الجيش اللبناني إنه اعتقل ثلاثة في لبنان.", "طرابلس"),
])
def test_places_a_name_the_named_country_has_is_that_countrys(with_gazetteer, text, name):
    got = [p for p in places_of(text) if p.name == name]
    assert got and all(p.country == "LB" for p in got)


@pytest.mark.parametrize("text, name, country", [
    # إقليم كردستان is Iraq's Kurdistan Region (the gazetteer's admin1 "كردستان" is Iran's province);
    # Iran's is written with its own head and adjective
    ("وصل رئيس إقليم كردستان مسعود بارزاني إلى بغداد لبحث الأزمة مع الحكومة الاتحادية.", "إقليم كردستان", "IQ"),
    ("قال مسؤول في إقليم كردستان العراق إن الهجوم وقع قرب أربيل.", "إقليم كردستان العراق", "IQ"),
    ("قصفت المدفعية الإيرانية قرى في محافظة كردستان الإيرانية.", "محافظة كردستان", "IR"),
])
def test_places_kurdistan_region_is_iraqs(with_gazetteer, text, name, country):
    got = [p for p in places_of(text) if p.name == name]
    assert got and all(p.country == country for p in got)


def test_places_unknown_village_takes_container(with_gazetteer):
    text = ("قتل 14 من قوات الجيش السوري في هجوم بسيارة مفخخة استهدف سرية عسكرية في قرية زينون. "
            "وجاء الهجوم بعد اتفاق مصالحة في محافظة درعا جنوبي سوريا.")
    p = next(p for p in places_of(text) if "زينون" in p.name)
    assert (p.lat, p.country, p.admin1, p.feature) == (None, "SY", "Daraa", "city")


def test_places_dateline_is_not_a_mention(with_gazetteer):
    text = "عدن - (رويترز) - قتل ثلاثة في غارة على مدينة تعز اليمنية يوم الاثنين."
    places = places_of(text)
    assert [(p.name, p.role, p.country) for p in places if p.name == "عدن"] == [("عدن", "dateline", "YE")]


def test_places_spans_are_exact(with_gazetteer, seed_text):
    article = marsad.extract(seed_text)
    for p in article.layer("places"):
        assert article.text[p.span.start:p.span.end] == p.name


def test_places_stage_pickles():
    assert pickle.loads(pickle.dumps(geocode)) is geocode


# --- no gazetteer -------------------------------------------------------------------------------

def test_places_without_gazetteer_warns_once(without_gazetteer, seed_text):
    article = marsad.extract(seed_text)
    assert article.warnings.count(NO_GAZETTEER) == 1
    baghuz = [p for p in article.layer("places") if "الباغوز" in p.name]
    assert baghuz and all(p.lat is None for p in baghuz)


def test_places_cli_prints_the_warning_once_per_run(without_gazetteer, tmp_path, seed_text):
    for n in range(2):
        (tmp_path / f"a{n}.txt").write_text(seed_text, encoding="utf-8")
    result = CliRunner().invoke(main, ["extract", str(tmp_path / "a0.txt"), str(tmp_path / "a1.txt"),
                                       "--format", "jsonl"])
    assert result.exit_code == 0
    assert result.stderr.count("no gazetteer installed") == 1


# --- standard dumps and the download -------------------------------------------------------------

DUMP_ROWS = [
    # geonameid name asciiname alternatenames lat lon fclass fcode cc cc2 admin1 admin2 admin3 admin4 pop ...
    [173797, "Al Ḩawl", "Al Hawl", "Al Hol,El Hol,الحول", 36.39042, 41.14983, "P", "PPL", "SY", "", "01", "",
     "", "", 0],
    [173813, "Al-Hasakah", "Al-Hasakah", "Hasakah", 36.5, 40.75, "A", "ADM1", "SY", "", "01", "", "", "", 0],
    [173819, "Al Ḩasakah", "Al Hasakah", "Hasakah,Al-Hasakah", 36.50237, 40.74772, "P", "PPLA", "SY", "", "01",
     "", "", "", 188160],
    [163843, "Syria", "Syria", "", 35.0, 38.0, "A", "PCLI", "SY", "", "00", "", "", "", 17500000],
    [999001, "Nahr Test", "Nahr Test", "", 35.0, 40.0, "H", "STM", "SY", "", "", "", "", "", 0],
]
ALT_ROWS = [
    [1, 173819, "ar", "الحسكة", 1, "", "", ""],
    [2, 173819, "fa", "حسکه", "", "", "", ""],
    [3, 173813, "ar", "محافظة الحسكة", "", "", "", ""],
    [4, 163843, "ar", "سوريا", 1, "", "", ""],
    [5, 173797, "ckb", "ھۆل", "", "", "", ""],
]


def _zip(path, member, rows):
    buf = "\n".join("\t".join(str(c) for c in row) for row in rows) + "\n"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(member, buf)


def write_geonames_slice(root):
    (root / "alternatenames").mkdir(parents=True)
    _zip(root / "SY.zip", "SY.txt", [r + ["", "", "Asia/Damascus", "2024-01-01"] for r in DUMP_ROWS])
    _zip(root / "alternatenames" / "SY.zip", "SY.txt", ALT_ROWS)
    (root / "admin1CodesASCII.txt").write_text("SY.01\tAl-Hasakah\tAl-Hasakah\t173813\n", encoding="utf-8")
    (root / "admin2Codes.txt").write_text("", encoding="utf-8")
    info = ["SY", "SYR", "760", "SY", "Syria", "Damascus", "185180", "17500000", "AS", ".sy", "SYP", "Pound",
            "963", "", "", "ar-SY", "163843", "IQ,JO,IL,TR,LB", ""]
    (root / "countryInfo.txt").write_text("#ISO\tcomment\n" + "\t".join(info) + "\n", encoding="utf-8")


@pytest.fixture
def geonames_server(tmp_path):
    root = tmp_path / "served"
    write_geonames_slice(root)
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *a, **k: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def _check_slice_index():
    gazetteer.clear_cache()
    g = gazetteer.get()
    city = [g.entry(i) for i, f in g.lookup(nm.arabic_key("الحسكة")) if g.entry(i).feature == "city"]
    assert [(e.name_en, e.name_ar) for e in city] == [("Al Ḩasakah", "الحسكة")]
    assert all(g.entry(i).feature != "city" or not f & 1 for i, f in g.lookup(nm.arabic_key("الحسكة")))
    assert not g.lookup(nm.arabic_key("Nahr Test"))          # rivers are not kept
    assert g.country_entry("SY").lat == 35.0
    assert 173797 in {g.entry(i).geonameid for i in g.transliterations("الهول")}


def test_places_build_reads_standard_dumps(tmp_path, monkeypatch):
    monkeypatch.setenv("MARSAD_DATA", str(tmp_path / "data"))
    write_geonames_slice(tmp_path / "dumps")
    result = CliRunner().invoke(main, ["places", "build", "--geonames", str(tmp_path / "dumps")])
    assert result.exit_code == 0, result.output
    _check_slice_index()
    gazetteer.clear_cache()


def test_places_build_downloads_from_a_server(tmp_path, monkeypatch, geonames_server):
    monkeypatch.setenv("MARSAD_DATA", str(tmp_path / "data"))
    result = CliRunner().invoke(main, ["places", "build", "--download", "--url", geonames_server,
                                       "--countries", "SY"])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "data" / "geonames" / "alternatenames" / "SY.zip").exists()
    _check_slice_index()
    # a second run reuses the files; a URL given as --geonames works the same way
    result = CliRunner().invoke(main, ["places", "build", "--geonames", geonames_server, "--countries", "SY"])
    assert result.exit_code == 0, result.output
    gazetteer.clear_cache()


def test_places_build_reports_an_unreachable_server(tmp_path, monkeypatch):
    monkeypatch.setenv("MARSAD_DATA", str(tmp_path / "data"))
    result = CliRunner().invoke(main, ["places", "build", "--download", "--url", "http://127.0.0.1:9/",
                                       "--countries", "SY"])
    assert result.exit_code == 2
    assert "Could not download" in result.stderr


def test_places_build_rejects_an_empty_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("MARSAD_DATA", str(tmp_path / "data"))
    (tmp_path / "nothing").mkdir()
    result = CliRunner().invoke(main, ["places", "build", "--geonames", str(tmp_path / "nothing")])
    assert result.exit_code == 2 and "No GeoNames place file" in result.stderr


# --- transliteration fallback, containers, capitals (issue 5 follow-up) ------------------------

@pytest.mark.parametrize("arabic, latin, fits", [
    ("كوباني", "Kobani", True), ("كوباني", "Kobin", False),       # Beşiri's alternate name
    ("حوار", "Ḩarīr", False), ("حوار", "Ḩuwār", True),            # h.r.r is no حوار
    ("شقرة", "Ash Shuqayrah", False), ("الهول", "Al Ḩawl", True), ("سوروتش", "Suruç", True),
    ("ديالى", "Diyālá", True), ("الضباب", "Dhubāb", True),
])
def test_places_transliteration_needs_the_long_vowels(arabic, latin, fits):
    skeleton, mask = nm.pattern_ar(arabic)
    assert any(sk == skeleton and nm.vowels_fit(mask, lm, req)
               for sk, lm, req in (nm.pattern_latin(latin), nm.pattern_latin(latin, final_h=True))) is fits


def test_places_latin_fallback_stays_in_the_container(with_gazetteer):
    # real sentences (snn-2015-07-25-00315): Iraq is named, but the village is "in Syria"
    text = ("وأفادت وكالة دوغان التركية للأنباء أن الأهداف حددت حول بلدة حوار في سورية المقابلة لكيليس في "
            "تركيا. وفي العراق أصابت الغارات أهدافا عدة قرب تسع مدن بينها الموصل ومخمور والفلوجة.")
    hawar = [p for p in places_of(text) if "حوار" in p.name]
    assert [p.country for p in hawar] == ["SY"]      # the Syrian village (WOF has one), not an Iraqi one


@pytest.mark.parametrize("text, word", [
    # real corpus phrases that the matcher read as clitic + place name, or a Latin-only match
    ("أجرى مشاورات أمنية في مقر قيادة فرقة غزة في إسرائيل.", "رقة"),            # ف + رقة → a UAE village
    ("حذرته الحكومة الأميركية من استخدام ورقة محاربة الإرهاب في سوريا.", "رقة"),  # و + رقة → Raqqa
    ("يقول إن القتل والفساد وسرقة الأمريكيين للأموال في العراق وسوريا.", "رقة"),   # س + رقة
    ("وأسفرت عن تدمير خمس سيارات دون وقوع إصابات بشرية في اليمن.", "شرية"),      # ب + شرية → Ash Sharyah
    ("دعا إلى العودة إلى فلسطين وكسر الحصار الظالم عن غزة في إسرائيل.", "كسر"),   # Latin: Caesarea
    ("ظهور التطرف في المشهد العربي ككل في إيران وتونس.", "المشهد"),              # Persian مشهد has no ال
])
def test_places_words_are_not_clitic_plus_name(with_gazetteer, text, word):
    assert not any(p.name.endswith(word) and p.lat is not None for p in places_of(text))


def test_places_kobani_is_not_a_turkish_village(with_gazetteer):
    # real sentence: Kobani's GeoNames record is 'Ayn al 'Arab; Beşiri (Turkey) has 'Kobin'
    text = "وقع هجوم انتحاري استهدف مدينة سوروتش التركية (جنوب) قرب الحدود مع مدينة كوباني السورية."
    places = places_of(text)
    kobani = [p for p in places if "كوباني" in p.name]
    assert kobani and all(p.country == "SY" and p.name_en != "Beşiri" for p in kobani)
    suruc = next(p for p in places if "سوروتش" in p.name)
    assert suruc.country == "TR" and _km(suruc.lat, suruc.lon, 36.976, 38.425) <= 10


@pytest.mark.parametrize("text, name, lat, lon", [
    ("فجر انتحاري في 26 يونيو الماضي حزامه الناسف في مسجد في الكويت وقتل 26 من المصلين.", "الكويت",
     29.37, 47.97),
    ("ودعا إلى معالجة الأوضاع في تونس بعد الهجوم.", "تونس", 36.82, 10.17),
])
def test_places_country_named_like_its_capital_is_coded_at_the_capital(with_gazetteer, text, name, lat, lon):
    p = next(p for p in places_of(text) if p.name == name)
    assert _km(p.lat, p.lon, lat, lon) <= 10 and p.geo_precision == 3


def test_places_other_countries_keep_their_centre(with_gazetteer):
    p = next(p for p in places_of("قصفت طائرات حربية تركية مواقع في سوريا.") if p.name == "سوريا")
    assert p.feature == "country" and _km(p.lat, p.lon, 33.51, 36.29) > 50     # not Damascus


@pytest.mark.parametrize("text, names, country", [
    # real sentences; the places are not in the extract, but they are places, in this country
    ("وأبطلت مفعول ست عبوات ناسفة لاستهداف الآليات العسكرية في مناطق الجورة والجرادات بجنوب الشيخ زويد "
     "بشمال سيناء.", ["الجورة", "الجرادات"], "EG"),
    ("اكثر من 300 قذيفة محلية الصنع سقطت على بلدتي الفوعة وكفريا في محافظة ادلب في شمال غرب البلاد.",
     ["الفوعة", "كفريا"], "SY"),
    ("ذكرت المنظمات أن 40 مهاجرا غرقوا قبالة الساحل الليبي في وقت سابق.", ["الساحل الليبي"], "LY"),
    ("وسقطت قذائف أطلقها الحوثيون من صعدة على قرى الشريط الحدودي السعودي دون إصابات.",
     ["الشريط الحدودي السعودي"], "SA"),
    ("وقتل أربعة من المسلحين أثناء محاولتهم التسلل إلى الأراضي العراقية قادمين من سوريا.",
     ["الأراضي العراقية"], "IQ"),
    ("مشارف قرية الحضر وهي منطقة يقطنها الدروز بالقرب من هضبة الجولان السورية التي تحتلها اسرائيل.",
     ["هضبة الجولان"], "SY"),
])
def test_places_unknown_places_from_lists_and_landforms(with_gazetteer, text, names, country):
    places = places_of(text)
    for name in names:
        hits = [p for p in places if p.name.endswith(name)]
        assert hits and all(p.country == country for p in hits), (name, [(p.name, p.country) for p in places])


@pytest.mark.parametrize("text", [
    "وناصر من الخوذ البيضاء منهمكين في البحث عن القتلى في مناطق المعارضة في سوريا.",   # a plural head alone
    "لكن الجيش نفى أن يكون استهدف منطقة مأهولة في بلدة حدودية في سوريا.",              # adjectives
])
def test_places_head_nouns_without_names(with_gazetteer, text):
    assert not any(p.lat is None and p.role == "mention" for p in places_of(text))


def test_places_eval_events_only(with_gazetteer, tmp_path):
    text = "قتل ثلاثة في غارة على مدينة تعز. ونزح 500 شخص إلى مدينة عدن."
    gold = {"id": "t1", "text": text,
            "events": [{"location": {"name": "تعز", "country": "YE", "lat": 13.5795, "lon": 44.0209}}],
            "figures": [{"place": {"name": "عدن", "country": "YE", "lat": 12.7794, "lon": 45.0367}}]}
    path = tmp_path / "gold.json"
    path.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    both = CliRunner().invoke(main, ["places", "eval", str(path)])
    events = CliRunner().invoke(main, ["places", "eval", str(path), "--events-only"])
    assert both.exit_code == events.exit_code == 0
    counts = [re.search(r"with coordinates\s+(\d+)", r.output).group(1) for r in (both, events)]
    assert counts == ["2", "1"]


# --- Who's On First villages, districts, and the precision cues (issue 17) ------------------

def test_places_index_is_memory_mapped_and_has_wof_districts(with_gazetteer):
    import numpy as np
    g = with_gazetteer
    assert len(g) > 500_000 and isinstance(g._gid.base, np.memmap)     # mapped, not read into objects
    saada = [g.entry(i) for i, _ in g.lookup(nm.arabic_key("منبه")) if g.entry(i).country == "YE"]
    assert any(e.feature == "admin2" and e.name_en == "Monabbih" for e in saada)


@pytest.mark.parametrize("text, name, country, admin2, lat, lon", [
    # villages, camps and districts GeoNames' cities500 lacks (hand-made sentences in the corpus' style)
    ("وقصفت قوات النظام بلدة زملكا في الغوطة الشرقية بريف دمشق.", "زملكا", "SY", "Rural Damascus", 33.526, 36.354),
    ("وقتل مدنيان في قصف على مخيم خان الشيح للاجئين الفلسطينيين غرب دمشق.", "خان الشيح", "SY", "Qatana",
     33.369, 36.109),
    ("قصفت المدفعية مواقع للمتمردين في مديريتي شدا ومنبه الحدوديتين في صعدة.", "منبه", "YE", "Monabbih",
     17.167, 43.2),
    # a district named like its seat is coded at the seat (ACLED), not at WOF's label point
    ("وانفجرت عبوة في مدينة الميادين بريف دير الزور الشرقي.", "الميادين", "SY", "Al Mayadin", 35.020, 40.452),
])
def test_places_wof_villages_and_districts(with_gazetteer, text, name, country, admin2, lat, lon):
    hits = [p for p in places_of(text) if name in p.name]
    assert hits and all(p.country == country and p.admin2 == admin2 and _km(p.lat, p.lon, lat, lon) <= 10
                        for p in hits), [(p.name, p.country, p.admin2, p.lat, p.lon) for p in hits]


@pytest.mark.parametrize("text, word", [
    # words that are also WOF hamlets' names: no place without a place cue
    ("وعاد الرجل إلى منزله بعد أن شنت الطائرات سلسلة غارات على مواقع المسلحين في صعدة.", "منزله"),  # المنزلة
    ("وعاد الرجل إلى منزله بعد أن شنت الطائرات سلسلة غارات على مواقع المسلحين في صعدة.", "سلسلة"),  # Selseleh, IR
    ("وقال المتحدث باسم التحالف إن الغارات استهدفت مواقع الحوثيين في صعدة.", "باسم"),             # ب + اسم
    ("وقال مسؤول في البنك المركزي اليمني إن الحكومة ستدفع الرواتب.", "المركزي"),                 # Markazi, IR
    ("وقال الرئيس إن الشعب اليمني يريد الأمن والاستقرار في البلاد.", "الشعب"),
    ("وقصفت قوات النظام بلدات الغوطة الشرقية في ريف دمشق.", "الشرقية"),                         # Sharqia, EG
    ("وقالت مصادر إن القوات الموالية لعلي عبدالله صالح قصفت مواقع في تعز.", "عبدالله صالح"),       # an Iraqi hamlet
])
def test_places_common_words_of_the_big_gazetteer(with_gazetteer, text, word):
    places = places_of(text)
    assert not any(word in p.name and p.name_en for p in places), [(p.name, p.name_en) for p in places]


@pytest.mark.parametrize("text, name, country", [
    # a head noun before a longer name, an opener, a dual head, a quoted name
    ("ولا يعني حسم المعركة في منطقة دير الزور انتهاء خطر التنظيم.", "منطقة دير الزور", "SY"),
    ("وقصفت الطائرات حي الشيخ مقصود في مدينة حلب.", "حي الشيخ مقصود", "SY"),
    ("وقتل ثلاثة في هجوم على بلدة خان بني سعد في محافظة ديالى.", "بلدة خان بني سعد", "IQ"),
    ("سقط صاروخ جنوب مدينة الرياض بمسافة 100 كيلومتر في صحراء غير آهلة.", "جنوب مدينة الرياض", "SA"),
    ("مواقع ومعسكرات تدريب للميليشيات في مديريتي الجراحي والتحيتا بالحديدة.", "مديريتي الجراحي", "YE"),
])
def test_places_longest_names_after_heads(with_gazetteer, text, name, country):
    places = places_of(text)
    assert [p.country for p in places if p.name == name] == [country], [(p.name, p.country) for p in places]


def test_places_unknown_village_takes_its_containers_point(with_gazetteer):
    # ACLED: a village no gazetteer places (or only a namesake elsewhere) gets the point of the
    # area the text puts it in, with precision 2
    text = 'هاجم مسلحو التنظيم قوات الشرطة الاتحادية في قرية "الزركة" بأطراف طوز خورماتو.'
    zarka = next(p for p in places_of(text) if "الزركة" in p.name)
    assert zarka.geo_precision == 2 and zarka.geonameid is None and zarka.admin1 == "Salah ad Din"
    assert _km(zarka.lat, zarka.lon, 34.888, 44.633) <= 10


def test_places_country_of_backers_is_not_the_events_place(with_gazetteer):
    text = "وقالت قوات سوريا الديمقراطية التي تدعمها الولايات المتحدة إنها سيطرت على بلدة الباغوز."
    a = marsad.extract(text, date="2019-03-19")
    assert [e.location.country for e in a.layer("events") if e.location] in ([], ["SY"])
    baghuz = next(p for p in a.layer("places") if "الباغوز" in p.name)
    assert baghuz.admin2 == "Abu Kamal" and _km(baghuz.lat, baghuz.lon, 34.432, 40.992) <= 10


@pytest.mark.parametrize("text, name, admin2", [
    # villages only the Yemen list names (no coordinates): at their district's point, precision 2
    ("وقالت مصادر محلية إن اشتباكات عنيفة دارت في قرية الحصيب السافل بمحافظة الحديدة أمس.", "الحصيب السافل",
     "Jabal Ra's"),
    ("قتل مدنيان في قصف على قرية منزل داعر في محافظة إب.", "منزل داعر", "Ba'dan"),
    ("ودارت مواجهات بين الجيش والحوثيين في منطقة العادلية شمال الحديدة.", "العادلية", "Az Zuhrah"),
])
def test_places_yemen_list_villages_take_their_districts_point(with_gazetteer, text, name, admin2):
    (hit,) = [p for p in places_of(text) if name in p.name]
    assert (hit.country, hit.admin2, hit.geo_precision, hit.feature) == ("YE", admin2, 2, "village")
    assert hit.lat is not None and hit.lon is not None


def test_places_yemen_list_names_that_are_words_need_a_head_noun(with_gazetteer):
    # مجرد and وراء name Yemeni villages too; bare, they are words
    text = "وقال المسؤول اليمني في صنعاء إن الهجوم مجرد بداية وإن ما وراء ذلك أخطر."
    assert [p.name for p in places_of(text)] == ["صنعاء"]


@pytest.mark.parametrize("text, name, country", [
    # cities abroad, from the world table: not the namesake villages of the covered region
    ("وقتل شخصان في هجوم بسكين في باريس مساء السبت، بحسب الشرطة الفرنسية.", "باريس", "FR"),   # Baris, EG
    ("وقالت الشرطة الفلبينية إن انفجارا وقع في سوق بمدينة مانيلا.", "مانيلا", "PH"),
    ("وفي واشنطن أعلن مسؤول أمريكي أن بلاده ستفرض عقوبات جديدة على إيران.", "واشنطن", "US"),
])
def test_places_world_cities_abroad(with_gazetteer, text, name, country):
    (hit,) = [p for p in places_of(text) if name in p.name]
    assert hit.country == country and hit.lat is not None and hit.geo_precision == 1


def test_places_a_word_with_a_pronoun_is_not_a_persian_village(with_gazetteer):
    # بلاده "his country" is spelt like Bālā Deh (Fars, Iran) in Persian
    text = "وفي طهران قال وزير الخارجية الإيراني إن بلاده لن تتفاوض على برنامجها الصاروخي."
    assert "بلاده" not in [p.name for p in places_of(text)]


def test_places_fronts_of_a_war_name_places_in_a_list(with_gazetteer):
    text = "وشن الحوثيون هجمات عنيفة على مواقع المقاومة والجيش في جبهتي الجفينة وصرواح في محافظة مأرب."
    found = {p.name: p for p in places_of(text)}
    assert any("الجفينة" in n for n in found) and "صرواح" in found
    assert all(p.country == "YE" for p in found.values())
    # the singular opens an organisation's name: no place called النصرة
    assert not [p for p in places_of("وقال قيادي في جبهة النصرة إن مقاتليه صدوا الهجوم.") if "النصرة" in p.name]


def test_places_a_camp_no_gazetteer_names_takes_its_governorate(with_gazetteer):
    # معسكر (a military camp) is a head noun: the camp's name stays as written, at the area the text gives
    (camp,) = [p for p in places_of("وقتل جنديان في هجوم على معسكر لبوزة في محافظة لحج جنوب اليمن.")
               if "لبوزة" in p.name]
    assert camp.name == "معسكر لبوزة" and camp.country == "YE" and camp.geo_precision in (2, 3)


@pytest.mark.parametrize("text, names, country", [
    # quoted names after a plural head, the last one unquoted, in the country of the place after them
    ('وقصفت المقاتلات التركية مخابئ الحزب في مناطق "زاب" و"أفاشين"، و باسيان شمالي العراق.',
     ["زاب", "أفاشين", "باسيان"], "IQ"),
    # after a dual head two names follow, without ال and whatever else they spell (كريف is not ك + ريف)
    ("وطالت الغارات مواقع المتمردين في جبلي نصص وكريف بمديرية نهم شرق العاصمة صنعاء.", ["نصص", "كريف"], "YE"),
])
def test_places_listed_names_after_a_head(with_gazetteer, text, names, country):
    places = places_of(text)
    for name in names:
        got = [p for p in places if name in p.name]
        assert got and all(p.country == country for p in got), name


def test_places_a_landform_keeps_its_place_when_its_namesakes_are_abroad(with_gazetteer):
    text = "واستعادت القوات الحكومية مواقع في وادي مخدرة بعد مواجهات مع الحوثيين غرب محافظة مأرب."
    got = [p for p in places_of(text) if "مخدرة" in p.name]
    assert got and all(p.country == "YE" for p in got)


def test_places_a_verb_after_a_head_is_no_name(with_gazetteer):
    text = "وشنت الطائرات غارات على قرية يسيطر عليها التنظيم في ريف حلب الشمالي."
    assert not [p for p in places_of(text) if "يسيطر" in p.name]


def test_places_a_quarter_abroad_is_no_namesake(with_gazetteer):
    text = "وقتل تسعة مدنيين بانفجار لغم بالقرب من المدينة الرياضية عند المدخل الغربي لمدينة درنة الليبية."
    assert {p.country for p in places_of(text)} <= {"LY"}


@pytest.mark.parametrize("text, name, country", [
    # a wire agency's bracketed part of the country after a town the gazetteer lacks
    ("وقال مصدر أمني إن مسلحين قتلوا حارسا في بلدة تينزاواتين، فيما قتل آخر في كيدالوتن (شمال) مساء الأحد في مالي.",
     "كيدالوتن", "ML"),
    # a rare second word goes on a name the gazetteer lacks (خواجة alone spells Iranian hamlets)
    ("وقتل ثلاثة مسلحين في قصف جوي استهدف مواقع التنظيم في منطقة خواجة خليل التابعة لناحية وانه شمال الموصل.",
     "خواجة خليل", "IQ"),
    # an apposition says what and where the place is (not the Turkish namesake of a Turkish story)
    ("وقال الحزب في بيان من أنقرة إن هجومه على مدينة أغري التركية جاء ردا على مجزرة بلدة كوردين، وهي بلدة "
     "في شمال العراق قصفتها الطائرات التركية.", "كوردين", "IQ"),
    # a war front's place after the singular جبهة
    ("وقتل سبعة مسلحين حوثيين في جبهة المشجح غرب محافظة مأرب إثر محاولتهم التسلل إلى مواقع الجيش.",
     "المشجح", "YE"),
    # a word hardly ever written in the news, after a region word
    ("وانفجرت عبوة ناسفة بمركبة للجيش على بعد عشرة كيلومترات شرق تيماكوري في منطقة سيغو وسط مالي.",
     "تيماكوري", "ML"),
])
def test_places_unknown_names_and_their_country(with_gazetteer, text, name, country):
    got = [p for p in places_of(text) if name in p.name]
    assert got and all(p.country == country for p in got)


def test_places_a_frequent_word_does_not_go_on_a_name(with_gazetteer):
    text = "وقتل 14 جنديا في هجوم على قرية زينون مساء أمس في ريف درعا جنوبي سوريا."
    assert [p.name for p in places_of(text) if "زينون" in p.name] == ["قرية زينون"]


@pytest.mark.parametrize("text, opening", [
    # organisations named with جبهة: one in the actor registry, one of common words
    ("وقاتلت جبهة النصرة إلى جانب فصائل أخرى في ريف إدلب.", "جبهة"),
    ("ودعت جبهة العمل الإسلامي أنصارها إلى التظاهر أمام السفارة في العاصمة.", "جبهة"),
    # the parties (أطراف) and a word with a pronoun after a region word
    ("ودعت الأمم المتحدة أطراف متصارعة في البلاد إلى وقف القتال.", "أطراف"),
    ("وعززت القوات انتشارها في محيط هجماتها الأخيرة.", "محيط"),
])
def test_places_no_place_from_an_organisation_or_a_region_word_alone(with_gazetteer, text, opening):
    assert not [p for p in places_of(text) if p.name.startswith(opening)]
