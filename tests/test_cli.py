import shutil
import subprocess
import sys

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from ingest.cli import cli
from ingest.pipeline import Unchanged, prepare_all
from ingest.read import Source

from .conftest import ROOT, SAMPLE, SEED_GOLD


def run(*args):
    result = CliRunner().invoke(cli, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr


def table_dump(path):
    db = Database(path)
    return {
        table: db.execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall()
        for table in ("paragraphs", "paragraph_actors", "paragraph_topics", "mentions")
    }


def test_add_ingests_the_sample_and_reports_counts(db_path):
    summary = "1 new, 0 updated, 0 unchanged, 0 failed, 1 skipped (not an article file)\n"
    assert run("add", ROOT / "samples", "--db", db_path) == (0, "", summary)
    assert Database(db_path).execute("SELECT count(*) FROM paragraphs").fetchone() == (18,)
    assert run("add", SAMPLE, "--db", db_path) == (0, "", "0 new, 0 updated, 1 unchanged, 0 failed\n")


def test_add_quiet_prints_nothing(db_path):
    assert run("add", SAMPLE, "--db", db_path, "--quiet") == (0, "", "")


def test_a_bad_file_is_reported_and_the_rest_go_on(tmp_path, db_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLE, folder / "a-good.txt")
    (folder / "b-binary.txt").write_bytes(b"GIF89a\x00\x01")
    (folder / "c-furniture.txt").write_text("Headline\n\nYes, I give $5/month\n\nShare this article")
    (folder / "d-photo.jpg").write_bytes(b"\xff\xd8\xff")
    exit_code, _, stderr = run("add", folder, "--db", db_path, "--workers", 1)
    assert exit_code == 1
    assert stderr.splitlines() == [
        f"error: {folder / 'b-binary.txt'}: a binary file (archive, image or document), not text",
        f"error: {folder / 'c-furniture.txt'}: no article text found (every block was a title, heading or page furniture)",
        "1 new, 0 updated, 0 unchanged, 2 failed, 1 skipped (not an article file)",
    ]
    assert Database(db_path).execute("SELECT count(*) FROM articles").fetchone() == (1,)


def test_worker_processes_store_what_one_process_stores(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    text = SAMPLE.read_text()
    for number in range(6):
        # another title and another last line: another article
        copy = text.replace("explained – Vox.com", f"explained {number} – Vox.com") + f"\n\nThis is copy {number}.\n"
        (folder / f"copy-{number}.txt").write_text(copy)
    single, parallel = tmp_path / "single.db", tmp_path / "parallel.db"
    assert run("add", folder, "--db", single, "--workers", 1)[0] == 0
    assert run("add", folder, "--db", parallel, "--workers", 2)[0] == 0
    assert Database(parallel).execute("SELECT count(*) FROM articles").fetchone() == (6,)
    assert table_dump(single) == table_dump(parallel)
    assert run("check", "--db", parallel)[0] == 0


def test_bad_gazetteer_is_one_line_and_exit_1(tmp_path, db_path):
    actors = tmp_path / "actors.jsonl"
    actors.write_text('{"id": "iraq", "name": "Iraq"}\n')
    exit_code, _, stderr = run("add", SAMPLE, "--db", db_path, "--actors", actors)
    assert exit_code == 1
    assert (
        stderr == f"Error: {actors}:1: missing ['type']; expected keys ['affiliation', 'aliases', 'coordinates', 'id', 'name', 'name_ar', "
        "'roles', 'type', 'wikidata', 'wikipedia']\n"
    )
    assert not db_path.exists()


def test_eval_ends_with_the_scores():
    exit_code, stdout, _ = run("eval", SEED_GOLD)
    assert exit_code == 0
    lines = stdout.splitlines()
    assert lines[-4].split() == ["bucket", "P", "R", "F1", "tp", "fp", "fn"]
    assert [line.split()[0] for line in lines[-3:]] == ["actors", "places", "topics"]
    assert "  ok   paragraphs: 18 (gold 18)" in lines


def test_eval_verbose_lists_misses_and_false_alarms(tmp_path):
    exit_code, verbose, _ = run("eval", SEED_GOLD, "--verbose")
    _, plain, _ = run("eval", SEED_GOLD)
    assert exit_code == 0
    extra = set(verbose.splitlines()) - set(plain.splitlines())
    assert all(line.startswith("  paragraph ") for line in extra)


def test_retag_reports_what_it_did(db_path):
    run("add", SAMPLE, "--db", db_path)
    assert run("retag", "--db", db_path) == (0, "", "retagged 18 paragraphs; 0 changed\n")


def test_retag_with_an_edited_gazetteer_tags_the_new_actor(db_path, tmp_path):
    run("add", SAMPLE, "--db", db_path)
    actors = tmp_path / "actors.jsonl"
    shipped = (ROOT / "ingest" / "data" / "actors.jsonl").read_text()
    added = '{"id": "american-statecraft-program", "name": "American Statecraft Program", "type": "think_tank"}\n'
    actors.write_text(shipped + added)
    assert run("retag", "--db", db_path, "--actors", actors) == (0, "", "retagged 18 paragraphs; 1 changed\n")
    db = Database(db_path)
    assert db.execute("SELECT surface FROM mentions WHERE actor_id = 'american-statecraft-program'").fetchall() == [
        ("American Statecraft Program",)
    ]
    assert db.execute("SELECT count(*) FROM candidates WHERE name = 'American Statecraft Program'").fetchone() == (0,)


@pytest.mark.parametrize("args", [["--help"], ["add", "--help"], ["eval", "--help"], ["retag", "--help"]])
def test_python_dash_m_runs_the_cli(args):
    result = subprocess.run([sys.executable, "-m", "ingest", *args], capture_output=True, text=True, check=False)
    assert result.returncode == 0 and "Usage:" in result.stdout


def test_a_db_that_is_not_sqlite_is_one_line_and_exit_1(tmp_path):
    not_a_db = tmp_path / "notes.db"
    not_a_db.write_text("these are my notes, not a database\n" * 100)
    exit_code, _, stderr = run("add", SAMPLE, "--db", not_a_db)
    assert (exit_code, stderr) == (1, f"Error: {not_a_db}: cannot open as an SQLite database (file is not a database)\n")


def test_unchanged_files_are_not_tagged_again(db_path, actors, rules):
    run("add", SAMPLE, "--db", db_path)
    [[result]] = prepare_all([Source(str(SAMPLE))], actors, rules, workers=1, max_bytes=10**6, db_path=str(db_path))
    assert result == Unchanged(str(SAMPLE))
    [[result]] = prepare_all([Source(str(SAMPLE))], actors, rules, workers=1, max_bytes=10**6, db_path=None)
    assert len(result.paragraphs) == 18
