package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/auth"
	"github.com/daoyi-health/daoyi/record"
)

var (
	_ record.Store = (*DB)(nil)
	_ auth.Store   = (*DB)(nil)
)

// msTime returns t as stored: UTC, to the millisecond.
func msTime(t time.Time) time.Time { return fromMS(ms(t)) }

// nullMS is a time's column value: NULL when it is not set.
func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return ms(t)
}

func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return fromMS(v.Int64)
}

// isUnique reports whether err is a primary key or unique violation.
func isUnique(err error) bool {
	var se *msqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

const recordCols = `id, patient_id, visit_id, department, session_id, state, version,
	created_at, updated_at, submitted_at, imported_at, imported_by, expires_at, content`

type scanner interface{ Scan(dest ...any) error }

func scanRecord(s scanner) (*record.Record, error) {
	var r record.Record
	var created, updated int64
	var submitted, imported, expires sql.NullInt64
	var doc string
	if err := s.Scan(&r.ID, &r.PatientID, &r.VisitID, &r.Department, &r.SessionID, &r.State, &r.Version,
		&created, &updated, &submitted, &imported, &r.ImportedBy, &expires, &doc); err != nil {
		return nil, err
	}
	if err := record.DecodeContent([]byte(doc), &r); err != nil {
		return nil, err
	}
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	r.SubmittedAt, r.ImportedAt, r.ExpiresAt = fromNullMS(submitted), fromNullMS(imported), fromNullMS(expires)
	return &r, nil
}

// CreateRecord implements record.Store. The record is stored as version 1;
// a zero CreatedAt is set to now and a zero UpdatedAt to CreatedAt (and r
// is updated to match).
func (db *DB) CreateRecord(ctx context.Context, r *record.Record) error {
	const op = daoyi.Op("sqlite.CreateRecord")
	doc, err := record.EncodeContent(r)
	if err != nil {
		return daoyi.E(op, err)
	}
	created, updated := r.CreatedAt, r.UpdatedAt
	if created.IsZero() {
		created = msTime(db.now())
	}
	if updated.IsZero() {
		updated = created
	}
	err = db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO records (`+recordCols+`)
			VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.PatientID, r.VisitID, r.Department, r.SessionID, string(r.State),
			ms(created), ms(updated), nullMS(r.SubmittedAt), nullMS(r.ImportedAt), r.ImportedBy, nullMS(r.ExpiresAt), string(doc))
		return err
	})
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
	const op = daoyi.Op("sqlite.GetRecord")
	if id == "" {
		return nil, daoyi.E(op, daoyi.Invalid, "a record needs an id")
	}
	r, err := scanRecord(db.ro.QueryRowContext(ctx, `SELECT `+recordCols+` FROM records WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
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
	const op = daoyi.Op("sqlite.UpdateRecord")
	doc, err := record.EncodeContent(r)
	if err != nil {
		return daoyi.E(op, err)
	}
	// fn may run twice (writer.go): it only executes statements.
	err = db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE records SET patient_id = ?, visit_id = ?, department = ?, session_id = ?,
				state = ?, version = version + 1, updated_at = ?, submitted_at = ?, imported_at = ?, imported_by = ?,
				expires_at = ?, content = ?
			WHERE id = ? AND version = ?`,
			r.PatientID, r.VisitID, r.Department, r.SessionID, string(r.State), ms(r.UpdatedAt),
			nullMS(r.SubmittedAt), nullMS(r.ImportedAt), r.ImportedBy, nullMS(r.ExpiresAt), string(doc),
			r.ID, r.Version)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err != nil || n == 1 {
			return err
		}
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM records WHERE id = ?`, r.ID).Scan(&exists); err != nil {
			return err
		}
		if exists == 0 {
			return daoyi.E(daoyi.NotFound, "no such record")
		}
		return daoyi.E(daoyi.Conflict, "the record changed meanwhile")
	})
	if err != nil {
		return daoyi.E(op, err)
	}
	r.Version++
	return nil
}

// RecordBySession implements record.Store.
func (db *DB) RecordBySession(ctx context.Context, sessionID string) (*record.Record, error) {
	const op = daoyi.Op("sqlite.RecordBySession")
	if sessionID == "" {
		return nil, daoyi.E(op, daoyi.Invalid, "a session id is needed")
	}
	r, err := scanRecord(db.ro.QueryRowContext(ctx, `SELECT `+recordCols+` FROM records WHERE session_id = ?
		ORDER BY created_at DESC, id DESC LIMIT 1`, sessionID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, daoyi.E(op, daoyi.NotFound, "no record for this session")
	}
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	return r, nil
}

// ListRecords implements record.Store.
func (db *DB) ListRecords(ctx context.Context, f record.Filter) ([]*record.Record, error) {
	const op = daoyi.Op("sqlite.ListRecords")
	limit, err := record.ListLimit(f)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	var where []string
	var args []any
	add := func(cond string, arg any) {
		where = append(where, cond)
		args = append(args, arg)
	}
	if f.PatientID != "" {
		add("patient_id = ?", f.PatientID)
	}
	if f.VisitID != "" {
		add("visit_id = ?", f.VisitID)
	}
	if f.Department != "" {
		add("department = ?", f.Department)
	}
	if f.State != "" {
		add("state = ?", string(f.State))
	}
	if !f.From.IsZero() {
		add("created_at >= ?", ms(f.From))
	}
	if !f.To.IsZero() {
		add("created_at < ?", ms(f.To))
	}
	q := `SELECT ` + recordCols + ` FROM records`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY created_at DESC, id DESC LIMIT ?`
	args = append(args, limit)
	rows, err := db.ro.QueryContext(ctx, q, args...)
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
	const op = daoyi.Op("sqlite.ExpireRecords")
	var n int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE records SET state = 'expired', content = '{}', version = version + 1
			WHERE expires_at < ? AND state IN ('draft', 'submitted')`, ms(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return 0, daoyi.E(op, err)
	}
	return int(n), nil
}

// LogAccess implements record.Store. A zero At is set to now.
func (db *DB) LogAccess(ctx context.Context, a record.Access) error {
	const op = daoyi.Op("sqlite.LogAccess")
	if err := record.CheckAccess(a); err != nil {
		return daoyi.E(op, err)
	}
	at := a.At
	if at.IsZero() {
		at = db.now()
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO record_access (at, actor, role, action, record_id, detail) VALUES (?, ?, ?, ?, ?, ?)`,
			ms(at), a.Actor, a.Role, a.Action, a.RecordID, a.Detail)
		return err
	})
	if err != nil {
		return daoyi.E(op, err)
	}
	return nil
}

// Accesses implements record.Store: oldest first, and in the order they
// were logged when at the same time.
func (db *DB) Accesses(ctx context.Context, recordID string) ([]record.Access, error) {
	const op = daoyi.Op("sqlite.Accesses")
	if recordID == "" {
		return nil, daoyi.E(op, daoyi.Invalid, "a record id is needed")
	}
	rows, err := db.ro.QueryContext(ctx, `SELECT at, actor, role, action, record_id, detail FROM record_access
		WHERE record_id = ? ORDER BY at, id`, recordID)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	defer rows.Close()
	out := []record.Access{}
	for rows.Next() {
		var a record.Access
		var at int64
		if err := rows.Scan(&at, &a.Actor, &a.Role, &a.Action, &a.RecordID, &a.Detail); err != nil {
			return nil, daoyi.E(op, err)
		}
		a.At = fromMS(at)
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
	const op = daoyi.Op("sqlite.CreateToken")
	if err := t.Check(); err != nil {
		return daoyi.E(op, err)
	}
	created := t.CreatedAt
	if created.IsZero() {
		created = msTime(db.now())
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO tokens (id, name, role, hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?)`,
			t.ID, t.Name, string(t.Role), t.Hash, ms(created), nullMS(t.RevokedAt))
		return err
	})
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

func scanToken(s scanner) (*auth.Token, error) {
	var t auth.Token
	var created int64
	var revoked sql.NullInt64
	if err := s.Scan(&t.ID, &t.Name, &t.Role, &t.Hash, &created, &revoked); err != nil {
		return nil, err
	}
	t.CreatedAt, t.RevokedAt = fromMS(created), fromNullMS(revoked)
	return &t, nil
}

// TokenByHash implements auth.Store.
func (db *DB) TokenByHash(ctx context.Context, hash string) (*auth.Token, error) {
	const op = daoyi.Op("sqlite.TokenByHash")
	t, err := scanToken(db.ro.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = ?`, hash))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, daoyi.E(op, daoyi.NotFound, "no such token")
	}
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	return t, nil
}

// ListTokens implements auth.Store.
func (db *DB) ListTokens(ctx context.Context) ([]*auth.Token, error) {
	const op = daoyi.Op("sqlite.ListTokens")
	rows, err := db.ro.QueryContext(ctx, `SELECT `+tokenCols+` FROM tokens ORDER BY created_at, id`)
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
	const op = daoyi.Op("sqlite.RevokeToken")
	if at.IsZero() {
		at = db.now()
	}
	err := db.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`, ms(at), id)
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		if err == nil && n == 0 {
			return daoyi.E(daoyi.NotFound, "no such token")
		}
		return err
	})
	if err != nil {
		return daoyi.E(op, err)
	}
	return nil
}
