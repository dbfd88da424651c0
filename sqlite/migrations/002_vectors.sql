-- Vectors for the semantic retrieval channel, when an embedding model is
-- configured: one model at a time (vector_models), its vectors as
-- little-endian float32 blobs, searched exactly in memory.
CREATE TABLE vector_models (
    kb         TEXT PRIMARY KEY,
    model      TEXT NOT NULL,
    dim        INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE vectors (
    entry_id  TEXT PRIMARY KEY,
    text_hash TEXT NOT NULL,
    vec       BLOB NOT NULL
);
