"""The one writer: articles, paragraphs, tags and every table derived from them.

Workers read, split and tag; this module turns tagged articles into rows and is
the only one that writes them. Each batch is one transaction, and the derived
tables (facet counts, actor pairs, timelines, candidates) change in the same
transaction as the rows they count: the counts of the paragraphs stored are
added and those of the paragraphs deleted taken away, by the SQL in this module,
over the batch's paragraph ids. `recount` computes them all again from the rows;
`check_store` compares the two.
"""

from __future__ import annotations

import contextlib
import enum
import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime

from sqlite_utils import Database

from .models import Actor, Coordinates, TaggedArticle, TaggedParagraph, Topic, content_hash, text_hash, title_key


class AddStatus(enum.Enum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


FIND_ARTICLE_BY_URL = "SELECT id, content_hash FROM articles WHERE url = ?"
FIND_ARTICLE_BY_TITLE = """
SELECT id, content_hash FROM articles
WHERE url IS NULL AND coalesce(source, '') = coalesce(?, '') AND title_key = ?
"""
FIND_ARTICLE_BY_TEXT = "SELECT 1 FROM articles WHERE text_hash = ? LIMIT 1"
FIND_CONTENT = "SELECT 1 FROM articles WHERE content_hash = ? LIMIT 1"
INSERT_ARTICLE = """
INSERT INTO articles (title, title_key, source, url, published, author, path,
                      content_hash, guessed, paragraph_count, ingested_at, format, text_hash)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
UPDATE_ARTICLE = """
UPDATE articles SET title = ?, title_key = ?, source = ?, url = ?, published = ?,
    author = ?, path = ?, content_hash = ?, guessed = ?, paragraph_count = ?, ingested_at = ?,
    format = ?, text_hash = ?
WHERE id = ?
"""
INSERT_PARAGRAPH = """
INSERT INTO paragraphs (id, article_id, position, section, text, actors, topics, source, published)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
INSERT_PARAGRAPH_ACTOR = "INSERT INTO paragraph_actors (paragraph_id, actor_id, mentions, published) VALUES (?, ?, ?, ?)"
INSERT_PARAGRAPH_TOPIC = """
INSERT INTO paragraph_topics (paragraph_id, topic_id, rank, score, evidence, published) VALUES (?, ?, ?, ?, ?, ?)
"""
INSERT_MENTION = "INSERT INTO mentions (paragraph_id, char_start, char_end, actor_id, surface) VALUES (?, ?, ?, ?, ?)"
INSERT_CANDIDATE_MENTION = "INSERT INTO candidate_mentions (paragraph_id, char_start, char_end, name, kind) VALUES (?, ?, ?, ?, ?)"
TAG_TABLES = ("mentions", "paragraph_actors", "paragraph_topics", "candidate_mentions")
UPDATE_PARAGRAPH_TAGS = "UPDATE paragraphs SET actors = ?, topics = ? WHERE id = ?"
PARAGRAPHS_TO_RETAG = "SELECT id, actors, topics, published FROM paragraphs WHERE id BETWEEN ? AND ? ORDER BY id"

UPSERT_ACTOR = """
INSERT INTO actors (id, name, type, aliases, wikipedia, wikidata, affiliation, name_ar)
VALUES (?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET name = excluded.name, type = excluded.type, aliases = excluded.aliases,
    wikipedia = excluded.wikipedia, wikidata = excluded.wikidata, affiliation = excluded.affiliation,
    name_ar = excluded.name_ar
"""
UPSERT_TOPIC = """
INSERT INTO topics (id, name, description) VALUES (?, ?, ?)
ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description
"""
INSERT_ROLE = "INSERT INTO actor_roles (actor_id, title, start_date, end_date, source) VALUES (?, ?, ?, ?, ?)"
INSERT_PLACE = "INSERT INTO places (actor_id, latitude, longitude, source) VALUES (?, ?, ?, ?)"
DELETE_UNUSED_ACTORS = """
DELETE FROM actors WHERE id NOT IN (SELECT value FROM json_each(?))
AND id NOT IN (SELECT actor_id FROM paragraph_actors)
AND id NOT IN (SELECT affiliation FROM actors WHERE affiliation IS NOT NULL)
"""

# Which paragraphs a count statement reads: one of these, formatted into the
# statements below (constants only, never input).
NEW_PARAGRAPHS = "BETWEEN :first AND :last"
ARTICLE_PARAGRAPHS = "IN (SELECT id FROM paragraphs WHERE article_id = :article)"
ALL_PARAGRAPHS = "IS NOT NULL"

ADD = ":sign * count(*)"
ON_CONFLICT_ADD = "DO UPDATE SET paragraphs = paragraphs + excluded.paragraphs"
ON_CONFLICT_ADD_BOTH = "DO UPDATE SET paragraphs = paragraphs + excluded.paragraphs, articles = articles + excluded.articles"
# Counts that depend on the paragraphs alone: a retag leaves them as they are.
PARAGRAPH_COUNTS = (
    f"""INSERT INTO facet_counts (facet, value, paragraphs, articles)
    SELECT 'store', '', {ADD}, :sign * count(DISTINCT article_id) FROM paragraphs WHERE id {{paragraphs}} HAVING count(*) > 0
    UNION ALL
    SELECT 'source', coalesce(source, ''), {ADD}, :sign * count(DISTINCT article_id)
    FROM paragraphs WHERE id {{paragraphs}} GROUP BY coalesce(source, '')
    UNION ALL
    SELECT 'section', coalesce(section, ''), {ADD}, :sign * count(DISTINCT article_id)
    FROM paragraphs WHERE id {{paragraphs}} GROUP BY coalesce(section, '')
    UNION ALL
    SELECT 'month', coalesce(substr(published, 1, 7), ''), {ADD}, :sign * count(DISTINCT article_id)
    FROM paragraphs WHERE id {{paragraphs}} GROUP BY coalesce(substr(published, 1, 7), '')
    ON CONFLICT (facet, value) {ON_CONFLICT_ADD_BOTH}""",
)
# Counts that depend on the tags.
TAG_COUNTS = (
    f"""INSERT INTO facet_counts (facet, value, paragraphs, articles)
    SELECT 'actor', actor_id, {ADD}, :sign * count(DISTINCT paragraphs.article_id)
    FROM paragraph_actors JOIN paragraphs ON paragraphs.id = paragraph_actors.paragraph_id
    WHERE paragraph_actors.paragraph_id {{paragraphs}} GROUP BY actor_id
    UNION ALL
    SELECT 'type', actors.type, :sign * count(DISTINCT paragraph_actors.paragraph_id), :sign * count(DISTINCT paragraphs.article_id)
    FROM paragraph_actors JOIN paragraphs ON paragraphs.id = paragraph_actors.paragraph_id
    JOIN actors ON actors.id = paragraph_actors.actor_id
    WHERE paragraph_actors.paragraph_id {{paragraphs}} GROUP BY actors.type
    UNION ALL
    SELECT 'topic', topic_id, {ADD}, :sign * count(DISTINCT paragraphs.article_id)
    FROM paragraph_topics JOIN paragraphs ON paragraphs.id = paragraph_topics.paragraph_id
    WHERE paragraph_topics.paragraph_id {{paragraphs}} GROUP BY topic_id
    ON CONFLICT (facet, value) {ON_CONFLICT_ADD_BOTH}""",
    f"""INSERT INTO actor_pairs (actor_id, other_actor_id, paragraphs)
    SELECT first.actor_id, second.actor_id, {ADD}
    FROM paragraph_actors AS first
    JOIN paragraph_actors AS second ON second.paragraph_id = first.paragraph_id AND second.actor_id != first.actor_id
    WHERE first.paragraph_id {{paragraphs}} GROUP BY first.actor_id, second.actor_id
    ON CONFLICT (actor_id, other_actor_id) {ON_CONFLICT_ADD}""",
    f"""INSERT INTO actor_topics (actor_id, topic_id, paragraphs)
    SELECT paragraph_actors.actor_id, paragraph_topics.topic_id, {ADD}
    FROM paragraph_actors JOIN paragraph_topics ON paragraph_topics.paragraph_id = paragraph_actors.paragraph_id
    WHERE paragraph_actors.paragraph_id {{paragraphs}} GROUP BY paragraph_actors.actor_id, paragraph_topics.topic_id
    ON CONFLICT (actor_id, topic_id) {ON_CONFLICT_ADD}""",
    f"""INSERT INTO actor_months (actor_id, month, paragraphs)
    SELECT actor_id, substr(published, 1, 7), {ADD} FROM paragraph_actors
    WHERE paragraph_id {{paragraphs}} AND published IS NOT NULL GROUP BY actor_id, substr(published, 1, 7)
    ON CONFLICT (actor_id, month) {ON_CONFLICT_ADD}""",
    f"""INSERT INTO topic_months (topic_id, month, paragraphs)
    SELECT topic_id, substr(published, 1, 7), {ADD} FROM paragraph_topics
    WHERE paragraph_id {{paragraphs}} AND published IS NOT NULL GROUP BY topic_id, substr(published, 1, 7)
    ON CONFLICT (topic_id, month) {ON_CONFLICT_ADD}""",
    f"""INSERT INTO candidates (name, kind, paragraphs, articles, examples)
    SELECT name, NULL, :sign * count(DISTINCT candidate_mentions.paragraph_id), :sign * count(DISTINCT paragraphs.article_id), '[]'
    FROM candidate_mentions JOIN paragraphs ON paragraphs.id = candidate_mentions.paragraph_id
    WHERE candidate_mentions.paragraph_id {{paragraphs}} GROUP BY name
    ON CONFLICT (name) {ON_CONFLICT_ADD_BOTH}""",
    f"""INSERT INTO candidate_kinds (name, kind, paragraphs)
    SELECT name, kind, :sign * count(DISTINCT paragraph_id) FROM candidate_mentions
    WHERE paragraph_id {{paragraphs}} AND kind IS NOT NULL GROUP BY name, kind
    ON CONFLICT (name, kind) {ON_CONFLICT_ADD}""",
    """INSERT OR IGNORE INTO temp.touched_candidates (name)
    SELECT DISTINCT name FROM candidate_mentions WHERE paragraph_id {paragraphs}""",
)
# A name's kind and examples, once its mentions changed: the kind suggested most often, the first three paragraphs.
DESCRIBE_CANDIDATES = """
UPDATE candidates SET
    kind = (SELECT kind FROM candidate_kinds WHERE candidate_kinds.name = candidates.name AND paragraphs > 0
            ORDER BY paragraphs DESC, kind LIMIT 1),
    examples = (SELECT json_group_array(paragraph_id) FROM (
        SELECT DISTINCT paragraph_id FROM candidate_mentions WHERE candidate_mentions.name = candidates.name
        ORDER BY paragraph_id LIMIT 3))
WHERE name IN (SELECT name FROM temp.touched_candidates)
"""
DERIVED_TABLES = ("facet_counts", "actor_pairs", "actor_topics", "actor_months", "topic_months", "candidates", "candidate_kinds")


@contextlib.contextmanager
def immediate_transaction(db: Database) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT: all or nothing.

    Not `db.atomic()`: its deferred BEGIN takes the write lock only at the first write,
    and a write after a read fails at once if another process wrote in between;
    IMMEDIATE waits (busy_timeout) for the lock before the first read instead.
    """
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.rollback()
        raise
    db.commit()


def sync_gazetteer(db: Database, actors: Sequence[Actor], topics: Sequence[Topic], places: dict[str, Coordinates]) -> None:
    """Write the actors (with their roles and places) and the topics into their tables."""
    with db.atomic():
        db.conn.executemany(UPSERT_ACTOR, [_actor_row(actor) for actor in actors])
        db.execute("DELETE FROM actor_roles")
        db.conn.executemany(INSERT_ROLE, [(a.id, r.title, r.start, r.end, r.source) for a in actors for r in a.roles])
        db.execute("DELETE FROM places")
        db.conn.executemany(INSERT_PLACE, [(actor_id, c.lat, c.lon, c.source) for actor_id, c in places.items()])
        db.conn.executemany(UPSERT_TOPIC, [(t.id, t.name, t.description) for t in topics])


def gazetteer_changed(db: Database, actors: Sequence[Actor], topics: Sequence[Topic]) -> bool:
    """Say whether the stored actors, roles or topics differ from these (places follow the actors)."""
    stored_actors = set(db.execute("SELECT id, name, type, aliases, wikipedia, wikidata, affiliation, name_ar FROM actors").fetchall())
    stored_roles = set(db.execute("SELECT actor_id, title, start_date, end_date, source FROM actor_roles").fetchall())
    stored_topics = set(db.execute("SELECT id, name, description FROM topics").fetchall())
    return (
        not {_actor_row(actor) for actor in actors} <= stored_actors
        or stored_roles != {(a.id, r.title, r.start, r.end, r.source) for a in actors for r in a.roles}
        or stored_topics != {(t.id, t.name, t.description) for t in topics}
    )


def _actor_row(actor: Actor) -> tuple:
    aliases = json.dumps(list(actor.aliases), ensure_ascii=False)
    return (
        actor.id,
        actor.name,
        actor.type,
        aliases,
        actor.wikipedia or None,
        actor.wikidata or None,
        actor.affiliation or None,
        actor.name_ar or None,
    )


def drop_unused_actors(db: Database, keep: Iterable[str]) -> None:
    """Delete actors no longer in the gazetteer that nothing refers to."""
    with db.atomic():
        db.execute(DELETE_UNUSED_ACTORS, (json.dumps(list(keep)),))


def is_stored(connection: sqlite3.Connection, digest: str) -> bool:
    """An article with exactly this content hash is stored: a worker need not tag its copy."""
    return connection.execute(FIND_CONTENT, (digest,)).fetchone() is not None


class Writer:
    """Saves tagged articles in batches and keeps every derived table in step with them."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.actor_names = dict(db.execute("SELECT id, name FROM actors").fetchall())
        db.execute("CREATE TEMP TABLE IF NOT EXISTS touched_candidates (name TEXT PRIMARY KEY)")

    def save(self, batch: Sequence[TaggedArticle]) -> list[AddStatus]:
        """Save articles all together or not at all; say of each whether it was new, updated or unchanged."""
        with immediate_transaction(self.db):
            first = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM paragraphs").fetchone()[0]
            rows = _Rows(first)
            statuses = [self._save(tagged, rows) for tagged in batch]
            self._insert(rows)
            if rows.next_id > first:
                self._count(NEW_PARAGRAPHS, {"first": first, "last": rows.next_id - 1}, +1, PARAGRAPH_COUNTS + TAG_COUNTS)
            self._describe_candidates()
        return statuses

    def _save(self, tagged: TaggedArticle, rows: _Rows) -> AddStatus:
        article, paragraphs = tagged.article, [item.paragraph for item in tagged.paragraphs]
        digest, copy_of = content_hash(article, paragraphs), text_hash(paragraphs)
        existing = self._find(tagged)
        if (existing and existing[1] == digest) or (not existing and self._is_stored_text(copy_of)):
            return AddStatus.UNCHANGED
        values = (
            article.title, title_key(article.title), article.source, article.url, article.published, article.author,
            article.path, digest, json.dumps(list(article.guessed)), len(paragraphs), _now(), article.format, copy_of,
        )  # fmt: skip
        if existing:
            self._insert(rows)  # an earlier version in this batch may still be waiting
            self._delete_article_paragraphs(existing[0], counted=self._stored_before(existing[0], rows.first))
            self.db.execute(UPDATE_ARTICLE, (*values, existing[0]))
            article_id, status = existing[0], AddStatus.UPDATED
        else:
            article_id, status = self.db.execute(INSERT_ARTICLE, values).lastrowid, AddStatus.NEW
        rows.add_article(article_id, tagged, self.actor_names)
        return status

    def _find(self, tagged: TaggedArticle) -> tuple[int, str] | None:
        """The stored article this one is a version of: the same URL, or with no URL the same source and title."""
        article = tagged.article
        if article.url:
            return self.db.execute(FIND_ARTICLE_BY_URL, (article.url,)).fetchone()
        return self.db.execute(FIND_ARTICLE_BY_TITLE, (article.source, title_key(article.title))).fetchone()

    def _stored_before(self, article_id: int, first: int) -> bool:
        """The article's paragraphs were stored before this batch (so they are counted), not earlier in it."""
        oldest = self.db.execute("SELECT min(id) FROM paragraphs WHERE article_id = ?", (article_id,)).fetchone()[0]
        return oldest is not None and oldest < first

    def _is_stored_text(self, digest: str) -> bool:
        """Another copy of a stored article's text (another format, title or site): the first one stored stays."""
        return self.db.execute(FIND_ARTICLE_BY_TEXT, (digest,)).fetchone() is not None

    def _delete_article_paragraphs(self, article_id: int, counted: bool) -> None:
        """Delete an article's paragraphs and tags, taking them out of the counts if they were counted."""
        if counted:
            self._count(ARTICLE_PARAGRAPHS, {"article": article_id}, -1, PARAGRAPH_COUNTS + TAG_COUNTS)
        for table in TAG_TABLES:
            self.db.execute(f"DELETE FROM {table} WHERE paragraph_id {ARTICLE_PARAGRAPHS}", {"article": article_id})
        self.db.execute("DELETE FROM paragraphs WHERE article_id = ?", (article_id,))

    def _insert(self, rows: _Rows) -> None:
        """Write the rows waiting, paragraphs first (the full-text index follows them by trigger)."""
        for sql, pending in (
            (INSERT_PARAGRAPH, rows.paragraphs),
            (INSERT_PARAGRAPH_ACTOR, rows.actors),
            (INSERT_PARAGRAPH_TOPIC, rows.topics),
            (INSERT_MENTION, rows.mentions),
            (INSERT_CANDIDATE_MENTION, rows.candidates),
        ):
            self.db.conn.executemany(sql, pending)
            pending.clear()

    def _count(self, paragraphs: str, params: dict, sign: int, statements: Sequence[str]) -> None:
        for statement in statements:
            self.db.execute(statement.format(paragraphs=paragraphs), {**params, "sign": sign})

    def _describe_candidates(self) -> None:
        self.db.execute(DESCRIBE_CANDIDATES)
        self.db.execute("DELETE FROM temp.touched_candidates")

    def replace_tags(self, first: int, last: int, tagged: Sequence[tuple[int, TaggedParagraph]]) -> int:
        """Give paragraphs first..last (whole articles) new tags; return how many paragraphs' tag arrays changed."""
        with immediate_transaction(self.db):
            stored = {row[0]: row[1:] for row in self.db.execute(PARAGRAPHS_TO_RETAG, (first, last)).fetchall()}
            span = {"first": first, "last": last}
            self._count(NEW_PARAGRAPHS, span, -1, TAG_COUNTS)
            for table in TAG_TABLES:
                self.db.execute(f"DELETE FROM {table} WHERE paragraph_id {NEW_PARAGRAPHS}", span)
            rows, changed = _Rows(first), []
            for paragraph_id, item in tagged:
                old_actors, old_topics, published = stored[paragraph_id]
                arrays = rows.add_tags(paragraph_id, item, published, self.actor_names)
                if arrays != (old_actors, old_topics):
                    changed.append((*arrays, paragraph_id))
            self.db.conn.executemany(UPDATE_PARAGRAPH_TAGS, changed)
            self._insert(rows)
            self._count(NEW_PARAGRAPHS, span, +1, TAG_COUNTS)
            self._describe_candidates()
        return len(changed)

    def finish(self) -> None:
        """Drop the counts that fell to zero (values no stored paragraph has any more)."""
        with immediate_transaction(self.db):
            for table in DERIVED_TABLES:
                self.db.execute(f"DELETE FROM {table} WHERE paragraphs <= 0")
            self.db.execute("DELETE FROM refresh_due")


class _Rows:
    """Rows waiting to be inserted, paragraphs numbered from `first`."""

    def __init__(self, first: int) -> None:
        self.first = self.next_id = first
        self.paragraphs: list[tuple] = []
        self.actors: list[tuple] = []
        self.topics: list[tuple] = []
        self.mentions: list[tuple] = []
        self.candidates: list[tuple] = []

    def add_article(self, article_id: int, tagged: TaggedArticle, actor_names: dict[str, str]) -> None:
        article = tagged.article
        for item in tagged.paragraphs:
            paragraph = item.paragraph
            paragraph_id, self.next_id = self.next_id, self.next_id + 1
            actors, topics = self.add_tags(paragraph_id, item, article.published, actor_names)
            self.paragraphs.append(
                (
                    paragraph_id,
                    article_id,
                    paragraph.position,
                    paragraph.section,
                    paragraph.text,
                    actors,
                    topics,
                    article.source,
                    article.published,
                )
            )

    def add_tags(self, paragraph_id: int, item: TaggedParagraph, published: str | None, actor_names: dict[str, str]) -> tuple[str, str]:
        """Queue a paragraph's tag rows; return its actors and topics as the JSON arrays kept on the paragraph."""
        counts = Counter(m.actor_id for m in item.mentions)
        self.actors += [(paragraph_id, actor_id, count, published) for actor_id, count in counts.items()]
        self.topics += [
            (paragraph_id, tag.topic_id, rank, round(tag.score, 3), json.dumps(list(tag.evidence), ensure_ascii=False), published)
            for rank, tag in enumerate(item.topics, start=1)
        ]
        self.mentions += [(paragraph_id, m.start, m.end, m.actor_id, m.surface) for m in item.mentions]
        self.candidates += [(paragraph_id, c.start, c.end, c.name, c.kind or None) for c in item.candidates]
        actors = json.dumps([actor_names[actor_id] for actor_id in counts], ensure_ascii=False)
        return actors, json.dumps([tag.topic_id for tag in item.topics])


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def retag_spans(db: Database, paragraphs_per_span: int) -> Iterator[tuple[int, int]]:
    """Paragraph id ranges of about `paragraphs_per_span`, each ending where an article ends.

    An article's paragraphs are stored together, so their ids are consecutive and a
    range that ends at an article's last paragraph holds whole articles.
    """
    first = db.execute("SELECT min(id) FROM paragraphs").fetchone()[0]
    while first is not None:
        beyond = db.execute("SELECT article_id FROM paragraphs WHERE id >= ? ORDER BY id LIMIT 1", (first + paragraphs_per_span - 1,))
        row = beyond.fetchone()
        article_id = row[0] if row else db.execute("SELECT article_id FROM paragraphs ORDER BY id DESC LIMIT 1").fetchone()[0]
        last = db.execute("SELECT max(id) FROM paragraphs WHERE article_id = ?", (article_id,)).fetchone()[0]
        yield first, last
        first = db.execute("SELECT min(id) FROM paragraphs WHERE id > ?", (last,)).fetchone()[0]


def recount(db: Database) -> None:
    """Compute every derived table again from the rows (inside the caller's transaction)."""
    for table in DERIVED_TABLES:
        db.execute(f"DELETE FROM {table}")
    db.execute("CREATE TEMP TABLE IF NOT EXISTS touched_candidates (name TEXT PRIMARY KEY)")
    for statement in PARAGRAPH_COUNTS + TAG_COUNTS:
        db.execute(statement.format(paragraphs=ALL_PARAGRAPHS), {"sign": 1})
    db.execute(DESCRIBE_CANDIDATES)
    db.execute("DELETE FROM temp.touched_candidates")


def refresh_due(db: Database) -> list[str]:
    """Finish what a migration or an interrupted run left due: the full-text index, the counts; say what was done."""
    due = [row[0] for row in db.execute("SELECT derived_table FROM refresh_due ORDER BY derived_table").fetchall()]
    if not due:
        return []
    with immediate_transaction(db):
        if "paragraphs_fts" in due:
            db.execute("INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('rebuild')")
        recount(db)
        db.execute("DELETE FROM refresh_due")
    return [f"refreshed {', '.join(due)}"]


# A paragraph's tag arrays as the join tables say they should be: actor names
# in order of first mention, topic ids best first.
ACTORS_ARRAY = """(SELECT json_group_array(name) FROM (
    SELECT actors.name FROM mentions JOIN actors ON actors.id = mentions.actor_id
    WHERE mentions.paragraph_id = paragraphs.id GROUP BY mentions.actor_id ORDER BY min(char_start)))"""
TOPICS_ARRAY = """(SELECT json_group_array(topic_id) FROM (
    SELECT topic_id FROM paragraph_topics WHERE paragraph_id = paragraphs.id ORDER BY rank))"""

# Each check: what it says when rows fail it, and a query counting those rows.
CHECKS = (
    ("paragraphs of no article", "SELECT count(*) FROM paragraphs WHERE article_id NOT IN (SELECT id FROM articles)"),
    *(
        (f"{table} rows of no paragraph", f"SELECT count(*) FROM {table} WHERE paragraph_id NOT IN (SELECT id FROM paragraphs)")
        for table in ("paragraph_actors", "paragraph_topics", "mentions", "candidate_mentions")
    ),
    *(
        (f"{table} rows naming no known actor", f"SELECT count(*) FROM {table} WHERE actor_id NOT IN (SELECT id FROM actors)")
        for table in ("paragraph_actors", "mentions")
    ),
    ("paragraph_topics rows naming no known topic", "SELECT count(*) FROM paragraph_topics WHERE topic_id NOT IN (SELECT id FROM topics)"),
    (
        "mentions whose offsets do not point at their surface text",
        """SELECT count(*) FROM mentions JOIN paragraphs ON paragraphs.id = mentions.paragraph_id
           WHERE substr(paragraphs.text, char_start + 1, char_end - char_start) != surface""",
    ),
    (
        "paragraph_actors counts that disagree with the mentions",
        """SELECT count(*) FROM (
             SELECT paragraph_id, actor_id, mentions FROM paragraph_actors
             EXCEPT SELECT paragraph_id, actor_id, count(*) FROM mentions GROUP BY paragraph_id, actor_id)""",
    ),
    ("paragraphs whose actors array disagrees with the mentions", f"SELECT count(*) FROM paragraphs WHERE json(actors) != {ACTORS_ARRAY}"),
    (
        "paragraphs whose topics array disagrees with paragraph_topics",
        f"SELECT count(*) FROM paragraphs WHERE json(topics) != {TOPICS_ARRAY}",
    ),
    (
        "articles whose paragraph_count is not their number of paragraphs",
        """SELECT count(*) FROM articles
           WHERE paragraph_count != (SELECT count(*) FROM paragraphs WHERE article_id = articles.id)""",
    ),
    (
        "articles whose paragraphs are not numbered 1 to paragraph_count",
        """SELECT count(*) FROM articles WHERE paragraph_count != coalesce(
             (SELECT max(position) FROM paragraphs WHERE article_id = articles.id), 0)""",
    ),
    (
        "articles with no paragraphs",
        "SELECT count(*) FROM articles WHERE NOT EXISTS (SELECT 1 FROM paragraphs WHERE article_id = articles.id)",
    ),
    *(
        (
            f"{table} rows whose date is not their paragraph's",
            f"""SELECT count(*) FROM {table} JOIN paragraphs ON paragraphs.id = {table}.paragraph_id
                WHERE {table}.published IS NOT paragraphs.published""",
        )
        for table in ("paragraph_actors", "paragraph_topics")
    ),
    (
        "derived tables due a refresh after an upgrade (run ingest rebuild, or any ingest add or retag)",
        "SELECT count(*) FROM refresh_due",
    ),
)


def check_database(db: Database) -> list[str]:
    """Everything wrong with a database, one line each; an empty list when it is sound."""
    integrity = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
    if integrity != ["ok"]:
        return [f"SQLite integrity check: {line}" for line in integrity]
    problems = []
    try:
        # rank 1: compare the index with the paragraphs table, not only with itself
        db.execute("INSERT INTO paragraphs_fts(paragraphs_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as error:
        problems.append(f"full-text index out of sync with paragraphs ({error}; run ingest rebuild)")
    for message, sql in CHECKS:
        count = db.execute(sql).fetchone()[0]
        if count:
            problems.append(f"{count} {message}")
    return problems


# What `rebuild` repairs, in order: what it says, and the statement that does it.
REPAIRS = (
    *(
        (f"{table} rows of no paragraph deleted", f"DELETE FROM {table} WHERE paragraph_id NOT IN (SELECT id FROM paragraphs)")
        for table in TAG_TABLES
    ),
    ("mentions of unknown actors deleted", "DELETE FROM mentions WHERE actor_id NOT IN (SELECT id FROM actors)"),
    ("paragraph_topics rows of unknown topics deleted", "DELETE FROM paragraph_topics WHERE topic_id NOT IN (SELECT id FROM topics)"),
    (
        "paragraph_actors rows recounted from the mentions",
        """DELETE FROM paragraph_actors WHERE (paragraph_id, actor_id, mentions) NOT IN
             (SELECT paragraph_id, actor_id, count(*) FROM mentions GROUP BY paragraph_id, actor_id)""",
    ),
    (
        "paragraph_actors rows restored from the mentions",
        """INSERT INTO paragraph_actors (paragraph_id, actor_id, mentions, published)
           SELECT paragraph_id, actor_id, count(*), NULL FROM mentions
           WHERE (paragraph_id, actor_id) NOT IN (SELECT paragraph_id, actor_id FROM paragraph_actors)
           GROUP BY paragraph_id, actor_id""",
    ),
    *(
        (
            f"{table} dates set to their paragraph's",
            f"""UPDATE {table} SET published = paragraphs.published FROM paragraphs
                WHERE paragraphs.id = {table}.paragraph_id AND {table}.published IS NOT paragraphs.published""",
        )
        for table in ("paragraph_actors", "paragraph_topics")
    ),
    ("actors arrays rewritten", f"UPDATE paragraphs SET actors = {ACTORS_ARRAY} WHERE json(actors) != {ACTORS_ARRAY}"),
    ("topics arrays rewritten", f"UPDATE paragraphs SET topics = {TOPICS_ARRAY} WHERE json(topics) != {TOPICS_ARRAY}"),
    (
        "paragraphs renumbered",
        """UPDATE paragraphs SET position = numbered.position FROM
             (SELECT id, row_number() OVER (PARTITION BY article_id ORDER BY position, id) AS position FROM paragraphs) AS numbered
           WHERE numbered.id = paragraphs.id AND paragraphs.position != numbered.position""",
    ),
    (
        "paragraph counts corrected",
        """UPDATE articles SET paragraph_count = (SELECT count(*) FROM paragraphs WHERE article_id = articles.id)
           WHERE paragraph_count != (SELECT count(*) FROM paragraphs WHERE article_id = articles.id)""",
    ),
)


def check_store(db: Database) -> list[str]:
    """Everything wrong with a database, one line each; an empty list when it is sound."""
    integrity = [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]
    if integrity != ["ok"]:
        return [f"SQLite integrity check: {line}" for line in integrity]
    problems = []
    try:
        # rank 1: compare the index with the paragraphs table, not only with itself
        db.execute("INSERT INTO paragraphs_fts(paragraphs_fts, rank) VALUES ('integrity-check', 1)")
    except sqlite3.DatabaseError as error:
        problems.append(f"full-text index out of sync with paragraphs ({error}; run ingest rebuild)")
    for message, sql in CHECKS:
        count = db.execute(sql).fetchone()[0]
        if count:
            problems.append(f"{count} {message}")
    if not db.execute("SELECT 1 FROM refresh_due").fetchone():
        problems += _derived_disagreements(db)
    return problems


def _derived_disagreements(db: Database) -> list[str]:
    """Recount the derived tables inside a transaction that is rolled back, and compare."""
    problems = []
    db.execute("BEGIN IMMEDIATE")
    try:
        for table in DERIVED_TABLES:
            db.execute(f"CREATE TEMP TABLE kept_{table} AS SELECT * FROM {table} WHERE paragraphs > 0")
        recount(db)
        for table in DERIVED_TABLES:
            differing = db.execute(
                f"""SELECT (SELECT count(*) FROM (SELECT * FROM {table} WHERE paragraphs > 0 EXCEPT SELECT * FROM temp.kept_{table}))
                         + (SELECT count(*) FROM (SELECT * FROM temp.kept_{table} EXCEPT SELECT * FROM {table}))"""
            ).fetchone()[0]
            if differing:
                problems.append(f"{differing} {table} rows that disagree with a recount (run ingest rebuild)")
    finally:
        db.rollback()
    return problems


def rebuild_store(db: Database) -> list[str]:
    """Repair what can be derived (full-text index, tag arrays, counts), in one transaction; say what changed."""
    done = []
    with immediate_transaction(db):
        for message, sql in REPAIRS:
            changed = db.execute(sql).rowcount
            if changed > 0:
                done.append(f"{changed} {message}")
        db.execute("INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('rebuild')")
        recount(db)
        db.execute("DELETE FROM refresh_due")
    return [*done, "full-text index and counts rebuilt"]
