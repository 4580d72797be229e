"""Datasette hooks: wiring only; the logic is in ingest.publish."""

from datasette import hookimpl

from .publish import highlight_snippet, paragraph_link, paragraph_links


@hookimpl
def render_cell(value, column, table, database, datasette):
    # The canned queries name their snippet() column "snippet" and paragraph ids "paragraph_id".
    if table is None and column == "snippet" and isinstance(value, str):
        return highlight_snippet(value)
    if table is None and column == "paragraph_id" and isinstance(value, int):
        return paragraph_link(value, datasette.urls.row(database, "paragraphs", str(value)))
    if table == "candidates" and column == "examples" and isinstance(value, str):
        return paragraph_links(value, lambda paragraph_id: datasette.urls.row(database, "paragraphs", str(paragraph_id)))
    return None
