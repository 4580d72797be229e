"""Files -> stored articles, and stored paragraphs -> new tags: worker processes read, split and tag; one writer saves."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from pathlib import Path

from sqlite_utils import Database

from .errors import IngestError, ReadError
from .gazetteer import TopicRules
from .geo import locate_places
from .models import Actor, Article, Paragraph, Split, TaggedArticle, TaggedParagraph, content_hash
from .read import DEFAULT_MAX_BYTES, Source, find_sources, read_source
from .split import split_paragraphs
from .store import AddStatus, Writer, drop_unused_actors, gazetteer_changed, is_stored, refresh_due, retag_spans, sync_gazetteer
from .tag import Tagger

# A line (a paragraph, at most) longer than this is data, not prose.
MAX_LINE_CHARS = 100_000
# Paragraphs saved per transaction.
BATCH_PARAGRAPHS = 2000
# Paragraphs read and tagged again together by `retag` (whole articles).
RETAG_SPAN = 2000
# Work in flight per worker: enough to keep workers busy, bounded so memory stays flat.
IN_FLIGHT_PER_WORKER = 16


@dataclass(frozen=True)
class Failure:
    """A file or record that could not be read: the message names it and says why."""

    message: str


@dataclass(frozen=True)
class Unchanged:
    """An article stored already, exactly as it reads now: not tagged again."""

    path: str


@dataclass
class AddReport:
    statuses: Counter[AddStatus] = field(default_factory=Counter)
    skipped: int = 0
    failures: list[Failure] = field(default_factory=list)

    @property
    def new(self) -> int:
        return self.statuses[AddStatus.NEW]

    @property
    def updated(self) -> int:
        return self.statuses[AddStatus.UPDATED]

    @property
    def unchanged(self) -> int:
        return self.statuses[AddStatus.UNCHANGED]

    @property
    def failed(self) -> int:
        return len(self.failures)


@dataclass(frozen=True)
class RetagReport:
    paragraphs: int
    changed: int


def split_article(article: Article) -> Split:
    """Cut an article's body into paragraphs; refuse one with no body text, or with a line no article has."""
    longest = max(map(len, article.body.splitlines()), default=0)
    if longest > MAX_LINE_CHARS:
        raise ReadError(f"{article.path}: a line of {longest:,} characters is not article text (the limit is {MAX_LINE_CHARS:,})")
    split = split_paragraphs(article.body)
    if not split.paragraphs:
        raise ReadError(f"{article.path}: no article text found (every block was a title, heading or page furniture)")
    return split


def read_articles(unit: Unit, max_bytes: int = DEFAULT_MAX_BYTES) -> list[tuple[Article, Split] | Failure]:
    """Read a source (a file, a JSON export of many articles, a record) and split each article: the one way articles are read."""
    if isinstance(unit, ReadError):
        return [Failure(str(unit))]
    try:
        articles = read_source(unit, max_bytes)
    except IngestError as error:
        return [Failure(str(error))]
    return [_split(article) for article in articles]


def tag_article_file(path: str | Path, tagger: Tagger) -> TaggedArticle:
    """Read, split and tag a file that holds one article (a gold file's article, say)."""
    results = read_articles(Source(str(path)))
    if len(results) != 1:
        raise ReadError(f"{path}: holds {len(results)} articles where one was expected")
    if isinstance(results[0], Failure):
        raise ReadError(results[0].message)
    article, split = results[0]
    return TaggedArticle(article, tagger.tag_paragraphs(split.paragraphs))


def _split(article: Article | ReadError) -> tuple[Article, Split] | Failure:
    if isinstance(article, ReadError):
        return Failure(str(article))
    try:
        return article, split_article(article)
    except IngestError as error:
        return Failure(str(error))


def sync_data(db: Database, actors: Sequence[Actor], rules: TopicRules) -> None:
    """Write the gazetteer, its places and the topics into the database, and finish anything an upgrade left due."""
    refresh_due(db)
    if gazetteer_changed(db, actors, rules.topics):  # locating places takes a moment: only when needed
        sync_gazetteer(db, actors, rules.topics, locate_places(actors))


def add_paths(
    db: Database,
    paths: Iterable[str | Path],
    actors: Sequence[Actor],
    rules: TopicRules,
    workers: int | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    on_source: Callable[[], None] | None = None,
) -> AddReport:
    """Ingest files, folders, globs and `-` into the database; a bad file is reported and the rest go on.

    `on_source` is called as each file (or JSON Lines record) is done, for a progress bar.
    """
    sync_data(db, actors, rules)
    writer, report = Writer(db), AddReport()

    def skip(path: Path) -> None:
        report.skipped += 1

    sources = find_sources(paths, max_bytes, on_skip=skip)
    batch: list[TaggedArticle] = []
    size = 0
    for result in _each_result(prepare_all(sources, actors, rules, workers, max_bytes, _path_of(db)), on_source):
        if isinstance(result, Failure):
            report.failures.append(result)
        elif isinstance(result, Unchanged):
            report.statuses[AddStatus.UNCHANGED] += 1
        else:
            batch.append(result)
            size += len(result.paragraphs)
            if size >= BATCH_PARAGRAPHS:
                report.statuses.update(writer.save(batch))
                batch, size = [], 0
    if batch:
        report.statuses.update(writer.save(batch))
    writer.finish()
    return report


Prepared = TaggedArticle | Unchanged | Failure
Unit = Source | ReadError


def _each_result(per_source: Iterable[list[Prepared]], on_source: Callable[[], None] | None) -> Iterator[Prepared]:
    for results in per_source:
        yield from results
        if on_source:
            on_source()


def _path_of(db: Database) -> str | None:
    """The database file, for workers to look up stored articles in; None for a database in memory."""
    name = db.execute("PRAGMA database_list").fetchone()[2]
    return name or None


def prepare_all(
    units: Iterable[Unit], actors: Sequence[Actor], rules: TopicRules, workers: int | None, max_bytes: int, db_path: str | None
) -> Iterator[list[Prepared]]:
    """Prepare sources in order, in worker processes when there are several cores to use."""
    workers = workers or os.cpu_count() or 1
    if workers == 1:
        worker = _Worker(actors, rules, max_bytes, db_path)
        yield from (worker.prepare(unit) for unit in units)
        return
    yield from _in_workers(workers, _prepare_in_worker, units, (actors, rules, max_bytes, db_path))


class _Worker:
    """What a worker process holds: the tagger, and a read-only view of the stored articles."""

    def __init__(self, actors: Sequence[Actor], rules: TopicRules, max_bytes: int, db_path: str | None) -> None:
        self.tagger = Tagger(actors, rules)
        self.max_bytes = max_bytes
        self.db_path = db_path
        self.stored = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True) if db_path else None

    def prepare(self, unit: Unit) -> list[Prepared]:
        """Read a source's articles; tag each unless an identical copy is stored already."""
        return [self._tag(item) if isinstance(item, tuple) else item for item in read_articles(unit, self.max_bytes)]

    def _tag(self, read: tuple[Article, Split]) -> TaggedArticle | Unchanged:
        article, split = read
        if self.stored and is_stored(self.stored, content_hash(article, split.paragraphs)):
            return Unchanged(article.path or "")
        return TaggedArticle(article, self.tagger.tag_paragraphs(split.paragraphs))

    def retag(self, span: tuple[int, int]) -> tuple[int, int, list[tuple[int, TaggedParagraph]]]:
        """Tag paragraphs first..last again, article by article."""
        first, last = span
        rows = self.stored.execute(
            "SELECT id, article_id, position, section, text FROM paragraphs WHERE id BETWEEN ? AND ? ORDER BY id", span
        ).fetchall()
        tagged = []
        for _, article_rows in groupby(rows, key=lambda row: row[1]):
            article_rows = list(article_rows)
            paragraphs = [Paragraph(position, section, text) for _, _, position, section, text in article_rows]
            tagged += zip([row[0] for row in article_rows], self.tagger.tag_paragraphs(paragraphs), strict=True)
        return first, last, tagged


# Set once in each worker process by the pool's initializer.
_worker: list[_Worker] = []


def _start_worker(actors: Sequence[Actor], rules: TopicRules, max_bytes: int, db_path: str | None) -> None:
    _worker.append(_Worker(actors, rules, max_bytes, db_path))


def _prepare_in_worker(unit: Unit) -> list[Prepared]:
    return _worker[0].prepare(unit)


def _retag_in_worker(span: tuple[int, int]) -> tuple[int, int, list[tuple[int, TaggedParagraph]]]:
    return _worker[0].retag(span)


def _in_workers(workers: int, function: Callable, items: Iterable, initargs: tuple) -> Iterator:
    """`function` over `items` in a pool of worker processes, results in order, at most a bounded window ahead."""
    # fork: workers start at once and need no importable __main__; nothing here runs threads yet
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")
    with context.Pool(workers, initializer=_start_worker, initargs=initargs) as pool:
        pending: deque = deque()
        for item in items:
            pending.append(pool.apply_async(function, (item,)))
            if len(pending) >= workers * IN_FLIGHT_PER_WORKER:
                yield pending.popleft().get()
        while pending:
            yield pending.popleft().get()


def retag_database(db: Database, actors: Sequence[Actor], rules: TopicRules, workers: int | None = None) -> RetagReport:
    """Tag every stored paragraph again with these actors and topic rules, in worker processes, through the one writer."""
    sync_data(db, actors, rules)
    writer = Writer(db)
    db_path = _path_of(db)
    workers = (workers or os.cpu_count() or 1) if db_path else 1
    spans = list(retag_spans(db, RETAG_SPAN))
    if workers == 1:
        worker = _Worker(actors, rules, DEFAULT_MAX_BYTES, db_path)
        worker.stored = worker.stored or db.conn
        results: Iterable = (worker.retag(span) for span in spans)
    else:
        results = _in_workers(workers, _retag_in_worker, spans, (actors, rules, DEFAULT_MAX_BYTES, db_path))
    paragraphs = changed = 0
    for first, last, tagged in results:
        changed += writer.replace_tags(first, last, tagged)
        paragraphs += len(tagged)
    drop_unused_actors(db, [actor.id for actor in actors])
    writer.finish()
    return RetagReport(paragraphs, changed)
