"""The actor registry: who the armed actors are and how the news names them.

Two data files ship with the package (our own data, written by the team):
`registry.tsv` (named actors: ISIS, the SDF, the Houthis, the state forces that the
project's gold data has ids for, ...) and `countries.tsv` (Arabic names and adjectives
of the MENA/Sahel countries and the outside powers). The state forces of every country
are generated from the second: "الجيش العراقي", "القوات الليبية", "الشرطة التركية",
"جنود أتراك" ... each resolve to the country's military or police actor. A registry row
with that country and `role` takes the generated phrases (Iraq's military and police are
one gold actor, `iraqi_forces`); a country without one gets actors named the way the
gold names actors outside its list: "Military forces of Lebanon", "Police Forces of Turkey".

What a mention is written out as (`Actor.code`): the registry id when the gold data uses
that id (`canonical` = yes), otherwise "other:<English name>", so an event's actor
compares equal to the gold's without a lookup table in the events stage.

Aliases go through `marsad.text.norm`, like the text, and are matched against token
forms (see `resolve.py`), so spellings and clitics need no extra entries.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources

from ..text import norm

MILITARY_TEMPLATES = (
    "الجيش {m}", "جيش {n}", "القوات {f}", "القوات المسلحة {f}", "قوات الجيش {m}", "القوات العسكرية {f}",
    "القوات الحكومية {f}", "القوات النظامية {f}", "قوات الحكومة {f}", "القوات الجوية {f}", "سلاح الجو {m}",
    "الطيران {m}", "الطيران الحربي {m}", "الطائرات الحربية {f}", "المقاتلات {f}", "القوات البحرية {f}",
    "البحرية {f}", "القوات الخاصة {f}", "حرس الحدود {m}", "الحرس الوطني {m}", "الدفاع الجوي {m}",
    "قوات الدفاع الجوي {f}", "الدفاعات الجوية {f}", "وزارة الدفاع {f}", "المخابرات {f}", "الاستخبارات {f}",
    "الجنود {pl}", "جنود {pli}", "القوات البرية {f}",
)
POLICE_TEMPLATES = (
    "الشرطة {f}", "قوات الشرطة {f}", "شرطة {n}", "قوات الأمن {f}", "القوات الأمنية {f}", "الأجهزة الأمنية {f}",
    "الأمن {m}", "الأمن العام {m}", "وزارة الداخلية {f}", "الداخلية {f}", "قوات الدرك {f}", "الدرك {m}",
    "رجال الأمن {pl}", "أجهزة الأمن {f}", "السلطات الأمنية {f}",
)
# Phrases that name a country's forces without naming the country: resolved from context.
GENERIC_STATE = {
    "military": ("الجيش", "قوات الجيش", "القوات الحكومية", "القوات المسلحة", "الجيش الوطني", "القوات النظامية",
                 "قوات الحكومة", "الجيش النظامي", "الطيران الحربي", "سلاح الجو", "القوات الجوية", "الجنود",
                 "قوات الجيش الوطني", "وحدات الجيش", "حرس الحدود", "القوات الموالية للحكومة",
                 "قوات موالية للحكومة", "القوات العسكرية", "الدفاع الجوي", "قوات الدفاع الجوي",
                 "الدفاعات الجوية", "وحدات من الجيش", "قوات من الجيش"),
    "police": ("الشرطة", "قوات الشرطة", "قوات الأمن", "القوات الأمنية", "الأجهزة الأمنية", "الأمن العام",
               "رجال الأمن", "أجهزة الأمن", "رجال الشرطة", "الشرطة المحلية", "السلطات الأمنية",
               "شرطة مكافحة الإرهاب", "قوات الطوارئ", "الأمن المركزي", "قوات الأمن المركزي", "عناصر الأمن",
               "عناصر الشرطة"),
}


@dataclass(frozen=True, slots=True)
class Country:
    iso2: str
    name_en: str
    inter: int
    names: tuple[str, ...]
    adj_m: tuple[str, ...]
    adj_f: tuple[str, ...]
    adj_pl: tuple[str, ...]


@dataclass(slots=True)
class Actor:
    id: str
    name: str
    inter: int | None
    country: str | None = None
    role: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    aliases: list[str] = field(default_factory=list)
    descriptors: list[str] = field(default_factory=list)
    canonical: bool = False

    @property
    def code(self) -> str:
        """What the dataset writes for this actor: the gold id, or "other:<English name>"."""
        return self.id if self.canonical else f"other:{self.name}"


@dataclass(slots=True)
class Registry:
    actors: dict[str, Actor]
    countries: dict[str, Country]
    state: dict[tuple[str, str], str]          # (iso2, military|police) -> actor id

    def get(self, actor_id: str) -> Actor | None:
        return self.actors.get(actor_id)

    def state_forces(self, iso2: str | None, role: str) -> Actor | None:
        key = self.state.get((iso2, role)) if iso2 else None
        return self.actors.get(key) if key else None


def _rows(name: str):
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    yield from csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE)


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split("|") if v.strip())


def _indefinite(word: str) -> str:
    return word[2:] if word.startswith("ال") else word


def _expand(template: str, c: Country) -> list[str]:
    slot = template[template.index("{") + 1:template.index("}")]
    values = {"m": c.adj_m, "f": c.adj_f, "pl": c.adj_pl, "n": c.names,
              "pli": tuple(_indefinite(a) for a in c.adj_pl)}[slot]
    return [template.replace("{" + slot + "}", v) for v in values]


@lru_cache(maxsize=1)
def load_registry() -> Registry:
    """The registry with the state forces of every country expanded (built once per process)."""
    countries = {}
    for r in _rows("countries.tsv"):
        countries[r["iso2"]] = Country(r["iso2"], r["name_en"], int(r["inter"]), _split(r["names_ar"]),
                                       _split(r["adj_m"]), _split(r["adj_f"]), _split(r["adj_pl"]))
    actors: dict[str, Actor] = {}
    state: dict[tuple[str, str], str] = {}
    for r in _rows("registry.tsv"):
        a = Actor(r["id"], r["name"], int(r["inter"]) if r["inter"] else None, r["country"] or None,
                  _split(r["role"]), _split(r["kinds"]), list(_split(r["aliases"])),
                  list(_split(r["descriptors"])), r["canonical"] == "yes")
        actors[a.id] = a
        for role in a.role:
            state[(a.country, role)] = a.id
    for c in countries.values():
        for role, templates, label in (("military", MILITARY_TEMPLATES, "Military forces of"),
                                       ("police", POLICE_TEMPLATES, "Police Forces of")):
            key = state.get((c.iso2, role))
            if key is None:
                slug = f"{role}_forces_of_{c.name_en.lower().removeprefix('the ').replace(' ', '_')}"
                kinds = ("forces", "army") if role == "military" else ("forces", "police")
                actors[slug] = Actor(slug, f"{label} {c.name_en}", c.inter, c.iso2, (role,), kinds)
                state[(c.iso2, role)] = key = slug
            actor = actors[key]
            known = {norm(x) for x in actor.aliases}
            for t in templates:
                for phrase in _expand(t, c):
                    if norm(phrase) not in known:
                        known.add(norm(phrase))
                        actor.aliases.append(phrase)
    return Registry(actors, countries, state)
