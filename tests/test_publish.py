import json
import re

import pytest

from ingest.database import schema_sql
from ingest.render import highlight_snippet

from .conftest import ROOT

METADATA = json.loads((ROOT / "metadata.json").read_text())
QUERIES = METADATA["databases"]["articles"]["queries"]
QUERY_PARAMS = {
    "search_feed": {"q": "Abu Taqwa"},
    "actor_feed": {"actor": "Harakat al-Nujaba"},
    "topic_feed": {"topic": "us-troop-presence"},
    "actors_together": {"actor": "HaN", "other_actor": "Iran"},
    "actor_paragraphs": {"actor": "Ansar Allah"},
    "actor_companions": {"actor": "Mohammed Shia al-Sudani"},
    "candidate_paragraphs": {"name": "American Statecraft Program"},
    "why_tagged": {"paragraph_id": "3"},
}


async def get_json(datasette, path, **params):
    response = await datasette.client.get(path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_table_search_finds_militia_paragraphs(datasette):
    rows = await get_json(datasette, "/articles/paragraphs.json", _search="militia", _shape="array")
    assert [row["id"] for row in rows] == [10]
    assert "militias" in rows[0]["text"]


async def test_actor_array_facet_lists_harakat_al_nujaba(datasette):
    data = await get_json(datasette, "/articles/paragraphs.json", _facet_array="actors")
    values = {item["value"]: item["count"] for item in data["facet_results"]["actors"]["results"]}
    assert values["Harakat al-Nujaba"] == 3
    assert values["United States"] >= 10


async def test_default_facets_are_actors_types_topics_sources_sections_and_months(datasette):
    data = await get_json(datasette, "/articles/paragraphs.json", _search="Taqwa")
    assert set(data["facet_results"]) == {"actor", "type", "topic", "source", "section", "month"}
    assert {item["value"] for item in data["facet_results"]["source"]["results"]} == {"Vox"}
    assert data["filtered_table_rows_count"] == 4


async def test_searching_abu_taqwa_in_the_ui_finds_his_paragraphs(datasette):
    response = await datasette.client.get("/articles/paragraphs", params={"_search": "Abu Taqwa"})
    assert response.status_code == 200
    assert "4 paragraphs, ranked by relevance (bm25)" in response.text
    assert "Harakat al-Nujaba" in response.text


@pytest.mark.parametrize("name", sorted(QUERIES))
async def test_every_canned_query_runs(datasette, name):
    rows = await get_json(datasette, f"/articles/{name}.json", _shape="array", **QUERY_PARAMS[name])
    assert rows


async def test_why_tagged_explains_each_tag_of_a_paragraph(datasette):
    rows = await get_json(datasette, "/articles/why_tagged.json", _shape="array", paragraph_id="3")
    paragraph = (await get_json(datasette, "/articles/paragraphs/3.json", _shape="array"))[0]
    mentions = [row for row in rows if row["tag_kind"] == "actor"]
    assert {row["tag"] for row in mentions} == set(json.loads(paragraph["actors"]))
    assert all(paragraph["text"][row["char_start"] : row["char_end"]] == row["evidence"] for row in mentions)
    topics = [row for row in rows if row["tag_kind"] == "topic"]
    assert len(topics) == len(json.loads(paragraph["topics"])) and all(json.loads(row["evidence"]) for row in topics)


async def test_candidates_link_their_example_paragraphs(datasette):
    response = await datasette.client.get("/articles/candidates", params={"name": "American Statecraft Program"})
    assert response.status_code == 200
    assert '<a href="/articles/paragraphs/16">16</a>' in response.text


async def test_ranked_search_highlights_and_names_the_article(datasette):
    rows = await get_json(datasette, "/articles/search.json", _shape="array", q="Abu Taqwa")
    assert sorted(row["paragraph_id"] for row in rows) == [3, 4, 5, 16]
    assert all(row["title"] == "Iraq's call to withdraw US-led anti-ISIS forces explained" for row in rows)
    assert all("<mark>Taqwa</mark>" in row["snippet"] for row in rows)
    assert [row["rank"] for row in rows] == sorted(row["rank"] for row in rows)


async def test_search_page_shows_highlights_as_html(datasette):
    response = await datasette.client.get("/articles/search", params={"q": "Kavanagh"})
    assert "<mark>Kavanagh</mark>" in response.text


async def test_two_actors_together_by_alias(datasette):
    rows = await get_json(datasette, "/articles/actors_together.json", _shape="array", actor="HaN", other_actor="iran")
    assert [row["paragraph_id"] for row in rows] == [3]


@pytest.mark.parametrize("query", ['"unbalanced', "NEAR(", "AND OR", "text:", "*", "a" * 3000])
async def test_malformed_searches_get_a_4xx_or_results_never_a_5xx(datasette, query):
    for path, params in [
        ("/articles/paragraphs.json", {"_search": query, "_searchmode": "raw"}),
        ("/articles/paragraphs.json", {"_search": query}),
        ("/articles/search.json", {"q": query}),
        ("/articles/paragraphs", {"_search": query, "_searchmode": "raw"}),
    ]:
        response = await datasette.client.get(path, params=params)
        assert response.status_code < 500, (path, params, response.text)
    raw = await datasette.client.get("/articles/paragraphs.json", params={"_search": '"unbalanced', "_searchmode": "raw"})
    assert raw.status_code == 400


@pytest.mark.parametrize(
    "sql",
    [
        "delete from paragraphs",
        "update articles set title = 'x'",
        "drop table actors",
        "attach database 'x.db' as x",
        "vacuum into '/tmp/copy.db'",
        "pragma journal_mode = delete",
        "with gone as (select 1) delete from paragraphs",
        "select 1; delete from paragraphs",
        "insert into paragraphs_fts(paragraphs_fts) values ('delete-all')",
        "select load_extension('/tmp/evil')",
    ],
)
async def test_visitors_cannot_change_the_database(datasette, sql):
    response = await datasette.client.get("/articles.json", params={"sql": sql})
    assert response.status_code == 400
    rows = await get_json(datasette, "/articles.json", sql="select count(*) as n from paragraphs", _shape="array")
    assert rows == [{"n": 18}]


async def test_a_runaway_query_is_stopped_at_the_time_limit(datasette):
    endless = "with recursive n(i) as (select 1 union all select i + 1 from n) select count(*) from n"
    response = await datasette.client.get("/articles.json", params={"sql": endless})
    assert response.status_code == 400
    assert "SQL query took too long" in response.json()["error"]


async def test_no_redirect_leads_off_the_site(datasette):
    response = await datasette.client.get("//example.com/articles")
    assert not response.headers.get("location", "").lstrip("/").startswith("example.com")


def test_no_canned_query_writes_and_the_main_command_serves_on_localhost_with_a_time_limit():
    assert not any(query.get("write") for query in QUERIES.values())
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    serve = next(line for line in makefile.splitlines() if "datasette serve" in line)
    assert "--host 127.0.0.1" in serve and "--setting sql_time_limit_ms 1000" in serve and " -i " not in serve


async def test_foreign_keys_show_labels(datasette):
    response = await datasette.client.get("/articles/paragraph_actors", params={"_size": 5})
    assert "Mohammed Shia al-Sudani" in response.text  # actor ids show the actor's name


def test_every_table_and_column_is_described():
    tables = METADATA["databases"]["articles"]["tables"]
    schema = schema_sql()
    for table in re.findall(r"CREATE TABLE IF NOT EXISTS (\w+) \((.*?)\n\)", schema, flags=re.S):
        name, body = table
        assert tables[name]["description"]
        columns = re.findall(r"^\s{4}(\w+) [A-Z]", body, flags=re.M)
        assert set(columns) - {"PRIMARY", "UNIQUE"} == set(tables[name]["columns"]), name
    for view in re.findall(r"CREATE VIEW IF NOT EXISTS (\w+)", schema):
        assert tables[view]["description"]


@pytest.mark.parametrize(
    ("snippet", "html"),
    [
        ("the <mark>militia</mark> said", "the <mark>militia</mark> said"),
        ("<script>alert(1)</script> <mark>x</mark>", "&lt;script&gt;alert(1)&lt;/script&gt; <mark>x</mark>"),
        ('"><img src=x onerror=alert(1)>', "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"),
    ],
)
def test_snippets_are_escaped_but_for_their_highlights(snippet, html):
    assert str(highlight_snippet(snippet)) == html


async def test_query_results_link_paragraph_ids_to_their_page(datasette):
    response = await datasette.client.get("/articles/actors_together", params={"actor": "HaN", "other_actor": "Iran"})
    assert '<a href="/articles/paragraphs/3">3</a>' in response.text
    response = await datasette.client.get("/articles/search", params={"q": "Kavanagh"})
    assert '<a href="/articles/paragraphs/16">' in response.text
    page = await datasette.client.get("/articles/paragraphs/16")
    assert page.status_code == 200 and "mentions" in page.text


@pytest.mark.parametrize("q", ["", "   "])
async def test_an_empty_search_browses_the_newest_paragraphs_with_exact_facets(datasette, q):
    data = await get_json(datasette, "/articles/search.json", q=q)
    assert data["total"] == 18 and data["total_exact"] and data["ranking"]["by"] == "date"
    assert all(facet["exact"] for facet in data["facet_results"].values())
    page = await datasette.client.get("/articles/search", params={"q": q})
    assert page.status_code == 200 and 'name="q"' in page.text
