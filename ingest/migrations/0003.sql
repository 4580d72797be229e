-- Version 2 -> 3. The full-text index reads paragraphs through paragraphs_search
-- (Arabic letter forms folded) and indexes section headings too; the join tables
-- carry the paragraph's date; the counts the desk shows are tables the writer keeps,
-- and the views over them change; actors gain an Arabic name. What is dropped here
-- schema.sql creates again, and the rows marked in refresh_due are recounted (and
-- the index rebuilt) by the next `ingest add`, `retag` or `rebuild`.
DROP TRIGGER IF EXISTS paragraphs_fts_insert;
DROP TRIGGER IF EXISTS paragraphs_fts_delete;
DROP TRIGGER IF EXISTS paragraphs_fts_update;
DROP TABLE IF EXISTS paragraphs_fts;
DROP VIEW IF EXISTS actor_cooccurrence;
DROP VIEW IF EXISTS actor_counts;
DROP VIEW IF EXISTS topic_counts;
DROP VIEW IF EXISTS actor_forms;
DROP INDEX IF EXISTS paragraph_actors_actor;
DROP INDEX IF EXISTS paragraph_topics_topic;
DROP INDEX IF EXISTS paragraphs_source;
DROP INDEX IF EXISTS paragraphs_section;
ALTER TABLE actors ADD COLUMN name_ar TEXT;
ALTER TABLE paragraph_actors ADD COLUMN published TEXT;
ALTER TABLE paragraph_topics ADD COLUMN published TEXT;
UPDATE paragraph_actors SET published = (SELECT published FROM paragraphs WHERE paragraphs.id = paragraph_actors.paragraph_id);
UPDATE paragraph_topics SET published = (SELECT published FROM paragraphs WHERE paragraphs.id = paragraph_topics.paragraph_id);
-- (a version 1 database has no refresh_due yet)
CREATE TABLE IF NOT EXISTS refresh_due (derived_table TEXT PRIMARY KEY);
INSERT OR IGNORE INTO refresh_due (derived_table) VALUES ('paragraphs_fts'), ('counts'), ('candidates');
