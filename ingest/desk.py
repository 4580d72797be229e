"""What the desk's pages show, read from one database: actors, topics, co-occurrence, the map, batch search, a paragraph.

Plain functions of an sqlite3 connection, reading the counts the writer keeps, so that
each page costs a few index lookups at any size. Pages over several databases (shards)
add up what each returns (`combine_*`).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from .errors import IngestError
from .query import SearchSyntaxError
from .search import Hit, Search, hits_for, plan_search

LATEST = 20
TOP = 20


@dataclass(frozen=True)
class Counted:
    """Something shown with a count: an actor, a topic, a month, a value."""

    id: str
    label: str
    count: int
    kind: str = ""


@dataclass(frozen=True)
class Role:
    title: str
    start: str
    end: str
    source: str


@dataclass(frozen=True)
class ActorPage:
    id: str
    name: str
    type: str
    name_ar: str | None
    aliases: tuple[str, ...]
    wikipedia: str | None
    wikidata: str | None
    affiliation: Counted | None
    members: tuple[Counted, ...]
    roles: tuple[Role, ...]
    paragraphs: int
    articles: int
    months: tuple[Counted, ...]
    companions: tuple[Counted, ...]
    topics: tuple[Counted, ...]
    latest: tuple[Hit, ...]
    place: tuple[float, float, str] | None = None


@dataclass(frozen=True)
class TopicPage:
    id: str
    name: str
    description: str
    paragraphs: int
    articles: int
    months: tuple[Counted, ...]
    actors: tuple[Counted, ...]
    latest: tuple[Hit, ...]
    # each latest paragraph's evidence for the topic: its rank, score and the terms and actors found
    evidence: dict[int, tuple[int, float, tuple[str, ...]]] = field(default_factory=dict)


class NotFoundError(IngestError):
    """No actor or topic has this id."""


ACTOR = "SELECT id, name, type, name_ar, aliases, wikipedia, wikidata, affiliation FROM actors WHERE id = ?"
COUNTS = "SELECT paragraphs, articles FROM facet_counts WHERE facet = ? AND value = ?"
MEMBERS = """
SELECT actors.id, actors.name, coalesce(facet_counts.paragraphs, 0), actors.type FROM actors
LEFT JOIN facet_counts ON facet_counts.facet = 'actor' AND facet_counts.value = actors.id
WHERE actors.affiliation = ? ORDER BY 3 DESC, actors.name
"""
ROLES = "SELECT title, start_date, end_date, source FROM actor_roles WHERE actor_id = ? ORDER BY start_date"
ACTOR_MONTHS = "SELECT month, paragraphs FROM actor_months WHERE actor_id = ? AND paragraphs > 0 ORDER BY month"
TOPIC_MONTHS = "SELECT month, paragraphs FROM topic_months WHERE topic_id = ? AND paragraphs > 0 ORDER BY month"
COMPANIONS = """
SELECT actors.id, actors.name, actor_pairs.paragraphs, actors.type FROM actor_pairs JOIN actors ON actors.id = actor_pairs.other_actor_id
WHERE actor_pairs.actor_id = ? AND actor_pairs.paragraphs > 0 ORDER BY actor_pairs.paragraphs DESC, actors.name LIMIT ?
"""
ACTOR_TOPICS = """
SELECT topics.id, topics.name, actor_topics.paragraphs FROM actor_topics JOIN topics ON topics.id = actor_topics.topic_id
WHERE actor_topics.actor_id = ? AND actor_topics.paragraphs > 0 ORDER BY actor_topics.paragraphs DESC, topics.id
"""
TOPIC_ACTORS = """
SELECT actors.id, actors.name, actor_topics.paragraphs, actors.type FROM actor_topics JOIN actors ON actors.id = actor_topics.actor_id
WHERE actor_topics.topic_id = ? AND actor_topics.paragraphs > 0 ORDER BY actor_topics.paragraphs DESC, actors.name LIMIT ?
"""
LATEST_NAMING = """
SELECT paragraph_id FROM paragraph_actors WHERE actor_id = ? ORDER BY published DESC, paragraph_id DESC LIMIT ?
"""
LATEST_WITH_TOPIC = """
SELECT paragraph_id FROM paragraph_topics WHERE topic_id = ? ORDER BY published DESC, paragraph_id DESC LIMIT ?
"""
MENTION_SPANS = """
SELECT paragraph_id, char_start, char_end FROM mentions
WHERE actor_id = ? AND paragraph_id IN (SELECT value FROM json_each(?)) ORDER BY paragraph_id, char_start
"""
PLACE = "SELECT latitude, longitude, source FROM places WHERE actor_id = ?"


def actor_named(connection: sqlite3.Connection, name: str) -> str | None:
    """The id of the actor with this name, id or alias (any case), if there is one."""
    row = connection.execute("SELECT actor_id FROM actor_forms WHERE form = lower(?) LIMIT 1", (name,)).fetchone()
    return row[0] if row else None


def actor_page(connection: sqlite3.Connection, actor_id: str) -> ActorPage:
    """Everything the desk says about one actor."""
    row = connection.execute(ACTOR, (actor_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no actor has the id {actor_id!r}")
    _, name, actor_type, name_ar, aliases, wikipedia, wikidata, affiliation = row
    paragraphs, articles = connection.execute(COUNTS, ("actor", actor_id)).fetchone() or (0, 0)
    ids = [r[0] for r in connection.execute(LATEST_NAMING, (actor_id, LATEST)).fetchall()]
    spans: dict[int, list[tuple[int, int]]] = {}
    for paragraph_id, start, end in connection.execute(MENTION_SPANS, (actor_id, json.dumps(ids))).fetchall():
        spans.setdefault(paragraph_id, []).append((start, end))
    return ActorPage(
        id=actor_id,
        name=name,
        type=actor_type,
        name_ar=name_ar,
        aliases=tuple(json.loads(aliases)),
        wikipedia=wikipedia,
        wikidata=wikidata,
        affiliation=_affiliation(connection, affiliation),
        members=tuple(Counted(*r) for r in connection.execute(MEMBERS, (actor_id,)).fetchall()),
        roles=tuple(Role(*r) for r in connection.execute(ROLES, (actor_id,)).fetchall()),
        paragraphs=paragraphs,
        articles=articles,
        months=_months(connection, ACTOR_MONTHS, actor_id),
        companions=tuple(Counted(*r) for r in connection.execute(COMPANIONS, (actor_id, TOP)).fetchall()),
        topics=tuple(Counted(*r) for r in connection.execute(ACTOR_TOPICS, (actor_id,)).fetchall()),
        latest=tuple(hits_for(connection, ids, {pid: tuple(s) for pid, s in spans.items()})),
        place=_place(connection, actor_id),
    )


def _place(connection: sqlite3.Connection, actor_id: str) -> tuple[float, float, str] | None:
    row = connection.execute(PLACE, (actor_id,)).fetchone()
    return tuple(row) if row else None


def _affiliation(connection: sqlite3.Connection, actor_id: str | None) -> Counted | None:
    if not actor_id:
        return None
    row = connection.execute("SELECT id, name FROM actors WHERE id = ?", (actor_id,)).fetchone()
    return Counted(row[0], row[1], 0) if row else None


def _months(connection: sqlite3.Connection, sql: str, key: str) -> tuple[Counted, ...]:
    return tuple(Counted(month, month, count) for month, count in connection.execute(sql, (key,)).fetchall())


TOPIC = "SELECT id, name, description FROM topics WHERE id = ?"
TOPIC_EVIDENCE = """
SELECT paragraph_id, rank, score, evidence FROM paragraph_topics WHERE topic_id = ? AND paragraph_id IN (SELECT value FROM json_each(?))
"""


def topic_page(connection: sqlite3.Connection, topic_id: str) -> TopicPage:
    """Everything the desk says about one topic."""
    row = connection.execute(TOPIC, (topic_id,)).fetchone()
    if row is None:
        raise NotFoundError(f"no topic has the id {topic_id!r}")
    paragraphs, articles = connection.execute(COUNTS, ("topic", topic_id)).fetchone() or (0, 0)
    ids = [r[0] for r in connection.execute(LATEST_WITH_TOPIC, (topic_id, LATEST)).fetchall()]
    evidence = {
        paragraph_id: (rank, score, tuple(json.loads(found)))
        for paragraph_id, rank, score, found in connection.execute(TOPIC_EVIDENCE, (topic_id, json.dumps(ids))).fetchall()
    }
    return TopicPage(
        id=row[0],
        name=row[1],
        description=row[2],
        paragraphs=paragraphs,
        articles=articles,
        months=_months(connection, TOPIC_MONTHS, topic_id),
        actors=tuple(Counted(*r) for r in connection.execute(TOPIC_ACTORS, (topic_id, TOP)).fetchall()),
        latest=tuple(hits_for(connection, ids, {})),
        evidence=evidence,
    )


def combine_actor_pages(pages: Sequence[ActorPage]) -> ActorPage:
    """One actor's page over several databases: counts added, latest paragraphs merged by date."""
    first = pages[0]
    return replace(
        first,
        paragraphs=sum(p.paragraphs for p in pages),
        articles=sum(p.articles for p in pages),
        members=_add(c for p in pages for c in p.members),
        months=_add((c for p in pages for c in p.months), by_label=True),
        companions=_add(c for p in pages for c in p.companions)[:TOP],
        topics=_add(c for p in pages for c in p.topics),
        latest=_latest(h for p in pages for h in p.latest),
    )


def combine_topic_pages(pages: Sequence[TopicPage]) -> TopicPage:
    """One topic's page over several databases."""
    first = pages[0]
    evidence = {key: value for page in pages for key, value in page.evidence.items()}
    return replace(
        first,
        paragraphs=sum(p.paragraphs for p in pages),
        articles=sum(p.articles for p in pages),
        months=_add((c for p in pages for c in p.months), by_label=True),
        actors=_add(c for p in pages for c in p.actors)[:TOP],
        latest=_latest(h for p in pages for h in p.latest),
        evidence=evidence,
    )


def _add(items: Iterable[Counted], by_label: bool = False) -> tuple[Counted, ...]:
    """Counted things added up by id; sorted by count, or by label (months, in order)."""
    totals: Counter[str] = Counter()
    seen: dict[str, Counted] = {}
    for item in items:
        totals[item.id] += item.count
        seen.setdefault(item.id, item)
    added = [replace(seen[key], count=count) for key, count in totals.items()]
    return tuple(sorted(added, key=(lambda c: c.label) if by_label else (lambda c: (-c.count, c.label))))


def _latest(hits: Iterable[Hit]) -> tuple[Hit, ...]:
    return tuple(sorted(hits, key=lambda h: (h.published or "", h.id), reverse=True)[:LATEST])


@dataclass(frozen=True)
class Cooccurrence:
    actors: tuple[Counted, ...]
    # (actor id, other actor id) -> paragraphs naming both
    pairs: dict[tuple[str, str], int]


TOP_ACTORS = """
SELECT actors.id, actors.name, facet_counts.paragraphs, actors.type FROM facet_counts JOIN actors ON actors.id = facet_counts.value
WHERE facet_counts.facet = 'actor' AND facet_counts.paragraphs > 0 {types}
ORDER BY facet_counts.paragraphs DESC, actors.name LIMIT :limit
"""
PAIRS_AMONG = """
SELECT actor_id, other_actor_id, paragraphs FROM actor_pairs
WHERE actor_id IN (SELECT value FROM json_each(:ids)) AND other_actor_id IN (SELECT value FROM json_each(:ids)) AND paragraphs > 0
"""


def cooccurrence(connection: sqlite3.Connection, top: int = 25, types: Sequence[str] = ()) -> Cooccurrence:
    """The most named actors (of these types, if given) and how often each pair is named together."""
    condition = "AND actors.type IN (SELECT value FROM json_each(:types))" if types else ""
    params = {"limit": top, "types": json.dumps(list(types))}
    actors = tuple(Counted(*row) for row in connection.execute(TOP_ACTORS.format(types=condition), params).fetchall())
    ids = json.dumps([actor.id for actor in actors])
    pairs = {(a, b): n for a, b, n in connection.execute(PAIRS_AMONG, {"ids": ids}).fetchall()}
    return Cooccurrence(actors, pairs)


def combine_cooccurrence(parts: Sequence[Cooccurrence], top: int) -> Cooccurrence:
    """Co-occurrence over several databases: each database's top actors, added, then the top again."""
    actors = _add(a for part in parts for a in part.actors)[:top]
    keep = {a.id for a in actors}
    pairs: Counter[tuple[str, str]] = Counter()
    for part in parts:
        pairs.update({pair: n for pair, n in part.pairs.items() if pair[0] in keep and pair[1] in keep})
    return Cooccurrence(actors, dict(pairs))


@dataclass(frozen=True)
class Place:
    id: str
    name: str
    type: str
    latitude: float
    longitude: float
    paragraphs: int
    source: str


def places(connection: sqlite3.Connection) -> tuple[Place, ...]:
    """Every place and state named that has coordinates, most named first."""
    sql = "SELECT id, name, type, latitude, longitude, paragraphs, source FROM place_counts WHERE paragraphs > 0 ORDER BY paragraphs DESC"
    return tuple(Place(*row) for row in connection.execute(sql).fetchall())


def combine_places(parts: Sequence[Sequence[Place]]) -> tuple[Place, ...]:
    totals: Counter[str] = Counter()
    first: dict[str, Place] = {}
    for part in parts:
        for place in part:
            totals[place.id] += place.paragraphs
            first.setdefault(place.id, place)
    return tuple(sorted((replace(first[key], paragraphs=n) for key, n in totals.items()), key=lambda p: -p.paragraphs))


@dataclass(frozen=True)
class BatchLine:
    """One line of a batch search: its paragraph count, the actor it names if it is one, or what is wrong with it."""

    line: str
    paragraphs: int = 0
    actor: Counted | None = None
    error: str = ""


ACTOR_BY_FORM = """
SELECT actors.id, actors.name, coalesce(facet_counts.paragraphs, 0), actors.type FROM actor_forms
JOIN actors ON actors.id = actor_forms.actor_id
LEFT JOIN facet_counts ON facet_counts.facet = 'actor' AND facet_counts.value = actors.id
WHERE actor_forms.form = lower(?) LIMIT 1
"""
MAX_BATCH_LINES = 200


def batch_search(connection: sqlite3.Connection, lines: Sequence[str]) -> tuple[BatchLine, ...]:
    """For each line (a name or a search), the paragraphs matching it as a search and the actor it names, if any."""
    results = []
    for line in lines[:MAX_BATCH_LINES]:
        actor = connection.execute(ACTOR_BY_FORM, (line,)).fetchone()
        try:
            plan = plan_search(connection, Search(text=line))
        except SearchSyntaxError as error:
            results.append(BatchLine(line, error=str(error)))
            continue
        results.append(BatchLine(line, plan.driver_count, Counted(*actor) if actor else None))
    return tuple(results)


def combine_batches(parts: Sequence[Sequence[BatchLine]]) -> tuple[BatchLine, ...]:
    combined = []
    for lines in zip(*parts, strict=True):
        actor = next((line.actor for line in lines if line.actor), None)
        if actor:
            actor = replace(actor, count=sum(line.actor.count for line in lines if line.actor))
        combined.append(replace(lines[0], paragraphs=sum(line.paragraphs for line in lines), actor=actor))
    return tuple(combined)


@dataclass(frozen=True)
class ParagraphDetail:
    """A paragraph as its page shows it: each mention linked to its actor, each topic with its evidence."""

    id: int
    text: str
    mentions: tuple[tuple[int, int, str, str], ...]  # start, end, actor id, actor name
    topics: tuple[tuple[str, str, int, float, tuple[str, ...]], ...]  # id, name, rank, score, evidence
    candidates: tuple[tuple[int, int, str], ...]  # start, end, name
    article: dict


PARAGRAPH = """
SELECT paragraphs.id, paragraphs.text, paragraphs.position, paragraphs.section, articles.id, articles.title,
       articles.source, articles.published, articles.url, articles.author, articles.paragraph_count
FROM paragraphs JOIN articles ON articles.id = paragraphs.article_id WHERE paragraphs.id = ?
"""
PARAGRAPH_MENTIONS = """
SELECT char_start, char_end, actors.id, actors.name FROM mentions JOIN actors ON actors.id = mentions.actor_id
WHERE paragraph_id = ? ORDER BY char_start
"""
PARAGRAPH_TOPICS = """
SELECT topics.id, topics.name, rank, score, evidence FROM paragraph_topics JOIN topics ON topics.id = paragraph_topics.topic_id
WHERE paragraph_id = ? ORDER BY rank
"""
PARAGRAPH_CANDIDATES = "SELECT char_start, char_end, name FROM candidate_mentions WHERE paragraph_id = ? ORDER BY char_start"


def paragraph_detail(connection: sqlite3.Connection, paragraph_id: int) -> ParagraphDetail | None:
    row = connection.execute(PARAGRAPH, (paragraph_id,)).fetchone()
    if row is None:
        return None
    pid, text, position, section, article_id, title, source, published, url, author, count = row
    topics = tuple((t, n, r, s, tuple(json.loads(e))) for t, n, r, s, e in connection.execute(PARAGRAPH_TOPICS, (pid,)).fetchall())
    article = {
        "id": article_id, "title": title, "source": source, "published": published, "url": url,
        "author": author, "position": position, "paragraphs": count, "section": section,
    }  # fmt: skip
    return ParagraphDetail(
        pid,
        text,
        tuple(tuple(row) for row in connection.execute(PARAGRAPH_MENTIONS, (pid,))),
        topics,
        tuple(tuple(row) for row in connection.execute(PARAGRAPH_CANDIDATES, (pid,))),
        article,
    )
