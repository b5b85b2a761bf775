"""`ingest(paths, db)`: read articles, extract them in parallel, store them batch by batch.

    read (inputs.iter_articles) -> drop articles already stored -> worker processes run
    marsad.batch.extract.process -> completed records -> Store.write, one transaction per batch

Only this process touches the database; workers get an Article and return plain rows, so
the same extraction can run on Spark. A batch is written when it holds `batch_size`
records or `commit_every` seconds have passed since the last one and something finished
(never an empty batch), with the run's counters in the same transaction. Killing the run at any moment therefore loses at most the uncommitted batch;
re-running skips every article already stored (by its key: content hash + URL) and does
the rest, so the database ends up exactly as after an uninterrupted run. An article that
cannot be read or extracted becomes a row of the errors table and the run goes on; it is
tried again on the next run and its error row goes once it is stored. If a worker process
dies (a crash in native code, the OOM killer), only the article it was working on is
recorded as an error (E622) and the worker is replaced. An article still extracting after
`article_timeout` seconds is recorded as an error (E623) and its worker really stops: it is
interrupted from within, and killed past a short grace (`batch.pool.DeadlinePool`).

A failure of the store itself (disk full, an I/O error) ends the run: the batch in progress
is rolled back, the run row is marked `failed` with the reason, and a StoreError (E630)
says what happened in one line. Everything committed before stays readable, and the same
command run again carries on from there.
"""
from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice

from ..batch.extract import key_of, process
from ..batch import warm_up
from ..batch.pool import GRACE_S, DeadlinePool
from ..errors import InputError, StoreError
from ..readers import MAX_BYTES
from . import inputs
from .db import Store, input_error_row

READ_CHUNK = 64          # articles checked against the database in one query
ARTICLE_TIMEOUT = 30.0   # seconds one article may take (a news article takes well under one)


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
    events: int = 0               # reports stored by this run
    errors: int = 0
    batches: int = 0              # transactions committed
    incidents: int | None = None  # in the store when the run ended
    seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter, repr=False)

    @property
    def rate(self) -> float:
        elapsed = self.seconds or (time.perf_counter() - self.started)
        return self.done / elapsed if elapsed > 0 else 0.0

    def summary(self) -> str:
        incidents = f"; {self.incidents} incidents in the store" if self.incidents is not None else ""
        return (f"{self.status}: {self.articles} articles read, {self.new} new, {self.skipped} already stored, "
                f"{self.events} events, {self.errors} errors in {self.seconds:.1f} s "
                f"({self.rate:.1f} articles/s, {self.workers} worker{'s' if self.workers != 1 else ''}); "
                f"run {self.run_id} in {self.db}{incidents}")


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def default_workers() -> int:
    """One extraction worker per core but one: this process is busy too (reading, unpickling the
    records, writing them; about a tenth of the work, profiled on the corpus with its gazetteer),
    and with as many workers as cores the three processes of a 2-core machine ran slower than one
    (issue 20: 39 -> 35 articles/s). On 2 cores that is 1 worker, in this process."""
    return max(1, cores() - 1)


def ingest(paths: Iterable[str], db: str, workers: int | None = None, batch_size: int = 50,
           commit_every: float = 2.0, progress: Callable[[IngestReport], None] | None = None,
           pipeline=None, max_bytes: int = MAX_BYTES, article_timeout: float | None = ARTICLE_TIMEOUT,
           dedup: bool = True) -> IngestReport:
    """Extract and store every article in `paths` (files, folders, globs) into the database `db`.

    `workers`: processes extracting in parallel (default: `default_workers()`, the cores less one;
    1 runs in this process).
    `progress` is called with the report as articles finish and batches commit.
    `article_timeout`: seconds one article may take before it is an error (None or 0: no limit).
    Ctrl-C stops cleanly: finished articles are committed and the run is marked interrupted.
    `dedup`: merge each batch's reports into the incidents in the transaction that stores it
    (False leaves them for `dedup()`, as `--no-dedup` does).
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
    with Store(db, dedup=dedup) as store:
        run = Run(store, paths, workers, batch_size, commit_every, progress, pipeline, names,
                  total=inputs.estimate(files), article_timeout=article_timeout)
        status, message = "failed", None
        try:
            run.add(inputs.iter_articles(files, max_bytes))
            status = "completed"
        except KeyboardInterrupt:
            status, message = "interrupted", "interrupted (Ctrl-C or a signal); re-run to continue"
        except StoreError as e:
            message = e.message
            raise
        except BaseException as e:
            message = str(e)
            raise
        finally:
            run.finish(status, message)
            with contextlib.suppress(Exception):       # a store that failed cannot count them
                run.report.incidents = store.count("incidents")
    return run.report


class Run:
    """One ingest run (a row of `runs`) into an open Store, fed by its caller: `ingest` gives it the
    articles of files; `marsad watch` (marsad.feeds) the pages of feed items as they arrive. Each
    `add` extracts and stores its (location, Article | InputError) pairs with every guarantee
    described above (batches in one transaction each, articles already stored skipped, failures
    to the errors table); `finish` closes the run."""

    def __init__(self, store: Store, inputs: Iterable[str], workers: int = 1, batch_size: int = 50,
                 commit_every: float = 2.0, progress: Callable[[IngestReport], None] | None = None,
                 pipeline=None, names: Iterable[str] | None = None, total: int | None = None,
                 article_timeout: float | None = ARTICLE_TIMEOUT):
        if names is None:
            import marsad
            names = (pipeline or marsad.default_pipeline()).names
        self.store, self.pipeline, self.progress = store, pipeline, progress
        self.article_timeout = article_timeout
        self.workers, self.batch_size, self.commit_every = workers, batch_size, commit_every
        run_id = store.start_run(list(inputs), workers, ",".join(names))
        self.report = IngestReport(db=store.path, run_id=run_id, workers=workers, total=total)

    def add(self, items: Iterable[tuple[str, object]]) -> IngestReport:
        _Run(self.store, self.report, self.workers, self.batch_size, self.commit_every, self.progress,
             self.pipeline, self.article_timeout).execute(iter(items))
        return self.report

    def finish(self, status: str = "completed", message: str | None = None) -> IngestReport:
        r = self.report
        r.seconds, r.status = time.perf_counter() - r.started, status
        _finish(self.store, self.store.path, r.run_id, status, r.seconds, message)
        return r


def _finish(store: Store, db, run_id: int, status: str, seconds: float, message: str | None) -> None:
    """Record how the run ended, even after a store failure: on a fresh connection if the old one
    is unusable, and if the disk refuses even that, the next run marks this one interrupted."""
    try:
        store.finish_run(run_id, status, seconds, message)
        return
    except Exception:
        pass
    try:
        store.close()
    except Exception:
        pass
    try:
        with Store(db) as again:
            again.finish_run(run_id, status, seconds, message)
    except Exception:
        pass


class _Run:
    """The moving parts of one run: articles read, in flight, finished and committed."""

    def __init__(self, store: Store, report: IngestReport, workers: int, batch_size: int, commit_every: float,
                 progress, pipeline, article_timeout: float | None = None):
        self.store, self.report, self.progress, self.pipeline = store, report, progress, pipeline
        self.article_timeout = article_timeout
        self.workers, self.batch_size, self.commit_every = workers, batch_size, commit_every
        self.capacity = 4 * workers             # articles in flight: enough to keep every worker busy
        self.ready: deque = deque()             # (location, article, key) to submit
        self.inflight: dict[Future, tuple] = {}  # future -> (location, key, article)
        self.active: set[str] = set()           # keys submitted but not yet committed
        self.pending: list[dict] = []           # finished records not yet committed
        self.pending_errors: list[dict] = []    # unreadable inputs not yet committed
        self.read = self.skipped = 0            # counted since the last commit
        self.last_commit = time.monotonic()
        self.executor = None

    def execute(self, items) -> None:
        self.executor = _executor(self.workers, self.pipeline, self.article_timeout)
        try:
            exhausted = False
            while True:
                if not exhausted and len(self.ready) + len(self.inflight) < self.capacity:
                    chunk = list(islice(items, READ_CHUNK))
                    exhausted = not chunk
                    self._admit(chunk)
                broken = self._submit()
                if self.inflight:
                    self._collect(broken)
                elif broken:          # the pool died with nothing in flight (a worker killed while idle)
                    self._restart()
                elif exhausted and not self.ready:
                    break
                if self._due():
                    self._flush()
                self._tick()
            self._flush()
            self._tick()
            self.executor.shutdown(wait=True)
        except BaseException as e:
            _stop(self.executor)
            if not (isinstance(e, StoreError) and e.code == "E630"):     # the store itself failed: stop there
                # Finished records are whole: keep them (a second Ctrl-C during this write rolls it back).
                self._flush()
            raise

    def _admit(self, chunk) -> None:
        """Queue the articles of a chunk that are not stored yet; count the rest as done."""
        keys = {id(item): key_of(item) for _, item in chunk if not isinstance(item, InputError)}
        stored = self.store.existing(list(keys.values()))
        for location, item in chunk:
            self.read += 1
            self.report.articles += 1
            if isinstance(item, InputError):
                self.pending_errors.append(input_error_row(item.where, item))
                self.report.done += 1
                continue
            key = keys[id(item)]
            if key in stored or key in self.active:
                self.skipped += 1
                self.report.done += 1
                continue
            self.active.add(key)
            self.ready.append((location, item, key))

    def _submit(self) -> bool:
        """Fill the workers; True if the pool turned out to be broken."""
        while self.ready and len(self.inflight) < self.capacity:
            location, article, key = self.ready[0]
            try:
                self.inflight[self.executor.submit(_work, article)] = (location, key, article)
            except BrokenProcessPool:
                return True
            self.ready.popleft()
        return False

    def _collect(self, broken: bool) -> None:
        done, _ = wait(self.inflight, timeout=self.commit_every, return_when=FIRST_COMPLETED)
        if broken or any(isinstance(f.exception(), BrokenProcessPool) for f in done):
            self._recover()
            return
        for fut in done:
            location, key, article = self.inflight.pop(fut)
            self._finished(_result(fut, key, article), location)

    def _recover(self) -> None:
        """A worker died (a crash in native code, the OOM killer): run each article that was in
        flight alone in a fresh pool; the one that kills its worker again becomes an error."""
        suspects = []
        for fut, (location, key, article) in self.inflight.items():
            if fut.done() and fut.exception() is None:
                self._finished(fut.result(), location)
            else:
                suspects.append((location, key, article))
        self.inflight.clear()
        self._restart()
        for location, key, article in suspects:
            try:
                rec = self.executor.submit(_work, article).result()
            except BrokenProcessPool:
                self._restart()
                rec = _failed(key, article, "E622", "the worker process extracting this article died "
                                                    "(a crash in native code, or out of memory)")
            except Exception as e:
                rec = _failed(key, article, "E620", f"{type(e).__name__}: {e}")
            self._finished(rec, location)

    def _restart(self) -> None:
        _stop(self.executor)
        self.executor = _executor(self.workers, self.pipeline, self.article_timeout)

    def _finished(self, record: dict, location: str) -> None:
        self.pending.append(record | {"location": location})
        self.report.done += 1

    def _due(self) -> bool:
        """A batch is due when it is full, or when something finished and `commit_every` seconds
        passed since the last commit. Articles read but still in flight (or only skipped) are no
        reason to commit: their counters go with the next batch, or with the run's last commit."""
        if not (self.pending or self.pending_errors):
            return False
        return len(self.pending) >= self.batch_size or time.monotonic() - self.last_commit >= self.commit_every

    def _flush(self) -> None:
        if not (self.pending or self.pending_errors or self.read):
            return
        written = self.store.write(self.pending, self.report.run_id, self.pending_errors, read=self.read,
                                   skipped=self.skipped)
        for rec in self.pending:
            self.active.discard(rec["key"])
        self.pending, self.pending_errors, self.read, self.skipped = [], [], 0, 0
        self.last_commit = time.monotonic()
        r = self.report
        r.new, r.skipped, r.events = r.new + written.new, r.skipped + written.skipped, r.events + written.events
        r.errors, r.batches = r.errors + written.errors, r.batches + 1

    def _tick(self) -> None:
        if self.progress is not None:
            self.progress(self.report)


def _result(fut: Future, key: str, article) -> dict:
    try:
        return fut.result()
    except Exception as e:      # past the deadline (E623), a dead worker (E622), a result that did not pickle
        code = getattr(e, "code", None)
        return _failed(key, article, code or "E620", getattr(e, "message", None) or f"{type(e).__name__}: {e}")


def _failed(key: str, article, code: str, message: str) -> dict:
    return {"key": key, "article": {"article_id": article.id}, "tables": {},
            "error": {"code": code, "message": message, "detail": None}}


# -- workers ---------------------------------------------------------------------------------

_PIPELINE = None
_TIMEOUT = None


def _work(article, pipeline=None, timeout=None):
    return process(article, pipeline or _PIPELINE, timeout or _TIMEOUT)


def _init_worker(pipeline, parent_pid: int, timeout: float | None = None) -> None:
    global _PIPELINE, _TIMEOUT
    _PIPELINE, _TIMEOUT = pipeline, timeout
    # Ctrl-C goes to the whole process group: the parent decides what to do with it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_with_parent, args=(parent_pid, os.getppid()), daemon=True).start()
    if timeout:                     # (watched already: a parent killed meanwhile is noticed)
        warm_up(pipeline)           # models load before the first article's deadline starts


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

    def __init__(self, pipeline, timeout: float | None = None):
        self.pipeline, self.timeout = pipeline, timeout
        if timeout:
            warm_up(pipeline)

    def submit(self, fn, *args) -> Future:
        fut: Future = Future()
        try:
            fut.set_result(fn(*args, pipeline=self.pipeline, timeout=self.timeout))
        except Exception as e:
            fut.set_exception(e)
        return fut

    def shutdown(self, wait=True, cancel_futures=False) -> None:
        pass


def _executor(workers: int, pipeline, timeout: float | None = None):
    if workers == 1:
        return _Inline(pipeline, timeout)
    # spawn: workers start clean, with no copy of the parent's open database or threads. Each runs one
    # article at a time: past its deadline (plus a grace to stop by itself) the worker is killed.
    return DeadlinePool(workers, timeout + GRACE_S if timeout else None, initializer=_init_worker,
                        initargs=(pipeline, os.getpid(), timeout))


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
