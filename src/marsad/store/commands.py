"""`marsad ingest`, `marsad export`, `marsad query`: thin wrappers over marsad.store.

Heavy modules (duckdb, pyarrow, rich, the pipeline) are imported inside the commands so
that `marsad --help` stays fast.
"""
from __future__ import annotations

import signal
import sys
import time

import click

FORMATS = ("acled-csv", "geojson", "parquet", "jsonl", "plover-jsonl", "figures-csv")     # = exports.FORMATS
SUMMARIES = ("events-by-type", "events-by-country", "events-by-week", "top-actors")   # = queries.SUMMARIES
DB_HELP = "The DuckDB database file (created if missing). One process at a time may write it."


def _fail(message: str, code: int = 2):
    click.echo(f"marsad: error: {message}", err=True)
    sys.exit(code)


def _filters(since, until, country, event_type):
    from .exports import Filters
    return Filters(since=since, until=until, country=country, event_type=event_type)


def filter_options(f):
    f = click.option("--event-type", help="Only this ACLED event type, e.g. 'Battles'.")(f)
    f = click.option("--country", help="Only events in this country: ISO code (SY) or English name (Syria).")(f)
    f = click.option("--until", metavar="YYYY-MM-DD", help="Only events on or before this day.")(f)
    f = click.option("--since", metavar="YYYY-MM-DD", help="Only events on or after this day.")(f)
    return f


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--db", required=True, type=click.Path(dir_okay=False), help=DB_HELP)
@click.option("--workers", type=int, default=None,
              help="Processes extracting in parallel (default: the cores less one, at least 1; "
                   "1 = in this process).")
@click.option("--batch-size", type=int, default=50, show_default=True,
              help="Articles committed per transaction (an interrupted run loses at most one batch).")
@click.option("--progress/--no-progress", default=True, show_default=True, help="Show a progress bar on stderr.")
@click.option("--max-bytes", type=int, default=None, help="Largest article accepted, in bytes (default 10 MB).")
@click.option("--article-timeout", type=click.FloatRange(0), default=30.0, show_default=True,
              help="Seconds one article may take; past it the article is recorded as an error and its worker "
                   "is stopped (0: no limit).")
@click.option("--dedup/--no-dedup", default=True, show_default=True,
              help="Merge each article's reports into the incidents as it is stored; --no-dedup leaves that to a "
                   "later `marsad dedup` (or the next ingest with matching on).")
def ingest(paths, db, workers, batch_size, progress, max_bytes, article_timeout, dedup):
    """Extract every article in PATHS (files, folders, globs; .txt .json .jsonl .html, gzipped or not)
    and store articles, events, figures, quotes and the rest in the database --db.

    Safe to interrupt (Ctrl-C, or a kill) and to run again: committed batches are kept and
    articles already stored are skipped, so nothing is lost or stored twice. An article
    that cannot be read or extracted is recorded in the errors table and the run goes on.
    """
    from ..errors import MarsadError
    from ..readers import MAX_BYTES
    from . import ingest as run_ingest

    def stop(signum, frame):
        raise KeyboardInterrupt
    # `kill`, a closed terminal, and Ctrl-C even where the parent left SIGINT ignored (a background job
    # of a shell without job control, as CI may be) all stop cleanly.
    for name in ("SIGINT", "SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), stop)
    show = _Progress(progress)
    try:
        with show:
            report = run_ingest(paths, db, workers=workers, batch_size=batch_size, progress=show,
                                max_bytes=max_bytes or MAX_BYTES, article_timeout=article_timeout or None,
                                dedup=dedup)
    except MarsadError as e:
        _fail(e.message)
    except Exception as e:          # the store failed in a way it did not foresee: still one line
        _fail(f"ingest of {db} failed: {type(e).__name__}: {(str(e).strip().splitlines() or [''])[0]}")
    click.echo(f"marsad ingest: {report.summary()}", err=True)
    if report.errors:
        _show_errors(db, report.run_id)
    if report.status == "interrupted":
        sys.exit(130)
    if report.errors:
        sys.exit(2)


def _show_errors(db: str, run_id: int, limit: int = 5) -> None:
    from .db import Store
    with Store(db, read_only=True) as store:
        rows = store.con.execute("SELECT coalesce(location, article_id), message FROM errors WHERE run_id = ? "
                                 "ORDER BY created_at, error_key LIMIT ?", [run_id, limit]).fetchall()
    for where, message in rows:
        click.echo(f"  error: {where}: {message}", err=True)
    click.echo(f"  all errors: marsad query --db {db} --sql \"SELECT location, article_id, message FROM errors\"",
               err=True)


class _Progress:
    """A rich progress bar on a terminal; on a pipe or log file, a line per commit at most once a second."""

    def __init__(self, enabled: bool):
        self.enabled, self.bar, self.task = enabled, None, None
        self.last_update = self.last_line = 0.0
        self.last_batches = 0

    def __enter__(self):
        if not self.enabled:
            return self
        from rich.console import Console
        from rich.progress import (BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn,
                                   TimeRemainingColumn)
        console = Console(stderr=True)
        if console.is_terminal:
            self.bar = Progress(TextColumn("[bold]ingest"), BarColumn(), MofNCompleteColumn(),
                                TextColumn("{task.fields[rate]:>7.1f} articles/s"), TimeElapsedColumn(),
                                TextColumn("ETA"), TimeRemainingColumn(),
                                TextColumn("{task.fields[new]} new  {task.fields[events]} events  "
                                           "{task.fields[errors]} errors"), console=console)
            self.bar.start()
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.stop()
        return False

    def __call__(self, report) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if self.bar is not None:
            if self.task is None:
                self.task = self.bar.add_task("ingest", total=report.total, rate=0.0, new=0, events=0, errors=0)
            if now - self.last_update >= 0.1 or report.done == report.total:
                self.last_update = now
                self.bar.update(self.task, completed=report.done, rate=report.rate, new=report.new,
                                events=report.events, errors=report.errors)
        elif report.batches != self.last_batches and (self.last_batches == 0 or now - self.last_line >= 1.0):
            self.last_batches, self.last_line = report.batches, now
            total = report.total or "?"
            eta = ""
            if report.total and report.rate > 0:
                eta = f", ETA {(report.total - report.done) / report.rate:.0f} s"
            click.echo(f"ingest: {report.done}/{total} articles, {report.rate:.1f} articles/s{eta}; committed "
                       f"{report.new} new, {report.skipped} skipped, {report.events} events, "
                       f"{report.errors} errors", err=True)


@click.command()
@click.option("--db", type=click.Path(dir_okay=False), help="The database to export from.")
@click.option("--parquet", "parquet_dir", type=click.Path(file_okay=False),
              help="Instead of --db: the Parquet tables of `marsad spark run --out DIR`.")
@click.option("--format", "fmt", type=click.Choice(FORMATS), required=True, help="Output format.")
@filter_options
@click.option("-o", "--output", "out", default="-", show_default=True,
              help="Output file ('-' for standard output; Parquet needs a file).")
def export(db, parquet_dir, fmt, since, until, country, event_type, out):
    """Export the stored incidents (one record each, with its sources): ACLED CSV, GeoJSON, Parquet, JSON Lines
    or PLOVER JSON Lines; or the stored figures, one CSV row each (figures-csv)."""
    from ..errors import MarsadError
    from .exports import export as run_export

    if bool(db) == bool(parquet_dir):
        _fail("give the store to export: --db FILE, or --parquet DIR for a `marsad spark run` output.")
    if parquet_dir:
        from .parquet import ParquetStore
        try:
            with ParquetStore(parquet_dir) as store:
                result = run_export(store, fmt, None if out == "-" else out,
                                    _filters(since, until, country, event_type))
        except MarsadError as e:
            _fail(e.message)
        note = f" ({result.message})" if result.message else ""
        click.echo(f"marsad export: {result.rows} incidents as {fmt} to {'stdout' if out == '-' else out}{note}",
                   err=True)
        return
    try:
        result = run_export(db, fmt, None if out == "-" else out, _filters(since, until, country, event_type))
    except MarsadError as e:
        _fail(e.message)
    note = f" ({result.message})" if result.message else ""
    what = "figures" if fmt == "figures-csv" else "incidents"
    click.echo(f"marsad export: {result.rows} {what} as {fmt} to {'stdout' if out == '-' else out}{note}", err=True)


@click.command()
@click.argument("summary", required=False, type=click.Choice(SUMMARIES))
@click.option("--db", required=True, type=click.Path(dir_okay=False), help="The database to query.")
@click.option("--sql", help="One read-only SQL statement instead of a summary (tables: articles, incidents, "
                            "incident_reports, events (the reports), event_sources, figures, quotes, actors, places, "
                            "entities, layers, match_keys, dedup_links, dedup_state, runs, errors).")
@filter_options
@click.option("--limit", type=int, default=20, show_default=True, help="Rows of top-actors.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def query(summary, db, sql, since, until, country, event_type, limit, fmt):
    """Print a summary of the stored incidents (SUMMARY) or the result of --sql."""
    from ..errors import MarsadError
    from .queries import query as run_query

    try:
        result = run_query(db, name=summary, sql=sql, filters=_filters(since, until, country, event_type),
                           limit=limit)
    except MarsadError as e:
        _fail(e.message)
    if fmt == "json":
        import json
        click.echo(json.dumps(result.records(), ensure_ascii=False, indent=2, default=str))
    elif fmt == "csv":
        import csv
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(result.columns)
        writer.writerows(result.rows)
    else:
        from rich.console import Console
        from rich.table import Table
        table = Table(*result.columns, title=summary or None)
        cells = [["" if v is None else str(v) for v in row] for row in result.rows]
        for row in cells:
            table.add_row(*row)
        console = Console()
        if not console.is_terminal:     # piped: as wide as the rows need, never cut
            widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(result.columns)]
            console = Console(width=max(80, sum(widths) + 3 * len(widths) + 1))
        console.print(table)


@click.command()
@click.option("--db", required=True, type=click.Path(dir_okay=False), help="The database to re-cluster.")
@click.option("--threshold", type=float, default=None,
              help="Score two reports of different articles need to be linked, between 0 and 1 (default: the "
                   "one last set this way, else the model's). Kept in the store for later ingests.")
def dedup(db, threshold):
    """Re-cluster a whole store: group the reports of every incident across articles afresh."""
    from ..errors import MarsadError
    from . import dedup as run_dedup

    try:
        result = run_dedup(db, threshold)
    except MarsadError as e:
        _fail(e.message)
    click.echo(f"marsad dedup: {result['reports']} reports in {result['incidents']} incidents "
               f"({result['links']} links at threshold {result['threshold']:g}) in {result['seconds']:.1f} s; {db}",
               err=True)


@click.group("store")
def store_group():
    """Stores and the Parquet tables of `marsad spark run`."""


@store_group.command("import")
@click.argument("directory", type=click.Path(file_okay=False, exists=True))
@click.option("--db", required=True, type=click.Path(dir_okay=False), help=DB_HELP)
def import_parquet(directory, db):
    """Load the Parquet tables a `marsad spark run --out DIRECTORY` wrote into the store --db: the same
    rows `marsad ingest` stores for the same articles (articles already stored are skipped)."""
    from ..errors import MarsadError
    from .parquet import import_dir

    try:
        result = import_dir(directory, db)
    except MarsadError as e:
        _fail(e.message)
    click.echo(f"marsad store import: {result['articles']} articles read, {result['new']} new, "
               f"{result['skipped']} already stored, {result['events']} events, {result['errors']} errors, "
               f"{result['incidents']} incidents in the store; run {result['run_id']} in {db} "
               f"({result['seconds']:.1f} s)", err=True)
