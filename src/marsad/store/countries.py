"""ISO 3166-1 countries with ACLED's names and regions (`marsad/data/countries.tsv`).

Places carry alpha-2 codes; ACLED's CSV wants the numeric code, ACLED's English name and
region, and PLOVER the alpha-3 code. The table covers the countries ACLED codes most (all
of Africa, the Middle East, Asia's conflict areas, Europe and the Americas' largest); a code
not in it is exported as is.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Country:
    alpha2: str
    alpha3: str
    numeric: int
    name: str
    region: str


@cache
def _table() -> dict[str, Country]:
    text = resources.files("marsad").joinpath("data/countries.tsv").read_text(encoding="utf-8")
    out = {}
    for line in text.splitlines():
        if line.strip() and not line.startswith("#"):
            a2, a3, num, name, region = line.split("\t")
            out[a2] = Country(a2, a3, int(num), name, region)
    return out


def country(code: str | None) -> Country | None:
    return _table().get(code.strip().upper()) if code else None


def country_code(value: str) -> str | None:
    """Alpha-2 code for a code (any case) or an English name as ACLED writes it."""
    v = value.strip()
    if v.upper() in _table():
        return v.upper()
    for c in _table().values():
        if c.name.lower() == v.lower() or c.alpha3 == v.upper():
            return c.alpha2
    return None


def all_countries() -> list[Country]:
    return list(_table().values())
