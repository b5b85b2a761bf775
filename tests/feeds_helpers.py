"""A news site on 127.0.0.1 for the feeds tests: RSS and Atom feeds and article pages built from
real corpus articles (../shared/data/arabic_conflict_news), in any charset, with conditional GET,
and routes that are slow, broken, missing or redirecting. Every request is logged."""
from __future__ import annotations

import email.utils
import hashlib
import html
import json
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import islice
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "arabic_conflict_news" / "articles.jsonl"

# How Arabic outlets write a date in their feeds ("الثلاثاء 19 مارس 2019"): test data only.
AR_MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر",
             "ديسمبر"]
AR_WEEKDAYS = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]


def corpus(every: int = 1, limit: int | None = None, where=None) -> list[dict]:
    """Corpus articles, every `every`-th one. Those whose text still holds HTML entities as the
    scraper left them ("&#8220;") are passed over: a page reads them as the characters they name."""
    with CORPUS.open(encoding="utf-8") as f:
        rows = (json.loads(line) for line in islice(f, 0, None, every))
        out = [r for r in rows if "&#" not in r["title"] + r["text"] and "&amp;" not in r["title"] + r["text"]
               and (where is None or where(r))]
    return out[:limit] if limit else out


def flat(text: str) -> str:
    """Text as compared across HTML: format characters (RLM ...) gone, runs of blanks one space,
    empty lines dropped (trafilatura does the same to a page)."""
    text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return "\n".join(" ".join(line.split()) for line in text.split("\n") if line.strip())


def published(article: dict) -> datetime:
    return datetime.fromisoformat(article["date"].replace("Z", "+00:00")).astimezone(timezone.utc)


def arabic_date(moment: datetime) -> str:
    return f"{AR_WEEKDAYS[moment.weekday()]} {moment.day} {AR_MONTHS[moment.month - 1]} {moment.year}"


def page_html(article: dict, charset: str = "utf-8", meta_charset: bool = True, canonical: str | None = None,
              date_meta: bool = True) -> str:
    paragraphs = "".join(f"<p>{html.escape(p)}</p>\n" for p in article["text"].split("\n"))
    head = [f'<meta charset="{charset}">' if meta_charset else "",
            f"<title>{html.escape(article['title'])} | {html.escape(article['source'])}</title>"]
    if canonical:
        head.append(f'<link rel="canonical" href="{html.escape(canonical)}">')
    if date_meta:
        head.append(f'<meta property="article:published_time" content="{published(article).isoformat()}">')
    return (f'<!DOCTYPE html><html lang="ar" dir="rtl"><head>{"".join(head)}</head><body>'
            '<header><nav><a href="/">الرئيسية</a> | <a href="/news">أخبار</a> | <a href="/sport">رياضة</a></nav>'
            f'</header><main><article><h1>{html.escape(article["title"])}</h1>\n{paragraphs}</article></main>'
            '<aside><h2>الأكثر قراءة</h2><ul><li><a href="/x/1">خبر آخر</a></li><li><a href="/x/2">خبر ثالث</a></li>'
            '</ul></aside><footer>جميع الحقوق محفوظة</footer></body></html>')


@dataclass
class FeedItem:
    title: str
    link: str
    guid: str | None = None
    date: str | None = None        # as the feed writes it


def rss(items: list[FeedItem], title: str = "أخبار", encoding: str = "utf-8") -> bytes:
    entries = "".join(
        f"<item><title>{escape(i.title)}</title><link>{escape(i.link)}</link>"
        + (f'<guid isPermaLink="false">{escape(i.guid)}</guid>' if i.guid else "")
        + (f"<pubDate>{escape(i.date)}</pubDate>" if i.date else "") + "</item>\n" for i in items)
    doc = (f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel><title>{escape(title)}</title>'
           f"<link>http://example.org/</link><description>{escape(title)}</description>\n{entries}</channel></rss>")
    return doc.encode(encoding)


def atom(items: list[FeedItem], title: str = "أخبار") -> bytes:
    entries = "".join(
        f'<entry><title>{escape(i.title)}</title><link rel="alternate" href="{escape(i.link, {chr(34): "&quot;"})}"/>'
        f"<id>{escape(i.guid or i.link)}</id>" + (f"<updated>{escape(i.date)}</updated>" if i.date else "")
        + "</entry>\n" for i in items)
    doc = (f'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">'
           f"<title>{escape(title)}</title><id>urn:test:{hashlib.sha1(title.encode()).hexdigest()}</id>"
           f"<updated>2019-03-19T10:00:00Z</updated>\n{entries}</feed>")
    return doc.encode("utf-8")


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0            # seconds before answering
    etag: str | None = None       # conditional GET: 304 when If-None-Match matches
    last_modified: str | None = None


@dataclass
class Hit:
    at: float                     # when the request arrived
    path: str
    headers: dict
    status: int


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass          # a client that hung up (it timed out, by design) is no test failure


class Site:
    """One host (127.0.0.1:port). `routes[path]` says what each path answers; unknown paths 404."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.hits: list[Hit] = []
        self.lock = threading.Lock()
        self.in_flight = 0
        self.most_in_flight = 0
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                site._answer(self)

            def log_message(self, *args):
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def requests(self, path: str | None = None) -> list[Hit]:
        with self.lock:
            return [h for h in self.hits if path is None or h.path == path]

    # -- content ----------------------------------------------------------------------------------

    def page(self, path: str, article: dict, charset: str = "utf-8", header_charset: bool = True, **kw) -> str:
        body = page_html(article, charset=charset, **kw).encode(charset)
        self.routes[path] = Route(body, content_type="text/html" + (f"; charset={charset}" if header_charset else ""))
        return self.url(path)

    def feed(self, path: str, items: list[FeedItem], kind: str = "rss", validators: str = "etag", **kw) -> str:
        body = rss(items, **kw) if kind == "rss" else atom(items, **kw)
        version = hashlib.sha1(body).hexdigest()[:12]
        route = Route(body, content_type="application/rss+xml" if kind == "rss" else "application/atom+xml")
        if validators in ("etag", "both"):
            route.etag = f'"{version}"'
        if validators in ("last-modified", "both"):
            route.last_modified = email.utils.formatdate(time.time() - 60 + len(items), usegmt=True)
        self.routes[path] = route
        return self.url(path)

    # -- serving ------------------------------------------------------------------------------------

    def _answer(self, h: BaseHTTPRequestHandler) -> None:
        with self.lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        arrived = time.monotonic()
        try:
            route = self.routes.get(h.path) or self.routes.get(h.path.split("?")[0])
            status = 404 if route is None else route.status
            headers = {"Content-Type": "text/plain"} if route is None else {"Content-Type": route.content_type,
                                                                             **route.headers}
            body = b"not found" if route is None else route.body
            if route is not None and status == 200:
                if route.etag:
                    headers["ETag"] = route.etag
                if route.last_modified:
                    headers["Last-Modified"] = route.last_modified
                if (route.etag and h.headers.get("If-None-Match") == route.etag) or (
                        route.last_modified and h.headers.get("If-Modified-Since") == route.last_modified):
                    status, body = 304, b""
            with self.lock:
                self.hits.append(Hit(arrived, h.path, dict(h.headers), status))
            if route is not None and route.delay:
                time.sleep(route.delay)
            try:
                h.send_response(status)
                for k, v in headers.items():
                    h.send_header(k, v)
                h.send_header("Content-Length", str(len(body)))
                h.end_headers()
                if status != 304:
                    h.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
        finally:
            with self.lock:
                self.in_flight -= 1


def feeds_toml(path: Path, feeds: list[dict], **fetch) -> Path:
    """Write a feeds file: `feeds` as [[feed]] tables, `fetch` as the [fetch] table."""
    lines = []
    defaults = {"timeout": "3s", "delay": "0s", "retries": 1, "backoff": "0.1s"} | fetch
    lines.append("[fetch]")
    lines += [f"{k} = {json.dumps(v)}" for k, v in defaults.items()]
    for f in feeds:
        lines.append("\n[[feed]]")
        lines += [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in f.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
