"""`marsad watch`: poll feeds, fetch the pages of new items, store their articles; again and again.

One poll:

    due feeds ──fetch (conditional GET)──> parse ──record poll + new items (one transaction)
                                                       │
    items left unfinished by earlier polls ────────────┤
                                                       v
              item link already stored? ── yes ──> duplicate (no fetch)
                      │ no
                   fetch page ──> trafilatura ──> text or URL already stored? ── yes ──> duplicate
                                                       │ no
                          marsad.store.ingest.Run (the ingest path: extract, write in batches)
                                                       v
                                    item outcomes (one transaction)

Feeds and pages of all hosts are fetched at once (`fetch.Lanes`), politely per host; a
feed's new items go to fetching as soon as its answer is recorded, and articles are written
in batches while other pages still download, so one slow outlet delays only itself. The
pipeline runs in this process, loaded once for the life of the watch.

The store is open only during a poll (`marsad watch`), so between polls other commands can
read it; or the watcher shares the open store of `marsad serve --watch`, writing under the
server's write lock, so the API answers with what it stores.
"""
from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from . import state
from .config import Feed, FeedsFile
from .fetch import Fetcher, Lanes, Response, host_of
from .page import Page, PageError, to_article
from .parse import ParsedFeed, parse_feed
from .state import Item, Outcome

TICK = 0.5      # seconds between two looks at the stop flag while fetches are out


@dataclass
class PollReport:
    feeds: int = 0             # feeds asked
    not_modified: int = 0      # of which answered 304
    feed_errors: int = 0       # of which failed or were malformed
    new_items: int = 0
    stored: int = 0
    duplicates: int = 0
    retry: int = 0
    failed: int = 0
    events: int = 0
    run_id: int | None = None
    seconds: float = 0.0
    errors: list[str] = field(default_factory=list)     # one line per feed or item problem

    def summary(self) -> str:
        return (f"{self.feeds} feeds polled ({self.not_modified} not modified, {self.feed_errors} with errors), "
                f"{self.new_items} new items: {self.stored} stored, {self.duplicates} duplicates, "
                f"{self.failed} failed, {self.retry} to retry; {self.events} events in {self.seconds:.1f} s")


class StoreAccess:
    """How the watcher reaches the store: a Store of its own, opened for each poll (`path`), or
    an open Store shared with a server (`store`), always used under `lock`."""

    def __init__(self, path: str | Path | None = None, store=None, lock: threading.Lock | None = None):
        if (path is None) == (store is None):
            raise ValueError("give the store's path or an open Store")
        self.path, self.store = path, store
        self.lock = lock or threading.Lock()

    @contextlib.contextmanager
    def poll(self):
        if self.store is not None:
            yield self.store
            return
        from ..store.db import Store
        with self.lock:
            opened = Store(self.path)
        try:
            yield opened
        finally:
            with self.lock:
                opened.close()


class Watcher:
    def __init__(self, feeds: FeedsFile, access: StoreAccess, log: Callable[[str], None] | None = None,
                 stop: threading.Event | None = None, fetcher: Fetcher | None = None, pipeline=None,
                 batch_size: int = 50, commit_every: float = 2.0, warn: Callable[[str], None] | None = None,
                 on_write: Callable[[], None] | None = None):
        self.file, self.access = feeds, access
        self.on_write = on_write or (lambda: None)   # told after each write (a server drops its kept answers)
        self.log = log or (lambda line: None)
        self.warn = warn or self.log            # problems: a feed's or an item's error, a failed poll
        self.stop = stop or threading.Event()
        self.fetcher = fetcher or Fetcher(feeds.fetch)
        self.pipeline, self.batch_size, self.commit_every = pipeline, batch_size, commit_every
        self.by_url = {f.url: f for f in feeds.feeds}
        self.settings = feeds.fetch

    def close(self) -> None:
        self.fetcher.close()

    # -- the loop ----------------------------------------------------------------------------

    def run(self, once: bool = False) -> PollReport:
        """Poll every feed now (`once`), or each feed every `interval` until `stop` is set
        (feeds polled recently, before a restart, wait for the rest of their interval).
        Returns the last poll's report."""
        feeds = list(self.file.feeds)
        if once:
            return self.poll(feeds)
        due_at = self._resume_times(feeds)
        report = PollReport()
        first = True
        while not self.stop.is_set():
            clock = time.monotonic()
            due = [f for f in feeds if due_at[f.url] <= clock]
            if due or first:
                for f in due:
                    due_at[f.url] = clock + f.interval
                try:
                    report = self.poll(due)
                except Exception as e:      # the store or a bug: say so, try again at the next poll
                    self.warn(f"poll failed: {type(e).__name__}: {e}")
                first = False
            self.stop.wait(max(0.05, min(due_at.values()) - time.monotonic()))
        return report

    def _resume_times(self, feeds: Sequence[Feed]) -> dict[str, float]:
        with self.access.poll() as store, self.access.lock:
            state.sync_feeds(store, feeds)
            polled = state.last_polled(store, [f.url for f in feeds])
        wall, clock = state.now(), time.monotonic()
        out = {}
        for f in feeds:
            last = polled.get(f.url)
            wait = 0.0 if last is None else max(0.0, f.interval - (wall - last).total_seconds())
            out[f.url] = clock + wait
        return out

    # -- one poll ------------------------------------------------------------------------------

    def poll(self, feeds: Sequence[Feed] | None = None) -> PollReport:
        """Poll `feeds` (default: all) and finish the items earlier polls left; see the module doc."""
        feeds = list(self.file.feeds if feeds is None else feeds)
        started = time.monotonic()
        report = PollReport(feeds=len(feeds))
        self.fetcher.new_poll()
        with self.access.poll() as store:
            p = _Poll(self, store, report)
            status = "failed"
            try:
                p.execute(feeds)
                status = "interrupted" if self.stop.is_set() else "completed"
            except KeyboardInterrupt:
                status = "interrupted"
                raise
            finally:
                p.finish(status)
        report.seconds = time.monotonic() - started
        self.log(f"poll: {report.summary()}")
        return report


class _Poll:
    """The moving parts of one poll: lanes of fetches, items in flight, pages ready to store."""

    def __init__(self, watcher: Watcher, store, report: PollReport):
        self.w, self.store, self.report = watcher, store, report
        self.lock = watcher.access.lock
        self.lanes = Lanes(watcher.settings.per_host)
        self.leaders: dict[str, Item] = {}              # item URL -> the item whose page is fetched
        self.followers: dict[str, list[Item]] = {}      # item URL -> other items linking the same URL
        self.ready: list[tuple[Item, Response, Page]] = []
        self.first_ready = 0.0
        self.run = None

    def execute(self, feeds: Sequence[Feed]) -> None:
        w = self.w
        with self.lock:
            state.sync_feeds(self.store, w.file.feeds)
            known = {f.url: state.validators(self.store, f.url) for f in feeds}
            leftovers = state.unfinished(self.store, list(w.by_url), w.settings.max_attempts)
        for f in feeds:
            etag, modified = known[f.url]
            self.lanes.submit(host_of(f.url), ("feed", f), partial(self._fetch_feed, f, etag, modified))
        self._schedule(leftovers)
        while not w.stop.is_set():
            wait = TICK                     # so that a stop request is seen within a tick
            if self.ready:
                wait = min(wait, max(0.0, self.first_ready + w.commit_every - time.monotonic()))
            got = self.lanes.next(timeout=wait) if self.lanes.outstanding else None
            if got is not None:
                tag, result = got
                if tag[0] == "feed":
                    self._feed_done(tag[1], result)
                else:
                    self._page_done(tag[1], result)
            if self.ready and (not self.lanes.outstanding or len(self.ready) >= w.batch_size
                               or time.monotonic() - self.first_ready >= w.commit_every):
                self._store_ready()
            if not self.lanes.outstanding and not self.ready:
                break

    def finish(self, status: str) -> None:
        if self.ready and status != "failed":
            with contextlib.suppress(Exception):
                self._store_ready()
        if self.run is not None:
            with self.lock:
                self.run.finish(status, None if status == "completed" else f"watch poll {status}")
            self.w.on_write()
            self.report.run_id = self.run.report.run_id

    # -- feeds -------------------------------------------------------------------------------

    def _fetch_feed(self, feed: Feed, etag, modified) -> tuple[Response, ParsedFeed | None]:
        r = self.w.fetcher.get(feed.url, etag=etag, last_modified=modified)
        if not r.ok:
            return r, None
        return r, parse_feed(r.content, r.content_type, r.final_url, feed.language)

    def _feed_done(self, feed: Feed, result) -> None:
        if isinstance(result, Exception):
            result = (Response(feed.url, feed.url, "network", error=f"{type(result).__name__}: {result}",
                               transient=True), None)
        response, parsed = result
        with self.lock:
            new = state.record_poll(self.store, feed, response, parsed)
        r = self.report
        r.new_items += len(new)
        if response.kind == "not_modified":
            r.not_modified += 1
            self.w.log(f"feed {feed.name}: not modified (304)")
        elif not response.ok or (parsed is not None and parsed.error):
            r.feed_errors += 1
            problem = response.error if not response.ok else parsed.error
            r.errors.append(f"feed {feed.name}: {problem}")
            self.w.warn(f"feed {feed.name}: error: {problem}")
        if parsed is not None and parsed.entries:
            self.w.log(f"feed {feed.name}: {len(parsed.entries)} items, {len(new)} new")
        self._schedule(new)

    # -- items -------------------------------------------------------------------------------

    def _schedule(self, items: Sequence[Item]) -> None:
        """Fetch the pages of these items, except those whose link is stored already or is
        being fetched for another item in this poll."""
        if not items:
            return
        with self.lock:
            stored = state.stored_under_urls(self.store, [i.item_url for i in items])
        done = []
        for item in items:
            if item.item_url in stored:
                done.append((item, stored[item.item_url], None))
            elif item.item_url in self.leaders:
                self.followers.setdefault(item.item_url, []).append(item)
            else:
                self.leaders[item.item_url] = item
                self.lanes.submit(host_of(item.link), ("page", item), partial(self._fetch_page, item))
        if done:
            self._record(self._already(done))

    def _fetch_page(self, item: Item):
        r = self.w.fetcher.get(item.link)
        if not r.ok:
            return r, None
        feed = self.w.by_url[item.feed_url]
        try:
            return r, to_article(r.text(), final_url=r.final_url, feed=feed, item_id=item.item_id,
                                 title=item.title, feed_day=item.day, content_type=r.content_type)
        except PageError as e:
            return r, e

    def _page_done(self, item: Item, result) -> None:
        if isinstance(result, Exception):
            self._record([Outcome(item, "retry", error=f"{type(result).__name__}: {result}")])
            return
        response, page = result
        if not response.ok:
            status = "retry" if response.transient else "failed"
            self._record([Outcome(item, status, http_status=response.status, error=response.error)])
        elif isinstance(page, PageError):
            self._record([Outcome(item, "failed", http_status=response.status, error=str(page))])
        else:
            if not self.ready:
                self.first_ready = time.monotonic()
            self.ready.append((item, response, page))

    def _store_ready(self) -> None:
        """Store the articles of the pages fetched so far, through the store's ingest path."""
        from ..batch.extract import key_of
        from ..store.ingest import Run

        ready, self.ready = self.ready, []
        w = self.w
        with self.lock:
            by_text = state.stored_texts(self.store, [p.article.content_hash for _, _, p in ready])
            by_url = state.stored_under_urls(self.store, [p.canonical for _, _, p in ready])
            fresh, done, batch, twins = [], [], {}, []
            for item, response, page in ready:
                key = key_of(page.article)
                found = by_text.get(page.article.content_hash) or by_url.get(page.canonical)
                if found:
                    done.append((item, found, page.canonical))
                elif twin := batch.get(page.article.content_hash) or batch.get(page.canonical):
                    twins.append((item, twin, page.canonical))      # another item of this batch has it
                else:
                    batch[page.article.content_hash] = batch[page.canonical] = key
                    fresh.append((item, response, page, key))
            outcomes = self._already(done, locked=True)
            if fresh:
                if self.run is None:
                    self.run = Run(self.store, [f"watch:{w.file.path}"], workers=1, batch_size=w.batch_size,
                                   commit_every=w.commit_every, pipeline=w.pipeline)
                before = self.run.report.events
                self.run.add([(item.link, page.article) for item, _, page, _ in fresh])
                w.on_write()
                self.report.events += self.run.report.events - before
                keys = [key for *_, key in fresh]
                stored = self.store.existing(keys)
                failures = dict(self.store.con.execute(
                    "SELECT article_key, message FROM errors WHERE article_key IN (SELECT unnest(?::VARCHAR[]))",
                    [keys]).fetchall())
                for item, response, page, key in fresh:
                    if key in stored:
                        outcomes.append(Outcome(item, "stored", key, page.canonical, response.status))
                    else:
                        outcomes.append(Outcome(item, "retry", http_status=response.status,
                                                error=f"extraction failed: {failures.get(key, 'not stored')}"))
                for item, key, url in twins:
                    if key in stored:
                        outcomes.append(Outcome(item, "duplicate", key, url, tried=False))
                    else:       # its twin failed: try it again at the next poll
                        outcomes.append(Outcome(item, "retry", error="extraction failed (same text as another "
                                                                     "item of this poll)"))
        self._record(outcomes)
        if fresh:
            stored = sum(o.status == "stored" for o in outcomes)
            self.w.log(f"stored {stored} articles ({self.run.report.events} events so far in run "
                       f"{self.run.report.run_id})")

    def _already(self, done, locked: bool = False) -> list[Outcome]:
        """Outcomes of items whose article is stored already: `stored` when no other item has it
        as its own (e.g. this item's article, written just before a kill), else `duplicate`."""
        if not done:
            return []
        ctx = contextlib.nullcontext() if locked else self.lock
        with ctx:
            owned = state.claimed(self.store, list({key for _, key, _ in done}))
        out = []
        for item, key, url in done:
            status = "duplicate" if key in owned else "stored"
            owned.add(key)
            out.append(Outcome(item, status, key, url, tried=False))
        return out

    def _record(self, outcomes: list[Outcome]) -> None:
        """Write item outcomes (and those of the items that linked the same URL) and count them."""
        extra = []
        for o in outcomes:
            for f in self.followers.pop(o.item.item_url, []) if self.leaders.get(o.item.item_url) is o.item else []:
                if o.article_key:
                    extra.append(Outcome(f, "duplicate", o.article_key, o.article_url, tried=False))
                else:
                    extra.append(Outcome(f, o.status, http_status=o.http_status, error=o.error))
        outcomes = outcomes + extra
        with self.lock:
            state.record_items(self.store, outcomes, self.w.settings.max_attempts)
        r = self.report
        for o in outcomes:
            final = "failed" if o.status == "retry" and o.item.attempts + o.tried >= self.w.settings.max_attempts \
                else o.status
            if final == "stored":
                r.stored += 1
            elif final == "duplicate":
                r.duplicates += 1
            elif final == "retry":
                r.retry += 1
            elif final == "failed":
                r.failed += 1
            if final in ("retry", "failed"):
                feed = self.w.by_url.get(o.item.feed_url)
                line = f"item {o.item.link or o.item.item_id} ({feed.name if feed else o.item.feed_url}): {o.error}"
                r.errors.append(line)
                self.w.warn(f"{final}: {line}")


def watch(feeds_file: str | Path, db: str | Path, once: bool = False, interval: float | None = None,
          log: Callable[[str], None] | None = None, stop: threading.Event | None = None) -> PollReport:
    """Follow the feeds of `feeds_file` into the store `db` (see the module doc); `once`: one poll."""
    from .config import load

    feeds = load(feeds_file).with_interval(interval)
    watcher = Watcher(feeds, StoreAccess(path=db), log=log, stop=stop)
    try:
        return watcher.run(once=once)
    finally:
        watcher.close()



class Background:
    """The watcher of `marsad serve --watch`: a thread polling into the server's open store,
    writing under the server's write lock. `start()` and `stop()` bracket the server's life."""

    def __init__(self, feeds_file: str | Path, store, lock: threading.Lock, interval: float | None = None,
                 log: Callable[[str], None] | None = None, warn: Callable[[str], None] | None = None,
                 on_write: Callable[[], None] | None = None):
        from .config import load

        self.stop_event = threading.Event()
        self.watcher = Watcher(load(feeds_file).with_interval(interval), StoreAccess(store=store, lock=lock),
                               log=log, warn=warn, stop=self.stop_event, on_write=on_write)
        self.thread = threading.Thread(target=self._run, name="marsad-watch", daemon=True)

    def _run(self) -> None:
        try:
            self.watcher.run()
        except Exception as e:             # never silently: the API stays up, the log says why
            self.watcher.warn(f"stopped: {type(e).__name__}: {e}")

    def start(self) -> None:
        self.thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self.stop_event.set()
        if self.thread.is_alive():
            self.thread.join(timeout)
        self.watcher.close()
