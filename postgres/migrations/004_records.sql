-- Pre-consultation records. The ids, the state and the times are columns
-- (the lists filter and sort on them); what the patient said — subject,
-- facts, sections and summary — is one JSONB document, erased when the
-- record expires. A time not set is NULL (a record without expires_at is
-- kept until it is imported).
CREATE TABLE records (
    id           TEXT PRIMARY KEY,
    patient_id   TEXT NOT NULL DEFAULT '',
    visit_id     TEXT NOT NULL DEFAULT '',
    department   TEXT NOT NULL DEFAULT '',
    session_id   TEXT NOT NULL,
    state        TEXT NOT NULL CHECK (state IN ('draft', 'submitted', 'imported', 'expired')),
    version      INTEGER NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL,
    updated_at   TIMESTAMPTZ NOT NULL,
    submitted_at TIMESTAMPTZ,
    imported_at  TIMESTAMPTZ,
    imported_by  TEXT NOT NULL DEFAULT '',
    expires_at   TIMESTAMPTZ,
    content      JSONB NOT NULL DEFAULT '{}'
);
CREATE INDEX records_created ON records (created_at, id);
CREATE INDEX records_patient ON records (patient_id, created_at);
CREATE INDEX records_visit ON records (visit_id, created_at);
CREATE INDEX records_department ON records (department, created_at);
CREATE INDEX records_session ON records (session_id, created_at);
CREATE INDEX records_state ON records (state, created_at);
CREATE INDEX records_expires ON records (expires_at);

-- The audit trail: who did what to which record. Append-only; record_id
-- is empty for actions on no one record (a list).
CREATE TABLE record_access (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        TIMESTAMPTZ NOT NULL,
    actor     TEXT NOT NULL,
    role      TEXT NOT NULL DEFAULT '',
    action    TEXT NOT NULL,
    record_id TEXT NOT NULL DEFAULT '',
    detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX record_access_record ON record_access (record_id, at, id);

-- Staff tokens: only the hash of a secret is kept.
CREATE TABLE tokens (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    role       TEXT NOT NULL,
    hash       TEXT NOT NULL UNIQUE,
    created_at TIMESTAMPTZ NOT NULL,
    revoked_at TIMESTAMPTZ
);
