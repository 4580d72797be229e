"""Arabic as matching and search compare it: letter forms folded alike, attached prefixes told apart. Pure.

Arabic news writes one word several ways: hamza forms of alef (أ إ آ ا), ta marbuta or
ha at the end (ة ه), alef maqsura or ya (ى ي), with or without diacritics and tatweel,
and with conjunctions, prepositions and the article attached (و ف ب ل ك ال: والعراق,
بالحشد, للعراق). GUIDELINES rule 13 counts all of these as mentions of the name.

The fold maps one code point to one code point, so offsets into folded text are offsets
into the original: the full-text index folds the same way (schema.sql, paragraphs_search)
and search highlights the words of the text as written. Tatweel and diacritics become a
combining grave accent, which the index's tokenizer drops (remove_diacritics) and the
matcher's own fold removes, so "العـراق" and "العِراق" read as "العراق".
"""

from __future__ import annotations

import itertools
import re

# Written in place of tatweel and diacritics: a combining mark that folding drops.
DROPPED_MARK = "\u0300"
_LETTERS = {
    "\u0623": "\u0627",  # أ -> ا
    "\u0625": "\u0627",  # إ -> ا
    "\u0622": "\u0627",  # آ -> ا
    "\u0671": "\u0627",  # ٱ -> ا
    "\u0629": "\u0647",  # ة -> ه
    "\u0649": "\u064a",  # ى -> ي
    "\u06cc": "\u064a",  # Persian yeh -> ي
    "\u06a9": "\u0643",  # Persian keheh -> ك
}
_MARKS = ["\u0640", *map(chr, range(0x064B, 0x0656)), "\u0670"]  # tatweel, harakat, shadda, sukun, superscript alef
_DIGITS = {chr(0x0660 + digit): str(digit) for digit in range(10)}  # ٠-٩
FOLD = str.maketrans({**_LETTERS, **dict.fromkeys(_MARKS, DROPPED_MARK), **_DIGITS})
ARABIC = re.compile("[\u0600-\u06ff]")

CONJUNCTIONS = ("", "و", "ف")
PREPOSITIONS = ("", "ب", "ل", "ك")
ARTICLE = "ال"
# The shortest stem a prefix may be taken from: "وزير" keeps its waw.
MIN_STEM = 3


def is_arabic(text: str) -> bool:
    return ARABIC.search(text) is not None


def fold_arabic(text: str) -> str:
    """Fold letter forms, diacritics, tatweel and digits, one code point for one."""
    return text.translate(FOLD)


def prefixed_forms(word: str) -> tuple[str, ...]:
    """Every way a (folded) word is written with prefixes attached: "العراق" -> والعراق, بالعراق, للعراق, ...

    A word written with the article keeps it; one written without may take it ("انسحاب" -> الانسحاب).
    """
    has_article = word.startswith(ARTICLE)
    stem = word[len(ARTICLE) :] if has_article else word
    articles = (ARTICLE,) if has_article else ("", ARTICLE)
    forms = dict.fromkeys(
        conjunction + ("لل" if preposition == "ل" and article else preposition + article) + stem
        for conjunction, preposition, article in itertools.product(CONJUNCTIONS, PREPOSITIONS, articles)
    )
    return tuple(forms)


def stems(word: str) -> tuple[str, ...]:
    """The words a (folded) token may be with its attached prefixes taken off, itself first: "وللعراق" -> العراق, ...

    A stem keeps the article when the token has one ("بالعراق" -> "العراق"), and is also given without it.
    """
    found = [word]
    for conjunction, preposition in itertools.product(CONJUNCTIONS, PREPOSITIONS):
        prefix = conjunction + preposition
        if not prefix or not word.startswith(prefix):
            continue
        rest = word[len(prefix) :]
        if preposition == "ل" and rest.startswith("ل"):  # ل + العراق is written للعراق
            found.append(ARTICLE + rest[1:])
        found.append(rest)
    found += [stem[len(ARTICLE) :] for stem in list(found) if stem.startswith(ARTICLE)]
    return tuple(stem for stem in dict.fromkeys(found) if len(stem) >= MIN_STEM or stem == word)
