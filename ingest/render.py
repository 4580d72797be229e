"""HTML the desk shows: highlighted snippets and paragraphs, mentions linked to actors, linked cells.

Text from articles is always escaped; the only markup let through is what these
functions write themselves (<mark>, links to the desk's own pages).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from markupsafe import Markup, escape

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"
SNIPPET_CHARS = 280


def highlight_snippet(snippet: str) -> Markup:
    """Escape a search snippet made by FTS5's snippet(), then let only its <mark> highlights through as HTML."""
    escaped = str(escape(snippet))
    return Markup(escaped.replace(str(escape(MARK_OPEN)), MARK_OPEN).replace(str(escape(MARK_CLOSE)), MARK_CLOSE))


def marked(text: str, spans: Sequence[tuple[int, int]], width: int | None = None) -> Markup:
    """The text (or, with `width`, a window of about that many characters around its first span) with the spans marked."""
    start, end = _window(text, spans, width) if width else (0, len(text))
    pieces, at = [], start
    for span_start, span_end in sorted(spans):
        if span_start < at or span_end > end:
            continue
        pieces += [escape(text[at:span_start]), Markup(MARK_OPEN), escape(text[span_start:span_end]), Markup(MARK_CLOSE)]
        at = span_end
    pieces.append(escape(text[at:end]))
    return Markup("…" if start else "") + Markup("").join(pieces) + Markup("…" if end < len(text) else "")


def _window(text: str, spans: Sequence[tuple[int, int]], width: int) -> tuple[int, int]:
    """About `width` characters of the text, starting a little before its first span, cut at spaces."""
    if len(text) <= width:
        return 0, len(text)
    first = min(spans)[0] if spans else 0
    start = max(0, first - width // 4)
    if start:
        space = text.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", start, end)
        end = space if space > start else end
    return start, end


def linked_mentions(text: str, mentions: Sequence[tuple[int, int, str, str]], actor_url: Callable[[str], str]) -> Markup:
    """A paragraph with each mention (start, end, actor id, actor name) marked and linked to its actor's page."""
    pieces, at = [], 0
    for start, end, actor_id, name in sorted(mentions):
        if start < at:
            continue
        link = Markup('<a class="mention" href="{}" title="{}"><mark>{}</mark></a>').format(actor_url(actor_id), name, text[start:end])
        pieces += [escape(text[at:start]), link]
        at = end
    pieces.append(escape(text[at:]))
    return Markup("").join(pieces)


def paragraph_link(paragraph_id: int, row_url: str) -> Markup:
    """A paragraph id in a query result, linked to the paragraph's page (its mentions and topics)."""
    return Markup('<a href="{}">{}</a>').format(row_url, paragraph_id)


def paragraph_links(ids_json: str, row_url: Callable[[int], str]) -> Markup | None:
    """A JSON array of paragraph ids (a candidate's examples) as links; None if it is not one."""
    try:
        ids = json.loads(ids_json)
    except json.JSONDecodeError:
        return None
    if not isinstance(ids, list) or not all(isinstance(item, int) for item in ids):
        return None
    return Markup(", ").join(paragraph_link(item, row_url(item)) for item in ids)


def linked_names(names_json: str, actor_url: Callable[[str], str]) -> Markup | None:
    """A JSON array of actor names (a paragraph's actors) as links to their pages (`actor_url` of a name); None if it is not one."""
    try:
        names = json.loads(names_json)
    except json.JSONDecodeError:
        return None
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        return None
    return Markup(", ").join(Markup('<a class="actor" href="{}">{}</a>').format(actor_url(name), name) for name in names)
