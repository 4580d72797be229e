"""Time ingest and retag on a generated corpus: copies of the bundled sample and fixtures.

    python -m benchmarks.ingest_speed --paragraphs 100000

Each copy gets its own title and last line, so each is a new article. Prints paragraphs per
second for `add`, an unchanged re-run, and `retag`, and the writer's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from benchmarks.corpus import write_corpus
from ingest.database import open_database
from ingest.gazetteer import load_actors, load_topic_rules
from ingest.pipeline import add_paths, retag_database


def timed(label: str, paragraphs: int, action) -> None:
    start = time.perf_counter()
    result = action()
    seconds = time.perf_counter() - start
    print(f"{label:<10} {seconds:8.1f} s  {paragraphs / seconds:10,.0f} paragraphs/s  {result}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paragraphs", type=int, default=100_000)
    parser.add_argument("--workers", type=int)
    args = parser.parse_args()
    actors = load_actors()
    rules = load_topic_rules(actors=actors)
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        files = write_corpus(corpus, args.paragraphs)
        db = open_database(Path(tmp) / "bench.db")
        timed("add", args.paragraphs, lambda: add_paths(db, [corpus], actors, rules, workers=args.workers))
        stored = db.execute("SELECT count(*) FROM paragraphs").fetchone()[0]
        print(f"{files} files, {stored} paragraphs stored")
        timed("unchanged", stored, lambda: add_paths(db, [corpus], actors, rules, workers=args.workers))
        timed("retag", stored, lambda: retag_database(db, actors, rules, workers=args.workers))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the writer process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
