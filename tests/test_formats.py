"""Every input format read from real fixtures: paragraphs, sections and metadata as expected."""

import json

import pytest
from click.testing import CliRunner
from sqlite_utils import Database

from ingest.cli import cli
from ingest.errors import ReadError
from ingest.parse import parse_json_articles
from ingest.pipeline import split_article
from ingest.read import Source, decode_text, detect_format, find_sources, read_source

from .conftest import FIXTURES
from .test_cli import run

FORMATS = FIXTURES / "formats"
EXPECTED = json.loads((FORMATS / "expected.json").read_text())
CASES = [
    (name, index, article)
    for name, expected in EXPECTED.items()
    if not name.startswith("_") and name != "broken"
    for index, article in enumerate(expected if isinstance(expected, list) else [expected])
]
FORMAT_OF = {".html": "html", ".md": "markdown", ".json": "json", ".jsonl": "json", ".txt": "text"}


def read_all(path):
    """Every article or error a file gives, as `ingest add` reads it."""
    results = []
    for source in find_sources([path]):
        try:
            results.extend(read_source(source) if isinstance(source, Source) else [source])
        except ReadError as error:
            results.append(error)
    return results


@pytest.mark.parametrize(("name", "index", "expected"), CASES, ids=[f"{name}[{index}]" for name, index, _ in CASES])
def test_each_fixture_reads_as_expected(name, index, expected):
    article = read_all(FORMATS / name)[index]
    if expected is None:
        assert isinstance(article, ReadError)
        assert "no article text" in str(article)
        return
    split = split_article(article)
    assert [p.text for p in split.paragraphs] == expected["paragraphs"]
    assert list(split.sections) == expected["sections"]
    assert [p.section for p in split.paragraphs] == expected.get("paragraph_sections", [None] * len(split.paragraphs))
    metadata = {key: getattr(article, key) for key in ("title", "source", "url", "published", "author")}
    assert metadata == {key: expected[key] for key in metadata}
    assert list(article.guessed) == expected["guessed"]
    assert article.format == FORMAT_OF[(FORMATS / name).suffix]


@pytest.mark.parametrize(("name", "reason"), EXPECTED["broken"].items())
def test_each_broken_file_is_one_error_naming_it(name, reason):
    [error] = [result for result in read_all(FORMATS / name) if isinstance(result, ReadError)]
    message = str(error)
    assert message.startswith(str(FORMATS / name)) and "\n" not in message


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("empty.txt", "file is empty"),
        ("blank.html", "file is empty"),
        ("binary.txt", "a binary file (archive, image or document), not text"),
        ("nul-bytes.txt", "looks like a binary file (it contains NUL bytes)"),
        ("undecodable.txt", "cannot be decoded as text"),
        ("truncated.html", "no article text found in the HTML page"),
        ("bad.json", "not valid JSON (Expecting property name enclosed in double quotes at line 6, column 3)"),
        ("nested.json", "JSON nested too deeply to be an article export"),
        ("no-text.jsonl:1", "no article text (none of the fields body, text, content, articleBody ... holds text)"),
    ],
)
def test_broken_files_say_why(name, message):
    file_name = name.split(":")[0]
    errors = [str(result) for result in read_all(FORMATS / "broken" / file_name) if isinstance(result, ReadError)]
    assert errors and errors[0].startswith(f"{FORMATS / 'broken' / name}: {message}")


def test_every_format_ingests_and_a_copy_in_another_format_is_stored_once(db_path):
    files = sorted({FORMATS / name for name, _, _ in CASES if not name.startswith("broken/")})
    assert run("add", *files, "--db", db_path, "--workers", 2) == (0, "", "9 new, 0 updated, 1 unchanged, 0 failed\n")
    db = Database(db_path)
    formats = dict(db.execute("SELECT format, count(*) FROM articles GROUP BY format").fetchall())
    # export.json's Tillerson statement is cp1252.txt's text, read first: stored once, as text
    assert formats == {"html": 1, "markdown": 1, "json": 4, "text": 3}
    assert db.execute("SELECT count(*) FROM paragraphs WHERE article_id NOT IN (SELECT id FROM articles)").fetchone() == (0,)


def test_broken_files_fail_one_line_each_and_leave_nothing_behind(db_path):
    code, _, stderr = run("add", FORMATS / "broken", "--db", db_path)
    lines = stderr.splitlines()
    assert code == 1
    assert len([line for line in lines if line.startswith("error: ")]) == len(EXPECTED["broken"])
    assert lines[-1] == f"1 new, 0 updated, 0 unchanged, {len(EXPECTED['broken'])} failed"
    assert Database(db_path).execute("SELECT count(*) FROM articles").fetchone() == (1,)


def test_standard_input_is_read_with_dash(db_path):
    page = (FORMATS / "dod-houthi-strikes.html").read_bytes()
    result = CliRunner().invoke(cli, ["add", "-", "--db", str(db_path)], input=page)
    assert result.exit_code == 0, result.stderr
    db = Database(db_path)
    assert db.execute("SELECT path, format, source FROM articles").fetchall() == [("<stdin>", "html", "U.S. Department of Defense")]


def test_a_saved_page_named_txt_is_read_as_html():
    text = decode_text((FORMATS / "dod-houthi-strikes.html").read_bytes(), "page.txt")
    assert detect_format(text, "text") == "html"


def test_arabic_script_and_its_diacritics_are_kept(tmp_path):
    path = tmp_path / "arabic.txt"
    body = "قال مُقتدى الصَّدر إنَّ الحكومة يجب أن تُحاسب الفصائل."
    path.write_text(f"Sadr speaks\n\n{body}\n", encoding="utf-8")
    [article] = read_source(Source(str(path)))
    assert article.body == body


def test_front_matter_that_is_not_yaml_is_an_error(tmp_path):
    path = tmp_path / "bad.md"
    path.write_text("---\ntitle: [unclosed\n---\n\nSome text here.\n")
    with pytest.raises(ReadError, match=r"bad\.md: front matter is not valid YAML"):
        read_source(Source(str(path)))


def test_html_in_a_json_record_is_reduced_to_its_paragraphs():
    record = {
        "title": "Strike in Iraq",
        "content": '<p>U.S. forces in Iraq today conducted a <a href="/x">self-defense strike</a>.</p><p>No civilians were hurt.</p>',
    }
    [article] = parse_json_articles(json.dumps([record]), "feed.json")
    assert [p.text for p in split_article(article).paragraphs] == [
        "U.S. forces in Iraq today conducted a self-defense strike.",
        "No civilians were hurt.",
    ]


def test_json_lines_under_a_json_name_is_read_a_line_at_a_time(tmp_path):
    path = tmp_path / "feed.json"
    path.write_bytes((FORMATS / "export.jsonl").read_bytes())
    articles = read_source(Source(str(path)))
    assert [article.title for article in articles] == [expected["title"] for expected in EXPECTED["export.jsonl"]]
    assert [article.path for article in articles] == [f"{path}:{number}" for number in (1, 2, 3)]
