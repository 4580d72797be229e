"""The `ingest` command: a thin click layer over the library."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from .database import open_database, summary
from .errors import IngestError
from .evaluate import evaluate, format_report
from .gazetteer import load_actors, load_topic_rules
from .pipeline import add_paths, retag_database
from .read import DEFAULT_MAX_BYTES, STDIN, count_sources
from .store import check_store, rebuild_store
from .tag import Tagger

DEFAULT_DB = "db/articles.db"

db_option = click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(dir_okay=False), help="SQLite database to write"
)
actors_option = click.option(
    "--actors", "actors_path", type=click.Path(exists=True, dir_okay=False), help="Gazetteer (JSON Lines) instead of the shipped one"
)
topics_option = click.option(
    "--topics", "topics_path", type=click.Path(exists=True, dir_okay=False), help="Topic rules (JSON) instead of the shipped ones"
)


@click.group()
@click.version_option(package_name="conflict-news-ingest")
def cli():
    """Turn news articles into a searchable, tagged SQLite store for Datasette."""


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@db_option
@actors_option
@topics_option
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes for reading and tagging [default: one per core]")
@click.option(
    "--max-size", type=click.IntRange(min=1), default=DEFAULT_MAX_BYTES, show_default=True, help="Refuse files larger than this many bytes"
)
@click.option("--quiet", "-q", is_flag=True, help="Print nothing but errors")
def add(paths, db_path, actors_path, topics_path, workers, max_size, quiet):
    """Ingest articles: text, Markdown, HTML, JSON and JSON Lines files, folders of them, globs, or - for standard input.

    Example: ingest add samples/ --db db/articles.db
    """
    try:
        actors, rules = _load_data(actors_path, topics_path)
        db = _open(db_path)
        with _progress_bar(paths, enabled=not quiet and sys.stderr.isatty()) as bar:
            report = add_paths(db, paths, actors, rules, workers=workers, max_bytes=max_size, on_source=lambda: bar.update(1))
    except IngestError as error:
        raise click.ClickException(str(error)) from None
    for failure in report.failures:
        click.echo(f"error: {failure.message}", err=True)
    if not quiet:
        skipped = f", {report.skipped} skipped (not an article file)" if report.skipped else ""
        click.echo(f"{report.new} new, {report.updated} updated, {report.unchanged} unchanged, {report.failed} failed{skipped}", err=True)
    if report.failed:
        sys.exit(1)


@cli.command()
@db_option
@actors_option
@topics_option
@click.option("--workers", type=click.IntRange(min=1), help="Worker processes for tagging [default: one per core]")
def retag(db_path, actors_path, topics_path, workers):
    """Tag every stored paragraph again after a gazetteer or topic rules change.

    Example: ingest retag --db db/articles.db
    """
    try:
        actors, rules = _load_data(actors_path, topics_path)
        result = retag_database(_open(db_path), actors, rules, workers=workers)
    except IngestError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"retagged {result.paragraphs} paragraphs; {result.changed} changed", err=True)


existing_db_option = click.option(
    "--db", "db_path", default=DEFAULT_DB, show_default=True, type=click.Path(exists=True, dir_okay=False), help="SQLite database"
)


@cli.command()
@existing_db_option
def check(db_path):
    """Verify a database: SQLite integrity, the full-text index, orphan rows, tag arrays, counts.

    Prints what is wrong, one line each, and exits 1; prints ok and exits 0 when nothing is.

    Example: ingest check --db db/articles.db
    """
    try:
        db = open_database(db_path)
        problems = check_store(db)
    except IngestError as error:
        raise click.ClickException(str(error)) from None
    for problem in problems:
        click.echo(f"problem: {problem}")
    if problems:
        sys.exit(1)
    click.echo(f"ok: {db_path}: {summary(db)}")


@cli.command()
@existing_db_option
def rebuild(db_path):
    """Repair what can be derived: the full-text index, tag arrays, counts and candidates.

    Example: ingest rebuild --db db/articles.db && ingest check --db db/articles.db
    """
    try:
        done = rebuild_store(open_database(db_path))
    except IngestError as error:
        raise click.ClickException(str(error)) from None
    for line in done:
        click.echo(line, err=True)


@cli.command(name="eval")
@click.argument("gold", type=click.Path(exists=True, dir_okay=False))
@actors_option
@topics_option
@click.option("--verbose", "-v", is_flag=True, help="List each paragraph's misses and false alarms")
def eval_command(gold, actors_path, topics_path, verbose):
    """Score paragraphs, actors and topics against a hand-labelled gold file.

    Example: ingest eval gold/seed.json --verbose
    """
    try:
        report = evaluate(gold, Tagger(*_load_data(actors_path, topics_path)))
    except IngestError as error:
        raise click.ClickException(str(error)) from None
    click.echo(format_report(report, verbose=verbose))


@contextlib.contextmanager
def _progress_bar(paths, enabled):
    """A bar on the terminal, counting files and JSON Lines records; silent when piped or quiet."""
    if not enabled or STDIN in paths:
        yield _NoBar()
        return
    with click.progressbar(length=count_sources(paths), label="Ingesting", file=sys.stderr, show_pos=True) as bar:
        yield bar


class _NoBar:
    def update(self, steps):
        pass


def _load_data(actors_path, topics_path):
    actors = load_actors(actors_path)
    return actors, load_topic_rules(topics_path, actors)


def _open(db_path):
    Path(db_path).parent.mkdir(parents=True, exist_ok=True)
    return open_database(db_path)
