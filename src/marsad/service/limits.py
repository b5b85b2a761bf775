"""What keeps one request from hurting the others: body size, query time, and headers.

- `BodyLimit` (ASGI): a declared Content-Length over the limit is refused before the
  body is read; a chunked body is counted as it streams and cut off at the limit.
  Both answer 413 in the error envelope. uvicorn has no body limit of its own.
- `deadline(cursor, seconds)`: DuckDB has no statement timeout, but a connection can be
  interrupted from another thread; one watchdog thread does that, and the query's
  `InterruptException` becomes a 503 `query_timeout` in the envelope.
- `SecurityHeaders` (ASGI): a strict Content-Security-Policy (scripts, styles, fonts,
  data only from this server; no inline script anywhere), no framing, no sniffing,
  no referrer. The /docs page gets the same policy with inline *styles* allowed,
  because Swagger UI sets style attributes; its script is still a file of ours.
"""
from __future__ import annotations

import contextlib
import heapq
import itertools
import threading
import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .envelope import ApiError, envelope

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")
CSP_DOCS = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
]


def too_large(limit: int) -> ApiError:
    return ApiError(413, "payload_too_large", f"The request body is larger than this server accepts "
                    f"({limit} bytes). Send less per request (e.g. fewer articles), or start the server "
                    "with a larger --max-body.", {"limit_bytes": limit})


class BodyLimit:
    def __init__(self, app: ASGIApp, max_bytes: int):
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if not declared.isdigit():
                return await envelope(400, "bad_request", "Content-Length is not a number.")(scope, receive, send)
            if int(declared) > self.max_bytes:
                err = too_large(self.max_bytes)
                return await envelope(413, err.code, err.message, err.details)(scope, receive, send)
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise too_large(self.max_bytes)
            return message

        await self.app(scope, counted, send)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, docs_paths: tuple[str, ...] = ("/docs",)):
        self.app, self.docs_paths = app, docs_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        csp = (CSP_DOCS if scope["path"] in self.docs_paths else CSP).encode()

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(b"content-security-policy", csp)] + HEADERS
                message["headers"] = list(message.get("headers", [])) + [h for h in extra if h[0] not in names]
            await send(message)

        await self.app(scope, receive, with_headers)


class QueryTimeout(ApiError):
    def __init__(self, seconds: float):
        super().__init__(503, "query_timeout", f"The query took longer than this server allows ({seconds:g} s) "
                         "and was stopped. Narrow the filters (dates, country, bounding box) or page with a "
                         "smaller limit.", {"limit_seconds": seconds}, {"Retry-After": "1"})


class _Watchdog:
    """One thread that interrupts connections whose deadline passed. (A threading.Timer per
    query started a thread per request, which cost more than a small query.)"""

    def __init__(self):
        self.cond = threading.Condition()
        self.heap: list[tuple[float, int]] = []
        self.live: dict[int, tuple[object, threading.Event]] = {}
        self.ids = itertools.count()
        self.thread: threading.Thread | None = None

    def add(self, seconds: float, connection) -> tuple[int, threading.Event]:
        fired = threading.Event()
        with self.cond:
            token = next(self.ids)
            self.live[token] = (connection, fired)
            heapq.heappush(self.heap, (time.monotonic() + seconds, token))
            if self.thread is None:
                self.thread = threading.Thread(target=self._run, name="marsad-query-deadlines", daemon=True)
                self.thread.start()
            self.cond.notify()
        return token, fired

    def cancel(self, token: int) -> None:
        with self.cond:
            self.live.pop(token, None)

    def _run(self) -> None:
        while True:
            with self.cond:
                while not self.heap:
                    self.cond.wait()
                when, token = self.heap[0]
                if token not in self.live:
                    heapq.heappop(self.heap)
                    continue
                wait = when - time.monotonic()
                if wait > 0:
                    self.cond.wait(wait)
                    continue
                heapq.heappop(self.heap)
                connection, fired = self.live.pop(token)
                fired.set()
            try:
                connection.interrupt()
            except Exception:   # closed meanwhile: the query ended just in time
                pass


_watchdog = _Watchdog()


@contextlib.contextmanager
def deadline(connection, seconds: float | None):
    """Interrupt `connection` (a DuckDB connection or cursor) if the block runs past `seconds`."""
    if not seconds:
        yield
        return
    import duckdb

    token, fired = _watchdog.add(seconds, connection)
    try:
        yield
    except duckdb.InterruptException:
        raise QueryTimeout(seconds) from None
    except duckdb.Error:
        if fired.is_set():      # an interrupt can surface as another error class mid-fetch
            raise QueryTimeout(seconds) from None
        raise
    finally:
        _watchdog.cancel(token)
