"""The database file: opening it, its schema and the migrations that bring an older one up to date."""

from __future__ import annotations

import sqlite3
from importlib import resources
from pathlib import Path

from sqlite_utils import Database

from .errors import DatabaseError

SCHEMA_VERSION = 3
BUSY_TIMEOUT_MS = 30_000


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


SUMMARY_TABLES = ("articles", "paragraphs", "mentions", "paragraph_topics", "candidates")


def summary(db: Database) -> str:
    """How much a database holds, in words."""
    counts = {table: db.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in SUMMARY_TABLES}
    return ", ".join(f"{count:,} {table.replace('_', ' ')}" for table, count in counts.items())
