"""Score the pipeline against a gold file, as GUIDELINES section 4 describes."""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import DataFileError, IngestError
from .models import PLACE_TYPES, Actor, TaggedArticle, TaggedParagraph
from .pipeline import split_article, tag_article_file
from .read import Source, read_source
from .tag import Tagger

BUCKETS = ("actors", "places", "topics")
# A predicted paragraph belongs to a gold paragraph when this share of its words lie inside it.
INSIDE_SHARE = 0.8
WORDS = re.compile(r"\w+")


def label_key(name: str) -> str:
    """Compare names without case, full stops, hyphens, dashes or extra spaces: "U.S." = "US"."""
    return " ".join(re.sub(r"[-‐‑‒–—―]", " ", name.replace(".", "")).casefold().split())


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class ArticleReport:
    file: str
    checks: list[tuple[str, bool, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class EvalReport:
    counts: dict[str, Counts] = field(default_factory=lambda: {bucket: Counts() for bucket in BUCKETS})
    articles: list[ArticleReport] = field(default_factory=list)


@dataclass(frozen=True)
class GoldActor:
    name: str
    type: str
    keys: frozenset[str]


def load_gold(path: str | Path) -> tuple[dict[str, GoldActor], list[dict[str, Any]]]:
    """Read a gold file: its actor registry and its articles, checked for the fields scoring needs."""
    path = Path(path)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise DataFileError(f"{path}: cannot read gold file ({error})") from None
    if not isinstance(document, dict) or not isinstance(document.get("actors"), dict) or not isinstance(document.get("articles"), list):
        raise DataFileError(f"{path}: a gold file is an object with an 'actors' registry and an 'articles' list")
    registry = {
        name: GoldActor(name, entry.get("type", ""), frozenset(label_key(n) for n in (name, *entry.get("aliases", []))))
        for name, entry in document["actors"].items()
    }
    for article in document["articles"]:
        for paragraph in article.get("paragraphs", []):
            for name in paragraph.get("actors", []) + paragraph.get("optional_actors", []):
                if name not in registry:
                    raise DataFileError(f"{path}: {article.get('file')}: actor {name!r} is not in the gold registry")
    return registry, document["articles"]


def evaluate(gold_path: str | Path, tagger: Tagger) -> EvalReport:
    """Run read, split and tag on each gold article and count matches per bucket."""
    gold_path = Path(gold_path)
    registry, articles = load_gold(gold_path)
    actors = {actor.id: actor for actor in tagger.actors}
    report = EvalReport()
    for gold in articles:
        path = gold_path.parent.parent / gold["file"]
        try:
            tagged = tag_article_file(path, tagger)
        except IngestError as error:
            raise DataFileError(f"{gold_path}: {error}") from None
        report.articles.append(_score_article(gold, tagged, registry, actors, report.counts))
    return report


def _score_article(
    gold: dict, tagged: TaggedArticle, registry: dict[str, GoldActor], actors: dict[str, Actor], counts: dict[str, Counts]
) -> ArticleReport:
    result = ArticleReport(file=gold["file"])
    _check_structure(gold, tagged, result)
    gold_paragraphs = gold.get("paragraphs", [])
    groups, unaligned = align(gold_paragraphs, tagged.paragraphs)
    for gold_paragraph, predicted in zip(gold_paragraphs, groups, strict=True):
        where = f"paragraph {gold_paragraph.get('position')}"
        predicted_actors = {actor_id for item in predicted for actor_id in item.actor_ids}
        predicted_topics = {tag.topic_id for item in predicted for tag in item.topics}
        _score_actors(gold_paragraph, predicted_actors, registry, actors, counts, result, where)
        _score_topics(gold_paragraph, predicted_topics, counts, result, where)
    for item in unaligned:
        where = f"unaligned predicted paragraph {item.paragraph.position}"
        _score_actors({}, set(item.actor_ids), registry, actors, counts, result, where)
        _score_topics({}, {tag.topic_id for tag in item.topics}, counts, result, where)
    return result


def _check_structure(gold: dict, tagged: TaggedArticle, result: ArticleReport) -> None:
    paragraphs = tagged.paragraphs
    gold_sections = [p.get("section") for p in gold.get("paragraphs", [])]
    sections = [item.paragraph.section for item in paragraphs]
    texts = {" ".join(item.paragraph.text.split()) for item in paragraphs}
    kept = [d for d in gold.get("dropped", []) if " ".join(d.split()) in texts]
    result.checks += [
        ("title", tagged.article.title == gold.get("title"), repr(tagged.article.title)),
        ("source", tagged.article.source == gold.get("source"), repr(tagged.article.source)),
        ("paragraphs", len(paragraphs) == len(gold_sections), f"{len(paragraphs)} (gold {len(gold_sections)})"),
        ("sections", sections == gold_sections, f"{len(set(filter(None, sections)))} headings (gold {len(gold.get('sections', []))})"),
        ("furniture dropped", not kept, f"{len(gold.get('dropped', [])) - len(kept)} of {len(gold.get('dropped', []))}"),
    ]


def words(text: str) -> set[str]:
    return set(WORDS.findall(text.casefold()))


def align(
    gold_paragraphs: Sequence[dict], predicted: Sequence[TaggedParagraph]
) -> tuple[list[list[TaggedParagraph]], list[TaggedParagraph]]:
    """Give each gold paragraph the predicted ones inside it (80% of their words) and its best match."""
    gold_words = [words(p.get("text", "")) for p in gold_paragraphs]
    predicted_words = [words(item.paragraph.text) for item in predicted]
    groups: list[list[TaggedParagraph]] = [[] for _ in gold_paragraphs]
    used: set[int] = set()
    for index, (item, item_words) in enumerate(zip(predicted, predicted_words, strict=True)):
        for group, gold in zip(groups, gold_words, strict=True):
            if item_words and len(item_words & gold) >= INSIDE_SHARE * len(item_words):
                group.append(item)
                used.add(index)
    for group, gold in zip(groups, gold_words, strict=True):
        best = max(range(len(predicted)), key=lambda i: len(predicted_words[i] & gold), default=None)
        if best is not None and predicted_words[best] & gold and predicted[best] not in group:
            group.append(predicted[best])
            used.add(best)
    return groups, [item for index, item in enumerate(predicted) if index not in used]


def _score_actors(
    gold_paragraph: dict,
    predicted: Iterable[str],
    registry: dict[str, GoldActor],
    actors: dict[str, Actor],
    counts: dict[str, Counts],
    result: ArticleReport,
    where: str,
) -> None:
    required = {registry[name] for name in gold_paragraph.get("actors", [])}
    optional = {registry[name] for name in gold_paragraph.get("optional_actors", [])}
    found: set[GoldActor] = set()
    for actor_id in predicted:
        actor = actors[actor_id]
        keys = {label_key(n) for n in (actor.name, *actor.aliases)}
        matched = [g for g in required | optional if g.keys & keys]
        found.update(g for g in matched if g in required)
        if not matched:
            counts[_bucket(actor.type)].fp += 1
            result.notes.append(f"{where}: false alarm {actor.name} ({actor.type})")
    for gold_actor in required:
        hit = gold_actor in found
        if hit:
            counts[_bucket(gold_actor.type)].tp += 1
        else:
            counts[_bucket(gold_actor.type)].fn += 1
            result.notes.append(f"{where}: missed {gold_actor.name} ({gold_actor.type})")


def _score_topics(gold_paragraph: dict, predicted: set[str], counts: dict[str, Counts], result: ArticleReport, where: str) -> None:
    required = set(gold_paragraph.get("topics", []))
    optional = set(gold_paragraph.get("optional_topics", []))
    topic_counts = counts["topics"]
    topic_counts.tp += len(predicted & required)
    for topic in sorted(predicted - required - optional):
        topic_counts.fp += 1
        result.notes.append(f"{where}: false alarm topic {topic}")
    for topic in sorted(required - predicted):
        topic_counts.fn += 1
        result.notes.append(f"{where}: missed topic {topic}")


def _bucket(actor_type: str) -> str:
    return "places" if actor_type in PLACE_TYPES else "actors"


def format_report(report: EvalReport, verbose: bool = False) -> str:
    """The report as text, ending with the scores so the last lines carry them."""
    lines = []
    for article in report.articles:
        lines.append(f"article {article.file}")
        lines += [f"  {'ok  ' if ok else 'FAIL'} {name}: {detail}" for name, ok, detail in article.checks]
        if verbose:
            lines += [f"  {note}" for note in article.notes]
    lines.append(f"{'bucket':<8} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}")
    for bucket, c in report.counts.items():
        lines.append(f"{bucket:<8} {c.precision:>6.3f} {c.recall:>6.3f} {c.f1:>6.3f} {c.tp:>5} {c.fp:>5} {c.fn:>5}")
    return "\n".join(lines)


def shingles(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    """Overlapping word n-grams (a text shorter than `size` words is one shorter shingle)."""
    tokens = WORDS.findall(text)
    if len(tokens) < size:
        return Counter([tuple(tokens)]) if tokens else Counter()
    return Counter(tuple(tokens[i : i + size]) for i in range(len(tokens) - size + 1))


def shingle_scores(pairs: Sequence[tuple[str, str]]) -> dict[str, float]:
    """Extraction scores over (extracted, expected) pairs, as the article-extraction benchmark defines them.

    Precision is averaged over pages with output, recall over all pages; F1 joins the two means.
    """
    precisions, recalls = [], []
    for extracted, expected in pairs:
        got, want = shingles(extracted), shingles(expected)
        matched = sum((got & want).values())
        if got:
            precisions.append(matched / sum(got.values()))
        recalls.append(matched / sum(want.values()) if want else 1.0)
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pages": len(pairs), "empty": len(pairs) - len(precisions), "precision": precision, "recall": recall, "f1": f1}


def evaluate_extraction(bench: Path) -> dict[str, float]:
    """Score HTML extraction on the article-body benchmark: each saved page read as `ingest add page.html` reads it."""
    truth = json.loads((bench / "ground-truth.json").read_text())
    pairs = []
    for page_id, labelled in sorted(truth.items()):
        html = gzip.decompress((bench / "html" / f"{page_id}.html.gz").read_bytes())
        pairs.append((stored_text(html, f"{page_id}.html"), labelled["articleBody"]))
    return shingle_scores(pairs)


def stored_text(html: bytes, name: str) -> str:
    """What ingest keeps of a page: section headings and paragraphs, in order ('' if it refuses the page)."""
    try:
        [article] = read_source(Source(name, html, "html"))
        split = split_article(article)
    except IngestError:
        return ""
    parts, section = [], None
    for paragraph in split.paragraphs:
        if paragraph.section and paragraph.section != section:
            parts.append(paragraph.section)
        section = paragraph.section
        parts.append(paragraph.text)
    return "\n\n".join(parts)
