"""Find actor names in text: whole words, longest first, case-aware acronyms, coreference.

The matching policy (GUIDELINES section 2):
- names are matched on whole word tokens, so "Iran" is not in "Iranian" and
  "Israel's", "U.S.-led" and "anti-ISIS" name Israel, the US and ISIS;
- hyphens, dashes and spaces between words are interchangeable, other
  punctuation between words (the dots of "U.S.") must be as written;
- a word written in capitals or with inner capitals ("US", "IS", "HaN") matches
  only that spelling, a capitalised word needs a capital in the text, a lower
  case word ("al", "of") matches any case; a short acronym that is also an
  English word is not a name inside a run of capitals ("YOUR TIME IS UP");
- overlapping matches are resolved by `resolve_overlaps`: longest first, then
  earliest, so nested names are not counted again;
- a person's bare surname counts only once the full name has appeared earlier
  in the same article.
"""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from .models import Actor, Mention

# A word, unless it is the "s" of a possessive ("Iran's", "Iran’s").
WORD_NOT_POSSESSIVE = re.compile(r"(?!(?<=\w['’])[sS]\b)\w+")
DASHES_AND_SPACES = re.compile(r"[\s\-‐‑‒–—―]+")
POSSESSIVE = re.compile(r"'[sS]$|'[sS](?=\W)")
APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
# Letters that transliterations add or drop freely: ayn and hamza marks.
SILENT_MARKS = str.maketrans("", "", "ʿʾʼ")
# Acronyms that are also English words lose their name reading in all-caps runs.
WORD_LIKE_ACRONYMS = frozenset(
    [
        "AM",
        "AN",
        "AS",
        "AT",
        "BE",
        "DO",
        "GO",
        "HE",
        "IF",
        "IN",
        "IS",
        "IT",
        "ME",
        "MY",
        "NO",
        "OF",
        "ON",
        "OR",
        "SO",
        "TO",
        "UP",
        "US",
        "WE",
        "WHO",
    ]
)
# From this length an acronym also matches written as a word: "Centcom", "Unifil".
LONG_ACRONYM = 5
# Parts of a name that are not a surname on their own.
NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv"})
ARABIC_ARTICLE = re.compile(r"^(?:al|el|Al|El)-(?=\w)")
KUNYA = frozenset({"abu", "umm"})

EXACT, CAPITAL, ANY_CASE = "exact", "capital", "any"


@dataclass(frozen=True)
class Pattern:
    """One surface form of one actor, as the matcher compares it."""

    actor_id: str
    surface: str
    words: tuple[str, ...]
    cases: tuple[str, ...]
    gaps: tuple[str, ...]
    # an abbreviation's closing dot ("U.S.") belongs to the mention when the text has it
    ends_with_dot: bool = False
    needs_antecedent: bool = False


@dataclass(frozen=True)
class Candidate:
    actor_id: str
    start: int
    end: int
    needs_antecedent: bool


@dataclass(frozen=True)
class Words:
    """A paragraph's words: where each stands in the text and how it compares."""

    text: str
    spans: tuple[tuple[int, int], ...]
    folded: tuple[str, ...]


def word_spans(text: str) -> list[tuple[int, int]]:
    """Where the words are, leaving out possessive "s" so that "Assad's regime" reads as "Assad regime"."""
    return [m.span() for m in WORD_NOT_POSSESSIVE.finditer(text)]


def tokenize(text: str) -> Words:
    spans = tuple(word_spans(text))
    return Words(text, spans, tuple(fold(text[start:end]) for start, end in spans))


@dataclass
class _Node:
    children: dict[str, _Node] = field(default_factory=dict)
    patterns: list[Pattern] = field(default_factory=list)


@functools.lru_cache(maxsize=1 << 16)
def fold(token: str) -> str:
    """Compare words without case, diacritics or ayn/hamza marks."""
    if token.isascii():
        return token.lower()
    decomposed = unicodedata.normalize("NFKD", token.translate(SILENT_MARKS))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def case_rule(token: str) -> str:
    if any(ch.isupper() for ch in token[1:]) or (len(token) == 1 and token.isupper()):
        return EXACT
    return CAPITAL if token[:1].isupper() else ANY_CASE


def normalise_gap(gap: str) -> str:
    """Spaces, hyphens and dashes between words are alike, and so is a possessive's "'s"."""
    return DASHES_AND_SPACES.sub("", POSSESSIVE.sub("", gap.translate(APOSTROPHES)))


def compile_pattern(actor_id: str, surface: str, needs_antecedent: bool = False) -> Pattern | None:
    """Turn a written name into the tokens, case rules and gaps the matcher checks."""
    spans = word_spans(surface)
    if not spans:
        return None
    tokens = [surface[start:end] for start, end in spans]
    gaps = tuple(normalise_gap(surface[a[1] : b[0]]) for a, b in itertools.pairwise(spans))
    cases = tuple(case_rule(t) for t in tokens)
    ends_with_dot = surface[spans[-1][1] :].strip() == "."
    return Pattern(actor_id, surface, tuple(tokens), cases, gaps, ends_with_dot, needs_antecedent)


def surname_forms(name: str) -> list[str]:
    """The short forms a person is called by after a first full mention: "al-Sudani", "Sudani"."""
    words = [w for w in name.split() if fold(w).strip(".") not in NAME_SUFFIXES]
    if len(words) < 2 or fold(words[0]) in KUNYA:
        return []
    last = words[-1]
    bare = ARABIC_ARTICLE.sub("", last)
    return [last] if bare == last else [last, bare]


class ActorMatcher:
    """A word trie over every actor name and alias, built once per gazetteer."""

    def __init__(self, actors: Iterable[Actor]) -> None:
        self.root = _Node()
        self.person_ids: set[str] = set()
        actors = list(actors)
        written = {form for actor in actors for form in (actor.name, *actor.aliases)}
        for actor in actors:
            for form in (actor.name, *actor.aliases):
                self._add(compile_pattern(actor.id, form))
            if actor.type == "person":
                self.person_ids.add(actor.id)
                self._add_surnames(actor, written)

    def _add_surnames(self, actor: Actor, written: set[str]) -> None:
        forms = {short for full in (actor.name, *actor.aliases) for short in surname_forms(full)}
        for form in sorted(forms - written):
            self._add(compile_pattern(actor.id, form, needs_antecedent=True))

    def _add(self, pattern: Pattern | None) -> None:
        if pattern is None:
            return
        node = self.root
        for token in pattern.words:
            node = node.children.setdefault(fold(token), _Node())
        node.patterns.append(pattern)

    def find(self, words: Words, known_people: set[str]) -> list[Mention]:
        """Find the actor mentions in one paragraph, given the people already named before it.

        `known_people` gains the people this paragraph names in full.
        """
        text = words.text
        candidates = self._candidates(words)
        named_here = {c.actor_id for c in candidates if not c.needs_antecedent and c.actor_id in self.person_ids}
        antecedents = known_people | named_here
        usable = drop_ambiguous_surnames([c for c in candidates if not c.needs_antecedent or c.actor_id in antecedents])
        mentions = []
        for candidate in sorted(resolve_overlaps(usable), key=lambda c: c.start):
            if candidate.needs_antecedent and candidate.actor_id not in known_people:
                continue
            if candidate.actor_id in self.person_ids:
                known_people.add(candidate.actor_id)
            surface = text[candidate.start : candidate.end]
            mentions.append(Mention(candidate.actor_id, candidate.start, candidate.end, surface))
        return mentions

    def _candidates(self, words: Words) -> list[Candidate]:
        text, spans, folded = words.text, words.spans, words.folded
        found = []
        starts = self.root.children
        for first in (index for index, word in enumerate(folded) if word in starts):
            node = self.root
            for last in range(first, len(spans)):
                node = node.children.get(folded[last])
                if node is None:
                    break
                for pattern in node.patterns:
                    if _fits(pattern, text, spans, first, last):
                        end = spans[last][1] + (pattern.ends_with_dot and text[spans[last][1] : spans[last][1] + 1] == ".")
                        found.append(Candidate(pattern.actor_id, spans[first][0], end, pattern.needs_antecedent))
        return found


def _fits(pattern: Pattern, text: str, spans: Sequence[tuple[int, int]], first: int, last: int) -> bool:
    """Check a trie hit against the pattern's case rules and the punctuation between its words."""
    for offset, (rule, expected) in enumerate(zip(pattern.cases, pattern.words, strict=True)):
        start, end = spans[first + offset]
        if not _case_fits(rule, text[start:end], expected):
            return False
    for offset, gap in enumerate(pattern.gaps):
        if normalise_gap(text[spans[first + offset][1] : spans[first + offset + 1][0]]) != gap:
            return False
    return not (len(pattern.cases) == 1 and _in_capitals_run(text, spans, first))


def _case_fits(rule: str, word: str, expected: str) -> bool:
    if rule == EXACT:
        return word == expected or _same_long_name(word, expected)
    return rule == ANY_CASE or word[:1].isupper()


def _same_long_name(word: str, expected: str) -> bool:
    """A long name keeps its reading in other capitals: "MCGURK" for "McGurk", "Centcom" for "CENTCOM".

    Short acronyms do not: "Rand" is not RAND, "Us" is not US.
    """
    if len(expected) > 3 and word.isupper():
        return word == expected.upper()
    return len(expected) >= LONG_ACRONYM and expected.isupper() and word == expected.capitalize()


def _in_capitals_run(text: str, spans: Sequence[tuple[int, int]], index: int) -> bool:
    """A word-like acronym ("US", "IS") flanked by words in capitals is shouting, not a name."""
    word = text[spans[index][0] : spans[index][1]]
    if word not in WORD_LIKE_ACRONYMS:
        return False
    neighbours = [text[s:e] for s, e in spans[max(index - 1, 0) : index + 2] if (s, e) != spans[index]]
    return any(len(n) > 1 and n.isupper() and n.isalpha() for n in neighbours)


def drop_ambiguous_surnames(candidates: list[Candidate]) -> list[Candidate]:
    """A surname shared by two people named earlier ("Barzani") is not guessed."""
    people_by_span: dict[tuple[int, int], set[str]] = defaultdict(set)
    for c in candidates:
        if c.needs_antecedent:
            people_by_span[(c.start, c.end)].add(c.actor_id)
    return [c for c in candidates if not c.needs_antecedent or len(people_by_span[(c.start, c.end)]) == 1]


def resolve_overlaps(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Keep the longest of overlapping matches, then the earliest; a full name beats a surname."""
    kept: list[Candidate] = []
    ordered = sorted(candidates, key=lambda c: (-(c.end - c.start), c.needs_antecedent, c.start))
    for candidate in ordered:
        if all(candidate.end <= k.start or candidate.start >= k.end for k in kept):
            kept.append(candidate)
    return kept
