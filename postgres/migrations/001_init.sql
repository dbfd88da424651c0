-- Knowledge: question-answer pairs. (SIMILAR is reserved in PostgreSQL,
-- hence similar_questions.)
CREATE TABLE qa_pairs (
    id            TEXT PRIMARY KEY,
    question      TEXT NOT NULL,
    similar_questions JSONB NOT NULL DEFAULT '[]',
    answer        TEXT NOT NULL,
    category      TEXT NOT NULL DEFAULT '',
    tags          JSONB NOT NULL DEFAULT '[]',
    article_id    TEXT NOT NULL DEFAULT '',
    article_title TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT 'builtin',
    status        TEXT NOT NULL DEFAULT 'approved',
    updated_at    TIMESTAMPTZ NOT NULL
);
CREATE INDEX qa_pairs_status ON qa_pairs (status);
CREATE INDEX qa_pairs_source ON qa_pairs (source);

-- Small artefacts kept between runs (the trained match model).
CREATE TABLE blobs (
    key        TEXT PRIMARY KEY,
    value      BYTEA NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Sessions and their append-only event log. The message log is the user
-- and bot events; a session's last activity is its last event.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    channel    TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMPTZ NOT NULL
);
CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    type       TEXT NOT NULL,
    at         TIMESTAMPTZ NOT NULL,
    data       JSON NOT NULL, -- kept byte for byte: the record of what was said
    PRIMARY KEY (session_id, seq)
);
CREATE INDEX events_type ON events (type);
