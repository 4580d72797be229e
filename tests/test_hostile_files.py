"""Hostile files: each refused with one clear line, within bounded memory, while the good ones are stored."""

import gzip
import json
import resource
import shutil
import subprocess
import sys
import zipfile

import pytest
from sqlite_utils import Database

from ingest.store import check_store

from .conftest import ROOT, SAMPLE

# The ingest process may use this much address space; a file that made it read or build
# everything in memory would hit it and die with a MemoryError traceback.
MEMORY_LIMIT = 2 * 1024**3


def write_hostile_files(folder):
    """Each file and the reason `ingest add` must give for refusing it."""
    huge = folder / "huge.txt"
    with huge.open("wb") as file:
        file.truncate(60 * 1024**2)  # a sparse file: 60 MB to stat, nothing on disk
    with gzip.open(folder / "gzip-bomb.txt", "wb", compresslevel=9) as file:
        for _ in range(200):
            file.write(bytes(1024**2))  # 200 MB of zeros in about 200 KB
    with zipfile.ZipFile(folder / "zip-bomb.html", "w", zipfile.ZIP_DEFLATED) as archive, archive.open("page.html", "w") as member:
        for _ in range(200):
            member.write(b" " * 1024**2)
    (folder / "deep.json").write_text("[" * 1_000_000 + "]" * 1_000_000)
    (folder / "deep-object.jsonl").write_text('{"a":' * 200_000 + "1" + "}" * 200_000 + "\n")
    (folder / "one-line.txt").write_text("A title\n\n" + "word " * 8_000_000)
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    (folder / "entity-bomb.html").write_text(
        f'<?xml version="1.0"?><!DOCTYPE html [<!ENTITY lol0 "lol">{entities}]><html><body><p>&lol9;</p></body></html>'
    )
    # entity-bomb.html is not refused: its entities are never expanded, so it is one short article
    return {
        "huge.txt": "file is 62,914,560 bytes, over the 52,428,800 byte limit (--max-size)",
        "gzip-bomb.txt": "a binary file (archive, image or document), not text",
        "zip-bomb.html": "a binary file (archive, image or document), not text",
        "deep.json": "JSON nested too deeply to be an article export",
        "deep-object.jsonl:1": "JSON nested too deeply to be an article export",
        "one-line.txt": "a line of 39,999,999 characters is not article text (the limit is 100,000)",
    }


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def test_hostile_files_are_refused_with_one_line_each_in_bounded_memory(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    reasons = write_hostile_files(folder)
    shutil.copy(SAMPLE, folder / "zz-good.txt")
    db_path = tmp_path / "articles.db"
    command = [sys.executable, "-m", "ingest", "add", str(folder), "--db", str(db_path), "--workers", "1"]
    # the timeout only stops a hang from blocking the suite; it is not a speed test
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600, preexec_fn=limit_memory)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    errors = sorted(line for line in result.stderr.splitlines() if line.startswith("error: "))
    assert errors == sorted(f"error: {folder / name}: {reason}" for name, reason in reasons.items())
    assert result.stderr.splitlines()[-1] == f"2 new, 0 updated, 0 unchanged, {len(reasons)} failed"
    db = Database(db_path)
    assert db.execute("SELECT path, paragraph_count FROM articles ORDER BY path").fetchall() == [
        (str(folder / "entity-bomb.html"), 1),
        (str(folder / "zz-good.txt"), 18),
    ]
    assert db.execute("SELECT text FROM paragraphs WHERE article_id = 1").fetchone() == ("&lol9;",)
    assert check_store(db) == []


@pytest.mark.parametrize("size", [10, 10_000])
def test_a_large_max_size_still_refuses_a_line_no_article_has(tmp_path, size):
    path = tmp_path / "export.jsonl"
    path.write_text(json.dumps({"title": "Long", "body": "x" * 200_000}) + "\n")
    db_path = tmp_path / "articles.db"
    result = subprocess.run(
        [sys.executable, "-m", "ingest", "add", str(path), "--db", str(db_path), "--max-size", str(size * 1024**2)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1
    assert f"{path}:1: a line of 200,000 characters is not article text" in result.stderr
