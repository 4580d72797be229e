"""A generated corpus: numbered copies of the bundled sample and the test fixtures, for benchmarks and crash tests.

Each copy is a Markdown file with front matter: the article's title with its copy number,
its source, and a publication date spread over 2023-2026, so that a store built from it has
months, sources and timelines to show. Its last line names the copy, so each is a new article.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from ingest.read import read_article
from ingest.split import split_paragraphs

ROOT = Path(__file__).parent.parent
SOURCES = [ROOT / "samples" / "vox-iraq-coalition-withdrawal.txt", *sorted((ROOT / "tests" / "fixtures" / "articles").glob("*.txt"))]
FIRST_DAY = dt.date(2023, 1, 1)
DAYS = 1430  # to late November 2026
# A step prime to DAYS: successive copies land on days far apart, every day used.
DAY_STEP = 617


def write_corpus(folder: Path, paragraphs: int) -> int:
    """Write numbered copies of the source articles until they hold about `paragraphs` paragraphs; return the file count."""
    articles = [read_article(path) for path in SOURCES]
    sizes = [len(split_paragraphs(article.body).paragraphs) + 1 for article in articles]
    written = count = 0
    while written < paragraphs:
        index = count % len(articles)
        article = articles[index]
        published = FIRST_DAY + dt.timedelta(days=count * DAY_STEP % DAYS)
        front = {"title": f"{article.title} (copy {count})", "source": article.source or "Unknown", "date": published.isoformat()}
        header = "\n".join(f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in front.items())
        (folder / f"{count:07d}.md").write_text(f"---\n{header}\n---\n\n{article.body}\n\nThis is copy {count}.\n", encoding="utf-8")
        written += sizes[index]
        count += 1
    return count
