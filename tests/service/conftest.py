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

from marsad.events.describe import notes
from marsad.article import ActorMention, Article, Event, Figure, Place, Span

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


def make_article(aid, date, title, text, events, url=None, source="test-agency", figures=()):
    places = [e.location for e in events if e.location]
    actors = [a for e in events for a in (e.actor1, e.actor2) if a]
    for e in events:          # the English sentence the events stage writes for every event
        e.notes = e.notes or notes(e.sub_event_type, e.date, e.time_precision, e.actor1, e.actor2, e.location,
                                   e.fatalities, e.injured, e.detained, e.date_start)
    return Article(text=text, id=aid, url=url, source=source, title=title, date=date, date_source="input",
                   layers={"events": events, "places": places, "actors": actors, "figures": list(figures)})


def figure(text, phrase, metric, value, population):
    return Figure(metric, value, span(text, phrase), population=population)


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
        fatalities=12, trigger=span(t, "اشتباكات"), confidence=0.9)], url="https://example.org/a/1",
        figures=[figure(t, "مقتل 12 مسلحا", "killed", 12, "gunmen")]))
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
    ], figures=[figure(t, "قتل خمسة مدنيين", "killed", 5, "civilians"),
                figure(t, "وأصيب ثمانية آخرون", "injured", 8, "civilians")]))
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


# Towns of the corpus's wars (GeoNames names and coordinates), for the dashboard's store of many events.
TOWNS = [
    ("حلب", "Aleppo", "SY", "Aleppo", 36.2012, 37.1612), ("إدلب", "Idlib", "SY", "Idlib", 35.9306, 36.6339),
    ("حمص", "Homs", "SY", "Homs", 34.7268, 36.7234), ("درعا", "Daraa", "SY", "Daraa", 32.6189, 36.1021),
    ("الرقة", "Ar Raqqah", "SY", "Ar Raqqah", 35.9528, 39.0079), ("دير الزور", "Deir ez-Zor", "SY",
    "Deir ez-Zor", 35.3359, 40.1408), ("الحسكة", "Al-Hasakah", "SY", "Al-Hasakah", 36.5024, 40.7477),
    ("دوما", "Douma", "SY", "Rif-dimashq", 33.5711, 36.4027), ("الموصل", "Mosul", "IQ", "Nineveh", 36.335, 43.1189),
    ("الرمادي", "Ar Ramadi", "IQ", "Al Anbar", 33.4258, 43.2994), ("الفلوجة", "Al Fallujah", "IQ", "Al Anbar",
    33.3491, 43.7857), ("تكريت", "Tikrit", "IQ", "Salah ad Din", 34.6071, 43.6782), ("بعقوبة", "Baqubah", "IQ",
    "Diyala", 33.7466, 44.6437), ("كركوك", "Kirkuk", "IQ", "Kirkuk", 35.4681, 44.3922),
    ("عدن", "Aden", "YE", "Aden", 12.7794, 45.0367), ("تعز", "Taiz", "YE", "Taizz", 13.5795, 44.0209),
    ("الحديدة", "Al Hudaydah", "YE", "Al Hudaydah", 14.7978, 42.9545), ("مأرب", "Marib", "YE", "Marib",
    15.4629, 45.3253), ("صعدة", "Sa'dah", "YE", "Sa'dah", 16.9402, 43.7639), ("بنغازي", "Benghazi", "LY",
    "Benghazi", 32.1167, 20.0667), ("سرت", "Sirte", "LY", "Surt", 31.2089, 16.5887), ("درنة", "Darnah", "LY",
    "Darnah", 32.767, 22.6367), ("العريش", "Arish", "EG", "North Sinai", 31.1316, 33.7984),
    ("رفح", "Rafah", "PS", "Gaza Strip", 31.2969, 34.2435),
]
# (event type, sub-event type, sentence, trigger, the figure's words, metric, population); {n} a count, {town} the place.
REPORTS = [
    ("Explosions/Remote violence", "Shelling/artillery/missile attack",
     "قتل {n} مدنيين جراء قصف مدفعي استهدف أحياء سكنية في مدينة {town}", "قصف", "قتل {n} مدنيين", "killed",
     "civilians"),
    ("Battles", "Armed clash", "اندلعت اشتباكات عنيفة بين القوات الحكومية ومسلحين في محيط {town} أسفرت عن "
     "مقتل {n} مسلحين", "اشتباكات", "مقتل {n} مسلحين", "killed", "gunmen"),
    ("Explosions/Remote violence", "Air/drone strike", "شنت طائرات حربية غارات جوية على مواقع في {town} ما أدى "
     "إلى مقتل {n} أشخاص", "غارات", "مقتل {n} أشخاص", "killed", "people"),
    ("Strategic developments", "Arrests", "اعتقلت قوات الأمن {n} أشخاص يشتبه بانتمائهم إلى خلية مسلحة في {town}",
     "اعتقلت", "اعتقلت قوات الأمن {n} أشخاص", "detained", "people"),
    ("Protests", "Peaceful protest", "تظاهر مئات المواطنين في {town} للمطالبة بتحسين الخدمات", "تظاهر", None, None,
     None),
]
PERIODS = [("2015-03-02", 180), ("2018-02-05", 170)]      # two busy stretches years apart, as in the corpus
BULK_PER_TOWN = 50


def bulk_articles() -> list[Article]:
    """One short report a article, BULK_PER_TOWN per town: more events than a page (500) can hold, over two
    periods three years apart, as the corpus's 2015 and 2018 articles are."""
    from datetime import date, timedelta
    out = []
    for t_i, (town, name_en, country, admin1, lat, lon) in enumerate(TOWNS):
        for k in range(BULK_PER_TOWN):
            i = t_i * BULK_PER_TOWN + k
            etype, sub, template, trigger, words, metric, population = REPORTS[i % len(REPORTS)]
            start, days = PERIODS[i % 2]
            day = (date.fromisoformat(start) + timedelta(days=(i * 7) % days)).isoformat()
            n = 2 + i % 9
            sentence = template.format(n=n, town=town)
            text = f"{town} - {sentence}، بحسب مصادر محلية.\nوتشهد المنطقة توترا منذ أسابيع."
            fig = [figure(text, words.format(n=n), metric, n, population)] if metric else []
            counts = {"fatalities": n} if metric == "killed" else {"detained": n} if metric == "detained" else {}
            where = span(text, town, len(town))         # the town in the report, not in the dateline
            event = Event(etype, sub, evidence=span(text, sentence), date=day, time_precision=1,
                          location=Place(where, town, name_en=name_en, country=country, admin1=admin1, lat=lat,
                                         lon=lon, geo_precision=1, feature="city"),
                          trigger=span(text, trigger), confidence=0.8, **counts)
            out.append(make_article(f"bulk-{i}", day, f"{trigger} في {town}", text, [event],
                                    url=f"https://example.org/bulk/{i}", source=("agency-a", "agency-b")[i % 2],
                                    figures=fig))
    return out


BAGHUZ_SECOND = ("الحسكة - أفادت مصادر ميدانية بأن معارك ضارية دارت الثلاثاء بين قوات سوريا الديمقراطية وعناصر "
                 "تنظيم الدولة الإسلامية في الباغوز، آخر جيب للتنظيم شرقي سوريا.")


def second_source(path, articles) -> None:
    """A second outlet's report of the Baghuz clash: a report of its own, which the store's
    deduplication groups with the first into one incident of two sources."""
    from marsad.batch.extract import to_record
    from marsad.store.db import Store
    t = BAGHUZ_SECOND
    event = Event("Battles", "Armed clash",
                  evidence=span(t, "معارك ضارية دارت الثلاثاء بين قوات سوريا الديمقراطية وعناصر تنظيم الدولة "
                                   "الإسلامية في الباغوز"),
                  date="2019-03-19", time_precision=1,
                  actor1=actor(t, "قوات سوريا الديمقراطية", "SDF", "Syrian Democratic Forces", 2),
                  actor2=actor(t, "تنظيم الدولة الإسلامية", "ISIS", "Islamic State", 2),
                  location=place(t, "الباغوز", "Al Baghuz Fawqani", "SY", "Deir ez-Zor", 34.46, 40.94),
                  trigger=span(t, "معارك"), confidence=0.8)
    other = make_article("baghuz-2", "2019-03-20", "معارك في الباغوز", t, [event],
                         url="https://example.net/news/77", source="other-agency")
    with Store(path) as store:
        store.write([to_record(other)])
        (sources,) = store.con.execute("SELECT source_count FROM incidents WHERE location_name = 'الباغوز' "
                                       "AND event_type = 'Battles'").fetchone()
    assert sources == 2, "deduplication did not group the two reports of the Baghuz clash"


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
def dashboard_store(tmp_path_factory, articles):
    """The hand-built articles, a second source of the Baghuz clash, and 1,200 short reports in 24 towns."""
    path = tmp_path_factory.mktemp("dashboard") / "marsad.duckdb"
    fill_store(path, articles + bulk_articles())
    second_source(path, articles)
    return path


@pytest.fixture(scope="session")
def dashboard(dashboard_store):
    """A read-only server over the dashboard's store."""
    with live_server(db=dashboard_store) as server:
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
