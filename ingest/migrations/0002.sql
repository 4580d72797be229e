-- Version 1 -> 2: articles record the format they were read from (every
-- version 1 article was plain text) and the hash of their text, which SQLite
-- cannot compute: version 1 articles get it when they are ingested again.
-- The discovery tables are new: schema.sql creates them.
ALTER TABLE articles ADD COLUMN format TEXT NOT NULL DEFAULT 'text';
ALTER TABLE articles ADD COLUMN text_hash TEXT;
