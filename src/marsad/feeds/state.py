"""Feed state in the store (tables `feeds` and `feed_items`, schema version 4).

What makes `marsad watch` resume after a restart or a kill without refetching or losing
anything: a feed's answer is recorded in ONE transaction with the items it listed that were
not seen before (status `pending`) and the validators (ETag, Last-Modified) for the next
conditional GET. So an item is either not yet seen (the next poll, without those validators,
lists it again) or durably pending. A pending item's article is written by the store's
ingest path (`marsad.store.ingest.Run`), and only then is the item marked `stored`; after a
kill in between, the item is still pending, its page is fetched again and its article is
found already stored (same key, or same URL or text), so nothing is stored twice.

Item statuses: pending (seen, not tried yet), retry (a transient failure: 5xx, timeout,
refused connection; tried again at the next polls, `max_attempts` in all), stored (its
article is in the store), duplicate (another item's article, or one stored before), failed
(404 and other 4xx, no article text, robots.txt says no, or out of attempts).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from .config import Feed
from .parse import Entry

ITEM_STATUSES = ("pending", "retry", "stored", "duplicate", "failed")


def now() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


@dataclass
class Item:
    feed_url: str
    item_id: str
    link: str | None
    item_url: str | None
    title: str | None
    day: str | None
    attempts: int = 0


@dataclass
class Outcome:
    item: Item
    status: str                        # one of ITEM_STATUSES
    article_key: str | None = None
    article_url: str | None = None
    http_status: int | None = None
    error: str | None = None
    tried: bool = True                 # counts as an attempt


def sync_feeds(store, feeds: Iterable[Feed]) -> None:
    """Add the file's feeds to the store, or bring their name, language and interval up to date."""
    with store.transaction() as con:
        for f in feeds:
            con.execute("""INSERT INTO feeds (feed_url, name, language, interval_s) VALUES (?, ?, ?, ?)
                           ON CONFLICT (feed_url) DO UPDATE SET name = excluded.name,
                           language = excluded.language, interval_s = excluded.interval_s""",
                        [f.url, f.name, f.language, f.interval])


def validators(store, feed_url: str) -> tuple[str | None, str | None]:
    row = store.con.execute("SELECT etag, last_modified FROM feeds WHERE feed_url = ?", [feed_url]).fetchone()
    return (row[0], row[1]) if row else (None, None)


def last_polled(store, feed_urls: Sequence[str]) -> dict[str, datetime]:
    rows = store.con.execute("SELECT feed_url, last_polled_at FROM feeds WHERE feed_url IN "
                             "(SELECT unnest(?::VARCHAR[])) AND last_polled_at IS NOT NULL",
                             [list(feed_urls)]).fetchall()
    return dict(rows)


def record_poll(store, feed: Feed, response, parsed=None) -> list[Item]:
    """One feed answer, in one transaction: counters, validators, error, and its new items
    (returned, pending). `response` is a fetch.Response; `parsed` a parse.ParsedFeed when it
    was a 200 that could be parsed."""
    t = now()
    error = None if response.ok or response.kind == "not_modified" else response.error
    if parsed is not None and parsed.error:
        error = parsed.error
    with store.transaction() as con:
        new: list[Item] = []
        inserted = 0
        if parsed is not None and parsed.entries:
            ids = list(dict.fromkeys(e.item_id for e in parsed.entries))
            known = {r[0] for r in con.execute(
                "SELECT item_id FROM feed_items WHERE feed_url = ? AND item_id IN (SELECT unnest(?::VARCHAR[]))",
                [feed.url, ids]).fetchall()}
            seen: set[str] = set()
            for e in parsed.entries:
                if e.item_id in known or e.item_id in seen:
                    continue
                seen.add(e.item_id)
                inserted += 1
                item = _insert_item(con, feed, e, t)
                if item is not None:
                    new.append(item)
        ok = response.ok and (parsed is None or not parsed.error)
        con.execute("""
            UPDATE feeds SET polls = polls + 1, last_polled_at = ?, last_status = ?,
                not_modified = not_modified + ?, errors = errors + ?, items_seen = items_seen + ?,
                last_ok_at = CASE WHEN ? THEN ? ELSE last_ok_at END,
                last_error = CASE WHEN ? THEN ? ELSE NULL END,
                last_error_at = CASE WHEN ? THEN ? ELSE last_error_at END,
                last_new_at = CASE WHEN ? THEN ? ELSE last_new_at END,
                etag = CASE WHEN ? THEN ? ELSE etag END,
                last_modified = CASE WHEN ? THEN ? ELSE last_modified END,
                title = coalesce(?, title)
            WHERE feed_url = ?""",
                    [t, response.status, int(response.kind == "not_modified"), int(error is not None), inserted,
                     ok or response.kind == "not_modified", t,
                     error is not None, error, error is not None, t,
                     inserted > 0, t,
                     response.ok, response.headers.get("etag"),
                     response.ok, response.headers.get("last-modified"),
                     parsed.title if parsed is not None else None, feed.url])
    return new


def _insert_item(con, feed: Feed, e: Entry, t: datetime) -> Item | None:
    status, error = "pending", None
    if not e.link:
        status, error = "failed", "the feed item has no link"
    con.execute("""INSERT INTO feed_items (feed_url, item_id, link, item_url, title, published, published_text,
                   status, error, attempts, first_seen_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)""",
                [feed.url, e.item_id, e.link, e.url, e.title, e.published, e.published_text, status, error, t, t])
    return Item(feed.url, e.item_id, e.link, e.url, e.title, e.day) if status == "pending" else None


def unfinished(store, feed_urls: Sequence[str], max_attempts: int) -> list[Item]:
    """Items of these feeds still to be tried (pending, or retry with attempts left), oldest first."""
    rows = store.con.execute("""
        SELECT feed_url, item_id, link, item_url, title, published_text, attempts,
               CAST(CAST(published AS DATE) AS VARCHAR)
        FROM feed_items WHERE status IN ('pending', 'retry') AND attempts < ?
          AND feed_url IN (SELECT unnest(?::VARCHAR[]))
        ORDER BY first_seen_at, feed_url, item_id""", [max_attempts, list(feed_urls)]).fetchall()
    out = []
    for feed_url, item_id, link, item_url, title, published_text, attempts, day in rows:
        if day is None and published_text:
            from .parse import parse_date
            when = parse_date(published_text)
            day = when.isoformat()[:10] if when else None
        out.append(Item(feed_url, item_id, link, item_url, title, day, attempts))
    return out


def stored_under_urls(store, urls: Sequence[str]) -> dict[str, str]:
    """url -> article key, for URLs an article is already stored under (directly, or as an
    item's link or page URL)."""
    urls = [u for u in dict.fromkeys(urls) if u]
    if not urls:
        return {}
    rows = store.con.execute("""
        SELECT url, article_key FROM articles WHERE url IN (SELECT unnest(?::VARCHAR[]))
        UNION ALL
        SELECT item_url, article_key FROM feed_items WHERE article_key IS NOT NULL
            AND status IN ('stored', 'duplicate') AND item_url IN (SELECT unnest(?::VARCHAR[]))
        UNION ALL
        SELECT article_url, article_key FROM feed_items WHERE article_key IS NOT NULL
            AND status IN ('stored', 'duplicate') AND article_url IN (SELECT unnest(?::VARCHAR[]))""",
                             [urls, urls, urls]).fetchall()
    out: dict[str, str] = {}
    for url, key in rows:
        out.setdefault(url, key)
    return out


def stored_texts(store, hashes: Sequence[str]) -> dict[str, str]:
    """content hash -> article key, for texts already stored."""
    if not hashes:
        return {}
    rows = store.con.execute("SELECT content_hash, min(article_key) FROM articles WHERE content_hash IN "
                             "(SELECT unnest(?::VARCHAR[])) GROUP BY content_hash", [list(hashes)]).fetchall()
    return dict(rows)


def claimed(store, keys: Sequence[str]) -> set[str]:
    """Article keys some feed item already has as its own (status stored)."""
    if not keys:
        return set()
    rows = store.con.execute("SELECT DISTINCT article_key FROM feed_items WHERE status = 'stored' AND "
                             "article_key IN (SELECT unnest(?::VARCHAR[]))", [list(keys)]).fetchall()
    return {r[0] for r in rows}


def record_items(store, outcomes: Sequence[Outcome], max_attempts: int) -> None:
    """Item outcomes, in one transaction. A transient failure becomes `retry` while attempts
    are left and `failed` after the last."""
    if not outcomes:
        return
    t = now()
    with store.transaction() as con:
        for o in outcomes:
            attempts = o.item.attempts + (1 if o.tried else 0)
            status = o.status
            if status == "retry" and attempts >= max_attempts:
                status = "failed"
            con.execute("""UPDATE feed_items SET status = ?, article_key = ?, article_url = ?, http_status = ?,
                           error = ?, attempts = ?, updated_at = ? WHERE feed_url = ? AND item_id = ?""",
                        [status, o.article_key, o.article_url, o.http_status, o.error, attempts, t,
                         o.item.feed_url, o.item.item_id])


# -- health, for `marsad feeds status` and GET /v1/feeds ----------------------------------

def health(con, failures: int = 10) -> dict:
    """Every feed's state: counters, last answer and error, items by status, its latest failed
    items; and `updated`, when an article was last stored. `con` is any DuckDB connection or
    cursor on the store."""
    feeds = _dicts(con.execute("""
        SELECT feed_url, name, language, interval_s, title, last_polled_at, last_ok_at, last_status,
               last_error, last_error_at, last_new_at, polls, not_modified, errors, items_seen, etag, last_modified
        FROM feeds ORDER BY name"""))
    counts: dict[str, dict[str, int]] = {}
    for feed_url, status, n in con.execute("SELECT feed_url, status, count(*) FROM feed_items GROUP BY ALL"
                                           ).fetchall():
        counts.setdefault(feed_url, {})[status] = n
    recent: dict[str, list] = {}
    for row in _dicts(con.execute("""
            SELECT feed_url, link, title, status, http_status, error, attempts, updated_at FROM (
                SELECT *, row_number() OVER (PARTITION BY feed_url ORDER BY updated_at DESC, item_id) AS n
                FROM feed_items WHERE status IN ('failed', 'retry')) WHERE n <= ?
            ORDER BY feed_url, updated_at DESC""", [failures])):
        recent.setdefault(row.pop("feed_url"), []).append(_stamps(row))
    t = now()
    out = []
    for f in feeds:
        items = {s: counts.get(f["feed_url"], {}).get(s, 0) for s in ITEM_STATUSES}
        out.append({
            "name": f["name"], "url": f["feed_url"], "language": f["language"], "interval_s": f["interval_s"],
            "title": f["title"], "health": _health(f, t),
            "last_polled_at": iso_stamp(f["last_polled_at"]), "last_ok_at": iso_stamp(f["last_ok_at"]),
            "last_status": f["last_status"], "last_error": f["last_error"],
            "last_error_at": iso_stamp(f["last_error_at"]), "last_new_at": iso_stamp(f["last_new_at"]),
            "polls": f["polls"], "not_modified": f["not_modified"], "errors": f["errors"],
            "conditional": bool(f["etag"] or f["last_modified"]),
            "items": items, "recent_failures": recent.get(f["feed_url"], []),
        })
    updated = con.execute("SELECT max(ingested_at) FROM articles").fetchone()[0]
    return {"updated": iso_stamp(updated), "feeds": out}


def _health(f: dict, t: datetime) -> str:
    """never (not polled yet), error (the last poll failed), stale (not polled for three
    intervals and a minute: no watch is running), ok."""
    if f["last_polled_at"] is None:
        return "never"
    if f["last_error"]:
        return "error"
    if (t - f["last_polled_at"]).total_seconds() > 3 * (f["interval_s"] or 900) + 60:
        return "stale"
    return "ok"


def _dicts(result) -> list[dict]:
    names = [d[0] for d in result.description]
    return [dict(zip(names, row)) for row in result.fetchall()]


def _stamps(row: dict) -> dict:
    return {k: iso_stamp(v) for k, v in row.items()}


def iso_stamp(value):
    return value.isoformat(timespec="microseconds") + "Z" if isinstance(value, datetime) else value
