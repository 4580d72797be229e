"""Hostile input against the published site: adversarial searches, and HTML and script in the data."""

import json
import random
import re
import shutil
import urllib.parse

import pytest

from .conftest import ROOT, datasette_for, served
from .test_cli import run

# Pieces of FTS5 syntax, SQL and markup that a search box gets thrown at it.
FRAGMENTS = [
    '"', '""', "'", "(", ")", "*", "^", ":", "-", "+", "NEAR(", "NEAR(a b, 2)", "NEAR", "AND", "OR", "NOT", "and", "or",
    "text:", "title:", "{text}", "paragraphs_fts:", "rank:", "col:x", "'; DROP TABLE paragraphs; --", "1=1", "UNION SELECT",
    "\\", "%", "_", "\u0000", "\u202e", "Kataib", "Hezbollah", "Iran's", "al-Sudani", "أبو تقوى", "ﷺ", "🙂", "<script>",
    "&amp;", "%00", "\t", "\n",
]  # fmt: skip
ENDPOINTS = [
    ("/articles/paragraphs.json", lambda q: {"_search": q, "_searchmode": "raw"}),
    ("/articles/paragraphs.json", lambda q: {"_search": q}),
    ("/articles/search.json", lambda q: {"q": q}),
    ("/articles/paragraphs", lambda q: {"_search": q, "_searchmode": "raw"}),
    ("/articles/actors_together.json", lambda q: {"actor": q, "other_actor": q}),
]
QUERIES = 1000

# What a hostile page or feed could carry, each trying to run script in a visitor's browser.
PAYLOADS = {
    "script": "<script>window.__xss = 'script'</script>",
    "image": '"><img src=x onerror="window.__xss = \'img\'">',
    "svg": "<svg onload=\"window.__xss = 'svg'\">",
    "link": "javascript:window.__xss='link'",
}


def adversarial_queries(count, seed=1):
    """Generated malformed searches: fragments joined at random, and some very long ones."""
    chance = random.Random(seed)
    queries = []
    for number in range(count):
        parts = chance.choices(FRAGMENTS, k=chance.randint(1, 8))
        query = chance.choice(["", " "]).join(parts)
        if number % 50 == 0:
            query = (query * 5000)[: chance.randint(2000, 12000)]  # very long (a URL tops out at 64 KB)
        queries.append(query)
    return queries


async def test_a_thousand_adversarial_searches_get_results_or_a_4xx_never_a_5xx(datasette):
    statuses = {}
    for number, query in enumerate(adversarial_queries(QUERIES)):
        path, params = ENDPOINTS[number % len(ENDPOINTS)]
        response = await datasette.client.get(path, params=params(query))
        assert response.status_code < 500, (path, query, response.text[:300])
        if response.status_code >= 400 and path.endswith(".json"):
            assert response.json()["error"], (path, query)
        statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
    assert sum(statuses.values()) == QUERIES
    assert statuses.get(200, 0) > 0 and statuses.get(400, 0) > 0
    print(f"{QUERIES} adversarial searches: {statuses}")


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory):
    """A database whose titles, text, sources, URLs and actor names carry script."""
    folder = tmp_path_factory.mktemp("hostile")
    front_matter = {"title": f"Militia statement {PAYLOADS['script']}", "source": PAYLOADS["svg"], "url": PAYLOADS["link"]}
    (folder / "page.md").write_text(
        "---\n" + "".join(f"{key}: {json.dumps(value)}\n" for key, value in front_matter.items()) + "---\n\n"
        f"## Heading {PAYLOADS['image']}\n\n"
        f"Kataib Hezbollah said {PAYLOADS['script']} it would stop attacks on US forces.\n\n"
        f"A spokesman for the Brigade of {PAYLOADS['image']} denied it, naming Iran and {PAYLOADS['svg']}.\n"
    )
    actors = folder / "actors.jsonl"
    hostile_actor = {"id": "hostile", "name": f"Brigade of {PAYLOADS['image']}", "type": "armed_group"}
    actors.write_text((ROOT / "ingest" / "data" / "actors.jsonl").read_text() + json.dumps(hostile_actor) + "\n")
    db_path = folder / "articles.db"
    assert run("add", folder / "page.md", "--db", db_path, "--actors", actors)[0] == 0
    assert run("check", "--db", db_path)[0] == 0
    return db_path


def hostile_pages(paragraph_id=1, article_id=1):
    return [
        "/articles/articles",
        f"/articles/articles/{article_id}",
        "/articles/paragraphs",
        f"/articles/paragraphs/{paragraph_id}",
        "/articles/paragraphs?_search=Kataib",
        "/articles/paragraphs?_facet_array=actors&_facet=source&_facet=section",
        "/articles/actors?id=hostile",
        "/articles/actors/hostile",
        "/articles/mentions?actor_id=hostile",
        "/articles/candidates",
        "/articles/paragraphs_with_articles",
        "/articles/search?q=Kataib",
        "/articles/search?q=spokesman",
        "/articles/actor_paragraphs?actor=hostile",
        "/articles/actors_together?actor=Kataib+Hezbollah&other_actor=Iran",
        "/articles/actor_companions?actor=Iran",
        "/articles?sql=select+title,+source,+url+from+articles",
        "/-/search?q=Kataib",
        "/-/search?q=spokesman&_actor=hostile",
        "/articles/search?q=Kataib&source=" + urllib.parse.quote(PAYLOADS["svg"]),
        "/actor/hostile",
        "/actor/kataib-hezbollah",
        "/actor/iran",
        "/topic/militia-attacks",
        "/-/cooccurrence",
        "/-/batch?terms=" + urllib.parse.quote(f"Kataib\n{PAYLOADS['script']}\nBrigade"),
    ]


def test_the_hostile_database_holds_the_payloads(hostile_db):
    from sqlite_utils import Database

    db = Database(hostile_db)
    title, source, url = db.execute("SELECT title, source, url FROM articles").fetchone()
    assert PAYLOADS["script"] in title and source == PAYLOADS["svg"]
    assert url is None  # only http and https addresses are kept
    assert db.execute("SELECT count(*) FROM mentions WHERE actor_id = 'hostile'").fetchone() == (1,)


async def test_every_page_shows_hostile_strings_escaped(hostile_db):
    datasette = datasette_for(hostile_db)
    rendered = 0
    for page in hostile_pages():
        response = await datasette.client.get(page)
        assert response.status_code == 200, page
        for payload in PAYLOADS.values():
            assert payload not in response.text, (page, payload)
        assert not re.search(r"<(script|img|svg)[^>]*(__xss|onerror|onload)", response.text), page
        assert 'href="javascript:' not in response.text, page
        rendered += response.text.count("__xss")
    assert rendered > 0  # the payloads are on the pages, as text
    print(f"{len(hostile_pages())} pages, {rendered} hostile strings shown escaped")


@pytest.fixture(scope="module")
def served_hostile(hostile_db):
    """The hostile database served as the README serves the sample (a real server: the browser needs one)."""
    with served(hostile_db) as url:
        yield url


@pytest.mark.skipif(not shutil.which("chromium"), reason="Debian's chromium is not installed (make test installs it with apt-get)")
def test_no_script_runs_in_a_real_browser(served_hostile):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=shutil.which("chromium"), args=["--no-sandbox"])
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
        showing_payloads = 0
        for path in hostile_pages():
            page.goto(served_hostile + path)
            assert page.evaluate("window.__xss") is None, path
            showing_payloads += "__xss" in page.inner_text("body")  # shown as text a reader can see
        browser.close()
    assert dialogs == []
    assert showing_payloads >= len(hostile_pages()) - 2
    print(f"{len(hostile_pages())} pages opened in Chromium, {showing_payloads} showing the payloads as text, no script ran")
