"""`ingest(paths, db)`: read articles, extract them in parallel, store them batch by batch.

    read (inputs.iter_articles) -> drop articles already stored -> worker processes run
    marsad.batch.extract.process -> completed records -> Store.write, one transaction per batch

Only this process touches the database; workers get an Article and return plain rows, so
the same extraction can run on Spark. A batch is written when it holds `batch_size`
records or `commit_every` seconds have passed, with the run's counters in the same
transaction. Killing the run at any moment therefore loses at most the uncommitted batch;
re-running skips every article already stored (by its key: content hash + URL) and does
the rest, so the database ends up exactly as after an uninterrupted run. An article that
cannot be read or extracted becomes a row of the errors table and the run goes on; it is
tried again on the next run and its error row goes once it is stored.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice

from ..batch.extract import key_of, process
from ..errors import InputError, StoreError
from ..readers import MAX_BYTES
from . import inputs
from .db import Store, input_error_row

READ_CHUNK = 64          # articles checked against the database in one query


@dataclass
class IngestReport:
    db: str
    run_id: int
    workers: int
    total: int | None = None      # articles expected (for the ETA); None when unknown
    status: str = "running"       # running | completed | interrupted | failed
    articles: int = 0             # read, including unreadable inputs
    done: int = 0                 # read and finished (skipped, failed or extracted), committed or not
    new: int = 0                  # stored by this run
    skipped: int = 0              # already stored
    events: int = 0
    errors: int = 0
    batches: int = 0              # transactions committed
    seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter, repr=False)

    @property
    def rate(self) -> float:
        elapsed = self.seconds or (time.perf_counter() - self.started)
        return self.done / elapsed if elapsed > 0 else 0.0

    def summary(self) -> str:
        return (f"{self.status}: {self.articles} articles read, {self.new} new, {self.skipped} already stored, "
                f"{self.events} events, {self.errors} errors in {self.seconds:.1f} s "
                f"({self.rate:.1f} articles/s, {self.workers} worker{'s' if self.workers != 1 else ''}); "
                f"run {self.run_id} in {self.db}")


def default_workers() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def ingest(paths: Iterable[str], db: str, workers: int | None = None, batch_size: int = 50,
           commit_every: float = 2.0, progress: Callable[[IngestReport], None] | None = None,
           pipeline=None, max_bytes: int = MAX_BYTES) -> IngestReport:
    """Extract and store every article in `paths` (files, folders, globs) into the database `db`.

    `workers`: processes extracting in parallel (default: all cores; 1 runs in this process).
    `progress` is called with the report as articles finish and batches commit.
    Ctrl-C stops cleanly: finished articles are committed and the run is marked interrupted.
    """
    paths = list(paths)
    if not paths:
        raise StoreError("E610", "No inputs: give files, folders or glob patterns of articles to ingest.")
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise StoreError("E611", f"--workers must be at least 1 (got {workers}).")
    if batch_size < 1:
        raise StoreError("E611", f"--batch-size must be at least 1 (got {batch_size}).")
    if pipeline is None:
        import marsad
        names = marsad.default_pipeline().names
    else:
        names = pipeline.names
    files = inputs.expand(paths)
    with Store(db) as store:
        run_id = store.start_run(paths, workers, ",".join(names))
        report = IngestReport(db=str(db), run_id=run_id, workers=workers, total=inputs.estimate(files))
        status, message = "failed", None
        try:
            _run(store, report, files, workers, batch_size, commit_every, progress, pipeline, max_bytes)
            status = "completed"
        except KeyboardInterrupt:
            status, message = "interrupted", "interrupted (Ctrl-C or a signal); re-run to continue"
        except BaseException as e:
            message = str(e)
            raise
        finally:
            report.seconds, report.status = time.perf_counter() - report.started, status
            store.finish_run(run_id, status, report.seconds, message)
    return report


def _run(store: Store, report: IngestReport, files, workers, batch_size, commit_every, progress, pipeline,
         max_bytes) -> None:
    items = inputs.iter_articles(files, max_bytes)
    ready: deque = deque()                  # (location, article, key) to submit
    inflight: dict[Future, tuple] = {}      # future -> (location, key, article)
    active: set[str] = set()                # keys submitted but not yet committed
    pending: list[dict] = []                # finished records not yet committed
    pending_errors: list[dict] = []
    counts = {"read": 0, "skipped": 0}      # since the last commit
    exhausted = False
    last_commit = time.monotonic()
    capacity = 4 * workers

    def flush():
        nonlocal pending, pending_errors, last_commit
        written = store.write(pending, report.run_id, pending_errors, read=counts["read"],
                              skipped=counts["skipped"])
        for rec in pending:
            active.discard(rec["key"])
        pending, pending_errors, last_commit = [], [], time.monotonic()
        counts["read"] = counts["skipped"] = 0
        report.new += written.new
        report.skipped += written.skipped
        report.events += written.events
        report.errors += written.errors
        report.batches += 1

    def tick():
        if progress is not None:
            progress(report)

    executor = _executor(workers, pipeline)
    try:
        while True:
            if not exhausted and len(ready) + len(inflight) < capacity:
                chunk = list(islice(items, READ_CHUNK))
                exhausted = not chunk
                _admit(chunk, store, ready, active, pending_errors, counts, report)
            broken = False
            while ready and len(inflight) < capacity:
                location, article, key = ready[0]
                try:
                    inflight[executor.submit(_work, article)] = (location, key, article)
                except BrokenProcessPool:
                    broken = True
                    break
                ready.popleft()
            if inflight:
                done, _ = wait(inflight, timeout=commit_every, return_when=FIRST_COMPLETED)
                if broken or any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                    # A worker died (a crash in native code, the OOM killer): find the article at fault.
                    finished = {f: v for f, v in inflight.items() if f.done() and f.exception() is None}
                    suspects = [v for f, v in inflight.items() if f not in finished]
                    records = [_result(f, key, art) | {"location": loc} for f, (loc, key, art) in finished.items()]
                    inflight.clear()
                    isolated, executor = _isolate(suspects, executor, workers, pipeline)
                    records += isolated
                    pending.extend(records)
                    report.done += len(records)
                    done = ()
                for fut in done:
                    location, key, article = inflight.pop(fut)
                    pending.append(_result(fut, key, article) | {"location": location})
                    report.done += 1
            elif broken:              # the pool died with nothing in flight (a worker killed while idle)
                _stop(executor)
                executor = _executor(workers, pipeline)
            elif exhausted and not ready:
                break
            if len(pending) >= batch_size or (time.monotonic() - last_commit >= commit_every
                                              and (pending or pending_errors or counts["read"])):
                flush()
            tick()
        if pending or pending_errors or counts["read"]:
            flush()
        tick()
        executor.shutdown(wait=True)
    except BaseException:
        _stop(executor)
        # Finished records are whole: keep them (a second Ctrl-C during this write rolls it back).
        if pending or pending_errors or counts["read"]:
            flush()
        raise


def _admit(chunk, store, ready, active, pending_errors, counts, report) -> None:
    """Queue the articles of a chunk that are not stored yet; count the rest as done."""
    keys = {id(item): key_of(item) for _, item in chunk if not isinstance(item, InputError)}
    stored = store.existing(list(keys.values()))
    for location, item in chunk:
        counts["read"] += 1
        report.articles += 1
        if isinstance(item, InputError):
            pending_errors.append(input_error_row(item.where, item))
            report.done += 1
            continue
        key = keys[id(item)]
        if key in stored or key in active:
            counts["skipped"] += 1
            report.done += 1
            continue
        active.add(key)
        ready.append((location, item, key))


def _result(fut: Future, key: str, article) -> dict:
    try:
        return fut.result()
    except Exception as e:      # e.g. a result that could not be sent back from the worker
        return {"key": key, "article": {"article_id": article.id}, "tables": {},
                "error": {"code": "E620", "message": f"{type(e).__name__}: {e}", "detail": None}}


def _isolate(suspects, executor, workers, pipeline):
    """Run each article that was in flight when a worker died alone in a fresh pool: the ones
    that kill their worker again become error records, the others are extracted as usual."""
    records = []
    _stop(executor)
    executor = _executor(workers, pipeline)
    for location, key, article in suspects:
        fut = executor.submit(_work, article)
        try:
            rec = fut.result()
        except BrokenProcessPool:
            _stop(executor)
            executor = _executor(workers, pipeline)
            rec = {"key": key, "article": {"article_id": article.id}, "tables": {},
                   "error": {"code": "E622", "message": "the worker process extracting this article died "
                             "(a crash in native code, or out of memory)", "detail": None}}
        except Exception as e:
            rec = {"key": key, "article": {"article_id": article.id}, "tables": {},
                   "error": {"code": "E620", "message": f"{type(e).__name__}: {e}", "detail": None}}
        records.append(rec | {"location": location})
    return records, executor


# -- workers ---------------------------------------------------------------------------------

_PIPELINE = None


def _work(article, pipeline=None):
    return process(article, pipeline or _PIPELINE)


def _init_worker(pipeline, parent_pid: int) -> None:
    global _PIPELINE
    _PIPELINE = pipeline
    # Ctrl-C goes to the whole process group: the parent decides what to do with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent_pid, os.getppid()), daemon=True).start()


def _exit_with_parent(parent_pid: int, ppid: int) -> None:
    # A parent killed with SIGKILL cannot tell its workers; they notice here and leave.
    while True:
        time.sleep(0.5)
        if os.getppid() != ppid:
            os._exit(1)
        try:
            os.kill(parent_pid, 0)
        except ProcessLookupError:
            os._exit(1)
        except PermissionError:
            pass


class _Inline:
    """workers=1: extract in this process (no start-up cost, easy to debug and profile)."""

    def __init__(self, pipeline):
        self.pipeline = pipeline

    def submit(self, fn, *args) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, pipeline=self.pipeline))
        except Exception as e:
            fut.set_exception(e)
        return fut

    def shutdown(self, wait=True, cancel_futures=False) -> None:
        pass


def _executor(workers: int, pipeline):
    if workers == 1:
        return _Inline(pipeline)
    # spawn: workers start clean, with no copy of the parent's open database or threads.
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(pipeline, os.getpid()))


def _stop(executor) -> None:
    if isinstance(executor, _Inline):
        return
    processes = list((getattr(executor, "_processes", None) or {}).values())
    executor.shutdown(wait=False, cancel_futures=True)
    for p in processes:
        try:
            p.kill()
        except Exception:
            pass
