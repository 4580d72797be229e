"""What a user types in the search box -> an FTS5 query for paragraphs_fts. Pure.

The language is FTS5's own, read forgivingly: words (all must appear), "exact phrases",
prefix* words, AND, OR, NOT, parentheses, NEAR(a b, 10) and the column filters
`section:` and `text:`. A word with punctuation in it ("U.S.-led", "Iraq's") is read as
the phrase it is. Arabic words are folded as the index folds them and may carry
attached prefixes: "إيران" also finds "وإيران" and "لإيران" (ingest/arabic.py).

Malformed input (an unclosed quote or parenthesis, an operator with nothing on one
side) raises SearchSyntaxError, whose message says what is wrong; in words-only mode
(`syntax=False`, as Datasette's `_search` without `_searchmode=raw`) every input is
valid: each word or run of punctuation is a phrase, all of them required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .arabic import DROPPED_MARK, fold_arabic, is_arabic, prefixed_forms, stems

COLUMNS = ("text", "section")
OPERATORS = ("AND", "OR", "NOT")
# A search with more terms than this is more likely a pasted document than a question.
MAX_TERMS = 64
TOKEN = re.compile(r'\s*(?:(?P<phrase>"(?:[^"]|"")*")(?P<phrase_star>\*)?|(?P<open>\()|(?P<close>\))|(?P<comma>,)|(?P<word>[^\s()",]+))')


class SearchSyntaxError(ValueError):
    """A search the query language cannot read; the message says what is wrong and where."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    position: int
    star: bool = False


def compile_query(text: str, syntax: bool = True) -> str:
    """The FTS5 MATCH expression for a search; "" when there is nothing to search for."""
    if not text.strip():
        return ""
    if not syntax:
        return " AND ".join(_expanded(chunk, star=False) for chunk in text.split() if _words(chunk))
    return _Parser(_tokenize(text)).parse()


def _tokenize(text: str) -> list[_Token]:
    tokens, position = [], 0
    while position < len(text):
        if not text[position:].strip():
            break
        match = TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise SearchSyntaxError(f"a quotation mark at character {text.index(chr(34), position) + 1} is not closed")
        kind = next(kind for kind in ("phrase", "open", "close", "comma", "word") if match[kind] is not None)
        tokens.append(_Token(kind, match[kind], match.start(kind), bool(match["phrase_star"])))
        position = match.end()
    if len(tokens) > MAX_TERMS:
        raise SearchSyntaxError(f"the search has {len(tokens)} terms; at most {MAX_TERMS} are searched at once")
    return tokens


class _Parser:
    """Recursive descent over the tokens, FTS5's precedence: NOT binds tightest, then AND, then OR."""

    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.at = 0

    def parse(self) -> str:
        expression = self._or()
        if self._peek() is not None:
            token = self._peek()
            if token.kind == "close":
                raise SearchSyntaxError(f"the closing parenthesis at character {token.position + 1} has no opening one")
            raise SearchSyntaxError(f"cannot read {token.text!r} at character {token.position + 1}")
        return expression

    def _peek(self) -> _Token | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _take(self) -> _Token:
        token = self.tokens[self.at]
        self.at += 1
        return token

    def _is_operator(self, name: str) -> bool:
        token = self._peek()
        return token is not None and token.kind == "word" and token.text == name

    def _or(self) -> str:
        parts = [self._and()]
        while self._is_operator("OR"):
            self._take()
            parts.append(self._and())
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def _and(self) -> str:
        parts = [self._not()]
        while (token := self._peek()) is not None and token.kind != "close" and not self._is_operator("OR"):
            if self._is_operator("AND"):
                self._take()
            parts.append(self._not())
        return parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")"

    def _not(self) -> str:
        expression = self._unary()
        while self._is_operator("NOT"):
            self._take()
            expression = f"({expression} NOT {self._unary()})"
        return expression

    def _unary(self) -> str:
        token = self._peek()
        if token is None:
            previous = self.tokens[self.at - 1] if self.at else None
            where = f"after {previous.text!r}" if previous else "here"
            raise SearchSyntaxError(f"a search term is missing {where}")
        if token.kind == "open":
            self._take()
            inner = self._or()
            if self._peek() is None or self._peek().kind != "close":
                raise SearchSyntaxError(f"the parenthesis at character {token.position + 1} is not closed")
            self._take()
            return f"({inner})"
        if token.kind in ("close", "comma") or token.text in OPERATORS:
            raise SearchSyntaxError(f"{token.text!r} at character {token.position + 1} needs a search term before it")
        if token.kind == "word" and token.text == "NEAR" and self._next_is_open():
            return self._near()
        self._take()
        column, _, rest = token.text.partition(":")
        if token.kind == "word" and column in COLUMNS and _:
            if not rest:
                return f"{column} : {self._unary()}"
            return f"{column} : {_term(_Token('word', rest, token.position + len(column) + 1))}"
        return _term(token)

    def _next_is_open(self) -> bool:
        return self.at + 1 < len(self.tokens) and self.tokens[self.at + 1].kind == "open"

    def _near(self) -> str:
        start = self._take()
        self._take()  # (
        phrases, distance = [], None
        while (token := self._peek()) is not None and token.kind not in ("close", "comma"):
            self._take()
            if token.kind == "open" or token.text in OPERATORS:
                raise SearchSyntaxError(f"NEAR( at character {start.position + 1} takes only words and phrases")
            phrases.append(_phrase(token.text.strip('"').replace('""', '"'), token.star or token.text.endswith("*")))
        if self._peek() is not None and self._peek().kind == "comma":
            self._take()
            number = self._take() if self._peek() is not None else None
            if number is None or not number.text.isdigit():
                raise SearchSyntaxError(f"the distance in NEAR( at character {start.position + 1} must be a whole number")
            distance = int(number.text)
        if self._peek() is None or self._peek().kind != "close" or len(phrases) < 2:
            raise SearchSyntaxError(f"NEAR( at character {start.position + 1} needs two or more terms and a closing parenthesis")
        self._take()
        return f"NEAR({' '.join(phrases)}{f', {distance}' if distance is not None else ''})"


def _term(token: _Token) -> str:
    """A word or a phrase as FTS5 reads it, Arabic words with their prefixed forms."""
    if not _words(token.text):
        raise SearchSyntaxError(f"{token.text!r} at character {token.position + 1} holds no word to search for")
    if token.kind == "phrase":
        return _expanded(token.text[1:-1].replace('""', '"'), token.star)
    return _expanded(token.text.rstrip("*"), token.text.endswith("*"))


def _expanded(text: str, star: bool) -> str:
    """A phrase, or where its first word is Arabic, every prefixed form of that word: ("w1 w2" OR "وw1 w2" ...)."""
    words = _words(text)
    first, rest = words[0], words[1:]
    if not is_arabic(first):
        return _phrase(text, star)
    forms = dict.fromkeys(form for stem in stems(first) for form in prefixed_forms(stem))
    phrases = [_phrase(" ".join([form, *rest]), star) for form in forms]
    return phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")"


def _words(text: str) -> list[str]:
    """The words of a term as the index tokenizes them, Arabic folded."""
    return re.findall(r"\w+", fold_arabic(text).replace(DROPPED_MARK, ""))


def _phrase(text: str, star: bool = False) -> str:
    """A quoted FTS5 string: what is inside is tokenized as the index tokenizes text, so any text is safe."""
    words = _words(text)
    quoted = '"' + " ".join(words).replace('"', '""') + '"'
    return quoted + ("*" if star else "")
