"""A polite, robust HTTP fetcher for feeds and article pages.

Built on httpx rather than urllib.request: httpx has separate connect and read timeouts, a
streamed body (so a size cap stops reading instead of filling memory), keep-alive connection
pools (fewer connections to each outlet), clear exception classes for a timeout versus a
refused connection, and redirects that can be followed one hop at a time. urllib.request has
one socket timeout, follows redirects out of sight and opens a connection per request.

Every request:
- asks robots.txt first (`urllib.robotparser`, read once per host and again after a day):
  a 4xx robots.txt allows everything, one that cannot be read (5xx, timeout, refused) allows
  nothing from that host until the next poll (RFC 9309); its Crawl-delay and Request-rate
  (whole seconds, as urllib.robotparser reads them) are honoured;
- waits its turn per host: at most `per_host` requests in flight, and `delay` seconds (or the
  Crawl-delay) between two starts;
- is bounded: connect and read timeouts, plus a deadline of `timeout` seconds for the whole
  answer checked while the body streams; a Content-Length over `max_bytes` is refused unread
  and a body that grows past it is cut off;
- is retried `retries` times with exponential backoff (and Retry-After when it asks for
  less than a minute) after a 5xx or a timeout, never after a 4xx or a refused connection;
- follows at most `max_redirects` redirects, each hop checked against robots.txt again;
- sends If-None-Match / If-Modified-Since when the caller has validators: 304 is its own kind;
- carries a clear User-Agent. A host that timed out or refused twice in one poll is not asked
  again until the next poll, so one dead outlet cannot hold the others up.

`decode(body, content_type)` turns a page into text: a BOM, else the HTTP charset, else the
page's <meta charset> / http-equiv / XML declaration, else strict UTF-8, else windows-1256
(the legacy Arabic code page, whose every byte is a character); ISO-8859-6 pages are read
by their declaration. `Lanes` runs fetches for many hosts at once, `per_host` per host.
"""
from __future__ import annotations

import codecs
import email.utils
import queue
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from urllib.parse import SplitResult, urljoin, urlsplit
from urllib.robotparser import RobotFileParser

from .config import FetchSettings

REDIRECTS = frozenset({301, 302, 303, 307, 308})
ROBOTS_TTL = 24 * 3600.0          # seconds a robots.txt is trusted
ROBOTS_MAX_BYTES = 500 * 1024     # RFC 9309: read at least 500 KiB of it
HOST_STRIKES = 2                  # timeouts / refusals after which a host rests until the next poll


@dataclass
class Response:
    """What one fetch came to. `kind`: ok | not_modified | http_error | timeout | network |
    robots | too_large | redirects | bad_url | skipped. `transient`: worth trying at a later poll."""
    url: str
    final_url: str
    kind: str = "ok"
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    content: bytes = b""
    error: str | None = None
    transient: bool = False
    attempts: int = 0

    @property
    def ok(self) -> bool:
        return self.kind == "ok"

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    def text(self) -> str:
        return decode(self.content, self.content_type)


class _Host:
    def __init__(self, per_host: int):
        self.slots = threading.Semaphore(per_host)
        self.turn = threading.Lock()
        self.next_start = 0.0
        self.last_start = 0.0
        self.robots_lock = threading.Lock()
        self.robots: RobotFileParser | None = None     # None: everything allowed
        self.robots_until = 0.0                        # monotonic time the robots answer expires
        self.robots_failure: Response | None = None    # why nothing may be fetched from here now
        self.crawl_delay = 0.0
        self.strikes = 0


class Fetcher:
    """One per watch: hosts' robots.txt, turns and strikes live here. Thread-safe."""

    def __init__(self, settings: FetchSettings, transport=None):
        import httpx

        self.settings = settings
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept-Language": "ar, *;q=0.5"},
            timeout=httpx.Timeout(settings.timeout, connect=min(settings.timeout, 10.0)),
            follow_redirects=False, transport=transport)
        self._hosts: dict[str, _Host] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def new_poll(self) -> None:
        """Forget this poll's strikes and unreadable robots.txt files: every host gets a new chance."""
        with self._lock:
            for host in self._hosts.values():
                host.strikes = 0
                if host.robots_failure is not None:
                    host.robots_failure, host.robots_until = None, 0.0

    def _host(self, parts: SplitResult) -> _Host:
        key = f"{parts.scheme}://{parts.netloc.lower()}"
        with self._lock:
            if key not in self._hosts:
                self._hosts[key] = _Host(self.settings.per_host)
            return self._hosts[key]

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Response:
        """GET `url` politely (see the module doc); never raises for what the network does."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        current = url
        for _ in range(self.settings.max_redirects + 1):
            parts = urlsplit(current)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                return Response(url, current, "bad_url", error=f"not an http(s) URL: {current}")
            host = self._host(parts)
            if host.strikes >= HOST_STRIKES:
                return Response(url, current, "skipped", transient=True,
                                error=f"{parts.netloc} timed out or refused {host.strikes} times in this poll; "
                                      "not asked again until the next poll")
            refused = self._robots(host, parts, current)
            if refused is not None:
                return replace(refused, url=url, final_url=current)
            r = self._tries(host, current, headers)
            r.url = url
            location = r.headers.get("location")
            if r.status in REDIRECTS and location:
                current = urljoin(current, location.strip())
                continue
            if r.status in REDIRECTS:
                return replace(r, kind="http_error", error=f"HTTP {r.status} without a Location header")
            return r
        return Response(url, current, "redirects", error=f"more than {self.settings.max_redirects} redirects")

    # -- robots.txt ------------------------------------------------------------------------

    def _robots(self, host: _Host, parts: SplitResult, url: str) -> Response | None:
        with host.robots_lock:
            if time.monotonic() >= host.robots_until:
                self._read_robots(host, parts)
        if host.robots_failure is not None:
            return host.robots_failure
        if host.robots is not None and not host.robots.can_fetch(self.settings.user_agent, url):
            return Response(url, url, "robots", error=f"robots.txt of {parts.netloc} does not allow it")
        return None

    def _read_robots(self, host: _Host, parts: SplitResult) -> None:
        target = f"{parts.scheme}://{parts.netloc}/robots.txt"
        for _ in range(6):                      # RFC 9309: follow at least five redirects
            r = self._tries(self._host(urlsplit(target)), target, {}, ROBOTS_MAX_BYTES)
            location = r.headers.get("location")
            if r.status in REDIRECTS and location:
                target = urljoin(target, location.strip())
                continue
            break
        now = time.monotonic()
        host.robots, host.crawl_delay, host.robots_failure = None, 0.0, None
        if r.ok:
            parser = RobotFileParser(target)
            parser.parse(decode(r.content, r.content_type).splitlines())
            host.robots = parser
            agent = self.settings.user_agent
            rate = parser.request_rate(agent)           # Request-rate: n/s means one request every s/n seconds
            host.crawl_delay = max(float(parser.crawl_delay(agent) or 0.0),
                                   rate.seconds / rate.requests if rate and rate.requests else 0.0)
            with host.turn:         # the Crawl-delay counts from the robots.txt request on
                host.next_start = max(host.next_start, host.last_start + host.crawl_delay)
            host.robots_until = now + ROBOTS_TTL
        elif (r.kind == "http_error" and r.status is not None and 400 <= r.status < 500) or r.kind == "too_large":
            host.robots_until = now + ROBOTS_TTL     # unavailable: everything is allowed
        else:
            kind = r.kind if r.kind in ("timeout", "network") else "robots"
            host.robots_failure = Response(target, target, kind, status=r.status, transient=True,
                                           error=f"robots.txt of {parts.netloc} could not be read ({r.error}); "
                                                 "nothing is fetched from this host until it can be")
            host.robots_until = float("inf")        # until new_poll()

    # -- one request, with retries ----------------------------------------------------------

    def _tries(self, host: _Host, url: str, headers: dict, max_bytes: int | None = None) -> Response:
        s = self.settings
        for attempt in range(s.retries + 1):
            r = self._once(host, url, headers, max_bytes or s.max_bytes)
            r.attempts = attempt + 1
            again = r.kind == "timeout" or (r.kind == "http_error" and r.status is not None and r.status >= 500)
            if not again or attempt == s.retries:
                break
            wait = s.backoff * 2 ** attempt * (1 + 0.1 * random.random())
            asked = retry_after(r.headers.get("retry-after"))
            if asked is not None and asked <= 60:
                wait = max(wait, asked)
            time.sleep(wait)
        host.strikes = host.strikes + 1 if r.kind in ("timeout", "network") else 0
        return r

    def _wait_turn(self, host: _Host) -> None:
        with host.turn:
            now = time.monotonic()
            start = max(now, host.next_start)
            host.last_start = start
            host.next_start = start + max(self.settings.delay, host.crawl_delay)
        if start > now:
            time.sleep(start - now)

    def _once(self, host: _Host, url: str, headers: dict, max_bytes: int) -> Response:
        import httpx

        limit = self.settings.timeout
        with host.slots:
            self._wait_turn(host)
            began = time.monotonic()
            try:
                with self.client.stream("GET", url, headers=headers) as resp:
                    h = {k.lower(): v for k, v in resp.headers.items()}
                    status = resp.status_code
                    if status == 304:
                        return Response(url, url, "not_modified", status=status, headers=h)
                    if status in REDIRECTS:
                        return Response(url, url, "redirect", status=status, headers=h)
                    if not 200 <= status < 300:
                        return Response(url, url, "http_error", status=status, headers=h,
                                        error=f"HTTP {status} {resp.reason_phrase}".rstrip(),
                                        transient=status >= 500 or status in (408, 429))
                    declared = h.get("content-length", "")
                    if declared.isdigit() and int(declared) > max_bytes:
                        return _too_large(url, status, h, max_bytes)
                    body = bytearray()
                    for chunk in resp.iter_bytes():
                        body += chunk
                        if len(body) > max_bytes:
                            return _too_large(url, status, h, max_bytes)
                        if time.monotonic() - began > limit:
                            return Response(url, url, "timeout", status=status, transient=True,
                                            error=f"timed out: the answer took longer than {limit:g} s")
                    return Response(url, url, "ok", status=status, headers=h, content=bytes(body))
            except httpx.TimeoutException as e:
                return Response(url, url, "timeout", transient=True,
                                error=f"timed out after {limit:g} s ({type(e).__name__})")
            except httpx.InvalidURL as e:
                return Response(url, url, "bad_url", error=f"invalid URL: {e}")
            except httpx.HTTPError as e:
                return Response(url, url, "network", transient=True,
                                error=f"connection failed: {e or type(e).__name__}")
            except ValueError as e:       # e.g. a URL with characters httpx cannot send
                return Response(url, url, "bad_url", error=f"invalid URL: {e}")


def _too_large(url, status, headers, max_bytes) -> Response:
    return Response(url, url, "too_large", status=status, headers=headers,
                    error=f"larger than the {max_bytes:,} bytes allowed (max_bytes)")


def retry_after(value: str | None) -> float | None:
    """Seconds a Retry-After header asks for (a number or an HTTP date), or None."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


# -- charsets ------------------------------------------------------------------------------

_HEADER_CHARSET = re.compile(r"""charset\s*=\s*["']?([^\s;"']+)""", re.I)
_META_CHARSET = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([A-Za-z0-9_:.\-]+)""", re.I)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_:.\-]+)""", re.I)
# Labels browsers accept (WHATWG Encoding) that Python's codec registry does not know.
_LABELS = {"iso-8859-6-i": "iso8859_6", "iso-8859-6-e": "iso8859_6", "iso_8859-6:1987": "iso8859_6",
           "csisolatinarabic": "iso8859_6", "ecma-114": "iso8859_6", "iso-ir-127": "iso8859_6",
           "x-cp1256": "cp1256", "windows-1256": "cp1256", "cp-1256": "cp1256"}
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def codec(label: str | None) -> str | None:
    """Python's codec for a charset label, or None when it names none."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    try:
        return codecs.lookup(_LABELS.get(label, label)).name
    except LookupError:
        return None


def declared_charsets(content: bytes, content_type: str | None) -> list[str]:
    """The codecs a page declares, in the order they count: HTTP header, then the page itself."""
    found = []
    if content_type and (m := _HEADER_CHARSET.search(content_type)):
        found.append(codec(m.group(1)))
    head = content[:4096]
    for rx in (_XML_ENCODING, _META_CHARSET):
        if m := rx.search(head):
            found.append(codec(m.group(1).decode("ascii", "replace")))
    return [c for c in dict.fromkeys(found) if c]


def decode(content: bytes, content_type: str | None = None) -> str:
    """A page's text, decoded as the module doc describes."""
    for bom, name in _BOMS:
        if content.startswith(bom):
            return content.decode(name, errors="replace")
    for name in declared_charsets(content, content_type):
        try:
            return content.decode(name)
        except UnicodeDecodeError:
            continue          # declared wrong: try what comes next
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1256", errors="replace")


# -- many hosts at once --------------------------------------------------------------------

class Lanes:
    """Run tasks for many hosts at once, at most `per_host` at a time for one host; `next()`
    returns (tag, result) as each finishes (an exception is returned, not raised)."""

    def __init__(self, per_host: int):
        self.per_host = per_host
        self._queues: dict[str, deque] = {}
        self._running: dict[str, int] = {}
        self._results: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self.outstanding = 0

    def submit(self, host: str, tag, task: Callable[[], object]) -> None:
        with self._lock:
            self.outstanding += 1
            self._queues.setdefault(host, deque()).append((tag, task))
            if self._running.get(host, 0) < self.per_host:
                self._running[host] = self._running.get(host, 0) + 1
                threading.Thread(target=self._lane, args=(host,), daemon=True,
                                 name=f"marsad-fetch-{host}").start()

    def _lane(self, host: str) -> None:
        while True:
            with self._lock:
                tasks = self._queues[host]
                if not tasks:
                    self._running[host] -= 1
                    return
                tag, task = tasks.popleft()
            try:
                result = task()
            except Exception as e:        # a bug in a task must not lose its item
                result = e
            self._results.put((tag, result))

    def next(self, timeout: float | None = None):
        """The next finished (tag, result); None when nothing is outstanding or `timeout` passed."""
        if self.outstanding == 0:
            return None
        try:
            got = self._results.get(timeout=timeout)
        except queue.Empty:
            return None
        self.outstanding -= 1
        return got


def host_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.lower()}"
