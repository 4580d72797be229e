"""Crash safety and concurrent use, tested for real: killed ingests, readers during a write, check and rebuild."""

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from datasette.app import Datasette
from sqlite_utils import Database

from benchmarks.corpus import write_corpus
from ingest.database import open_database
from ingest.store import check_store

from .conftest import ROOT
from .test_cli import run

CORPUS_PARAGRAPHS = 20_000
MAX_KILLS = 8


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A few thousand generated articles."""
    folder = tmp_path_factory.mktemp("corpus")
    files = write_corpus(folder, CORPUS_PARAGRAPHS)
    assert files > 2000
    return folder


def start_ingest(corpus, db_path):
    """`ingest add` in its own process group, so that a kill reaches its workers too."""
    command = [sys.executable, "-m", "ingest", "add", str(corpus), "--db", str(db_path), "--quiet", "--workers", "2"]
    return subprocess.Popen(command, cwd=ROOT, start_new_session=True, stderr=subprocess.PIPE)


def contents(db_path):
    """Everything stored but the time of ingest."""
    db = Database(db_path)
    queries = {
        "articles": "SELECT id, title, source, path, content_hash, text_hash, paragraph_count FROM articles ORDER BY id",
        "paragraphs": "SELECT id, article_id, position, section, text, actors, topics FROM paragraphs ORDER BY id",
        "mentions": "SELECT * FROM mentions ORDER BY paragraph_id, char_start",
        "paragraph_topics": "SELECT * FROM paragraph_topics ORDER BY paragraph_id, topic_id",
        "candidates": "SELECT * FROM candidates ORDER BY name",
    }
    return {name: db.execute(sql).fetchall() for name, sql in queries.items()}


def assert_whole(db_path):
    """After a kill: SQLite and FTS5 intact, and every stored article whole."""
    db = Database(db_path)
    assert db.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    db.execute("INSERT INTO paragraphs_fts(paragraphs_fts, rank) VALUES ('integrity-check', 1)")
    partial = db.execute(
        "SELECT count(*) FROM articles WHERE paragraph_count != (SELECT count(*) FROM paragraphs WHERE article_id = articles.id)"
    ).fetchone()
    assert partial == (0,)
    # the derived counts change in the same transactions as the rows: nothing waits for the next run
    assert check_store(db) == []


def test_an_ingest_killed_again_and_again_resumes_to_what_an_uninterrupted_run_stores(corpus, tmp_path):
    clean, killed = tmp_path / "clean.db", tmp_path / "killed.db"
    started = time.monotonic()
    assert start_ingest(corpus, clean).wait() == 0
    duration = time.monotonic() - started
    assert check_store(Database(clean)) == []
    total = Database(clean).execute("SELECT count(*) FROM articles").fetchone()[0]
    chances = random.Random(7)
    kills, stored_after_kills = 0, [0]
    while kills < MAX_KILLS:
        process = start_ingest(corpus, killed)
        # kills land anywhere in a run, from its start-up to its last batches; a resumed run has less to do
        remaining = 1 - stored_after_kills[-1] / total
        time.sleep(chances.uniform(0.3, 0.9) * duration * max(remaining, 0.3))
        if process.poll() is not None:
            break  # it finished before the kill: the resumed run is complete
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        kills += 1
        assert_whole(killed)
        stored_after_kills.append(Database(killed).execute("SELECT count(*) FROM articles").fetchone()[0])
    else:
        process = start_ingest(corpus, killed)  # enough kills: one run to the end
    assert process.wait() == 0, process.stderr.read()
    assert kills >= 3, "the runs finished before enough kills landed"
    assert stored_after_kills == sorted(stored_after_kills)
    assert stored_after_kills[1] < stored_after_kills[-1] or kills == 1
    assert contents(killed) == contents(clean)
    assert check_store(Database(killed)) == []
    print(f"{kills} kills survived; articles stored after each: {stored_after_kills}")


async def test_readers_are_served_while_an_ingest_writes(corpus, tmp_path):
    db_path = tmp_path / "articles.db"  # served at /articles/, as metadata.json names it
    open_database(db_path).conn.close()
    metadata = json.loads((ROOT / "metadata.json").read_text())
    datasette = Datasette([str(db_path)], metadata=metadata)
    paths = [
        "/articles/paragraphs.json?_search=Houthis&_shape=array",
        "/articles/paragraphs.json?_facet_array=actors&_size=5",
        "/articles/search.json?q=militia&_shape=array",
        "/articles/actors_together.json?actor=Iran&other_actor=Hezbollah&_shape=array",
        "/articles/paragraphs?_search=Iraq",
        "/articles/candidates.json",
        "/articles.json?sql=select+count(*)+from+paragraphs",
    ]
    process = start_ingest(corpus, db_path)
    statuses, served_while_writing = [], 0
    while process.poll() is None:
        responses = await asyncio.gather(*(datasette.client.get(path) for path in paths))
        statuses += [(r.status_code, "locked" in r.text) for r in responses]
        served_while_writing += len(responses)
    assert process.wait() == 0
    assert served_while_writing >= 50
    assert set(statuses) == {(200, False)}
    assert check_store(Database(db_path)) == []
    print(f"{served_while_writing} requests served during the write, all 200")


def test_check_names_what_is_wrong_and_rebuild_repairs_it(db_path):
    run("add", ROOT / "samples", "--db", db_path)
    assert run("check", "--db", db_path)[:2] == (
        0,
        f"ok: {db_path}: 1 articles, 18 paragraphs, 144 mentions, 44 paragraph topics, 4 candidates\n",
    )
    db = Database(db_path)
    db.execute("DELETE FROM paragraphs_fts WHERE rowid = 3")  # an index that no longer matches its table
    db.execute("UPDATE paragraphs SET actors = '[]' WHERE id = 5")
    db.execute("DELETE FROM paragraph_topics WHERE paragraph_id = 6")
    db.execute("UPDATE articles SET paragraph_count = 17")
    db.conn.commit()
    code, stdout, _ = run("check", "--db", db_path)
    assert code == 1
    assert stdout.splitlines() == [
        "problem: full-text index out of sync with paragraphs (database disk image is malformed; run ingest rebuild)",
        "problem: 1 paragraphs whose actors array disagrees with the mentions",
        "problem: 1 paragraphs whose topics array disagrees with paragraph_topics",
        "problem: 1 articles whose paragraph_count is not their number of paragraphs",
        "problem: 1 articles whose paragraphs are not numbered 1 to paragraph_count",
        "problem: 2 facet_counts rows that disagree with a recount (run ingest rebuild)",
        "problem: 9 actor_topics rows that disagree with a recount (run ingest rebuild)",
    ]
    assert run("rebuild", "--db", db_path) == (
        0,
        "",
        "1 actors arrays rewritten\n1 topics arrays rewritten\n1 paragraph counts corrected\nfull-text index and counts rebuilt\n",
    )
    assert run("check", "--db", db_path)[0] == 0


def test_check_of_a_missing_database_is_one_line(tmp_path):
    code, _, stderr = run("check", "--db", tmp_path / "none.db")
    assert code == 2 and "does not exist" in stderr
