"""Build the gazetteer index from GeoNames files.

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
import io
import math
import pickle
import re
import sys
import time
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import MarsadError
from . import names as nm

INDEX_VERSION = 2
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


class Sources:
    """Everything read from the input folders, merged."""

    def __init__(self):
        self.recs: dict[int, Rec] = {}
        self.admin1: dict[str, tuple[str, int]] = {}      # "SY.07" → (name, geonameid)
        self.admin2: dict[str, str] = {}
        self.countries: dict[str, dict] = {}               # ISO2 → {name, population, geonameid, capital}
        self.country_ar: dict[str, list[str]] = defaultdict(list)
        self.files: list[str] = []


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


# --- assembling the index ---------------------------------------------------------------

def pack_latin(i: int, mask: int, required: int, main: bool) -> int:
    """One Latin spelling of place i in the skeleton index (see `names.pattern_latin`); `main`:
    it is the place's own GeoNames name, not one of the alternates (other languages' exonyms
    and old spellings, which collide with unrelated Arabic words)."""
    return (i << 2 * nm.MASK_BITS + 1) | (int(main) << 2 * nm.MASK_BITS) | (required << nm.MASK_BITS) | mask


def _latin_fold(name: str) -> str:
    import unicodedata
    s = "".join(ch for ch in unicodedata.normalize("NFKD", name.lower()) if not unicodedata.combining(ch))
    words = [w for w in re.split(r"[^a-z]+", s) if w and w not in ("al", "el", "ad", "ar", "as", "ash", "az", "at")]
    return "".join(words)


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
        places = sorted(by_admin1.get(code, []), key=lambda r: -r.population)
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
            rec.lat = _trimmed_mid([r.lat for r in by_country[cc] if r.lat is not None])
            rec.lon = _trimmed_mid([r.lon for r in by_country[cc] if r.lon is not None])
        country_rec[cc] = rec
        recs[gid] = rec
    capital_rec: dict[str, Rec] = {}
    for cc, info in src.countries.items():
        named = [r for r in by_country.get(cc, []) if info["capital"] and any(
            _latin_fold(n) == _latin_fold(info["capital"]) for n in r.latin | {r.name})]
        if named:
            capital_rec[cc] = max(named, key=lambda r: r.population)
    for code, name in aliases:
        target = country_rec.get(code) if len(code) == 2 else admin1_rec.get(code)
        if target is not None:
            target.arabic.setdefault(name, 1 if len(code) == 2 else 0)

    # the tables
    order = sorted(recs.values(), key=lambda r: (r.cc, r.gid))
    idx_of = {r.gid: i for i, r in enumerate(order)}
    cols = {k: [] for k in ("gid", "name_en", "name_ar", "lat", "lon", "cc", "admin1", "admin2", "pop",
                            "feature", "arabic")}
    names: dict[str, dict[int, int]] = defaultdict(dict)
    latin: dict[str, set[int]] = defaultdict(set)     # skeleton → packed (place, vowel masks)
    for i, r in enumerate(order):
        ranked = sorted(r.arabic.items(), key=lambda kv: (kv[1], len(kv[0])))
        clean = [n for n, _ in ranked if not re.search(r"[()0-9،,]", n)] or [n for n, _ in ranked]
        cols["gid"].append(r.gid)
        cols["name_en"].append(r.name)
        cols["name_ar"].append(clean[0] if clean else None)
        cols["lat"].append(r.lat)
        cols["lon"].append(r.lon)
        cols["cc"].append(r.cc)
        cols["admin1"].append(r.admin1 or "")
        cols["admin2"].append(r.admin2 or "")
        cols["pop"].append(r.population)
        cols["feature"].append(r.feature)
        cols["arabic"].append("|".join(dict.fromkeys(nm.arabic_key(n) for n, _ in ranked)))
        for n, rank in ranked:
            for key in nm.name_variants(n):
                # bit 1 set while only non-Arabic spellings give this key; bits 2/4: article seen / not
                old = names[key].get(i, 1)
                arabic_bit = old & 1 if rank >= 2 else 0
                names[key][i] = arabic_bit | (old & 6) | (2 if nm.has_article(n) else 4)
        main = {_latin_fold(r.name), _latin_fold(_admin_core(r.name))}
        for n in r.latin:
            for sk, mask, required in {nm.pattern_latin(n), nm.pattern_latin(n, final_h=True)}:
                if len(sk) >= 2:
                    latin[sk].add(pack_latin(i, mask, required, _latin_fold(n) in main))
    return {
        "version": INDEX_VERSION,
        "built": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "sources": src.files,
        "places": cols,
        # key → ((place index << 3) | flags, ...): flags 1 = only non-Arabic spellings give this key,
        # 2 = a spelling with the article ال, 4 = a spelling without it
        "names": {k: tuple((i << 3) | f for i, f in v.items()) for k, v in names.items()},
        # skeleton → (place index << 65 | main name << 64 | required-vowel mask << 32 | vowel mask, ...)
        "latin": {k: tuple(sorted(v)) for k, v in latin.items()},
        "admin1": {code: (src.admin1[code][0], idx_of[r.gid]) for code, r in admin1_rec.items()},
        "admin2": dict(src.admin2),
        "countries": {cc: idx_of[r.gid] for cc, r in country_rec.items()},
        "capitals": {cc: idx_of[r.gid] for cc, r in capital_rec.items()},
    }


def build(folders: list[Path], out_dir: Path, countries: set[str] | None = None, log=None) -> Path:
    """Read the GeoNames folders and write the index into `out_dir`; returns its path."""
    log = log or (lambda msg: print(msg, file=sys.stderr))
    src = Sources()
    for folder in folders:
        read_folder(Path(folder), src, countries)
    if not src.recs and not src.countries:
        raise MarsadError("E502", "The GeoNames folders held no places. Check the paths given to --geonames.")
    index = assemble(src)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / INDEX_NAME
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump(index, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    p = index["places"]
    log(f"gazetteer: {len(p['gid'])} places ({sum(1 for a in p['name_ar'] if a)} with Arabic names), "
        f"{len(index['names'])} Arabic keys, {len(index['latin'])} Latin skeletons, "
        f"{len(index['admin1'])} admin1, {len(index['countries'])} countries → {path}")
    return path
