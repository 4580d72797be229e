"""The database itself: schema and migrations, opening, transactions, and checking and rebuilding what is derived."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

from sqlite_utils import Database

from .errors import DatabaseError

SCHEMA_VERSION = 2
BUSY_TIMEOUT_MS = 30_000
REFRESH_CANDIDATES = """
INSERT INTO candidates (name, kind, paragraphs, articles, examples)
SELECT
    name,
    (SELECT kind FROM candidate_mentions AS seen WHERE seen.name = named.name AND kind IS NOT NULL
     GROUP BY kind ORDER BY count(*) DESC, kind LIMIT 1),
    count(DISTINCT paragraph_id),
    count(DISTINCT paragraphs.article_id),
    (SELECT json_group_array(paragraph_id) FROM
        (SELECT DISTINCT paragraph_id FROM candidate_mentions AS seen WHERE seen.name = named.name ORDER BY paragraph_id LIMIT 3))
FROM candidate_mentions AS named
JOIN paragraphs ON paragraphs.id = named.paragraph_id
GROUP BY name
"""


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
    """Apply schema.sql to a new database, migrate an older one; refuse one made by a newer version."""
    version = db.execute("PRAGMA user_version").fetchone()[0]
    if version > SCHEMA_VERSION:
        raise DatabaseError(f"database schema is version {version}, newer than this ingest ({SCHEMA_VERSION}); upgrade ingest")
    if version == 0 and db.table_names() and "articles" not in db.table_names():
        raise DatabaseError("database has tables but is not an ingest database; choose another --db")
    if version < SCHEMA_VERSION:
        steps = migrations(version) if version else []
        # One transaction: an upgrade stopped half way leaves the old version whole.
        script = "\n".join(["BEGIN IMMEDIATE;", *steps, schema_sql(), "COMMIT;"])
        try:
            db.conn.executescript(script)
        except sqlite3.Error as error:
            db.conn.rollback()
            raise DatabaseError(f"cannot upgrade the database from schema version {version}: {error}") from None


def migrations(version: int) -> list[str]:
    """The SQL that brings a database at `version` to the current schema, before schema.sql runs.

    ingest/migrations/NNNN.sql takes a database from version NNNN-1 to NNNN;
    a version that only adds tables, indexes or views has no file.
    """
    folder = resources.files("ingest") / "migrations"
    scripts = (folder / f"{step:04d}.sql" for step in range(version + 1, SCHEMA_VERSION + 1))
    return [script.read_text(encoding="utf-8") for script in scripts if script.is_file()]


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


def refresh_candidates(db: Database) -> None:
    """Count the unknown names again, after their mentions changed."""
    with write_transaction(db):
        _refresh_candidates(db)


def _refresh_candidates(db: Database) -> None:
    db.execute("DELETE FROM candidates")
    db.execute(REFRESH_CANDIDATES)
    db.execute("DELETE FROM refresh_due WHERE derived_table = 'candidates'")


def mark_candidates_due(db: Database) -> None:
    """Inside a write that changed candidate_mentions: the candidates table needs counting again."""
    db.execute("INSERT OR IGNORE INTO refresh_due (derived_table) VALUES ('candidates')")


def candidates_due(db: Database) -> bool:
    return db.execute("SELECT 1 FROM refresh_due WHERE derived_table = 'candidates'").fetchone() is not None


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
    (
        "derived table not refreshed since the last write (an ingest stopped early; run ingest add again or ingest rebuild)",
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


SUMMARY_TABLES = ("articles", "paragraphs", "mentions", "paragraph_topics", "candidates")

# What `rebuild` repairs, in order: what it says, and the statement that does it.
REPAIRS = (
    *(
        (f"{table} rows of no paragraph deleted", f"DELETE FROM {table} WHERE paragraph_id NOT IN (SELECT id FROM paragraphs)")
        for table in ("paragraph_actors", "paragraph_topics", "mentions", "candidate_mentions")
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
        """INSERT INTO paragraph_actors (paragraph_id, actor_id, mentions)
           SELECT paragraph_id, actor_id, count(*) FROM mentions GROUP BY paragraph_id, actor_id
           EXCEPT SELECT paragraph_id, actor_id, mentions FROM paragraph_actors""",
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


def rebuild_database(db: Database) -> list[str]:
    """Repair what can be derived (full-text index, tag arrays and counts, candidates), in one transaction; say what changed."""
    done = []
    with write_transaction(db):
        for message, sql in REPAIRS:
            changed = db.execute(sql).rowcount
            if changed > 0:
                done.append(f"{changed} {message}")
        db.execute("INSERT INTO paragraphs_fts(paragraphs_fts) VALUES ('rebuild')")
        _refresh_candidates(db)
    return [*done, "full-text index and candidates rebuilt"]


def summary(db: Database) -> str:
    """How much a database holds, in words."""
    counts = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in SUMMARY_TABLES}
    return ", ".join(f"{count:,} {table.replace('_', ' ')}" for table, count in counts.items())
