"""Files -> Article. The only module that reads input files."""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from .errors import ReadError
from .models import Article

DEFAULT_MAX_BYTES = 50 * 1024 * 1024
TEXT_SUFFIXES = frozenset({".txt"})

# A title line rarely runs past this; longer first lines are body text.
MAX_TITLE_WORDS = 25
# "Headline – Site.com", "Headline | Site": the site is the last part.
SITE_SUFFIX = re.compile(r"^(?P<title>.+?)\s+[|–—-]\s+(?P<site>[^|–—]{2,60})$")
DOMAIN = re.compile(r"(?i)^(?:www\.)?(?P<host>[\w-]+(?:\.[\w-]+)*\.[a-z]{2,})$")
# "Vox.com" is called "Vox"; "defense.gov" keeps its ending.
COMMERCIAL_ENDING = re.compile(r"(?i)\.(?:com|net|org|co\.uk)$")
MAX_SITE_WORDS = 6
SITE_NAME_JOINERS = frozenset({"of", "the", "and", "for", "on", "to", "in", "at", "&"})
# "Iraq39s": what is left of "Iraq&#39;s" when a scraper strips "&#" and ";".
STRIPPED_ENTITY = re.compile(r"[A-Za-z]\d{2,4}[a-z]")


def find_article_files(paths: Iterable[str | Path], on_skip: Callable[[Path], None] | None = None) -> Iterator[Path]:
    """Yield the files named, and the article files inside the folders named, in order.

    Each folder gives its own files, then its subfolders', in name order. Other files inside
    the folders are passed to `on_skip`; hidden ones are ignored.
    """
    for raw in paths:
        path = Path(raw)
        if not path.is_dir():
            yield path
            continue
        # os.walk streams: a folder of a million files is never listed whole
        for folder, subfolders, files in os.walk(path):
            subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
            for name in sorted(name for name in files if not name.startswith(".")):
                child = Path(folder) / name
                if child.suffix.lower() in TEXT_SUFFIXES:
                    yield child
                elif on_skip:
                    on_skip(child)


def read_article(path: str | Path, max_bytes: int = DEFAULT_MAX_BYTES) -> Article:
    """Read one plain-text article: title and source from its first lines, the rest as body."""
    path = Path(path)
    text = decode_text(read_bytes(path, max_bytes), path)
    return parse_text_article(text, path=str(path))


def read_bytes(path: Path, max_bytes: int) -> bytes:
    """Read a file's bytes, refusing missing, oversized and binary files."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ReadError(f"{path}: file is {size:,} bytes, over the {max_bytes:,} byte limit (--max-size)")
        data = path.read_bytes()
    except OSError as error:
        raise ReadError(f"{path}: cannot read file ({error.strerror or error})") from None
    if b"\x00" in data:
        raise ReadError(f"{path}: looks like a binary file (it contains NUL bytes)")
    return data


def decode_text(data: bytes, path: Path) -> str:
    """Decode UTF-8 text and normalise newlines and Unicode (NFC)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ReadError(f"{path}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})") from None
    if not text.strip():
        raise ReadError(f"{path}: file is empty")
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))


def parse_text_article(text: str, path: str | None = None) -> Article:
    """Take the title (and the site, as source) from the header lines of a text article."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]
    header = _header_lines(blocks)
    if not header:
        title = _fallback_title(blocks[0], path)
        return Article(title=title, body="\n\n".join(blocks), path=path, guessed=("title",))
    title, source = split_site_suffix(pick_clean_title(header))
    return Article(title=title, source=source, body="\n\n".join(blocks[len(header) :]), path=path)


def _header_lines(blocks: list[str]) -> list[str]:
    """The one or two leading one-line blocks that form the title (a garbled copy counts)."""
    if len(blocks) < 2 or not _looks_like_title(blocks[0]):
        return []
    if _looks_like_title(blocks[1]) and title_skeleton(blocks[0]) == title_skeleton(split_site_suffix(blocks[1])[0]):
        return blocks[:2]
    return blocks[:1]


def _looks_like_title(block: str) -> bool:
    return "\n" not in block and len(block.split()) <= MAX_TITLE_WORDS and not block.endswith((".", ",", ";", ":"))


def title_skeleton(line: str) -> str:
    """Letters only, lower case: two renderings of one title share it."""
    return "".join(ch for ch in line.casefold() if ch.isalpha())


def pick_clean_title(lines: list[str]) -> str:
    """Of copies of one title, prefer the one without stripped entities, then the richest punctuation."""

    def quality(line: str) -> tuple[bool, int]:
        punctuation = sum(1 for ch in line if not ch.isalnum() and not ch.isspace())
        return (not STRIPPED_ENTITY.search(line), punctuation)

    return max(lines, key=quality)


def split_site_suffix(line: str) -> tuple[str, str | None]:
    """Split "Headline – Vox.com" into ("Headline", "Vox"); leave other lines whole."""
    match = SITE_SUFFIX.match(line)
    if not match or not _looks_like_site(match["site"]):
        return line, None
    site = match["site"].strip()
    domain = DOMAIN.match(site)
    return match["title"].strip(), COMMERCIAL_ENDING.sub("", domain["host"]) if domain else site


def _looks_like_site(text: str) -> bool:
    """A domain, or a short name in title case: "Reuters", "U.S. Department of Defense"."""
    words = text.split()
    title_case = words[0][0].isupper() and words[-1][0].isupper() and all(w[0].isupper() or w in SITE_NAME_JOINERS for w in words)
    return bool(DOMAIN.match(text.strip())) or (len(words) <= MAX_SITE_WORDS and title_case)


def _fallback_title(first_block: str, path: str | None) -> str:
    first_line = first_block.split("\n", 1)[0].strip()
    if len(first_line.split()) <= MAX_TITLE_WORDS:
        return first_line
    return Path(path).stem.replace("-", " ").replace("_", " ") if path else " ".join(first_line.split()[:12])
