"""Measure HTML extraction against the article-body benchmark in ../shared/bench/extraction.

    python -m benchmarks.extraction [BENCH_DIR]

Each saved page goes through the same path as `ingest add page.html`, and the
stored text (section headings and paragraphs, in order) is scored against the
labelled body with the benchmark's metric: word 4-gram shingles, precision
averaged over pages with output, recall over all pages, F1 of the two means.
The pages are read where they are, never copied.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ingest.evaluate import evaluate_extraction

DEFAULT_BENCH = Path(__file__).resolve().parent.parent.parent / "shared" / "bench" / "extraction"


def main() -> None:
    bench = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_BENCH
    start = time.perf_counter()
    scores = evaluate_extraction(bench)
    seconds = time.perf_counter() - start
    print(f"pages {scores['pages']}  empty {scores['empty']}  {seconds / scores['pages']:.3f} s/page")
    print(f"P {scores['precision']:.3f}  R {scores['recall']:.3f}  F1 {scores['f1']:.3f}")


if __name__ == "__main__":
    main()
