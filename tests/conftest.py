"""Shared fixtures: the real sample, the shipped gazetteer, real databases and the real Datasette app."""

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from datasette.app import Datasette
from sqlite_utils import Database

from ingest.database import SCHEMA_VERSION, ensure_schema, open_database
from ingest.gazetteer import load_actors, load_topic_rules
from ingest.pipeline import add_paths
from ingest.store import check_store
from ingest.tag import Tagger

ROOT = Path(__file__).parent.parent
SAMPLE = ROOT / "samples" / "vox-iraq-coalition-withdrawal.txt"
SEED_GOLD = ROOT / "gold" / "seed.json"
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def actors():
    return load_actors()


@pytest.fixture(scope="session")
def rules(actors):
    return load_topic_rules(actors=actors)


@pytest.fixture(scope="session")
def tagger(actors, rules):
    return Tagger(actors, rules)


@pytest.fixture(scope="session")
def seed():
    return json.loads(SEED_GOLD.read_text())["articles"][0]


def assert_sound(database):
    """`ingest check` passes: every database a test builds is checked when the test ends."""
    if database.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION:
        assert check_store(database) == []


@pytest.fixture
def db():
    """An empty in-memory database with the schema applied."""
    database = Database(memory=True)
    ensure_schema(database)
    yield database
    assert_sound(database)


@pytest.fixture
def db_path(tmp_path):
    path = tmp_path / "articles.db"
    yield path
    if path.exists():
        assert_sound(Database(path))


def built_store(folder: Path, sources: list[Path], actors, rules) -> Path:
    """`ingest add` of the sources into folder/articles.db (served at /articles/), checked."""
    path = folder / "articles.db"
    add_paths(open_database(path), sources, actors, rules, workers=1)
    assert_sound(Database(path))
    return path


def datasette_for(path: Path) -> Datasette:
    """The real Datasette app with the real metadata.json."""
    return Datasette([str(path)], metadata=json.loads((ROOT / "metadata.json").read_text()))


@contextmanager
def served(path: Path) -> Iterator[str]:
    """The database served as `make run` serves it, on a free loopback port (a real server: a browser needs one)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    command = [sys.executable, "-m", "datasette", "serve", str(path), "--metadata", str(ROOT / "metadata.json")]
    command += ["--host", "127.0.0.1", "--port", str(port), "--setting", "sql_time_limit_ms", "1000", "--setting", "suggest_facets", "off"]
    server = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory, actors, rules):
    """A database file built from the bundled sample, as the main README command builds it."""
    return built_store(tmp_path_factory.mktemp("published"), [ROOT / "samples"], actors, rules)


@pytest.fixture(scope="session")
def datasette(sample_db_path):
    """The real Datasette app serving the sample at /articles/."""
    return datasette_for(sample_db_path)


@pytest.fixture(scope="session")
def corpus_db_path(tmp_path_factory, actors, rules):
    """A store of about 3,000 paragraphs from the generated corpus (benchmarks/corpus.py): dated, several sources."""
    from benchmarks.corpus import write_corpus

    folder = tmp_path_factory.mktemp("corpus")
    (folder / "articles").mkdir()
    write_corpus(folder / "articles", 3000)
    return built_store(folder, [folder / "articles"], actors, rules)


@pytest.fixture(scope="session")
def desk(corpus_db_path):
    """The real Datasette app serving the generated corpus at /articles/."""
    return datasette_for(corpus_db_path)
