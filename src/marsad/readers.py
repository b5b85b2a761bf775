"""Read articles from files: .txt, .json, .jsonl, .html (and any of them gzipped).

`read_inputs(paths)` yields an `Article` for every article it can read and an
`InputError` (naming the file, and the line for JSON Lines) for every one it cannot,
so one bad input never stops the others. HTML goes through trafilatura, which
finds the main text, title and date of a page.

Every Article is made here (`from_record`, `from_plain_text`, `from_html`), and this is
where its strings are made safe for every later stage, once:
- a lone UTF-16 surrogate (legal in JSON as "\ud800", never valid Unicode) becomes U+FFFD,
  one character for one, so every offset into the text stays what it was;
- a publication date outside the days marsad resolves (`dates.calendar.MIN_DAY..MAX_DAY`)
  is clamped to the nearest of them, with a warning on the article saying so.
"""
from __future__ import annotations

import gzip
import json
import re
import sys
import zlib
from collections.abc import Iterable, Iterator
from datetime import date as Date
from pathlib import Path

from .article import Article
from .errors import InputError

SUFFIXES = (".txt", ".json", ".jsonl", ".html", ".htm")
MAX_BYTES = 10 * 1024 * 1024     # a news article is KBs; 10 MB is a scraper gone wrong
_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(value: str) -> str:
    """The string with each lone surrogate replaced by U+FFFD, one for one (offsets unchanged)."""
    return _SURROGATE.sub("\ufffd", value) if _SURROGATE.search(value) else value


def _clean(value) -> str | None:
    return None if value is None else clean_text(str(value))


def publication_date(value, where: str) -> tuple[str | None, str | None]:
    """(ISO day clamped to the supported range, a warning when it was clamped) of an input date."""
    from .dates import calendar as cal

    iso = parse_date(value, where)
    if iso is None:
        return None, None
    day = Date.fromisoformat(iso)
    if cal.in_range(day):
        return iso, None
    near = cal.clamp(day)
    return near.isoformat(), (f"{where}: publication date {iso} is outside the dates marsad resolves "
                              f"({cal.MIN_DAY}..{cal.MAX_DAY}); relative dates are resolved against {near}.")


def parse_date(value, where: str) -> str | None:
    """ISO day from 'YYYY-MM-DD' or an ISO timestamp; an InputError for anything else."""
    if value in (None, ""):
        return None
    s = str(value).strip()
    try:
        if len(s) == 10 or (len(s) > 10 and s[10] in "T "):
            return Date.fromisoformat(s[:10]).isoformat()
    except ValueError:
        pass
    raise InputError(where, f"malformed date {s!r}: expected YYYY-MM-DD (or an ISO timestamp).", "E104")


def read_inputs(paths: Iterable[str], date: str | None = None, id: str | None = None,
                max_bytes: int = MAX_BYTES) -> Iterator[Article | InputError]:
    for raw in paths:
        if raw == "-":
            yield from _from_bytes(sys.stdin.buffer.read(), "<stdin>", ".txt", date, id, max_bytes)
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and _suffix(p) in SUFFIXES)
            if not files:
                yield InputError(str(path), f"no article files in this folder (looked for {', '.join(SUFFIXES)}).",
                                 "E108")
            for p in files:
                yield from _from_file(p, date, None, max_bytes)
        elif not path.exists():
            yield InputError(str(path), "no such file or folder.", "E107")
        else:
            yield from _from_file(path, date, id, max_bytes)


def _suffix(path: Path) -> str:
    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    return suffixes[-1] if suffixes else ""


def _from_file(path: Path, date, id, max_bytes) -> Iterator[Article | InputError]:
    where = str(path)
    suffix = _suffix(path)
    if suffix not in SUFFIXES:
        yield InputError(where, f"unknown file type {suffix or '(none)'!r}; marsad reads {', '.join(SUFFIXES)} "
                         "(optionally .gz).", "E101")
        return
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield _too_large(where, size, max_bytes)
            return
        data = path.read_bytes()
        if path.suffix.lower() == ".gz":
            data = gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as e:      # a corrupt gzip raises any of these
        yield InputError(where, f"cannot read: {e}.", "E107")
        return
    yield from _from_bytes(data, where, suffix, date, id or (path.name.split(".")[0] if suffix in
                                                             (".txt", ".html", ".htm") else None), max_bytes)


def _too_large(where, size, max_bytes):
    return InputError(where, f"too large ({size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB per input). "
                      "Split it into articles or raise --max-bytes.", "E103")


def _decode(data: bytes, where: str) -> str:
    if b"\x00" in data[:8192]:
        raise InputError(where, "binary file (contains NUL bytes), not text.", "E102")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(where, f"not valid UTF-8 (byte {e.start}: {data[e.start:e.start + 1]!r}). "
                         "Convert it to UTF-8 first.", "E102") from None
    controls = sum(1 for c in text[:8192] if ord(c) < 32 and c not in "\n\r\t\f")
    if controls > 0.05 * min(len(text), 8192):
        raise InputError(where, "binary file (mostly control characters), not text.", "E102")
    return text


def _from_bytes(data: bytes, where, suffix, date, id, max_bytes) -> Iterator[Article | InputError]:
    if len(data) > max_bytes:
        yield _too_large(where, len(data), max_bytes)
        return
    try:
        text = _decode(data, where)
        if not text.strip():
            raise InputError(where, "empty: no text to extract from.", "E105")
        if suffix == ".jsonl":
            yield from _from_jsonl(text, where, date)
        elif suffix == ".json":
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as e:
                raise InputError(where, f"invalid JSON at line {e.lineno}: {e.msg}.", "E106") from None
            for i, record in enumerate(obj if isinstance(obj, list) else [obj]):
                yield _checked(lambda: from_record(record, f"{where}[{i}]" if isinstance(obj, list) else where,
                                                   date))
        elif suffix in (".html", ".htm"):
            yield from_html(text, where, date, id)
        else:
            yield from_plain_text(text, where, date, id)
    except InputError as e:
        yield e


def _checked(make):
    try:
        return make()
    except InputError as e:
        return e


def _from_jsonl(text: str, where: str, date) -> Iterator[Article | InputError]:
    # Split on "\n" only: str.splitlines() also breaks on U+2028/U+2029 and other separators
    # that JSON allows unescaped inside a string, which would cut a record in two.
    for n, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        here = f"{where}:{n}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as e:
            yield InputError(here, f"invalid JSON: {e.msg} (column {e.colno}).", "E106")
            continue
        yield _checked(lambda: from_record(record, here, date))


def from_record(record, where: str, date: str | None = None) -> Article:
    """An Article from a JSON object with fields id, date, title, text, url, source."""
    if not isinstance(record, dict):
        raise InputError(where, f"expected a JSON object, got {type(record).__name__}.", "E106")
    text = record.get("text")
    if not isinstance(text, str):
        raise InputError(where, "no 'text' field: each record needs the article text in 'text'.", "E106")
    if not text.strip():
        raise InputError(where, "empty 'text': no text to extract from.", "E105")
    pub, warning = publication_date(date, "--date") if date else \
        publication_date(record.get("date"), f"{where}: field 'date'")
    return _made(Article(text=clean_text(text), id=_clean(record.get("id")), url=_clean(record.get("url")),
                         source=_clean(record.get("source")), title=_clean(record.get("title")),
                         date=pub, date_source="input" if pub else None), warning)


def _made(article: Article, warning: str | None) -> Article:
    if warning:
        article.warnings.append(warning)
    return article


def from_plain_text(text: str, where: str = "<text>", date: str | None = None, id: str | None = None) -> Article:
    pub, warning = publication_date(date, "--date") if date else (None, None)
    text = clean_text(text)
    first = text.lstrip().split("\n", 1)[0].strip()
    title = first if first and len(first) <= 200 and "\n" in text.strip() else None
    return _made(Article(text=text, id=_clean(id), title=title, date=pub, date_source="input" if pub else None),
                 warning)


def from_html(html: str, where: str, date: str | None = None, id: str | None = None) -> Article:
    import trafilatura   # heavy import, only for HTML

    doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                      include_tables=False, favor_precision=True)
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        raise InputError(where, "no article text found in this HTML page.", "E105")
    pub, warning = publication_date(date, "--date") if date else \
        publication_date(getattr(doc, "date", None), f"{where}: page date")
    return _made(Article(text=clean_text(text), id=_clean(id), url=_clean(getattr(doc, "url", None)),
                         title=_clean(getattr(doc, "title", None)), source=_clean(getattr(doc, "sitename", None)),
                         date=pub, date_source="input" if pub else None), warning)
