"""Live feeds: `marsad watch` turns RSS/Atom feeds of Arabic outlets into stored events.

    >>> from marsad import feeds
    >>> feeds.watch("feeds.toml", "marsad.duckdb", once=True).summary()
    >>> feeds.health_of("marsad.duckdb")["feeds"][0]["health"]

- `config`: the feeds file (TOML); `fetch`: the polite HTTP fetcher (httpx), charsets;
- `parse`: RSS/Atom items (feedparser), their dates, canonical URLs;
- `page`: an item's page into an Article (trafilatura, or the feed's body hint);
- `state`: feed and item state in the store; `watch`: the poll loop.

Nothing here is imported, and nothing reaches the network, unless `marsad watch` (or
`marsad serve --watch`) runs.
"""
from __future__ import annotations

from .config import Feed, FeedsError, FeedsFile, FetchSettings, load
from .watch import PollReport, StoreAccess, Watcher, watch


def health_of(db: str) -> dict:
    """The feeds' state in the store `db` (what `marsad feeds status` prints)."""
    from ..store.db import Store
    from .state import health

    with Store(db, read_only=True) as store:
        return health(store.con)


__all__ = ["Feed", "FeedsError", "FeedsFile", "FetchSettings", "PollReport", "StoreAccess", "Watcher", "health_of",
           "load", "watch"]
