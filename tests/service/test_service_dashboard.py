"""The dashboard in real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright)
against a live server on 127.0.0.1: markers on the map, a filter that changes the table,
an event that opens its article right-to-left with the evidence highlighted, and hostile
titles and texts that must stay text. Waits are on elements, never on time (and never
`wait_for_function`, whose string is an eval the page's CSP rightly refuses)."""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from .conftest import ARTIFACTS, SCREENSHOTS, XSS_PAYLOADS, XSS_TITLE, XSS_URL

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
    playwright = pytest.importorskip("playwright.sync_api")
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium package.")
        pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")
    profile = tempfile.mkdtemp(prefix="marsad-chromium-")
    with playwright.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=ARGS, viewport={"width": 1400, "height": 1000})
        context.set_default_timeout(15_000)
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser, api):
    page = browser.new_page()
    page.add_init_script(WATCH)
    page.offsite, page.dialogs, page.errors = [], [], []
    page.on("request", lambda r: None if r.url.startswith(api.url) else page.offsite.append(r.url))
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(api.url + "/")
    page.wait_for_selector("body[data-ready=true]")
    yield page
    assert page.offsite == [], "the dashboard asked another host for something"
    assert page.dialogs == [] and page.errors == []
    assert page.evaluate("window.__violations") == []
    page.close()


def rows(page) -> list[str]:
    return page.locator("#events tbody tr").evaluate_all("rs => rs.map(r => r.dataset.eventType)")


def test_service_dashboard_map_filter_and_article(page, api):
    # The map: one marker per located event, coloured by type, over the vendored outlines.
    markers = page.locator("path.event-marker")
    markers.first.wait_for()
    assert markers.count() == 6
    assert page.locator("path.leaflet-interactive, path").count() > 100      # country outlines
    fills = set(markers.evaluate_all("ms => ms.map(m => m.getAttribute('fill'))"))
    assert len(fills) == 4                                                  # 4 event types in the store
    assert page.locator("#timeline rect.bar").count() > 0

    # A filter changes the table (and the map).
    assert len(rows(page)) == 6
    page.select_option("#f-type", "Explosions/Remote violence")
    page.click("#f-apply")
    expect(page.locator("#events tbody tr")).to_have_count(3)
    assert set(rows(page)) == {"Explosions/Remote violence"}
    expect(page.locator("path.event-marker")).to_have_count(3)
    page.fill("#f-actor", "houthis")
    page.click("#f-apply")
    expect(page.locator("#events tbody tr")).to_have_count(1)
    page.click("#f-reset")
    expect(page.locator("#events tbody tr")).to_have_count(6)

    # Clicking an event on the map opens its article, RTL, with the evidence highlighted.
    baghuz = page.locator("path.event-marker[data-event-type='Battles']")
    expect(baghuz).to_be_visible()
    baghuz.click()
    page.wait_for_selector("#article-text mark.evidence")
    text = page.locator("#article-text")
    assert text.get_attribute("dir") == "rtl" and text.get_attribute("lang") == "ar"
    assert page.locator("#article-title").text_content() == "اشتباكات في الباغوز"
    evidence = "".join(page.locator("#article-text mark.evidence").all_text_contents())
    assert evidence == "اشتباكات عنيفة اندلعت يوم الثلاثاء مع مقاتلي تنظيم الدولة الإسلامية في بلدة الباغوز"
    assert page.locator("#article-text mark.trigger").first.text_content() == "اشتباكات"
    assert page.locator("#article-text mark.place").first.text_content() == "الباغوز"
    assert sorted(page.locator("#article-text mark.actor").all_text_contents()) == \
        sorted(["قوات سوريا الديمقراطية", "تنظيم الدولة الإسلامية"])
    direction = text.evaluate("el => getComputedStyle(el).direction")
    assert direction == "rtl"
    fields = page.locator("#event-fields").text_content()
    assert "Battles" in fields and "Armed clash" in fields and "Syrian Democratic Forces" in fields

    # A row of the table opens its article too.
    page.locator("#events tbody tr[data-event-type='Protests']").click()
    expect(page.locator("#article-title")).to_have_text("تظاهرة في بيروت")
    assert page.locator("#article-text mark.evidence").first.text_content().startswith("تظاهر")

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#events tbody tr[data-event-type='Battles']").click()
    expect(page.locator("#article-title")).to_have_text("اشتباكات في الباغوز")
    shot = ARTIFACTS / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    SCREENSHOTS.append(shot)
    print(f"\nscreenshot: {shot}")


def test_service_dashboard_keeps_hostile_text_as_text(page):
    page.locator("#events tbody tr").first.wait_for()
    hostile = page.locator("#events tbody tr", has_text="حلب")
    hostile.click()
    page.wait_for_selector("#article-text mark.evidence")
    article = page.locator("#article")
    # Every payload is on the page as characters...
    assert page.locator("#article-title").text_content() == XSS_TITLE
    body = page.locator("#article-text").text_content()
    for payload in XSS_PAYLOADS:
        assert payload in body
    assert XSS_PAYLOADS[0] in "".join(page.locator("#article-text mark.evidence").all_text_contents())
    assert XSS_URL in page.locator("#article-meta").text_content()
    # ...and none became markup or ran.
    for selector in ("script", "img", "a[href^='javascript']", "b", "[onerror]", "[onmouseover]"):
        assert article.locator(selector).count() == 0, selector
        assert page.locator(f"#events {selector}").count() == 0, selector
    page.locator("#article-text").hover()
    assert page.evaluate("typeof window.__xss") == "undefined"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "dashboard-hostile.png"), full_page=True)
    SCREENSHOTS.append(ARTIFACTS / "dashboard-hostile.png")
