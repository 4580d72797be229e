"""What the Datasette plugin shows, as plain functions the hooks call."""

from __future__ import annotations

import json
from collections.abc import Callable

from markupsafe import Markup, escape

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


def highlight_snippet(snippet: str) -> Markup:
    """Escape a search snippet, then let only its <mark> highlights through as HTML."""
    escaped = str(escape(snippet))
    return Markup(escaped.replace(str(escape(MARK_OPEN)), MARK_OPEN).replace(str(escape(MARK_CLOSE)), MARK_CLOSE))


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
