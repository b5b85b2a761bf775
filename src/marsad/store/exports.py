"""Exports of the stored incidents in the formats analysts load: ACLED CSV, GeoJSON, Parquet,
JSON Lines and PLOVER JSON Lines.

Every format is one row (feature, record) per incident: the reports of one incident from
different articles (see `store.incidents`) are one record, whose fields were chosen from its
reports, with `source_count` (the articles reporting it) and `sources` (every passage of every
report: its article, its evidence span, and whether it is the report's own evidence - an article
that tells an incident in its lead and again in its details gives two passages of one report). Rows are read from the database in Arrow batches and
written as they stream, so an export never holds the whole dataset in memory.

- `jsonl`: one incident a line, nested (`article` - the representative report's article -,
  `actor1`, `location`, ...), every span as `{"start", "end", "text"}` into that article's
  text, and `sources: [{"report_id", "article": {"id", "key", "url", "source", "date",
  "title"}, "evidence": {"start", "end", "text"}, "primary"}, ...]` (what `score_dedup.py` reads).
- `parquet`: the same columns flattened (`actor1_id`, `evidence_start`, ...) with `sources` as
  a list of structs, written with pyarrow; DuckDB, pandas and Spark read it.
- `acled-csv`: ACLED's export columns in ACLED's order (ACLED_COLUMNS), then `source_count`;
  `source` lists the reporting outlets separated by "; " as ACLED does; the fields marsad
  knows are filled, the others (associated actors, admin3, source scale, tags) left empty.
- `geojson`: an RFC 7946 FeatureCollection of Points ([longitude, latitude], WGS 84);
  incidents without coordinates cannot be placed and are left out (and counted).
- `figures-csv`: not incidents but the figures (counts of people: killed, displaced, detained,
  camp populations ...), one row per figure of every stored article, FIGURES_COLUMNS: the
  article (id, url, date, source), the figure (metric, value, qualifier, population, date,
  date_start, source), its place (name, country, admin1, lat, lon) and its evidence and
  quantity spans as character offsets into the article's text. --since/--until filter on the
  figure's date, --country on its place's country; --event-type does not apply.
- `plover-jsonl`: PLOVER records (openeventdata/PLOVER, "JSON Data Fields"): `event` and
  `mode` from the incident's plover_type/plover_mode, or derived from its ACLED type when the
  extractor left them empty, with character-offset provenance into every reporting article.
"""
from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date as Date, datetime
from pathlib import Path
from typing import IO, Any

from ..events.describe import PLOVER
from .. import __version__
from ..errors import StoreError
from .countries import country, country_code
from .db import Store

FORMATS = ("acled-csv", "geojson", "parquet", "jsonl", "plover-jsonl", "figures-csv")
EVENT_TYPES = ("Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
               "Strategic developments")

# ACLED's export columns, in ACLED's order (tests compare them with a real ACLED export); marsad adds
# `source_count` after them.
ACLED_COLUMNS = (
    "event_id_cnty", "event_date", "year", "time_precision", "disorder_type", "event_type", "sub_event_type",
    "actor1", "assoc_actor_1", "inter1", "actor2", "assoc_actor_2", "inter2", "interaction",
    "civilian_targeting", "iso", "region", "country", "admin1", "admin2", "admin3", "location", "latitude",
    "longitude", "geo_precision", "source", "source_scale", "notes", "fatalities", "tags", "timestamp")
CSV_COLUMNS = (*ACLED_COLUMNS, "source_count")

# Nested objects of the JSONL export: flat columns with these prefixes are grouped under them.
NESTED = ("article", "actor1", "actor2", "location")


@dataclass
class Filters:
    since: str | None = None        # event date >= (YYYY-MM-DD)
    until: str | None = None        # event date <=
    country: str | None = None      # ISO 3166-1 alpha-2 code or English name
    event_type: str | None = None   # one of EVENT_TYPES

    def where(self) -> tuple[str, list]:
        clauses, params = [], []
        for name, op in (("since", ">="), ("until", "<=")):
            value = getattr(self, name)
            if value:
                clauses.append(f"e.date {op} CAST(? AS DATE)")
                params.append(_day(value, f"--{name}"))
        if self.country:
            code = country_code(self.country)
            if code is None:
                raise StoreError("E631", f"Unknown country {self.country!r} for --country: give an ISO 3166-1 "
                                 "alpha-2 code (SY, IQ, YE) or an English name (Syria).")
            clauses.append("e.location_country = ?")
            params.append(code)
        if self.event_type:
            match = [t for t in EVENT_TYPES if t.lower() == self.event_type.strip().lower()]
            if not match:
                raise StoreError("E632", f"Unknown event type {self.event_type!r} for --event-type. ACLED's types: "
                                 f"{', '.join(EVENT_TYPES)}.")
            clauses.append("e.event_type = ?")
            params.append(match[0])
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params


def _day(value: str, option: str) -> str:
    try:
        return Date.fromisoformat(str(value)).isoformat()
    except ValueError:
        raise StoreError("E633", f"{option} {value!r} is not a date: use YYYY-MM-DD.") from None


@dataclass
class ExportResult:
    rows: int           # records written
    skipped: int = 0    # events left out (GeoJSON: no coordinates)
    message: str = ""


def export(db: str | Path | Store, fmt: str, out: str | IO | None = None,
           filters: Filters | None = None) -> ExportResult:
    """Write the events of `db` matching `filters` to `out` (a path, a text stream, or None for stdout).

    `db` is a database file, or a Store this process already has open (DuckDB will not open
    a file a second time, even read-only, in a process that has it open for writing)."""
    if fmt not in FORMATS:
        raise StoreError("E630", f"Unknown export format {fmt!r}. Formats: {', '.join(FORMATS)}.")
    filters = filters or Filters()
    if fmt == "parquet" and not isinstance(out, (str, Path)):
        raise StoreError("E634", "Parquet is a binary file format: give an output file with -o FILE.parquet.")
    if fmt == "figures-csv":
        if filters.event_type:
            raise StoreError("E639", "--event-type filters incidents; figures have no event type. Leave it out "
                             "for --format figures-csv (filter with --since, --until, --country).")
        where, params = filters.where()
        where = where.replace("e.location_country", "e.place_country")
        if isinstance(db, Store):
            return _figures(db.con.cursor(), out, where, params)
        with Store(db, read_only=True) as store:
            return _figures(store.con, out, where, params)
    where, params = filters.where()
    from .parquet import ParquetStore
    if isinstance(db, (Store, ParquetStore)):
        return _export(db, db.con.cursor(), fmt, out, where, params)
    with Store(db, read_only=True) as store:
        return _export(store, store.con, fmt, out, where, params)


def _export(store: Store, con, fmt: str, out, where: str, params: list) -> ExportResult:
    sql = f"SELECT {_columns(store)} FROM incidents e JOIN articles a USING (article_key) " \
          f"LEFT JOIN ({SOURCES}) s USING (incident_id){where} ORDER BY e.date NULLS LAST, e.incident_id"
    pending = _pending(con)
    reader = con.sql(sql, params=params).to_arrow_reader(2048)
    if fmt == "parquet":
        result = _parquet(reader, Path(out))
    else:
        with _text_out(out) as fh:
            result = {"jsonl": _lines(nest), "acled-csv": _acled_csv, "geojson": _geojson,
                      "plover-jsonl": _lines(plover_record)}[fmt](_rows(reader), fh)
    if pending:
        result.message = "; ".join(m for m in (result.message, pending) if m)
    return result


# Every passage of every report of each incident, in the order of their articles' dates: a report
# (one article's event) lists each mention the article makes of it (`Event.mentions`, merged within
# the article: the lead and its details), its evidence first (`primary`). Stores written before
# events had `mentions` give each report its evidence alone.
_SPAN = 'STRUCT(start INTEGER, "end" INTEGER, text VARCHAR)[]'
SOURCES = f"""
    SELECT r.incident_id, list(struct_pack(
        report_id := x.event_id,
        article := struct_pack(id := ax.article_id, key := ax.article_key, url := ax.url, source := ax.source,
                               date := ax.date, title := ax.title),
        evidence := x.passage, "primary" := x.is_primary)
        ORDER BY ax.date NULLS LAST, x.event_id, NOT x.is_primary, x.passage.start) AS sources
    FROM incident_reports r
    JOIN (SELECT *, passage.start IS NOT DISTINCT FROM evidence_start
                    AND passage."end" IS NOT DISTINCT FROM evidence_end AS is_primary
          FROM (SELECT event_id, article_key, evidence_start, evidence_end, unnest(coalesce(
                    nullif(TRY_CAST(json_extract(CAST(data AS VARCHAR), '$.mentions') AS {_SPAN}), []),
                    [struct_pack(start := evidence_start, "end" := evidence_end, text := evidence_text)])) AS passage
                FROM events)) x USING (event_id)
    JOIN articles ax ON ax.article_key = x.article_key
    GROUP BY r.incident_id"""


def _pending(con) -> str:
    """A note when some reports are in no incident yet (ingested with --no-dedup)."""
    n = con.execute("SELECT count(*) FROM events e ANTI JOIN incident_reports r USING (event_id)").fetchall()[0][0]
    if not n:
        return ""
    return (f"{n} report{'s are' if n != 1 else ' is'} in no incident yet (stored with --no-dedup) and left out: "
            "run `marsad dedup --db FILE`")


def _columns(store: Store) -> str:
    """The flat export columns: the incident id, its representative article, then every incident column."""
    article = ["a.article_id AS article_id", "e.article_key AS article_key", "a.url AS article_url",
               "a.source AS article_source", "a.title AS article_title", "a.date AS article_date",
               "epoch(a.ingested_at)::BIGINT AS article_ingested"]
    incident = [f"e.{c}" for c in store.columns("incidents") if c not in ("incident_id", "article_key")]
    return ", ".join(["e.incident_id AS event_id"] + article + incident + ["s.sources"])


def _rows(reader) -> Iterator[dict[str, Any]]:
    for batch in reader:
        yield from batch.to_pylist()


class _text_out:
    def __init__(self, out):
        self.out, self.fh, self.close = out, None, False

    def __enter__(self) -> IO:
        if self.out is None or self.out == "-":
            self.fh = sys.stdout
        elif isinstance(self.out, (str, Path)):
            try:
                self.fh, self.close = open(self.out, "w", encoding="utf-8", newline=""), True
            except OSError as e:
                raise StoreError("E635", f"Cannot write {self.out}: {e.strerror}.") from None
        else:
            self.fh = self.out
        return self.fh

    def __exit__(self, *exc):
        if self.close:
            self.fh.close()
        return False


# -- JSON Lines and Parquet ------------------------------------------------------------------

def nest(row: dict[str, Any]) -> dict[str, Any]:
    """Flat export row -> nested event: spans as {start, end, text}, actors/location/article as objects."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        prefix, _, rest = key.partition("_")
        if prefix in NESTED and rest:
            out.setdefault(prefix, {})[rest] = value
        else:
            out[key] = value
    for obj in [out, *(out[p] for p in NESTED if isinstance(out.get(p), dict))]:
        for key in [k[:-6] for k in list(obj) if k.endswith("_start")]:
            if f"{key}_end" in obj and f"{key}_text" in obj:
                start, end, text = obj.pop(f"{key}_start"), obj.pop(f"{key}_end"), obj.pop(f"{key}_text")
                obj[key] = None if start is None else {"start": start, "end": end, "text": text}
    for p in ("actor1", "actor2", "location"):
        if isinstance(out.get(p), dict) and all(v is None for v in out[p].values()):
            out[p] = None
    return out


def _json_default(value):
    if isinstance(value, (Date, datetime)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _dumps(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, default=_json_default)


def _lines(shape):
    """An exporter writing one JSON object per event row, shaped by `shape(row)`."""
    def write(rows, fh) -> ExportResult:
        n = 0
        for row in rows:
            fh.write(_dumps(shape(row)) + "\n")
            n += 1
        return ExportResult(n)
    return write


def _parquet(reader, path: Path) -> ExportResult:
    import pyarrow.parquet as pq

    n = 0
    try:
        with pq.ParquetWriter(str(path), reader.schema) as writer:
            for batch in reader:
                writer.write_batch(batch)
                n += batch.num_rows
    except OSError as e:
        raise StoreError("E635", f"Cannot write {path}: {e}.") from None
    return ExportResult(n)


# -- ACLED CSV -------------------------------------------------------------------------------

def _disorder_type(event_type: str | None, sub: str | None) -> str | None:
    if sub == "Excessive force against protesters":
        return "Political violence; Demonstrations"
    if event_type in ("Battles", "Explosions/Remote violence", "Violence against civilians") or sub == "Mob violence":
        return "Political violence"
    if event_type in ("Protests", "Riots"):
        return "Demonstrations"
    if event_type == "Strategic developments":
        return "Strategic developments"
    return None


def _actor_name(row, p: str) -> str | None:
    name, ident = row.get(f"{p}_name"), row.get(f"{p}_id")
    if name:
        return name
    if ident:
        return ident.split(":", 1)[1] if ident.startswith("other:") else ident
    return None


def interaction(inter1: int | None, inter2: int | None) -> int | None:
    """ACLED's two-digit interaction code: the two actor types, lower first; '0' for no second actor."""
    if not inter1:
        return None
    if not inter2:
        return inter1 * 10
    low, high = sorted((inter1, inter2))
    return low * 10 + high


def acled_row(row: dict[str, Any]) -> dict[str, Any]:
    c = country(row.get("location_country"))
    day = row.get("date")
    inter1, inter2 = row.get("actor1_actor_type"), row.get("actor2_actor_type")
    actor2 = _actor_name(row, "actor2")
    return {
        "event_id_cnty": row["event_id"], "event_date": day.isoformat() if day else None,
        "year": day.year if day else None, "time_precision": row.get("time_precision"),
        "disorder_type": _disorder_type(row.get("event_type"), row.get("sub_event_type")),
        "event_type": row.get("event_type"), "sub_event_type": row.get("sub_event_type"),
        "actor1": _actor_name(row, "actor1"), "inter1": inter1,
        # ACLED writes inter2 = 0 when there is no second actor.
        "actor2": actor2, "inter2": inter2 if actor2 else (0 if inter1 else None),
        "interaction": interaction(inter1, inter2),
        "civilian_targeting": "Civilian targeting" if inter2 == 7 else None,
        "iso": c.numeric if c else None, "region": c.region if c else None,
        "country": c.name if c else row.get("location_country"),
        "admin1": row.get("location_admin1"), "admin2": row.get("location_admin2"),
        "location": row.get("location_name_en") or row.get("location_name"),
        "latitude": row.get("location_lat"), "longitude": row.get("location_lon"),
        "geo_precision": row.get("location_geo_precision"), "source": _outlets(row),
        # ACLED's notes summarise the event; marsad's summary is the sentence that reports it.
        "notes": row.get("notes") or row.get("evidence_text"),
        # ACLED writes 0 where no death is reported.
        "fatalities": row.get("fatalities") or 0, "timestamp": row.get("article_ingested"),
        "source_count": row.get("source_count"),
    }


def _outlets(row: dict[str, Any]) -> str | None:
    """The reporting outlets, each once, in the order they reported ("; " between, as ACLED writes)."""
    names = [((s.get("article") or {}).get("source")) for s in row.get("sources") or ()]
    names = list(dict.fromkeys(n for n in names if n)) or [row.get("article_source")]
    return "; ".join(n for n in names if n) or None


def _acled_csv(rows, fh) -> ExportResult:
    writer = csv.DictWriter(fh, fieldnames=CSV_COLUMNS, extrasaction="raise", lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in rows:
        writer.writerow(acled_row(row))
        n += 1
    return ExportResult(n)


# -- Figures CSV -----------------------------------------------------------------------------

# One row per figure: the article, the figure, its place, its evidence and quantity spans.
FIGURES_COLUMNS = (
    "article_id", "article_key", "article_url", "article_date", "article_source", "figure_idx", "metric", "value",
    "qualifier", "population", "place_name", "place_country", "place_admin1", "place_lat", "place_lon", "date",
    "date_start", "source", "evidence_start", "evidence_end", "evidence_text", "quantity_start", "quantity_end",
    "quantity_text")
_FIGURES_SQL = (
    "SELECT a.article_id, e.article_key, a.url AS article_url, a.date AS article_date, a.source AS article_source, "
    "e.idx AS figure_idx, e.metric, e.value, e.qualifier, e.population, e.place_name, e.place_country, "
    "e.place_admin1, e.place_lat, e.place_lon, e.date, e.date_start, e.source, e.evidence_start, e.evidence_end, "
    "e.evidence_text, e.quantity_start, e.quantity_end, e.quantity_text "
    "FROM figures e JOIN articles a USING (article_key){where} "
    "ORDER BY a.date NULLS LAST, a.article_id, e.article_key, e.idx")


def _figures(con, out, where: str, params: list) -> ExportResult:
    reader = con.sql(_FIGURES_SQL.format(where=where), params=params).to_arrow_reader(2048)
    with _text_out(out) as fh:
        writer = csv.DictWriter(fh, fieldnames=FIGURES_COLUMNS, extrasaction="raise", lineterminator="\n")
        writer.writeheader()
        n = 0
        for row in _rows(reader):
            writer.writerow({k: _cell(v) for k, v in row.items()})
            n += 1
    return ExportResult(n)


def _cell(value):
    if isinstance(value, (Date, datetime)):
        return value.isoformat()
    return value


# -- GeoJSON ---------------------------------------------------------------------------------

GEOJSON_PROPERTIES = ("event_id", "event_type", "sub_event_type", "date", "actor1_id", "actor1_name",
                      "actor2_id", "actor2_name", "location_name", "location_name_en", "location_country",
                      "location_admin1", "location_geo_precision", "fatalities", "injured", "detained",
                      "evidence_text", "evidence_start", "evidence_end", "article_id", "article_url",
                      "article_date", "source_count", "report_count")


def _geojson(rows, fh) -> ExportResult:
    fh.write('{"type": "FeatureCollection", "features": [')
    n = skipped = 0
    for row in rows:
        lat, lon = row.get("location_lat"), row.get("location_lon")
        if lat is None or lon is None:
            skipped += 1
            continue
        feature = {"type": "Feature", "id": row["event_id"],
                   "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
                   "properties": {**{k: row.get(k) for k in GEOJSON_PROPERTIES},
                                  "sources": row.get("sources") or []}}
        fh.write(("\n" if n == 0 else ",\n") + _dumps(feature))
        n += 1
    fh.write("\n]}\n")
    message = f"{skipped} incident{'s' if skipped != 1 else ''} without coordinates left out." if skipped else ""
    return ExportResult(n, skipped, message)


# -- PLOVER ----------------------------------------------------------------------------------

# When the extractor left plover_type empty, derive it the way the events stage does.
QUAD = {"AGREE": 1, "CONSULT": 1, "SUPPORT": 1, "CONCEDE": 1, "COOPERATE": 2, "AID": 2, "RETREAT": 2,
        "DEMAND": 3, "ACCUSE": 3, "REJECT": 3, "THREATEN": 3, "PROTEST": 4, "SANCTION": 4, "MOBILIZE": 4,
        "COERCE": 4, "ASSAULT": 4}
# ACLED actor type (inter code) -> PLOVER sector.
SECTOR = {1: "MIL", 2: "REB", 3: "PRM", 4: "PRM", 5: "CVL", 6: "CVL", 7: "CVL"}


def _plover_actor(row, p: str) -> list[dict]:
    if not (row.get(f"{p}_id") or row.get(f"{p}_name") or row.get(f"{p}_span_text")):
        return []
    c = country(row.get(f"{p}_country"))
    return [{"code": c.alpha3 if c else None, "sector": SECTOR.get(row.get(f"{p}_actor_type")),
             "actor_text": row.get(f"{p}_span_text"), "identifier_id": row.get(f"{p}_id"),
             "identifier_text": row.get(f"{p}_name"),
             "actor_span": None if row.get(f"{p}_span_start") is None else
             {"start": row[f"{p}_span_start"], "end": row[f"{p}_span_end"]}}]


def plover_record(row: dict[str, Any]) -> dict[str, Any]:
    derived = PLOVER.get(row.get("sub_event_type") or "", (None, None))
    event = row.get("plover_type") or derived[0]
    mode = row.get("plover_mode") if row.get("plover_type") else derived[1]
    c = country(row.get("location_country"))
    loc = None
    if row.get("location_name") or row.get("location_lat") is not None:
        loc = {"geonameid": row.get("location_geonameid"), "name": row.get("location_name_en"),
               "raw_name": row.get("location_name"), "latitude": row.get("location_lat"),
               "longitude": row.get("location_lon"), "country code": row.get("location_country"),
               "cc3": c.alpha3 if c else None, "admin1": row.get("location_admin1"),
               "admin2": row.get("location_admin2")}
    day, start = row.get("date"), row.get("date_start")
    provenance = [{"article_id": (s.get("article") or {}).get("id"), "article_key": (s.get("article") or {}).get("key"),
                   "report_id": s.get("report_id"), "start": (s.get("evidence") or {}).get("start"),
                   "end": (s.get("evidence") or {}).get("end"), "text": (s.get("evidence") or {}).get("text")}
                  for s in row.get("sources") or ()] or [
        {"article_id": row.get("article_id"), "article_key": row.get("article_key"), "report_id": row.get("report_id"),
         "start": row.get("evidence_start"), "end": row.get("evidence_end"), "text": row.get("evidence_text")}]
    return {
        "id": row["event_id"], "date": (start or day).isoformat() if (start or day) else None,
        "enddate": day.isoformat() if start and day else None,
        "source": _plover_actor(row, "actor1"), "recipient": _plover_actor(row, "actor2"),
        "event": [event] if event else [], "mode": [mode] if mode else [],
        "quad_code": QUAD.get(event), "event_loc": loc, "event_text": [row.get("evidence_text")],
        "dead": row.get("fatalities"), "injured": row.get("injured"), "arrested": row.get("detained"),
        "text_info": {"start": row.get("evidence_start"), "end": row.get("evidence_end"), "is_story": False},
        "provenance": provenance,
        "cite_info": {"url": row.get("article_url"), "title": row.get("article_title"), "language": "ar",
                      "publication": row.get("article_source"), "coder": f"marsad {__version__}",
                      "codebook": "ACLED event types, PLOVER event/mode"},
        "acled": {"event_type": row.get("event_type"), "sub_event_type": row.get("sub_event_type")},
        "coded_from": "extractor" if row.get("plover_type") else "acled_type",
    }
