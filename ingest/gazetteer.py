"""Load and validate the actor gazetteer (JSON Lines) and the topic rules (JSON)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import DataFileError
from .models import ACTOR_TYPES, Actor, Coordinates, Role, Topic

DATA_DIR = Path(__file__).parent / "data"
DEFAULT_ACTORS = DATA_DIR / "actors.jsonl"
DEFAULT_TOPICS = DATA_DIR / "topics.json"

STRING_KEYS = {"id", "name", "type", "wikipedia", "wikidata", "affiliation", "name_ar"}
ACTOR_KEYS = STRING_KEYS | {"aliases", "roles", "coordinates"}
REQUIRED_ACTOR_KEYS = {"id", "name", "type"}
ROLE_KEYS = {"title", "start", "end", "source"}
# A date as precise as its source gives it: 2006, 2006-05 or 2006-05-20.
PARTIAL_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")
ARABIC_LETTER = re.compile(r"[\u0600-\u06ff]")
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
WIKIDATA_ID = re.compile(r"^Q\d+$")
# "*" may close the last word of a term only: "withdraw*" or "troop withdraw*".
TERM = re.compile(r"^[\w'’.-]+(?: [\w'’.-]+)*\*?$")


@dataclass(frozen=True)
class TopicRules:
    """The topics and how a paragraph earns one: its evidence must reach `threshold`, best `max_topics` kept."""

    topics: tuple[Topic, ...]
    threshold: float
    max_topics: int
    # A paragraph with no topic of its own takes the article's earlier topics that reach this; None: never.
    carried_threshold: float | None = None


def load_actors(path: str | Path | None = None) -> tuple[Actor, ...]:
    """Read actors.jsonl (the shipped one by default): one JSON object a line; blank lines and lines starting with # are skipped."""
    path = Path(path or DEFAULT_ACTORS)
    actors: list[Actor] = []
    ids: set[str] = set()
    alias_owner: dict[str, str] = {}
    for number, line in enumerate(_read_lines(path), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        where = f"{path}:{number}"
        actor = _parse_actor(_parse_json(line, where), where)
        if actor.id in ids:
            raise DataFileError(f"{where}: id {actor.id!r} is used twice")
        ids.add(actor.id)
        _claim_names(actor, alias_owner, where)
        actors.append(actor)
    if not actors:
        raise DataFileError(f"{path}: the gazetteer is empty; it needs at least one actor")
    _check_affiliations(actors, path)
    return tuple(actors)


def _read_lines(path: Path) -> list[str]:
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError(f"{path}: cannot read ({error})") from None


def _parse_json(text: str, where: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DataFileError(f"{where}: not valid JSON ({error.msg} at column {error.colno})") from None


def _parse_actor(record: Any, where: str) -> Actor:
    if not isinstance(record, dict):
        raise DataFileError(f"{where}: expected a JSON object with keys {sorted(REQUIRED_ACTOR_KEYS)}")
    missing, unknown = REQUIRED_ACTOR_KEYS - record.keys(), record.keys() - ACTOR_KEYS
    if missing or unknown:
        problem = f"missing {sorted(missing)}" if missing else f"unknown keys {sorted(unknown)}"
        raise DataFileError(f"{where}: {problem}; expected keys {sorted(ACTOR_KEYS)}")
    strings = {key: record.get(key, "") for key in STRING_KEYS}
    if not all(isinstance(value, str) for value in strings.values()):
        raise DataFileError(f"{where}: {', '.join(sorted(STRING_KEYS))} must be strings")
    aliases = record.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        raise DataFileError(f"{where}: aliases must be a list of non-empty strings")
    if not SLUG.match(strings["id"]):
        raise DataFileError(f"{where}: id {strings['id']!r} must be a lowercase slug like 'kataib-hezbollah'")
    if strings["type"] not in ACTOR_TYPES:
        raise DataFileError(f"{where}: type {strings['type']!r} is not one of {', '.join(ACTOR_TYPES)}")
    if not strings["name"].strip():
        raise DataFileError(f"{where}: name is empty")
    if strings["wikidata"] and not WIKIDATA_ID.match(strings["wikidata"]):
        raise DataFileError(f"{where}: wikidata {strings['wikidata']!r} must look like 'Q123' or be empty")
    if strings["name_ar"] and not ARABIC_LETTER.search(strings["name_ar"]):
        raise DataFileError(f"{where}: name_ar {strings['name_ar']!r} must be written in Arabic script")
    return Actor(
        aliases=tuple(dict.fromkeys(a.strip() for a in aliases)),
        roles=_parse_roles(record.get("roles", []), where),
        coordinates=_parse_coordinates(record.get("coordinates"), where),
        **{key: value.strip() for key, value in strings.items()},
    )


def _parse_roles(roles: Any, where: str) -> tuple[Role, ...]:
    """Offices held: [{"title": ..., "start": "2006-05-20", "end": "2014-09-08", "source": URL}], end "" while held."""
    if not isinstance(roles, list):
        raise DataFileError(f"{where}: roles must be a list of objects with keys {sorted(ROLE_KEYS)}")
    parsed = []
    for number, role in enumerate(roles, start=1):
        if not isinstance(role, dict) or set(role) - ROLE_KEYS or not all(isinstance(role.get(k, ""), str) for k in ROLE_KEYS):
            raise DataFileError(f"{where}: role {number} must be an object of strings with keys {sorted(ROLE_KEYS)}")
        if not role.get("title", "").strip() or not role.get("source", "").strip():
            raise DataFileError(f"{where}: role {number} needs a 'title' and the 'source' it was verified in")
        start, end = role.get("start", ""), role.get("end", "")
        if not PARTIAL_DATE.match(start) or (end and not PARTIAL_DATE.match(end)) or (end and end < start):
            raise DataFileError(f"{where}: role {number} needs a 'start' like 2006-05-20 (or 2006-05, 2006) and an 'end' after it or \"\"")
        parsed.append(Role(role["title"].strip(), start, end, role["source"].strip()))
    return tuple(parsed)


def _parse_coordinates(value: Any, where: str) -> Coordinates | None:
    """{"lat": 33.31, "lon": 44.36, "source": URL}: for a place the shipped GeoNames data does not hold."""
    if value is None:
        return None
    if not isinstance(value, dict) or set(value) != {"lat", "lon", "source"}:
        raise DataFileError(f"{where}: coordinates must be an object with keys lat, lon and source")
    lat, lon, source = value["lat"], value["lon"], value["source"]
    numbers = all(isinstance(x, int | float) and not isinstance(x, bool) for x in (lat, lon))
    if not numbers or not -90 <= lat <= 90 or not -180 <= lon <= 180:
        raise DataFileError(f"{where}: coordinates need a lat between -90 and 90 and a lon between -180 and 180")
    if not isinstance(source, str) or not source.strip():
        raise DataFileError(f"{where}: coordinates need the 'source' they were read from")
    return Coordinates(float(lat), float(lon), source.strip())


def _claim_names(actor: Actor, alias_owner: dict[str, str], where: str) -> None:
    """Refuse a name or alias that another actor already uses."""
    for form in {actor.name, *actor.aliases, *([actor.name_ar] if actor.name_ar else [])}:
        owner = alias_owner.setdefault(form, actor.id)
        if owner != actor.id:
            raise DataFileError(f"{where}: {form!r} is already a name or alias of {owner!r}; an alias must name one actor")


def _check_affiliations(actors: list[Actor], path: Path) -> None:
    ids = {actor.id for actor in actors}
    for actor in actors:
        if actor.affiliation and actor.affiliation not in ids:
            raise DataFileError(f"{path}: actor {actor.id!r} has affiliation {actor.affiliation!r}, which is no actor's id")


def load_topic_rules(path: str | Path | None = None, actors: Sequence[Actor] = ()) -> TopicRules:
    """Read topics.json (the shipped one by default): the thresholds, the most topics a paragraph gets, each topic's rules.

    Every actor cue must be the id of one of `actors`.
    """
    path = Path(path or DEFAULT_TOPICS)
    document = _parse_json("\n".join(_read_lines(path)), str(path))
    if not isinstance(document, dict) or not isinstance(document.get("topics"), list) or not document["topics"]:
        raise DataFileError(f"{path}: expected an object with a non-empty 'topics' list")
    threshold, max_topics = document.get("threshold", 2.0), document.get("max_topics", 3)
    if not isinstance(threshold, (int, float)) or not isinstance(max_topics, int) or max_topics < 1:
        raise DataFileError(f"{path}: 'threshold' must be a number and 'max_topics' a whole number of at least 1")
    carried = document.get("carried_threshold")
    if carried is not None and (not isinstance(carried, (int, float)) or not 0 < carried <= threshold):
        raise DataFileError(f"{path}: 'carried_threshold' must be a number above 0 and at most 'threshold'")
    topics = tuple(_parse_topic(record, f"{path}: topic {index + 1}") for index, record in enumerate(document["topics"]))
    ids = [topic.id for topic in topics]
    if len(set(ids)) != len(ids):
        raise DataFileError(f"{path}: topic ids must be unique")
    known = {actor.id for actor in actors}
    for topic in topics:
        for actor_id, _ in topic.actors:
            if actor_id not in known:
                raise DataFileError(f"{path}: topic {topic.id!r} cues actor id {actor_id!r}, which is not in the gazetteer")
    return TopicRules(topics, float(threshold), max_topics, None if carried is None else float(carried))


def _parse_topic(record: Any, where: str) -> Topic:
    if not isinstance(record, dict) or not all(isinstance(record.get(k), str) for k in ("id", "name", "description")):
        raise DataFileError(f"{where}: expected 'id', 'name' and 'description' strings")
    where = f"{where} ({record['id']})"
    terms = _weights(record.get("terms"), where, "terms")
    for term, _ in terms:
        if not TERM.match(term) or (term.endswith("*") and len(term.split()[-1]) < 5):
            raise DataFileError(f"{where}: term {term!r} must be words, with '*' only after 4 or more letters of the last word")
    actors = _weights(record.get("actors", {}), where, "actors")
    return Topic(id=record["id"], name=record["name"], description=record["description"], terms=terms, actors=actors)


def _weights(mapping: Any, where: str, key: str) -> tuple[tuple[str, float], ...]:
    if not isinstance(mapping, dict) or not all(isinstance(w, (int, float)) for w in mapping.values()):
        raise DataFileError(f"{where}: '{key}' must map each entry to a number (its weight)")
    return tuple((name.strip(), float(weight)) for name, weight in mapping.items())
