"""Article body -> paragraphs with their sections; page furniture dropped. Pure."""

from __future__ import annotations

import re

from .models import Paragraph, Split

# Furniture is short; a long block that happens to say "subscribe" is body text.
MAX_FURNITURE_WORDS = 40
MAX_HEADING_WORDS = 14
MAX_HEADING_CHARS = 120

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
    blocks = [normalise_block(block) for block in re.split(r"\n\s*\n", body)]
    blocks = [block for block in blocks if block]
    paragraphs: list[Paragraph] = []
    sections: list[str] = []
    dropped: list[str] = []
    section: str | None = None
    for index, block in enumerate(blocks):
        if is_furniture(block):
            dropped.append(block)
        elif is_heading(block) and _body_follows(blocks, index):
            section = block
            sections.append(block)
        else:
            paragraphs.append(Paragraph(position=len(paragraphs) + 1, section=section, text=block))
    return Split(paragraphs=tuple(paragraphs), sections=tuple(sections), dropped=tuple(dropped))


def normalise_block(block: str) -> str:
    """Join a block's lines (hard-wrapped text) and collapse runs of spaces."""
    return " ".join(block.split())


def is_furniture(block: str) -> bool:
    """Say whether a block is page furniture rather than article text."""
    return len(block.split()) <= MAX_FURNITURE_WORDS and any(p.search(block) for p in FURNITURE)


def is_heading(block: str) -> bool:
    """A short line standing alone, a question or with no closing punctuation."""
    return (
        len(block) <= MAX_HEADING_CHARS
        and len(block.split()) <= MAX_HEADING_WORDS
        and block[0].isupper()
        and not block.endswith((".", ",", ";", ":", "!", '"', "”", "’", "'", ")"))
    )


def _body_follows(blocks: list[str], index: int) -> bool:
    """A heading heads something: the next block must be body text, not another heading."""
    following = blocks[index + 1 : index + 2]
    return bool(following) and not is_furniture(following[0]) and not is_heading(following[0])
