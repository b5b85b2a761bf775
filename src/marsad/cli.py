"""The `marsad` command: one function per command, each calling a plain library function.

Bad input never stops a run: each unreadable input gets one line on stderr naming
it and the problem, the others are processed, and the exit code is 2.
"""
from __future__ import annotations

import json
import sys

import click

from . import __version__


def _fail(message: str) -> None:
    click.echo(f"marsad: error: {message}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="marsad")
def main():
    """marsad — Arabic conflict news to structured, evidence-linked events."""


@main.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--date", help="Publication date YYYY-MM-DD (overrides the input's own date).")
@click.option("--id", "article_id", help="Article id (single input; default: the file name).")
@click.option("--format", "fmt", type=click.Choice(["json", "jsonl", "table"]), default="json",
              show_default=True, help="json: one indented object per article; jsonl: one line each; table: events, figures and "
              "quotes as tables for a terminal (100 columns).")
@click.option("--with-text", is_flag=True, help="Include the article text in the output.")
@click.option("--max-bytes", type=int, default=None, help="Largest input accepted, in bytes (default 10 MB).")
@click.option("--article-timeout", type=click.FloatRange(0), default=30.0, show_default=True,
              help="Seconds one article may take; past it the article is an error and the next one starts "
                   "(0: no limit).")
def extract(paths, date, article_id, fmt, with_text, max_bytes, article_timeout):
    """Extract events, figures and quotes from PATHS (.txt .json .jsonl .html, folders, or - for stdin)."""
    from .errors import InputError, MarsadError
    from .output import to_record
    from .table import render as render_table
    from .batch import settle
    from .batch.pool import time_limit
    from .readers import MAX_BYTES, parse_date, read_inputs
    import marsad

    try:
        parse_date(date, "--date")
    except InputError as e:
        _fail(e.message)
        sys.exit(2)
    failed = 0
    warned: set[str] = set()
    warm = not article_timeout
    for item in read_inputs(paths, date=date, id=article_id, max_bytes=max_bytes or MAX_BYTES):
        if isinstance(item, InputError):
            _fail(item.message)
            failed += 1
            continue
        if not warm:                        # load the models before the first deadline starts
            from .batch import warm_up
            warm_up()
            warm = True
        try:
            with time_limit(article_timeout):
                article = marsad.extract(item)
        except MarsadError as e:
            _fail(f"{item.id}: {e.message}")
            failed += 1
            continue
        except Exception as e:              # a bug in a stage: one line naming the article, then the next one
            _fail(f"{item.id}: extraction failed: {type(e).__name__}: {e}")
            failed += 1
            continue
        settle()                            # models are loaded now: see marsad.batch.settle
        for w in article.warnings:          # once per run, not once per article
            if w not in warned:
                warned.add(w)
                click.echo(f"marsad: warning: {w}", err=True)
        record = to_record(article, with_text=with_text)
        if fmt == "table":
            click.echo(render_table(record) + "\n")
        else:
            click.echo(json.dumps(record, ensure_ascii=False, indent=2 if fmt == "json" else None))
    if failed:
        sys.exit(2)


from .places.commands import places  # noqa: E402  (click group only; heavy imports stay inside)
from .actors.commands import actors  # noqa: E402  (click group only; heavy imports stay inside)
from .service.commands import serve  # noqa: E402
from .ner.commands import ner  # noqa: E402  (click group only; heavy imports stay inside)
from .store.commands import dedup as _dedup, export as _export, ingest as _ingest, query as _query  # noqa: E402
from .store.commands import store_group as _store  # noqa: E402
from .batch.commands import spark as _spark  # noqa: E402  (pyspark is imported by `spark run` only)

main.add_command(places)
main.add_command(actors)
main.add_command(ner)
main.add_command(_ingest)
main.add_command(_export)
main.add_command(_query)
main.add_command(_dedup)
main.add_command(_store)
main.add_command(_spark)
main.add_command(serve)

from .learn.commands import eval_command, train_command  # noqa: E402  (heavy imports stay inside)

main.add_command(eval_command)
main.add_command(train_command)

from .feeds.commands import feeds as _feeds, watch as _watch  # noqa: E402  (heavy imports stay inside)

main.add_command(_watch)
main.add_command(_feeds)

if __name__ == "__main__":
    main()
