"""Frozen values passed between the stages: read -> split -> tag -> store."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass

ACTOR_TYPES = (
    "person",
    "armed_group",
    "government",
    "military",
    "state",
    "place",
    "international_org",
    "think_tank",
    "media",
    "political_party",
)
PLACE_TYPES = frozenset({"state", "place"})
PLAIN_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


@dataclass(frozen=True)
class Article:
    """One article as read from a file, before it is split into paragraphs."""

    title: str
    body: str
    source: str | None = None
    url: str | None = None
    published: str | None = None
    author: str | None = None
    path: str | None = None
    guessed: tuple[str, ...] = ()
    format: str = "text"


@dataclass(frozen=True)
class Paragraph:
    position: int
    section: str | None
    text: str


@dataclass(frozen=True)
class Split:
    """The body of an article cut into paragraphs, with what was dropped."""

    paragraphs: tuple[Paragraph, ...]
    sections: tuple[str, ...]
    dropped: tuple[str, ...]


@dataclass(frozen=True)
class Role:
    """An office held from `start` to `end` (ISO dates, as precise as the source: 2006, 2006-05 or 2006-05-20; end "" while held)."""

    title: str
    start: str
    end: str
    source: str


@dataclass(frozen=True)
class Coordinates:
    """Where a place is, with the source the figures were read from."""

    lat: float
    lon: float
    source: str


@dataclass(frozen=True)
class Actor:
    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    wikipedia: str = ""
    wikidata: str = ""
    affiliation: str = ""
    # the name as Arabic-language media write it; other Arabic spellings are aliases
    name_ar: str = ""
    roles: tuple[Role, ...] = ()
    coordinates: Coordinates | None = None


@dataclass(frozen=True)
class Topic:
    id: str
    name: str
    description: str
    terms: tuple[tuple[str, float], ...]
    actors: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class Mention:
    """One place in a paragraph where an actor is named: text[start:end] == surface."""

    actor_id: str
    start: int
    end: int
    surface: str


@dataclass(frozen=True)
class TopicTag:
    topic_id: str
    score: float
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Candidate:
    """A name no known actor covers, at text[start:end], with the actor type its context suggests ("" when none)."""

    name: str
    start: int
    end: int
    kind: str


@dataclass(frozen=True)
class TaggedParagraph:
    paragraph: Paragraph
    mentions: tuple[Mention, ...]
    topics: tuple[TopicTag, ...]
    candidates: tuple[Candidate, ...] = ()

    @property
    def actor_ids(self) -> tuple[str, ...]:
        """Distinct actors in order of first mention."""
        return tuple(dict.fromkeys(m.actor_id for m in self.mentions))


@dataclass(frozen=True)
class TaggedArticle:
    article: Article
    paragraphs: tuple[TaggedParagraph, ...]


def content_hash(article: Article, paragraphs: Iterable[Paragraph]) -> str:
    """Hash everything stored of an article but its tags: an equal hash is an unchanged copy."""
    metadata = [article.title, article.source, article.url, article.published, article.author, list(article.guessed)]
    content = [metadata, [(p.section, p.text) for p in paragraphs]]
    return hashlib.sha256(json.dumps(content, ensure_ascii=False).encode()).hexdigest()


def text_hash(paragraphs: Iterable[Paragraph]) -> str:
    """Hash the paragraph text alone, case, spacing and quote style folded: the same article from another format or title."""
    folded = "\n".join(" ".join(p.text.casefold().translate(PLAIN_QUOTES).split()) for p in paragraphs)
    return hashlib.sha256(folded.encode()).hexdigest()


def title_key(title: str) -> str:
    """A title folded for identity: lower case, letters and digits only."""
    return "".join(ch for ch in title.casefold() if ch.isalnum())
