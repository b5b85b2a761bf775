"""`marsad extract --format table`: an article's events, figures and quotes for a reader's terminal.

One block per article: a title line, then a table each for events, figures and quotes, with a
header row. Names are in English with the words of the article in brackets ("Civilians
(مدنيين)"), places carry their country and ACLED geo precision, and a count is shown only
when the text gives it. Laid out by rich (a dependency already, for `marsad ingest`'s progress
bar) to at most 100 columns, so it reads in a default terminal and in a log.

It prints from the JSON record (`marsad.output.to_record`), so it shows exactly what `--format
json` holds; the English place name is the gazetteer's, else the transliteration the events'
notes use (`events.describe.transliterate`).
"""
from __future__ import annotations

import io
import shutil

WIDTH = 100
PRECISION = {1: "exact", 2: "near", 3: "region"}      # ACLED geo_precision
QUALIFIER = {"exact": "", "about": "~", "more_than": ">", "at_least": "≥", "less_than": "<"}


def render(record: dict, width: int | None = None) -> str:
    """The tables of one article record, as plain text at most `width` (default: the terminal's
    width, at most 100) columns wide."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    width = width or min(WIDTH, shutil.get_terminal_size((WIDTH, 24)).columns)
    out = io.StringIO()
    console = Console(file=out, width=width, color_system=None, highlight=False, emoji=False,
                      markup=False, legacy_windows=False)
    title = " · ".join(x for x in (record.get("id"), record.get("date"), record.get("title")) if x)
    console.print(title, overflow="fold")

    def table(name: str, columns: list[tuple[str, dict]], rows: list[list[str]]) -> None:
        t = Table(title=f"{name} ({len(rows)})", title_justify="left", box=box.SIMPLE_HEAD, padding=(0, 1),
                  pad_edge=False, expand=True, show_edge=False)
        for header, opts in columns:
            t.add_column(header, overflow="fold", **opts)
        for row in rows:
            t.add_row(*row)
        console.print(t)

    events = record.get("events") or []
    if events:
        table("Events", [("Date", {"no_wrap": True}), ("Type", {"min_width": 26, "max_width": 26}),
                         ("Actors", {"ratio": 3}), ("Place", {"ratio": 3}), ("Counts", {"no_wrap": True})],
              [[_when(e), _type(e), _actors(e), _place(e.get("location")), _counts(e)] for e in events])
    else:
        console.print("Events: none")
    figures = record.get("figures") or []
    if figures:
        table("Figures", [("Metric", {"no_wrap": True}), ("Value", {"justify": "right", "no_wrap": True}),
                          ("Who", {"ratio": 1}), ("Place", {"ratio": 3}), ("Evidence", {"ratio": 3})],
              [[f["metric"], _value(f), f.get("population") or "", _place(f.get("place")),
                f["evidence"]["text"]] for f in figures])
    quotes = record.get("quotes") or []
    if quotes:
        table("Quotes", [("Kind", {"no_wrap": True}), ("Speaker", {"ratio": 2}), ("Quote", {"ratio": 5})],
              [[q["kind"] + ("" if q.get("direct") else " (indirect)"), _speaker(q), _clip(q["text"], 240)]
               for q in quotes])
    for w in record.get("warnings") or []:
        console.print(f"warning: {w}", overflow="fold")
    return "\n".join(line.rstrip() for line in out.getvalue().rstrip("\n").split("\n"))


def _when(e: dict) -> str:
    if e.get("date_start") and e["date_start"] != e.get("date"):
        return f"{e['date_start']}\n– {e.get('date') or '?'}"
    return e.get("date") or "undated"


def _type(e: dict) -> str:
    sub = e.get("sub_event_type")
    return f"{e['event_type']}:\n{sub}" if sub and sub != e["event_type"] else e["event_type"]


def actor_label(actor: dict | None) -> str | None:
    """English name from the registry, with the article's words in brackets: 'Civilians (مدنيين)'."""
    if not actor:
        return None
    name = actor.get("name") or registry_name(actor.get("id"))
    words = (actor.get("span") or {}).get("text")
    if name and words and words != name:
        return f"{name} ({words})"
    return name or words


def registry_name(actor_id: str | None) -> str | None:
    """The registry's English name for an actor id ('iraqi_forces', 'other:Military forces of Iraq')."""
    if not actor_id:
        return None
    if actor_id.startswith("other:"):
        return actor_id[6:]
    from .actors.registry import load_registry
    found = load_registry().get(actor_id)
    return found.name if found else None


def _actors(e: dict) -> str:
    a1, a2 = actor_label(e.get("actor1")), actor_label(e.get("actor2"))
    if a1 and a2:
        return f"{a1} → {a2}"
    if a1:
        return a1
    return f"unidentified → {a2}" if a2 else "unidentified"


def _place(p: dict | None) -> str:
    """'Aleppo (حلب), Aleppo, Syria · precision 1 (exact)'."""
    if not p:
        return "no place"
    from .events.describe import transliterate
    from .store.countries import country
    name = p.get("name_ar") or p.get("name") or (p.get("span") or {}).get("text") or ""
    english = p.get("name_en") or (transliterate(name) if name else None)
    label = f"{english} ({name})" if english and name and english != name else (english or name)
    found = country(p.get("country"))                   # ACLED's English name, as the exports write it
    country_name = found.name if found else p.get("country")
    inside = [x for x in (p.get("admin1"), country_name) if x and x != english]
    if inside:
        label += ", " + ", ".join(inside)
    precision = p.get("geo_precision")
    if precision in PRECISION and p.get("lat") is not None:
        label += f" · precision {precision} ({PRECISION[precision]})"
    else:
        label += " · no coordinates"
    return label


def _counts(e: dict) -> str:
    parts = [f"{what} {e[key]}" for key, what in (("fatalities", "killed"), ("injured", "injured"),
                                                  ("detained", "detained")) if e.get(key) is not None]
    return "\n".join(parts) or "–"


def _value(f: dict) -> str:
    qualifier = f.get("qualifier") or "exact"
    text = f"{f['value']:,}" if isinstance(f.get("value"), int) else str(f.get("value") or "?")
    return QUALIFIER.get(qualifier, qualifier.replace("_", " ") + " ") + text


def _speaker(q: dict) -> str:
    who = q.get("speaker") or "unattributed"
    org = q.get("organization")
    org = registry_name(org) or org if org and "\u0600" > org[:1] else org    # an actor id, or Arabic words
    return f"{who} ({org})" if org and org not in who else who


def _clip(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"
