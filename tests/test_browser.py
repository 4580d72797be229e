"""The desk in a real browser (Debian's chromium, driven by Playwright), served as the README serves it.

Every page renders with no console error and no script from another site (map tiles
aside, answered here with an empty response); charts and the map draw; facet and
heatmap clicks filter. The screenshots the README shows are taken here.
"""

import shutil
import urllib.parse
from pathlib import Path

import pytest

from .conftest import ROOT, served

SCREENSHOTS = ROOT / "docs" / "screenshots"
TILES = "tile.openstreetmap.org"

pytestmark = pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed (make test installs it)")


@pytest.fixture(scope="module")
def served_desk(corpus_db_path):
    """The generated corpus served with the settings of `make run`."""
    with served(corpus_db_path) as url:
        yield url


@pytest.fixture(scope="module")
def browser_page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=shutil.which("chromium"),
            args=["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-sync"],
            viewport={"width": 1280, "height": 900},
        )
        page = browser.new_page()
        page.problems, page.foreign = [], []
        page.on("console", lambda message: message.type == "error" and page.problems.append(message.text))
        page.on("pageerror", lambda error: page.problems.append(str(error)))

        def answer(route):
            host = urllib.parse.urlparse(route.request.url).hostname
            if host == "127.0.0.1":
                return route.continue_()
            page.foreign.append(route.request.url)
            return route.fulfill(status=204, body="")  # offline: map tiles get nothing

        page.route("**/*", answer)
        yield page
        browser.close()


def visit(page, url):
    page.problems.clear()
    response = page.goto(url)
    page.wait_for_load_state("networkidle")
    assert response.status == 200, url
    return page


@pytest.mark.parametrize(
    "path, drawn",
    [
        ("/-/search?q=iran", ".desk-hit"),
        ("/articles/paragraphs?_search=militia", ".desk-hit"),
        ("/actor/united-states", "[data-vega-spec] svg"),
        ("/topic/us-troop-presence", "[data-vega-spec] svg"),
        ("/-/cooccurrence", "[data-vega-spec] svg"),
        ("/-/map", "#desk-map path.leaflet-interactive"),
        ("/articles/paragraphs/3", "a.mention"),
        ("/articles/paragraphs", ".facet-info"),
        ("/-/dashboards/desk", "svg"),
    ],
)
def test_every_desk_page_renders_in_chromium_without_errors(served_desk, browser_page, path, drawn):
    page = visit(browser_page, served_desk + path)
    page.wait_for_selector(drawn, state="attached", timeout=15_000)
    assert page.problems == [], path
    assert all(TILES in url for url in page.foreign), page.foreign


def test_a_facet_click_filters_the_search(served_desk, browser_page):
    page = visit(browser_page, served_desk + "/-/search?q=iran")
    total = page.inner_text("p.desk-note")
    page.click("section[data-facet=actor] li a >> nth=1")
    page.wait_for_load_state("networkidle")
    assert "_actor=" in page.url and page.inner_text("p.desk-note") != total
    assert page.locator(".desk-chips .chip").count() == 1
    assert page.problems == []


def test_the_map_draws_a_circle_for_every_place(served_desk, browser_page):
    page = visit(browser_page, served_desk + "/-/map")
    page.wait_for_selector("#desk-map path.leaflet-interactive", state="attached")
    rows = page.locator("table.desk-table tbody tr").count()
    assert page.locator("#desk-map path.leaflet-interactive").count() >= rows > 10


def test_a_heatmap_cell_opens_the_paragraphs_naming_both(served_desk, browser_page):
    page = visit(browser_page, served_desk + "/-/cooccurrence")
    page.wait_for_selector("[data-vega-spec] svg .mark-rect path")
    page.locator("[data-vega-spec] svg .mark-rect path").first.click()
    page.wait_for_url("**/-/search?**")
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    assert len(query["_actor"]) == 2
    assert page.locator(".desk-hit").count() > 0


@pytest.mark.parametrize(
    "name, path, ready",
    [
        ("search", "/-/search?q=militia", ".desk-hit"),
        ("actor", "/actor/kataib-hezbollah", "[data-vega-spec] svg"),
        ("cooccurrence", "/-/cooccurrence", "[data-vega-spec] svg"),
        ("map", "/-/map", "#desk-map path.leaflet-interactive"),
    ],
)
def test_screenshots_for_the_readme(served_desk, browser_page, name, path, ready):
    page = visit(browser_page, served_desk + path)
    page.wait_for_selector(ready, state="attached")
    page.wait_for_timeout(500)  # let charts finish drawing
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    target: Path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(target), full_page=False)
    assert target.stat().st_size > 10_000
