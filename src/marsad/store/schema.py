"""The database schema as an ordered list of migrations.

`schema_version` records every migration applied. Opening a database applies the missing
ones in order, each in its own transaction with its version row, so a crash mid-upgrade
leaves the previous version intact. A migration is never edited once released: change the
schema by appending a new one (and a test that upgrades from the version before it).

Column names follow `marsad.batch.extract.flatten`: nested fields get their field name as
prefix and every span becomes `<name>_start`, `<name>_end`, `<name>_text`. Each row of an
extracted layer also keeps the item as JSON in `data`, so a field that has no column yet is
not lost and a later migration can backfill a column from it.
"""
from __future__ import annotations

from collections.abc import Callable

from ..errors import StoreError

_ACTOR = """{p}_id VARCHAR, {p}_name VARCHAR, {p}_actor_type INTEGER, {p}_country VARCHAR, {p}_via VARCHAR,
    {p}_span_start INTEGER, {p}_span_end INTEGER, {p}_span_text VARCHAR"""
_PLACE = """{p}_name VARCHAR, {p}_role VARCHAR, {p}_geonameid BIGINT, {p}_name_en VARCHAR, {p}_country VARCHAR,
    {p}_admin1 VARCHAR, {p}_admin2 VARCHAR, {p}_lat DOUBLE, {p}_lon DOUBLE, {p}_geo_precision INTEGER,
    {p}_feature VARCHAR, {p}_span_start INTEGER, {p}_span_end INTEGER, {p}_span_text VARCHAR"""


def _v1(con) -> None:
    con.execute("""
    CREATE TABLE runs (
        run_id INTEGER PRIMARY KEY, started_at TIMESTAMP NOT NULL, finished_at TIMESTAMP,
        status VARCHAR NOT NULL,            -- running | completed | interrupted | failed
        marsad_version VARCHAR, pipeline VARCHAR, inputs JSON, workers INTEGER,
        articles_read INTEGER DEFAULT 0, articles_new INTEGER DEFAULT 0, articles_skipped INTEGER DEFAULT 0,
        errors INTEGER DEFAULT 0, events INTEGER DEFAULT 0, seconds DOUBLE, message VARCHAR)""")
    con.execute("""
    CREATE TABLE articles (
        article_key VARCHAR PRIMARY KEY,    -- sha256(content_hash, url)[:32]: see batch.extract.article_key
        content_hash VARCHAR NOT NULL,      -- sha256 of the text
        url VARCHAR, article_id VARCHAR, source VARCHAR, title VARCHAR, date DATE, date_source VARCHAR,
        text VARCHAR NOT NULL, n_chars INTEGER, warnings JSON, pipeline VARCHAR, marsad_version VARCHAR,
        run_id INTEGER, ingested_at TIMESTAMP)""")
    con.execute(f"""
    CREATE TABLE events (
        event_id VARCHAR PRIMARY KEY, article_key VARCHAR NOT NULL, idx INTEGER NOT NULL,
        event_type VARCHAR, sub_event_type VARCHAR,
        evidence_start INTEGER, evidence_end INTEGER, evidence_text VARCHAR,
        date DATE, date_start DATE, time_precision INTEGER,
        {_ACTOR.format(p="actor1")}, {_ACTOR.format(p="actor2")}, {_PLACE.format(p="location")},
        fatalities INTEGER, injured INTEGER, detained INTEGER, local_id VARCHAR,
        plover_type VARCHAR, plover_mode VARCHAR, notes VARCHAR, confidence DOUBLE,
        trigger_start INTEGER, trigger_end INTEGER, trigger_text VARCHAR, data JSON)""")
    con.execute(f"""
    CREATE TABLE figures (
        article_key VARCHAR NOT NULL, idx INTEGER NOT NULL, metric VARCHAR, value BIGINT,
        evidence_start INTEGER, evidence_end INTEGER, evidence_text VARCHAR, qualifier VARCHAR,
        population VARCHAR, {_PLACE.format(p="place")}, date DATE, date_start DATE, source VARCHAR,
        quantity_start INTEGER, quantity_end INTEGER, quantity_text VARCHAR, data JSON,
        PRIMARY KEY (article_key, idx))""")
    con.execute("""
    CREATE TABLE quotes (
        article_key VARCHAR NOT NULL, idx INTEGER NOT NULL,
        span_start INTEGER, span_end INTEGER, span_text VARCHAR, text VARCHAR, speaker VARCHAR,
        speaker_span_start INTEGER, speaker_span_end INTEGER, speaker_span_text VARCHAR,
        organization VARCHAR, kind VARCHAR, direct BOOLEAN, data JSON, PRIMARY KEY (article_key, idx))""")
    con.execute("""
    CREATE TABLE actors (
        article_key VARCHAR NOT NULL, idx INTEGER NOT NULL,
        span_start INTEGER, span_end INTEGER, span_text VARCHAR, actor_id VARCHAR, name VARCHAR,
        actor_type INTEGER, country VARCHAR, via VARCHAR, data JSON, PRIMARY KEY (article_key, idx))""")
    con.execute("""
    CREATE TABLE places (
        article_key VARCHAR NOT NULL, idx INTEGER NOT NULL,
        span_start INTEGER, span_end INTEGER, span_text VARCHAR, name VARCHAR, role VARCHAR,
        geonameid BIGINT, name_en VARCHAR, country VARCHAR, admin1 VARCHAR, admin2 VARCHAR,
        lat DOUBLE, lon DOUBLE, geo_precision INTEGER, feature VARCHAR,
        data JSON, PRIMARY KEY (article_key, idx))""")
    con.execute("""
    CREATE TABLE entities (
        article_key VARCHAR NOT NULL, idx INTEGER NOT NULL,
        span_start INTEGER, span_end INTEGER, span_text VARCHAR, label VARCHAR, score DOUBLE,
        data JSON, PRIMARY KEY (article_key, idx))""")
    con.execute("""
    CREATE TABLE layers (                   -- the other layers (sentences, times, ...), one JSON list each
        article_key VARCHAR NOT NULL, layer VARCHAR NOT NULL, n INTEGER, data JSON,
        PRIMARY KEY (article_key, layer))""")
    con.execute("""
    CREATE TABLE errors (                   -- the latest failure of each input or article that is not stored
        error_key VARCHAR PRIMARY KEY, run_id INTEGER, kind VARCHAR,   -- input | extract | store
        location VARCHAR, article_key VARCHAR, article_id VARCHAR, code VARCHAR, message VARCHAR,
        detail VARCHAR, created_at TIMESTAMP)""")


def _v2(con) -> None:
    # Event <-> article links: today each event has its one reporting article; cross-article
    # deduplication will attach further articles to an existing event here.
    con.execute("""
    CREATE TABLE event_sources (
        event_id VARCHAR NOT NULL, article_key VARCHAR NOT NULL, role VARCHAR,
        evidence_start INTEGER, evidence_end INTEGER, evidence_text VARCHAR,
        PRIMARY KEY (event_id, article_key))""")
    con.execute("""
    INSERT INTO event_sources
    SELECT event_id, article_key, 'reported', evidence_start, evidence_end, evidence_text FROM events""")


def _v3(con) -> None:
    # Place gained name_ar (the gazetteer's Arabic name) and confidence (of the resolution).
    for table, prefix, path in (("places", "", "$"), ("events", "location_", "$.location"),
                                ("figures", "place_", "$.place")):
        con.execute(f"ALTER TABLE {table} ADD COLUMN {prefix}name_ar VARCHAR")
        con.execute(f"ALTER TABLE {table} ADD COLUMN {prefix}confidence DOUBLE")
        con.execute(f"UPDATE {table} SET {prefix}name_ar = json_extract_string(data, '{path}.name_ar'), "
                    f"{prefix}confidence = CAST(json_extract_string(data, '{path}.confidence') AS DOUBLE)")


def _v4(con) -> None:
    # Feed state for `marsad watch` (marsad.feeds.state): one row per feed, one per item a feed listed.
    con.execute("""
    CREATE TABLE feeds (
        feed_url VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, language VARCHAR, interval_s DOUBLE,
        etag VARCHAR, last_modified VARCHAR,    -- validators sent with the next (conditional) GET
        title VARCHAR, last_polled_at TIMESTAMP, last_ok_at TIMESTAMP, last_status INTEGER,
        last_error VARCHAR, last_error_at TIMESTAMP, last_new_at TIMESTAMP,
        polls INTEGER DEFAULT 0, not_modified INTEGER DEFAULT 0, errors INTEGER DEFAULT 0,
        items_seen INTEGER DEFAULT 0)""")
    con.execute("""
    CREATE TABLE feed_items (
        feed_url VARCHAR NOT NULL, item_id VARCHAR NOT NULL,   -- the item's guid, else its link
        link VARCHAR, item_url VARCHAR,          -- the link as the feed gives it; its canonical form
        title VARCHAR, published TIMESTAMP, published_text VARCHAR,
        status VARCHAR NOT NULL,                 -- pending | retry | stored | duplicate | failed
        article_key VARCHAR, article_url VARCHAR, http_status INTEGER, error VARCHAR,
        attempts INTEGER DEFAULT 0, first_seen_at TIMESTAMP NOT NULL, updated_at TIMESTAMP,
        PRIMARY KEY (feed_url, item_id))""")


def _v5(con) -> None:
    # Cross-article deduplication (store/incidents.py): `events` rows are reports; incidents group
    # the reports of one incident from different articles. No primary keys on these tables: they
    # are rewritten a component at a time, and DuckDB checks keys of rows deleted and inserted again
    # in one transaction too eagerly.
    con.execute("""
    CREATE TABLE match_keys (
        event_id VARCHAR NOT NULL, article_key VARCHAR NOT NULL, block VARCHAR NOT NULL, day DATE,
        event_type VARCHAR, sub_event_type VARCHAR, place VARCHAR, admin1 VARCHAR, lat DOUBLE, lon DOUBLE,
        actors VARCHAR[], words VARCHAR[], context VARCHAR[], title VARCHAR[], numbers BIGINT[], text VARCHAR)""")
    con.execute("CREATE TABLE dedup_links (a VARCHAR NOT NULL, b VARCHAR NOT NULL, p DOUBLE NOT NULL)")
    con.execute("""
    CREATE TABLE incident_reports (
        event_id VARCHAR NOT NULL, article_key VARCHAR NOT NULL, incident_id VARCHAR NOT NULL,
        component_id VARCHAR NOT NULL)""")
    con.execute(f"""
    CREATE TABLE incidents (
        incident_id VARCHAR NOT NULL, report_id VARCHAR NOT NULL, article_key VARCHAR NOT NULL,
        event_type VARCHAR, sub_event_type VARCHAR,
        evidence_start INTEGER, evidence_end INTEGER, evidence_text VARCHAR,
        date DATE, date_start DATE, time_precision INTEGER,
        {_ACTOR.format(p="actor1")}, {_ACTOR.format(p="actor2")}, {_PLACE.format(p="location")},
        location_name_ar VARCHAR, location_confidence DOUBLE,
        fatalities INTEGER, injured INTEGER, detained INTEGER, plover_type VARCHAR, plover_mode VARCHAR,
        notes VARCHAR, confidence DOUBLE, trigger_start INTEGER, trigger_end INTEGER, trigger_text VARCHAR,
        source_count INTEGER NOT NULL, report_count INTEGER NOT NULL, first_reported DATE, last_reported DATE)""")
    con.execute("CREATE TABLE dedup_state (key VARCHAR NOT NULL, value VARCHAR)")
    if con.execute("SELECT count(*) FROM events").fetchone()[0]:
        from .db import inserter
        from .incidents import rebuild
        rebuild(con, inserter(con))


MIGRATIONS: list[tuple[int, str, Callable]] = [
    (1, "articles, extracted layers, runs and errors", _v1),
    (2, "event_sources: event <-> article links, backfilled from events", _v2),
    (3, "Place.name_ar and Place.confidence as columns, backfilled from data", _v3),
    (4, "feeds and feed_items: the state of `marsad watch`", _v4),
    (5, "incidents: reports of one incident across articles grouped (match keys, links, incidents)", _v5),
]
LATEST = MIGRATIONS[-1][0]


def version(con) -> int:
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE schema_name = 'main'"
                                        ).fetchall()}
    if "schema_version" not in tables:
        return -1 if tables else 0
    return con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]


def migrate(con, path: str, target: int = LATEST) -> list[int]:
    """Apply the migrations after the database's version, up to `target`; return those applied."""
    current = version(con)
    if current < 0:
        raise StoreError("E603", f"{path} is a DuckDB database but not marsad's (it has no schema_version "
                         "table). Give --db a new file name or a database marsad created.")
    if current > LATEST:
        raise StoreError("E604", f"{path} has schema version {current}, newer than this marsad "
                         f"understands ({LATEST}). Upgrade marsad to read it.")
    applied = []
    for number, description, step in MIGRATIONS:
        if current < number <= target:
            con.execute("BEGIN TRANSACTION")
            try:
                if number == 1:
                    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, "
                                "applied_at TIMESTAMP NOT NULL, description VARCHAR)")
                step(con)
                con.execute("INSERT INTO schema_version VALUES (?, now()::TIMESTAMP, ?)", [number, description])
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
            applied.append(number)
    return applied
