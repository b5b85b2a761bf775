"""The feeds file (TOML): which feeds `marsad watch` follows, and how politely it fetches.

    [fetch]                          # every key optional; these are the defaults
    user_agent = "marsad/0.1.0 (Arabic conflict news monitor)"   # add your contact: URL or e-mail
    timeout = "20s"                  # one request, from connecting to its last byte
    max_bytes = 5_000_000            # larger pages and feeds are refused
    per_host = 2                     # requests in flight to one host
    delay = "1s"                     # between two requests to one host (robots.txt Crawl-delay wins if longer)
    retries = 2                      # after a 5xx or a timeout, with exponential backoff; never after a 4xx
    backoff = "1s"                   # first wait before a retry; doubled each time
    max_redirects = 5
    max_attempts = 3                 # polls an item page is tried before it is given up

    [defaults]
    interval = "15m"                 # how often each feed is polled
    language = "ar"

    [[feed]]
    name = "bbc-arabic"                                  # unique; also the articles' `source`
    url = "https://feeds.bbci.co.uk/arabic/rss.xml"
    language = "ar"                                      # optional (defaults.language)
    interval = "10m"                                     # optional (defaults.interval)
    body = "main [data-component=text-block]"            # optional: CSS selector or XPath of the body
    source = "BBC Arabic"                                # optional: the articles' source (default: name)

Durations are a number with s, m or h ("90s", "15m", "1.5h"); a bare number is seconds.
Every problem in the file is one `FeedsError` naming the file and the key.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from urllib.parse import urlsplit

from .. import __version__
from ..errors import MarsadError

USER_AGENT = f"marsad/{__version__} (Arabic conflict news monitor)"
DEFAULT_INTERVAL = 15 * 60.0


class FeedsError(MarsadError):
    """The feeds file, a feed or the feed state (codes E800-E839)."""


@dataclass(frozen=True)
class FetchSettings:
    user_agent: str = USER_AGENT
    timeout: float = 20.0
    max_bytes: int = 5_000_000
    per_host: int = 2
    delay: float = 1.0
    retries: int = 2
    backoff: float = 1.0
    max_redirects: int = 5
    max_attempts: int = 3


@dataclass(frozen=True)
class Feed:
    name: str
    url: str
    language: str = "ar"
    interval: float = DEFAULT_INTERVAL
    body: str | None = None        # CSS selector or XPath of the article body
    source: str | None = None

    @property
    def outlet(self) -> str:
        return self.source or self.name


@dataclass(frozen=True)
class FeedsFile:
    path: str
    feeds: tuple[Feed, ...]
    fetch: FetchSettings = field(default_factory=FetchSettings)

    def with_interval(self, seconds: float | None) -> "FeedsFile":
        """The same feeds, every one polled every `seconds` (the command line's --interval)."""
        if seconds is None:
            return self
        return replace(self, feeds=tuple(replace(f, interval=seconds) for f in self.feeds))


_DURATION = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", re.I)
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


def parse_duration(value, where: str, zero: bool = False) -> float:
    """Seconds from "90s", "15m", "1.5h" or a number of seconds (0 only where `zero` allows it)."""
    if isinstance(value, bool):
        raise FeedsError("E802", f"{where}: expected a duration such as \"15m\", got {value!r}.")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        m = _DURATION.fullmatch(str(value))
        if not m:
            raise FeedsError("E802", f"{where}: {value!r} is not a duration; write a number with s, m or h "
                             "(\"30s\", \"15m\", \"1h\").")
        seconds = float(m.group(1)) * _UNITS[m.group(2).lower()]
    if seconds < 0 or (seconds == 0 and not zero):
        raise FeedsError("E802", f"{where}: the duration must be more than zero (got {value!r}).")
    return seconds


def load(path: str | Path) -> FeedsFile:
    """Read and check a feeds file; a FeedsError (one line, naming the file and key) if it is wrong."""
    where = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FeedsError("E800", f"{where}: no such feeds file. See examples/feeds.toml for one.") from None
    except (OSError, UnicodeDecodeError) as e:
        raise FeedsError("E800", f"{where}: cannot read the feeds file: {e}.") from None
    except tomllib.TOMLDecodeError as e:
        raise FeedsError("E801", f"{where}: not valid TOML: {e}.") from None
    _known(data, {"fetch", "defaults", "feed"}, where)
    fetch = _fetch_settings(data.get("fetch", {}), f"{where}: [fetch]")
    defaults = data.get("defaults", {})
    _table(defaults, f"{where}: [defaults]")
    _known(defaults, {"interval", "language"}, f"{where}: [defaults]")
    interval = parse_duration(defaults.get("interval", DEFAULT_INTERVAL), f"{where}: [defaults] interval")
    language = _string(defaults.get("language", "ar"), f"{where}: [defaults] language")
    items = data.get("feed", [])
    if not isinstance(items, list) or not items:
        raise FeedsError("E803", f"{where}: no feeds: add at least one [[feed]] table with a name and a url.")
    feeds, names, urls = [], set(), set()
    for i, item in enumerate(items, 1):
        here = f"{where}: feed {i}"
        _table(item, here)
        _known(item, {f.name for f in fields(Feed)}, here)
        for key in ("name", "url"):
            if key not in item:
                raise FeedsError("E803", f"{here}: '{key}' is missing; every [[feed]] needs a name and a url.")
        name = _string(item["name"], f"{here} name")
        here = f"{where}: feed {name!r}"
        url = _string(item["url"], f"{here} url")
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FeedsError("E803", f"{here}: url {url!r} is not an http(s) URL.")
        if name in names:
            raise FeedsError("E803", f"{here}: two feeds are named {name!r}; names must be unique.")
        if url in urls:
            raise FeedsError("E803", f"{here}: the url {url} is listed twice.")
        names.add(name)
        urls.add(url)
        body = item.get("body")
        if body is not None:
            from .page import compile_hint
            compile_hint(_string(body, f"{here} body"), f"{here} body")
        feeds.append(Feed(name=name, url=url, language=_string(item.get("language", language), f"{here} language"),
                          interval=parse_duration(item.get("interval", interval), f"{here} interval"),
                          body=body, source=_string(item["source"], f"{here} source") if "source" in item
                          else None))
    return FeedsFile(path=where, feeds=tuple(feeds), fetch=fetch)


def _fetch_settings(data, where: str) -> FetchSettings:
    _table(data, where)
    _known(data, {f.name for f in fields(FetchSettings)}, where)
    out = {}
    for key, value in data.items():
        if key in ("timeout", "delay", "backoff"):
            out[key] = parse_duration(value, f"{where} {key}", zero=key == "delay")
        elif key == "user_agent":
            out[key] = _string(value, f"{where} {key}")
        else:
            smallest = 0 if key in ("retries", "max_redirects") else 1
            if isinstance(value, bool) or not isinstance(value, int) or value < smallest:
                raise FeedsError("E802", f"{where} {key}: expected a whole number of at least {smallest}, "
                                 f"got {value!r}.")
            out[key] = value
    return FetchSettings(**out)


def _known(data: dict, keys: set[str], where: str) -> None:
    unknown = sorted(set(data) - keys)
    if unknown:
        raise FeedsError("E802", f"{where}: unknown key {unknown[0]!r}; the keys are {', '.join(sorted(keys))}.")


def _table(value, where: str) -> None:
    if not isinstance(value, dict):
        raise FeedsError("E802", f"{where}: expected a table, got {type(value).__name__}.")


def _string(value, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise FeedsError("E802", f"{where}: expected a non-empty string, got {value!r}.")
    return value.strip()
