import json

import pytest

from ingest.errors import DataFileError
from ingest.evaluate import Counts, evaluate, evaluate_extraction, label_key, load_gold, shingle_scores
from ingest.gazetteer import TopicRules
from ingest.models import Actor, Topic
from ingest.tag import Tagger

from .conftest import FIXTURES, ROOT, SEED_GOLD

BENCH = ROOT.parent / "shared" / "bench" / "extraction"

FLOORS = json.loads((FIXTURES / "quality_floors.json").read_text())


@pytest.mark.parametrize(("gold", "floors"), FLOORS["tagging"].items())
def test_tagging_quality_stays_above_its_floors(gold, floors, tagger):
    report = evaluate(SEED_GOLD.parent.parent / gold, tagger)
    assert all(ok for article in report.articles for _, ok, _ in article.checks), report.articles
    scores = {bucket: round(counts.f1, 3) for bucket, counts in report.counts.items()}
    assert all(scores[bucket] >= floor for bucket, floor in floors.items()), scores


@pytest.mark.skipif(not BENCH.is_dir(), reason="the extraction benchmark (../shared/bench/extraction) is not on this machine")
def test_html_extraction_stays_above_its_floors_on_the_benchmark():
    scores = evaluate_extraction(BENCH)
    assert scores["pages"] == 181
    assert all(scores[name] >= floor for name, floor in FLOORS["extraction"].items()), scores


@pytest.mark.parametrize(
    ("extracted", "expected", "precision", "recall"),
    [
        ("one two three four five", "one two three four five", 1.0, 1.0),
        ("one two three four five six", "one two three four five", 0.667, 1.0),
        ("", "one two three four", 0.0, 0.0),
        ("alpha beta", "alpha beta", 1.0, 1.0),
    ],
)
def test_shingle_scores_follow_the_benchmark_metric(extracted, expected, precision, recall):
    scores = shingle_scores([(extracted, expected)])
    assert (round(scores["precision"], 3), round(scores["recall"], 3)) == (precision, recall)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("U.S.", "US"),
        ("Harakat al-Nujaba", "Harakat al Nujaba"),
        ("Combined Joint Task Force – Operation Inherent Resolve", "combined joint task force operation inherent resolve"),
    ],
)
def test_label_keys_ignore_dots_dashes_and_case(a, b):
    assert label_key(a) == label_key(b)


def test_scores():
    assert (Counts(8, 2, 0).precision, Counts(8, 2, 0).recall, round(Counts(8, 2, 2).f1, 3)) == (0.8, 1.0, 0.8)


TAGGER = Tagger(
    (
        Actor("iran", "Iran", "state"),
        Actor("hamas", "Hamas", "armed_group"),
        Actor("kh", "Kataib Hezbollah", "armed_group", ("KH",)),
    ),
    TopicRules(topics=(Topic("israel-gaza-war", "War", "d", terms=(), actors=(("hamas", 2.0),)),), threshold=2.0, max_topics=3),
)


def write_gold(tmp_path, body, paragraphs):
    (tmp_path / "samples").mkdir()
    (tmp_path / "samples" / "a.txt").write_text("Headline – Site.com\n\n" + body)
    gold = {
        "actors": {"Iran": {"type": "state", "aliases": []}, "Hamas": {"type": "armed_group", "aliases": []},
                   "Kataib Hezbollah": {"type": "armed_group", "aliases": ["KH", "Kata'ib Hizballah"]}},
        "articles": [
            {"file": "samples/a.txt", "title": "Headline", "source": "Site", "sections": [], "dropped": [], "paragraphs": paragraphs}
        ],
    }  # fmt: skip
    (tmp_path / "gold").mkdir()
    path = tmp_path / "gold" / "gold.json"
    path.write_text(json.dumps(gold))
    return path


def paragraph(position, text, actors, topics=(), optional_actors=()):
    return {"position": position, "section": None, "text": text, "actors": list(actors), "optional_actors": list(optional_actors),
            "topics": list(topics), "optional_topics": []}  # fmt: skip


def test_splitting_a_gold_paragraph_in_two_loses_nothing(tmp_path):
    gold = write_gold(tmp_path, "Iran armed the group in the north.\n\nHamas fought in the south.", [
        paragraph(1, "Iran armed the group in the north. Hamas fought in the south.", ["Iran", "Hamas"], ["israel-gaza-war"])])  # fmt: skip
    counts = evaluate(gold, TAGGER).counts
    assert [(c.tp, c.fp, c.fn) for c in counts.values()] == [(1, 0, 0), (1, 0, 0), (1, 0, 0)]


def test_merging_two_gold_paragraphs_costs_precision(tmp_path):
    gold = write_gold(tmp_path, "Iran armed the group in the north. Hamas fought in the south.", [
        paragraph(1, "Iran armed the group in the north.", ["Iran"]), paragraph(2, "Hamas fought in the south.", ["Hamas"])])  # fmt: skip
    counts = evaluate(gold, TAGGER).counts
    assert (counts["actors"].tp, counts["actors"].fp, counts["places"].tp, counts["places"].fp) == (1, 1, 1, 1)


def test_aliases_match_and_optional_labels_do_not_count(tmp_path):
    gold = write_gold(tmp_path, "KH and Iran met.", [paragraph(1, "KH and Iran met.", ["Kataib Hezbollah"], optional_actors=["Iran"])])
    counts = evaluate(gold, TAGGER).counts
    assert (counts["actors"].tp, counts["places"].tp, counts["places"].fp) == (1, 0, 0)


def test_gold_labels_must_be_in_the_registry(tmp_path):
    gold = write_gold(tmp_path, "Iran met.", [paragraph(1, "Iran met.", ["Tehran"])])
    with pytest.raises(DataFileError, match="actor 'Tehran' is not in the gold registry"):
        load_gold(gold)
