"""Schema, saving articles, re-tagging. The only module that writes SQL."""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

from sqlite_utils import Database

from .errors import DatabaseError
from .gazetteer import Gazetteer
from .models import Article, Paragraph, TaggedArticle, TaggedParagraph

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000
# Rows per multi-row INSERT: FTS5 flushes once per statement, so more rows per
# statement is faster; 9 columns x 1000 rows stays far below SQLite's
# 32,766 bound parameters.
ROWS_PER_STATEMENT = 1000

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"

FIND_ARTICLE_BY_URL = "SELECT id, content_hash FROM articles WHERE url = ?"
FIND_ARTICLE_BY_TITLE = """
SELECT id, content_hash FROM articles
WHERE url IS NULL AND coalesce(source, '') = coalesce(?, '') AND title_key = ?
"""
INSERT_ARTICLE = """
INSERT INTO articles (title, title_key, source, url, published, author, path,
                      content_hash, guessed, paragraph_count, ingested_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
UPDATE_ARTICLE = """
UPDATE articles SET title = ?, title_key = ?, source = ?, url = ?, published = ?,
    author = ?, path = ?, content_hash = ?, guessed = ?, paragraph_count = ?, ingested_at = ?
WHERE id = ?
"""
DELETE_ARTICLE_TAGS = """
DELETE FROM {table} WHERE paragraph_id IN (SELECT id FROM paragraphs WHERE article_id = ?)
"""
TAG_TABLES = ("mentions", "paragraph_actors", "paragraph_topics")
PARAGRAPH_COLUMNS = ("id", "article_id", "position", "section", "text", "actors", "topics", "source", "published")
INSERT_PARAGRAPH_ACTOR = "INSERT INTO paragraph_actors (paragraph_id, actor_id, mentions) VALUES (?, ?, ?)"
INSERT_PARAGRAPH_TOPIC = "INSERT INTO paragraph_topics (paragraph_id, topic_id, rank, score, evidence) VALUES (?, ?, ?, ?, ?)"
INSERT_MENTION = "INSERT INTO mentions (paragraph_id, char_start, char_end, actor_id, surface) VALUES (?, ?, ?, ?, ?)"
UPSERT_ACTOR = """
INSERT INTO actors (id, name, type, aliases, wikipedia, wikidata, affiliation)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT(id) DO UPDATE SET name = excluded.name, type = excluded.type, aliases = excluded.aliases,
    wikipedia = excluded.wikipedia, wikidata = excluded.wikidata, affiliation = excluded.affiliation
"""
UPSERT_TOPIC = """
INSERT INTO topics (id, name, description) VALUES (?, ?, ?)
ON CONFLICT(id) DO UPDATE SET name = excluded.name, description = excluded.description
"""
DELETE_UNUSED_ACTORS = """
DELETE FROM actors WHERE id NOT IN (SELECT value FROM json_each(?))
AND id NOT IN (SELECT actor_id FROM paragraph_actors)
AND id NOT IN (SELECT affiliation FROM actors WHERE affiliation IS NOT NULL)
"""
ARTICLE_PARAGRAPHS = "SELECT id, position, section, text, actors, topics FROM paragraphs WHERE article_id = ? ORDER BY position"
UPDATE_PARAGRAPH_TAGS = "UPDATE paragraphs SET actors = ?, topics = ? WHERE id = ?"


def schema_sql() -> str:
    """The schema: shipped inside the package, or read from the checkout's schema.sql."""
    packaged = resources.files("ingest") / "schema.sql"
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).parent.parent / "schema.sql").read_text(encoding="utf-8")


def open_database(path: str | Path) -> Database:
    """Open (creating if needed) an ingest database in WAL mode, readers never blocked by the writer."""
    try:
        db = Database(path)
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.enable_wal()
    except sqlite3.DatabaseError as error:
        raise DatabaseError(f"{path}: cannot open as an SQLite database ({error})") from None
    ensure_schema(db)
    return db


def ensure_schema(db: Database) -> None:
    """Apply schema.sql to a new database; refuse one made by a newer version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise DatabaseError(f"database schema is version {version}, newer than this ingest ({SCHEMA_VERSION}); upgrade ingest")
    if version == 0 and db.table_names() and "articles" not in db.table_names():
        raise DatabaseError("database has tables but is not an ingest database; choose another --db")
    if version < SCHEMA_VERSION:
        db.executescript(schema_sql())


@contextlib.contextmanager
def write_transaction(db: Database) -> Iterator[None]:
    """BEGIN IMMEDIATE ... COMMIT: all of it or nothing, and no other writer in between."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        db.rollback()
        raise
    db.commit()


def sync_gazetteer(db: Database, gazetteer: Gazetteer) -> None:
    """Write the gazetteer's actors and topics into their tables."""
    actor_rows = [
        (
            a.id,
            a.name,
            a.type,
            json.dumps(list(a.aliases), ensure_ascii=False),
            a.wikipedia or None,
            a.wikidata or None,
            a.affiliation or None,
        )
        for a in gazetteer.actors
    ]
    with write_transaction(db):
        db.conn.executemany(UPSERT_ACTOR, actor_rows)
        db.conn.executemany(UPSERT_TOPIC, [(t.id, t.name, t.description) for t in gazetteer.topics])


def content_hash(article: Article, paragraphs: Iterable[Paragraph]) -> str:
    """Hash everything stored of an article but its tags: an equal hash is an unchanged copy."""
    metadata = [article.title, article.source, article.url, article.published, article.author, list(article.guessed)]
    content = [metadata, [(p.section, p.text) for p in paragraphs]]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def known_content_hashes(db: Database) -> frozenset[str]:
    """The content hashes of every stored article, to skip unchanged files before tagging them."""
    return frozenset(row[0] for row in db.execute("SELECT content_hash FROM articles"))


def title_key(title: str) -> str:
    return "".join(ch for ch in title.casefold() if ch.isalnum())


@dataclass
class _PendingRows:
    paragraphs: list[tuple]
    paragraph_actors: list[tuple]
    paragraph_topics: list[tuple]
    mentions: list[tuple]


class ArticleWriter:
    """Saves tagged articles in batches: one transaction a batch, multi-row inserts."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.actor_names = dict(db.execute("SELECT id, name FROM actors").fetchall())
        self.pending = _PendingRows([], [], [], [])
        self.next_paragraph_id = 0

    def save_batch(self, batch: Sequence[TaggedArticle]) -> list[str]:
        """Save articles all together or not at all; say of each whether it was new, updated or unchanged."""
        with write_transaction(self.db):
            self.next_paragraph_id = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM paragraphs").fetchone()[0]
            statuses = [self._save(tagged) for tagged in batch]
            self._flush()
        return statuses

    def _save(self, tagged: TaggedArticle) -> str:
        article = tagged.article
        digest = content_hash(article, (item.paragraph for item in tagged.paragraphs))
        existing = self._find(tagged)
        if existing and existing[1] == digest:
            return UNCHANGED
        values = (
            article.title, title_key(article.title), article.source, article.url, article.published, article.author,
            article.path, digest, json.dumps(list(article.guessed)), len(tagged.paragraphs), _now(),
        )  # fmt: skip
        if existing:
            self._flush()  # the old version's rows may still be pending in this batch
            self._delete_paragraphs(existing[0])
            self.db.execute(UPDATE_ARTICLE, (*values, existing[0]))
            article_id, status = existing[0], UPDATED
        else:
            article_id, status = self.db.execute(INSERT_ARTICLE, values).lastrowid, NEW
        for tagged_paragraph in tagged.paragraphs:
            self._queue_paragraph(article_id, tagged, tagged_paragraph)
        return status

    def _find(self, tagged: TaggedArticle) -> tuple[int, str] | None:
        article = tagged.article
        if article.url:
            return self.db.execute(FIND_ARTICLE_BY_URL, (article.url,)).fetchone()
        return self.db.execute(FIND_ARTICLE_BY_TITLE, (article.source, title_key(article.title))).fetchone()

    def _delete_paragraphs(self, article_id: int) -> None:
        for table in TAG_TABLES:
            self.db.execute(DELETE_ARTICLE_TAGS.format(table=table), (article_id,))
        self.db.execute("DELETE FROM paragraphs WHERE article_id = ?", (article_id,))

    def _queue_paragraph(self, article_id: int, tagged: TaggedArticle, item: TaggedParagraph) -> None:
        paragraph_id = self.next_paragraph_id
        self.next_paragraph_id += 1
        paragraph, article = item.paragraph, tagged.article
        actors_json, topics_json = tag_arrays(item, self.actor_names)
        self.pending.paragraphs.append(
            (
                paragraph_id,
                article_id,
                paragraph.position,
                paragraph.section,
                paragraph.text,
                actors_json,
                topics_json,
                article.source,
                article.published,
            )
        )
        self.pending.paragraph_actors.extend(_actor_rows(paragraph_id, item))
        self.pending.paragraph_topics.extend(_topic_rows(paragraph_id, item))
        self.pending.mentions.extend(_mention_rows(paragraph_id, item))

    def _flush(self) -> None:
        insert_rows(self.db, "paragraphs", PARAGRAPH_COLUMNS, self.pending.paragraphs)
        write_tags(self.db, self.pending.paragraph_actors, self.pending.paragraph_topics, self.pending.mentions)
        self.pending = _PendingRows([], [], [], [])


def tag_arrays(item: TaggedParagraph, actor_names: dict[str, str]) -> tuple[str, str]:
    """The JSON arrays kept on each paragraph: actor names by first mention, topic ids best first."""
    actors = [actor_names[actor_id] for actor_id in item.actor_ids]
    topics = [tag.topic_id for tag in item.topics]
    return json.dumps(actors, ensure_ascii=False), json.dumps(topics)


def _actor_rows(paragraph_id: int, item: TaggedParagraph) -> list[tuple]:
    counts: dict[str, int] = {}
    for mention in item.mentions:
        counts[mention.actor_id] = counts.get(mention.actor_id, 0) + 1
    return [(paragraph_id, actor_id, count) for actor_id, count in counts.items()]


def _topic_rows(paragraph_id: int, item: TaggedParagraph) -> list[tuple]:
    return [
        (paragraph_id, tag.topic_id, rank, round(tag.score, 3), json.dumps(list(tag.evidence), ensure_ascii=False))
        for rank, tag in enumerate(item.topics, start=1)
    ]


def _mention_rows(paragraph_id: int, item: TaggedParagraph) -> list[tuple]:
    return [(paragraph_id, m.start, m.end, m.actor_id, m.surface) for m in item.mentions]


def write_tags(db: Database, actor_rows: list[tuple], topic_rows: list[tuple], mention_rows: list[tuple]) -> None:
    # No FTS on these tables: executemany's C loop beats building multi-row statements.
    db.conn.executemany(INSERT_PARAGRAPH_ACTOR, actor_rows)
    db.conn.executemany(INSERT_PARAGRAPH_TOPIC, topic_rows)
    db.conn.executemany(INSERT_MENTION, mention_rows)


def insert_rows(db: Database, table: str, columns: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert rows many to a statement. Table and column names are this module's constants, never input."""
    row_placeholder = "(" + ", ".join("?" for _ in columns) + ")"
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        chunk = rows[start : start + ROWS_PER_STATEMENT]
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES " + ", ".join(row_placeholder for _ in chunk)
        db.execute(sql, [value for row in chunk for value in row])


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class RetagReport:
    articles: int
    paragraphs: int
    changed: int


def retag(
    db: Database,
    gazetteer: Gazetteer,
    tag_paragraphs: Callable[[Sequence[Paragraph]], tuple[TaggedParagraph, ...]],
    articles_per_transaction: int = 200,
) -> RetagReport:
    """Tag every stored paragraph again with the current gazetteer, without re-reading any file."""
    sync_gazetteer(db, gazetteer)
    actor_names = dict(db.execute("SELECT id, name FROM actors").fetchall())
    article_ids = [row[0] for row in db.execute("SELECT id FROM articles ORDER BY id").fetchall()]
    paragraphs = changed = 0
    for start in range(0, len(article_ids), articles_per_transaction):
        with write_transaction(db):
            for article_id in article_ids[start : start + articles_per_transaction]:
                counted, altered = _retag_article(db, article_id, tag_paragraphs, actor_names)
                paragraphs, changed = paragraphs + counted, changed + altered
    keep = json.dumps([actor.id for actor in gazetteer.actors])
    with write_transaction(db):
        db.execute(DELETE_UNUSED_ACTORS, (keep,))
    return RetagReport(articles=len(article_ids), paragraphs=paragraphs, changed=changed)


def _retag_article(db: Database, article_id: int, tag_paragraphs: Callable, actor_names: dict[str, str]) -> tuple[int, int]:
    rows = db.execute(ARTICLE_PARAGRAPHS, (article_id,)).fetchall()
    tagged = tag_paragraphs([Paragraph(position, section, text) for _, position, section, text, _, _ in rows])
    for table in TAG_TABLES:
        db.execute(DELETE_ARTICLE_TAGS.format(table=table), (article_id,))
    changed, actor_rows, topic_rows, mention_rows = 0, [], [], []
    for (paragraph_id, *_, old_actors, old_topics), item in zip(rows, tagged, strict=True):
        arrays = tag_arrays(item, actor_names)
        if arrays != (old_actors, old_topics):
            db.execute(UPDATE_PARAGRAPH_TAGS, (*arrays, paragraph_id))
            changed += 1
        actor_rows += _actor_rows(paragraph_id, item)
        topic_rows += _topic_rows(paragraph_id, item)
        mention_rows += _mention_rows(paragraph_id, item)
    write_tags(db, actor_rows, topic_rows, mention_rows)
    return len(rows), changed
