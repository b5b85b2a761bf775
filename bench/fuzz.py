"""Fuzz the whole pipeline: real article fragments, mutated, with edge dates and odd Unicode.

    python bench/fuzz.py --seconds 600        # prints inputs/s, exceptions and any reproducer
    python bench/fuzz.py --seconds 60 --out repro.jsonl

Inputs are drawn with Hypothesis (`strategies()` below, shared with tests/test_fuzz.py):
fragments of the real corpus (../shared/data/arabic_conflict_news) cut at random, joined, and
mutated with what broke the pipeline before (issue 19) and what news pages carry: relative
times far from the publication date ("قبل 3000 سنة", "منذ 2019 عاما"), digit runs of any
length, date lines from 0001/01/01 to 9999/12/31, lone surrogates, bidi and zero-width
marks, presentation forms, diacritics, NULs and control characters, emoji and other astral
characters, floods of one trigger word, lines without spaces; publication dates at the edges
of the calendar. Each input goes through the reader (`marsad.readers.from_record`, as the CLI,
ingest and the API read it), the pipeline and the output record, and the record is checked:
every span exact, counts >= 0, every date ISO and inside the supported range, the record
JSON- and UTF-8-encodable. An input the reader refuses (an empty text) is counted, not an error.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from datetime import date
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "arabic_conflict_news" / "articles.jsonl"

HOSTILE = [
    "قبل 3000 سنة", "منذ 2019 عاما", "قبل 800000 يوم", "منذ 99999999999 شهرا", "بعد 99999 أيام على",
    "9999/12/31", "0001/01/01", "31/12/9999", "1436/10/25هـ", "2019/02/30", "الثلاثاء 2019/03/19",
    "غدا", "بعد غد", "الاثنين المقبل", "الأسبوع الماضي", "العام الماضي", "خلال الأيام الماضية",
    "\ud800", "\udfff", "\ud83d", "\u200f", "\u202e", "\u2066", "\u200b", "\ufeff", "\u0640" * 5, "\u064b\u064c",
    "\ufefb", "\ufdf2", "\u0000", "\x07", "\r", "\t", "\u2028", "\U0001F600", "\U00010000", "\uffff",
    "«", "»", '"', "(", ")", "...", "؟", "،", "٫", "٬", "١٢٣٬٤٥٦", "١٫٥ مليون",
    "قتل", "مقتل 66 ألف شخص", "أكثر من", "عشرات", "مئات الآلاف", "بين 10 و15", "مليار مليار",
]
DATES = [None, "0001-01-01", "9999-12-31", "1900-01-01", "2100-12-31", "1899-12-31", "2101-01-01",
         "2000-02-29", "2019-03-19", "2015-07-21", "1970-01-01"]


@lru_cache(maxsize=1)
def fragments() -> list[str]:
    """Lines of real articles (every 4th of the corpus), the material the fuzzer cuts and joins."""
    out = []
    with CORPUS.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i % 4 == 0:
                out.extend(p for p in json.loads(line)["text"].split("\n") if p.strip())
    return out


def strategies():
    """The Hypothesis strategy of one input: {"text", "date", "title"}."""
    from hypothesis import strategies as st

    frags = fragments()
    fragment = st.builds(lambda i, a, b: _cut(frags[i], a, b), st.integers(0, len(frags) - 1),
                         st.floats(0, 1), st.floats(0, 1))
    digits = st.integers(1, 400).map(lambda n: "9" * n) | st.integers(0, 10**400).map(str)
    far = st.builds(lambda lead, n, unit: f"{lead} {n} {unit}", st.sampled_from(["قبل", "منذ", "خلال"]),
                    st.integers(0, 10**12), st.sampled_from(["يوم", "أيام", "شهرا", "أشهر", "سنة", "عاما", "ساعة"]))
    date_line = st.builds(lambda y, m, d, sep: f"{y}{sep}{m}{sep}{d}", st.integers(0, 99999), st.integers(0, 99),
                          st.integers(0, 99), st.sampled_from("/-."))
    odd = st.text(st.characters(codec=None, exclude_categories=()), min_size=1, max_size=8)
    piece = st.one_of(fragment, fragment, fragment, st.sampled_from(HOSTILE), digits, far, date_line, odd,
                      st.builds(lambda w, n: (w + " ") * n, st.sampled_from(["قتل", "غارة", "اشتباكات"]),
                                st.integers(1, 400)),
                      st.builds(lambda i: "".join(frags[i].split()), st.integers(0, len(frags) - 1)))
    sep = st.sampled_from([" ", " ", "\n", "، ", ". ", "", "\n\n"])
    text = st.lists(st.tuples(piece, sep), min_size=1, max_size=12).map(lambda ps: "".join(a + b for a, b in ps))
    pub = st.sampled_from(DATES) | st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat)
    title = st.none() | fragment | odd
    return st.fixed_dictionaries({"text": text, "date": pub, "title": title})


def _cut(s: str, a: float, b: float) -> str:
    i, j = sorted((int(a * len(s)), int(b * len(s))))
    return s[i:j + 1]


DATE_KEYS = ("date", "date_start", "value", "start")
COUNT_KEYS = ("fatalities", "injured", "detained", "value", "value_max")


def _spans(obj):
    if isinstance(obj, dict):
        if set(obj) >= {"start", "end", "text"} and isinstance(obj["start"], int):
            yield obj
        for v in obj.values():
            yield from _spans(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _spans(v)


def violations(record: dict, text: str) -> list[str]:
    """What an output must hold whatever the input; the broken ones, described."""
    from marsad.dates import calendar as cal
    out = []
    try:
        json.dumps(record, ensure_ascii=False).encode("utf-8")
    except (TypeError, ValueError, UnicodeError) as e:
        out.append(f"record not JSON/UTF-8: {e}")
    for s in _spans(record):
        if not (0 <= s["start"] <= s["end"] <= len(text)) or text[s["start"]:s["end"]] != s["text"]:
            out.append(f"span {s['start']}-{s['end']} says {s['text']!r}")
    for layer in ("events", "figures", "quotes", "times", "places", "entities", "actors", "sentences"):
        for item in record.get(layer, ()):
            for key in DATE_KEYS:
                v = item.get(key)
                if isinstance(v, str):
                    try:
                        ok = cal.in_range(date.fromisoformat(v))
                    except ValueError:
                        ok = False
                    if not ok:
                        out.append(f"{layer}.{key} = {v!r} is no ISO day in the supported range")
            if layer in ("events", "figures"):
                for key in COUNT_KEYS:
                    v = item.get(key)
                    if isinstance(v, (int, float)) and v < 0:
                        out.append(f"{layer}.{key} = {v} < 0")
    if record.get("date") is not None and not cal.in_range(date.fromisoformat(record["date"])):
        out.append(f"publication date {record['date']} outside the supported range")
    return out


def run_one(case: dict) -> tuple[str, str | None]:
    """('ok' | 'rejected' | 'exception' | 'violation', detail) for one input."""
    import marsad
    from marsad.errors import InputError
    from marsad.output import to_record
    from marsad.readers import from_record
    try:
        article = from_record(case, "fuzz")
    except InputError as e:
        return "rejected", e.code
    try:
        record = to_record(marsad.extract(article))
    except Exception as e:
        return "exception", "".join(traceback.format_exception(e, limit=-4))
    bad = violations(record, article.text)
    return ("violation", "; ".join(bad[:5])) if bad else ("ok", None)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--batch", type=int, default=100, help="inputs per Hypothesis run")
    ap.add_argument("--out", type=Path, default=None, help="write reproducers here (JSON Lines)")
    args = ap.parse_args(argv)

    from hypothesis import HealthCheck, Phase, given, settings

    import marsad
    from marsad.readers import from_plain_text
    marsad.extract(from_plain_text("قتل ثلاثة مدنيين في قصف على حلب أمس.", date="2019-03-19"))   # warm up
    counts = {"ok": 0, "rejected": 0, "exception": 0, "violation": 0}
    repro: list[dict] = []
    seen: set[str] = set()
    chars = 0
    t0 = time.perf_counter()
    load0 = os.getloadavg()[0]

    @settings(max_examples=args.batch, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategies())
    def batch(case):
        nonlocal chars
        if time.perf_counter() - t0 > args.seconds:
            return
        kind, detail = run_one(case)
        counts[kind] += 1
        chars += len(case["text"])
        if kind in ("exception", "violation"):
            cause = (detail or "").strip().splitlines()[-1] if detail else kind
            if cause not in seen:
                seen.add(cause)
                repro.append({"kind": kind, "cause": cause, "input": case, "detail": detail})
                print(f"{kind}: {cause}\n  reproducer: {json.dumps(case, ensure_ascii=True)[:2000]}", flush=True)

    while time.perf_counter() - t0 < args.seconds:
        batch()
    elapsed = time.perf_counter() - t0
    n = sum(counts.values())
    print(f"{n} inputs in {elapsed:.0f} s: {n / elapsed:.1f} inputs/s, {chars / elapsed:.0f} chars/s; "
          f"{counts['ok']} ok, {counts['rejected']} rejected by the reader, {counts['exception']} exceptions "
          f"({len({r['cause'] for r in repro if r['kind'] == 'exception'})} distinct), "
          f"{counts['violation']} invariant violations; load average {load0:.2f} at start, "
          f"{os.getloadavg()[0]:.2f} at end ({os.cpu_count()} cores)")
    if args.out and repro:
        args.out.write_text("".join(json.dumps(r, ensure_ascii=True) + "\n" for r in repro), encoding="utf-8")
        print(f"reproducers written to {args.out}")
    return 1 if counts["exception"] or counts["violation"] else 0


if __name__ == "__main__":
    sys.exit(main())
