"""`marsad spark run`: the store's pipeline on Apache Spark, written as Parquet tables.

The only module that imports pyspark (`pip install -e '.[spark]'`, and Java 17). The job does
what `marsad ingest` does, with Spark doing the work:

1. **Read.** The driver expands the inputs as `marsad ingest` does (files, folders, globs,
   gzipped or not: `store.inputs`) and cuts each plain JSON Lines file into parts of whole
   lines at byte offsets (one pass over its bytes); a gzipped file or any other file is one
   part. Executors read their parts with the store's own reader, so an article's location
   (`file:line`) and every input error are those `marsad ingest` records. The paths must be
   readable under the same names on every worker (a shared file system).
2. **Extract.** Each partition runs `marsad.batch.extract.process`, the pure per-article step,
   with a pipeline built once per Python worker (`mapPartitions`); a bad article is an error
   record, never a failed task. The same article twice (same text and URL) is kept once, from
   its first place in the inputs, as the store keeps it.
3. **Write.** Each record's rows become rows of the store's tables, with the store's columns
   and types (`store.parquet.columns`: read from the schema, not written out again) and each
   value checked as the store would (a row it would refuse makes the article an E621 error
   row). Each table is written as Parquet partitioned by the article's publication month,
   replacing only the months this run holds (dynamic partition overwrite), one file per
   month sorted by the table's key (the files are written by each task with pyarrow and moved into
   place once the job has succeeded: see "writing" below): running the job again over the same
   inputs gives the same rows and changes nothing.
4. **Deduplicate.** Every report of the output (all months, so a run over new months matches
   them with the old) is grouped by its blocking key (`match_keys.block`: country and event
   family), and each group is matched and clustered by the store's own code
   (`store.incidents.cluster_block`, `incident_rows`: the `marsad.dedup` model and clustering),
   which is a function of the set of reports alone. So the incidents, their members and ids
   are those `marsad ingest` stores for the same articles. They are written whole.

`marsad store import OUT --db FILE` loads the output into a store file, and `marsad serve
--parquet OUT` serves it in place (`marsad.store.parquet`).
"""
from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import date as Date
from pathlib import Path
from typing import Any, Iterable, Iterator

from ..errors import InputError, MarsadError
from ..readers import MAX_BYTES
from ..store import inputs, parquet

# Columns each table is sorted by inside its files (its key in the store).
SORT = {"articles": ("article_key",), "errors": ("error_key",), "events": ("event_id",),
        "event_sources": ("event_id", "article_key"), "layers": ("article_key", "layer"),
        "match_keys": ("event_id",), "dedup_links": ("a", "b"), "incident_reports": ("event_id",),
        "incidents": ("incident_id",), "dedup_state": ("key",)}
LINES_PER_PART = 2000       # the most lines of a JSON Lines file one task reads


@dataclass
class SparkReport:
    out: str
    master: str
    partitions: int
    articles: int = 0           # read, unreadable inputs included
    stored: int = 0             # articles with rows (distinct)
    events: int = 0
    errors: int = 0
    incidents: int | None = None
    session_seconds: float = 0.0    # starting Spark (the JVM and its context)
    seconds: float = 0.0            # the job, without the session start-up
    phases: dict[str, float] = field(default_factory=dict)     # seconds: extract, write, dedup

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds > 0 else 0.0

    def summary(self) -> str:
        incidents = f", {self.incidents} incidents" if self.incidents is not None else ""
        return (f"{self.articles} articles read, {self.stored} stored, {self.events} events, {self.errors} errors"
                f"{incidents} in {self.seconds:.1f} s ({self.rate:.1f} articles/s on {self.master}, "
                f"{self.partitions} partitions; Spark started in {self.session_seconds:.1f} s); {self.out}")


# -- the session ---------------------------------------------------------------------------------

def session(master: str | None = None, partitions: int | None = None, app: str = "marsad"):
    """A SparkSession for the job: `master` as given (None: the one spark-submit set, else local[*]),
    the settings the job relies on, and a message naming Java 17 if the JVM cannot start."""
    from pyspark.sql import SparkSession

    # Local workers run this interpreter (the one with marsad and its dependencies installed).
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    builder = SparkSession.builder.appName(app)
    if master:
        builder = builder.master(master)
    elif not os.environ.get("SPARK_MASTER") and "spark.master" not in _submitted():
        builder = builder.master("local[*]")
    builder = (builder.config("spark.sql.sources.partitionOverwriteMode", "dynamic")
               .config("spark.ui.showConsoleProgress", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.python.worker.reuse", "true"))
    if partitions:
        builder = builder.config("spark.sql.shuffle.partitions", str(partitions))
    if os.environ.get("MARSAD_DATA"):
        builder = builder.config("spark.executorEnv.MARSAD_DATA", os.environ["MARSAD_DATA"])
    try:
        spark = builder.getOrCreate()
    except Exception as e:      # PySparkRuntimeError [JAVA_GATEWAY_EXITED] and the like
        raise MarsadError("E660", f"Spark did not start ({type(e).__name__}: {_first_line(e)}). It needs Java 17 "
                          "(Debian: `apt-get install openjdk-17-jre-headless`) and JAVA_HOME or `java` on the "
                          "PATH.") from None
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def _submitted() -> str:
    return os.environ.get("PYSPARK_SUBMIT_ARGS", "") + " ".join(sys.argv)


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


# -- reading -------------------------------------------------------------------------------------

def plan(paths: Iterable[str], partitions: int) -> list[tuple]:
    """The parts the inputs are read in: (kind, path, offset, line, lines); kind 'lines' is a run of
    lines of a plain JSON Lines file, 'file' a whole file, 'error' an input that does not exist."""
    files = inputs.expand(paths)
    whole: list[tuple] = []
    jsonl: list[tuple[str, int, list]] = []
    for f in files:
        if isinstance(f, InputError):
            whole.append(("error", f.where, 0, 0, f.message, f.code))
        elif f == "-":
            raise MarsadError("E661", "`marsad spark run` cannot read standard input: give files, folders or globs.")
        elif inputs._suffix(Path(f)) == ".jsonl" and not f.lower().endswith(".gz"):
            try:
                n, _ = inputs.line_offsets(f, 1 << 62)
            except OSError:
                whole.append(("file", f, 0, 0, None, None))
                continue
            jsonl.append((f, n, []))
        else:
            whole.append(("file", f, 0, 0, None, None))
    total = sum(n for _, n, _ in jsonl)
    every = max(1, min(LINES_PER_PART, math.ceil(total / max(1, partitions))))
    out: list[tuple] = []
    for f, n, _ in jsonl:
        if n <= every:
            out.append(("file", f, 0, 0, None, None))
            continue
        _, starts = inputs.line_offsets(f, every)
        out.extend(("lines", f, offset, line, every, None) for offset, line in starts)
    return out + whole


def _read(part: tuple, max_bytes: int) -> Iterator[tuple[str, Any]]:
    """(location, Article | InputError) for every article of one part, as `inputs.iter_articles` gives them."""
    kind, path, offset, line, lines, code = part
    if kind == "error":
        yield path, InputError(path, lines, code)
    elif kind == "lines":
        yield from ((path, item) for item in inputs._jsonl(path, max_bytes, offset, line, lines))
    else:
        yield from inputs.iter_articles([path], max_bytes)


# -- rows ------------------------------------------------------------------------------------------

_INT_RANGE = {"INTEGER": (-(1 << 31), (1 << 31) - 1), "BIGINT": (-(1 << 63), (1 << 63) - 1)}


def _value(dtype: str, v):
    """A value as the store's column of type `dtype` takes it (TypeError/ValueError otherwise)."""
    if v is None:
        return None
    if dtype.endswith("[]"):
        if not isinstance(v, (list, tuple)):
            raise TypeError(f"expected a list, got {type(v).__name__}")
        return [_value(dtype[:-2], x) for x in v]
    if dtype in ("VARCHAR", "JSON"):
        if not isinstance(v, str):
            raise TypeError(f"expected str, got {type(v).__name__}")
        return v
    if dtype in _INT_RANGE:
        if isinstance(v, float) or not isinstance(v, int):
            raise TypeError(f"expected an integer, got {type(v).__name__}")
        lo, hi = _INT_RANGE[dtype]
        if not lo <= v <= hi:
            raise OverflowError(f"{v} out of range for {dtype}")
        return int(v)
    if dtype == "DOUBLE":
        if not isinstance(v, (int, float)):
            raise TypeError(f"expected a number, got {type(v).__name__}")
        return float(v)
    if dtype == "BOOLEAN":
        if not isinstance(v, (bool, int)):
            raise TypeError(f"expected a boolean, got {type(v).__name__}")
        return bool(v)
    if dtype == "DATE":
        return v if isinstance(v, Date) else Date.fromisoformat(v)
    return v


def to_tuple(table: str, row: dict, month: str | None = None) -> tuple:
    """One row (a dict, as `extract.to_record` builds it) in the column order of its Parquet table;
    columns the table lacks are dropped, as `INSERT ... BY NAME` drops them."""
    out = tuple(_value(dtype, row.get(name)) for name, dtype in parquet.columns(table))
    return out if month is None else (*out, month)


def record_rows(record: dict, location: str) -> dict[str, list[tuple]]:
    """{table: rows} of one record from `extract.process` (articles and child tables, or its error row)."""
    from ..store.db import CHILD_TABLES, extract_error_row

    month = parquet.month_of((record.get("article") or {}).get("date"))
    if not record["error"]:
        try:
            rows = {"articles": [to_tuple("articles", record["article"], month)]}
            for table in CHILD_TABLES:
                rows[table] = [to_tuple(table, r, month) for r in record["tables"].get(table, ())]
            return rows
        except (TypeError, ValueError, OverflowError) as e:
            record = {**record, "tables": {}, "error": {"code": "E621", "message": f"cannot store: {e}",
                                                         "detail": None, "kind": "store"}}
    return {"errors": [to_tuple("errors", extract_error_row(record | {"location": location}), month)]}


_PIPELINE = None


def _pipeline(timeout: float | None):
    global _PIPELINE
    if _PIPELINE is None:
        import marsad

        from . import warm_up
        _PIPELINE = marsad.default_pipeline()
        if timeout:
            warm_up(_PIPELINE)      # models load before the first article's deadline starts
    return _PIPELINE


def extract_part(index: int, parts: Iterable[tuple], max_bytes: int, timeout: float | None
                 ) -> Iterator[tuple[str, tuple]]:
    """((month, key), (order, rows by table, 1)) for every article and input error of the parts."""
    from ..store.db import input_error_row
    from .extract import process

    for p, part in enumerate(parts):
        for i, (location, item) in enumerate(_read(part, max_bytes)):
            order = (index, p, i)
            if isinstance(item, InputError):
                row = input_error_row(item.where, item)
                yield (parquet.UNDATED, "input:" + row["error_key"]), (
                    order, {"errors": [to_tuple("errors", row, parquet.UNDATED)]}, 1)
                continue
            record = process(item, _pipeline(timeout), timeout)
            month = parquet.month_of((record.get("article") or {}).get("date"))
            yield (month, record["key"]), (order, record_rows(record, location), 1)


# -- deduplication -------------------------------------------------------------------------------

_MODEL = None


def _model():
    global _MODEL
    if _MODEL is None:
        from ..dedup.model import load
        _MODEL = load()
    return _MODEL


def match_group(items: Iterable[tuple[dict, dict]], threshold: float | None) -> Iterator[tuple[str, tuple]]:
    """The dedup rows of one block: (table, row) for its links, incident members and incidents."""
    from ..store import incidents

    model = _model()
    threshold = model.threshold if threshold is None else threshold
    keys, reports = [], {}
    for key, report in items:
        keys.append(key)
        reports[key["event_id"]] = report
    # a report's signature also reads some of its events row (incidents.EVENT_KEYS), as the store's does
    sigs = [model.sig(dict(k, **{c: reports[k["event_id"]].get(c) for c in incidents.EVENT_KEYS}))
            for k in sorted(keys, key=lambda k: k["event_id"])]
    links, groups = incidents.cluster_block(model, threshold, sigs)
    members, rows = incidents.incident_rows(groups, {s.event_id: s.article_key for s in sigs}, reports)
    for a, b, p in links:
        yield "dedup_links", to_tuple("dedup_links", {"a": a, "b": b, "p": p})
    for r in members:
        yield "incident_reports", to_tuple("incident_reports", r)
    for r in rows:
        yield "incidents", to_tuple("incidents", r)


# -- writing -------------------------------------------------------------------------------------
#
# Each task writes its own files with pyarrow (a task holds whole months, see `run`), under a staging
# folder of the output; when the job has succeeded the driver moves each month's folder into place,
# replacing the one there. That is Spark's dynamic partition overwrite, in one job for all eleven
# tables instead of one job (and one pass over the Python rows) per table: on a few cores the fixed
# cost of those jobs was most of the run. So `--out` must be a folder the driver and every worker
# see under the same path (a local disk in local mode; a shared file system on a cluster).

def arrow_schema(table: str):
    """The Arrow schema of a Parquet table: the store's columns and types (DATE as a date)."""
    import pyarrow as pa

    base = {"VARCHAR": pa.string(), "JSON": pa.string(), "INTEGER": pa.int32(), "BIGINT": pa.int64(),
            "DOUBLE": pa.float64(), "BOOLEAN": pa.bool_(), "DATE": pa.date32(), "TIMESTAMP": pa.timestamp("us")}

    def kind(dtype: str):
        return pa.list_(kind(dtype[:-2])) if dtype.endswith("[]") else base.get(dtype, pa.string())
    return pa.schema([pa.field(name, kind(dtype)) for name, dtype in parquet.columns(table)])


def write_file(table: str, rows: list[tuple], path: Path) -> int:
    """Rows (tuples in the table's column order) as one Parquet file, sorted by the table's key;
    written under a temporary name and renamed, so a file is whole or absent."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(table)
    names = schema.names
    key = [names.index(c) for c in SORT.get(table, ("article_key", "idx"))]
    rows = sorted(rows, key=lambda r: tuple(r[i] for i in key))
    columns = list(zip(*rows)) if rows else [() for _ in names]
    data = pa.Table.from_arrays([pa.array(list(c), type=f.type) for c, f in zip(columns, schema)], schema=schema)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(data, tmp)
    os.replace(tmp, path)
    return len(rows)


def write_articles(index: int, records: Iterable[tuple], staging: str) -> list[tuple]:
    """Write the article tables of one partition's records, one file per table and month; return
    ('month', month) for every month it holds and one ('counts', stored, events, errors, read)."""
    by: dict[tuple[str, str], list[tuple]] = {}
    months: set[str] = set()
    stored = events = errors = read = 0
    for _order, rows, n in records:
        read += n
        stored += len(rows.get("articles", ()))
        events += len(rows.get("events", ()))
        errors += len(rows.get("errors", ()))
        for table, table_rows in rows.items():
            for row in table_rows:
                months.add(row[-1])
                by.setdefault((table, row[-1]), []).append(row[:-1])
    for (table, month), rows in by.items():
        write_file(table, rows, Path(staging) / table / f"{parquet.PARTITION}={month}" / f"part-{index:05d}.parquet")
    return [("month", m) for m in sorted(months)] + [("counts", stored, events, errors, read)]


def write_whole(index: int, rows: Iterable[tuple[str, tuple]], staging: str) -> list[tuple[str, int]]:
    """Write one partition's (table, row) pairs of the whole tables; (table, rows) for each."""
    by: dict[str, list[tuple]] = {}
    for table, row in rows:
        by.setdefault(table, []).append(row)
    return [(table, write_file(table, trows, Path(staging) / table / f"part-{index:05d}.parquet"))
            for table, trows in by.items()]


def _move(staged: Path, final: Path) -> None:
    """Put `staged` (a folder, or nothing) where `final` is, replacing it."""
    import shutil

    if final.exists():
        shutil.rmtree(final)
    if staged.exists():
        final.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, final)


def _staging(out: Path) -> Path:
    import uuid
    return out / f"_staging-{uuid.uuid4().hex[:12]}"


def _by_month(key: tuple) -> int:
    from pyspark.rdd import portable_hash
    return portable_hash(key[0])


def _first(a: tuple, b: tuple) -> tuple:
    """Of two records of one article (or input), the one read first; with how many times it was read."""
    keep = a if a[0] <= b[0] else b
    return keep[0], keep[1], a[2] + b[2]


# -- the job -------------------------------------------------------------------------------------

def run(paths: Iterable[str], out: str | Path, master: str | None = None, partitions: int | None = None,
        max_bytes: int = MAX_BYTES, article_timeout: float | None = 30.0, dedup: bool = True,
        threshold: float | None = None, spark=None) -> SparkReport:
    """Extract every article of `paths` on Spark and write the store's tables as Parquet under `out`
    (see the module docstring). `spark`: a session to use (kept open); else one is started
    (`session(master, partitions)`) and stopped at the end."""
    import shutil

    paths = list(paths)
    if not paths:
        raise MarsadError("E610", "No inputs: give files, folders or glob patterns of articles.")
    if threshold is not None and not 0.0 < threshold < 1.0:
        raise MarsadError("E641", f"--threshold must be between 0 and 1, exclusive (got {threshold:g}).")
    out = Path(out).absolute()
    if out.exists() and not out.is_dir():
        raise MarsadError("E662", f"--out {out} is a file: give a folder (it is created if missing).")
    t0 = time.perf_counter()
    own = spark is None
    if own:
        spark = session(master, partitions)
    t1 = time.perf_counter()
    sc = spark.sparkContext
    n = partitions or max(2, sc.defaultParallelism)
    report = SparkReport(out=str(out), master=sc.master, partitions=n, session_seconds=t1 - t0)
    staging = _staging(out)
    try:
        parts = plan(paths, n)
        timeout = article_timeout or None
        where = str(staging)
        results = (sc.parallelize(parts, max(1, min(n, len(parts))))
                   .mapPartitionsWithIndex(lambda i, it: extract_part(i, it, max_bytes, timeout))
                   # One shuffle keeps each article once and brings each month into one partition.
                   .reduceByKey(_first, n, partitionFunc=_by_month)
                   .values()
                   .mapPartitionsWithIndex(lambda i, it: write_articles(i, it, where))
                   .collect())
        report.phases["extract"] = time.perf_counter() - t1
        for r in results:
            if r[0] == "counts":
                report.stored += r[1]
                report.events += r[2]
                report.errors += r[3]
                report.articles += r[4]
        for month in sorted({r[1] for r in results if r[0] == "month"}):
            for table in parquet.ARTICLE_TABLES:
                _move(staging / table / f"{parquet.PARTITION}={month}", out / table / f"{parquet.PARTITION}={month}")
        if dedup:
            t2 = time.perf_counter()
            report.incidents = deduplicate(spark, out, threshold, n)
            report.phases["dedup"] = time.perf_counter() - t2
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        report.seconds = time.perf_counter() - t1
        if own:
            spark.stop()
    return report


def deduplicate(spark, out: Path, threshold: float | None = None, partitions: int | None = None) -> int:
    """Match every report under `out` within its block and write the incidents tables (whole); the
    number of incidents."""
    import shutil

    from pyspark.sql import functions as F

    from ..store.incidents import KEY_COLUMNS, REPORT_COLUMNS

    out = Path(out)
    model = _model()
    staging = _staging(out)
    where = str(staging)
    try:
        # As a store records them after its first clustering: the model the links were made with, and the
        # threshold only when the user chose one (the model's own is not recorded as chosen).
        state = [("model", model.id)] + ([("threshold", repr(threshold))] if threshold is not None else [])
        write_file("dedup_state", [to_tuple("dedup_state", {"key": k, "value": v}) for k, v in state],
                   staging / "dedup_state" / "part-00000.parquet")
        counts: dict[str, int] = {}
        if parquet.files(out, "match_keys"):
            report_columns = [c.strip().split(".")[1] for c in REPORT_COLUMNS.split(",")
                              if c.strip().startswith("e.")]
            keys = spark.read.parquet(str(out / "match_keys")).select(
                "block", "event_id", F.struct(*KEY_COLUMNS).alias("key"))
            articles = spark.read.parquet(str(out / "articles")).select(
                "article_key", F.col("date").alias("article_date"))
            reports = (spark.read.parquet(str(out / "events")).join(articles, "article_key")
                       .select("event_id", F.struct(*report_columns, "article_date").alias("report")))
            results = (keys.join(reports, "event_id").rdd
                       .map(lambda r: (r["block"], (r["key"].asDict(), r["report"].asDict())))
                       .groupByKey(partitions)
                       .flatMap(lambda kv: match_group(kv[1], threshold))
                       .mapPartitionsWithIndex(lambda i, it: write_whole(i, it, where))
                       .collect())
            for table, rows in results:
                counts[table] = counts.get(table, 0) + rows
        for table in WHOLE:
            _move(staging / table, out / table)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return counts.get("incidents", 0)


WHOLE = ("dedup_links", "incident_reports", "incidents", "dedup_state")
