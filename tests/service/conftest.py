"""Fixtures for the HTTP API and dashboard tests: a store filled with hand-built articles
(short Arabic reports written for these tests, every layer and span filled by hand, so no
extraction model is needed) and live uvicorn servers on 127.0.0.1 (random free port)."""
from __future__ import annotations

import contextlib
import secrets
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from marsad.article import ActorMention, Article, Event, Place, Span

ROOT_README = Path(__file__).resolve().parents[2] / "README.md"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
TOKEN = secrets.token_urlsafe(24)
XSS_TITLE = '<script>window.__xss = "title"</script><img src=x onerror="window.__xss = \'title-img\'">'
XSS_URL = "javascript:window.__xss = 'url'"
XSS_PAYLOADS = ('<img src=x onerror="window.__xss = \'text-img\'">', "<script>window.__xss = 'text'</script>",
                '<a href="javascript:window.__xss = \'link\'">انقر</a>')


def span(text: str, phrase: str, start: int = 0) -> Span:
    i = text.index(phrase, start)
    return Span(i, i + len(phrase))


def place(text, phrase, name_en, country, admin1, lat, lon):
    return Place(span(text, phrase), phrase, geonameid=None, name_en=name_en, country=country, admin1=admin1,
                 lat=lat, lon=lon, geo_precision=1, feature="city")


def actor(text, phrase, actor_id, name, kind):
    return ActorMention(span(text, phrase), actor_id, name=name, actor_type=kind)


def make_article(aid, date, title, text, events, url=None, source="test-agency"):
    places = [e.location for e in events if e.location]
    actors = [a for e in events for a in (e.actor1, e.actor2) if a]
    return Article(text=text, id=aid, url=url, source=source, title=title, date=date, date_source="input",
                   layers={"events": events, "places": places, "actors": actors})


def build_articles() -> list[Article]:
    out = []
    t = ("دمشق - قالت قوات سوريا الديمقراطية إن اشتباكات عنيفة اندلعت يوم الثلاثاء مع مقاتلي تنظيم الدولة "
         "الإسلامية في بلدة الباغوز شرقي سوريا، وأسفرت عن مقتل 12 مسلحا.\nوأضافت أن العمليات مستمرة.")
    out.append(make_article("baghuz", "2019-03-19", "اشتباكات في الباغوز", t, [Event(
        "Battles", "Armed clash",
        evidence=span(t, "اشتباكات عنيفة اندلعت يوم الثلاثاء مع مقاتلي تنظيم الدولة الإسلامية في بلدة الباغوز"),
        date="2019-03-19", time_precision=1,
        actor1=actor(t, "قوات سوريا الديمقراطية", "SDF", "Syrian Democratic Forces", 2),
        actor2=actor(t, "تنظيم الدولة الإسلامية", "ISIS", "Islamic State", 2),
        location=place(t, "الباغوز", "Al Baghuz Fawqani", "SY", "Deir ez-Zor", 34.46, 40.94),
        fatalities=12, trigger=span(t, "اشتباكات"), confidence=0.9)], url="https://example.org/a/1"))
    t = ("بغداد - قتل خمسة مدنيين وأصيب ثمانية آخرون في انفجار عبوة ناسفة استهدف سوقا شعبية في مدينة الموصل "
         "شمالي العراق، بحسب مصادر أمنية.\nوفي حادث منفصل اعتقلت القوات الأمنية ثلاثة مشتبه بهم في كركوك.")
    out.append(make_article("mosul", "2019-04-02", "انفجار في الموصل", t, [
        Event("Explosions/Remote violence", "Remote explosive/landmine/IED",
              evidence=span(t, "قتل خمسة مدنيين وأصيب ثمانية آخرون في انفجار عبوة ناسفة استهدف سوقا شعبية في "
                            "مدينة الموصل"),
              date="2019-04-02", time_precision=1,
              location=place(t, "الموصل", "Mosul", "IQ", "Nineveh", 36.34, 43.13),
              fatalities=5, injured=8, trigger=span(t, "انفجار")),
        Event("Strategic developments", "Arrests",
              evidence=span(t, "اعتقلت القوات الأمنية ثلاثة مشتبه بهم في كركوك"), date="2019-04-02",
              actor1=actor(t, "القوات الأمنية", "IQ-SEC", "Iraqi security forces", 1),
              location=place(t, "كركوك", "Kirkuk", "IQ", "Kirkuk", 35.47, 44.39), detained=3,
              trigger=span(t, "اعتقلت")),
    ]))
    t = ("صنعاء - شن طيران التحالف غارات جوية على مواقع لجماعة الحوثي في محافظة صعدة، ما أدى إلى مقتل "
         "ثلاثة أشخاص.")
    out.append(make_article("saada", "2019-04-15", "غارات على صعدة", t, [Event(
        "Explosions/Remote violence", "Air/drone strike",
        evidence=span(t, "شن طيران التحالف غارات جوية على مواقع لجماعة الحوثي في محافظة صعدة"),
        date="2019-04-15", time_precision=1,
        actor1=actor(t, "طيران التحالف", "COALITION", "Saudi-led coalition", 8),
        actor2=actor(t, "جماعة الحوثي", "HOUTHI", "Houthis", 2),
        location=place(t, "صعدة", "Saada", "YE", "Saada", 16.94, 43.76), fatalities=3,
        trigger=span(t, "غارات"))]))
    t = "بيروت - تظاهر مئات المواطنين في ساحة الشهداء وسط بيروت احتجاجا على تدهور الأوضاع المعيشية."
    out.append(make_article("beirut", "2019-05-01", "تظاهرة في بيروت", t, [Event(
        "Protests", "Peaceful protest", evidence=span(t, "تظاهر مئات المواطنين في ساحة الشهداء وسط بيروت"),
        date="2019-05-01", location=place(t, "بيروت", "Beirut", "LB", "Beirut", 33.89, 35.50, ),
        trigger=span(t, "تظاهر"))]))
    # Hostile input: markup and script in the title, the URL and the text, inside and outside the evidence.
    t = (f"حلب - {XSS_PAYLOADS[1]} قصفت طائرات حربية حي الشعار في مدينة حلب {XSS_PAYLOADS[0]} ما أدى إلى "
         f"مقتل شخصين. {XSS_PAYLOADS[2]}")
    out.append(make_article("hostile", "2019-03-20", XSS_TITLE, t, [Event(
        "Explosions/Remote violence", "Air/drone strike",
        evidence=span(t, f"قصفت طائرات حربية حي الشعار في مدينة حلب {XSS_PAYLOADS[0]} ما أدى إلى مقتل شخصين"),
        date="2019-03-20", location=place(t, "حلب", "Aleppo", "SY", "Aleppo", 36.20, 37.16), fatalities=2,
        trigger=span(t, "قصفت"))], url=XSS_URL, source='<b onmouseover="window.__xss=1">src</b>'))
    return out


def fill_store(path, articles) -> None:
    from marsad.batch.extract import to_record
    from marsad.store.db import Store
    with Store(path) as store:
        store.write([to_record(a) for a in articles])


@pytest.fixture(scope="session")
def articles() -> list[Article]:
    return build_articles()


@pytest.fixture(scope="session")
def store_path(tmp_path_factory, articles):
    path = tmp_path_factory.mktemp("store") / "marsad.duckdb"
    fill_store(path, articles)
    return path


class LiveServer:
    """uvicorn on 127.0.0.1 in a thread of the test process, on a port the OS picked."""

    def __init__(self, app):
        import uvicorn
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        # As uvicorn does for a socket it binds itself; without it every answer waits ~40 ms for
        # the client's delayed ACK (Nagle), since headers and body are written separately.
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        from marsad.service.protocol import HTTP_PROTOCOL      # as `marsad serve` runs it
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="on", http=HTTP_PROTOCOL))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self):
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)
        return self

    def __exit__(self, *exc):
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@contextlib.contextmanager
def live_server(**settings):
    from marsad.service.app import create_app
    from marsad.service.config import ServiceConfig
    with LiveServer(create_app(ServiceConfig(**settings))) as server:
        yield server


@pytest.fixture(scope="session")
def api(store_path):
    """A read-only server (no token: writes are off)."""
    with live_server(db=store_path) as server:
        yield server


@pytest.fixture(scope="session")
def writer(tmp_path_factory, store_path):
    """A server with writes on (bearer token TOKEN), over its own copy of the store."""
    path = tmp_path_factory.mktemp("writable") / "marsad.duckdb"
    shutil.copy(store_path, path)
    with live_server(db=path, token=TOKEN, max_body_bytes=64 * 1024) as server:
        yield server


SCREENSHOTS: list[Path] = []     # saved by the dashboard tests, listed at the end of the run


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS:
        terminalreporter.write_line("dashboard screenshots: " + ", ".join(str(p) for p in SCREENSHOTS))
