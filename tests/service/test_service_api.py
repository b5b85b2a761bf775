"""The HTTP API against live uvicorn servers on 127.0.0.1: every endpoint, the error
envelope, the limits (413, 422, page cap, query timeout) and the write token."""
from __future__ import annotations

import csv
import io
import json

import httpx
import pytest

from marsad.service import queries

from .conftest import TOKEN, live_server


def client(server) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30)


def places(page: dict) -> set[str]:
    return {e["location"]["name_en"] for e in page["items"]}


def assert_envelope(r: httpx.Response, status: int, code: str) -> dict:
    """THE error shape: exactly {"error": {"code", "message", "details"}}, as JSON."""
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str) and len(body["error"]["message"]) > 10
    return body["error"]


def test_service_healthz(api):
    r = client(api).get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "version": r.json()["version"], "store": True, "writes": False}


def test_service_extract_answers_what_the_library_does(api, seed_text):
    import marsad
    from marsad.output import to_record

    r = client(api).post("/v1/extract", json={"text": seed_text, "date": "2019-03-19", "id": "seed"})
    assert r.status_code == 200, r.text
    expected = to_record(marsad.extract(marsad.Article(text=seed_text, id="seed", date="2019-03-19",
                                                       date_source="input")))
    assert r.json() == json.loads(json.dumps(expected, ensure_ascii=False))
    assert "text" not in r.json()
    with_text = client(api).post("/v1/extract", json={"text": seed_text, "with_text": True}).json()
    assert with_text["text"] == seed_text
    for sentence in with_text["sentences"]:
        assert seed_text[sentence["span"]["start"]:sentence["span"]["end"]] == sentence["span"]["text"]


@pytest.mark.parametrize("params, expected", [
    ({}, {"Al Baghuz Fawqani", "Mosul", "Kirkuk", "Saada", "Beirut", "Aleppo"}),
    ({"country": "IQ"}, {"Mosul", "Kirkuk"}),
    ({"country": ["IQ", "ye"]}, {"Mosul", "Kirkuk", "Saada"}),
    ({"country": "Iraq"}, {"Mosul", "Kirkuk"}),                 # the English name, as `marsad export --country`
    ({"country": ["iraq", "YEM"]}, {"Mosul", "Kirkuk", "Saada"}),
    ({"admin1": "nineveh"}, {"Mosul"}),
    ({"event_type": "Protests"}, {"Beirut"}),
    ({"event_type": ["Battles", "Strategic developments"]}, {"Al Baghuz Fawqani", "Kirkuk"}),
    ({"date_from": "2019-04-01", "date_to": "2019-04-30"}, {"Mosul", "Kirkuk", "Saada"}),
    ({"date_to": "2019-03-19"}, {"Al Baghuz Fawqani"}),
    ({"actor": "sdf"}, {"Al Baghuz Fawqani"}),                 # actor id, any case
    ({"actor": "houthis"}, {"Saada"}),                         # actor name
    ({"actor": "التحالف"}, {"Saada"}),                         # the actor as the article writes it
    ({"bbox": "35,30,45,40"}, {"Al Baghuz Fawqani", "Mosul", "Kirkuk", "Beirut", "Aleppo"}),
    ({"bbox": "43,15,45,18"}, {"Saada"}),
    ({"q": "عبوة ناسفة"}, {"Mosul"}),                          # words of the evidence
    ({"q": "تظاهرة"}, {"Beirut"}),                             # words of the title
    ({"q": "100%_"}, set()),                                   # LIKE wildcards are plain characters
    ({"country": "IQ", "event_type": "Strategic developments"}, {"Kirkuk"}),
])
def test_service_events_filters(api, params, expected):
    r = client(api).get("/v1/events", params=params)
    assert r.status_code == 200, r.text
    page = r.json()
    assert places(page) == expected
    assert page["total"] == len(expected)


def test_service_events_sort_and_pages(api):
    c = client(api)
    by_deaths = c.get("/v1/events", params={"sort": "-fatalities"}).json()["items"]
    assert [e["fatalities"] for e in by_deaths] == [12, 5, 3, 2, None, None]
    by_date = [e["day"] for e in c.get("/v1/events", params={"sort": "date"}).json()["items"]]
    assert by_date == sorted(by_date)
    pages = [c.get("/v1/events", params={"sort": "date", "limit": 4, "offset": o}).json() for o in (0, 4)]
    assert [p["total"] for p in pages] == [6, 6]
    assert [len(p["items"]) for p in pages] == [4, 2]
    assert [e["day"] for p in pages for e in p["items"]] == by_date


def test_service_event_detail_spans_point_into_the_source_text(api):
    c = client(api)
    for summary in c.get("/v1/events").json()["items"]:
        event = c.get(f"/v1/events/{summary['id']}").json()
        assert event["id"] == summary["id"] and event["event_type"] == summary["event_type"]
        assert len(event["sources"]) == 1
        source = event["sources"][0]
        article = c.get(f"/v1/articles/{source['article']['id']}").json()
        text = article["text"]
        spans = [source["event"]["evidence"], source["event"].get("trigger"), *source["mentions"]]
        assert source["mentions"][0] == source["evidence"]
        for who in ("actor1", "actor2", "location"):
            spans.append((source["event"].get(who) or {}).get("span"))
        for s in filter(None, spans):
            assert text[s["start"]:s["end"]] == s["text"]
        assert source["article"]["title"] == article["title"]


def test_service_article_is_the_extract_record_with_text(api, articles):
    import jsonschema
    from importlib.resources import files

    schema = json.loads((files("marsad") / "schema" / "output.schema.json").read_text())
    c = client(api)
    ids = {e["article_id"] for e in c.get("/v1/events").json()["items"]}
    seen = set()
    for aid in ids:
        record = c.get(f"/v1/articles/{aid}").json()
        jsonschema.validate(record, schema)
        seen.add(record["source_id"])
        original = next(a for a in articles if a.id == record["source_id"])
        assert record["text"] == original.text and record["title"] == original.title
        assert [e["evidence"]["text"] for e in record["events"]] == \
            [original.span_text(e.evidence) for e in original.layer("events")]
        # The id the article came with works too, when it names one article.
        assert c.get(f"/v1/articles/{record['source_id']}").json()["id"] == aid
    assert seen == {a.id for a in articles}


def test_service_stats_agree_with_events(api):
    c = client(api)
    stats = c.get("/v1/stats").json()
    items = c.get("/v1/events").json()["items"]
    assert stats["total"] == len(items) == 6
    assert {r["event_type"]: r["count"] for r in stats["by_type"]} == {
        "Explosions/Remote violence": 3, "Battles": 1, "Protests": 1, "Strategic developments": 1}
    assert {r["country"]: r["count"] for r in stats["by_country"]} == {"SY": 2, "IQ": 2, "YE": 1, "LB": 1}
    assert sum(r["count"] for r in stats["by_week"]) == sum(r["count"] for r in stats["by_day"]) == 6
    assert [r["week"] for r in stats["by_week"]] == ["2019-03-18", "2019-04-01", "2019-04-15", "2019-04-29"]
    assert stats["fatalities"] == 12 + 5 + 3 + 2
    iq = c.get("/v1/stats", params={"country": "IQ"}).json()
    assert iq["total"] == 2 and iq["by_day"] == [{"day": "2019-04-02", "count": 2}]
    assert (stats["first_day"], stats["last_day"]) == ("2019-03-19", "2019-05-01")     # the data's own range
    assert (iq["first_day"], iq["last_day"]) == ("2019-04-02", "2019-04-02")
    none = c.get("/v1/stats", params={"country": "LY"}).json()
    assert (none["total"], none["first_day"], none["last_day"]) == (0, None, None)


@pytest.mark.parametrize("params", [{}, {"country": "IQ"}, {"event_type": "Explosions/Remote violence"},
                                    {"date_from": "2019-04-01"}, {"q": "حلب"}, {"country": "LY"}])
def test_service_events_map_counts_every_located_event_per_place(api, params):
    c = client(api)
    events = c.get("/v1/events", params={**params, "limit": 500}).json()
    got = c.get("/v1/events/map", params=params).json()
    located = [e for e in events["items"] if e["location"] and e["location"]["lat"] is not None]
    assert (got["total"], got["located"]) == (events["total"], len(located))
    assert sum(p["count"] for p in got["places"]) == len(located)
    for place in got["places"]:
        here = [e for e in located if (e["location"]["lat"], e["location"]["lon"]) == (place["lat"], place["lon"])]
        assert place["count"] == len(here) == sum(place["by_type"].values())
        assert {(e["id"], e["day"], e["event_type"]) for e in place["events"]} == \
            {(e["id"], e["day"], e["event_type"]) for e in here}            # at most 5 kept: here all
        assert place["fatalities"] == sum(e["fatalities"] or 0 for e in here)
        assert place["name_en"] == here[0]["location"]["name_en"] and place["country"] == here[0]["location"]["country"]
        assert place["first_day"] == min(e["day"] for e in here) and place["last_day"] == max(e["day"] for e in here)


def test_service_events_map_lists_the_latest_events_of_a_busy_place(dashboard):
    c = client(dashboard)
    places = c.get("/v1/events/map", params={"country": "SY"}).json()["places"]
    busy = places[0]
    assert busy["count"] >= 50 and len(busy["events"]) == 5                # not every id of a busy place
    days = [c.get(f"/v1/events/{e['id']}").json()["day"] for e in busy["events"]]
    assert days == [e["day"] for e in busy["events"]] == sorted(days, reverse=True) and days[0] == busy["last_day"]
    assert busy["count"] == c.get("/v1/events", params={"country": "SY", "q": busy["name"]}).json()["total"]


@pytest.mark.parametrize("server", ["api", "writer"])   # the store open read-only, and open for writes
def test_service_export_formats(request, server):
    c = client(request.getfixturevalue(server))
    # Compared with what /v1/events says, since the writable server may hold ingested articles too.
    events = c.get("/v1/events", params={"limit": 500}).json()["items"]
    located = {e["id"] for e in events if e["location"] and e["location"]["lat"] is not None}
    r = c.get("/v1/export", params={"format": "geojson"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/geo+json")
    features = r.json()["features"]
    assert {f["id"] for f in features} == located and all(f["geometry"]["type"] == "Point" for f in features)
    r = c.get("/v1/export", params={"format": "acled-csv", "country": "IQ"})
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"] == 'attachment; filename="marsad-events.csv"'
    assert sorted(row["event_type"] for row in rows) == \
        sorted(e["event_type"] for e in events if (e["location"] or {}).get("country") == "IQ")
    lines = c.get("/v1/export", params={"format": "jsonl"}).text.splitlines()
    assert {json.loads(line)["event_id"] for line in lines} == {e["id"] for e in events}
    assert c.get("/v1/export", params={"format": "parquet"}).content[:4] == b"PAR1"
    assert_envelope(c.get("/v1/export", params={"format": "xlsx"}), 422, "invalid_parameter")
    assert_envelope(c.get("/v1/export", params={"format": "jsonl", "q": "حلب"}), 422, "invalid_parameter")


def test_service_writes_are_off_without_a_token(api):
    body = {"articles": [{"text": "نص قصير.", "id": "x"}]}
    err = assert_envelope(client(api).post("/v1/ingest", json=body), 403, "writes_disabled")
    assert "MARSAD_TOKEN" in err["message"]
    # Even a well-formed token cannot switch them on.
    r = client(api).post("/v1/ingest", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert_envelope(r, 403, "writes_disabled")


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer wrong-token-wrong-token"},
                                     {"Authorization": f"Basic {TOKEN}"}, {"Authorization": "Bearer"}])
def test_service_ingest_needs_the_token(writer, headers):
    r = client(writer).post("/v1/ingest", json={"articles": [{"text": "نص قصير.", "id": "x"}]}, headers=headers)
    assert_envelope(r, 401, "unauthorized")
    assert r.headers["www-authenticate"].startswith("Bearer")


def test_service_ingest_stores_articles_once(writer, corpus_sample):
    c = client(writer)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    record = corpus_sample[3]
    body = {"articles": [{"text": record["text"], "title": record.get("title"), "date": record.get("date"),
                          "id": "corpus-3", "url": record.get("url")}]}
    first = c.post("/v1/ingest", json=body, headers=auth)
    assert first.status_code == 200, first.text
    assert first.json()["new"] == 1 and first.json()["failed"] == []
    again = c.post("/v1/ingest", json=body, headers=auth).json()
    assert again["new"] == 0 and again["skipped"] == 1
    stored = c.get(f"/v1/articles/{first.json()['ids'][0]}").json()
    assert stored["text"] == record["text"] and stored["source_id"] == "corpus-3"


def boom(*args, **kwargs):
    raise RuntimeError("a bug")


def slow_events(cur, *args, **kwargs):
    cur.execute("SELECT sum(x * x) FROM range(100000000000) t(x)").fetchall()
    raise AssertionError("the query was not interrupted")


# Every kind of error, one envelope. (method, path, keyword arguments, status, code, parameter named)
ERRORS = [
    ("GET", "/v1/nowhere", {}, 404, "not_found", None),
    ("GET", "/v1/events/no-such-event", {}, 404, "not_found", None),
    ("GET", "/v1/articles/no-such-article", {}, 404, "not_found", None),
    ("DELETE", "/v1/events", {}, 405, "method_not_allowed", None),
    ("GET", "/v1/extract", {}, 405, "method_not_allowed", None),
    ("GET", "/v1/events", {"params": {"limit": 501}}, 422, "invalid_parameter", "limit"),
    ("GET", "/v1/events", {"params": {"limit": 0}}, 422, "invalid_parameter", "limit"),
    ("GET", "/v1/events", {"params": {"offset": -1}}, 422, "invalid_parameter", "offset"),
    ("GET", "/v1/events", {"params": {"date_from": "19-03-2019"}}, 422, "invalid_parameter", "date_from"),
    ("GET", "/v1/events", {"params": {"date_from": "2019-05-01", "date_to": "2019-04-01"}}, 422,
     "invalid_parameter", "date_from"),
    ("GET", "/v1/events", {"params": {"country": "Atlantis"}}, 422, "invalid_parameter", "country"),
    ("GET", "/v1/events", {"params": {"event_type": "Airstrike"}}, 422, "invalid_parameter", "event_type"),
    ("GET", "/v1/events", {"params": {"bbox": "40,30,35,40"}}, 422, "invalid_parameter", "bbox"),
    ("GET", "/v1/events", {"params": {"bbox": "a,b,c,d"}}, 422, "invalid_parameter", "bbox"),
    ("GET", "/v1/events", {"params": {"sort": "random()"}}, 422, "invalid_parameter", "sort"),
    ("GET", "/v1/stats", {"params": {"date_to": "tomorrow"}}, 422, "invalid_parameter", "date_to"),
    ("POST", "/v1/extract", {"json": {"text": "   "}}, 422, "invalid_parameter", "text"),
    ("POST", "/v1/extract", {"json": {"text": "نص", "date": "2019-02-30"}}, 422, "invalid_parameter", "date"),
    ("POST", "/v1/extract", {"json": {"txt": "نص"}}, 422, "invalid_parameter", "text"),
    ("POST", "/v1/extract", {"content": b"{not json", "headers": {"content-type": "application/json"}}, 422,
     "invalid_parameter", "body"),
    ("POST", "/v1/extract", {"content": b"x" * (64 * 1024 + 1)}, 413, "payload_too_large", None),
    # No Content-Length: the body streams in chunks and is cut off at the limit.
    ("POST", "/v1/extract", {"content": (b"x" * 8192 for _ in range(20))}, 413, "payload_too_large", None),
    ("POST", "/v1/ingest", {"json": {"articles": []}}, 401, "unauthorized", None),
]


@pytest.mark.parametrize("method, path, kwargs, status, code, parameter", ERRORS,
                         ids=[f"{e[3]}-{e[1]}-{i}" for i, e in enumerate(ERRORS)])
def test_service_error_envelope(writer, method, path, kwargs, status, code, parameter):
    err = assert_envelope(client(writer).request(method, path, **kwargs), status, code)
    if parameter:
        assert parameter in err["message"]
        assert parameter in [p["name"] for p in err["details"]["parameters"]]


def test_service_error_envelope_for_a_bug(api, monkeypatch):
    monkeypatch.setattr(queries, "stats", boom)
    # A query no earlier test asked: the server keeps the answers of the ones it has (--read-cache).
    err = assert_envelope(client(api).get("/v1/stats", params={"q": "bug-probe"}), 500, "internal_error")
    assert "a bug" not in err["message"]          # tracebacks stay in the server log


def test_service_slow_query_is_interrupted(store_path, monkeypatch, tmp_path):
    monkeypatch.setattr(queries, "list_events", slow_events)
    with live_server(db=store_path, query_timeout_s=0.3) as server:
        r = client(server).get("/v1/events")
        err = assert_envelope(r, 503, "query_timeout")
        assert err["details"] == {"limit_seconds": 0.3}
        assert client(server).get("/healthz").status_code == 200      # the server is fine afterwards


def test_service_no_store_answers_extract_only():
    with live_server() as server:
        c = client(server)
        assert c.post("/v1/extract", json={"text": "نص قصير."}).status_code == 200
        assert_envelope(c.get("/v1/events"), 503, "no_database")


@pytest.mark.parametrize("path", ["/", "/v1/events", "/v1/nowhere", "/static/app.js"])
def test_service_security_headers(api, path):
    r = client(api).get(path, headers={"Origin": "https://evil.example"})
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "access-control-allow-origin" not in r.headers            # no CORS by default


def test_service_docs_are_served_locally(api):
    c = client(api)
    page = c.get("/docs").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in page and "<script>" not in page
    spec = c.get("/openapi.json").json()
    assert {"/v1/extract", "/v1/events", "/v1/events/map", "/v1/events/{event_id}", "/v1/articles/{article_id}",
            "/v1/stats", "/v1/export", "/v1/ingest", "/healthz"} <= set(spec["paths"])
    for asset in ("vendor/swagger-ui/swagger-ui-bundle.js", "vendor/leaflet/leaflet.js",
                  "vendor/leaflet.markercluster/leaflet.markercluster.js",
                  "vendor/world-atlas/countries-50m.json", "app.js"):
        assert c.get(f"/static/{asset}").status_code == 200


def test_service_token_settings(tmp_path):
    from marsad.errors import MarsadError
    from marsad.service.config import load_token

    assert load_token(env={}) is None
    assert load_token(env={"MARSAD_TOKEN": " " + TOKEN + "\n"}) == TOKEN
    f = tmp_path / "token"
    f.write_text(TOKEN + "\nignored\n")
    assert load_token(f, env={"MARSAD_TOKEN": "other-token-other-token"}) == TOKEN
    with pytest.raises(MarsadError, match="at least 16"):
        load_token(env={"MARSAD_TOKEN": "short"})
