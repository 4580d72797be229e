"""Time ingest and retag on a generated corpus: copies of the bundled sample and fixtures.

    python benchmarks/ingest_speed.py --paragraphs 100000

Each copy gets its own title and last line, so each is a new article. Prints paragraphs per
second for `add`, an unchanged re-run, and `retag`, and the writer's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from ingest.database import open_database
from ingest.gazetteer import load_gazetteer
from ingest.pipeline import add_paths, read_and_split, retag_database

ROOT = Path(__file__).parent.parent
SOURCES = [ROOT / "samples" / "vox-iraq-coalition-withdrawal.txt", *sorted((ROOT / "tests" / "fixtures" / "articles").glob("*.txt"))]


def write_corpus(folder: Path, paragraphs: int) -> int:
    """Write numbered copies of the source articles until they hold about `paragraphs` paragraphs; return the file count."""
    texts = [path.read_text(encoding="utf-8") for path in SOURCES]
    sizes = [len(read_and_split(path)[1].paragraphs) + 1 for path in SOURCES]
    written = count = 0
    while written < paragraphs:
        index = count % len(texts)
        title, rest = texts[index].split("\n", 1)
        # a numbered title and last line make each copy a different article
        (folder / f"{count:07d}.txt").write_text(f"{title} (copy {count})\n{rest}\n\nThis is copy {count}.\n", encoding="utf-8")
        written += sizes[index]
        count += 1
    return count


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
    gazetteer = load_gazetteer()
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        corpus.mkdir()
        files = write_corpus(corpus, args.paragraphs)
        db = open_database(Path(tmp) / "bench.db")
        timed("add", args.paragraphs, lambda: add_paths(db, [corpus], gazetteer, workers=args.workers))
        stored = db.execute("SELECT count(*) FROM paragraphs").fetchone()[0]
        print(f"{files} files, {stored} paragraphs stored")
        timed("unchanged", stored, lambda: add_paths(db, [corpus], gazetteer, workers=args.workers))
        timed("retag", stored, lambda: retag_database(db, gazetteer))
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory of the writer process: {peak_mb:.0f} MB")


if __name__ == "__main__":
    main()
