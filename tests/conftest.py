"""Shared fixtures: the real sample, the shipped gazetteer, real databases and the real Datasette app."""

import json
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


@pytest.fixture(scope="session")
def sample_db_path(tmp_path_factory, actors, rules):
    """A database file built from the bundled sample, as the main README command builds it."""
    path = tmp_path_factory.mktemp("published") / "articles.db"
    add_paths(open_database(path), [ROOT / "samples"], actors, rules, workers=1)
    assert_sound(Database(path))
    return path


@pytest.fixture(scope="session")
def datasette(sample_db_path):
    """The real Datasette app with the real metadata.json, serving the sample at /articles/."""
    metadata = json.loads((ROOT / "metadata.json").read_text())
    return Datasette([str(sample_db_path)], metadata=metadata)


@pytest.fixture(scope="session")
def corpus_db_path(tmp_path_factory, actors, rules):
    """A store of about 3,000 paragraphs from the generated corpus (benchmarks/corpus.py): dated, several sources."""
    from benchmarks.corpus import write_corpus

    folder = tmp_path_factory.mktemp("corpus")
    (folder / "articles").mkdir()
    write_corpus(folder / "articles", 3000)
    path = folder / "articles.db"
    add_paths(open_database(path), [folder / "articles"], actors, rules, workers=1)
    assert_sound(Database(path))
    return path


@pytest.fixture(scope="session")
def desk(corpus_db_path):
    """The real Datasette app with the real metadata.json, serving the generated corpus at /articles/."""
    metadata = json.loads((ROOT / "metadata.json").read_text())
    return Datasette([str(corpus_db_path)], metadata=metadata)
