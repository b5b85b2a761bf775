"""Worker processes with a deadline per task: `DeadlinePool`.

Each worker is a process that runs one task at a time, so the parent knows when every task
started; a task still running at its deadline has its worker killed (SIGKILL) and replaced,
and its future fails with `TaskTimeout`. The work really stops: a thread cannot be stopped
in Python (the API's extractions used to run on after their 504), and a
`ProcessPoolExecutor` cannot kill one task without breaking the whole pool. A worker that
dies (a crash in native code, the OOM killer) fails its task with `WorkerDied` and is
replaced too; the other workers and their tasks are untouched.

    pool = DeadlinePool(workers=2, timeout=30.0, initializer=load_models)
    fut = pool.submit(process, article)      # a concurrent.futures.Future
    fut.result()                             # the record, or TaskTimeout / WorkerDied
    pool.shutdown()

Workers are started with "spawn" (no copy of the parent's threads or open database), run
the initializer, say they are ready, and only then get tasks: model loading never counts
against a task's deadline. One dispatcher thread in the parent sends tasks, collects
results and watches deadlines and deaths. Written here because the standard library has no
pool with per-task deadlines; `pebble` has one but is LGPL and would be a dependency for
these 150 lines.
"""
from __future__ import annotations

import collections
import contextlib
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
import time
from concurrent.futures import Future
from typing import Any, Callable

from ..errors import MarsadError


class TaskTimeout(MarsadError):
    def __init__(self, seconds: float):
        super().__init__("E623", f"extraction took longer than {seconds:g} s (the per-article deadline, "
                         "--article-timeout) and its worker was stopped. The text is probably pathological "
                         "(one huge line, a flood of one word); split it, or raise --article-timeout.")
        self.seconds = seconds


class WorkerDied(MarsadError):
    def __init__(self, exitcode):
        super().__init__("E622", f"the worker process extracting this article died (exit code {exitcode}: a "
                         "crash in native code, or out of memory).")


class _Deadline(BaseException):
    """Raised in the main thread by SIGALRM; a BaseException so no `except Exception` in a stage swallows it."""


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Stop the block with TaskTimeout after `seconds`, for work run in this process (`marsad extract`,
    `marsad ingest --workers 1`, and inside each pool worker before its hard deadline). SIGALRM
    interrupts the block at its next Python instruction; a no-op without a limit, off the main thread,
    or where the platform has no SIGALRM."""
    if not seconds or seconds <= 0 or threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return

    def fire(signum, frame):
        raise _Deadline

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Deadline:
        raise TaskTimeout(seconds) from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


# Past its own deadline a task gets this long to stop by itself (time_limit) before its worker is killed.
GRACE_S = 2.0


def _worker_main(conn, initializer, initargs) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)     # Ctrl-C is the parent's to handle
    parent = os.getppid()
    try:
        if initializer is not None:
            initializer(*initargs)
        conn.send(("ready", None))
        while True:
            if not conn.poll(0.5):
                if os.getppid() != parent:           # the parent died (even by SIGKILL): leave
                    return
                continue
            msg = conn.recv()
            if msg is None:
                return
            fn, args = msg
            try:
                conn.send(("ok", fn(*args)))
            except BaseException as e:                # the task's own error, sent back to its future
                try:
                    conn.send(("error", e))
                except Exception:
                    conn.send(("error", RuntimeError(f"{type(e).__name__}: {e}")))
    except (EOFError, OSError, KeyboardInterrupt):
        return


class _Worker:
    __slots__ = ("process", "conn", "ready", "task", "deadline")

    def __init__(self, ctx, initializer, initargs):
        self.conn, child = ctx.Pipe()
        self.process = ctx.Process(target=_worker_main, args=(child, initializer, initargs), daemon=True,
                                   name="marsad-worker")
        self.process.start()
        child.close()
        self.ready = False
        self.task: tuple[Future, Callable, tuple] | None = None
        self.deadline = 0.0

    def kill(self) -> None:
        try:
            self.process.kill()
        except Exception:
            pass
        self.process.join(5)
        self.conn.close()


class DeadlinePool:
    def __init__(self, workers: int, timeout: float | None = None, initializer: Callable | None = None,
                 initargs: tuple = ()):
        if workers < 1:
            raise ValueError("workers must be at least 1")
        self.timeout = timeout if timeout and timeout > 0 else None
        self._ctx = multiprocessing.get_context("spawn")
        self._init = (initializer, initargs)
        self._lock = threading.Lock()
        self._queue: collections.deque = collections.deque()
        self._wake_r, self._wake_w = self._ctx.Pipe(duplex=False)
        self._closed = False
        self._workers = [_Worker(self._ctx, *self._init) for _ in range(workers)]
        self._thread = threading.Thread(target=self._run, name="marsad-pool", daemon=True)
        self._thread.start()

    # -- the caller's side ---------------------------------------------------------------------
    def submit(self, fn: Callable, *args: Any) -> Future:
        fut: Future = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool is shut down")
            self._queue.append((fut, fn, args))
        self._wake()
        return fut

    @property
    def busy(self) -> int:
        """Tasks running or waiting for a worker."""
        with self._lock:
            return len(self._queue) + sum(1 for w in self._workers if w.task is not None)

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return [w.process.pid for w in self._workers]

    def shutdown(self, wait: bool = True, cancel_futures: bool = True) -> None:
        with self._lock:
            if self._closed:
                return
            self._closed = True
            queued, self._queue = list(self._queue), collections.deque()
        for fut, _, _ in queued:
            fut.cancel()
        self._wake()
        if wait:
            self._thread.join(10)

    def __enter__(self) -> "DeadlinePool":
        return self

    def __exit__(self, *exc) -> None:
        self.shutdown()

    # -- the dispatcher thread -----------------------------------------------------------------
    def _wake(self) -> None:
        try:
            self._wake_w.send_bytes(b"")
        except OSError:
            pass

    def _run(self) -> None:
        try:
            while True:
                with self._lock:
                    if self._closed:
                        break
                    self._dispatch()
                    busy = [w for w in self._workers if w.task is not None]
                    waiting = [w for w in self._workers if not w.ready]
                timeout = None
                if busy and self.timeout:
                    timeout = max(0.0, min(w.deadline for w in busy) - time.monotonic())
                watched = {self._wake_r: None}
                for w in busy + waiting:
                    watched[w.conn] = w
                    watched[w.process.sentinel] = w
                for obj in multiprocessing.connection.wait(list(watched), timeout):
                    if obj is self._wake_r:
                        while self._wake_r.poll():
                            self._wake_r.recv_bytes()
                        continue
                    w = watched[obj]
                    with self._lock:
                        if w in self._workers:
                            self._receive(w, from_conn=obj is w.conn)
                with self._lock:
                    now = time.monotonic()
                    for w in list(self._workers):
                        if w.task is not None and self.timeout and now >= w.deadline:
                            self._replace(w, TaskTimeout(self.timeout))
        finally:
            with self._lock:
                for w in self._workers:
                    if w.task is not None:
                        w.task[0].cancel() or _fail(w.task[0], RuntimeError("the pool was shut down"))
                        w.task = None
                    try:
                        w.conn.send(None)
                    except OSError:
                        pass
                workers = list(self._workers)
            for w in workers:
                w.process.join(1)
                if w.process.is_alive():
                    w.kill()

    def _dispatch(self) -> None:
        for w in self._workers:
            if not self._queue:
                return
            if w.ready and w.task is None:
                fut, fn, args = self._queue.popleft()
                if not fut.set_running_or_notify_cancel():
                    continue
                try:
                    w.conn.send((fn, args))
                except Exception as e:        # an argument that does not pickle, or a dead pipe
                    _fail(fut, e)
                    if not w.process.is_alive():
                        self._replace(w, None)
                    continue
                w.task = (fut, fn, args)
                w.deadline = time.monotonic() + (self.timeout or 0)

    def _receive(self, w: _Worker, from_conn: bool) -> None:
        try:
            if not from_conn and not w.conn.poll():
                raise EOFError
            kind, value = w.conn.recv()
        except (EOFError, OSError):
            w.process.join(1)
            self._replace(w, WorkerDied(w.process.exitcode))
            return
        except Exception as e:                  # a result or an exception that does not unpickle here
            kind, value = "error", RuntimeError(f"the worker's answer could not be read: {type(e).__name__}: {e}")
        if kind == "ready":
            w.ready = True
            return
        if w.task is None:
            return
        fut = w.task[0]
        w.task = None
        if kind == "ok":
            fut.set_result(value)
        else:
            _fail(fut, value)

    def _replace(self, w: _Worker, error: BaseException | None) -> None:
        """Kill a worker (past its deadline, or dead already), fail its task, start another in its place."""
        task, w.task = w.task, None
        w.kill()
        i = self._workers.index(w)
        self._workers[i] = _Worker(self._ctx, *self._init)
        if task is not None and error is not None:       # after the replacement: the caller sees a whole pool
            _fail(task[0], error)


def _fail(fut: Future, error: BaseException) -> None:
    if not fut.done():
        fut.set_exception(error)
