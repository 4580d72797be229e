"""Article body -> paragraphs with their sections; page furniture dropped. Pure."""

from __future__ import annotations

import re

from .models import Paragraph, Split

# Furniture is short; a long block that happens to say "subscribe" is body text.
MAX_FURNITURE_WORDS = 40
MAX_HEADING_WORDS = 14
MAX_HEADING_CHARS = 120
# A heading marked as one (Markdown, or a page's <h2> after extraction).
MARKED_HEADING = re.compile(r"^#{1,6}\s+(?P<text>.+?)[\s#]*$")
# C0 and C1 controls (a NUL from a JSON "\u0000", say) and the escape character;
# tabs and newlines are spaces by then. SQLite's text functions stop at a NUL.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0e-\x1b\x7f-\x9f]")
# A whole block in quotation marks.
QUOTED = re.compile(r"""['"‘“](?P<text>[^'"‘’“”]+)['"’”]""")
# A list item: "- ", "* ", "• ", "1. ", "2) ".
BULLET = re.compile(r"^\s*(?:[-*+•·–]|\d{1,3}[.)])\s+(?=\S)")
QUOTE_MARK = re.compile(r"^\s*>\s?", re.M)
# Lines this long are paragraphs of their own, not a hard-wrapped paragraph's lines.
LONG_LINE = 100
# Past this a paragraph is cut at sentence ends (a whole file on one line, say),
# so that search snippets and tags stay about one passage.
MAX_PARAGRAPH_CHARS = 3000
SENTENCE_END = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?…][\"”’)]))\s+")

# Each pattern names one kind of page furniture (GUIDELINES section 1).
FURNITURE = tuple(
    re.compile(pattern, re.IGNORECASE)
    for pattern in (
        # donation prompts: "Yes, I give $5/month", "Support our journalism"
        r"\bi give \$\d|\$\d+\s*/\s*(month|year)|\b(donate|make a (gift|donation)|become a (member|supporter))\b",
        r"^(please )?support (our|independent|this) (work|journalism|reporting)",
        # payment notes: "We accept credit cards, Apple Pay and Google Pay."
        r"\b(credit cards?|apple pay|google pay|paypal)\b",
        # subscription and newsletter prompts
        r"^(subscribe|sign up|get (our|the) .*newsletter|join our)\b|\bnewsletter\b",
        # share, print and follow bars
        r"^((share|print|email|tweet|copy link|follow us)( (this|article|story|on \w+))*[\s|·•,/]*)+$",
        # cookie notices
        r"\bcookies?\b.*\b(accept|consent|agree|privacy)\b",
        # "Read more" and "Related" lists
        r"^(read more|related( articles| stories)?|more from|recommended|see also|you may also like|most read)\b",
        # bylines and photo credits standing alone
        r"^by [A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,3}(\s+and\s+[A-Z][\w.'’-]+(\s+[A-Z][\w.'’-]+){0,3})?$",
        r"^(photo|image|picture|photograph)s?\s*(by|credit)?\s*[:(]|\b(getty images|via getty|ap photo|afp photo)\b",
        r"^(advertisement|skip to (main )?content|all rights reserved|©)",
    )
)


def split_paragraphs(body: str) -> Split:
    """Cut a body on blank lines into paragraphs, sections and dropped furniture."""
    blocks = [block for raw in re.split(r"\n\s*\n", body) for block in split_block(raw)]
    paragraphs: list[Paragraph] = []
    sections: list[str] = []
    dropped: list[str] = []
    section: str | None = None
    for index, block in enumerate(blocks):
        marked = MARKED_HEADING.match(block)
        if marked:
            section = marked["text"]
            sections.append(section)
        elif is_furniture(block):
            dropped.append(block)
        elif is_heading(block) and _body_follows(blocks, index):
            section = block
            sections.append(block)
        else:
            paragraphs.append(Paragraph(position=len(paragraphs) + 1, section=section, text=block))
    return Split(paragraphs=tuple(paragraphs), sections=tuple(sections), dropped=tuple(dropped))


def split_block(block: str) -> list[str]:
    """One blank-line block as paragraphs: list items apart, long lines apart, hard-wrapped lines joined, long text cut."""
    block = QUOTE_MARK.sub("", block) if QUOTE_MARK.match(block) else block
    parts = []
    for lines in _line_groups([line for line in block.splitlines() if line.strip()]):
        parts.extend(_cut_long(normalise_block(BULLET.sub("", lines[0], count=1) + " " + " ".join(lines[1:]))))
    return [part for part in parts if part]


def _line_groups(lines: list[str]) -> list[list[str]]:
    """Lines that read as one paragraph together: a list item and its wrapped lines, or a run of short lines."""
    if not lines:
        return []
    if MARKED_HEADING.match(lines[0]) and len(lines) > 1:
        return [[lines[0]], *_line_groups(lines[1:])]
    groups: list[list[str]] = []
    long_lines = any(len(line) > LONG_LINE for line in lines[:-1])
    for line in lines:
        starts_new = bool(BULLET.match(line)) or long_lines or not groups
        if groups and not starts_new and BULLET.match(groups[-1][0]) and not line[:1].isspace():
            starts_new = True  # text after a list, not indented under its last item
        if starts_new:
            groups.append([line])
        else:
            groups[-1].append(line)
    return groups


def _cut_long(paragraph: str) -> list[str]:
    """A paragraph past MAX_PARAGRAPH_CHARS cut at sentence ends (or spaces, or anywhere) into pieces under it."""
    if len(paragraph) <= MAX_PARAGRAPH_CHARS:
        return [paragraph]
    pieces, current = [], ""
    for sentence in _sentences(paragraph):
        if current and len(current) + 1 + len(sentence) > MAX_PARAGRAPH_CHARS:
            pieces.append(current)
            current = ""
        current = f"{current} {sentence}" if current else sentence
    return [*pieces, current] if current else pieces


def _sentences(paragraph: str) -> list[str]:
    """Sentences, and any still too long cut at spaces, then at the limit."""
    out = []
    for sentence in SENTENCE_END.split(paragraph):
        while len(sentence) > MAX_PARAGRAPH_CHARS:
            cut = sentence.rfind(" ", 0, MAX_PARAGRAPH_CHARS)
            cut = cut if cut > 0 else MAX_PARAGRAPH_CHARS
            out.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        out.append(sentence)
    return [sentence for sentence in out if sentence]


def normalise_block(block: str) -> str:
    """Join a block's lines (hard-wrapped text), collapse runs of spaces, drop control characters."""
    return " ".join(CONTROL_CHARACTERS.sub("", block).split())


def is_furniture(block: str) -> bool:
    """Say whether a block is page furniture rather than article text."""
    return len(block.split()) <= MAX_FURNITURE_WORDS and any(p.search(block) for p in FURNITURE)


def is_heading(block: str) -> bool:
    """A short line standing alone, a question or with no closing punctuation.

    A quotation can head a section too ("'Significantly diminished'"), unless it is a
    quoted sentence ("'We will respond.'").
    """
    quoted = QUOTED.fullmatch(block)
    text = quoted["text"] if quoted else block
    return (
        len(block) <= MAX_HEADING_CHARS
        and len(text.split()) <= MAX_HEADING_WORDS
        and text[:1].isupper()
        and not text.endswith((".", ",", ";", ":", "!", '"', "”", "’", "'", ")"))
    )


def _body_follows(blocks: list[str], index: int) -> bool:
    """A heading heads something: the next block must be body text, not another heading."""
    following = blocks[index + 1 : index + 2]
    return bool(following) and not is_furniture(following[0]) and not is_heading(following[0])
