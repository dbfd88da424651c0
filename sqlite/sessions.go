package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/bot"
)

var _ bot.SessionStore = (*DB)(nil)

// LoadSession implements bot.SessionStore.
func (db *DB) LoadSession(ctx context.Context, id string) (*bot.Session, error) {
	const op = daoyi.Op("sqlite.LoadSession")
	s := &bot.Session{ID: id}
	var created int64
	err := db.ro.QueryRowContext(ctx, `SELECT channel, created_at FROM sessions WHERE id = ?`, id).Scan(&s.Channel, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, daoyi.E(op, daoyi.NotFound, "no such session")
	}
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	s.CreatedAt = fromMS(created)
	rows, err := db.ro.QueryContext(ctx, `SELECT seq, type, at, data FROM events WHERE session_id = ? ORDER BY seq`, id)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e bot.Event
		var at int64
		var data string
		if err := rows.Scan(&e.Seq, &e.Type, &at, &data); err != nil {
			return nil, daoyi.E(op, err)
		}
		e.At, e.Data = fromMS(at), []byte(data)
		s.Events = append(s.Events, e)
	}
	return s, rows.Err()
}

// AppendEvents implements bot.SessionStore. A sequence number that already
// exists (two writers on one session) is a Conflict and nothing is written.
func (db *DB) AppendEvents(ctx context.Context, s *bot.Session, events []bot.Event) error {
	const op = daoyi.Op("sqlite.AppendEvents")
	if len(events) == 0 {
		return nil
	}
	return db.tx(ctx, func(tx *sql.Tx) error {
		// The session row is written with its first events only: a turn
		// costs the two event rows and nothing more.
		if events[0].Seq == 1 {
			if _, err := tx.Stmt(db.stmts.insertSession).Exec(s.ID, s.Channel, ms(s.CreatedAt)); err != nil {
				return daoyi.E(op, err)
			}
		}
		ins := tx.Stmt(db.stmts.insertEvent)
		for _, e := range events {
			if _, err := ins.Exec(s.ID, e.Seq, e.Type, ms(e.At), string(e.Data)); err != nil {
				if strings.Contains(err.Error(), "UNIQUE") || strings.Contains(err.Error(), "PRIMARY KEY") {
					return daoyi.E(op, daoyi.Conflict, "the session changed meanwhile", err)
				}
				return daoyi.E(op, err)
			}
		}
		return nil
	})
}

// CountEvents returns the number of events of a type, for metrics and tests.
func (db *DB) CountEvents(ctx context.Context, typ string) (int, error) {
	var n int
	err := db.ro.QueryRowContext(ctx, `SELECT count(*) FROM events WHERE type = ?`, typ).Scan(&n)
	return n, err
}
