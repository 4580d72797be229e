"""Saving articles and re-tagging them: the writes of ingest."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlite_utils import Database

from .database import mark_candidates_due, refresh_candidates, write_transaction
from .gazetteer import Gazetteer
from .models import Article, Paragraph, TaggedArticle, TaggedParagraph

# Rows per multi-row INSERT: FTS5 flushes once per statement, so more rows per
# statement is faster; 9 columns x 1000 rows stays far below SQLite's
# 32,766 bound parameters.
ROWS_PER_STATEMENT = 1000

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"
PLAIN_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})

FIND_ARTICLE_BY_URL = "SELECT id, content_hash FROM articles WHERE url = ?"
FIND_ARTICLE_BY_TEXT = "SELECT id FROM articles WHERE text_hash = ? LIMIT 1"
FIND_ARTICLE_BY_TITLE = """
SELECT id, content_hash FROM articles
WHERE url IS NULL AND coalesce(source, '') = coalesce(?, '') AND title_key = ?
"""
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
DELETE_ARTICLE_TAGS = """
DELETE FROM {table} WHERE paragraph_id IN (SELECT id FROM paragraphs WHERE article_id = ?)
"""
TAG_TABLES = ("mentions", "paragraph_actors", "paragraph_topics", "candidate_mentions")
PARAGRAPH_COLUMNS = ("id", "article_id", "position", "section", "text", "actors", "topics", "source", "published")
INSERT_PARAGRAPH_ACTOR = "INSERT INTO paragraph_actors (paragraph_id, actor_id, mentions) VALUES (?, ?, ?)"
INSERT_PARAGRAPH_TOPIC = "INSERT INTO paragraph_topics (paragraph_id, topic_id, rank, score, evidence) VALUES (?, ?, ?, ?, ?)"
INSERT_MENTION = "INSERT INTO mentions (paragraph_id, char_start, char_end, actor_id, surface) VALUES (?, ?, ?, ?, ?)"
INSERT_CANDIDATE_MENTION = "INSERT INTO candidate_mentions (paragraph_id, char_start, char_end, name, kind) VALUES (?, ?, ?, ?, ?)"
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


def text_hash(paragraphs: Iterable[Paragraph]) -> str:
    """Hash the paragraph text alone, case, spacing and quote style folded: the same article from another format or title."""
    folded = "\n".join(" ".join(p.text.casefold().translate(PLAIN_QUOTES).split()) for p in paragraphs)
    return hashlib.sha256(folded.encode()).hexdigest()


def known_content_hashes(db: Database) -> frozenset[str]:
    """The content hashes of every stored article, to skip unchanged files before tagging them."""
    return frozenset(row[0] for row in db.execute("SELECT content_hash FROM articles"))


def title_key(title: str) -> str:
    return "".join(ch for ch in title.casefold() if ch.isalnum())


@dataclass(frozen=True)
class TagRows:
    """Paragraphs' tags as table rows. Each tag row starts with its paragraph's index in the list,
    which the writer turns into the paragraph's id."""

    arrays: tuple[tuple[str, str], ...]
    actors: tuple[tuple, ...]
    topics: tuple[tuple, ...]
    mentions: tuple[tuple, ...]
    candidates: tuple[tuple, ...]


@dataclass(frozen=True)
class ArticleRows:
    """An article as the rows it becomes, built where it was tagged (in a worker process)."""

    article: Article
    content_hash: str
    text_hash: str
    paragraphs: tuple[Paragraph, ...]
    tags: TagRows


def article_rows(tagged: TaggedArticle, actor_names: dict[str, str], digest: str | None = None) -> ArticleRows:
    """The rows of a tagged article; `digest` is its content hash when the caller has it already."""
    paragraphs = tuple(item.paragraph for item in tagged.paragraphs)
    digest = digest or content_hash(tagged.article, paragraphs)
    return ArticleRows(tagged.article, digest, text_hash(paragraphs), paragraphs, tag_rows(tagged.paragraphs, actor_names))


def tag_rows(items: Sequence[TaggedParagraph], actor_names: dict[str, str]) -> TagRows:
    """The JSON arrays kept on each paragraph (actor names by first mention, topic ids best first) and the join rows."""
    arrays, actors, topics, mentions, candidates = [], [], [], [], []
    for index, item in enumerate(items):
        arrays.append(
            (json.dumps([actor_names[a] for a in item.actor_ids], ensure_ascii=False), json.dumps([t.topic_id for t in item.topics]))
        )
        counts = Counter(m.actor_id for m in item.mentions)
        actors += [(index, actor_id, count) for actor_id, count in counts.items()]
        topics += [
            (index, tag.topic_id, rank, round(tag.score, 3), json.dumps(list(tag.evidence), ensure_ascii=False))
            for rank, tag in enumerate(item.topics, start=1)
        ]
        mentions += [(index, m.start, m.end, m.actor_id, m.surface) for m in item.mentions]
        candidates += [(index, c.start, c.end, c.name, c.kind or None) for c in item.candidates]
    return TagRows(tuple(arrays), tuple(actors), tuple(topics), tuple(mentions), tuple(candidates))


@dataclass
class _PendingRows:
    paragraphs: list[tuple] = field(default_factory=list)
    actors: list[tuple] = field(default_factory=list)
    topics: list[tuple] = field(default_factory=list)
    mentions: list[tuple] = field(default_factory=list)
    candidates: list[tuple] = field(default_factory=list)

    def add_tags(self, paragraph_ids: Sequence[int], tags: TagRows) -> None:
        for pending, rows in (
            (self.actors, tags.actors),
            (self.topics, tags.topics),
            (self.mentions, tags.mentions),
            (self.candidates, tags.candidates),
        ):
            pending.extend((paragraph_ids[row[0]], *row[1:]) for row in rows)

    def write_tags(self, db: Database) -> None:
        # No FTS on these tables: executemany's C loop beats building multi-row statements.
        db.conn.executemany(INSERT_PARAGRAPH_ACTOR, self.actors)
        db.conn.executemany(INSERT_PARAGRAPH_TOPIC, self.topics)
        db.conn.executemany(INSERT_MENTION, self.mentions)
        db.conn.executemany(INSERT_CANDIDATE_MENTION, self.candidates)


class ArticleWriter:
    """Saves articles in batches: one transaction a batch, paragraphs many to a statement."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.pending = _PendingRows()
        self.next_paragraph_id = 0

    def save_batch(self, batch: Sequence[ArticleRows]) -> list[str]:
        """Save articles all together or not at all; say of each whether it was new, updated or unchanged."""
        with write_transaction(self.db):
            self.next_paragraph_id = self.db.execute("SELECT coalesce(max(id), 0) + 1 FROM paragraphs").fetchone()[0]
            statuses = [self._save(rows) for rows in batch]
            self._flush()
            if any(status != UNCHANGED for status in statuses):
                mark_candidates_due(self.db)
        return statuses

    def _save(self, rows: ArticleRows) -> str:
        article = rows.article
        existing = self._find(rows)
        if (existing and existing[1] == rows.content_hash) or (not existing and self._is_stored_text(rows)):
            return UNCHANGED
        values = (
            article.title, title_key(article.title), article.source, article.url, article.published, article.author,
            article.path, rows.content_hash, json.dumps(list(article.guessed)), len(rows.paragraphs), _now(),
            article.format, rows.text_hash,
        )  # fmt: skip
        if existing:
            self._flush()  # the old version's rows may still be pending in this batch
            self._delete_paragraphs(existing[0])
            self.db.execute(UPDATE_ARTICLE, (*values, existing[0]))
            article_id, status = existing[0], UPDATED
        else:
            article_id, status = self.db.execute(INSERT_ARTICLE, values).lastrowid, NEW
        ids = range(self.next_paragraph_id, self.next_paragraph_id + len(rows.paragraphs))
        self.next_paragraph_id += len(rows.paragraphs)
        self.pending.paragraphs.extend(
            (paragraph_id, article_id, p.position, p.section, p.text, *arrays, article.source, article.published)
            for paragraph_id, p, arrays in zip(ids, rows.paragraphs, rows.tags.arrays, strict=True)
        )
        self.pending.add_tags(ids, rows.tags)
        return status

    def _find(self, rows: ArticleRows) -> tuple[int, str] | None:
        """The stored article this one is a version of: the same URL, or with no URL the same source and title."""
        article = rows.article
        if article.url:
            return self.db.execute(FIND_ARTICLE_BY_URL, (article.url,)).fetchone()
        return self.db.execute(FIND_ARTICLE_BY_TITLE, (article.source, title_key(article.title))).fetchone()

    def _is_stored_text(self, rows: ArticleRows) -> bool:
        """Another copy of a stored article's text (another format, title or site): the first one stored stays."""
        return self.db.execute(FIND_ARTICLE_BY_TEXT, (rows.text_hash,)).fetchone() is not None

    def _delete_paragraphs(self, article_id: int) -> None:
        for table in TAG_TABLES:
            self.db.execute(DELETE_ARTICLE_TAGS.format(table=table), (article_id,))
        self.db.execute("DELETE FROM paragraphs WHERE article_id = ?", (article_id,))

    def _flush(self) -> None:
        insert_rows(self.db, "paragraphs", PARAGRAPH_COLUMNS, self.pending.paragraphs)
        self.pending.write_tags(self.db)
        self.pending = _PendingRows()


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
            mark_candidates_due(db)
    keep = json.dumps([actor.id for actor in gazetteer.actors])
    with write_transaction(db):
        db.execute(DELETE_UNUSED_ACTORS, (keep,))
    refresh_candidates(db)
    return RetagReport(articles=len(article_ids), paragraphs=paragraphs, changed=changed)


def _retag_article(db: Database, article_id: int, tag_paragraphs: Callable, actor_names: dict[str, str]) -> tuple[int, int]:
    rows = db.execute(ARTICLE_PARAGRAPHS, (article_id,)).fetchall()
    tags = tag_rows(tag_paragraphs([Paragraph(position, section, text) for _, position, section, text, _, _ in rows]), actor_names)
    for table in TAG_TABLES:
        db.execute(DELETE_ARTICLE_TAGS.format(table=table), (article_id,))
    changed = [(*arrays, row[0]) for row, arrays in zip(rows, tags.arrays, strict=True) if arrays != tuple(row[4:6])]
    db.conn.executemany(UPDATE_PARAGRAPH_TAGS, changed)
    pending = _PendingRows()
    pending.add_tags([row[0] for row in rows], tags)
    pending.write_tags(db)
    return len(rows), len(changed)
