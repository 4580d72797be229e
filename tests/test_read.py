import pytest

from ingest.errors import ReadError
from ingest.parse import parse_text_article, pick_clean_title, split_site_suffix
from ingest.read import count_sources, find_article_files, read_article

from .conftest import ROOT, SAMPLE


def test_sample_title_is_the_clean_line_and_source_the_site(seed):
    article = read_article(SAMPLE)
    assert article.title == seed["title"]
    assert article.source == "Vox"
    assert article.url is None and article.published is None and article.author is None
    assert article.guessed == ()
    assert article.body.startswith("Iraqi Prime Minister Mohammed Shia al-Sudani announced Friday")


@pytest.mark.parametrize(
    ("line", "title", "source"),
    [
        (
            "Iraq's call to withdraw US-led anti-ISIS forces explained – Vox.com",
            "Iraq's call to withdraw US-led anti-ISIS forces explained",
            "Vox",
        ),
        ("Houthis strike tanker in Red Sea | Reuters", "Houthis strike tanker in Red Sea", "Reuters"),
        ("Strikes on Kataib Hezbollah - www.defense.gov", "Strikes on Kataib Hezbollah", "defense.gov"),
        ("Self-Defense Strike in Iraq – U.S. Department of Defense", "Self-Defense Strike in Iraq", "U.S. Department of Defense"),
        ("Strikes on Houthi targets – The White House", "Strikes on Houthi targets", "The White House"),
        ("Iraq - a country under pressure", "Iraq - a country under pressure", None),
        ("Iraq – Land of the Two Rivers and Many Peoples Today", "Iraq – Land of the Two Rivers and Many Peoples Today", None),
        ("No site here at all", "No site here at all", None),
    ],
)
def test_site_suffix_becomes_the_source(line, title, source):
    assert split_site_suffix(line) == (title, source)


def test_garbled_entity_copy_loses_to_the_clean_title():
    lines = ["Iraq39s call to withdraw US led anti ISIS forces explained", "Iraq's call to withdraw US-led anti-ISIS forces explained"]
    assert pick_clean_title(lines) == lines[1]
    assert pick_clean_title(list(reversed(lines))) == lines[1]


def test_single_title_line_then_body():
    article = parse_text_article("Militias target US base\n\nA rocket attack hit the base on Monday.\n\nNo one was hurt.")
    assert article.title == "Militias target US base"
    assert article.body == "A rocket attack hit the base on Monday.\n\nNo one was hurt."


def test_text_without_a_title_line_gets_a_guessed_title():
    article = parse_text_article("A rocket attack hit the base on Monday.", path="monday-attack.txt")
    assert article.title == "A rocket attack hit the base on Monday."
    assert article.guessed == ("title",)
    assert article.body == "A rocket attack hit the base on Monday."


def test_windows_newlines_and_bom_are_normalised(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes("\ufeffTitle here\r\n\r\nBody text of the article.\r\n".encode())
    article = read_article(path)
    assert (article.title, article.body) == ("Title here", "Body text of the article.")


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "a binary file (archive, image or document), not text"),
        ("archive.txt", b"PK\x03\x04\x14\x00", "a binary file (archive, image or document), not text"),
        ("nul.txt", b"Title\n\nText\x00with\x00NUL bytes", "looks like a binary file (it contains NUL bytes)"),
        ("empty.txt", b"  \n\n ", "file is empty"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ReadError) as error:
        read_article(path)
    assert str(error.value) == f"{path}: {message}"


def test_files_over_the_size_limit_are_refused(tmp_path):
    path = tmp_path / "big.txt"
    path.write_text("Title\n\n" + "word " * 100)
    with pytest.raises(ReadError, match=r"big.txt: file is 507 bytes, over the 100 byte limit \(--max-size\)"):
        read_article(path, max_bytes=100)


def test_missing_file_is_a_read_error(tmp_path):
    with pytest.raises(ReadError, match=r"missing\.txt: cannot read file"):
        read_article(tmp_path / "missing.txt")


def test_folders_are_walked_for_article_files_in_order(tmp_path):
    (tmp_path / "b").mkdir()
    for name in ("b/two.txt", "b/three.md", "one.html", "notes.pdf", ".hidden.txt", "README.md", "feed.jsonl"):
        (tmp_path / name).write_text("x")
    skipped = []
    found = [path.relative_to(tmp_path).as_posix() for path in find_article_files([tmp_path], on_skip=skipped.append)]
    assert found == ["feed.jsonl", "one.html", "b/three.md", "b/two.txt"]
    assert skipped == [tmp_path / "README.md", tmp_path / "notes.pdf"]


def test_globs_are_expanded_in_order(tmp_path):
    for name in ("a.txt", "b.txt", "c.md"):
        (tmp_path / name).write_text("x")
    assert list(find_article_files([str(tmp_path / "*.txt")])) == [tmp_path / "a.txt", tmp_path / "b.txt"]
    assert list(find_article_files([ROOT / "samples"])) == [SAMPLE]


def test_the_progress_bar_counts_files_and_json_lines_records():
    formats = ROOT / "tests" / "fixtures" / "formats"
    assert count_sources([formats / "export.jsonl", formats / "cp1252.txt", formats / "broken"]) == 3 + 1 + 10
