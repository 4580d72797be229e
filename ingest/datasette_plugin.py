"""Datasette hooks: wiring only; the logic is in ingest.publish."""

from datasette import hookimpl

from .publish import highlight_snippet


@hookimpl
def render_cell(value, column):
    # Canned search queries name their snippet() column "snippet".
    if column == "snippet" and isinstance(value, str):
        return highlight_snippet(value)
    return None
