"""Feeds into items: RSS and Atom with feedparser, their dates, and canonical URLs.

Dates: an RSS pubDate is RFC 822 (`email.utils`), an Atom date ISO 8601/RFC 3339
(`datetime.fromisoformat`); Arabic outlets also write "الثلاثاء 19 مارس 2019", which
feedparser leaves unparsed, so those go through marsad's own date rules
(`marsad.dates.times`, the same month and weekday names the pipeline reads); anything else
(relative times such as "منذ ساعتين") is left to dateparser, in the feed's language.

Canonical URLs make one article one URL however a feed links it: lower-case scheme and host,
no default port, no fragment, no tracking parameters (utm_*, BBC's at_*, fbclid ...), and the
path percent-encoded one way.
"""
from __future__ import annotations

import email.utils
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date as Date, datetime, timezone
from urllib.parse import parse_qsl, quote, urlencode, urljoin, urlsplit, urlunsplit

# Query parameters that say where a click came from, not which page it is.
TRACKING_PREFIXES = ("utm_", "at_", "mc_", "pk_", "_hs")
TRACKING_PARAMS = frozenset({"fbclid", "gclid", "dclid", "yclid", "msclkid", "igshid", "ocid", "cmpid", "_ga",
                             "ref_src", "from_rss"})
_SAFE_PATH = "/%:@!$&'()*+,;=-._~"
_SAFE_QUERY = _SAFE_PATH + "?"


@dataclass
class Entry:
    item_id: str                  # the item's guid, else its link, else a hash of its title and date
    link: str | None              # absolute, as the feed gives it
    url: str | None               # its canonical form
    title: str | None
    published: datetime | None    # UTC
    published_text: str | None    # as the feed writes it
    day: str | None               # publication day, ISO (from `published`)


@dataclass
class ParsedFeed:
    entries: list[Entry] = field(default_factory=list)
    title: str | None = None
    version: str | None = None    # rss20, atom10, ... (feedparser's name); None: not a feed
    error: str | None = None      # what was wrong with it, when something was


# Problems feedparser reports that do not make a feed wrong: a charset the HTTP header and
# the XML declaration disagree on (feedparser resolves it), a feed served as text/html.
_BENIGN = ("CharacterEncodingOverride", "NonXMLContentType")


def parse_feed(content: bytes, content_type: str | None, base_url: str, language: str = "ar") -> ParsedFeed:
    """Items of an RSS or Atom document; `error` says what was malformed (the items read are kept)."""
    import feedparser

    # A stream, never bytes or a string: feedparser would take a string that looks like a URL or
    # a file name for one, and open it.
    d = feedparser.parse(io.BytesIO(content), response_headers={
        "content-type": content_type or "application/xml", "content-location": base_url})
    out = ParsedFeed(title=_clean(d.feed.get("title")), version=d.get("version") or None)
    problem = d.get("bozo_exception") if d.get("bozo") else None
    if problem is not None and type(problem).__name__ in _BENIGN:
        problem = None
    if not out.version and not d.entries:
        out.error = "not an RSS or Atom feed" + (f" ({_say(problem)})" if problem is not None else "")
        return out
    for e in d.entries:
        link = _clean(e.get("link"))
        link = urljoin(base_url, link) if link else None
        title = _clean(e.get("title"))
        text = _clean(e.get("published") or e.get("updated") or e.get("created"))
        when = parse_date(text, language) if text else None
        if when is None:
            parsed = e.get("published_parsed") or e.get("updated_parsed")
            if parsed:
                when = datetime(*parsed[:6])
        guid = _clean(e.get("id"))
        item_id = guid or link or "sha256:" + hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:32]
        moment = when if isinstance(when, datetime) else None
        day = when.date().isoformat() if isinstance(when, datetime) else when.isoformat() if when else None
        out.entries.append(Entry(item_id=item_id, link=link, url=canonical_url(link) if link else None,
                                 title=title, published=moment, published_text=text, day=day))
    if problem is not None:
        out.error = f"malformed feed: {_say(problem)} ({len(out.entries)} items read anyway)"
    return out


def _say(problem) -> str:
    return " ".join(str(problem).split()) or type(problem).__name__


def _clean(value) -> str | None:
    if value is None:
        return None
    value = " ".join(str(value).split())
    return value or None


# -- dates ---------------------------------------------------------------------------------

def parse_date(text: str, language: str = "ar") -> datetime | Date | None:
    """A feed's date: a UTC datetime when it gives the time (RFC 822, ISO 8601, dateparser),
    a date when it gives the day only (the Arabic dates marsad reads), None when unreadable."""
    s = text.strip()
    if not s:
        return None
    try:
        return _utc(email.utils.parsedate_to_datetime(s))
    except (TypeError, ValueError, IndexError):
        pass
    try:
        return _utc(datetime.fromisoformat(s))
    except ValueError:
        pass
    if any("\u0600" <= c <= "\u06ff" for c in s):
        from ..dates.times import find_time_spans
        for _, _, t in find_time_spans(s, None):
            if t.kind == "date" and t.value and t.precision == "day":
                return Date.fromisoformat(t.value)
    return _dateparser(s, language)


def _dateparser(s: str, language: str) -> datetime | None:
    import dateparser

    languages = list(dict.fromkeys([language.split("-")[0].lower(), "ar", "en"]))
    try:
        found = dateparser.parse(s, languages=languages, settings={
            "RETURN_AS_TIMEZONE_AWARE": True, "TO_TIMEZONE": "UTC", "PREFER_DATES_FROM": "past"})
    except Exception:      # dateparser raises assorted errors on odd strings
        return None
    return _utc(found) if found else None


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


# -- URLs ----------------------------------------------------------------------------------

def canonical_url(url: str) -> str:
    """One spelling of a URL (see the module doc)."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port if parts.port and (scheme, parts.port) not in (("http", 80), ("https", 443)) else None
    netloc = host + (f":{port}" if port else "")
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    path = quote(parts.path or "/", safe=_SAFE_PATH)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith(TRACKING_PREFIXES) and k.lower() not in TRACKING_PARAMS]
    return urlunsplit((scheme, netloc, _upper_escapes(path), urlencode(query, safe=_SAFE_QUERY), ""))


def _upper_escapes(s: str) -> str:
    out, i = [], 0
    while i < len(s):
        if s[i] == "%" and i + 2 < len(s) and all(c in "0123456789abcdefABCDEF" for c in s[i + 1:i + 3]):
            out.append(s[i:i + 3].upper())
            i += 3
        else:
            out.append(s[i])
            i += 1
    return "".join(out)


def same_site(a: str, b: str) -> bool:
    """Whether two URLs are on one site (www., m. and amp. prefixes aside)."""
    def site(u):
        host = (urlsplit(u).hostname or "").lower()
        for prefix in ("www.", "m.", "amp."):
            if host.startswith(prefix):
                host = host[len(prefix):]
        return host
    return site(a) == site(b) != ""
