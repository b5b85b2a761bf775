"""`marsad serve --watch`: feeds followed inside the server, their state at GET /v1/feeds, and a
newly published item's events at GET /v1/events within one poll interval + 10 s; `since` and
`updated`, which let the dashboard fetch only what is new."""
from __future__ import annotations

import email.utils
import os
import subprocess
import sys
import time

import httpx
import pytest

import marsad
from feeds_helpers import FeedItem, Site, corpus, feeds_toml, published

from .test_service_cli import free_port

INTERVAL = 3.0      # seconds between polls in these tests


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


def item(site: Site, path: str, article: dict) -> FeedItem:
    return FeedItem(article["title"], site.page(path, article), guid=path,
                    date=email.utils.format_datetime(published(article)))


def with_events(articles: list[dict]) -> list[dict]:
    """Articles the pipeline finds events in (most conflict reports; not every one)."""
    out = []
    for a in articles:
        found = marsad.extract(marsad.Article(text=a["title"] + "\n" + a["text"], date=a["date"][:10]))
        if found.layer("events"):
            out.append(a)
    return out


def wait_for(check, seconds: float, what: str, proc=None):
    deadline = time.monotonic() + seconds
    while True:
        try:
            got = check()
            if got:
                return got
        except httpx.TransportError:
            pass
        assert proc is None or proc.poll() is None, f"marsad serve exited: {proc.stderr.read()}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_serve_watch_new_item_reaches_v1_events_within_an_interval(tmp_path, site):
    first, second = with_events(corpus(every=61, limit=8))[:2]
    feed = [item(site, "/news/1.html", first)]
    feeds = feeds_toml(tmp_path / "feeds.toml", [{"name": "live", "url": site.feed("/live.xml", feed)}])
    port = free_port()
    api = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    proc = subprocess.Popen([sys.executable, "-m", "marsad.cli", "serve", "--db", str(tmp_path / "live.duckdb"),
                             "--port", str(port), "--watch", str(feeds), "--watch-interval", f"{INTERVAL:g}s",
                             "--log-level", "warning"], stderr=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        # The first poll stores the first item (and loads the pipeline).
        state = wait_for(lambda: (lambda f: f if f["feeds"][0]["items"]["stored"] == 1 else None)(
            api.get("/v1/feeds").json()), 180, "the first item", proc)
        assert state["watching"] is True and state["updated"].endswith("Z")
        assert (state["feeds"][0]["name"], state["feeds"][0]["health"]) == ("live", "ok")
        seen = state["updated"]
        assert api.get("/v1/events", params={"since": seen}).json()["total"] == 0
        before = api.get("/v1/events").json()["total"]
        assert before > 0
        # Publish: the item appears in the feed, its page on the site.
        site.feed("/live.xml", [item(site, "/news/2.html", second), *feed])
        published_at = time.monotonic()
        page = wait_for(lambda: (lambda p: p if p["total"] else None)(
            api.get("/v1/events", params={"since": seen}).json()), INTERVAL + 60, "the new item's events", proc)
        latency = time.monotonic() - published_at
        print(f"published -> /v1/events: {latency:.1f} s (poll interval {INTERVAL:g} s)")
        assert latency <= INTERVAL + 10, f"{latency:.1f} s from publication to /v1/events"
        assert {e["article"]["title"] for e in page["items"]} == {second["title"]}
        assert api.get("/v1/events").json()["total"] == before + page["total"]
        state = api.get("/v1/feeds").json()
        assert state["feeds"][0]["items"]["stored"] == 2 and state["updated"] > seen
        stats = api.get("/v1/stats").json()
        assert stats["updated"] == state["updated"] and stats["total"] == before + page["total"]
        assert api.get("/v1/stats", params={"since": seen}).json()["total"] == page["total"]
        assert api.get("/v1/events", params={"since": state["updated"]}).json()["total"] == 0
    finally:
        proc.terminate()
        proc.wait(30)


def test_v1_feeds_without_a_watch_and_since_errors(tmp_path, site):
    from marsad.feeds import watch

    from .conftest import live_server
    a = corpus(every=131, limit=1)[0]
    feeds = feeds_toml(tmp_path / "feeds.toml", [
        {"name": "one", "url": site.feed("/one.xml", [item(site, "/a.html", a)])},
        {"name": "broken", "url": site.url("/missing.xml")}])
    db = tmp_path / "f.duckdb"
    watch(feeds, db, once=True)
    with live_server(db=db) as server:
        c = httpx.Client(base_url=server.url, timeout=30)
        body = c.get("/v1/feeds").json()
        assert body["watching"] is False
        by_name = {f["name"]: f for f in body["feeds"]}
        assert by_name["one"]["health"] == "ok" and by_name["one"]["items"]["stored"] == 1
        assert by_name["broken"]["health"] == "error" and by_name["broken"]["last_status"] == 404
        assert by_name["broken"]["last_error"].startswith("HTTP 404")
        r = c.get("/v1/events", params={"since": "yesterday"})
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_parameter"
        # A moment with a time zone is taken in UTC.
        assert c.get("/v1/events", params={"since": "2000-01-01T03:00:00+03:00"}).json()["total"] == \
            c.get("/v1/events").json()["total"]
        r = c.get("/v1/export", params={"format": "jsonl", "since": body["updated"]})
        assert r.status_code == 422 and "since" in r.text


def test_serve_watch_needs_a_store_and_one_process(tmp_path):
    from click.testing import CliRunner

    from marsad.service.commands import serve
    feeds = feeds_toml(tmp_path / "feeds.toml", [{"name": "x", "url": "http://127.0.0.1:9/x.xml"}])
    r = CliRunner().invoke(serve, ["--watch", str(feeds)])
    assert r.exit_code == 2 and "--watch needs --db" in r.output
    r = CliRunner().invoke(serve, ["--watch", str(feeds), "--db", str(tmp_path / "x.duckdb"), "--workers", "2"])
    assert r.exit_code == 2 and "--watch needs --workers 1" in r.output
    r = CliRunner().invoke(serve, ["--watch", str(feeds), "--db", str(tmp_path / "x.duckdb"),
                                   "--watch-interval", "often"])
    assert r.exit_code == 2 and "'often' is not a duration" in r.output
