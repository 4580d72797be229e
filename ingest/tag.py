"""Paragraphs + gazetteer -> actor mentions and topics, each with its evidence. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .gazetteer import Gazetteer
from .match import WORD, ActorMatcher, Words, fold, tokenize
from .models import Mention, Paragraph, TaggedParagraph, Topic, TopicTag

# Single-word prefix terms are looked up by their first letters.
PREFIX_KEY = 4


@dataclass(frozen=True)
class Term:
    topic_id: str
    text: str
    words: tuple[str, ...]
    is_prefix: bool
    weight: float


@dataclass(frozen=True)
class TermMatch:
    """Where a term was found, in word positions, end exclusive."""

    term: Term
    start: int
    end: int


class TopicScorer:
    """Scores a paragraph against every topic's terms and actor cues in one pass over its words."""

    def __init__(self, topics: Sequence[Topic], actor_ids_by_name: dict[str, str], threshold: float, max_topics: int):
        self.threshold = threshold
        self.max_topics = max_topics
        self.by_first_word: dict[str, list[Term]] = defaultdict(list)
        self.by_prefix: dict[str, list[Term]] = defaultdict(list)
        self.actor_cues: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for topic in topics:
            for text, weight in topic.terms:
                self._add_term(Term(topic.id, text, _term_words(text), text.endswith("*"), weight))
            for name, weight in topic.actors:
                self.actor_cues[actor_ids_by_name[name]].append((topic.id, weight))

    def _add_term(self, term: Term) -> None:
        if term.is_prefix and len(term.words) == 1:
            self.by_prefix[term.words[0][:PREFIX_KEY]].append(term)
        else:
            self.by_first_word[term.words[0]].append(term)

    def score(self, words: Words, actor_ids: Iterable[str], actor_names: dict[str, str]) -> tuple[TopicTag, ...]:
        """The paragraph's topics above the threshold, best first, at most max_topics."""
        evidence: dict[str, dict[str, float]] = defaultdict(dict)
        for term in drop_nested_terms(list(self._terms_in(words.folded))):
            evidence[term.topic_id][term.text] = term.weight
        for actor_id in actor_ids:
            for topic_id, weight in self.actor_cues.get(actor_id, ()):
                evidence[topic_id][actor_names[actor_id]] = weight
        scored = [TopicTag(topic_id, sum(found.values()), tuple(found)) for topic_id, found in evidence.items()]
        kept = [tag for tag in scored if tag.score >= self.threshold]
        kept.sort(key=lambda tag: (-tag.score, tag.topic_id))
        return tuple(kept[: self.max_topics])

    def _terms_in(self, words: Sequence[str]) -> Iterable[TermMatch]:
        for index, word in enumerate(words):
            for term in self.by_first_word.get(word, ()):
                if _term_fits(term, words, index):
                    yield TermMatch(term, index, index + len(term.words))
            for term in self.by_prefix.get(word[:PREFIX_KEY], ()):
                if word.startswith(term.words[0]):
                    yield TermMatch(term, index, index + 1)


def drop_nested_terms(matches: Sequence[TermMatch]) -> list[Term]:
    """A term inside a longer term of the same topic ("troops" in "US troops") adds nothing to it."""
    return [
        match.term
        for match in matches
        if not any(
            other.term.topic_id == match.term.topic_id
            and other.start <= match.start
            and match.end <= other.end
            and other.end - other.start > match.end - match.start
            for other in matches
        )
    ]


def _term_words(text: str) -> tuple[str, ...]:
    return tuple(fold(word) for word in WORD.findall(text))


def _term_fits(term: Term, words: Sequence[str], index: int) -> bool:
    window = tuple(words[index : index + len(term.words)])
    if len(window) < len(term.words):
        return False
    if term.is_prefix:
        return window[:-1] == term.words[:-1] and window[-1].startswith(term.words[-1])
    return window == term.words


class Tagger:
    """Everything needed to tag paragraphs, compiled once from a gazetteer."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self.gazetteer = gazetteer
        self.actor_names = {actor.id: actor.name for actor in gazetteer.actors}
        ids_by_name = {actor.name: actor.id for actor in gazetteer.actors}
        self.matcher = ActorMatcher(gazetteer.actors)
        self.scorer = TopicScorer(gazetteer.topics, ids_by_name, gazetteer.threshold, gazetteer.max_topics)

    def tag_paragraphs(self, paragraphs: Iterable[Paragraph]) -> tuple[TaggedParagraph, ...]:
        """Tag one article's paragraphs in order (people named earlier are known later)."""
        known_people: set[str] = set()
        return tuple(self._tag(paragraph, known_people) for paragraph in paragraphs)

    def _tag(self, paragraph: Paragraph, known_people: set[str]) -> TaggedParagraph:
        words = tokenize(paragraph.text)
        mentions: tuple[Mention, ...] = tuple(self.matcher.find(words, known_people))
        actor_ids = dict.fromkeys(m.actor_id for m in mentions)
        topics = self.scorer.score(words, actor_ids, self.actor_names)
        return TaggedParagraph(paragraph=paragraph, mentions=mentions, topics=topics)
