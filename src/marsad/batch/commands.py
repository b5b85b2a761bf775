"""`marsad spark run`: the pipeline on Apache Spark (marsad.batch.spark), writing Parquet tables."""
from __future__ import annotations

import sys

import click


@click.group()
def spark():
    """Run the pipeline on Apache Spark (needs `pip install -e '.[spark]'` and Java 17)."""


@spark.command("run")
@click.argument("inputs", nargs=-1, required=True)
@click.option("--out", required=True, type=click.Path(file_okay=False),
              help="Folder of the Parquet tables (one per store table; those of articles partitioned by "
                   "publication month). A re-run overwrites the months its inputs hold.")
@click.option("--master", default=None,
              help="Spark master: local[*], local[2], spark://HOST:7077, yarn, k8s://... (default: the one "
                   "spark-submit gives, else local[*]).")
@click.option("--partitions", type=click.IntRange(1), default=None,
              help="Parts the inputs are cut into (default: Spark's default parallelism, at least 2).")
@click.option("--max-bytes", type=int, default=None, help="Largest article accepted, in bytes (default 10 MB).")
@click.option("--article-timeout", type=click.FloatRange(0), default=30.0, show_default=True,
              help="Seconds one article may take; past it the article is an error row (0: no limit).")
@click.option("--dedup/--no-dedup", default=True, show_default=True,
              help="Match the reports of the whole output into incidents (the store's matching).")
@click.option("--threshold", type=float, default=None,
              help="Score two reports need to be linked, between 0 and 1 (default: the model's).")
def run(inputs, out, master, partitions, max_bytes, article_timeout, dedup, threshold):
    """Extract every article of INPUTS (files, folders, globs; .txt .json .jsonl .html, gzipped or not)
    on Spark and write the store's tables as Parquet under --out.

    Load the result into a store with `marsad store import OUT --db FILE`, or serve it as it
    is with `marsad serve --parquet OUT`. A bad article is a row of the errors table.
    """
    from ..errors import MarsadError
    from ..readers import MAX_BYTES
    try:
        from . import spark as job
    except ImportError as e:
        click.echo(f"marsad: error: `marsad spark` needs pyspark ({e}): pip install -e '.[spark]'", err=True)
        sys.exit(2)
    try:
        report = job.run(inputs, out, master=master, partitions=partitions, max_bytes=max_bytes or MAX_BYTES,
                         article_timeout=article_timeout or None, dedup=dedup, threshold=threshold)
    except MarsadError as e:
        click.echo(f"marsad: error: {e.message}", err=True)
        sys.exit(2)
    click.echo(f"marsad spark run: {report.summary()}", err=True)
    if report.errors:
        click.echo(f"  errors: marsad store import {out} --db FILE, then marsad query --db FILE --sql "
                   "\"SELECT location, message FROM errors\"", err=True)
        sys.exit(2)
