"""A generated corpus: numbered copies of the bundled sample and the test fixtures, for benchmarks and crash tests."""

from __future__ import annotations

from pathlib import Path

from ingest.pipeline import read_and_split

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
