"""`marsad watch` and `marsad feeds status`: thin wrappers over marsad.feeds.

Heavy modules (httpx, feedparser, trafilatura, the pipeline) load only when a command runs.
"""
from __future__ import annotations

import signal
import sys
import threading
import time

import click


def _fail(message: str, code: int = 2):
    click.echo(f"marsad: error: {message}", err=True)
    sys.exit(code)


def _log(line: str) -> None:
    click.echo(f"{time.strftime('%Y-%m-%d %H:%M:%S')} watch: {line}", err=True)


@click.command()
@click.argument("feeds_file", metavar="FEEDS.toml", type=click.Path(dir_okay=False))
@click.option("--db", required=True, type=click.Path(dir_okay=False),
              help="The DuckDB database file (created if missing); open only while a poll runs.")
@click.option("--once", is_flag=True, help="Poll every feed once, store what is new, and exit.")
@click.option("--interval", metavar="DURATION",
              help="Poll every feed this often (90s, 15m, 1h), instead of the intervals in the feeds file.")
def watch(feeds_file, db, once, interval):
    """Follow the RSS/Atom feeds listed in FEEDS.toml: fetch each new item's page, extract its
    article and store it with its events in --db. Polls until stopped (Ctrl-C or kill), or once.

    Safe to stop and restart at any moment, even with kill -9: feed state is kept in the store,
    so nothing is fetched twice without need, lost, or stored twice.
    """
    from ..errors import MarsadError
    from .config import load, parse_duration
    from .watch import StoreAccess, Watcher

    try:
        seconds = parse_duration(interval, "--interval") if interval is not None else None
        feeds = load(feeds_file).with_interval(seconds)
    except MarsadError as e:
        _fail(e.message)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()
    for name in ("SIGTERM", "SIGHUP"):       # `kill` or a closed terminal: finish the write, then stop
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), on_signal)
    watcher = Watcher(feeds, StoreAccess(path=db), log=_log, stop=stop)
    _log(f"{len(feeds.feeds)} feeds from {feeds_file} into {db}" +
         ("" if once else f"; polling every {_every(feeds)} (Ctrl-C to stop)"))
    try:
        report = watcher.run(once=once)
    except KeyboardInterrupt:
        _log("stopped (Ctrl-C); run it again to carry on")
        sys.exit(130)
    except MarsadError as e:
        _fail(e.message)
    finally:
        watcher.close()
    if once and report.errors:
        sys.exit(2)


def _every(feeds) -> str:
    intervals = sorted({f.interval for f in feeds.feeds})
    return ", ".join(f"{s / 60:g} min" if s >= 60 else f"{s:g} s" for s in intervals)


@click.group()
def feeds():
    """The state of the feeds `marsad watch` follows."""


@feeds.command()
@click.option("--db", required=True, type=click.Path(dir_okay=False), help="The database `marsad watch` writes.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def status(db, fmt):
    """Each feed's health: last poll and answer, 304s, errors, items stored, duplicate, pending or failed."""
    from ..errors import MarsadError
    from . import health_of

    try:
        found = health_of(db)
    except MarsadError as e:
        _fail(e.message)
    if fmt == "json":
        import json
        click.echo(json.dumps(found, ensure_ascii=False, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    columns = ["feed", "health", "last poll", "HTTP", "polls", "304s", "errors", "stored", "duplicate",
               "pending", "retry", "failed", "last error"]
    rows = []
    for f in found["feeds"]:
        items = f["items"]
        rows.append([f["name"], f["health"], (f["last_polled_at"] or "never")[:19].replace("T", " "),
                     str(f["last_status"] or ""), str(f["polls"]), str(f["not_modified"]), str(f["errors"]),
                     str(items["stored"]), str(items["duplicate"]), str(items["pending"]), str(items["retry"]),
                     str(items["failed"]), f["last_error"] or ""])
    table = Table(*columns, title=f"feeds in {db} (last article stored {found['updated'] or 'never'})")
    for row in rows:
        table.add_row(*row)
    console = Console()
    if not console.is_terminal:     # piped: as wide as the rows need, never cut
        widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]
        console = Console(width=max(80, sum(widths) + 3 * len(widths) + 1))
    console.print(table)
