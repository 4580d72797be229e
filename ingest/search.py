"""Ranked, faceted search over the stored paragraphs, bounded so that it answers quickly at any size.

A search is a text query (ingest/query.py) and filters: actors, actor types and topics
(all required), sources, sections and months (any of them), and a date range. Plain
functions of an sqlite3 connection; the Datasette plugin only calls them.

What it costs, and what it says when it bounds the work:
- Rows. A text query is ranked by bm25 over every match when there are at most
  RANK_LIMIT of them (about a tenth of a million-paragraph store: bm25 costs about a
  microsecond a match); past that, over the BOUNDED_RANK most recently stored matches
  (`Results.ranked_among`, `ranking_bounded`), whose facets are then sampled too. With no text, rows come newest first by
  date, from the index of the most selective filter.
- Count and facets. Exact when the matches are few enough to count within the budget:
  whole-store facets from the counts the writer keeps, and any set of at most
  FACET_EXACT_LIMIT paragraphs counted paragraph by paragraph. Past that, counted over
  a sample of the matches spread evenly over the whole store (a hash of the paragraph
  id picks it) and scaled up to the total: labelled estimates (`Facet.exact` False).
  A count that needs the filters checked on more than CHECK_LIMIT paragraphs is
  estimated the same way (`Results.total_exact` False).
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace

from .query import compile_query

RANK_LIMIT = 100_000
BOUNDED_RANK = 25_000
# Past this many matches, an exact ranking is run as two halves of the ids at once (one per core) and merged.
SPLIT_RANK = 40_000
FACET_EXACT_LIMIT = 2_000
FACET_SAMPLE = 1_000
CHECK_LIMIT = 10_000
FACET_SIZE = 10
MAX_OFFSET = 10_000
DEADLINE_MS = 2_000
FACETS = ("actor", "type", "topic", "source", "section", "month")
# An id's place in a pseudo-random order: odd multiplier, 16 bits, no overflow for any id.
HASH = "((({id}) % 65536) * 40503 % 65536)"
HASH_RANGE = 65536
MARK_OPEN, MARK_CLOSE = "\x02", "\x03"  # control characters never stored in paragraph text


class SearchTimeout(RuntimeError):
    """A search that did not finish within its deadline."""


@dataclass(frozen=True)
class Filters:
    actors: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    sections: tuple[str, ...] = ()
    months: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None

    def is_empty(self) -> bool:
        return self == Filters()


@dataclass(frozen=True)
class Search:
    text: str = ""
    filters: Filters = field(default_factory=Filters)
    # FTS5 syntax (phrases, prefix*, AND/OR/NOT, NEAR); False reads every word as a phrase
    syntax: bool = True
    size: int = 20
    offset: int = 0


@dataclass(frozen=True)
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool = False


@dataclass(frozen=True)
class Facet:
    name: str
    values: tuple[FacetValue, ...]
    exact: bool
    # how many paragraphs the counts were taken from (all matches when exact)
    counted: int


@dataclass(frozen=True)
class Hit:
    id: int
    article_id: int
    position: int
    section: str | None
    text: str
    source: str | None
    published: str | None
    title: str
    url: str | None
    actors: tuple[tuple[str, str], ...]
    topics: tuple[str, ...]
    rank: float | None
    # where the search matched, as (start, end) offsets into text and section
    marks: tuple[tuple[int, int], ...] = ()
    section_marks: tuple[tuple[int, int], ...] = ()
    # the database it is stored in, when a search spans several
    database: str = ""


@dataclass(frozen=True)
class Plan:
    """How a search runs: what drives it, how many paragraphs that gives, and what is checked on each."""

    search: Search
    expression: str
    driver: str  # text, actor, topic, source, section, month or store
    driver_value: str
    driver_count: int
    conditions: tuple[str, ...]
    params: tuple[tuple[str, str], ...]
    # the lowest paragraph id ranked: past RANK_LIMIT text matches, the BOUNDED_RANK-th newest match's; else 0
    floor: int = 0
    # the id that splits an exact ranking of more than SPLIT_RANK matches in halves; else 0
    split: int = 0

    def rank_ranges(self) -> tuple[tuple[int, int], ...]:
        """The id ranges [low, high) ranked separately (high 0: no upper bound), whose best rows together are the page."""
        return ((0, self.split), (self.split, 0)) if self.split else ((self.floor, 0),)


@dataclass(frozen=True)
class Analysis:
    total: int
    total_exact: bool
    facets: tuple[Facet, ...]


@dataclass(frozen=True)
class Results:
    search: Search
    hits: tuple[Hit, ...]
    total: int
    total_exact: bool
    ranked_among: int | None
    ranking_bounded: bool
    facets: tuple[Facet, ...]


def run_search(connection: sqlite3.Connection, search: Search) -> Results:
    """Plan, rank and count a search in one go (the plugin runs the parts in parallel)."""
    plan = plan_search(connection, search)
    analysis = analyse(connection, plan)
    return results(plan, search_page(connection, plan), analysis)


def results(plan: Plan, hits: Sequence[Hit], analysis: Analysis) -> Results:
    bounded = bool(plan.floor)
    among = (BOUNDED_RANK if bounded else plan.driver_count) if plan.expression else None
    return Results(plan.search, tuple(hits), analysis.total, analysis.total_exact, among, bounded, analysis.facets)


@contextmanager
def deadline(connection: sqlite3.Connection, milliseconds: int = DEADLINE_MS) -> Iterator[None]:
    """Stop the statements run inside at `milliseconds` (SearchTimeout), as Datasette's own time limit does."""
    stop = time.monotonic() + milliseconds / 1000
    connection.set_progress_handler(lambda: 1 if time.monotonic() > stop else 0, 1_000_000)
    try:
        yield
    except sqlite3.OperationalError as error:
        if "interrupted" in str(error):
            raise SearchTimeout(f"the search took longer than {milliseconds / 1000:g} seconds") from None
        raise
    finally:
        connection.set_progress_handler(None, 0)


def plan_search(connection: sqlite3.Connection, search: Search) -> Plan:
    """Choose what drives the search: the text index if there is a text query, else the most selective filter's index."""
    expression = compile_query(search.text, search.syntax)
    filters = search.filters
    candidates = [("actor", a) for a in filters.actors] + [("topic", t) for t in filters.topics]
    for name, values in (("source", filters.sources), ("section", filters.sections), ("month", filters.months)):
        candidates += [(name, values[0])] if len(values) == 1 else []
    floor = split = 0
    if expression:
        driver, value = "text", expression
        count = connection.execute("SELECT count(*) FROM paragraphs_fts WHERE paragraphs_fts MATCH ?", (expression,)).fetchone()[0]
        floor = _rank_floor(connection, expression, count)
        split = _median_id(connection, expression, count) if SPLIT_RANK < count <= RANK_LIMIT else 0
    elif candidates:
        count, driver, value = min((_stored_count(connection, facet, value), facet, value) for facet, value in candidates)
    else:
        driver, value, count = "store", "", _stored_count(connection, "store", "")
    direct = driver not in ("text", "actor", "topic")  # the driver reads the paragraphs table itself
    conditions, params = filter_conditions(filters, skip=(driver, value), columns_direct=direct)
    return Plan(search, expression, driver, value, count, tuple(conditions), tuple(params.items()), floor, split)


def _stored_count(connection: sqlite3.Connection, facet: str, value: str) -> int:
    row = connection.execute("SELECT paragraphs FROM facet_counts WHERE facet = ? AND value = ?", (facet, value)).fetchone()
    return row[0] if row else 0


def filter_conditions(filters: Filters, skip: tuple[str, str] = ("", ""), columns_direct: bool = True) -> tuple[list[str], dict]:
    """SQL conditions on a paragraph whose id is `{id}`, one for each filter (but `skip`), and their named parameters.

    With `columns_direct` the source, section and date are the row's own columns (a query
    over paragraphs or a view of them); otherwise they are looked up by the id.
    """
    conditions, params = [], {}

    def name(value: str) -> str:
        key = f"filter_{len(params)}"
        params[key] = value
        return f":{key}"

    for actor in filters.actors:
        if ("actor", actor) != skip:
            conditions.append(
                f"EXISTS (SELECT 1 FROM paragraph_actors AS named WHERE named.paragraph_id = {{id}} AND named.actor_id = {name(actor)})"
            )
    for topic in filters.topics:
        if ("topic", topic) != skip:
            conditions.append(
                "EXISTS (SELECT 1 FROM paragraph_topics AS discussed"
                f" WHERE discussed.paragraph_id = {{id}} AND discussed.topic_id = {name(topic)})"
            )
    for actor_type in filters.types:
        conditions.append(
            "EXISTS (SELECT 1 FROM paragraph_actors AS typed JOIN actors AS typed_actor ON typed_actor.id = typed.actor_id"
            f" WHERE typed.paragraph_id = {{id}} AND typed_actor.type = {name(actor_type)})"
        )
    columns = []
    for facet, values, column in (
        ("source", filters.sources, "coalesce(source, '')"),
        ("section", filters.sections, "coalesce(section, '')"),
        ("month", filters.months, "coalesce(substr(published, 1, 7), '')"),
    ):
        if values and not (len(values) == 1 and (facet, values[0]) == skip):
            columns.append(f"{column} IN ({', '.join(name(value) for value in values)})")
    if filters.since:
        columns.append(f"published >= {name(filters.since)}")
    if filters.until:
        columns.append(f"published < {name(filters.until)}")  # until is exclusive: the day after the last one wanted
    if columns and columns_direct:
        conditions += columns
    elif columns:
        conditions.append("EXISTS (SELECT 1 FROM paragraphs AS filtered WHERE filtered.id = {id} AND " + " AND ".join(columns) + ")")
    return conditions, params


def _driver_sql(plan: Plan, cheap: Sequence[str] = (), cheap_params: dict | None = None) -> tuple[str, dict, str]:
    """FROM ... WHERE ... over the driver's paragraphs, the plan's conditions on each; and the SQL of a paragraph's id.

    `cheap` conditions on `{id}` are checked before the plan's (which look rows up), so they thin the rows first.
    """
    params = {**dict(plan.params), **(cheap_params or {}), "driver": plan.driver_value}
    if plan.driver == "text":
        source, where, id_sql = "paragraphs_fts", ["paragraphs_fts MATCH :driver"], "paragraphs_fts.rowid"
    elif plan.driver in ("actor", "topic"):
        source, where, id_sql = f"paragraph_{plan.driver}s AS driver", [f"driver.{plan.driver}_id = :driver"], "driver.paragraph_id"
    else:
        source, id_sql = "paragraphs AS driver", "driver.id"
        where = {"source": ["driver.source = :driver"], "section": ["driver.section = :driver"], "store": []}.get(plan.driver)
        if plan.driver == "month":
            where, params["next_month"] = ["driver.published >= :driver AND driver.published < :next_month"], _next_month(plan.driver_value)
    where += [condition.format(id=id_sql) for condition in (*cheap, *plan.conditions)]
    return f"FROM {source} WHERE " + (" AND ".join(where) if where else "1"), params, id_sql


def _next_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:7])
    return f"{year + number // 12:04d}-{number % 12 + 1:02d}"


def search_page(connection: sqlite3.Connection, plan: Plan) -> list[Hit]:
    """The page of results: ranked (bounded) for a text query, else newest first."""
    return page_hits(connection, plan, [ranked_ids(connection, plan, *ids) for ids in plan.rank_ranges()])


def ranked_ids(connection: sqlite3.Connection, plan: Plan, low: int = 0, high: int = 0) -> list[tuple[int, float | None]]:
    """The ids (and bm25 scores) of the best rows up to the end of the page wanted, among the ids in [low, high)."""
    search = plan.search
    cheap = [*(["{id} >= :low"] if low else []), *(["{id} < :high"] if high else [])]
    source, params, id_sql = _driver_sql(plan, cheap, {"low": low, "high": high})
    if plan.expression:
        # bm25() rather than the rank column: the same scores, a third cheaper per match
        sql = f"SELECT {id_sql}, bm25(paragraphs_fts) AS score {source} ORDER BY score, {id_sql} LIMIT :size"
    else:
        sql = f"SELECT {id_sql}, NULL {source} ORDER BY driver.published DESC, {id_sql} DESC LIMIT :size"
    with deadline(connection):
        return connection.execute(sql, {**params, "size": min(search.offset, MAX_OFFSET) + search.size}).fetchall()


def page_hits(connection: sqlite3.Connection, plan: Plan, parts: Sequence[Sequence[tuple[int, float | None]]]) -> list[Hit]:
    """The page from the best rows of each id range: merged by score, the page's slice, with highlights."""
    rows = [row for part in parts for row in part]
    if len(parts) > 1:
        rows.sort(key=lambda row: (row[1], row[0]))
    offset = min(plan.search.offset, MAX_OFFSET)
    with deadline(connection):
        return _hits(connection, rows[offset : offset + plan.search.size], plan.expression)


def _rank_floor(connection: sqlite3.Connection, expression: str, matches: int) -> int:
    """The lowest rowid ranked: 0 for every match, else the BOUNDED_RANK-th newest match's."""
    if matches <= RANK_LIMIT:
        return 0
    sql = "SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH ? ORDER BY rowid DESC LIMIT 1 OFFSET ?"
    return connection.execute(sql, (expression, BOUNDED_RANK - 1)).fetchone()[0]


def _median_id(connection: sqlite3.Connection, expression: str, matches: int) -> int:
    sql = "SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH ? ORDER BY rowid LIMIT 1 OFFSET ?"
    return connection.execute(sql, (expression, matches // 2)).fetchone()[0]


HIT_ROWS = """
SELECT paragraphs.id, paragraphs.article_id, paragraphs.position, paragraphs.section, paragraphs.text,
       paragraphs.source, paragraphs.published, articles.title, articles.url, paragraphs.topics
FROM paragraphs JOIN articles ON articles.id = paragraphs.article_id
WHERE paragraphs.id IN (SELECT value FROM json_each(?))
"""
HIT_ACTORS = """
SELECT paragraph_actors.paragraph_id, actors.id, actors.name FROM paragraph_actors JOIN actors ON actors.id = paragraph_actors.actor_id
WHERE paragraph_actors.paragraph_id IN (SELECT value FROM json_each(?))
ORDER BY paragraph_actors.paragraph_id, (SELECT min(char_start) FROM mentions
    WHERE mentions.paragraph_id = paragraph_actors.paragraph_id AND mentions.actor_id = paragraph_actors.actor_id)
"""
HIT_MARKS = f"""
SELECT rowid, highlight(paragraphs_fts, 0, '{MARK_OPEN}', '{MARK_CLOSE}'), highlight(paragraphs_fts, 1, '{MARK_OPEN}', '{MARK_CLOSE}')
FROM paragraphs_fts WHERE paragraphs_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))
"""


def _hits(connection: sqlite3.Connection, ranked: Sequence[tuple[int, float | None]], expression: str) -> list[Hit]:
    ids = [row[0] for row in ranked]
    marks, section_marks = {}, {}
    if expression:
        for paragraph_id, text, section in connection.execute(HIT_MARKS, (expression, json.dumps(ids))).fetchall():
            marks[paragraph_id], section_marks[paragraph_id] = mark_spans(text), mark_spans(section)
    return hits_for(connection, ids, marks, section_marks, dict(ranked))


def hits_for(
    connection: sqlite3.Connection,
    ids: Sequence[int],
    marks: dict[int, tuple[tuple[int, int], ...]],
    section_marks: dict[int, tuple[tuple[int, int], ...]] | None = None,
    ranks: dict[int, float | None] | None = None,
) -> list[Hit]:
    """The paragraphs with these ids, in this order, with their article, actors and topics, and the spans to mark."""
    ids_json = json.dumps(list(ids))
    rows = {row[0]: row for row in connection.execute(HIT_ROWS, (ids_json,)).fetchall()}
    actors: dict[int, list[tuple[str, str]]] = {}
    for paragraph_id, actor_id, name in connection.execute(HIT_ACTORS, (ids_json,)).fetchall():
        actors.setdefault(paragraph_id, []).append((actor_id, name))
    hits = []
    for paragraph_id in ids:
        pid, article_id, position, section, text, source, published, title, url, topics = rows[paragraph_id]
        found, rank = tuple(actors.get(paragraph_id, ())), (ranks or {}).get(paragraph_id)
        hit = Hit(pid, article_id, position, section, text, source, published, title, url, found, tuple(json.loads(topics)), rank)
        hits.append(replace(hit, marks=marks.get(paragraph_id, ()), section_marks=(section_marks or {}).get(paragraph_id, ())))
    return hits


def mark_spans(highlighted: str | None) -> tuple[tuple[int, int], ...]:
    """Where highlight() put its markers, as offsets into the text without them.

    The index reads Arabic text folded one character for one (ingest/arabic.py), so the
    offsets are those of the stored text as the page wrote it.
    """
    if not highlighted:
        return ()
    spans, offset, start = [], 0, None
    for character in highlighted:
        if character == MARK_OPEN:
            start = offset
        elif character == MARK_CLOSE:
            spans.append((start, offset))
        else:
            offset += 1
    return tuple(spans)


def analyse(connection: sqlite3.Connection, plan: Plan) -> Analysis:
    """The number of matches and the facets: kept counts, an exact count, or a labelled estimate from a sample."""
    if plan.driver == "store" and not plan.conditions:
        return Analysis(plan.driver_count, True, whole_store_facets(connection, plan.search.filters))
    with deadline(connection):
        if not plan.conditions:
            # the facets of a bounded search are sampled from the matches it ranks, and scaled to all of them
            total, exact = plan.driver_count, True
            domain = min(BOUNDED_RANK, plan.driver_count) if plan.floor else plan.driver_count
            fraction = 1.0 if domain <= FACET_EXACT_LIMIT else FACET_SAMPLE / domain
            sample = _sample(connection, plan, fraction, plan.floor)
        else:
            fraction = min(1.0, CHECK_LIMIT / max(plan.driver_count, 1))
            hits = _sample(connection, plan, fraction)
            total, exact = (len(hits), True) if fraction >= 1 else (round(len(hits) / fraction), False)
            sample = hits[:FACET_SAMPLE]
        facets = _sampled_facets(connection, sample, total, plan.search.filters)
    return Analysis(total, exact, facets)


def _sample(connection: sqlite3.Connection, plan: Plan, fraction: float, floor: int = 0) -> list[int]:
    """The driver's paragraphs that pass the conditions, among those whose id hashes below `fraction`, in hash order.

    With a `floor`, only paragraphs with ids from it up.
    """
    first, floor_params = (["{id} >= :floor"], {"floor": floor}) if floor else ([], {})
    if fraction >= 1:
        source, params, id_sql = _driver_sql(plan, first, floor_params)
        return [row[0] for row in connection.execute(f"SELECT {id_sql} {source}", params)]
    cut = max(1, int(fraction * HASH_RANGE))
    source, params, id_sql = _driver_sql(plan, [*first, HASH + " < :cut"], {**floor_params, "cut": cut})
    sql = f"SELECT {id_sql} {source} ORDER BY {HASH.format(id=id_sql)}"
    return [row[0] for row in connection.execute(sql, params)]


WHOLE_STORE_FACET = "SELECT value, paragraphs FROM facet_counts WHERE facet = ? AND paragraphs > 0 ORDER BY paragraphs DESC, value LIMIT ?"


def whole_store_facets(connection: sqlite3.Connection, filters: Filters = Filters()) -> tuple[Facet, ...]:
    """Every facet over the whole store, from the counts the writer keeps: exact."""
    total = _stored_count(connection, "store", "")
    facets = []
    for name in FACETS:
        counts = dict(connection.execute(WHOLE_STORE_FACET, (name, FACET_SIZE)).fetchall())
        facets.append(_facet(connection, name, counts, filters, True, total))
    return tuple(facets)


SAMPLE_ACTORS = """
SELECT actor_id, count(*) FROM paragraph_actors WHERE paragraph_id IN (SELECT value FROM json_each(?)) GROUP BY actor_id
"""
SAMPLE_TYPES = """
SELECT actors.type, count(DISTINCT paragraph_id) FROM paragraph_actors JOIN actors ON actors.id = paragraph_actors.actor_id
WHERE paragraph_id IN (SELECT value FROM json_each(?)) GROUP BY actors.type
"""
SAMPLE_TOPICS = "SELECT topic_id, count(*) FROM paragraph_topics WHERE paragraph_id IN (SELECT value FROM json_each(?)) GROUP BY topic_id"
SAMPLE_COLUMNS = """
SELECT coalesce(source, ''), coalesce(section, ''), coalesce(substr(published, 1, 7), '')
FROM paragraphs WHERE id IN (SELECT value FROM json_each(?))
"""


def _sampled_facets(connection: sqlite3.Connection, sample: list[int], total: int, filters: Filters) -> tuple[Facet, ...]:
    """Facets counted over the sample, scaled up to the total when the sample is not all of it."""
    ids = json.dumps(sample)
    counts = {
        name: dict(connection.execute(sql, (ids,)).fetchall())
        for name, sql in (("actor", SAMPLE_ACTORS), ("type", SAMPLE_TYPES), ("topic", SAMPLE_TOPICS))
    }
    columns = connection.execute(SAMPLE_COLUMNS, (ids,)).fetchall()
    for index, name in enumerate(("source", "section", "month")):
        counts[name] = Counter(row[index] for row in columns)
    exact = len(sample) == total
    scale = total / len(sample) if sample else 0
    facets = []
    for name in FACETS:
        scaled = {value: count if exact else round(count * scale) for value, count in counts[name].items()}
        top = dict(sorted(scaled.items(), key=lambda item: (-item[1], item[0]))[:FACET_SIZE])
        facets.append(_facet(connection, name, top, filters, exact, len(sample)))
    return tuple(facets)


def _facet(connection: sqlite3.Connection, name: str, counts: dict[str, int], filters: Filters, exact: bool, counted: int) -> Facet:
    selected = set(_selected(filters, name))
    labels = _labels(connection, name, list(counts))
    values = [FacetValue(value, labels.get(value, value), count, value in selected) for value, count in counts.items()]
    return Facet(name, tuple(values), exact, counted)


def _selected(filters: Filters, name: str) -> tuple[str, ...]:
    return {
        "actor": filters.actors, "type": filters.types, "topic": filters.topics,
        "source": filters.sources, "section": filters.sections, "month": filters.months,
    }[name]  # fmt: skip


def _labels(connection: sqlite3.Connection, name: str, values: list[str]) -> dict[str, str]:
    if name == "actor":
        sql = "SELECT id, name FROM actors WHERE id IN (SELECT value FROM json_each(?))"
    elif name == "topic":
        sql = "SELECT id, name FROM topics WHERE id IN (SELECT value FROM json_each(?))"
    else:
        return {"": "(none)"} if "" in values else {}
    return dict(connection.execute(sql, (json.dumps(values),)).fetchall())


def with_filters(search: Search, **changes) -> Search:
    """The search with some filters changed."""
    return replace(search, filters=replace(search.filters, **changes), offset=0)


def merge_results(parts: Sequence[tuple[str, Results]], search: Search) -> Results:
    """One search over several databases (shards) as one: rows merged by rank (or date), counts and facets added.

    bm25 is computed within each database's index; shards that are fair samples of the whole
    (articles spread by a hash of their identity) give ranks close to one store's.
    """
    hits = [replace(hit, database=name) for name, part in parts for hit in part.hits]
    if search.text:
        hits.sort(key=lambda hit: (hit.rank, -(hit.id)))
    else:
        hits.sort(key=lambda hit: (hit.published or "", hit.id), reverse=True)
    results = [part for _, part in parts]
    ranked = [part.ranked_among for part in results if part.ranked_among is not None]
    return Results(
        search,
        tuple(hits[search.offset : search.offset + search.size]),
        sum(part.total for part in results),
        all(part.total_exact for part in results),
        sum(ranked) if ranked else None,
        any(part.ranking_bounded for part in results),
        _merge_facets([part.facets for part in results]),
    )


def _merge_facets(parts: Sequence[Sequence[Facet]]) -> tuple[Facet, ...]:
    merged = []
    for facets in zip(*parts, strict=True):
        counts: Counter[str] = Counter()
        first: dict[str, FacetValue] = {}
        for facet in facets:
            for value in facet.values:
                counts[value.value] += value.count
                first.setdefault(value.value, value)
        top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:FACET_SIZE]
        values = tuple(replace(first[value], count=count) for value, count in top)
        merged.append(Facet(facets[0].name, values, all(f.exact for f in facets), sum(f.counted for f in facets)))
    return tuple(merged)


def facets_over_query(connection: sqlite3.Connection, sql: str, params: dict, total: int | None, filters: Filters) -> tuple[Facet, ...]:
    """Facets of the paragraphs a query selects (a table page of paragraphs: a SELECT with an `id` column, one row a paragraph).

    As many rows as the store has paragraphs are all of them: the kept counts answer. A
    few thousand are counted; more are sampled by the hash of their id and scaled to `total`.
    """
    store = _stored_count(connection, "store", "")
    if total == store:
        return whole_store_facets(connection, filters)
    if total is None or total > FACET_EXACT_LIMIT:
        cut = max(1, int(FACET_SAMPLE / max(total or store, 1) * HASH_RANGE))
        hashed = HASH.format(id="id")
        sampled = f"SELECT id FROM ({sql}) WHERE {hashed} < :desk_cut ORDER BY {hashed}"
        ids = [row[0] for row in connection.execute(sampled, {**params, "desk_cut": cut})]
        total = total if total is not None else round(len(ids) * HASH_RANGE / cut)
    else:
        ids = [row[0] for row in connection.execute(f"SELECT id FROM ({sql})", params)]
    return _sampled_facets(connection, ids, total, filters)
