"""Files -> Articles. The only module that reads input files.

A file is checked (size, binary), decoded (UTF-8, else the encoding detected
by charset-normalizer), repaired (ftfy: mojibake, leftover HTML entities),
normalised (NFC, newlines), recognised by its content as well as its name,
and parsed by the `parse` function for its format.
"""

from __future__ import annotations

import contextlib
import glob
import os
import re
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import charset_normalizer
import ftfy

from .errors import ReadError
from .models import Article
from .parse import parse_html_article, parse_json_articles, parse_json_line, parse_markdown_article, parse_text_article

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
FORMAT_BY_SUFFIX = {
    ".txt": "text",
    ".text": "text",
    ".md": "markdown",
    ".markdown": "markdown",
    ".html": "html",
    ".htm": "html",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
}
# Files in a folder of articles that document the folder rather than being articles.
NOT_ARTICLES = re.compile(r"(?i)^(readme|license|licence|changelog|sources)(\.\w+)?$")
STDIN = "-"
# Magic numbers of files that are never text: archives, images, PDFs, office documents.
BINARY_SIGNATURES = (b"PK\x03\x04", b"\x1f\x8b", b"BZh", b"\xfd7zXZ", b"7z\xbc\xaf", b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"GIF8")
# Text has few control characters; binary data has many.
CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")
MAX_CONTROL_SHARE = 0.01
HTML_START = re.compile(rb"^\s*(?:<!doctype\s+html|<html|<head|<body|<article|<meta|<!--)", re.I)
FRONT_MATTER_START = re.compile(r"\A---[ \t]*\n")
MARKDOWN_HEADING = re.compile(r"^#{1,6} \S", re.M)
# ftfy's repairs, but typographic quotes stay as the author wrote them.
# HTML entities are decoded only in text without markup ("auto"): in a page the parser does it.
REPAIR = ftfy.TextFixerConfig(uncurl_quotes=False, unescape_html="auto")
# What ftfy would find to repair: UTF-8 read as Windows-1252 or Latin-1 (a lead byte such as
# "Ã", "â" or "Ø" followed by a continuation byte's character), C1 controls, or HTML entities.
# ftfy costs more than tagging, so text with none of these skips it.
NEEDS_REPAIR = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]|[\u0080-\u009f]|&#?\\w+;"
)


@dataclass(frozen=True)
class Source:
    """One thing to read: a file, or bytes already read (a line of a JSON Lines file, standard input)."""

    name: str
    data: bytes | None = None
    format: str = ""


def find_sources(
    paths: Iterable[str | Path], max_bytes: int = DEFAULT_MAX_BYTES, on_skip: Callable[[Path], None] | None = None
) -> Iterator[Source | ReadError]:
    """Yield what to read from files, folders, globs and `-` (standard input), in order.

    JSON Lines files are streamed here a line at a time, so a large export is
    never held whole; each line is read as its own article.
    """
    for path in find_article_files(paths, on_skip):
        if str(path) == STDIN:
            yield _stdin_source(max_bytes)
        elif FORMAT_BY_SUFFIX.get(path.suffix.lower()) == "jsonl":
            yield from _json_lines(path, max_bytes)
        else:
            yield Source(str(path))


def count_sources(paths: Iterable[str | Path]) -> int:
    """How many sources `find_sources` will yield (files, and JSON Lines records), for a progress bar."""
    total = 0
    for path in find_article_files(paths):
        if FORMAT_BY_SUFFIX.get(path.suffix.lower()) != "jsonl":
            total += 1
            continue
        with contextlib.suppress(OSError), path.open("rb") as file:
            total += sum(1 for line in file if line.strip())
    return total


def find_article_files(paths: Iterable[str | Path], on_skip: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Yield the files named, the files matching globs, and the article files inside folders, in order.

    Each folder gives its own files, then its subfolders', in name order. Other
    files inside folders (other formats, README and the like) go to `on_skip`;
    hidden ones are ignored. A file named explicitly is always read.
    """
    for raw in paths:
        path = Path(raw)
        if str(raw) == STDIN:
            yield path
        elif path.is_dir():
            yield from _walk(path, on_skip)
        elif not path.exists() and glob.has_magic(str(raw)):
            for match in sorted(glob.iglob(str(raw), recursive=True)):
                yield from _walk(Path(match), on_skip) if Path(match).is_dir() else [Path(match)]
        else:
            yield path


def _walk(folder: Path, on_skip: Callable[[Path], None] | None) -> Iterator[Path]:
    # os.walk streams: a folder of a million files is never listed whole
    for parent, subfolders, files in os.walk(folder):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(name for name in files if not name.startswith(".")):
            child = Path(parent) / name
            if child.suffix.lower() in FORMAT_BY_SUFFIX and not NOT_ARTICLES.match(name):
                yield child
            elif on_skip:
                on_skip(child)


def read_source(source: Source, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article | ReadError]:
    """Read one source: its articles, or an error for each record that could not be read (JSON exports)."""
    data = source.data if source.data is not None else read_bytes(Path(source.name), max_bytes)
    text = decode_text(data, source.name)
    if source.format == "jsonl":
        return [parse_json_line(text, source.name)]
    file_format = detect_format(text, source.format or FORMAT_BY_SUFFIX.get(Path(source.name).suffix.lower(), ""))
    if file_format == "json":
        return list(parse_json_articles(text, source.name))
    if file_format == "html":
        return [parse_html_article(text, source.name)]
    if file_format == "markdown":
        return [parse_markdown_article(text, source.name)]
    return [parse_text_article(text, source.name)]


def read_article(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read a file that holds one article."""
    results = read_source(Source(str(path)), max_bytes)
    if isinstance(results[0], ReadError):
        raise results[0]
    return results[0]


def detect_format(text: str, named: str) -> str:
    """The format the content shows, else the one its name says: a saved page named .txt is still HTML."""
    head = text[:2000].lstrip()
    if HTML_START.match(head.encode()):
        return "html"
    if head.startswith(("{", "[")) and named in ("json", "jsonl", ""):
        return "json"
    if named == "markdown" or (not named and (FRONT_MATTER_START.match(text) or MARKDOWN_HEADING.search(head))):
        return "markdown"
    return named if named in ("json", "html") else "text"


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a file's bytes, refusing missing and oversized files."""
    try:
        size = path.stat().st_size
        if size <= max_bytes:
            with path.open("rb") as file:
                data = file.read(max_bytes + 1)  # never more, even if the file grows meanwhile
                size = len(data)
    except OSError as error:
        raise ReadError(f"{path}: cannot read file ({error.strerror or error})") from None
    if size > max_bytes:
        raise ReadError(f"{path}: file is {size:,} bytes, over the {max_bytes:,} byte limit (--max-size)")
    return data


def decode_text(data: bytes, name: str) -> str:
    """Bytes -> repaired, normalised text; binary data and undecodable bytes are refused."""
    if data.startswith(BINARY_SIGNATURES):
        raise ReadError(f"{name}: a binary file (archive, image or document), not text")
    text = _decode(data, name)
    if not text.strip():
        raise ReadError(f"{name}: file is empty")
    if "\x00" in text:
        raise ReadError(f"{name}: looks like a binary file (it contains NUL bytes)")
    if len(CONTROL.findall(text[:100_000])) > MAX_CONTROL_SHARE * min(len(text), 100_000):
        raise ReadError(f"{name}: looks like a binary file (too many control characters)")
    if NEEDS_REPAIR.search(text):
        text = ftfy.fix_text(text, REPAIR)
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def _decode(data: bytes, name: str) -> str:
    """UTF-8 (or UTF-16 with its byte order mark), else the encoding charset-normalizer finds."""
    try:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in data:
            raise ReadError(f"{name}: cannot be decoded as text (byte 0x{data[error.start]:02x} at offset {error.start})") from None
    best = charset_normalizer.from_bytes(data).best()
    if best is None:
        raise ReadError(f"{name}: cannot be decoded as text (not UTF-8, and no other encoding fits)")
    # Windows-1252 and -1250 often read a Western file alike; Western is the likelier one.
    encoding = "cp1252" if "cp1252" in best.could_be_from_charset else best.encoding
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return str(best)  # the decoding charset-normalizer itself checked


def _stdin_source(max_bytes: int) -> Source | ReadError:
    data = sys.stdin.buffer.read(max_bytes + 1)
    if len(data) > max_bytes:
        return ReadError(f"standard input: over the {max_bytes:,} byte limit (--max-size)")
    return Source("<stdin>", data)


def _json_lines(path: Path, max_bytes: int) -> Iterator[Source | ReadError]:
    """Each non-blank line of a JSON Lines file as its own source, `path:line`."""
    try:
        with path.open("rb") as file:
            for number, line in enumerate(iter(lambda: file.readline(max_bytes + 1), b""), start=1):
                name = f"{path}:{number}"
                if len(line) > max_bytes:
                    yield ReadError(f"{name}: line over the {max_bytes:,} byte limit (--max-size)")
                    _skip_rest_of_line(file, line, max_bytes)
                elif line.strip():
                    yield Source(name, line, "jsonl")
    except OSError as error:
        yield ReadError(f"{path}: cannot read file ({error.strerror or error})")


def _skip_rest_of_line(file, line: bytes, max_bytes: int) -> None:
    while line and not line.endswith(b"\n"):
        line = file.readline(max_bytes + 1)
