"""Decoded text -> Article, for each input format: plain text, Markdown, HTML, JSON. Pure.

Every format ends as the same body: blocks separated by blank lines, headings
written `## Heading` (the split stage turns them into sections).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.etree
import lxml.html
import trafilatura
import yaml
from dateutil import parser as date_parser
from trafilatura.settings import set_date_params

from .errors import ReadError
from .models import Article

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

FRONT_MATTER = re.compile(r"\A---[ \t]*\n(?P<yaml>.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S)
ATX_HEADING = re.compile(r"^(?P<marks>#{1,6})[ \t]+(?P<text>.+?)[ \t#]*$", re.M)
SETEXT_HEADING = re.compile(r"^(?P<text>[^\n]+)\n(?:=+|-+)[ \t]*$", re.M)
RULE = re.compile(r"^[ \t]*(?:[-*_][ \t]*){3,}$", re.M)
IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
LINK = re.compile(r"\[(?P<text>[^\]]*)\]\([^)]*\)")
# **strong**, *em*, __strong__, _em_; underscores only at word edges, as CommonMark reads them ("snake_case" stays).
EMPHASIS = re.compile(r"(\*\*|\*)(?=\S)(?P<text>.+?)(?<=\S)\1|(?<!\w)(__|_)(?=\S)(?P<under>.+?)(?<=\S)\3(?!\w)")
HTML_COMMENT = re.compile(r"<!--.*?-->", re.S)
# Short lines above the headline of an extracted page: a kicker or a category ("News Story").
MAX_KICKER_WORDS = 6

# The page's own publication date, with its time where the page gives one.
HTML_DATE_CONFIG = {**set_date_params(extensive=False), "outputformat": "%Y-%m-%dT%H:%M:%S%z"}

# Where exports keep an article's text, and a list of articles.
BODY_FIELDS = ("body", "text", "content", "articleBody", "article", "full_text", "fulltext", "content_text", "story")
LIST_FIELDS = ("articles", "items", "results", "data", "entries", "docs")
BLOCK_ELEMENTS = ("p", "li", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6")
HTML_TAG = re.compile(r"</?(?:p|div|br|h[1-6]|li|span|a)\b[^>]*>", re.I)

# Common names of article fields in front matter and JSON exports.
FIELD_NAMES = {
    "title": ("title", "headline", "name"),
    "url": ("url", "link", "canonical_url", "canonicalUrl", "webUrl", "uri"),
    "published": ("published", "date", "published_at", "publishedAt", "pubDate", "datePublished", "webPublicationDate", "pub_date"),
    "author": ("author", "authors", "byline", "creator"),
    "source": ("source", "site", "site_name", "sitename", "publisher", "source_name"),
}


def parse_text_article(text: str, path: str | None = None) -> Article:
    """Take the title (and the site, as source) from the header lines of a text article."""
    blocks = [block.strip() for block in re.split(r"\n\s*\n", text.strip()) if block.strip()]
    if not blocks:
        raise ReadError(f"{path}: no article text")
    header = _header_lines(blocks)
    if not header:
        title = _fallback_title(blocks[0], path)
        return Article(title=title, body="\n\n".join(blocks), path=path, guessed=("title",))
    title, source = split_site_suffix(pick_clean_title(header))
    return Article(title=title, source=source, body="\n\n".join(blocks[len(header) :]), path=path)


def parse_markdown_article(text: str, path: str | None = None) -> Article:
    """Markdown with optional YAML front matter: the front matter's fields, else the first `# ` heading, as metadata."""
    fields: Mapping = {}
    match = FRONT_MATTER.match(text)
    if match:
        fields = _front_matter(match["yaml"], path)
        text = text[match.end() :]
    body = markdown_body(text)
    title = _stated(fields, "title")
    heading = ATX_HEADING.search(body)
    if heading and len(heading["marks"]) == 1 and (not title or _same_title(heading["text"], title)):
        # the headline, repeated as a heading: it is the title, not a section
        title = title or heading["text"]
        body = _drop_kicker(body[: heading.start()]) + body[heading.end() :]
    if not title:
        return _with_fields(parse_text_article(body, path), fields, "markdown")
    return _with_fields(Article(title=title, body=body.strip(), path=path), fields, "markdown")


def markdown_body(text: str) -> str:
    """Markdown reduced to plain blocks: links to their text, no images, emphasis or rules; headings kept as `## `."""
    text = HTML_COMMENT.sub("", text)
    text = SETEXT_HEADING.sub(lambda m: f"## {m['text']}", text)
    text = RULE.sub("", text)
    text = IMAGE.sub("", text)
    text = LINK.sub(lambda m: m["text"], text)
    text = EMPHASIS.sub(lambda m: m["text"] or m["under"], text)
    return ATX_HEADING.sub(lambda m: f"\n{m['marks']} {m['text']}\n", text)


def parse_html_article(html: str, path: str | None = None) -> Article:
    """A saved web page: trafilatura finds the article body and its metadata (OpenGraph, JSON-LD, <meta>)."""
    body = trafilatura.extract(html, output_format="markdown", include_comments=False, include_tables=False, include_formatting=True)
    if not body:
        raise ReadError(f"{path}: no article text found in the HTML page")
    metadata = trafilatura.extract_metadata(html, date_config=HTML_DATE_CONFIG)
    fields = {
        "title": metadata.title,
        "url": metadata.url,
        "published": _drop_midnight(metadata.date),
        "author": metadata.author,
        "source": metadata.sitename,
    }
    return _with_fields(parse_markdown_article(body, path), fields, "html")


def _drop_midnight(stamp: str | None) -> str | None:
    """A page that gives only a date comes back at 00:00:00; say the date alone."""
    return stamp.split("T")[0] if stamp and "T00:00:00" in stamp else stamp


def parse_json_line(text: str, name: str) -> Article:
    """One line of a JSON Lines export: one article object."""
    return parse_json_record(_load_json(text, name), name)


def parse_json_articles(text: str, path: str) -> Iterator[Article | ReadError]:
    """A JSON export: one article object, a list of them, or an object holding the list ("articles", "items", ...).

    JSON Lines under a .json name is read a line at a time. Each record becomes an article
    or, if it has no text, an error naming it; the others go on.
    """
    if _is_json_lines(text):
        numbered = ((number, line) for number, line in enumerate(text.splitlines(), start=1) if line.strip())
        for number, line in numbered:
            yield _record_or_error(parse_json_line, line, f"{path}:{number}")
        return
    document = _load_json(text, path)
    records = _records(document)
    if records is None:
        raise ReadError(f"{path}: JSON holds no article objects (expected an object or a list of objects)")
    single = len(records) == 1 and records[0] is document
    for number, record in enumerate(records, start=1):
        yield _record_or_error(parse_json_record, record, path if single else f"{path}#{number}")


def _record_or_error(parse: Callable[[Any, str], Article], record: Any, name: str) -> Article | ReadError:
    try:
        return parse(record, name)
    except ReadError as error:
        return error


def parse_json_record(record: object, name: str) -> Article:
    """One article object: its text under body, text, content or a similar field, its metadata under common names."""
    if not isinstance(record, dict):
        raise ReadError(f"{name}: not a JSON object")
    body = next((record[key] for key in BODY_FIELDS if isinstance(record.get(key), str) and record[key].strip()), None)
    if body is None:
        raise ReadError(f"{name}: no article text (none of the fields {', '.join(BODY_FIELDS[:4])} ... holds text)")
    body = markdown_body(html_fragment_text(body)) if HTML_TAG.search(body) else body
    title = _stated(record, "title")
    article = Article(title=title, body=body.strip(), path=name) if title else parse_text_article(body, name)
    return _with_fields(article, record, "json")


def _is_json_lines(text: str) -> bool:
    """JSON Lines under another name: its first line is a whole object and more lines follow.

    Only the first line is parsed here, so a large export is not parsed twice.
    """
    lines = [line for line in text.lstrip().split("\n", 2)[:2] if line.strip()]
    if len(lines) < 2 or not lines[0].rstrip().endswith("}"):
        return False
    try:
        return isinstance(json.loads(lines[0]), dict)
    except (json.JSONDecodeError, RecursionError):
        return False


def _load_json(text: str, name: str) -> object:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ReadError(f"{name}: not valid JSON ({error.msg} at line {error.lineno}, column {error.colno})") from None
    except RecursionError:
        raise ReadError(f"{name}: JSON nested too deeply to be an article export") from None


def _records(document: object) -> list | None:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in LIST_FIELDS:
            if isinstance(document.get(key), list):
                return document[key]
        return [document]
    return None


def html_fragment_text(fragment: str) -> str:
    """The text of an HTML fragment (a feed's content field), a paragraph per block element.

    A feed's field holds the article alone, with no page around it to strip, so lxml reads it.
    """
    try:
        tree = lxml.html.fromstring(fragment)
    except (lxml.etree.ParserError, ValueError):
        return ""
    for hidden in tree.xpath("//script | //style | //noscript"):
        hidden.drop_tree()  # code, not text
    blocks = [element.text_content() for element in tree.iter(*BLOCK_ELEMENTS)] or [tree.text_content()]
    return "\n\n".join(" ".join(block.split()) for block in blocks if block.strip())


def _with_fields(article: Article, fields: Mapping, format: str) -> Article:
    """Fill an article's metadata from stated fields; a source missing everywhere is guessed from the URL's host."""
    url = _web_address(_stated(fields, "url")) or article.url
    source = _source_name(fields) or article.source
    guessed = list(article.guessed)
    if not source and url:
        source = urlsplit(url).hostname or None
        guessed.append("source")
    return Article(
        title=_stated(fields, "title") or article.title,
        body=article.body,
        source=source.removeprefix("www.") if source else None,
        url=url,
        published=parse_date(_stated(fields, "published"), article.path) or article.published,
        author=_author(fields) or article.author,
        path=article.path,
        guessed=tuple(guessed),
        format=format,
    )


def _web_address(url: str | None) -> str | None:
    """An http or https address; anything else ("javascript:...", a file path) is not kept."""
    return url if url and urlsplit(url).scheme.lower() in ("http", "https") and urlsplit(url).netloc else None


def _stated(fields: Mapping, name: str) -> str | None:
    """The first non-empty value under any common name of a field."""
    for key in FIELD_NAMES[name]:
        value = fields.get(key)
        if isinstance(value, dt.date | dt.datetime):
            return value.isoformat()
        if isinstance(value, str | int | float) and str(value).strip():
            return " ".join(str(value).split())
    return None


def _source_name(fields: Mapping) -> str | None:
    for key in FIELD_NAMES["source"]:
        value = fields.get(key)
        if isinstance(value, Mapping):  # NewsAPI: "source": {"id": ..., "name": ...}
            value = value.get("name")
        if isinstance(value, str) and value.strip():
            return " ".join(value.split())
    return None


def _author(fields: Mapping) -> str | None:
    for key in FIELD_NAMES["author"]:
        value = fields.get(key)
        names = value if isinstance(value, list) else [value]
        names = [n.get("name") if isinstance(n, Mapping) else n for n in names]
        names = [" ".join(n.split()) for n in names if isinstance(n, str) and n.strip()]
        if names:
            return ", ".join(names)
    return None


def parse_date(value: str | None, path: str | None = None) -> str | None:
    """ISO 8601: a date alone as YYYY-MM-DD, a time with its zone converted to UTC; None if it is no date."""
    if not value:
        return None
    text = value.strip()
    try:
        parsed = date_parser.parse(text)
    except (ValueError, OverflowError):
        return None
    has_time = bool(re.search(r"\d:\d\d", text))
    if not has_time:
        return parsed.date().isoformat()
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC)
    return parsed.isoformat(timespec="seconds")


def _front_matter(text: str, path: str | None) -> Mapping:
    try:
        fields = yaml.safe_load(text)
    except yaml.YAMLError as error:
        reason = str(error).splitlines()[0]
        raise ReadError(f"{path}: front matter is not valid YAML ({reason})") from None
    if fields is None:
        return {}
    if not isinstance(fields, Mapping):
        raise ReadError(f"{path}: front matter must be YAML keys and values")
    return fields


def _drop_kicker(before_title: str) -> str:
    """Keep what stands above the headline unless it is only a short label or two."""
    blocks = [block for block in before_title.split("\n\n") if block.strip()]
    if all(len(block.split()) <= MAX_KICKER_WORDS for block in blocks):
        return ""
    return before_title


def _same_title(heading: str, title: str) -> bool:
    return title_skeleton(heading) == title_skeleton(title) or title_skeleton(split_site_suffix(title)[0]) == title_skeleton(heading)


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
    first_line = first_block.split("\n", 1)[0].strip().lstrip("#").strip()
    if len(first_line.split()) <= MAX_TITLE_WORDS:
        return first_line
    return Path(path).stem.replace("-", " ").replace("_", " ") if path else " ".join(first_line.split()[:12])
