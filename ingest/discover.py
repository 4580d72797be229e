"""Find names the gazetteer does not know, for an analyst to review. Pure.

A candidate is a run of two or more capitalised words ("Hussein al-Tamimi",
"Nineveh Provincial Council") that does not end in a known actor's mention. Sentence-opening
words, titles and dates are trimmed off the run; a title in front of it
("Gen. ...", "spokesman ...") or an appositive after it ("..., a senior
fellow at ...") marks it as a person, a head word such as "Brigades" or
"Ministry" suggests an organisation's type.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence

from .match import Words
from .models import Candidate, Mention

# Lower-case words that may sit inside a name: "Abu Bakr al-Baghdadi", "Ministry of the Interior".
CONNECTORS = frozenset({"al", "el", "bin", "ibn", "bint", "of", "the", "for", "de", "du", "van", "von"})
# Capitalised words that open sentences rather than names.
OPENERS = frozenset(
    """a an and as at but by during for from he her his if in it its meanwhile on our she since so that the their there these
    they this those to under we when where while with after before however although according despite last next still yet
    also then now once both each every many most some such what which who why how""".split()  # noqa: SIM905 (a word list reads best as words)
)
DATES = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may june july august
    september october november december jan feb mar apr jun jul aug sep sept oct nov dec""".split()  # noqa: SIM905 (a word list reads best as words)
)
# Titles and offices written before a person's name.
TITLES = frozenset(
    """president minister secretary gen general lt col maj adm admiral sgt capt brig cmdr lieutenant colonel major
    captain commander chief spokesman spokeswoman spokesperson ambassador envoy sen senator rep mr mrs ms dr sheikh
    shaykh ayatollah imam king queen prince emir sultan speaker leader coordinator director undersecretary chairman
    chair mayor governor judge""".split()  # noqa: SIM905 (a word list reads best as words)
)
# Last word of a name -> the actor type it suggests.
HEAD_WORDS = {
    **dict.fromkeys(["brigade", "brigades", "battalion", "battalions", "militia", "front", "movement", "resistance"], "armed_group"),
    **dict.fromkeys(["ministry", "council", "parliament", "government", "cabinet", "embassy", "consulate", "assembly"], "government"),
    **dict.fromkeys(["army", "corps", "command", "forces", "force", "navy", "guard", "division", "fleet"], "military"),
    **dict.fromkeys(["institute", "center", "centre", "foundation", "endowment", "program", "programme"], "think_tank"),
    **dict.fromkeys(["party", "bloc", "coalition", "alliance"], "political_party"),
    **dict.fromkeys(["news", "times", "post", "agency", "network", "television", "radio", "journal"], "media"),
    **dict.fromkeys(["nations", "organization", "organisation", "union", "league", "committee", "fund", "bank"], "international_org"),
}
# What may stand between two words of one name: a space or a hyphen ("al-Tamimi").
NAME_GAP = re.compile(r"^(?: |-|‐|‑)$")
# "X, a senior fellow at Y", "X, the group's spokesman", "X, who leads ..."
APPOSITIVE = re.compile(r"^,\s+(?:(?:a|an|the)\s+(?:[\w'’-]+\s+){0,4}(?:at|of|with|for|to)\b|who\s)")
# Endings of demonyms and other adjectives: "Shiite Iraqi" and "Iraqi Kurdish" name nobody.
ADJECTIVE_ENDINGS = ("i", "ian", "ish", "ese", "ite", "an")
MIN_WORDS = 2
MAX_WORDS = 8


def find_candidates(words: Words, mentions: Sequence[Mention]) -> tuple[Candidate, ...]:
    """Unknown capitalised names in a paragraph, outside every known actor's mention."""
    runs = [run for run in _name_runs(words) if len(run) >= MIN_WORDS]
    if not runs:  # most paragraphs: no two capitalised words side by side
        return ()
    known = _covered_words(words, mentions)
    return tuple(candidate for run in runs if (candidate := _trim(words, run, known)))


def _covered_words(words: Words, mentions: Sequence[Mention]) -> set[int]:
    """Indexes of the words inside known actors' mentions."""
    starts = [start for start, _ in words.spans]
    covered: set[int] = set()
    for mention in mentions:
        first = max(bisect.bisect_right(starts, mention.start) - 1, 0)
        last = bisect.bisect_left(starts, mention.end)
        covered.update(i for i in range(first, last) if words.spans[i][1] > mention.start)
    return covered


def _name_runs(words: Words) -> Iterator[list[int]]:
    """Runs of word indexes that read as one name: capitalised words, joined by connectors, with no punctuation between."""
    text, spans, folded = words.text, words.spans, words.folded
    run: list[int] = []
    for index, (start, _) in enumerate(spans):
        capitalised = text[start].isupper()
        if not capitalised and not (run and folded[index] in CONNECTORS):
            if run:
                yield run
                run = []
            continue
        if run and not NAME_GAP.match(text[spans[index - 1][1] : start]):
            yield run
            run = []
        run.append(index)
    if run:
        yield run


def _trim(words: Words, run: list[int], known: set[int]) -> Candidate | None:
    folded = words.folded
    titles = [position for position, index in enumerate(run) if folded[index] in TITLES]
    # Words up to the last title are the title ("Iraqi Prime Minister"); the name follows it.
    titled = bool(titles) and titles[-1] + 1 < len(run) and folded[run[titles[-1] + 1]] not in CONNECTORS
    run = run[titles[-1] + 1 :] if titles else run
    while run and folded[run[0]] in OPENERS | DATES | CONNECTORS:
        run = run[1:]
    while run and folded[run[-1]] in CONNECTORS:
        run = run[:-1]
    if not MIN_WORDS <= sum(folded[i] not in CONNECTORS for i in run) <= MAX_WORDS or any(folded[i] in DATES for i in run):
        return None
    if all(folded[i].endswith(ADJECTIVE_ENDINGS) for i in run):
        return None
    # A known name may open an unknown one ("Nineveh Provincial Council"), but a
    # run that ends in one is that actor with words in front of it.
    if run[-1] in known:
        return None
    start, end = words.spans[run[0]][0], words.spans[run[-1]][1]
    person = titled or APPOSITIVE.match(words.text[end:]) or _follows_title(words, run[0])
    return Candidate(words.text[start:end], start, end, "person" if person else HEAD_WORDS.get(folded[run[-1]], ""))


def _follows_title(words: Words, index: int) -> bool:
    """A lower-case title just before the name: "spokesman John Kirby", "Gen. ..." at sentence start."""
    return index > 0 and words.folded[index - 1] in TITLES
