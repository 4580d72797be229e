"""Paragraphs + gazetteer -> actor mentions and topics, each with its evidence. Pure."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from .discover import find_candidates
from .gazetteer import TopicRules
from .match import ActorMatcher, Words, tokenize
from .models import Actor, Mention, Paragraph, TaggedParagraph, Topic, TopicTag

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
class Evidence:
    """A term or an actor cue found for a topic, at word positions start to end (exclusive)."""

    topic_id: str
    label: str
    weight: float
    start: int
    end: int


class TopicScorer:
    """Scores a paragraph against every topic's terms and actor cues in one pass over its words."""

    def __init__(
        self,
        topics: Sequence[Topic],
        threshold: float,
        max_topics: int,
        carried_threshold: float | None = None,
    ):
        self.threshold = threshold
        self.carried_threshold = carried_threshold
        self.max_topics = max_topics
        self.by_first_word: dict[str, list[Term]] = defaultdict(list)
        self.by_prefix: dict[str, list[Term]] = defaultdict(list)
        self.actor_cues: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for topic in topics:
            for text, weight in topic.terms:
                self._add_term(Term(topic.id, text, _term_words(text), text.endswith("*"), weight))
            for actor_id, weight in topic.actors:
                self.actor_cues[actor_id].append((topic.id, weight))

    def _add_term(self, term: Term) -> None:
        if term.is_prefix and len(term.words) == 1:
            self.by_prefix[term.words[0][:PREFIX_KEY]].append(term)
        else:
            self.by_first_word[term.words[0]].append(term)

    def score(
        self, words: Words, mentions: Sequence[Mention], actor_names: dict[str, str], raised: Collection[str] = ()
    ) -> tuple[TopicTag, ...]:
        """The paragraph's topics above the threshold, best first, at most max_topics.

        A paragraph that reaches no topic by itself often goes on with the article's subject
        without naming it again ("The strikes came hours after..."): it takes the topics the
        article has `raised` so far for which its own evidence reaches `carried_threshold`.
        """
        found = [*self._terms_in(words.folded), *self._cues_in(words, mentions, actor_names)]
        evidence: dict[str, dict[str, float]] = defaultdict(dict)
        first_seen: dict[str, int] = {}
        for item in sorted(drop_nested(found), key=lambda item: item.start):
            evidence[item.topic_id][item.label] = item.weight
            first_seen.setdefault(item.topic_id, item.start)
        scored = [TopicTag(topic_id, sum(labels.values()), tuple(labels)) for topic_id, labels in evidence.items()]
        kept = [tag for tag in scored if tag.score >= self.threshold]
        if not kept and self.carried_threshold is not None:
            kept = [tag for tag in scored if tag.topic_id in raised and tag.score >= self.carried_threshold]
        # On a tie, the topic the paragraph raises first is the more central one.
        kept.sort(key=lambda tag: (-tag.score, first_seen[tag.topic_id]))
        return tuple(kept[: self.max_topics])

    def _terms_in(self, words: Sequence[str]) -> Iterable[Evidence]:
        for index, word in enumerate(words):
            for term in self.by_first_word.get(word, ()):
                if _term_fits(term, words, index):
                    yield Evidence(term.topic_id, term.text, term.weight, index, index + len(term.words))
            for term in self.by_prefix.get(word[:PREFIX_KEY], ()):
                if word.startswith(term.words[0]):
                    yield Evidence(term.topic_id, term.text, term.weight, index, index + 1)

    def _cues_in(self, words: Words, mentions: Sequence[Mention], actor_names: dict[str, str]) -> Iterable[Evidence]:
        starts = [start for start, _ in words.spans]
        for mention in mentions:
            first, end = bisect.bisect_left(starts, mention.start), bisect.bisect_left(starts, mention.end)
            for topic_id, weight in self.actor_cues.get(mention.actor_id, ()):
                yield Evidence(topic_id, actor_names[mention.actor_id], weight, first, end)


def drop_nested(found: Sequence[Evidence]) -> list[Evidence]:
    """Evidence inside longer evidence for the same topic adds nothing to it.

    "troops" inside "US troops", or "Kurdish" inside the name "Kurdish Security Forces".
    """
    return [
        item
        for item in found
        if not any(
            other.topic_id == item.topic_id
            and other.start <= item.start
            and item.end <= other.end
            and other.end - other.start > item.end - item.start
            for other in found
        )
    ]


def _term_words(text: str) -> tuple[str, ...]:
    """A term's words as paragraphs' words are compared (the same tokenizer, folded)."""
    return tokenize(text).folded


def _term_fits(term: Term, words: Sequence[str], index: int) -> bool:
    window = tuple(words[index : index + len(term.words)])
    if len(window) < len(term.words):
        return False
    if term.is_prefix:
        return window[:-1] == term.words[:-1] and window[-1].startswith(term.words[-1])
    return window == term.words


class Tagger:
    """Everything needed to tag paragraphs, compiled once from the gazetteer and the topic rules."""

    def __init__(self, actors: Sequence[Actor], rules: TopicRules) -> None:
        self.actors = tuple(actors)
        self.rules = rules
        self.actor_names = {actor.id: actor.name for actor in actors}
        self.matcher = ActorMatcher(actors)
        self.scorer = TopicScorer(rules.topics, rules.threshold, rules.max_topics, rules.carried_threshold)

    def tag_paragraphs(self, paragraphs: Iterable[Paragraph]) -> tuple[TaggedParagraph, ...]:
        """Tag one article's paragraphs in order (people named and topics raised earlier are known later)."""
        known_people: set[str] = set()
        raised: set[str] = set()
        tagged = []
        for paragraph in paragraphs:
            tagged.append(self._tag(paragraph, known_people, raised))
            raised.update(tag.topic_id for tag in tagged[-1].topics)
        return tuple(tagged)

    def _tag(self, paragraph: Paragraph, known_people: set[str], raised: set[str]) -> TaggedParagraph:
        words = tokenize(paragraph.text)
        mentions: tuple[Mention, ...] = tuple(self.matcher.find(words, known_people))
        topics = self.scorer.score(words, mentions, self.actor_names, raised)
        return TaggedParagraph(paragraph, mentions, topics, find_candidates(words, mentions))
