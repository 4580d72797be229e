import json

import pytest

from ingest.errors import DataFileError
from ingest.gazetteer import load_actors, load_topic_rules
from ingest.models import ACTOR_TYPES

GOOD = '{"id": "iraq", "name": "Iraq", "type": "state", "aliases": ["Republic of Iraq"]}'


def test_shipped_gazetteer_covers_every_type_and_the_topics(actors, rules):
    assert len(actors) >= 300
    assert {actor.type for actor in actors} == set(ACTOR_TYPES)
    assert [topic.id for topic in rules.topics] == [
        "us-troop-presence", "militia-attacks", "strikes-and-raids", "counter-isis", "iran-influence",
        "iraqi-politics", "israel-gaza-war", "red-sea-and-houthis", "escalation-risk",
        "diplomacy-and-sovereignty", "kurdish-affairs", "regional-politics", "iran-nuclear",
    ]  # fmt: skip


def test_shipped_people_have_no_bare_surname_aliases(actors):
    """Bare surnames are derived and need a full mention first (GUIDELINES rule 10)."""
    bare = [(a.name, alias) for a in actors if a.type == "person" for alias in a.aliases if len(alias.split()) == 1]
    assert bare == []


def test_arabic_names_roles_and_coordinates_load(tmp_path):
    line = {
        "id": "nouri-al-maliki", "name": "Nouri al-Maliki", "type": "person", "name_ar": "نوري المالكي",
        "roles": [{"title": "Prime Minister of Iraq", "start": "2006-05-20", "end": "2014-09-08", "source": "https://en.wikipedia.org/wiki/Nouri_al-Maliki"}],
    }  # fmt: skip
    place = {
        "id": "tower-22",
        "name": "Tower 22",
        "type": "place",
        "coordinates": {"lat": 33.3, "lon": 38.7, "source": "https://example.org"},
    }
    path = tmp_path / "actors.jsonl"
    path.write_text("\n".join(json.dumps(record, ensure_ascii=False) for record in (line, place)), encoding="utf-8")
    [maliki, tower] = load_actors(path)
    assert maliki.name_ar == "نوري المالكي" and maliki.roles[0].end == "2014-09-08"
    assert (tower.coordinates.lat, tower.coordinates.lon) == (33.3, 38.7)


def test_comments_and_blank_lines_are_skipped(tmp_path):
    path = tmp_path / "actors.jsonl"
    path.write_text(f"# states\n\n{GOOD}\n")
    assert [actor.name for actor in load_actors(path)] == ["Iraq"]


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "the gazetteer is empty; it needs at least one actor"),
        (["{not json"], ":1: not valid JSON (Expecting property name enclosed in double quotes at column 2)"),
        (["[1, 2]"], ":1: expected a JSON object with keys ['id', 'name', 'type']"),
        (['{"id": "iraq", "name": "Iraq"}'], ":1: missing ['type']; expected keys"),
        (['{"id": "iraq", "name": "Iraq", "type": "state", "colour": "red"}'], ":1: unknown keys ['colour']"),
        (['{"id": "Iraq!", "name": "Iraq", "type": "state"}'], ":1: id 'Iraq!' must be a lowercase slug like 'kataib-hezbollah'"),
        (['{"id": "iraq", "name": "Iraq", "type": "country"}'], ":1: type 'country' is not one of person, armed_group"),
        (['{"id": "iraq", "name": "Iraq", "type": "state", "aliases": "Iraq"}'], ":1: aliases must be a list of non-empty strings"),
        (['{"id": "iraq", "name": "Iraq", "type": "state", "wikidata": "796"}'], ":1: wikidata '796' must look like 'Q123' or be empty"),
        ([GOOD, GOOD], ":2: id 'iraq' is used twice"),
        (
            [GOOD, '{"id": "iraq-2", "name": "Iraq", "type": "place"}'],
            ":2: 'Iraq' is already a name or alias of 'iraq'; an alias must name one actor",
        ),
        (
            ['{"id": "kh", "name": "Kataib Hezbollah", "type": "armed_group", "affiliation": "pmf"}'],
            ": actor 'kh' has affiliation 'pmf', which is no actor's id",
        ),
        (['{"id": "iraq", "name": "Iraq", "type": "state", "name_ar": "Iraq"}'], ":1: name_ar 'Iraq' must be written in Arabic script"),
        (['{"id": "x", "name": "X Y", "type": "person", "roles": {"title": "PM"}}'], ":1: roles must be a list of objects"),
        (
            ['{"id": "x", "name": "X Y", "type": "person", "roles": [{"title": "PM", "start": "2006"}]}'],
            ":1: role 1 needs a 'title' and the 'source'",
        ),
        (
            ['{"id": "x", "name": "X Y", "type": "person", "roles": [{"title": "PM", "start": "May 2006", "source": "s"}]}'],
            ":1: role 1 needs a 'start' like 2006-05-20",
        ),
        (
            ['{"id": "x", "name": "X Y", "type": "person", "roles": [{"title": "PM", "start": "2014", "end": "2006", "source": "s"}]}'],
            ":1: role 1 needs a 'start' like 2006-05-20 (or 2006-05, 2006) and an 'end' after it",
        ),
        (
            ['{"id": "x", "name": "X", "type": "place", "coordinates": [33, 44]}'],
            ":1: coordinates must be an object with keys lat, lon and source",
        ),
        (
            ['{"id": "x", "name": "X", "type": "place", "coordinates": {"lat": 95, "lon": 44, "source": "s"}}'],
            ":1: coordinates need a lat between -90 and 90",
        ),
        (
            [
                '{"id": "iraq", "name": "Iraq", "type": "state", "name_ar": "العراق"}',
                '{"id": "iraq-2", "name": "I2", "type": "place", "aliases": ["العراق"]}',
            ],
            ":2: 'العراق' is already",
        ),
    ],
)
def test_bad_gazetteer_lines_are_refused_naming_file_and_line(tmp_path, lines, message):
    path = tmp_path / "actors.jsonl"
    path.write_text("\n".join(lines))
    with pytest.raises(DataFileError) as error:
        load_actors(path)
    assert str(error.value).startswith(f"{path}")
    assert message in str(error.value)


def write_topics(tmp_path, topics, **settings):
    path = tmp_path / "topics.json"
    path.write_text(json.dumps({**settings, "topics": topics}))
    return path


@pytest.mark.parametrize(
    ("topics", "settings", "message"),
    [
        ([], {}, "expected an object with a non-empty 'topics' list"),
        ([{"id": "x", "name": "X"}], {}, "topic 1: expected 'id', 'name' and 'description' strings"),
        (
            [{"id": "x", "name": "X", "description": "d", "terms": {"war": "high"}}],
            {},
            "topic 1 (x): 'terms' must map each entry to a number",
        ),
        (
            [{"id": "x", "name": "X", "description": "d", "terms": {"wa*": 1}}],
            {},
            "term 'wa*' must be words, with '*' only after 4 or more letters",
        ),
        ([{"id": "x", "name": "X", "description": "d", "terms": {"*war": 1}}], {}, "term '*war' must be words"),
        ([{"id": "x", "name": "X", "description": "d", "terms": {}}] * 2, {}, "topic ids must be unique"),
        ([{"id": "x", "name": "X", "description": "d", "terms": {}}], {"max_topics": 0}, "'max_topics' a whole number of at least 1"),
        (
            [{"id": "x", "name": "X", "description": "d", "terms": {}}],
            {"carried_threshold": 3},
            "'carried_threshold' must be a number above 0 and at most 'threshold'",
        ),
    ],
)
def test_bad_topic_rules_are_refused(tmp_path, topics, settings, message):
    path = write_topics(tmp_path, topics, **settings)
    with pytest.raises(DataFileError) as error:
        load_topic_rules(path)
    assert str(error.value).startswith(str(path))
    assert message in str(error.value)


def test_topic_rules_must_name_gazetteer_actors(tmp_path):
    actors = tmp_path / "actors.jsonl"
    actors.write_text(GOOD)
    topics = write_topics(tmp_path, [{"id": "x", "name": "X", "description": "d", "terms": {}, "actors": {"iran": 1}}])
    with pytest.raises(DataFileError, match="topic 'x' cues actor id 'iran', which is not in the gazetteer"):
        load_topic_rules(topics, load_actors(actors))


def test_shipped_topic_rules_load(actors):
    rules = load_topic_rules(actors=actors)
    assert len(rules.topics) == 13 and 0 < rules.carried_threshold < rules.threshold and rules.max_topics == 3
