import dataclasses
import json

import pytest
from sqlite_utils import Database

from ingest.database import SCHEMA_VERSION, ensure_schema, open_database
from ingest.errors import DatabaseError
from ingest.models import Actor
from ingest.pipeline import retag_database, tag_article_file
from ingest.store import Writer, check_store, rebuild_store, refresh_due, sync_gazetteer

from .conftest import FIXTURES, SAMPLE


@pytest.fixture
def sample(tagger):
    return tag_article_file(SAMPLE, tagger)


@pytest.fixture
def file_db(db_path, actors, rules):
    db = open_database(db_path)
    sync_gazetteer(db, actors, rules.topics, {})
    return db


def save(db, *articles):
    """Save articles as `ingest add` does: a batch, then the run finished."""
    writer = Writer(db)
    statuses = writer.save(articles)
    writer.finish()
    return [status.value for status in statuses]


def rows(db, sql, params=()):
    return db.execute(sql, params).fetchall()


def assert_consistent(db):
    """FTS in sync, no orphan tags, JSON arrays agreeing with the join tables, offsets pointing at surfaces."""
    assert rows(db, "INSERT INTO paragraphs_fts(paragraphs_fts, rank) VALUES ('integrity-check', 1)") == []
    assert rows(db, "PRAGMA integrity_check") == [("ok",)]
    for table in ("mentions", "paragraph_actors", "paragraph_topics", "candidate_mentions"):
        assert rows(db, f"SELECT count(*) FROM {table} WHERE paragraph_id NOT IN (SELECT id FROM paragraphs)") == [(0,)]
    for paragraph_id, text, actors in rows(db, "SELECT id, text, actors FROM paragraphs"):
        joined = {
            name
            for (name,) in rows(
                db, "SELECT name FROM paragraph_actors JOIN actors ON id = actor_id WHERE paragraph_id = ?", (paragraph_id,)
            )
        }
        assert set(json.loads(actors)) == joined
        for start, end, surface in rows(db, "SELECT char_start, char_end, surface FROM mentions WHERE paragraph_id = ?", (paragraph_id,)):
            assert text[start:end] == surface


def test_sample_is_stored_whole(file_db, sample, seed):
    assert save(file_db, sample) == ["new"]
    assert rows(file_db, "SELECT title, source, url, paragraph_count FROM articles") == [(seed["title"], "Vox", None, 18)]
    stored = rows(file_db, "SELECT position, section, text, source FROM paragraphs ORDER BY position")
    assert stored == [(p["position"], p["section"], p["text"], "Vox") for p in seed["paragraphs"]]
    assert_consistent(file_db)


def test_full_text_index_finds_stemmed_and_unaccented_words(file_db, sample):
    save(file_db, sample)
    match = "SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH ? ORDER BY rowid"
    assert rows(file_db, match, ("taqwa",)) == [(3,), (4,), (5,), (16,)]
    assert rows(file_db, match, ("militia",)) == [(10,)]  # "militias", stemmed
    assert rows(file_db, match, ('"Harakat al-Nujaba"',)) == [(3,), (4,), (5,)]


def test_mentions_explain_each_actor_tag(file_db, sample):
    save(file_db, sample)
    named = rows(
        file_db,
        "SELECT surface FROM mentions JOIN paragraphs ON paragraphs.id = paragraph_id "
        "WHERE position = 3 AND actor_id = (SELECT id FROM actors WHERE name = 'Mushtaq Jawad Kazim al-Jawari')",
    )
    assert [surface for (surface,) in named] == [
        "Mushtaq Jawad Kazim al-Jawari",
        "Abu Taqwa",
        "Abu Taqwa",
        "Mushtaq Taleb al-Saeedi",
        "Abu Taqwa",
        "al-Jawari",
        "Abu Taqwa",
    ]


def test_saving_the_same_content_again_changes_nothing(file_db, sample):
    save(file_db, sample)
    before = rows(file_db, "SELECT * FROM paragraphs")
    assert save(file_db, sample) == ["unchanged"]
    assert rows(file_db, "SELECT * FROM paragraphs") == before
    assert rows(file_db, "SELECT count(*) FROM articles") == [(1,)]


def test_a_new_version_replaces_the_old_paragraphs_and_tags(file_db, sample):
    save(file_db, sample)
    shorter = dataclasses.replace(sample, paragraphs=sample.paragraphs[:-1])
    assert save(file_db, shorter) == ["updated"]
    assert rows(file_db, "SELECT count(*), max(position) FROM paragraphs") == [(17, 17)]
    assert rows(file_db, "SELECT paragraph_count FROM articles") == [(17,)]
    assert rows(file_db, "SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH 'momentum'") == []
    assert_consistent(file_db)


def with_article(tagged, **changes):
    return dataclasses.replace(tagged, article=dataclasses.replace(tagged.article, **changes))


def test_an_article_is_identified_by_url_before_title(file_db, sample):
    first = with_article(sample, url="https://example.org/a")
    other_text = dataclasses.replace(sample, paragraphs=sample.paragraphs[:-1])
    same_title_other_url = with_article(other_text, url="https://example.org/b")
    retitled = with_article(first, title="A new headline")
    assert save(file_db, first, same_title_other_url) == ["new", "new"]
    assert save(file_db, retitled) == ["updated"]
    assert rows(file_db, "SELECT url, title FROM articles ORDER BY id") == [
        ("https://example.org/a", "A new headline"),
        ("https://example.org/b", sample.article.title),
    ]


def test_the_same_text_under_another_title_url_or_source_is_stored_once(file_db, sample):
    assert save(file_db, with_article(sample, url="https://example.org/a")) == ["new"]
    copies = [with_article(sample, url="https://example.org/b"), with_article(sample, title="Another headline", source="Reprints")]
    assert save(file_db, *copies) == ["unchanged", "unchanged"]
    assert rows(file_db, "SELECT url, title FROM articles") == [("https://example.org/a", sample.article.title)]


def test_a_failing_batch_leaves_nothing_behind(file_db, sample):
    file_db.execute(
        "CREATE TRIGGER poison BEFORE INSERT ON paragraphs WHEN new.text LIKE 'POISON%' BEGIN SELECT RAISE(ABORT, 'poisoned'); END"
    )
    poisoned_paragraph = dataclasses.replace(
        sample.paragraphs[0], paragraph=dataclasses.replace(sample.paragraphs[0].paragraph, text="POISON")
    )
    other = dataclasses.replace(sample, article=dataclasses.replace(sample.article, title="Another"), paragraphs=(poisoned_paragraph,))
    with pytest.raises(Exception, match="poisoned"):
        save(file_db, sample, other)
    for table in ("articles", "paragraphs", "mentions", "paragraph_actors", "paragraph_topics"):
        assert rows(file_db, f"SELECT count(*) FROM {table}") == [(0,)]


def test_rows_written_outside_the_writer_are_found_by_check_and_mended_by_rebuild(db):
    db.execute("INSERT INTO articles (id, title, title_key, content_hash, ingested_at) VALUES (1, 't', 't', 'h', 'now')")
    count = 2007
    paragraphs = [(i, i, f"paragraph {i}") for i in range(1, count + 1)]
    with db.atomic():
        db.conn.executemany("INSERT INTO paragraphs (id, article_id, position, text) VALUES (?, 1, ?, ?)", paragraphs)
    assert rows(db, "SELECT count(*) FROM paragraphs_fts WHERE paragraphs_fts MATCH 'paragraph'") == [(count,)]
    assert check_store(db) == [
        "1 articles whose paragraph_count is not their number of paragraphs",
        "1 articles whose paragraphs are not numbered 1 to paragraph_count",
        "4 facet_counts rows that disagree with a recount (run ingest rebuild)",
    ]
    assert rebuild_store(db) == ["1 paragraph counts corrected", "full-text index and counts rebuilt"]
    assert rows(db, "SELECT paragraphs, articles FROM facet_counts WHERE facet = 'store'") == [(count, 1)]


def test_retag_applies_a_gazetteer_edit_without_reingesting(file_db, sample, actors, rules):
    save(file_db, sample)
    portal = Actor("portal-news-test", "Portal", "media")
    report = retag_database(file_db, (*actors, portal), rules, workers=1)
    assert (report.paragraphs, report.changed) == (18, 1)
    assert json.loads(rows(file_db, "SELECT actors FROM paragraphs WHERE position = 2")[0][0])[0] == "Portal"
    assert rows(file_db, "SELECT surface FROM mentions WHERE actor_id = 'portal-news-test'") == [("Portal",)]
    assert_consistent(file_db)
    report = retag_database(file_db, actors, rules, workers=1)
    assert report.changed == 1
    assert rows(file_db, "SELECT count(*) FROM actors WHERE id = 'portal-news-test'") == [(0,)]
    assert_consistent(file_db)


def test_unknown_names_are_counted_and_leave_once_added_to_the_gazetteer(file_db, sample, actors, rules):
    save(file_db, sample)
    program = "American Statecraft Program"
    assert rows(file_db, "SELECT kind, paragraphs, articles, examples FROM candidates WHERE name = ?", (program,)) == [
        ("think_tank", 1, 1, "[16]")
    ]
    added = Actor("american-statecraft-program", program, "think_tank", affiliation="carnegie-endowment")
    retag_database(file_db, (*actors, added), rules, workers=1)
    assert rows(file_db, "SELECT count(*) FROM candidates WHERE name = ?", (program,)) == [(0,)]
    assert program in json.loads(rows(file_db, "SELECT actors FROM paragraphs WHERE id = 16")[0][0])
    assert_consistent(file_db)


def test_a_database_from_version_1_is_upgraded_without_losing_data(tmp_path, actors, rules):
    path = tmp_path / "old.db"
    path.write_bytes((FIXTURES / "databases" / "schema-v1-sample.db").read_bytes())
    before = {table: rows(Database(path), f"SELECT count(*) FROM {table}") for table in ("articles", "paragraphs", "mentions")}
    db = open_database(path)
    assert rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert {table: rows(db, f"SELECT count(*) FROM {table}") for table in before} == before
    assert rows(db, "SELECT DISTINCT format FROM articles") == [("text",)]
    assert {"candidates", "candidate_mentions"} <= set(db.table_names())
    assert refresh_due(db) == ["refreshed candidates, counts, paragraphs_fts"]
    assert_consistent(db)
    retag_database(db, actors, rules, workers=1)
    assert rows(db, "SELECT count(*) FROM candidates") != [(0,)]


def test_a_database_from_version_2_is_upgraded_to_fold_arabic_index_headings_and_keep_counts(tmp_path, actors, rules):
    path = tmp_path / "old.db"
    path.write_bytes((FIXTURES / "databases" / "schema-v2-sample.db").read_bytes())
    before = {table: rows(Database(path), f"SELECT * FROM {table}") for table in ("articles", "paragraphs", "mentions")}
    db = open_database(path)
    assert rows(db, "PRAGMA user_version") == [(SCHEMA_VERSION,)]
    assert {table: rows(db, f"SELECT * FROM {table}") for table in before} == before
    assert check_store(db) == [
        "full-text index out of sync with paragraphs (database disk image is malformed; run ingest rebuild)",
        "3 derived tables due a refresh after an upgrade (run ingest rebuild, or any ingest add or retag)",
    ]
    assert refresh_due(db) == ["refreshed candidates, counts, paragraphs_fts"]
    assert_consistent(db)
    heading = "SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH 'section : consequences'"
    assert rows(db, heading) == [(13,), (14,), (15,), (16,), (17,), (18,)]
    assert rows(db, "SELECT paragraphs FROM actor_counts WHERE name = 'Mushtaq Jawad Kazim al-Jawari'") == [(4,)]
    assert rows(db, "SELECT count(*) FROM paragraph_actors WHERE published IS NOT NULL") == [(0,)]  # the sample has no date


def test_a_database_from_a_newer_version_is_refused(db_path):
    Database(db_path).execute("PRAGMA user_version = 99")
    with pytest.raises(DatabaseError, match="database schema is version 99, newer than this ingest"):
        open_database(db_path)


def test_a_database_of_something_else_is_refused(db_path):
    Database(db_path)["cats"].insert({"name": "Tom"})
    with pytest.raises(DatabaseError, match="not an ingest database"):
        open_database(db_path)


def test_schema_is_idempotent(db):
    ensure_schema(db)
    assert "paragraphs_fts" in db.table_names()
    assert {"paragraphs_with_articles", "actor_cooccurrence", "actor_counts", "topic_counts", "actor_forms"} <= set(db.view_names())


def test_actor_table_is_the_gazetteer(file_db, actors):
    assert rows(file_db, "SELECT count(*) FROM actors") == [(len(actors),)]
    assert rows(file_db, "SELECT count(*) FROM topics") == [(13,)]


def test_full_text_index_follows_updates_and_deletes(file_db, sample):
    save(file_db, sample)
    file_db.execute("UPDATE paragraphs SET text = 'A paragraph about zeppelins' WHERE position = 1")
    assert rows(file_db, "SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH 'zeppelin'") == [(1,)]
    assert rows(file_db, "SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH 'justifications'") == []
    file_db.execute("DELETE FROM paragraphs WHERE position = 1")
    assert rows(file_db, "SELECT rowid FROM paragraphs_fts WHERE paragraphs_fts MATCH 'zeppelin'") == []
    assert rows(file_db, "INSERT INTO paragraphs_fts(paragraphs_fts, rank) VALUES ('integrity-check', 1)") == []
    # the deleted paragraph's tags are orphans now, and its article one paragraph short: rebuild repairs both
    assert rebuild_store(file_db)[:3] == [
        "4 mentions rows of no paragraph deleted",
        "3 paragraph_actors rows of no paragraph deleted",
        "2 paragraph_topics rows of no paragraph deleted",
    ]


def test_views_answer_the_common_questions(file_db, sample):
    save(file_db, sample)
    together = rows(file_db, "SELECT paragraphs FROM actor_cooccurrence WHERE actor = 'Harakat al-Nujaba' AND other_actor = 'Houthis'")
    assert together == [(1,)]
    counts = rows(file_db, "SELECT paragraphs, articles FROM actor_counts WHERE name = 'Mushtaq Jawad Kazim al-Jawari'")
    assert counts == [(4, 1)]
    assert rows(file_db, "SELECT title, source, position FROM paragraphs_with_articles WHERE position = 1") == [
        (sample.article.title, "Vox", 1)
    ]
