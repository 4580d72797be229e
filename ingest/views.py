"""The desk's pages and their JSON, over every database Datasette serves that holds paragraphs.

Each view reads its request into a search or a page id, runs the plain functions of
ingest.search and ingest.desk on each database's read connection (in Datasette's SQL
threads), combines what the databases return, and renders a template or JSON.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import asdict, replace

from datasette.facets import Facet as DatasetteFacet
from datasette.utils import path_with_added_args, path_with_removed_args
from datasette.utils.asgi import Forbidden, NotFound, Response

from . import charts, desk
from .cache import StoreCache
from .query import SearchSyntaxError
from .render import marked
from .search import (
    FACETS,
    Facet,
    Filters,
    Hit,
    Results,
    Search,
    SearchTimeout,
    analyse,
    facets_over_query,
    filter_conditions,
    merge_results,
    page_hits,
    plan_search,
    ranked_ids,
    results,
)

DESK_TABLES = {"paragraphs", "paragraphs_fts", "facet_counts"}
PAGE_SIZE, MAX_PAGE_SIZE = 20, 100
# Query-string names of the filters; source and section are also the table's own column filters.
FILTER_ARGS = {"actors": "_actor", "types": "_type", "topics": "_topic", "sources": "source", "sections": "section", "months": "_month"}
FACET_ARGS = {"actor": "_actor", "type": "_type", "topic": "_topic", "source": "source", "section": "section", "month": "_month"}
FACET_TITLES = {"actor": "Actors", "type": "Actor types", "topic": "Topics", "source": "Sources", "section": "Sections", "month": "Months"}


class BadRequest(Exception):
    """A request the desk cannot answer as asked; the message says why."""


async def desk_databases(datasette, name: str | None = None) -> list:
    """The databases with the desk's tables: the one named, or all of them."""
    if name is not None:
        if name not in datasette.databases:
            raise NotFound(f"Database not found: {name}")
        candidates = [datasette.databases[name]]
    else:
        candidates = [db for db_name, db in datasette.databases.items() if not db_name.startswith("_")]
    found = [db for db in candidates if set(await db.table_names()) >= DESK_TABLES]
    if not found:
        raise NotFound("No database here holds the desk's tables (paragraphs, paragraphs_fts, facet_counts)")
    return found


async def check_visible(datasette, request) -> None:
    if not await datasette.permission_allowed(request.actor, "view-instance", default=True):
        raise Forbidden("You may not view this instance")


def search_from_request(request, text_arg: str = "q") -> Search:
    """The search a request asks for: text (in FTS5 syntax, or words only for `_search` without `_searchmode=raw`), filters, page."""
    args = request.args
    syntax = text_arg == "q" or args.get("_searchmode") == "raw"
    filters = Filters(
        **{field: tuple(v for v in args.getlist(arg) if v) for field, arg in FILTER_ARGS.items()},
        since=_date(args.get("_from"), "_from"),
        until=_day_after(_date(args.get("_to"), "_to")),
    )
    size = _whole_number(args.get("_size"), "_size", PAGE_SIZE)
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise BadRequest(f"_size must be between 1 and {MAX_PAGE_SIZE}")
    return Search(args.get(text_arg, "").strip(), filters, syntax, size, _whole_number(args.get("_next"), "_next", 0))


def _whole_number(value: str | None, name: str, default: int) -> int:
    if not value:
        return default
    if not value.isdigit():
        raise BadRequest(f"{name} must be a whole number, not {value!r}")
    return int(value)


def _date(value: str | None, name: str) -> str | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise BadRequest(f"{name} must be a date written YYYY-MM-DD, not {value!r}") from None


def _day_after(day: str | None) -> str | None:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=1)).isoformat() if day else None


CACHE = StoreCache()


async def search_database(db, search: Search) -> Results:
    """A search in one database: planned, then its ranking (in id ranges) and its counts in SQL threads at once."""
    cached = CACHE.get([db.path], search)
    if cached is not None:
        return cached
    plan = await db.execute_fn(lambda connection: plan_search(connection, search))

    def rank(low: int, high: int) -> Callable:
        return lambda connection: ranked_ids(connection, plan, low, high)

    *parts, analysis = await asyncio.gather(
        *(db.execute_fn(rank(low, high)) for low, high in plan.rank_ranges()),
        db.execute_fn(lambda connection: analyse(connection, plan)),
    )
    page = await db.execute_fn(lambda connection: page_hits(connection, plan, parts))
    found = results(plan, page, analysis)
    CACHE.put([db.path], search, found)
    return found


async def search_everywhere(databases: Sequence, search: Search) -> Results:
    """A search over several databases: each asked for everything up to the page wanted, then merged."""
    if len(databases) == 1:
        found = await search_database(databases[0], search)
        return replace(found, hits=tuple(replace(hit, database=databases[0].name) for hit in found.hits))
    wide = replace(search, size=search.offset + search.size, offset=0)
    parts = await asyncio.gather(*(search_database(db, wide) for db in databases))
    return merge_results([(db.name, part) for db, part in zip(databases, parts, strict=True)], search)


async def search_view(request, datasette):
    """The ranked, faceted search page: /-/search over every database, /DB/search and /DB/paragraphs?_search= over one."""
    await check_visible(datasette, request)
    name, table = request.url_vars.get("database"), request.url_vars.get("table")
    text_arg = "_search" if table else "q"
    try:
        databases = await desk_databases(datasette, name)
        search = search_from_request(request, text_arg)
        found = await search_everywhere(databases, search)
    except (SearchSyntaxError, SearchTimeout, BadRequest) as error:
        return await _error(datasette, request, str(error))
    page = SearchPage(datasette, request, found, text_arg)
    if request.url_vars.get("format") == "json":
        return _json(page.as_json(table), request)
    return Response.html(await datasette.render_template("desk_search.html", page.context(), request=request))


async def _error(datasette, request, message: str) -> Response:
    if request.url_vars.get("format") == "json":
        return Response.json({"ok": False, "error": message, "status": 400}, status=400)
    context = {"error": message, "q": request.args.get("q") or request.args.get("_search") or ""}
    return Response.html(await datasette.render_template("desk_search.html", context, request=request), status=400)


def _json(data, request) -> Response:
    shape = request.args.get("_shape")
    if shape == "array":
        return Response.json(data["rows"])
    if shape == "objects":
        return Response.json({"rows": data["rows"]})
    return Response.json(data)


class SearchPage:
    """What the search page and its JSON show: rows with their highlights, counts, facets with their links."""

    def __init__(self, datasette, request, found: Results, text_arg: str) -> None:
        self.datasette, self.request, self.results, self.text_arg = datasette, request, found, text_arg

    def url(self, changes: Sequence[tuple[str, str | None]], remove: Sequence[tuple[str, str]] = ()) -> str:
        return with_args(self.request, changes, remove)

    def row_url(self, hit: Hit) -> str:
        return self.datasette.urls.row(hit.database, "paragraphs", str(hit.id))

    def facet_url(self, facet: str, value: str, selected: bool) -> str:
        arg = FACET_ARGS[facet]
        if selected:
            return self.url([("_next", None)], remove=[(arg, value)])
        return self.url([("_next", None), (arg, value)])

    def next_url(self) -> str | None:
        search = self.results.search
        shown = search.offset + len(self.results.hits)
        if len(self.results.hits) < search.size or shown >= self.results.total:
            return None
        return self.url([("_next", None), ("_next", str(shown))])

    def hit_json(self, hit: Hit) -> dict:
        return {
            "id": hit.id,
            "paragraph_id": hit.id,
            "database": hit.database,
            "article_id": hit.article_id,
            "position": hit.position,
            "title": hit.title,
            "source": hit.source,
            "published": hit.published,
            "url": hit.url,
            "section": hit.section,
            "text": hit.text,
            "snippet": str(marked(hit.text, hit.marks, width=280)),
            "actors": [{"id": actor_id, "name": name} for actor_id, name in hit.actors],
            "topics": list(hit.topics),
            "rank": round(hit.rank, 4) if hit.rank is not None else None,
            "paragraph_url": self.row_url(hit),
        }

    def facet_json(self, facet: Facet) -> dict:
        return {
            "name": facet.name,
            "exact": facet.exact,
            "estimated": not facet.exact,
            "counted": facet.counted,
            "results": [{**asdict(value), "toggle_url": self.facet_url(facet.name, value.value, value.selected)} for value in facet.values],
        }

    def ranking(self) -> dict:
        found = self.results
        if not found.search.text:
            return {"by": "date", "bounded": False, "ranked": None, "note": "newest first"}
        note = "ranked by relevance (bm25)"
        if found.ranking_bounded:
            note = f"ranked by relevance among the {found.ranked_among:,} most recently added matches"
        return {"by": "bm25", "bounded": found.ranking_bounded, "ranked": found.ranked_among, "note": note}

    def as_json(self, table: str | None) -> dict:
        found = self.results
        search = found.search
        data = {
            "ok": True,
            "query": {"text": search.text, "syntax": search.syntax, "filters": asdict(search.filters)},
            "total": found.total,
            "total_exact": found.total_exact,
            "ranking": self.ranking(),
            "rows": [self.hit_json(hit) for hit in found.hits],
            "facet_results": {facet.name: self.facet_json(facet) for facet in found.facets},
            "next": (search.offset + len(found.hits)) if self.next_url() else None,
            "next_url": self.datasette.absolute_url(self.request, self.next_url()) if self.next_url() else None,
        }
        if table:  # what a Datasette table page's JSON calls these
            data.update(database=found.hits[0].database if found.hits else self.request.url_vars["database"], table=table)
            data["filtered_table_rows_count"] = found.total
        return data

    def context(self) -> dict:
        found = self.results
        search = found.search
        facets = [
            {**self.facet_json(facet), "title": FACET_TITLES[facet.name]} for facet in found.facets if facet.values and facet.name in FACETS
        ]
        return {
            "q": search.text,
            "text_arg": self.text_arg,
            "results": found,
            "hits": [
                {
                    **self.hit_json(hit),
                    "section_html": marked(hit.section or "", hit.section_marks),
                    "snippet_html": marked(hit.text, hit.marks, 280),
                }
                for hit in found.hits
            ],
            "facets": facets,
            "chips": self.chips(),
            "ranking": self.ranking(),
            "next_url": self.next_url(),
            "json_url": self.url([("_next", None)]).replace(self.request.path, self.request.path + ".json", 1),
            "feed_url": self.feed_url(),
            "since": self.request.args.get("_from", ""),
            "until": self.request.args.get("_to", ""),
            "hidden_args": [
                (k, v) for k, v in urllib.parse.parse_qsl(self.request.query_string) if k not in (self.text_arg, "_next", "_from", "_to")
            ],
        }

    def chips(self) -> list[dict]:
        """The filters in force, each with the link that removes it."""
        chips = []
        for facet in self.results.facets:
            for value in facet.values:
                if value.selected:
                    chips.append(
                        {"facet": FACET_TITLES[facet.name], "label": value.label, "remove": self.facet_url(facet.name, value.value, True)}
                    )
        for arg, label in (("_from", "from"), ("_to", "to")):
            if self.request.args.get(arg):
                chips.append({"facet": label, "label": self.request.args[arg], "remove": self.url([(arg, None), ("_next", None)])})
        return chips

    def feed_url(self) -> str | None:
        search = self.results.search
        if not search.text or not self.results.hits:
            return None
        database = self.results.hits[0].database
        return self.datasette.urls.path(f"/{database}/search_feed.atom?" + urllib.parse.urlencode({"q": search.text}))


def with_args(request, changes: Sequence[tuple[str, str | None]], remove: Sequence[tuple[str, str]] = ()) -> str:
    """The request's path and query string with (key, value) pairs added (a None value drops the key) and pairs removed."""
    dropped = {key for key, value in changes if value is None}
    pairs = [(k, v) for k, v in urllib.parse.parse_qsl(request.query_string, keep_blank_values=True) if k not in dropped]
    pairs = [pair for pair in pairs if pair not in remove]
    pairs += [(key, value) for key, value in changes if value is not None and (key, value) not in pairs]
    query = urllib.parse.urlencode(pairs)
    return request.path + (f"?{query}" if query else "")


async def paragraphs_view(request, datasette, send):
    """The paragraphs table: its search (`_search`) is the desk's ranked search; anything else is Datasette's table page."""
    if request.args.get("_search", "").strip():
        return await search_view(request, datasette)
    from datasette.views.table import TableView  # Datasette's own page, for browsing and filtering

    return await TableView.as_view(datasette)(request, send)


async def _combined_page(databases: Sequence, read: Callable, combine: Callable, page_id: str):
    """An actor's or topic's page read from every database and combined, kept until one of them changes."""
    paths, key = [db.path for db in databases], (read.__name__, page_id)
    page = CACHE.get(paths, key)
    if page is None:
        try:
            pages = await _each(databases, lambda connection: read(connection, page_id))
        except desk.NotFoundError as error:
            raise NotFound(str(error)) from None
        page = combine([replace(part, latest=_in(part.latest, db.name)) for part, db in zip(pages, databases, strict=True)])
        CACHE.put(paths, key, page)
    return page


async def _each(databases: Sequence, read: Callable):
    return await asyncio.gather(*(db.execute_fn(read) for db in databases))


async def actor_by_name_view(request, datasette):
    """/-/actor?name=NAME: a redirect to the page of the actor with that name or alias (how table cells link actor names)."""
    await check_visible(datasette, request)
    name = request.args.get("name", "")
    for db in await desk_databases(datasette):
        actor_id = await db.execute_fn(lambda connection: desk.actor_named(connection, name))
        if actor_id:
            return Response.redirect(datasette.urls.path(f"/actor/{actor_id}"))
    raise NotFound(f"No actor is named {name!r}")


async def actor_view(request, datasette):
    """/actor/ID: one actor across every database, with its timeline, companions, topics and latest paragraphs."""
    await check_visible(datasette, request)
    actor_id = request.url_vars["actor_id"]
    databases = await desk_databases(datasette)
    page = await _combined_page(databases, desk.actor_page, desk.combine_actor_pages, actor_id)
    if request.url_vars.get("format") == "json":
        return Response.json(_page_json(datasette, page))
    context = {
        "page": page,
        "latest": [_hit_context(datasette, hit) for hit in page.latest],
        "timeline": charts.timeline(page.months, f"Paragraphs naming {page.name} per month"),
        "database": databases[0].name,
        "feed_url": datasette.urls.path(f"/{databases[0].name}/actor_feed.atom?" + urllib.parse.urlencode({"actor": actor_id})),
    }
    return Response.html(await datasette.render_template("desk_actor.html", context, request=request))


async def topic_view(request, datasette):
    """/topic/ID: one topic across every database, with its timeline, top actors and latest paragraphs with their evidence."""
    await check_visible(datasette, request)
    topic_id = request.url_vars["topic_id"]
    databases = await desk_databases(datasette)
    page = await _combined_page(databases, desk.topic_page, desk.combine_topic_pages, topic_id)
    if request.url_vars.get("format") == "json":
        return Response.json(_page_json(datasette, page))
    context = {
        "page": page,
        "latest": [{**_hit_context(datasette, hit), "evidence": page.evidence.get(hit.id)} for hit in page.latest],
        "timeline": charts.timeline(page.months, f"Paragraphs on {page.name} per month"),
        "database": databases[0].name,
        "feed_url": datasette.urls.path(f"/{databases[0].name}/topic_feed.atom?" + urllib.parse.urlencode({"topic": topic_id})),
    }
    return Response.html(await datasette.render_template("desk_topic.html", context, request=request))


def _in(hits: Sequence[Hit], database: str) -> tuple[Hit, ...]:
    return tuple(replace(hit, database=database) for hit in hits)


def _hit_context(datasette, hit: Hit) -> dict:
    return {
        "hit": hit,
        "url": datasette.urls.row(hit.database, "paragraphs", str(hit.id)),
        "html": marked(hit.text, hit.marks, width=400),
    }


def _page_json(datasette, page) -> dict:
    """An actor or topic page as JSON; a topic's latest paragraphs each carry the evidence for the topic."""
    data = asdict(page)
    evidence = data.pop("evidence", {})
    data["latest"] = [
        {
            **asdict(hit),
            "paragraph_url": datasette.urls.row(hit.database, "paragraphs", str(hit.id)),
            "html": str(marked(hit.text, hit.marks)),
            **({"evidence": _evidence_json(evidence[hit.id])} if hit.id in evidence else {}),
        }
        for hit in page.latest
    ]
    return data


def _evidence_json(evidence: tuple[int, float, tuple[str, ...]]) -> dict:
    rank, score, found = evidence
    return {"rank": rank, "score": score, "found": list(found)}


async def cooccurrence_view(request, datasette):
    """/-/cooccurrence: the most named actors and how often each pair shares a paragraph, as a heatmap and a table."""
    await check_visible(datasette, request)
    top = _whole_number(request.args.get("top"), "top", 25) if request.args.get("top", "").isdigit() else 25
    top = max(2, min(top, 60))
    types = tuple(t for t in request.args.getlist("_type") if t)
    databases = await desk_databases(datasette)
    parts = await _each(databases, lambda connection: desk.cooccurrence(connection, top, types))
    found = desk.combine_cooccurrence(parts, top)

    def search_url(actor: str, other: str) -> str:
        return datasette.urls.path("/-/search?" + urllib.parse.urlencode([("_actor", actor), ("_actor", other)]))

    names = {actor.id: actor.label for actor in found.actors}
    pairs = [
        {"actor": names[a], "actor_id": a, "other": names[b], "other_id": b, "paragraphs": n, "url": search_url(a, b)}
        for (a, b), n in sorted(found.pairs.items(), key=lambda item: (-item[1], item[0]))
        if a < b
    ]
    if request.url_vars.get("format") == "json":
        return Response.json({"actors": [asdict(a) for a in found.actors], "pairs": pairs})
    context = {"actors": found.actors, "pairs": pairs, "heatmap": charts.heatmap(found, search_url), "top": top, "types": types}
    return Response.html(await datasette.render_template("desk_cooccurrence.html", context, request=request))


async def map_view(request, datasette):
    """/-/map: the places and states named, sized by the paragraphs naming them, each linked to its page."""
    await check_visible(datasette, request)
    databases = await desk_databases(datasette)
    found = desk.combine_places(await _each(databases, desk.places))
    rows = [{**asdict(place), "url": datasette.urls.path(f"/actor/{place.id}")} for place in found]
    if request.url_vars.get("format") == "json":
        return Response.json({"places": rows})
    return Response.html(await datasette.render_template("desk_map.html", {"places": rows}, request=request))


async def batch_view(request, datasette):
    """/-/batch: a list of names or searches, one a line: each one's paragraphs, linked to its results."""
    await check_visible(datasette, request)
    lines = [line.strip() for line in request.args.get("terms", "").splitlines() if line.strip()]
    databases = await desk_databases(datasette)
    found = desk.combine_batches(await _each(databases, lambda connection: desk.batch_search(connection, lines))) if lines else ()
    rows = [
        {
            **asdict(line),
            "search_url": datasette.urls.path("/-/search?" + urllib.parse.urlencode({"q": line.line})) if not line.error else None,
            "actor_url": datasette.urls.path(f"/actor/{line.actor.id}") if line.actor else None,
        }
        for line in found
    ]
    if request.url_vars.get("format") == "json":
        return Response.json({"lines": rows, "limit": desk.MAX_BATCH_LINES})
    context = {"rows": rows, "terms": request.args.get("terms", ""), "limit": desk.MAX_BATCH_LINES}
    return Response.html(await datasette.render_template("desk_batch.html", context, request=request))


def filters_from_args(args) -> Filters:
    """The desk's filters a table page's query string holds (source and section are Datasette's own column filters)."""
    return Filters(
        **{field: tuple(v for v in args.getlist(arg) if v) for field, arg in FILTER_ARGS.items()},
        since=_date(args.get("_from"), "_from"),
        until=_day_after(_date(args.get("_to"), "_to")),
    )


PARAGRAPH_TABLES = {"paragraphs", "paragraphs_with_articles"}


def table_filters(request, table: str) -> tuple[list[str], dict, list[str]] | None:
    """Where clauses for `_actor`, `_type`, `_topic`, `_month`, `_from` and `_to` on a table of paragraphs, and what they say."""
    if table not in PARAGRAPH_TABLES:
        return None
    filters = replace(filters_from_args(request.args), sources=(), sections=())
    if filters.is_empty():
        return None
    conditions, params = filter_conditions(filters, columns_direct=True)
    described = [f"{label} {', '.join(values)}" for label, values in (
        ("naming", filters.actors), ("naming a", filters.types), ("about", filters.topics), ("in", filters.months),
    ) if values]  # fmt: skip
    described += [f"from {request.args['_from']}"] if filters.since else []
    described += [f"to {request.args['_to']}"] if filters.until else []
    return [condition.format(id=f"{table}.id") for condition in conditions], params, described


class DeskFacet(DatasetteFacet):
    """Facets for a table of paragraphs that hold at a million rows: `{"desk": "actor"}` in metadata, or `?_facet_desk=topic`.

    Counted over the join tables, from the counts the writer keeps for the whole table and
    from a hash sample of a large filtered one, labelled as an estimate.
    """

    type = "desk"

    async def facet_results(self):
        names = [config["config"].get("facet") or config["config"]["simple"] for config in self.get_configs()]
        names = [name for name in names if name in FACETS]
        if not names or self.table not in PARAGRAPH_TABLES:
            return [], []
        filters = filters_from_args(self.request.args)
        db = self.ds.get_database(self.database)
        params = self.params if isinstance(self.params, dict) else dict(enumerate(self.params))
        try:
            found = await db.execute_fn(lambda connection: facets_over_query(connection, self.sql, params, self.row_count, filters))
        except SearchTimeout:
            return [], names
        by_name = {facet.name: facet for facet in found}
        return [self._result(by_name[name]) for name in names], []

    def _result(self, facet: Facet) -> dict:
        arg = FACET_ARGS[facet.name]
        values = []
        for value in facet.values:
            selected = (arg, value.value) in self.get_querystring_pairs()
            toggle = (
                path_with_removed_args(self.request, {arg: value.value})
                if selected
                else path_with_added_args(self.request, {arg: value.value})
            )
            values.append(
                {
                    "value": value.value,
                    "label": value.label,
                    "count": value.count,
                    "toggle_url": self.ds.urls.path(toggle),
                    "selected": selected,
                }
            )
        return {
            "name": facet.name,
            "title": FACET_TITLES[facet.name],
            "type": self.type,
            "hideable": False,
            "toggle_url": self.ds.urls.path(path_with_removed_args(self.request, {"_facet_desk": facet.name})),
            "results": values,
            "truncated": False,
            "estimated": not facet.exact,
            "counted": facet.counted,
        }
