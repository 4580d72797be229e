"""Files -> stored articles: read, split and tag in worker processes, one writer saves."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from .database import candidates_due, refresh_candidates
from .errors import IngestError, ReadError
from .gazetteer import Gazetteer
from .models import Article, Split, TaggedArticle
from .read import DEFAULT_MAX_BYTES, Source, find_sources, read_article, read_source
from .split import split_paragraphs
from .store import (
    ArticleRows,
    ArticleWriter,
    RetagReport,
    article_rows,
    content_hash,
    known_content_hashes,
    retag,
    sync_gazetteer,
)
from .tag import Tagger

# A line (a paragraph, at most) longer than this is data, not prose.
MAX_LINE_CHARS = 100_000
# Paragraphs saved per transaction in a bulk load.
BATCH_PARAGRAPHS = 2000
# Articles in flight per worker: enough to keep workers busy, bounded so memory stays flat.
IN_FLIGHT_PER_WORKER = 16


@dataclass(frozen=True)
class Failure:
    """A file or record that could not be read: the message names it and says why."""

    message: str


@dataclass(frozen=True)
class Unchanged:
    """A file whose article is stored already, exactly as it reads now."""

    path: str


@dataclass
class AddReport:
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    failures: list[Failure] = field(default_factory=list)

    def count_all(self, statuses: Iterable[str]) -> None:
        for status in statuses:
            setattr(self, status, getattr(self, status) + 1)

    @property
    def failed(self) -> int:
        return len(self.failures)


def read_and_split(path: Path, max_bytes: int = DEFAULT_MAX_BYTES) -> tuple[Article, Split]:
    """Read a file holding one article and cut its body into paragraphs."""
    article = read_article(path, max_bytes)
    return article, split_article(article)


def split_article(article: Article) -> Split:
    """Cut an article's body into paragraphs; refuse one with no body text, or with a line no article has."""
    longest = max(map(len, article.body.splitlines()), default=0)
    if longest > MAX_LINE_CHARS:
        raise ReadError(f"{article.path}: a line of {longest:,} characters is not article text (the limit is {MAX_LINE_CHARS:,})")
    split = split_paragraphs(article.body)
    if not split.paragraphs:
        raise ReadError(f"{article.path}: no article text found (every block was a title, heading or page furniture)")
    return split


def prepare_article(path: Path, tagger: Tagger, max_bytes: int = DEFAULT_MAX_BYTES) -> TaggedArticle:
    """Read, split and tag one file."""
    article, split = read_and_split(path, max_bytes)
    return TaggedArticle(article, tagger.tag_paragraphs(split.paragraphs))


def add_paths(
    db: Database,
    paths: Iterable[str | Path],
    gazetteer: Gazetteer,
    workers: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_source: Callable[[], None] | None = None,
) -> AddReport:
    """Ingest files, folders, globs and `-` into the database; a bad file is reported and the rest go on.

    `on_source` is called as each file (or JSON Lines record) is done, for a progress bar.
    """
    sync_gazetteer(db, gazetteer)
    writer, report = ArticleWriter(db), AddReport()
    known = known_content_hashes(db)
    batch: list[ArticleRows] = []
    batch_paragraphs = 0

    def skip(path: Path) -> None:
        report.skipped += 1

    for result in _each_result(prepare_all(find_sources(paths, max_bytes, on_skip=skip), gazetteer, workers, max_bytes, known), on_source):
        if isinstance(result, Failure):
            report.failures.append(result)
            continue
        if isinstance(result, Unchanged):
            report.unchanged += 1
            continue
        batch.append(result)
        batch_paragraphs += len(result.paragraphs)
        if batch_paragraphs >= BATCH_PARAGRAPHS:
            report.count_all(writer.save_batch(batch))
            batch, batch_paragraphs = [], 0
    if batch:
        report.count_all(writer.save_batch(batch))
    if candidates_due(db):  # this run wrote, or an earlier one stopped before counting
        refresh_candidates(db)
    return report


Prepared = ArticleRows | Unchanged | Failure
Unit = Source | ReadError


def _each_result(per_source: Iterable[list[Prepared]], on_source: Callable[[], None] | None) -> Iterator[Prepared]:
    for results in per_source:
        yield from results
        if on_source:
            on_source()


def prepare_all(
    units: Iterable[Unit], gazetteer: Gazetteer, workers: int | None, max_bytes: int, known: frozenset[str]
) -> Iterator[list[Prepared]]:
    """Prepare sources in order, in worker processes when there are several cores to use."""
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        tagger = Tagger(gazetteer)
        yield from (_prepare(unit, tagger, max_bytes, known) for unit in units)
        return
    # fork: workers start at once and need no importable __main__; nothing here runs threads yet
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(workers, initializer=_start_worker, initargs=(gazetteer, max_bytes, known)) as pool:
        yield from _bounded_imap(pool, _prepare_in_worker, units, workers * IN_FLIGHT_PER_WORKER)


def _prepare(unit: Unit, tagger: Tagger, max_bytes: int, known: frozenset[str]) -> list[Prepared]:
    """Read a source's articles; split and tag each unless an identical copy is stored already."""
    if isinstance(unit, ReadError):
        return [Failure(str(unit))]
    try:
        articles = read_source(unit, max_bytes)
    except IngestError as error:
        return [Failure(str(error))]
    return [_prepare_article(article, tagger, known) for article in articles]


def _prepare_article(article: Article | ReadError, tagger: Tagger, known: frozenset[str]) -> Prepared:
    if isinstance(article, ReadError):
        return Failure(str(article))
    try:
        split = split_article(article)
    except IngestError as error:
        return Failure(str(error))
    digest = content_hash(article, split.paragraphs)
    if digest in known:
        return Unchanged(article.path or "")
    tagged = TaggedArticle(article, tagger.tag_paragraphs(split.paragraphs))
    return article_rows(tagged, tagger.actor_names, digest)


# Set once in each worker process by the pool's initializer.
_worker_state: dict = {}


def _start_worker(gazetteer: Gazetteer, max_bytes: int, known: frozenset[str]) -> None:
    _worker_state.update(tagger=Tagger(gazetteer), max_bytes=max_bytes, known=known)


def _prepare_in_worker(unit: Unit) -> list[Prepared]:
    return _prepare(unit, _worker_state["tagger"], _worker_state["max_bytes"], _worker_state["known"])


def _bounded_imap(pool, function: Callable, items: Iterable, window: int) -> Iterator:
    """Like Pool.imap, in order, but never more than `window` items ahead of the consumer."""
    pending: deque = deque()
    for item in items:
        pending.append(pool.apply_async(function, (item,)))
        if len(pending) >= window:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def retag_database(db: Database, gazetteer: Gazetteer) -> RetagReport:
    """Re-tag every stored paragraph with this gazetteer."""
    return retag(db, gazetteer, Tagger(gazetteer).tag_paragraphs)
