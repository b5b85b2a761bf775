"""The installed gazetteer: loaded lazily, once per process, read-only.

`get()` returns the `Gazetteer` built by `marsad places build` in
`marsad.paths.data_dir() / "places"`, or None when none is installed (the places
stage then still finds mentions and says, once, that they are unresolved).
"""
from __future__ import annotations

import bisect
import math
import os
from dataclasses import dataclass
from pathlib import Path

from ..paths import data_dir
from . import names as nm
from .build import INDEX_NAME, INDEX_VERSION, latin_hash, read_index


@dataclass(frozen=True, slots=True)
class Entry:
    index: int
    geonameid: int
    name_en: str
    name_ar: str | None
    lat: float | None
    lon: float | None
    country: str
    admin1_code: str
    admin2_code: str
    population: int
    feature: str
    admin2_index: int = -1       # the place's district record (see `Gazetteer.admin2_entry`)


class _Names:
    """Arabic key → packed places, read-only, as the index stores it (sorted keys, offsets)."""

    __slots__ = ("keys", "_pos", "_ptr", "_vals")

    def __init__(self, table: dict):
        self.keys = table["keys"].split("\n") if table["keys"] else []
        self._pos = dict(zip(self.keys, range(len(self.keys))))
        self._ptr, self._vals = table["ptr"], table["vals"]

    def get(self, key: str, default=None):
        j = self._pos.get(key)
        if j is None:
            return default
        return tuple(self._vals[self._ptr[j]:self._ptr[j + 1]].tolist())

    def __contains__(self, key: str) -> bool:
        return key in self._pos

    def __len__(self) -> int:
        return len(self.keys)

    def __iter__(self):
        return iter(self.keys)


class _Texts:
    __slots__ = ("bytes", "off")

    def __init__(self, table: dict):
        self.bytes, self.off = table["bytes"], table["off"]

    def __getitem__(self, i: int) -> str:
        return self.bytes[self.off[i]:self.off[i + 1]].tobytes().decode()


class Gazetteer:
    def __init__(self, index: dict, path: Path | None = None):
        self.path = path
        self.meta = {k: index[k] for k in ("version", "built", "sources")}
        p = index["places"]
        self._gid, self._lat, self._lon, self._pop = p["gid"], p["lat"], p["lon"], p["pop"]
        self._cc, self._cc_tab = p["cc"], p["cc_table"]
        self._a1, self._a1_tab = p["admin1"], p["admin1_table"]
        self._a2, self._a2_tab = p["admin2"], p["admin2_table"]
        self._feat, self._feat_tab = p["feature"], p["feature_table"]
        self._a2i = p["admin2_index"]
        self._name_en, self._name_ar, self._arabic = _Texts(p["name_en"]), _Texts(p["name_ar"]), _Texts(p["arabic"])
        self.names = _Names(index["names"])
        self._latin = index["latin"]
        self.admin1_table: dict[str, tuple[str, int]] = index["admin1"]
        self.admin2_table: dict[str, str] = index["admin2"]
        self.countries: dict[str, int] = index["countries"]
        self.capitals: dict[str, int] = index.get("capitals", {})
        self._entries: dict[int, Entry] = {}
        self._nisbas: dict[str, str] | None = None
        self.memo: dict = {}        # per-word facts the matcher derives from this gazetteer

    def __len__(self) -> int:
        return len(self._gid)

    @classmethod
    def load(cls, path: Path) -> "Gazetteer":
        index = read_index(path)
        if index.get("version") != INDEX_VERSION:
            return None
        return cls(index, path)

    def entry(self, i: int) -> Entry:
        e = self._entries.get(i)
        if e is None:
            lat, lon = round(float(self._lat[i]), 5), round(float(self._lon[i]), 5)
            e = self._entries[i] = Entry(
                i, int(self._gid[i]), self._name_en[i], self._name_ar[i] or None,
                None if math.isnan(lat) else lat, None if math.isnan(lon) else lon,
                self._cc_tab[self._cc[i]], self._a1_tab[self._a1[i]], self._a2_tab[self._a2[i]],
                int(self._pop[i]), self._feat_tab[self._feat[i]], int(self._a2i[i]))
        return e

    def lookup(self, key: str) -> list[tuple[int, int]]:
        """(place index, flags) for an Arabic key (see `names.arabic_key`)."""
        return [(v >> 3, v & 7) for v in self.names.get(key, ())]

    def has_prefix(self, prefix: str) -> bool:
        """Whether some Arabic key starts with `prefix`: a longer name cannot start where no
        key has the first words' letters (keys have no spaces, so letters are enough)."""
        keys = self.names.keys
        i = bisect.bisect_left(keys, prefix)
        return i < len(keys) and keys[i].startswith(prefix)

    def transliterations(self, name: str, main_only: bool = False) -> list[int]:
        """Places a Latin name of which spells this Arabic name: same consonants, and the long
        vowels of each written where the other has a vowel (see `names.vowels_fit`);
        `main_only`: only the place's own GeoNames name counts, not its alternates."""
        skeleton, mask = nm.pattern_ar(name)
        t = self._latin
        h = latin_hash(skeleton)
        lo = int(t["hash"].searchsorted(h, "left"))
        hi = int(t["hash"].searchsorted(h, "right"))
        out: list[int] = []
        if lo == hi:
            return out
        for i, m, r, main in zip(t["place"][lo:hi].tolist(), t["mask"][lo:hi].tolist(),
                                 t["required"][lo:hi].tolist(), t["main"][lo:hi].tolist()):
            if out and out[-1] == i or main_only and not main:
                continue
            if nm.vowels_fit(mask, m, r):
                out.append(i)
        return out

    def arabic_keys(self, i: int) -> list[str]:
        return self._arabic[i].split("|") if self._arabic[i] else []

    def admin1_name(self, cc: str, code: str) -> str | None:
        hit = self.admin1_table.get(f"{cc}.{code}") if code else None
        return hit[0] if hit else None

    def admin1_entry(self, cc: str, code: str) -> Entry | None:
        hit = self.admin1_table.get(f"{cc}.{code}") if code else None
        return self.entry(hit[1]) if hit else None

    def admin2_name(self, cc: str, a1: str, a2: str) -> str | None:
        return self.admin2_table.get(f"{cc}.{a1}.{a2}") if a2 else None

    def admin2_entry(self, e: Entry) -> Entry | None:
        """The district (WOF county) a place lies in, or the place itself when it is one."""
        if e.feature in ("admin2", "admin3") and e.admin2_index < 0:
            return e
        return self.entry(e.admin2_index) if e.admin2_index >= 0 else None

    def admin2_of(self, e: Entry) -> str | None:
        """English name of a place's district: its WOF county, else GeoNames' admin2 table."""
        d = self.admin2_entry(e)
        if d is not None:
            return d.name_en
        return self.admin2_name(e.country, e.admin1_code, e.admin2_code)

    def country_entry(self, cc: str) -> Entry | None:
        i = self.countries.get(cc)
        return self.entry(i) if i is not None else None

    @property
    def nisbas(self) -> dict[str, str]:
        """Nisba adjective stem → country (سوري → SY), from the Arabic names of countries of a
        million people or more."""
        if self._nisbas is None:
            out: dict[str, str] = {}
            for cc, i in self.countries.items():
                if self.entry(i).population < 1_000_000:
                    continue
                for key in self.arabic_keys(i):
                    if len(key) < 3 or key in ("شام",):
                        continue
                    if key.endswith("ا"):
                        stem = key[:-1] if key.endswith("يا") else key[:-1] + "ي"
                    elif key.endswith("يه"):
                        stem = key[:-1]
                    elif key.endswith("ي"):
                        continue
                    else:
                        stem = key + "ي"
                    if len(stem) >= 4:
                        out.setdefault(stem, cc)
            self._nisbas = out
        return self._nisbas

    def nisba_country(self, word: str) -> str | None:
        """The country of a definite nisba adjective (normalised): التركية → TR."""
        if not word.startswith("ال"):
            return None
        s = nm.strip_article(word)
        for stem in (s, s[:-1] if s.endswith("ه") else None):
            if stem and stem in self.nisbas:
                return self.nisbas[stem]
        return None

    def capital_entry(self, cc: str) -> Entry | None:
        i = self.capitals.get(cc)
        return self.entry(i) if i is not None else None


_CACHE: dict[str, Gazetteer | None] = {}


def index_path() -> Path:
    return data_dir() / "places" / INDEX_NAME


def get() -> Gazetteer | None:
    """The installed gazetteer (cached per process and per data folder), or None."""
    path = index_path()
    key = os.fspath(path)
    if key not in _CACHE:
        _CACHE[key] = Gazetteer.load(path) if path.exists() else None
    return _CACHE[key]


def clear_cache() -> None:
    _CACHE.clear()


__all__ = ["Entry", "Gazetteer", "INDEX_VERSION", "get", "index_path", "clear_cache"]
