"""The API per incident: one row per incident with source_count, and every report of it, with its
article and evidence span, under /v1/events/{id} (found by the incident's or a report's id)."""
from __future__ import annotations

import httpx
import pytest

from dedup_helpers import beit_lahia_first, beit_lahia_second, rafah_same_day

from .conftest import fill_store, live_server


@pytest.fixture(scope="module")
def gaza(tmp_path_factory):
    path = tmp_path_factory.mktemp("gaza") / "marsad.duckdb"
    fill_store(path, [beit_lahia_first(), beit_lahia_second(), rafah_same_day()])
    with live_server(db=path) as server:
        yield server


def test_service_events_are_incidents_with_their_source_count(gaza):
    c = httpx.Client(base_url=gaza.url, timeout=30)
    page = c.get("/v1/events", params={"sort": "-fatalities"}).json()
    assert page["total"] == 2 == len(page["items"])
    strike, rafah = page["items"]
    assert (strike["source_count"], strike["report_count"], rafah["source_count"]) == (2, 2, 1)
    assert strike["fatalities"] == 1 and strike["location"]["name"] == "بيت لاهيا"
    assert c.get("/v1/stats").json()["total"] == 2
    # Words of either report's evidence find the incident.
    assert [e["id"] for e in c.get("/v1/events", params={"q": "استهدف بلدة"}).json()["items"]] == [strike["id"]]


def test_service_event_detail_lists_every_report_and_a_report_id_finds_it(gaza):
    c = httpx.Client(base_url=gaza.url, timeout=30)
    strike = c.get("/v1/events", params={"sort": "-fatalities"}).json()["items"][0]
    detail = c.get(f"/v1/events/{strike['id']}").json()
    assert len(detail["sources"]) == 2 and detail["sources"][0]["report_id"] == strike["report_id"]
    for source in detail["sources"]:
        article = c.get(f"/v1/articles/{source['article']['id']}").json()
        ev = source["evidence"]
        assert article["text"][ev["start"]:ev["end"]] == ev["text"] == source["event"]["evidence"]["text"]
        assert {"id", "url", "source", "date", "title"} <= set(source["article"])
        assert [e["incident_id"] for e in article["events"]] == [strike["id"]]
    other = detail["sources"][1]["report_id"]
    assert c.get(f"/v1/events/{other}").json()["id"] == strike["id"]
