-- The schema of an ingest database, version 2: the one place it is written.
-- ingest/store.py applies it to new databases, and after the migrations in
-- ingest/migrations/ to older ones: every statement is idempotent, so tables,
-- indexes and views a version adds need no migration of their own. A changed
-- table or view does: its migration alters or drops it, and this file
-- recreates what was dropped.

CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    -- the title folded for identity: lower case, letters and digits only
    title_key TEXT NOT NULL,
    source TEXT,
    url TEXT,
    published TEXT,
    author TEXT,
    path TEXT,
    -- sha256 of the metadata and paragraphs: tells an unchanged copy from a new version
    content_hash TEXT NOT NULL,
    -- JSON array of the metadata fields that were inferred rather than read
    guessed TEXT NOT NULL DEFAULT '[]',
    paragraph_count INTEGER NOT NULL DEFAULT 0,
    ingested_at TEXT NOT NULL,
    -- what the file was read as: text, html, markdown or json (since version 2)
    format TEXT NOT NULL DEFAULT 'text',
    -- sha256 of the paragraph text alone, case and spacing folded: the same
    -- article under another title or from another format (since version 2;
    -- NULL for articles stored by version 1 until they are ingested again)
    text_hash TEXT
);
-- An article is the same article when its URL matches or, with no URL, its
-- source and normalised title match (DECISIONS 4), or else its text does.
CREATE UNIQUE INDEX IF NOT EXISTS articles_url ON articles(url) WHERE url IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS articles_source_title
    ON articles(coalesce(source, ''), title_key) WHERE url IS NULL;
CREATE INDEX IF NOT EXISTS articles_text_hash ON articles(text_hash);

CREATE TABLE IF NOT EXISTS paragraphs (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    position INTEGER NOT NULL,
    section TEXT,
    text TEXT NOT NULL,
    -- JSON arrays of canonical actor names and topic ids, for array facets;
    -- the join tables below hold the same tags for indexed queries
    actors TEXT NOT NULL DEFAULT '[]',
    topics TEXT NOT NULL DEFAULT '[]',
    -- the article's source and date, kept here so facets run on this table
    source TEXT,
    published TEXT,
    UNIQUE (article_id, position)
);
CREATE INDEX IF NOT EXISTS paragraphs_source ON paragraphs(source);
CREATE INDEX IF NOT EXISTS paragraphs_published ON paragraphs(published);
CREATE INDEX IF NOT EXISTS paragraphs_section ON paragraphs(section);

-- Full-text index over paragraph text. External content: the text lives in
-- paragraphs only. The triggers keep it in sync for every INSERT, DELETE and
-- UPDATE OF text; the writer inserts many rows per statement, because FTS5
-- flushes its pending terms once per statement, not once per row.
-- Datasette finds the table only through content="paragraphs", written so.
CREATE VIRTUAL TABLE IF NOT EXISTS paragraphs_fts USING fts5(
    text,
    content="paragraphs",
    content_rowid="id",
    tokenize="porter unicode61 remove_diacritics 2"
);
CREATE TRIGGER IF NOT EXISTS paragraphs_fts_insert AFTER INSERT ON paragraphs BEGIN
    INSERT INTO paragraphs_fts(rowid, text) VALUES (new.id, new.text);
END;
CREATE TRIGGER IF NOT EXISTS paragraphs_fts_delete AFTER DELETE ON paragraphs BEGIN
    INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;
CREATE TRIGGER IF NOT EXISTS paragraphs_fts_update AFTER UPDATE OF text ON paragraphs BEGIN
    INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO paragraphs_fts(rowid, text) VALUES (new.id, new.text);
END;

CREATE TABLE IF NOT EXISTS actors (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    aliases TEXT NOT NULL DEFAULT '[]',
    wikipedia TEXT,
    wikidata TEXT,
    affiliation TEXT REFERENCES actors(id)
);
CREATE INDEX IF NOT EXISTS actors_type ON actors(type);

CREATE TABLE IF NOT EXISTS topics (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS paragraph_actors (
    paragraph_id INTEGER NOT NULL REFERENCES paragraphs(id),
    actor_id TEXT NOT NULL REFERENCES actors(id),
    mentions INTEGER NOT NULL,
    PRIMARY KEY (paragraph_id, actor_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS paragraph_actors_actor ON paragraph_actors(actor_id, paragraph_id);

CREATE TABLE IF NOT EXISTS paragraph_topics (
    paragraph_id INTEGER NOT NULL REFERENCES paragraphs(id),
    topic_id TEXT NOT NULL REFERENCES topics(id),
    rank INTEGER NOT NULL,
    score REAL NOT NULL,
    -- JSON array of the terms and actors that earned the topic its score
    evidence TEXT NOT NULL,
    PRIMARY KEY (paragraph_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS paragraph_topics_topic ON paragraph_topics(topic_id, paragraph_id);

-- Every place a paragraph names an actor: why it was tagged. Mentions never
-- overlap, so a paragraph and a start offset identify one; stored in that
-- order, a paragraph's mentions sit together without a second index.
CREATE TABLE IF NOT EXISTS mentions (
    paragraph_id INTEGER NOT NULL REFERENCES paragraphs(id),
    -- Python string offsets into paragraphs.text, end exclusive
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    actor_id TEXT NOT NULL REFERENCES actors(id),
    surface TEXT NOT NULL,
    PRIMARY KEY (paragraph_id, char_start)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mentions_actor ON mentions(actor_id, paragraph_id);

-- Discovery: names no known actor covers, where each was seen. Rebuilt with
-- the tags, so a name added to the gazetteer leaves it at the next retag.
CREATE TABLE IF NOT EXISTS candidate_mentions (
    paragraph_id INTEGER NOT NULL REFERENCES paragraphs(id),
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    name TEXT NOT NULL,
    -- the actor type the context suggests, or NULL
    kind TEXT,
    PRIMARY KEY (paragraph_id, char_start)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS candidate_mentions_name ON candidate_mentions(name, paragraph_id);

-- Unknown names to review, counted: refreshed from candidate_mentions at the
-- end of every add and retag (a GROUP BY over all of them is too slow to run
-- on each page view of a large store).
CREATE TABLE IF NOT EXISTS candidates (
    name TEXT PRIMARY KEY,
    kind TEXT,
    paragraphs INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    -- JSON array of up to three paragraph ids where the name appears
    examples TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS candidates_paragraphs ON candidates(paragraphs DESC);

-- Derived tables whose refresh is due: a write that changes candidate_mentions
-- adds 'candidates' in its own transaction, the refresh removes it in its own.
-- An ingest killed between the two leaves the row, and the next add refreshes.
CREATE TABLE IF NOT EXISTS refresh_due (
    derived_table TEXT PRIMARY KEY
);

-- Every way an actor can be named in a query: id, name and aliases, lower case.
CREATE VIEW IF NOT EXISTS actor_forms AS
SELECT id AS actor_id, lower(id) AS form FROM actors
UNION SELECT id, lower(name) FROM actors
UNION SELECT actors.id, lower(alias.value) FROM actors, json_each(actors.aliases) AS alias;

CREATE VIEW IF NOT EXISTS paragraphs_with_articles AS
SELECT
    paragraphs.id,
    paragraphs.article_id,
    articles.title,
    articles.source,
    articles.published,
    articles.url,
    paragraphs.position,
    paragraphs.section,
    paragraphs.text,
    paragraphs.actors,
    paragraphs.topics
FROM paragraphs
JOIN articles ON articles.id = paragraphs.article_id;

CREATE VIEW IF NOT EXISTS actor_cooccurrence AS
SELECT
    first.actor_id AS actor_id,
    first_actor.name AS actor,
    second.actor_id AS other_actor_id,
    second_actor.name AS other_actor,
    count(*) AS paragraphs
FROM paragraph_actors AS first
JOIN paragraph_actors AS second
    ON second.paragraph_id = first.paragraph_id AND second.actor_id != first.actor_id
JOIN actors AS first_actor ON first_actor.id = first.actor_id
JOIN actors AS second_actor ON second_actor.id = second.actor_id
GROUP BY first.actor_id, second.actor_id;

CREATE VIEW IF NOT EXISTS actor_counts AS
SELECT
    actors.id,
    actors.name,
    actors.type,
    count(paragraph_actors.paragraph_id) AS paragraphs,
    count(DISTINCT paragraphs.article_id) AS articles
FROM actors
JOIN paragraph_actors ON paragraph_actors.actor_id = actors.id
JOIN paragraphs ON paragraphs.id = paragraph_actors.paragraph_id
GROUP BY actors.id;

CREATE VIEW IF NOT EXISTS topic_counts AS
SELECT
    topics.id,
    topics.name,
    count(paragraph_topics.paragraph_id) AS paragraphs,
    count(DISTINCT paragraphs.article_id) AS articles
FROM topics
JOIN paragraph_topics ON paragraph_topics.topic_id = topics.id
JOIN paragraphs ON paragraphs.id = paragraph_topics.paragraph_id
GROUP BY topics.id;

PRAGMA user_version = 2;
