-- Knowledge: question-answer pairs. similar and tags are JSON arrays.
CREATE TABLE qa_pairs (
    id            TEXT PRIMARY KEY,
    question      TEXT NOT NULL,
    similar       TEXT NOT NULL DEFAULT '[]',
    answer        TEXT NOT NULL,
    category      TEXT NOT NULL DEFAULT '',
    tags          TEXT NOT NULL DEFAULT '[]',
    article_id    TEXT NOT NULL DEFAULT '',
    article_title TEXT NOT NULL DEFAULT '',
    source        TEXT NOT NULL DEFAULT 'builtin',
    status        TEXT NOT NULL DEFAULT 'approved',
    updated_at    INTEGER NOT NULL
);
CREATE INDEX qa_pairs_status ON qa_pairs (status);

-- Small artefacts kept between runs (the trained match model).
CREATE TABLE blobs (
    key        TEXT PRIMARY KEY,
    value      BLOB NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Sessions and their append-only event log. The message log is the
-- user and bot events; a session's last activity is its last event.
CREATE TABLE sessions (
    id         TEXT PRIMARY KEY,
    channel    TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    seq        INTEGER NOT NULL,
    type       TEXT NOT NULL,
    at         INTEGER NOT NULL,
    data       TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
) WITHOUT ROWID;
