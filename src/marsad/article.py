"""The one data model: an Article and the layers of annotations stages add to it.

The article text is never rewritten. Every annotation points into it with a
`Span(start, end)`, so `article.text[start:end]` is always the evidence. Layers are
plain lists of dataclasses keyed by name (`article.layers["tokens"]`); a stage
declares which layer names it reads and which it assigns (see `pipeline.py`).

Serialisation is lossless: `Article.from_dict(article.to_dict()) == article`.
Spans serialise as `{"start", "end", "text"}` (the text is written for readers and
for the scorer; it is checked, not trusted, when reading back).
"""
from __future__ import annotations

import dataclasses
import hashlib
import types
import typing
from dataclasses import dataclass, field
from typing import Any

from .errors import MarsadError


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int

    def __post_init__(self):
        if not (0 <= self.start <= self.end):
            raise MarsadError("E001", f"Invalid span ({self.start}, {self.end}): need 0 <= start <= end.")

    def __len__(self) -> int:
        return self.end - self.start

    def of(self, text: str) -> str:
        return text[self.start:self.end]

    def covers(self, other: "Span") -> bool:
        return self.start <= other.start and other.end <= self.end

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end


@dataclass(slots=True)
class Token:
    """A surface word. `stem` drops proclitics (و ف ب ل ك س) and the article ال."""
    span: Span
    norm: str                       # normalised surface form
    stem: str                       # normalised form without proclitics/article (best analysis)
    stem_start: int                 # original offset where the stem begins
    kind: str = "word"              # word | number | punct | latin | symbol
    forms: list[str] = field(default_factory=list)  # every plausible stem, for lexicon lookup


@dataclass(slots=True)
class Sentence:
    span: Span
    paragraph: int = 0


@dataclass(slots=True)
class Boilerplate:
    """Page furniture: marked, never deleted. kind: dateline | byline | agency | date_line | repeated."""
    span: Span
    kind: str
    value: str | None = None        # e.g. the dateline city as written
    value_span: Span | None = None


@dataclass(slots=True)
class Quantity:
    """A number as written, resolved to a value: '66 ألف', 'سبعين ألفاً', 'عشرات'."""
    span: Span
    value: int
    qualifier: str = "exact"        # exact | about | more_than | less_than | at_least
    value_max: int | None = None    # upper bound of a range ('بين 10 و15')
    vague: bool = False             # 'عشرات', 'مئات' ...
    ordinal: bool = False           # a day of the month written as an ordinal ('التاسع من يناير')
    qualifier_span: Span | None = None  # where the qualifier is written, when before the number


@dataclass(slots=True)
class TimeExpr:
    span: Span
    kind: str                       # date | weekday | relative | period | month | year | hijri
    value: str | None = None        # ISO date of the (end) day
    start: str | None = None        # ISO date a period starts
    precision: str = "day"          # day | week | month | year


@dataclass(slots=True)
class Entity:
    span: Span
    label: str                      # PER | LOC | ORG | MISC
    score: float | None = None


@dataclass(slots=True)
class Place:
    """A place mention, resolved against the gazetteer when one is installed."""
    span: Span | None
    name: str                       # as written (without prepositions)
    role: str = "mention"           # mention | dateline
    geonameid: int | None = None
    name_en: str | None = None
    country: str | None = None      # ISO 3166-1 alpha-2
    admin1: str | None = None
    admin2: str | None = None
    lat: float | None = None
    lon: float | None = None
    geo_precision: int | None = None  # ACLED: 1 the place, 2 near it / part of region, 3 province or country
    feature: str | None = None      # city | admin1 | country | camp | region ...
    name_ar: str | None = None      # the gazetteer's Arabic name of the resolved place
    confidence: float | None = None  # how sure the resolution is, 0..1 (None when unresolved)


@dataclass(slots=True)
class ActorMention:
    span: Span | None
    id: str | None
    name: str | None = None
    actor_type: int | None = None   # ACLED inter code 1..8
    country: str | None = None
    via: str = "alias"              # alias | descriptor | anaphora | ner


@dataclass(slots=True)
class Figure:
    """A count of people the article reports (FORMAT.md 'Figure')."""
    metric: str
    value: int
    evidence: Span
    qualifier: str = "exact"
    population: str | None = None
    place: Place | None = None
    date: str | None = None
    date_start: str | None = None
    source: str | None = None
    quantity: Span | None = None


@dataclass(slots=True)
class Quote:
    span: Span                      # the quoted words, without quotation marks
    text: str
    speaker: str | None = None
    speaker_span: Span | None = None
    organization: str | None = None
    kind: str = "statement"         # statement | threat | call_to_violence
    direct: bool = True


@dataclass(slots=True)
class Event:
    event_type: str
    sub_event_type: str
    evidence: Span
    date: str | None = None
    date_start: str | None = None
    time_precision: int | None = None   # ACLED: 1 day, 2 week, 3 month or longer
    actor1: ActorMention | None = None
    actor2: ActorMention | None = None
    location: Place | None = None
    fatalities: int | None = None
    injured: int | None = None
    detained: int | None = None
    id: str | None = None
    plover_type: str | None = None
    plover_mode: str | None = None
    notes: str | None = None
    confidence: float | None = None
    trigger: Span | None = None
    # every passage of the article that reports this event (the merged mentions, `evidence` first)
    mentions: list[Span] = field(default_factory=list)


LAYER_TYPES: dict[str, type] = {
    "boilerplate": Boilerplate,
    "sentences": Sentence,
    "tokens": Token,
    "quantities": Quantity,
    "figures": Figure,
    "times": TimeExpr,
    "entities": Entity,
    "places": Place,
    "actors": ActorMention,
    "quotes": Quote,
    "events": Event,
}


def register_layer(name: str, cls: type) -> None:
    """Let a plug-in stage add a layer type that serialises like the built-in ones."""
    LAYER_TYPES[name] = cls


@dataclass(slots=True)
class Article:
    text: str
    id: str | None = None
    url: str | None = None
    source: str | None = None
    title: str | None = None
    date: str | None = None             # publication date, ISO YYYY-MM-DD
    date_source: str | None = None      # input | text | None (unknown)
    layers: dict[str, list] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def __post_init__(self):
        if self.id is None:
            self.id = self.content_hash[:16]

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def span_text(self, span: Span) -> str:
        return self.text[span.start:span.end]

    def layer(self, name: str) -> list:
        return self.layers.get(name, [])

    def to_dict(self) -> dict[str, Any]:
        out = {
            "id": self.id, "url": self.url, "source": self.source, "title": self.title,
            "date": self.date, "date_source": self.date_source, "text": self.text,
            "warnings": list(self.warnings),
        }
        out["layers"] = {name: [encode(item, self.text) for item in items]
                         for name, items in self.layers.items()}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Article":
        text = data["text"]
        layers = {}
        for name, items in (data.get("layers") or {}).items():
            if name not in LAYER_TYPES:
                raise MarsadError("E002", f"Unknown layer '{name}'. Known layers: {', '.join(LAYER_TYPES)}.")
            layers[name] = [decode(LAYER_TYPES[name], item, text) for item in items]
        return cls(text=text, id=data.get("id"), url=data.get("url"), source=data.get("source"),
                   title=data.get("title"), date=data.get("date"), date_source=data.get("date_source"),
                   layers=layers, warnings=list(data.get("warnings") or []))


def encode(obj: Any, text: str) -> Any:
    """Dataclass → JSON-ready value; spans carry their text so readers need no offsets."""
    if obj is None or isinstance(obj, (str, int, float)):
        return obj
    if isinstance(obj, Span):
        return {"start": obj.start, "end": obj.end, "text": text[obj.start:obj.end]}
    names = _FIELD_NAMES.get(type(obj))
    if names is None:
        names = _FIELD_NAMES[type(obj)] = tuple(f.name for f in dataclasses.fields(obj)) \
            if dataclasses.is_dataclass(obj) else ()
    if names:
        return {name: encode(getattr(obj, name), text) for name in names}
    if isinstance(obj, (list, tuple)):
        return [encode(x, text) for x in obj]
    if isinstance(obj, dict):
        return {k: encode(v, text) for k, v in obj.items()}
    return obj


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}    # () for a type that is no dataclass
_HINTS: dict[type, dict[str, Any]] = {}


def decode(tp: Any, value: Any, text: str) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return decode(args[0], value, text) if len(args) == 1 else value
    if origin in (list, tuple):
        (arg, *_) = typing.get_args(tp) or (Any,)
        return [decode(arg, v, text) for v in value]
    if tp is Span:
        span = Span(value["start"], value["end"])
        if "text" in value and text[span.start:span.end] != value["text"]:
            raise MarsadError("E003", f"Span ({span.start}, {span.end}) says {value['text']!r} "
                              f"but the article has {text[span.start:span.end]!r} there.")
        return span
    if dataclasses.is_dataclass(tp):
        hints = _HINTS.get(tp) or _HINTS.setdefault(tp, typing.get_type_hints(tp))
        return tp(**{k: decode(hints[k], v, text) for k, v in value.items() if k in hints})
    return value
