"""What the Datasette plugin shows, as plain functions the hooks call."""

from __future__ import annotations

from markupsafe import Markup, escape

MARK_OPEN, MARK_CLOSE = "<mark>", "</mark>"


def highlight_snippet(snippet: str) -> Markup:
    """Escape a search snippet, then let only its <mark> highlights through as HTML."""
    escaped = str(escape(snippet))
    return Markup(escaped.replace(str(escape(MARK_OPEN)), MARK_OPEN).replace(str(escape(MARK_CLOSE)), MARK_CLOSE))
