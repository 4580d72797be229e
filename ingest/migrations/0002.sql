-- Version 1 -> 2: articles record the format they were read from. Every
-- version 1 article was read from plain text. (The discovery tables are new:
-- schema.sql creates them.)
ALTER TABLE articles ADD COLUMN format TEXT NOT NULL DEFAULT 'text';
