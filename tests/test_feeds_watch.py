"""`marsad watch` against news sites on 127.0.0.1 (tests/feeds_helpers.py) serving RSS and Atom
feeds and pages built from real corpus articles: every item stored once, conditional GET, new
items, the same article in two feeds, charsets, a slow host, broken feeds and items, robots.txt,
politeness, and kill -9 in the middle of a watch."""
from __future__ import annotations

import email.utils
import os
import signal
import subprocess
import sys
import time

import duckdb
import pytest
from click.testing import CliRunner

from marsad.cli import main
from marsad.feeds import health_of, watch

from feeds_helpers import FeedItem, Route, Site, arabic_date, corpus, feeds_toml, flat, page_html, published, rss


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


@pytest.fixture
def other_site():
    s = Site()
    yield s
    s.close()


@pytest.fixture(scope="module")
def articles() -> list[dict]:
    """Real corpus articles from across the file (both corpora, many outlets and years)."""
    return corpus(every=97, limit=20)


def rows(db, sql, *params):
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def items_by_status(db) -> dict[str, int]:
    return dict(rows(db, "SELECT status, count(*) FROM feed_items GROUP BY status"))


def publish(site: Site, path: str, article: dict, **kw) -> FeedItem:
    """Put an article's page on the site; its feed item with an RFC 822 date."""
    url = site.page(path, article, **kw)
    return FeedItem(article["title"], url, guid=path, date=email.utils.format_datetime(published(article)))


def test_watch_once_stores_every_item_once(tmp_path, site, articles):
    arts = articles[:9]
    rss_items, atom_items, arabic_items = [], [], []
    for i, a in enumerate(arts[:3]):      # RSS, RFC 822 dates, pages dated in their meta tags
        rss_items.append(publish(site, f"/news/{i}.html", a))
    for i, a in enumerate(arts[3:6], 3):  # Atom, ISO dates, pages without a date of their own
        url = site.page(f"/news/{i}.html", a, date_meta=False)
        atom_items.append(FeedItem(a["title"], url, date=published(a).isoformat().replace("+00:00", "Z")))
    for i, a in enumerate(arts[6:], 6):   # RSS with Arabic dates ("الثلاثاء 19 مارس 2019"), undated pages
        url = site.page(f"/news/{i}.html", a, date_meta=False)
        arabic_items.append(FeedItem(a["title"], url, guid=f"ar-{i}", date=arabic_date(published(a))))
    feeds = feeds_toml(tmp_path / "feeds.toml", [
        {"name": "rss", "url": site.feed("/rss.xml", rss_items)},
        {"name": "atom", "url": site.feed("/atom.xml", atom_items, kind="atom")},
        {"name": "arabic", "url": site.feed("/arabic.xml", arabic_items), "source": "وكالة"}])
    db = tmp_path / "w.duckdb"
    report = watch(feeds, db, once=True)
    assert (report.feeds, report.new_items, report.stored, report.failed, report.duplicates) == (3, 9, 9, 0, 0)
    assert report.events > 0 and report.errors == []
    stored = {url: (text, title, str(day), source, date_source) for url, text, title, day, source, date_source in rows(
        db, "SELECT url, text, title, date, source, date_source FROM articles")}
    assert len(stored) == 9 == rows(db, "SELECT count(DISTINCT content_hash) FROM articles")[0][0]
    for i, a in enumerate(arts):
        text, title, day, source, date_source = stored[site.url(f"/news/{i}.html")]
        assert flat(text) == flat(a["title"] + "\n" + a["text"])         # the page's main text, nothing else
        assert "الأكثر قراءة" not in text and "جميع الحقوق" not in text
        assert title == a["title"]
        assert day == published(a).date().isoformat() and date_source == "input"   # page's date, else feed's
        assert source == ("rss" if i < 3 else "atom" if i < 6 else "وكالة")
    assert items_by_status(db) == {"stored": 9}
    assert rows(db, "SELECT count(*) FROM events")[0][0] == report.events
    assert rows(db, "SELECT status, articles_new FROM runs") == [("completed", 9)]
    # Each page was fetched once, after robots.txt; every request said who it was.
    pages = [h for h in site.requests() if h.path.startswith("/news/")]
    assert sorted(h.path for h in pages) == sorted(f"/news/{i}.html" for i in range(9))
    assert site.requests()[0].path == "/robots.txt"
    assert all(h.headers["User-Agent"].startswith("marsad/") for h in site.requests())
    health = health_of(str(db))
    assert [(f["name"], f["health"], f["items"]["stored"], f["last_status"]) for f in health["feeds"]] == [
        ("arabic", "ok", 3, 200), ("atom", "ok", 3, 200), ("rss", "ok", 3, 200)]


def test_watch_second_once_asks_conditionally_and_picks_up_new_items(tmp_path, site, articles):
    a, b, c, d = articles[9:13]
    feeds = tmp_path / "feeds.toml"
    feeds_toml(feeds, [
        {"name": "etag", "url": site.feed("/etag.xml", [publish(site, "/e/1.html", a)], validators="etag")},
        {"name": "modified", "url": site.feed("/lm.xml", [publish(site, "/m/1.html", b)], kind="atom",
                                              validators="last-modified")}])
    db = tmp_path / "w.duckdb"
    assert watch(feeds, db, once=True).stored == 2
    first = len(site.requests())
    second = watch(feeds, db, once=True)
    assert (second.not_modified, second.new_items, second.stored) == (2, 0, 0)
    again = site.requests()[first:]
    assert sorted(h.path for h in again if h.path != "/robots.txt") == ["/etag.xml", "/lm.xml"]
    assert all(h.status == 304 for h in again if h.path != "/robots.txt")
    etag_hit = next(h for h in again if h.path == "/etag.xml")
    lm_hit = next(h for h in again if h.path == "/lm.xml")
    assert etag_hit.headers["If-None-Match"] == site.routes["/etag.xml"].etag
    assert lm_hit.headers["If-Modified-Since"] == site.routes["/lm.xml"].last_modified
    health = {f["name"]: f for f in health_of(str(db))["feeds"]}
    assert [(health[n]["polls"], health[n]["not_modified"], health[n]["last_status"]) for n in ("etag", "modified")
            ] == [(2, 1, 304), (2, 1, 304)]
    # New items: the feeds change (new validators); only the new pages are fetched.
    site.feed("/etag.xml", [publish(site, "/e/2.html", c), publish(site, "/e/1.html", a)], validators="etag")
    site.feed("/lm.xml", [publish(site, "/m/1.html", b), publish(site, "/m/2.html", d)], kind="atom",
              validators="last-modified")
    before = len(site.requests())
    third = watch(feeds, db, once=True)
    assert (third.not_modified, third.new_items, third.stored) == (0, 2, 2)
    assert sorted(h.path for h in site.requests()[before:] if h.path.startswith(("/e/", "/m/"))) == [
        "/e/2.html", "/m/2.html"]
    assert rows(db, "SELECT count(*) FROM articles")[0][0] == 4
    assert items_by_status(db) == {"stored": 4}


def test_watch_same_article_in_two_feeds_is_stored_once(tmp_path, site, articles):
    a, b, c = articles[13:16]
    home = site.page("/a/1.html", a)
    # The same article under other URLs: a tracking parameter, a mirror page whose canonical
    # link names the original, and a copy of the text with no canonical link.
    site.routes["/mirror/1.html"] = Route(page_html(a, canonical=home).encode())
    copy = site.page("/copy/1.html", a)
    both = site.page("/a/2.html", b)                    # listed by both feeds in the same poll
    feeds = feeds_toml(tmp_path / "feeds.toml", [
        {"name": "first", "url": site.feed("/first.xml", [FeedItem(a["title"], home), FeedItem(b["title"], both),
                                                           publish(site, "/a/3.html", c)])},
        {"name": "second", "url": site.feed("/second.xml", [
            FeedItem(a["title"], home + "?utm_source=rss&utm_medium=feed"), FeedItem(b["title"], both),
            FeedItem(a["title"], site.url("/mirror/1.html")), FeedItem(a["title"], copy)])}],
        per_host=1)            # one request at a time: the first feed's items are fetched first
    db = tmp_path / "w.duckdb"
    report = watch(feeds, db, once=True)
    assert (report.new_items, report.stored, report.duplicates, report.failed) == (7, 3, 4, 0)
    assert rows(db, "SELECT count(*), count(DISTINCT url), count(DISTINCT content_hash) FROM articles")[0] == (3, 3, 3)
    assert len(site.requests("/a/1.html")) == 1 and len(site.requests("/a/2.html")) == 1
    status = dict(((feed.rsplit("/", 1)[-1], link), s) for feed, link, s in rows(
        db, "SELECT feed_url, link, status FROM feed_items"))
    assert status[("first.xml", home)] == status[("first.xml", both)] == "stored"
    assert {s for (feed, _), s in status.items() if feed == "second.xml"} == {"duplicate"}
    keys = rows(db, "SELECT DISTINCT article_key FROM feed_items WHERE link IN (?, ?, ?, ?)", home,
                home + "?utm_source=rss&utm_medium=feed", site.url("/mirror/1.html"), copy)
    assert len(keys) == 1
    # A later poll that lists them all again stores nothing more.
    site.feed("/first.xml", [FeedItem(a["title"], home + "#top")], validators="none")
    again = watch(feeds, db, once=True)
    assert again.stored == 0 and rows(db, "SELECT count(*) FROM articles")[0][0] == 3


def _encodable(article: dict, charset: str) -> bool:
    try:
        (article["title"] + article["text"]).encode(charset)
        return True
    except UnicodeEncodeError:
        return False


def test_watch_decodes_windows_1256_and_iso_8859_6(tmp_path, site):
    cp = corpus(where=lambda r: _encodable(r, "cp1256"), limit=3)
    iso = corpus(where=lambda r: _encodable(r, "iso-8859-6") and r["id"] not in {c["id"] for c in cp}, limit=1)
    assert len(cp) == 3 and len(iso) == 1
    items = [
        publish(site, "/1256-header.html", cp[0], charset="windows-1256", meta_charset=False),   # HTTP only
        publish(site, "/1256-meta.html", cp[1], charset="windows-1256", header_charset=False),   # page only
        publish(site, "/8859-6.html", iso[0], charset="iso-8859-6"),
        publish(site, "/utf8.html", cp[2]),
    ]
    feeds = feeds_toml(tmp_path / "feeds.toml", [
        {"name": "legacy", "url": site.feed("/legacy.xml", items, encoding="windows-1256")}])
    db = tmp_path / "w.duckdb"
    assert watch(feeds, db, once=True).stored == 4
    stored = dict(rows(db, "SELECT url, text FROM articles"))
    for path, a in (("/1256-header.html", cp[0]), ("/1256-meta.html", cp[1]), ("/8859-6.html", iso[0]),
                    ("/utf8.html", cp[2])):
        assert flat(stored[site.url(path)]) == flat(a["title"] + "\n" + a["text"]), path
    assert {t for (t,) in rows(db, "SELECT title FROM feed_items")} == {a["title"] for a in (*cp, *iso)}


def test_watch_slow_host_times_out_without_stopping_others(tmp_path, site, other_site, articles):
    fast = [publish(site, f"/fast/{i}.html", a) for i, a in enumerate(articles[:3])]
    slow_page = publish(other_site, "/slow/1.html", articles[3])
    other_site.routes["/slow/1.html"].delay = 5
    other_site.feed("/slow.xml", [publish(other_site, "/slow/2.html", articles[4])])
    other_site.routes["/slow.xml"].delay = 5
    feeds = feeds_toml(tmp_path / "feeds.toml", [
        {"name": "fast", "url": site.feed("/fast.xml", [*fast, slow_page])},
        {"name": "slow", "url": other_site.url("/slow.xml")}], timeout="0.5s", retries=1)
    db = tmp_path / "w.duckdb"
    started = time.monotonic()
    report = watch(feeds, db, once=True)
    assert time.monotonic() - started < 60
    assert (report.stored, report.feed_errors, report.retry) == (3, 1, 1)
    assert len(other_site.requests("/slow.xml")) == 2                 # tried again once (retries = 1), then left
    health = {f["name"]: f for f in health_of(str(db))["feeds"]}
    assert health["slow"]["health"] == "error" and "timed out" in health["slow"]["last_error"]
    assert health["fast"]["health"] == "ok" and health["fast"]["items"] == {
        "pending": 0, "retry": 1, "stored": 3, "duplicate": 0, "failed": 0}
    link, status, error, attempts = rows(db, "SELECT link, status, error, attempts FROM feed_items "
                                             "WHERE status = 'retry'")[0]
    assert link == slow_page.link and "timed out" in error and attempts == 1
    # The slow host is back to normal: the next poll gets its items.
    other_site.routes["/slow/1.html"].delay = other_site.routes["/slow.xml"].delay = 0
    second = watch(feeds, db, once=True)
    assert second.stored == 2 and items_by_status(db) == {"stored": 5}


def test_watch_records_malformed_feeds_and_bad_items_and_goes_on(tmp_path, site, articles):
    a, b, c, d = articles[:4]
    good = publish(site, "/ok.html", a)
    site.routes["/robots.txt"] = Route(b"User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    private = publish(site, "/private/1.html", b)
    site.routes["/gone.html"] = Route(b"gone", status=404)
    site.routes["/broken.html"] = Route(b"oops", status=500)
    site.routes["/video.html"] = Route("<html><body><h1>بالفيديو.. لحظة القصف</h1><video src='v.mp4'></video>"
                                       "</body></html>".encode())
    site.routes["/moved.html"] = Route(b"", status=301, headers={"Location": "/ok2.html"})
    moved_target = site.page("/ok2.html", c)
    site.routes["/loop.html"] = Route(b"", status=302, headers={"Location": "/loop.html"})
    site.routes["/huge.html"] = Route(page_html(d).encode() * 40)
    site.routes["/doc.pdf"] = Route(b"%PDF-1.4 " * 200, content_type="application/pdf")
    links = {"ok": good.link, "private": private.link, "gone": site.url("/gone.html"),
             "broken": site.url("/broken.html"), "video": site.url("/video.html"), "moved": site.url("/moved.html"),
             "loop": site.url("/loop.html"), "huge": site.url("/huge.html"), "pdf": site.url("/doc.pdf")}
    site.routes["/garbage.xml"] = Route("<html><body>الصفحة غير موجودة</body></html>".encode(),
                                        content_type="text/html")
    feeds = feeds_toml(tmp_path / "feeds.toml", [
        {"name": "garbage", "url": site.url("/garbage.xml")},
        {"name": "truncated", "url": site.url("/truncated.xml")},
        {"name": "dead", "url": "http://127.0.0.1:9/feed.xml"},          # nothing listens on port 9
        {"name": "items", "url": site.feed("/items.xml", [FeedItem(k, v, guid=k) for k, v in links.items()])}],
        max_bytes=100_000, max_attempts=2, retries=2)
    site.routes["/truncated.xml"] = Route(rss([])[:-12], content_type="application/rss+xml")
    db = tmp_path / "w.duckdb"
    report = watch(feeds, db, once=True)
    assert report.stored == 2 and report.feed_errors == 3
    got = {item_id: (status, http, error) for item_id, status, http, error in rows(
        db, "SELECT item_id, status, http_status, error FROM feed_items WHERE feed_url LIKE '%/items.xml'")}
    assert got["ok"][0] == got["moved"][0] == "stored"
    assert got["gone"][:2] == ("failed", 404) and len(site.requests("/gone.html")) == 1     # no retry on a 4xx
    assert got["broken"][:2] == ("retry", 500) and len(site.requests("/broken.html")) == 3  # 1 + 2 retries
    assert got["private"][0] == "failed" and "robots.txt" in got["private"][2]
    assert site.requests("/private/1.html") == []                                          # never asked
    assert got["video"][0] == "failed" and "no article text" in got["video"][2]
    assert got["loop"][0] == "failed" and "redirects" in got["loop"][2]
    assert got["huge"][0] == "failed" and "larger than" in got["huge"][2]
    assert got["pdf"][0] == "failed" and "not an HTML page" in got["pdf"][2]
    assert rows(db, "SELECT url FROM articles WHERE url = ?", moved_target)                 # where it moved to
    health = {f["name"]: f for f in health_of(str(db))["feeds"]}
    assert health["garbage"]["last_error"].startswith("not an RSS or Atom feed")
    assert health["truncated"]["last_error"].startswith("malformed feed")
    assert "connection failed" in health["dead"]["last_error"]
    assert health["items"]["health"] == "ok" and {f["link"] for f in health["items"]["recent_failures"]} == {
        links[k] for k in ("gone", "broken", "private", "video", "loop", "huge", "pdf")}
    # The 500 is tried again at the next poll and, out of attempts (max_attempts = 2), given up.
    second = watch(feeds, db, once=True)
    assert second.failed == 1 and len(site.requests("/broken.html")) == 6
    assert rows(db, "SELECT status, attempts FROM feed_items WHERE item_id = 'broken'") == [("failed", 2)]
    third = watch(feeds, db, once=True)
    assert len(site.requests("/broken.html")) == 6 and third.stored == 0
    # The CLI says the same in a table, and exits 2 for a --once with errors.
    result = CliRunner().invoke(main, ["feeds", "status", "--db", str(db)])
    assert result.exit_code == 0
    for name in ("garbage", "truncated", "dead", "items"):
        assert name in result.output
    assert "not an RSS or Atom feed" in result.output and "error" in result.output
    assert CliRunner().invoke(main, ["watch", str(feeds), "--db", str(db), "--once"]).exit_code == 2


def test_watch_is_polite_per_host(tmp_path, site, other_site, articles):
    # One host asks for a Crawl-delay of 1 s; the other gets the file's delay (0.1 s) and
    # answers slowly (0.6 s), so only the per-host cap (2) keeps a third request from starting.
    items = [publish(site, f"/p/{i}.html", a) for i, a in enumerate(articles[:5])]
    site.routes["/robots.txt"] = Route(b"User-agent: marsad\nCrawl-delay: 1\nDisallow: /nothing/\n",
                                       content_type="text/plain")
    other = [publish(other_site, f"/o/{i}.html", a) for i, a in enumerate(articles[5:10])]
    for i in range(5):
        other_site.routes[f"/o/{i}.html"].delay = 0.6
    feeds = feeds_toml(tmp_path / "feeds.toml", [
        {"name": "crawl-delay", "url": site.feed("/f.xml", items)},
        {"name": "plain", "url": other_site.feed("/f.xml", other)}], delay="0.1s", per_host=2)
    assert watch(feeds, tmp_path / "w.duckdb", once=True).stored == 10
    for s, gap in ((site, 1.0), (other_site, 0.1)):
        arrivals = sorted(h.at for h in s.requests())
        assert len(arrivals) == 7            # robots.txt, the feed, 5 pages
        # Spaced by the delay on average (single gaps jitter: this process also runs the pipeline).
        assert arrivals[-1] - arrivals[0] >= (len(arrivals) - 1) * gap * 0.9
    assert other_site.most_in_flight == 2 and site.most_in_flight <= 2


def test_watch_kill_9_and_restart_loses_and_duplicates_nothing(tmp_path, site, articles):
    arts = articles[:10]
    items = [publish(site, f"/k/{i}.html", a) for i, a in enumerate(arts)]
    for i in range(len(arts)):
        site.routes[f"/k/{i}.html"].delay = 1.5      # pages come in while earlier ones are stored
    feeds = feeds_toml(tmp_path / "feeds.toml", [{"name": "k", "url": site.feed("/k.xml", items)}], per_host=1)
    db = tmp_path / "k.duckdb"
    for round_ in range(2):
        log = tmp_path / f"watch-{round_}.log"
        with log.open("w") as err:
            proc = subprocess.Popen([sys.executable, "-m", "marsad.cli", "watch", str(feeds), "--db", str(db),
                                     "--interval", "1s"], stderr=err, env=os.environ.copy())
        try:
            deadline = time.monotonic() + 240
            # Killed right after its first batch of articles is written (or, if a kill left
            # nothing to store, once its poll is over).
            while "stored " not in log.read_text() and "poll: " not in log.read_text():
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "the watch stored nothing in time"
                time.sleep(0.05)
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        assert proc.returncode == -signal.SIGKILL
    assert rows(db, "SELECT count(*) FROM articles")[0][0] > 0
    marked = items_by_status(db).get("stored", 0)
    report = watch(feeds, db, once=True)
    assert report.stored == len(arts) - marked and report.duplicates == 0
    assert rows(db, "SELECT count(*), count(DISTINCT url), count(DISTINCT content_hash) FROM articles")[0] == (
        len(arts), len(arts), len(arts))
    assert items_by_status(db) == {"stored": len(arts)}
    assert sorted(t for (t,) in rows(db, "SELECT title FROM articles")) == sorted(a["title"] for a in arts)
    events = rows(db, "SELECT count(*), count(DISTINCT event_id) FROM events")[0]
    assert events[0] == events[1]
    # A run a kill cut short is marked so when the next one starts.
    assert "interrupted" in [s for (s,) in rows(db, "SELECT status FROM runs ORDER BY run_id")]
