import pytest

from ingest.gazetteer import TopicRules
from ingest.models import Actor, Paragraph, Topic
from ingest.tag import Tagger

ACTORS = (
    Actor("houthis", "Houthis", "armed_group", ("Ansar Allah",)),
    Actor("red-sea", "Red Sea", "place"),
    Actor("jennifer-kavanagh", "Jennifer Kavanagh", "person"),
    Actor("kurdistan-region", "Kurdistan Region", "place"),
)
TOPICS = (
    Topic("red-sea-and-houthis", "Red Sea", "d", terms=(("shipping", 1.5), ("tanker*", 1.0)), actors=(("houthis", 3.0),)),
    Topic("escalation-risk", "Escalation", "d", terms=(("escalat*", 2.0), ("risk*", 1.0), ("wider war", 2.0), ("war", 1.0))),
    Topic("diplomacy-and-sovereignty", "Diplomacy", "d", terms=(("talks", 1.0), ("bilateral", 1.5))),
    Topic("counter-isis", "ISIS", "d", terms=(("caliphate", 2.0),)),
    Topic("kurdish-affairs", "Kurds", "d", terms=(("kurdistan", 1.5), ("kurds", 1.5)), actors=(("kurdistan-region", 1.5),)),
)


def tagger(threshold=2.0, max_topics=3, carried_threshold=None):
    return Tagger(ACTORS, TopicRules(TOPICS, threshold, max_topics, carried_threshold))


def topics_of(text, **settings):
    [tagged] = tagger(**settings).tag_paragraphs([Paragraph(1, None, text)])
    return [(t.topic_id, t.score, t.evidence) for t in tagged.topics]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Houthis fired at a tanker.", [("red-sea-and-houthis", 4.0, ("Houthis", "tanker*"))]),
        ("Shipping rates rose.", []),
        ("Escalating strikes risk a wider war.", [("escalation-risk", 5.0, ("escalat*", "risk*", "wider war"))]),
        ("Escalation, escalation and more escalation.", [("escalation-risk", 2.0, ("escalat*",))]),
        ("Talks on bilateral ties.", [("diplomacy-and-sovereignty", 2.5, ("talks", "bilateral"))]),
        ("Bilateral war talks", [("diplomacy-and-sovereignty", 2.5, ("bilateral", "talks"))]),
        ("The war widened.", []),
        ("Kurdistan Region officials met.", []),  # the term inside the cue's name counts once
        ("Kurds in the Kurdistan Region.", [("kurdish-affairs", 3.0, ("kurds", "Kurdistan Region"))]),
        ("A wider war looms.", [("escalation-risk", 2.0, ("wider war",))]),  # "war" inside "wider war" adds nothing
        ("A wider war and a war.", [("escalation-risk", 3.0, ("wider war", "war"))]),  # standing alone, it counts
    ],
)
def test_topic_scores_sum_distinct_terms_and_actor_cues(text, expected):
    assert topics_of(text) == expected


def test_topics_are_ordered_by_score_and_capped():
    text = "Ansar Allah attacked shipping near a tanker; escalation risks wider war; bilateral talks; the caliphate."
    assert [t[0] for t in topics_of(text)] == ["red-sea-and-houthis", "escalation-risk", "diplomacy-and-sovereignty"]
    assert [t[0] for t in topics_of(text, max_topics=1)] == ["red-sea-and-houthis"]


def test_threshold_drops_weak_topics():
    assert topics_of("Bilateral talks.", threshold=3.0) == []


@pytest.mark.parametrize(
    ("paragraphs", "expected"),
    [
        # goes on with the article's subject, with some evidence of its own: carried
        (["The Houthis fired at a tanker.", "Shipping rates rose."], [["red-sea-and-houthis"], ["red-sea-and-houthis"]]),
        # raised two paragraphs before: still the article's subject
        (
            ["The Houthis fired at a tanker.", "No one was hurt.", "Shipping rates rose."],
            [["red-sea-and-houthis"], [], ["red-sea-and-houthis"]],
        ),
        # no evidence at all: nothing carried
        (["The Houthis fired at a tanker.", "No one was hurt."], [["red-sea-and-houthis"], []]),
        # a paragraph with a topic of its own takes nothing more
        (
            ["The Houthis fired at a tanker.", "Shipping talks on bilateral ties."],
            [["red-sea-and-houthis"], ["diplomacy-and-sovereignty"]],
        ),
        # a topic not yet raised in the article is not carried
        (["Shipping rates rose.", "The Houthis fired at a tanker."], [[], ["red-sea-and-houthis"]]),
    ],
)
def test_a_paragraph_without_topics_of_its_own_takes_the_articles_with_some_evidence(paragraphs, expected):
    tagged = tagger(carried_threshold=1.0).tag_paragraphs([Paragraph(i, None, text) for i, text in enumerate(paragraphs, 1)])
    assert [[t.topic_id for t in item.topics] for item in tagged] == expected


def test_people_named_in_earlier_paragraphs_are_known_later():
    paragraphs = [Paragraph(1, None, "Jennifer Kavanagh wrote it."), Paragraph(2, None, "Kavanagh said the Red Sea is tense.")]
    tagged = tagger().tag_paragraphs(paragraphs)
    assert [item.actor_ids for item in tagged] == [("jennifer-kavanagh",), ("jennifer-kavanagh", "red-sea")]


def test_each_article_starts_without_known_people():
    t = tagger()
    t.tag_paragraphs([Paragraph(1, None, "Jennifer Kavanagh wrote it.")])
    [tagged] = t.tag_paragraphs([Paragraph(1, None, "Kavanagh said so.")])
    assert tagged.mentions == ()
