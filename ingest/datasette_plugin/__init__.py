"""Datasette hooks: wiring only. The pages are ingest.views, what they show ingest.search, ingest.desk and ingest.render."""

import urllib.parse

from datasette import hookimpl
from datasette.filters import FilterArguments

from .. import views
from ..desk import paragraph_detail
from ..query import SearchSyntaxError, compile_query
from ..render import highlight_snippet, linked_mentions, linked_names, paragraph_link, paragraph_links


@hookimpl
def register_routes():
    return [
        (r"^/-/search(\.(?P<format>json))?$", views.search_view),
        (r"^/-/cooccurrence(\.(?P<format>json))?$", views.cooccurrence_view),
        (r"^/-/map(\.(?P<format>json))?$", views.map_view),
        (r"^/-/batch(\.(?P<format>json))?$", views.batch_view),
        (r"^/-/actor$", views.actor_by_name_view),
        (r"^/actor/(?P<actor_id>[a-z0-9-]+)(\.(?P<format>json))?$", views.actor_view),
        (r"^/topic/(?P<topic_id>[a-z0-9-]+)(\.(?P<format>json))?$", views.topic_view),
        (r"^/(?P<database>[^/.]+)/search(\.(?P<format>json))?$", views.search_view),
        (r"^/(?P<database>[^/.]+)/(?P<table>paragraphs)(\.(?P<format>json))?$", views.paragraphs_view),
    ]


@hookimpl
def register_facet_classes():
    return [views.DeskFacet]


@hookimpl
def filters_from_request(request, table):
    found = views.table_filters(request, table)
    if found:
        where_clauses, params, described = found
        return FilterArguments(where_clauses, params=params, human_descriptions=described)
    return None


@hookimpl
def prepare_connection(conn):
    # desk_match(:q) in SQL: the search box's query language (phrases, prefix*, OR, NEAR, Arabic forms)
    conn.create_function("desk_match", 1, _desk_match, deterministic=True)
    # Read the store through the page cache's memory map, and keep more of its index pages in memory.
    conn.execute("PRAGMA mmap_size = 1073741824")
    conn.execute("PRAGMA cache_size = -65536")


def _desk_match(text):
    try:
        return compile_query(text or "") or '""'
    except SearchSyntaxError as error:
        raise ValueError(str(error)) from None


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    async def paragraph():
        if view_name != "row" or table != "paragraphs":
            return {}
        paragraph_id = request.url_vars.get("pks", "")
        if not paragraph_id.isdigit():
            return {}
        detail = await datasette.get_database(database).execute_fn(lambda connection: paragraph_detail(connection, int(paragraph_id)))
        if detail is None:
            return {}
        html = linked_mentions(detail.text, detail.mentions, lambda actor_id: datasette.urls.path(f"/actor/{actor_id}"))
        return {"desk_paragraph": detail, "desk_paragraph_html": html}

    return paragraph


@hookimpl
def render_cell(value, column, table, database, datasette):
    # The canned queries name their snippet() column "snippet" and paragraph ids "paragraph_id".
    if table is None and column == "snippet" and isinstance(value, str):
        return highlight_snippet(value)
    if table is None and column == "paragraph_id" and isinstance(value, int):
        return paragraph_link(value, datasette.urls.row(database, "paragraphs", str(value)))
    if table == "candidates" and column == "examples" and isinstance(value, str):
        return paragraph_links(value, lambda paragraph_id: datasette.urls.row(database, "paragraphs", str(paragraph_id)))
    if column == "actors" and isinstance(value, str) and value.startswith("["):
        return linked_names(value, lambda name: datasette.urls.path("/-/actor?" + urllib.parse.urlencode({"name": name})))
    return None


@hookimpl
def extra_css_urls(datasette):
    return [datasette.urls.static_plugins("conflict-news-ingest", "desk.css")]


@hookimpl
def menu_links(datasette):
    return [
        {"href": datasette.urls.path("/-/search"), "label": "Search paragraphs"},
        {"href": datasette.urls.path("/-/cooccurrence"), "label": "Who appears with whom"},
        {"href": datasette.urls.path("/-/map"), "label": "Map of places"},
        {"href": datasette.urls.path("/-/batch"), "label": "Batch search"},
        {"href": datasette.urls.path("/-/dashboards/desk"), "label": "The store at a glance"},
    ]
