"""Conflict news ingest: articles -> paragraphs -> actors and topics -> SQLite for Datasette."""
