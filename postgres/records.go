package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/auth"
	"github.com/daoyi-health/daoyi/record"
)

var (
	_ record.Store = (*DB)(nil)
	_ auth.Store   = (*DB)(nil)
)

// pgTime returns t as stored: UTC, to the millisecond (as the sqlite
// store keeps it, so both order and compare alike).
func pgTime(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

// nullTime is a time's column value: NULL when it is not set.
func nullTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return pgTime(t)
}

func fromNullTime(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return t.UTC()
}

// isUnique reports whether err is a primary key or unique violation.
func isUnique(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

const recordCols = `id, patient_id, visit_id, department, session_id, state, version,
	created_at, updated_at, submitted_at, imported_at, imported_by, expires_at, content`

func scanRecord(row pgx.Row) (*record.Record, error) {
	var r record.Record
	var state string
	var submitted, imported, expires *time.Time
	var doc []byte
	if err := row.Scan(&r.ID, &r.PatientID, &r.VisitID, &r.Department, &r.SessionID, &state, &r.Version,
		&r.CreatedAt, &r.UpdatedAt, &submitted, &imported, &r.ImportedBy, &expires, &doc); err != nil {
		return nil, err
	}
	if err := record.DecodeContent(doc, &r); err != nil {
		return nil, err
	}
	r.State = record.State(state)
	r.CreatedAt, r.UpdatedAt = r.CreatedAt.UTC(), r.UpdatedAt.UTC()
	r.SubmittedAt, r.ImportedAt, r.ExpiresAt = fromNullTime(submitted), fromNullTime(imported), fromNullTime(expires)
	return &r, nil
}

// CreateRecord implements record.Store. The record is stored as version 1;
// a zero CreatedAt is set to now and a zero UpdatedAt to CreatedAt (and r
// is updated to match).
func (db *DB) CreateRecord(ctx context.Context, r *record.Record) error {
	const op = daoyi.Op("postgres.CreateRecord")
	doc, err := record.EncodeContent(r)
	if err != nil {
		return daoyi.E(op, err)
	}
	created, updated := r.CreatedAt, r.UpdatedAt
	if created.IsZero() {
		created = pgTime(db.now())
	}
	if updated.IsZero() {
		updated = created
	}
	_, err = db.pool.Exec(ctx, `INSERT INTO records (`+recordCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10, $11, $12, $13)`,
		r.ID, r.PatientID, r.VisitID, r.Department, r.SessionID, string(r.State),
		pgTime(created), pgTime(updated), nullTime(r.SubmittedAt), nullTime(r.ImportedAt), r.ImportedBy, nullTime(r.ExpiresAt), string(doc))
	if isUnique(err) {
		return daoyi.E(op, daoyi.Conflict, "a record with this id exists", err)
	}
	if err != nil {
		return daoyi.E(op, err)
	}
	r.Version, r.CreatedAt, r.UpdatedAt = 1, created, updated
	return nil
}

// GetRecord implements record.Store.
func (db *DB) GetRecord(ctx context.Context, id string) (*record.Record, error) {
	const op = daoyi.Op("postgres.GetRecord")
	if id == "" {
		return nil, daoyi.E(op, daoyi.Invalid, "a record needs an id")
	}
	r, err := scanRecord(db.pool.QueryRow(ctx, `SELECT `+recordCols+` FROM records WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, daoyi.E(op, daoyi.NotFound, "no such record")
	}
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	return r, nil
}

// UpdateRecord implements record.Store. Everything but the id and the
// creation time is replaced.
func (db *DB) UpdateRecord(ctx context.Context, r *record.Record) error {
	const op = daoyi.Op("postgres.UpdateRecord")
	doc, err := record.EncodeContent(r)
	if err != nil {
		return daoyi.E(op, err)
	}
	// Under READ COMMITTED a concurrent update of the row makes this one
	// wait, then re-check the version: exactly one of them matches.
	tag, err := db.pool.Exec(ctx, `UPDATE records SET patient_id = $1, visit_id = $2, department = $3, session_id = $4,
			state = $5, version = version + 1, updated_at = $6, submitted_at = $7, imported_at = $8, imported_by = $9,
			expires_at = $10, content = $11
		WHERE id = $12 AND version = $13`,
		r.PatientID, r.VisitID, r.Department, r.SessionID, string(r.State), pgTime(r.UpdatedAt),
		nullTime(r.SubmittedAt), nullTime(r.ImportedAt), r.ImportedBy, nullTime(r.ExpiresAt), string(doc),
		r.ID, r.Version)
	if err != nil {
		return daoyi.E(op, err)
	}
	if tag.RowsAffected() == 0 {
		var exists bool
		if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM records WHERE id = $1)`, r.ID).Scan(&exists); err != nil {
			return daoyi.E(op, err)
		}
		if !exists {
			return daoyi.E(op, daoyi.NotFound, "no such record")
		}
		return daoyi.E(op, daoyi.Conflict, "the record changed meanwhile")
	}
	r.Version++
	return nil
}

// RecordBySession implements record.Store.
func (db *DB) RecordBySession(ctx context.Context, sessionID string) (*record.Record, error) {
	const op = daoyi.Op("postgres.RecordBySession")
	if sessionID == "" {
		return nil, daoyi.E(op, daoyi.Invalid, "a session id is needed")
	}
	r, err := scanRecord(db.pool.QueryRow(ctx, `SELECT `+recordCols+` FROM records WHERE session_id = $1
		ORDER BY created_at DESC, id DESC LIMIT 1`, sessionID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, daoyi.E(op, daoyi.NotFound, "no record for this session")
	}
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	return r, nil
}

// ListRecords implements record.Store.
func (db *DB) ListRecords(ctx context.Context, f record.Filter) ([]*record.Record, error) {
	const op = daoyi.Op("postgres.ListRecords")
	limit, err := record.ListLimit(f)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	var where []string
	var args []any
	add := func(cond string, arg any) {
		args = append(args, arg)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.PatientID != "" {
		add("patient_id = $%d", f.PatientID)
	}
	if f.VisitID != "" {
		add("visit_id = $%d", f.VisitID)
	}
	if f.Department != "" {
		add("department = $%d", f.Department)
	}
	if f.State != "" {
		add("state = $%d", string(f.State))
	}
	if !f.From.IsZero() {
		add("created_at >= $%d", pgTime(f.From))
	}
	if !f.To.IsZero() {
		add("created_at < $%d", pgTime(f.To))
	}
	q := `SELECT ` + recordCols + ` FROM records`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	args = append(args, limit)
	q += fmt.Sprintf(` ORDER BY created_at DESC, id DESC LIMIT $%d`, len(args))
	rows, err := db.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	defer rows.Close()
	out := []*record.Record{}
	for rows.Next() {
		r, err := scanRecord(rows)
		if err != nil {
			return nil, daoyi.E(op, err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, daoyi.E(op, err)
	}
	return out, nil
}

// ExpireRecords implements record.Store. An expired record's version is
// incremented (its content changed), so an update from before fails.
func (db *DB) ExpireRecords(ctx context.Context, now time.Time) (int, error) {
	const op = daoyi.Op("postgres.ExpireRecords")
	tag, err := db.pool.Exec(ctx, `UPDATE records SET state = 'expired', content = '{}', version = version + 1
		WHERE expires_at < $1 AND state IN ('draft', 'submitted')`, pgTime(now))
	if err != nil {
		return 0, daoyi.E(op, err)
	}
	return int(tag.RowsAffected()), nil
}

// LogAccess implements record.Store. A zero At is set to now.
func (db *DB) LogAccess(ctx context.Context, a record.Access) error {
	const op = daoyi.Op("postgres.LogAccess")
	if err := record.CheckAccess(a); err != nil {
		return daoyi.E(op, err)
	}
	at := a.At
	if at.IsZero() {
		at = db.now()
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO record_access (at, actor, role, action, record_id, detail) VALUES ($1, $2, $3, $4, $5, $6)`,
		pgTime(at), a.Actor, a.Role, a.Action, a.RecordID, a.Detail)
	if err != nil {
		return daoyi.E(op, err)
	}
	return nil
}

// Accesses implements record.Store: oldest first, and in the order they
// were logged when at the same time.
func (db *DB) Accesses(ctx context.Context, recordID string) ([]record.Access, error) {
	const op = daoyi.Op("postgres.Accesses")
	if recordID == "" {
		return nil, daoyi.E(op, daoyi.Invalid, "a record id is needed")
	}
	rows, err := db.pool.Query(ctx, `SELECT at, actor, role, action, record_id, detail FROM record_access
		WHERE record_id = $1 ORDER BY at, id`, recordID)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	defer rows.Close()
	out := []record.Access{}
	for rows.Next() {
		var a record.Access
		if err := rows.Scan(&a.At, &a.Actor, &a.Role, &a.Action, &a.RecordID, &a.Detail); err != nil {
			return nil, daoyi.E(op, err)
		}
		a.At = a.At.UTC()
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, daoyi.E(op, err)
	}
	return out, nil
}

// CreateToken implements auth.Store. A zero CreatedAt is set to now (and t
// is updated to match).
func (db *DB) CreateToken(ctx context.Context, t *auth.Token) error {
	const op = daoyi.Op("postgres.CreateToken")
	if err := t.Check(); err != nil {
		return daoyi.E(op, err)
	}
	created := t.CreatedAt
	if created.IsZero() {
		created = pgTime(db.now())
	}
	_, err := db.pool.Exec(ctx, `INSERT INTO tokens (id, name, role, hash, created_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6)`,
		t.ID, t.Name, string(t.Role), t.Hash, pgTime(created), nullTime(t.RevokedAt))
	if isUnique(err) {
		return daoyi.E(op, daoyi.Conflict, "a token with this id or hash exists", err)
	}
	if err != nil {
		return daoyi.E(op, err)
	}
	t.CreatedAt = created
	return nil
}

const tokenCols = `id, name, role, hash, created_at, revoked_at`

func scanToken(row pgx.Row) (*auth.Token, error) {
	var t auth.Token
	var role string
	var revoked *time.Time
	if err := row.Scan(&t.ID, &t.Name, &role, &t.Hash, &t.CreatedAt, &revoked); err != nil {
		return nil, err
	}
	t.Role, t.CreatedAt, t.RevokedAt = auth.Role(role), t.CreatedAt.UTC(), fromNullTime(revoked)
	return &t, nil
}

// TokenByHash implements auth.Store.
func (db *DB) TokenByHash(ctx context.Context, hash string) (*auth.Token, error) {
	const op = daoyi.Op("postgres.TokenByHash")
	t, err := scanToken(db.pool.QueryRow(ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = $1`, hash))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, daoyi.E(op, daoyi.NotFound, "no such token")
	}
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	return t, nil
}

// ListTokens implements auth.Store.
func (db *DB) ListTokens(ctx context.Context) ([]*auth.Token, error) {
	const op = daoyi.Op("postgres.ListTokens")
	rows, err := db.pool.Query(ctx, `SELECT `+tokenCols+` FROM tokens ORDER BY created_at, id`)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	defer rows.Close()
	out := []*auth.Token{}
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, daoyi.E(op, err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, daoyi.E(op, err)
	}
	return out, nil
}

// RevokeToken implements auth.Store. Revoking a revoked token keeps the
// first revocation time. A zero at is now.
func (db *DB) RevokeToken(ctx context.Context, id string, at time.Time) error {
	const op = daoyi.Op("postgres.RevokeToken")
	if at.IsZero() {
		at = db.now()
	}
	tag, err := db.pool.Exec(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, $1) WHERE id = $2`, pgTime(at), id)
	if err != nil {
		return daoyi.E(op, err)
	}
	if tag.RowsAffected() == 0 {
		return daoyi.E(op, daoyi.NotFound, "no such token")
	}
	return nil
}
