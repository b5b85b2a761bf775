"""What `marsad ingest` reads: paths, folders and glob patterns, each article with its file.

Files are read with `marsad.readers` (same formats and the same error messages as
`marsad extract`), except that JSON Lines files are streamed line by line: a corpus file
holds many articles, so its size limit applies to each line rather than to the whole file,
and a file of millions of articles never has to fit in memory.
"""
from __future__ import annotations

import glob
import gzip
import json
import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from ..article import Article
from ..errors import InputError
from ..readers import MAX_BYTES, SUFFIXES, _suffix, from_record, read_inputs


def expand(paths: Iterable[str]) -> list[str | InputError]:
    """Paths, with folders and glob patterns replaced by the article files they hold."""
    out: list[str | InputError] = []
    for raw in paths:
        path = Path(raw)
        if raw == "-" or path.is_file():
            out.append(raw)
        elif path.is_dir():
            files = sorted(str(p) for p in path.rglob("*") if p.is_file() and _suffix(p) in SUFFIXES)
            out.extend(files or [InputError(raw, f"no article files in this folder (looked for "
                                                 f"{', '.join(SUFFIXES)}).", "E108")])
        elif glob.has_magic(raw):
            files = sorted(p for p in glob.glob(raw, recursive=True) if Path(p).is_file())
            out.extend(files or [InputError(raw, "no file matches this pattern.", "E107")])
        else:
            out.append(InputError(raw, "no such file or folder.", "E107"))
    return out


def estimate(files: Iterable[str | InputError]) -> int | None:
    """How many articles the files hold (for the progress bar's ETA); None when unknown (stdin)."""
    total = 0
    for f in files:
        if isinstance(f, InputError):
            total += 1
        elif f == "-":
            return None
        elif _suffix(Path(f)) == ".jsonl":
            try:
                with _open(f) as fh:
                    total += sum(1 for line in fh if line.strip())
            except _UNREADABLE:     # reading it will say why, as an error row of its own
                total += 1
        elif _suffix(Path(f)) == ".json":
            try:
                with _open(f) as fh:
                    data = json.load(fh)
                total += len(data) if isinstance(data, list) else 1
            except (*_UNREADABLE, ValueError):
                total += 1
        else:
            total += 1
    return total


def iter_articles(files: Iterable[str | InputError], max_bytes: int = MAX_BYTES
                  ) -> Iterator[tuple[str, Article | InputError]]:
    """(file, article or error) for every article of every file."""
    for f in files:
        if isinstance(f, InputError):
            yield f.where, f
        elif f != "-" and _suffix(Path(f)) == ".jsonl":
            yield from ((f, item) for item in _jsonl(f, max_bytes))
        else:
            yield from ((f, item) for item in read_inputs([f], max_bytes=max_bytes))


# What reading a file can raise: a missing or unreadable file, and a corrupt gzip stream
# (gzip.BadGzipFile is an OSError; a damaged deflate block is a zlib.error; a cut one an EOFError).
_UNREADABLE = (OSError, EOFError, zlib.error)


def _open(path: str):
    return gzip.open(path, "rb") if path.lower().endswith(".gz") else open(path, "rb")


def _jsonl(path: str, max_bytes: int, offset: int = 0, before: int = 0, lines: int | None = None
           ) -> Iterator[Article | InputError]:
    """The articles of a JSON Lines file; or, for a reader of one part of it (a Spark task: see
    `line_offsets`), the `lines` lines from byte `offset` on, the first being line `before` + 1."""
    try:
        fh = _open(path)
        if offset:
            fh.seek(offset)
    except OSError as e:
        yield InputError(path, f"cannot read: {e}.", "E107")
        return
    whole = offset == 0 and lines is None
    empty = True
    with fh:
        n = before
        while lines is None or n < before + lines:
            try:
                # Binary lines split on b"\n" only, never on U+2028 inside a JSON string.
                line = fh.readline()
            except _UNREADABLE as e:
                yield InputError(f"{path}:{n + 1}", f"cannot read: {e}.", "E107")
                return
            if not line:
                break
            n += 1
            if not line.strip():
                continue
            empty = False
            here = f"{path}:{n}"
            if len(line) > max_bytes:
                yield InputError(here, f"line too large ({len(line) / 1e6:.1f} MB; the limit is "
                                 f"{max_bytes / 1e6:.0f} MB per article).", "E103")
                continue
            try:
                record = json.loads(line.decode("utf-8-sig" if n == 1 else "utf-8"))
                yield from_record(record, here)
            except UnicodeDecodeError as e:
                yield InputError(here, f"not valid UTF-8 (byte {e.start}). Convert the file to UTF-8 first.",
                                 "E102")
            except json.JSONDecodeError as e:
                yield InputError(here, f"invalid JSON: {e.msg} (column {e.colno}).", "E106")
            except InputError as e:
                yield e
    if empty and whole:
        yield InputError(path, "empty: no articles in this file.", "E105")


def line_offsets(path: str, every: int) -> tuple[int, list[tuple[int, int]]]:
    """(lines in a plain JSON Lines file, [(byte offset, line number before it)] every `every` lines),
    from one pass over its bytes: where each reader of a part of the file starts (`_jsonl`)."""
    starts, n, pos = [(0, 0)], 0, 0
    with open(path, "rb") as fh:
        for raw in fh:
            n += 1
            pos += len(raw)
            if n % every == 0:
                starts.append((pos, n))
    if starts[-1][1] == n and n:
        starts.pop()
    return n, starts
