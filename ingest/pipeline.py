"""Files -> stored articles: read, split and tag in worker processes, one writer saves."""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlite_utils import Database

from .errors import IngestError, ReadError
from .gazetteer import Gazetteer
from .models import Article, Split, TaggedArticle
from .read import DEFAULT_MAX_BYTES, find_article_files, read_article
from .split import split_paragraphs
from .store import (
    ArticleRows,
    ArticleWriter,
    RetagReport,
    article_rows,
    content_hash,
    known_content_hashes,
    refresh_candidates,
    retag,
    sync_gazetteer,
)
from .tag import Tagger

# Paragraphs saved per transaction in a bulk load.
BATCH_PARAGRAPHS = 2000
# Articles in flight per worker: enough to keep workers busy, bounded so memory stays flat.
IN_FLIGHT_PER_WORKER = 16


@dataclass(frozen=True)
class Failure:
    path: str
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
    """Read one file and cut its body into paragraphs; refuse a file with no body text."""
    article = read_article(path, max_bytes)
    split = split_paragraphs(article.body)
    if not split.paragraphs:
        raise ReadError(f"{path}: no article text found (every block was a title, heading or page furniture)")
    return article, split


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
) -> AddReport:
    """Ingest files and folders into the database; a bad file is reported and the rest go on."""
    sync_gazetteer(db, gazetteer)
    writer, report = ArticleWriter(db), AddReport()
    known = known_content_hashes(db)
    batch: list[ArticleRows] = []
    batch_paragraphs = 0

    def skip(path: Path) -> None:
        report.skipped += 1

    for result in prepare_all(find_article_files(paths, on_skip=skip), gazetteer, workers, max_bytes, known):
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
    if report.new or report.updated:
        refresh_candidates(db)
    return report


Prepared = ArticleRows | Unchanged | Failure


def prepare_all(
    files: Iterable[Path], gazetteer: Gazetteer, workers: int | None, max_bytes: int, known: frozenset[str]
) -> Iterator[Prepared]:
    """Prepare files in order, in worker processes when there are several cores to use."""
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        tagger = Tagger(gazetteer)
        yield from (_prepare(path, tagger, max_bytes, known) for path in files)
        return
    # fork: workers start at once and need no importable __main__; nothing here runs threads yet
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(workers, initializer=_start_worker, initargs=(gazetteer, max_bytes, known)) as pool:
        yield from _bounded_imap(pool, _prepare_in_worker, files, workers * IN_FLIGHT_PER_WORKER)


def _prepare(path: Path, tagger: Tagger, max_bytes: int, known: frozenset[str]) -> Prepared:
    """Read and split a file; tag it unless an identical copy is stored already."""
    try:
        article, split = read_and_split(path, max_bytes)
    except IngestError as error:
        return Failure(str(path), str(error))
    digest = content_hash(article, split.paragraphs)
    if digest in known:
        return Unchanged(str(path))
    tagged = TaggedArticle(article, tagger.tag_paragraphs(split.paragraphs))
    return article_rows(tagged, tagger.actor_names, digest)


# Set once in each worker process by the pool's initializer.
_worker_state: dict = {}


def _start_worker(gazetteer: Gazetteer, max_bytes: int, known: frozenset[str]) -> None:
    _worker_state.update(tagger=Tagger(gazetteer), max_bytes=max_bytes, known=known)


def _prepare_in_worker(path: Path) -> Prepared:
    return _prepare(path, _worker_state["tagger"], _worker_state["max_bytes"], _worker_state["known"])


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
