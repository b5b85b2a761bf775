"""The dashboard in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)
against a live server on 127.0.0.1, over a store of 1,206 events (the hand-built reports of
conftest plus 1,200 short reports in 24 towns over 2015 and 2018): every event of a filter on
the map, bilingual names, filters that apply at once, the timeline's brush, the view in the URL,
the export buttons, an event's sources and casualties, the legends, the keyboard, and hostile
titles and texts that stay text. Each test saves a screenshot of its view in tests/artifacts/.
Waits are on elements or on the page's state, never on time (and never `wait_for_function`,
whose string is an eval the page's CSP rightly refuses)."""
from __future__ import annotations

import csv
import shutil
import tempfile
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from .conftest import ARTIFACTS, BAGHUZ_SECOND, SCREENSHOTS, XSS_PAYLOADS, XSS_TITLE, XSS_URL

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Collects what a page must never do: any request off this server, any CSP violation, any dialog.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation",
  (e) => window.__violations.push(e.violatedDirective + " " + e.blockedURI));
"""


def expect(locator):
    from playwright.sync_api import expect
    return expect(locator)


@pytest.fixture(scope="module")
def browser():
    from playwright import sync_api as playwright
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/test-deps (it installs Debian's chromium package), "
                    "as the README's test command does.")
    profile = tempfile.mkdtemp(prefix="marsad-chromium-")
    with playwright.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS, viewport={"width": 1400, "height": 1000},
            accept_downloads=True)
        context.set_default_timeout(20_000)
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def open_page(browser, dashboard):
    """open_page(query) -> a page of the dashboard at /?query, fully restored from its URL."""
    pages = []

    def open_(query: str = ""):
        page = browser.new_page()
        page.add_init_script(WATCH)
        page.offsite, page.dialogs, page.errors = [], [], []
        page.on("request", lambda r: None if r.url.startswith(dashboard.url) else page.offsite.append(r.url))
        page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
        page.on("pageerror", lambda e: page.errors.append(str(e)))
        page.goto(dashboard.url + "/" + (f"?{query}" if query else ""))
        page.wait_for_selector("body[data-restored=true]")
        pages.append(page)
        return page

    yield open_
    for page in pages:
        assert page.offsite == [], "the dashboard asked another host for something"
        assert page.dialogs == [] and page.errors == []
        assert page.evaluate("window.__violations") == []
        page.close()


@pytest.fixture
def page(open_page):
    return open_page()


@pytest.fixture(scope="module")
def api_get(dashboard):
    client = httpx.Client(base_url=dashboard.url, timeout=30)

    def get(path, **params):
        r = client.get(path, params=params or None)
        assert r.status_code == 200, r.text
        return r

    yield get
    client.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / f"dashboard-{name}.png"
    page.screenshot(path=str(shot), full_page=True)
    SCREENSHOTS.append(shot)


def eventually(read, expected, timeout=20.0):
    """Poll the page's state until it equals `expected` (the map redraws in animation frames)."""
    deadline = time.monotonic() + timeout
    while True:
        got = read()
        if got == expected or time.monotonic() > deadline:
            assert got == expected
            return got
        time.sleep(0.05)


def on_map(page) -> int:
    """Events drawn on the map: the counts of every place and group of places shown."""
    return sum(page.locator(".leaflet-marker-icon [data-count]").evaluate_all("ns => ns.map(n => +n.dataset.count)"))


def url_of(page) -> str:
    return page.evaluate("location.href")        # page.url can lag behind history.replaceState


def url_params(page) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url_of(page)).query).items()}


def rows(page) -> list[str]:
    return page.locator("#events tbody tr").evaluate_all("rs => rs.map(r => r.dataset.eventType)")


def zoom(page) -> int:
    return int(url_params(page)["map"].split(",")[2])


def zoom_to(page, level: int) -> None:
    while zoom(page) < level:
        before = zoom(page)
        page.click(".leaflet-control-zoom-in")
        eventually(lambda: zoom(page), before + 1)        # the URL follows the map at each move's end


def test_service_dashboard_map_draws_every_event_of_the_filter(page, api_get):
    total = api_get("/v1/events").json()["total"]
    assert total > 500                                     # more than any page of events holds
    eventually(lambda: on_map(page), total)                # every event, grouped by place and zoom
    assert page.locator("#map").get_attribute("data-located") == str(total)
    assert page.locator("path").count() > 100              # the vendored country outlines
    # Fit to the data: the view is the data's extent (zoomed in from the world), every place inside it.
    assert zoom(page) >= 3
    box = page.locator("#map").bounding_box()
    for x, y in page.locator(".leaflet-marker-icon").evaluate_all(
            "ns => ns.map(n => n.getBoundingClientRect()).map(r => [r.x + r.width / 2, r.y + r.height / 2])"):
        assert box["x"] <= x <= box["x"] + box["width"] and box["y"] <= y <= box["y"] + box["height"]
    screenshot(page, "map")

    # A filter: the map holds every event of it, grouped again.
    syria = api_get("/v1/events", country="SY").json()["total"]
    page.select_option("#f-country", "SY")
    expect(page.locator("#count")).to_have_text(f"{syria} events · حدثًا")
    eventually(lambda: on_map(page), syria)

    # Zoomed in, the places are named in English and Arabic.
    assert page.locator("#map").evaluate("m => m.classList.contains('labels-on')") == (zoom(page) >= 6)
    zoom_to(page, 7)
    assert page.locator("#map").evaluate("m => m.classList.contains('labels-on')")
    expect(page.locator(".leaflet-tooltip.place-label", has_text="Homs · حمص")).to_be_visible()
    screenshot(page, "map-labels")


def test_service_dashboard_filters_apply_at_once_with_country_names_in_both_languages(page, api_get):
    options = page.locator("#f-country option").all_text_contents()
    assert any(o.startswith("Syria · سوريا (") for o in options) and any(o.startswith("Iraq · العراق (") for o in options)
    expect(page.locator("#events tbody tr")).to_have_count(50)
    page.select_option("#f-type", "Protests")               # no Apply button: the change is the request
    protests = api_get("/v1/events", event_type="Protests").json()["total"]
    expect(page.locator("#count")).to_have_text(f"{protests} events · حدثًا")
    assert set(rows(page)) == {"Protests"}
    assert url_params(page)["event_type"] == "Protests"
    page.select_option("#f-type", "")
    page.fill("#f-actor", "houthis")                        # typing applies when it pauses
    expect(page.locator("#events tbody tr")).to_have_count(1)
    assert "Saudi-led coalition → Houthis" in page.locator("#events tbody tr").text_content()
    assert "Saada, Yemen · اليمن" in page.locator("#events tbody tr").text_content()
    screenshot(page, "filters")
    page.click("#f-reset")
    expect(page.locator("#count")).to_have_text(f"{api_get('/v1/events').json()['total']} events · حدثًا")
    assert "actor" not in url_params(page)


def bars(page) -> list[dict]:
    return page.locator("#timeline rect.bar").evaluate_all(
        "bs => bs.map(b => ({start: b.dataset.start, end: b.dataset.end, count: +b.dataset.count}))")


def test_service_dashboard_timeline_spans_the_data_and_its_brush_sets_the_dates(page, api_get):
    stats = api_get("/v1/stats").json()
    assert page.locator("#timeline-unit .range").text_content() == f"{stats['first_day']} – {stats['last_day']}"
    laid = bars(page)
    assert laid[0]["start"] <= stats["first_day"] and laid[-1]["end"] >= stats["last_day"]
    assert sum(b["count"] for b in laid) == stats["total"]          # every dated event in a bar
    # 2015 and 2018 are years apart: the empty stretches are folded, not drawn as a bare axis.
    gaps = page.locator("#timeline g.gap").evaluate_all("gs => gs.map(g => [g.dataset.start, g.dataset.end])")
    assert any(a < "2016-01-01" and b > "2018-01-01" for a, b in gaps)
    assert sum(1 for b in laid if b["count"] == 0) < len(laid) / 4

    # Drag across the first 2015 weeks: the dates are set, and the table, map and URL follow.
    handles = page.locator("#timeline rect.bar")
    a, b = handles.nth(2).bounding_box(), handles.nth(9).bounding_box()
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] - 2)
    page.mouse.down()
    page.mouse.move((a["x"] + b["x"]) / 2, b["y"] + b["height"] - 2, steps=4)
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] - 2, steps=4)
    page.mouse.up()
    date_from, date_to = laid[2]["start"], laid[9]["end"]
    expect(page.locator("#f-date-from")).to_have_value(date_from)
    expect(page.locator("#f-date-to")).to_have_value(date_to)
    chosen = api_get("/v1/events", date_from=date_from, date_to=date_to).json()["total"]
    assert chosen == sum(b["count"] for b in laid[2:10])
    expect(page.locator("#count")).to_have_text(f"{chosen} events · حدثًا")
    eventually(lambda: on_map(page), chosen)
    assert (url_params(page)["date_from"], url_params(page)["date_to"]) == (date_from, date_to)
    assert page.locator("#brush").get_attribute("data-active") == "true"
    assert page.locator("#timeline rect.bar.in-range").count() == 8
    assert float(page.locator("#brush").get_attribute("width")) > 0
    screenshot(page, "timeline-brush")

    # The keyboard moves the chosen weeks (arrows), widens them (Shift) and clears them (Escape).
    page.focus("#timeline")
    page.keyboard.press("ArrowRight")
    expect(page.locator("#f-date-from")).to_have_value(laid[3]["start"])
    expect(page.locator("#f-date-to")).to_have_value(laid[10]["end"])
    page.keyboard.press("Shift+ArrowRight")
    expect(page.locator("#f-date-to")).to_have_value(laid[11]["end"])
    page.keyboard.press("Escape")
    expect(page.locator("#f-date-from")).to_have_value("")
    expect(page.locator("#count")).to_have_text(f"{stats['total']} events · حدثًا")


def test_service_dashboard_url_holds_the_view_and_a_reload_lands_on_it(open_page, api_get):
    page = open_page()
    page.select_option("#f-country", "IQ")
    iraq = api_get("/v1/events", country="IQ").json()["total"]
    expect(page.locator("#count")).to_have_text(f"{iraq} events · حدثًا")
    zoom_to(page, 7)
    page.focus("#map")
    before = url_params(page)["map"]
    page.keyboard.press("ArrowLeft")                         # pan: the extent is part of the view too
    eventually(lambda: url_params(page)["map"] != before, True)
    mosul = page.locator("#events tbody tr[data-event-type='Explosions/Remote violence']", has_text="Nineveh").first
    mosul.click()
    page.wait_for_selector("#article-text mark.evidence")
    eventually(lambda: "event" in url_params(page), True)
    shared = url_params(page)
    title = page.locator("#article-title").text_content()
    assert shared["country"] == "IQ" and shared["event"] == page.locator("#article").get_attribute("data-event-id")

    again = open_page(urlsplit(url_of(page)).query)             # a colleague opens the shared link
    again.wait_for_selector("#article-text mark.evidence")
    assert again.locator("#f-country").input_value() == "IQ"
    expect(again.locator("#count")).to_have_text(f"{iraq} events · حدثًا")
    assert again.locator("#article").get_attribute("data-event-id") == shared["event"]
    assert again.locator("#article-title").text_content() == title
    assert url_params(again) == shared                      # same filters, same event, same map extent
    assert again.locator("#events tbody tr.selected").evaluate_all("rs => rs.map(r => r.dataset.eventId)") in \
        ([], [shared["event"]])                              # marked in the table when on its first page
    screenshot(again, "shared-url-reloaded")


def test_service_dashboard_export_buttons_download_the_current_filters(page, api_get):
    page.select_option("#f-country", "SY")
    syria = api_get("/v1/events", country="SY").json()
    expect(page.locator("#count")).to_have_text(f"{syria['total']} events · حدثًا")
    href = page.locator("#export-csv").get_attribute("href")
    assert href == "/v1/export?format=acled-csv&country=SY"
    with page.expect_download() as download:
        page.click("#export-csv")
    path = download.value.path()
    with open(path, encoding="utf-8") as f:
        csv_rows = list(csv.DictReader(f))
    assert len(csv_rows) == syria["total"] and {r["country"] for r in csv_rows} == {"Syria"}
    geo = api_get(page.locator("#export-geojson").get_attribute("href")).json()
    assert len(geo["features"]) == syria["total"]
    screenshot(page, "export")
    page.fill("#f-q", "حلب")                                # a filter the exports do not take: say so
    expect(page.locator("#export-note")).to_be_visible()
    assert page.locator("#export-csv").get_attribute("aria-disabled") == "true"
    assert page.locator("#export-csv").get_attribute("href") is None
    assert "clear text" in page.locator("#export-note").text_content()


def open_event(open_page, api_get, q: str):
    (event,) = api_get("/v1/events", q=q).json()["items"]
    page = open_page(f"event={event['id']}")
    page.wait_for_selector("#article-text mark.evidence")
    return page, event


def field(page, name: str) -> str:
    return page.locator(f"#event-fields dd[data-field='{name}']").text_content()


def test_service_dashboard_event_lists_every_source_and_says_who_the_casualties_were(open_page, api_get):
    page, event = open_event(open_page, api_get, "الباغوز")
    detail = api_get(f"/v1/events/{event['id']}").json()
    assert page.locator("#event-notes").text_content() == detail["record"]["notes"]
    assert page.locator("#event-notes").text_content().startswith("On 19 March 2019, Syrian Democratic Forces clashed")
    # English names beside the Arabic of the article.
    assert field(page, "actor-1") == "Syrian Democratic Forces · قوات سوريا الديمقراطية"
    assert field(page, "actor-2") == "Islamic State · تنظيم الدولة الإسلامية"
    assert field(page, "place") == "Al Baghuz Fawqani · الباغوز"
    assert field(page, "where") == "Deir ez-Zor, Syria · سوريا"
    # Who died: the article's own figure inside the evidence.
    assert field(page, "killed") == "12 — gunmen: «مقتل 12 مسلحا»"
    # The RTL article with the evidence, trigger, place and actors highlighted.
    text = page.locator("#article-text")
    assert text.get_attribute("dir") == "rtl" and text.evaluate("el => getComputedStyle(el).direction") == "rtl"
    assert "".join(page.locator("#article-text mark.evidence").all_text_contents()) == detail["evidence"]["text"]
    assert page.locator("#article-text mark.trigger").first.text_content() == "اشتباكات"
    assert page.locator("#article-text mark.place").first.text_content() == "الباغوز"
    assert sorted(page.locator("#article-text mark.actor").all_text_contents()) == \
        sorted(["قوات سوريا الديمقراطية", "تنظيم الدولة الإسلامية"])

    # Every source of the incident, each with its outlet, date and title; each opens its own text.
    sources = page.locator("#sources li")
    expect(sources).to_have_count(2)
    assert page.locator("#sources-title").text_content() == "Sources · المصادر (2)"
    assert "test-agency" in sources.nth(0).text_content() and "other-agency" in sources.nth(1).text_content()
    assert sources.nth(1).locator("a.original").get_attribute("href") == "https://example.net/news/77"
    screenshot(page, "event-sources")
    sources.nth(1).locator("button").click()
    expect(page.locator("#article-title")).to_have_text("معارك في الباغوز")
    assert page.locator("#sources button.current").get_attribute("data-index") == "1"
    evidence = "".join(page.locator("#article-text mark.evidence").all_text_contents())
    assert evidence in BAGHUZ_SECOND and evidence.startswith("معارك ضارية")
    assert page.locator("#article-text").text_content() == BAGHUZ_SECOND
    assert field(page, "killed").startswith("12 — who: not stated")     # that report gives no count of its own

    mosul, _ = open_event(open_page, api_get, "عبوة ناسفة")
    assert field(mosul, "killed") == "5 — civilians: «قتل خمسة مدنيين»"
    assert field(mosul, "injured") == "8 — civilians: «وأصيب ثمانية آخرون»"
    saada, _ = open_event(open_page, api_get, "طيران التحالف")
    assert field(saada, "killed").startswith("3 — who: not stated")        # no figure in that report
    assert field(saada, "actor-1") == "Saudi-led coalition · طيران التحالف"
    screenshot(mosul, "event-casualties")


def test_service_dashboard_legends_are_complete_and_off_the_map(open_page, api_get):
    page, _ = open_event(open_page, api_get, "عبوة ناسفة")      # an article with two events
    legend = page.locator("#legend li[data-event-type]")
    assert legend.evaluate_all("ls => ls.map(l => l.dataset.eventType)") == [
        "Battles", "Explosions/Remote violence", "Violence against civilians", "Protests", "Riots",
        "Strategic developments"]
    swatches = legend.evaluate_all("ls => ls.map(l => getComputedStyle(l.querySelector('.swatch')).backgroundColor)")
    dots = page.locator(".place-dot").evaluate_all("ds => ds.map(d => getComputedStyle(d).backgroundColor)")
    rings = page.locator(".cluster").evaluate_all("cs => cs.map(c => getComputedStyle(c).borderTopColor)")
    assert dots + rings and set(dots + rings) <= set(swatches)   # every colour on the map is in the legend
    keys = page.locator("#legend .legend-keys").text_content()
    assert "a place" in keys and "a group of nearby places" in keys and "Place names" in keys
    m, lg = page.locator("#map").bounding_box(), page.locator("#legend").bounding_box()
    assert lg["y"] >= m["y"] + m["height"]                     # below the map, not over the data
    # The article's shading: the other event's evidence is grey, and the legend says so in its colour.
    other = page.locator("#article-text mark.other-evidence")
    assert other.count() >= 1 and "اعتقلت القوات الأمنية" in "".join(other.all_text_contents())
    key = page.locator("#span-legend mark.other-evidence")
    assert "other events' evidence" in key.text_content()
    shade = "el => getComputedStyle(el).backgroundColor"
    assert key.evaluate(shade) == other.first.evaluate(shade) != "rgba(0, 0, 0, 0)"
    assert {k.evaluate(shade) for k in page.locator("#span-legend mark").all()} >= \
        {page.locator(f"#article-text mark.{k}").first.evaluate(shade) for k in ("evidence", "other-evidence")}
    screenshot(page, "legends")


def test_service_dashboard_is_keyboard_reachable(page, api_get):
    seen = []
    for _ in range(120):
        page.keyboard.press("Tab")
        seen.append(page.evaluate("""() => { const a = document.activeElement;
            return a.id || (a.closest('#events') && 'row') || (a.classList.contains('leaflet-marker-icon') && 'marker')
                   || a.className || a.tagName; }"""))
    for target in ("f-date-from", "f-country", "f-type", "f-actor", "f-q", "f-reset", "export-csv", "map", "marker",
                   "timeline", "timeline-clear", "row", "next"):
        assert target in seen, (target, seen)
    # A row opens its event with Enter.
    page.focus("#events tbody tr[data-event-type='Protests']")
    page.keyboard.press("Enter")
    page.wait_for_selector("#article-text mark.evidence")
    assert page.locator("#article").get_attribute("data-event-id")
    # A group of places opens with Enter (it zooms in on its places).
    before = zoom(page)
    page.locator(".leaflet-marker-icon.cluster-icon").first.focus()
    page.keyboard.press("Enter")
    eventually(lambda: zoom(page) > before, True)
    # A place opens with Enter: its latest events, each a button.
    zoom_to(page, 9)
    place = page.locator(".leaflet-marker-icon.place-icon").first
    place.focus()
    page.keyboard.press("Enter")
    popup = page.locator(".place-popup")
    expect(popup).to_be_visible()
    first = popup.locator("button").first
    assert " · " in first.text_content() and first.text_content()[:2] == "20"   # "2018-07-30 · Battles · معارك"
    first.focus()
    page.keyboard.press("Enter")
    eventually(lambda: url_params(page).get("event"), first.get_attribute("data-event-id"))
    screenshot(page, "keyboard")


def test_service_dashboard_keeps_hostile_text_as_text(open_page, api_get):
    page, _ = open_event(open_page, api_get, "حي الشعار")
    article = page.locator("#article")
    # Every payload is on the page as characters...
    assert page.locator("#article-title").text_content() == XSS_TITLE
    body = page.locator("#article-text").text_content()
    for payload in XSS_PAYLOADS:
        assert payload in body
    assert XSS_PAYLOADS[0] in "".join(page.locator("#article-text mark.evidence").all_text_contents())
    assert XSS_URL in page.locator("#article-meta").text_content()
    page.fill("#f-q", "حي الشعار")
    expect(page.locator("#events tbody tr")).to_have_count(1)
    # ...and none became markup or ran.
    for selector in ("script", "img", "a[href^='javascript']", "b", "[onerror]", "[onmouseover]"):
        assert article.locator(selector).count() == 0, selector
        assert page.locator(f"#events {selector}").count() == 0, selector
        assert page.locator(f"#sources {selector}").count() == 0, selector
    page.locator("#article-text").hover()
    assert page.evaluate("typeof window.__xss") == "undefined"
    screenshot(page, "hostile")
