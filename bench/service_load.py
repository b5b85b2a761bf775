"""Load benchmark of the HTTP API on loopback: requests/s and latency percentiles for
GET /v1/events and POST /v1/extract.

    python bench/service_load.py                      # a store built from the real corpus
    python bench/service_load.py --db marsad.duckdb   # an existing store (e.g. from `marsad ingest`)
    python bench/service_load.py --tool wrk           # Debian's wrk as the load generator
    python bench/service_load.py --workers 2 --vs-datasette --pathological

It starts `marsad serve` as a separate process on 127.0.0.1 (a free port), sends a bounded
number of requests for a bounded time from this process (asyncio + httpx, C requests in
flight) or from wrk, and prints one table row per scenario. Nothing leaves 127.0.0.1.

Without --db the store holds the 2,000 corpus articles (../shared), each given events by
a keyword rule (a place name and a conflict verb in one sentence -> an event with that
sentence as evidence): real text and a realistic row count for the read path, whatever
the extraction stages find today. Note that load generator and server share this
machine's cores, so the figures are a floor for what the server alone would do; the
load average is printed with every row.

--vs-datasette serves the same events (the columns a page of /v1/events answers, with the
article's title, source and date) as a SQLite table with Datasette (`pip install datasette`,
a bench dependency only), indexed on what the two queries use, and loads it with the same
requests in the same run: the newest 50, and 50 of one country and event type, as JSON
(`_shape=objects&_nosuggest=1`: no facet suggestions, which marsad does not compute either).
--pathological repeats the /v1/events rows with two pathological POST /v1/extract in flight
(600 KB of one trigger word each, past the server's per-article deadline).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "data" / "arabic_conflict_news" / "articles.jsonl"
PLACES = {  # Arabic name -> (English, country, admin1, lat, lon)
    "حلب": ("Aleppo", "SY", "Aleppo", 36.20, 37.16), "دمشق": ("Damascus", "SY", "Damascus", 33.51, 36.29),
    "إدلب": ("Idlib", "SY", "Idlib", 35.93, 36.63), "حمص": ("Homs", "SY", "Homs", 34.73, 36.71),
    "درعا": ("Daraa", "SY", "Daraa", 32.62, 36.10), "الرقة": ("Raqqa", "SY", "Raqqa", 35.95, 39.01),
    "الموصل": ("Mosul", "IQ", "Nineveh", 36.34, 43.13), "بغداد": ("Baghdad", "IQ", "Baghdad", 33.34, 44.40),
    "الأنبار": ("Anbar", "IQ", "Anbar", 33.0, 42.5), "صنعاء": ("Sanaa", "YE", "Sanaa", 15.35, 44.21),
    "عدن": ("Aden", "YE", "Aden", 12.78, 45.04), "تعز": ("Taiz", "YE", "Taiz", 13.58, 44.02),
    "بنغازي": ("Benghazi", "LY", "Benghazi", 32.12, 20.07), "طرابلس": ("Tripoli", "LY", "Tripoli", 32.89, 13.19),
    "غزة": ("Gaza", "PS", "Gaza", 31.50, 34.47), "سيناء": ("Sinai", "EG", "North Sinai", 30.6, 33.6),
}
VERBS = {  # verb stem -> (event type, sub-event type)
    "قصف": ("Explosions/Remote violence", "Shelling/artillery/missile attack"),
    "غار": ("Explosions/Remote violence", "Air/drone strike"),
    "انفجار": ("Explosions/Remote violence", "Remote explosive/landmine/IED"),
    "اشتباك": ("Battles", "Armed clash"), "معارك": ("Battles", "Armed clash"),
    "اعتقل": ("Strategic developments", "Arrests"), "تظاهر": ("Protests", "Peaceful protest"),
    "قتل": ("Violence against civilians", "Attack"),
}


def build_store(path: Path, limit: int) -> int:
    from marsad.article import Article, Event, Place, Span
    from marsad.batch.extract import to_record
    from marsad.readers import parse_date
    from marsad.store.db import Store

    records, n_events = [], 0
    with CORPUS.open(encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= limit:
                break
            r = json.loads(line)
            text, events = r["text"], []
            for m in re.finditer(r"[^.!؟\n]{20,400}[.!؟\n]?", text):
                sentence = m.group(0)
                place = next((p for p in PLACES if p in sentence), None)
                verb = next((v for v in VERBS if v in sentence), None)
                if place and verb:
                    at = text.index(place, m.start())
                    en, cc, adm, lat, lon = PLACES[place]
                    kind, sub = VERBS[verb]
                    day = parse_date(r.get("date"), "date")
                    events.append(Event(kind, sub, evidence=Span(m.start(), m.end()), date=day,
                                        location=Place(Span(at, at + len(place)), place, name_en=en, country=cc,
                                                       admin1=adm, lat=lat + random.uniform(-.1, .1),
                                                       lon=lon + random.uniform(-.1, .1), geo_precision=1),
                                        fatalities=random.choice([None, 0, 1, 2, 5, 12]),
                                        trigger=Span(text.index(verb, m.start()), text.index(verb, m.start()) + len(verb))))
            article = Article(text=text, id=r["id"], url=r.get("url"), source=r.get("source"), title=r.get("title"),
                              date=parse_date(r.get("date"), "date"), date_source="input", layers={"events": events})
            records.append(to_record(article))
            n_events += len(events)
    with Store(path) as store:
        store.write(records)
    return n_events


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(db: Path, port: int, workers: int, timeout: float = 5.0, read_cache: int = 256
                 ) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "marsad.cli", "serve", "--db", str(db), "--host", "127.0.0.1",
                             "--port", str(port), "--log-level", "warning", "--workers", str(workers),
                             "--article-timeout", str(timeout), "--read-cache", str(read_cache)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return wait_up(proc, f"http://127.0.0.1:{port}/healthz", "marsad serve")


def wait_up(proc: subprocess.Popen, url: str, what: str) -> subprocess.Popen:
    import httpx
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
        if proc.poll() is not None:
            raise SystemExit(f"{what} exited: {proc.stderr.read().decode()[-2000:]}")
    proc.kill()
    raise SystemExit(f"{what} did not answer {url} within 120 s")


def sqlite_copy(db: Path, out: Path) -> int:
    """The events as /v1/events pages them (event, place, actors, counts, evidence, article title,
    source and date) in one SQLite table, indexed for the two queries of the comparison."""
    import sqlite3

    import duckdb
    con = duckdb.connect(str(db), read_only=True)
    cur = con.execute("""
        SELECT e.event_id, e.article_key, e.event_type, e.sub_event_type,
               CAST(coalesce(e.date, a.date) AS VARCHAR) AS day, CAST(e.date AS VARCHAR) AS date,
               e.location_name, e.location_name_en, e.location_country AS country, e.location_admin1 AS admin1,
               e.location_lat AS lat, e.location_lon AS lon, e.actor1_id, e.actor1_name, e.actor2_id, e.actor2_name,
               e.fatalities, e.injured, e.detained, e.evidence_start, e.evidence_end, e.evidence_text, e.confidence,
               a.title, a.source, CAST(a.date AS VARCHAR) AS article_date
        FROM events e JOIN articles a ON a.article_key = e.article_key""")
    names = [d[0] for d in cur.description]
    rows = cur.fetchall()
    con.close()
    lite = sqlite3.connect(out)
    lite.execute(f"CREATE TABLE events ({', '.join(names)}, PRIMARY KEY (event_id))")
    lite.executemany(f"INSERT INTO events VALUES ({', '.join('?' * len(names))})", rows)
    lite.execute("CREATE INDEX events_day ON events (day DESC, event_id)")
    lite.execute("CREATE INDEX events_country_type_day ON events (country, event_type, day DESC)")
    lite.commit()
    lite.close()
    return len(rows)


def start_datasette(path: Path, port: int) -> subprocess.Popen:
    exe = shutil.which("datasette") or str(Path(sys.executable).with_name("datasette"))
    proc = subprocess.Popen([exe, "serve", str(path), "--host", "127.0.0.1", "--port", str(port), "-i", str(path),
                             "--setting", "default_page_size", "50"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return wait_up(proc, f"http://127.0.0.1:{port}/-/versions.json", "datasette")


async def python_load(url: str, method: str, body: bytes | None, concurrency: int, max_requests: int,
                      seconds: float) -> dict:
    import httpx

    latencies, errors, sent = [], 0, 0
    stop_at = time.perf_counter() + seconds
    headers = {"content-type": "application/json"} if body else {}
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:
        async def worker():
            nonlocal errors, sent
            while sent < max_requests and time.perf_counter() < stop_at:
                sent += 1
                t0 = time.perf_counter()
                try:
                    r = await client.request(method, url, content=body, headers=headers)
                    await r.aread()
                    ok = r.status_code == 200
                except httpx.HTTPError:
                    ok = False
                latencies.append(time.perf_counter() - t0)
                errors += not ok
        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
    return {"requests": len(latencies), "errors": errors, "rps": len(latencies) / elapsed,
            "p50": pick(0.50), "p99": pick(0.99), "mean": statistics.fmean(latencies) * 1000}


def wrk_load(url: str, method: str, body: bytes | None, concurrency: int, seconds: float) -> dict:
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk), or use --tool python")
    work = Path(tempfile.mkdtemp(prefix="marsad-wrk-"))
    args = ["wrk", "-t", "1", "-c", str(concurrency), "-d", f"{max(1, int(seconds))}s", "--latency", url]
    if body:
        # The body is read from a file: a Lua string literal cannot carry Arabic JSON safely.
        (work / "body.json").write_bytes(body)
        (work / "post.lua").write_text(f'wrk.method = "{method}"\nwrk.headers["Content-Type"] = "application/json"\n'
                                       f'local f = io.open("{work / "body.json"}", "rb")\n'
                                       'wrk.body = f:read("*a")\nf:close()\n')
        args[1:1] = ["-s", str(work / "post.lua")]
    out = subprocess.run(args, capture_output=True, text=True, timeout=seconds + 60).stdout
    shutil.rmtree(work, ignore_errors=True)

    def ms(label):
        m = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out)
        return float(m.group(1)) * {"us": 1e-3, "ms": 1, "s": 1000}[m.group(2)] if m else float("nan")
    reqs = re.search(r"(\d+) requests in", out)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests": int(reqs.group(1)) if reqs else 0, "errors": int(non2xx.group(1)) if non2xx else 0,
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)), "p50": ms("50"), "p99": ms("99"),
            "mean": float("nan")}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db", type=Path, help="An existing store (default: build one from the corpus).")
    ap.add_argument("--articles", type=int, default=2000, help="Corpus articles in the built store.")
    ap.add_argument("--tool", choices=["python", "wrk"], default="python")
    ap.add_argument("--seconds", type=float, default=10, help="Time limit per scenario.")
    ap.add_argument("--max-requests", type=int, default=5000, help="Request limit per scenario (python tool).")
    ap.add_argument("--concurrency", type=int, nargs="+", default=[1, 8])
    ap.add_argument("--workers", type=int, default=1, help="marsad serve --workers (server processes).")
    ap.add_argument("--vs-datasette", action="store_true",
                    help="Also serve the same events from SQLite with Datasette and load it the same way.")
    ap.add_argument("--pathological", action="store_true",
                    help="Also load /v1/events while two pathological /v1/extract requests are in flight.")
    ap.add_argument("--no-extract", action="store_true", help="Leave out the POST /v1/extract rows.")
    ap.add_argument("--read-cache", type=int, default=256,
                    help="marsad serve --read-cache (0: every request queries the store).")
    args = ap.parse_args()
    import os

    tmp = Path(tempfile.mkdtemp(prefix="marsad-bench-"))
    try:
        db = args.db
        if db is None:
            db = tmp / "bench.duckdb"
            t0 = time.perf_counter()
            n = build_store(db, args.articles)
            print(f"store: {args.articles} corpus articles, {n} events ({time.perf_counter() - t0:.1f} s to build)")
        port = free_port()
        server = start_server(db, port, args.workers, read_cache=args.read_cache)
        base = f"http://127.0.0.1:{port}"
        with CORPUS.open(encoding="utf-8") as f:
            sample = json.loads(next(line for i, line in enumerate(f) if i == 7))
        extract_body = json.dumps({"text": sample["text"], "date": sample["date"][:10]}, ensure_ascii=False).encode()
        scenarios = [
            ("marsad GET /v1/events (page of 50, newest first)", "GET", base + "/v1/events?limit=50", None),
            ("marsad GET /v1/events?country=SY&event_type=Battles", "GET",
             base + "/v1/events?country=SY&event_type=Battles&limit=50", None),
            ("marsad GET /v1/stats", "GET", base + "/v1/stats", None),
        ]
        if not args.no_extract:
            scenarios.append((f"marsad POST /v1/extract ({len(sample['text'])} chars)", "POST", base + "/v1/extract",
                              extract_body))
        others = []
        if args.vs_datasette:
            lite = tmp / "events.db"
            n = sqlite_copy(db, lite)
            dport = free_port()
            others.append(start_datasette(lite, dport))
            dbase = f"http://127.0.0.1:{dport}/events/events.json?_shape=objects&_nosuggest=1&_size=50"
            scenarios[2:2] = [
                ("datasette newest 50 (same rows, SQLite)", "GET", dbase + "&_sort_desc=day", None),
                ("datasette country=SY&event_type=Battles", "GET",
                 dbase + "&country=SY&event_type=Battles&_sort_desc=day", None)]
            print(f"datasette: the same {n} events in SQLite on port {dport}")
        print(f"\nserver: marsad serve on {base} ({args.workers} process(es), --read-cache {args.read_cache}); "
              f"load: {args.tool}; at most {args.seconds:g} s"
              + (f" and {args.max_requests} requests" if args.tool == "python" else "") + " per row; "
              f"{os.cpu_count()} cores, shared with the load generator\n")
        print(f"| {'endpoint':<52} | conc | requests | errors | req/s | p50 ms | p99 ms | load avg |")
        print(f"|{'-' * 54}|------|----------|--------|-------|--------|--------|----------|")

        def row(name, method, url, body, c):
            if args.tool == "wrk":
                r = wrk_load(url, method, body, c, args.seconds)
            else:
                r = asyncio.run(python_load(url, method, body, c, args.max_requests, args.seconds))
            print(f"| {name:<52} | {c:>4} | {r['requests']:>8} | {r['errors']:>6} | {r['rps']:>5.0f} | "
                  f"{r['p50']:>6.1f} | {r['p99']:>6.1f} | {os.getloadavg()[0]:>8.2f} |", flush=True)

        try:
            for name, method, url, body in scenarios:
                for c in args.concurrency:
                    row(name, method, url, body, c)
            if args.pathological:
                import threading

                import httpx
                flood = json.dumps({"text": "قتل " * 150_000}, ensure_ascii=False).encode()
                answers = []

                def pathological():
                    while not stop.is_set():
                        r = httpx.post(base + "/v1/extract", content=flood, timeout=120,
                                       headers={"content-type": "application/json"})
                        answers.append(r.status_code)
                stop = threading.Event()
                threads = [threading.Thread(target=pathological, daemon=True) for _ in range(2)]
                for t in threads:
                    t.start()
                time.sleep(1.0)
                for c in args.concurrency:
                    row("marsad GET /v1/events, 2 pathological extracts on", "GET", scenarios[0][2], None, c)
                stop.set()
                for t in threads:
                    t.join(120)
                print(f"\npathological /v1/extract answers: {sorted(answers)} (504: stopped at the deadline)")
        finally:
            for p in [server, *others]:
                p.send_signal(signal.SIGINT)
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    p.kill()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
