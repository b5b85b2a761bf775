"""`ReadCache` (ASGI): the answers of the read routes a dashboard asks again and again
(`GET /v1/events`, `/v1/stats`), kept as the bytes that were sent.

Sound because the store cannot change under a server without it knowing: DuckDB lets no
other process write a file while this one has it open, so a read-only server's answers hold
for its whole life (Datasette's immutable mode rests on the same fact), and a writable server
drops them all at each write of its own (`clear()`, called by POST /v1/ingest). Keyed on the
path and the raw query string; only 200 answers are kept, at most `entries` of them and none
larger than `max_bytes`, least recently used first out. Answers keep their headers, and the
security headers are added outside this middleware as for any answer.
"""
from __future__ import annotations

import threading
from collections import OrderedDict

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CACHED_PATHS = ("/v1/events", "/v1/stats")


class Answers:
    """The kept answers, shared by the middleware and the routes that write (which clear them)."""

    def __init__(self, entries: int = 256, max_bytes: int = 1 << 20):
        self.entries, self.max_bytes = entries, max_bytes
        self.store: OrderedDict[tuple[str, bytes], tuple[list, bytes]] = OrderedDict()
        self.lock = threading.Lock()
        self.generation = 0
        self.hits = self.misses = 0

    def clear(self) -> None:
        with self.lock:
            self.store.clear()
            self.generation += 1


class ReadCache:
    def __init__(self, app: ASGIApp, answers: Answers, paths=CACHED_PATHS):
        self.app, self.answers, self.paths = app, answers, frozenset(paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or scope["path"] not in self.paths:
            return await self.app(scope, receive, send)
        key = (scope["path"], scope.get("query_string", b""))
        a = self.answers
        with a.lock:
            found = a.store.get(key)
            if found is not None:
                a.store.move_to_end(key)
                a.hits += 1
            else:
                a.misses += 1
            generation = a.generation
        if found is not None:
            headers, body = found
            await send({"type": "http.response.start", "status": 200, "headers": list(headers)})
            await send({"type": "http.response.body", "body": body})
            return
        start: dict = {}
        parts: list[bytes] = []

        async def keep(message: Message) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                if not message.get("more_body") and start.get("status") == 200:
                    body = b"".join(parts)
                    if len(body) <= a.max_bytes:
                        with a.lock:
                            if generation == a.generation:      # no write happened meanwhile
                                a.store[key] = (list(start.get("headers", [])), body)
                                while len(a.store) > a.entries:
                                    a.store.popitem(last=False)
            await send(message)

        await self.app(scope, receive, keep)
