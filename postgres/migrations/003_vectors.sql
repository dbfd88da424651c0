-- Vectors for the semantic retrieval channel (pgvector). Each embedding
-- model gets a table of its own, created by the application when the
-- model is first used (its dimension is only known then) and named in
-- vector_models; a change of model fills a new table and switches to it.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE TABLE vector_models (
    kb         TEXT PRIMARY KEY,  -- the knowledge base ('default')
    model      TEXT NOT NULL,     -- the embedder's name: provider, model and dimension
    dim        INTEGER NOT NULL,
    tbl        TEXT NOT NULL,     -- the table holding its vectors
    updated_at TIMESTAMPTZ NOT NULL
);
