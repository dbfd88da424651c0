package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/bot"
)

var _ bot.SessionStore = (*DB)(nil)

// LoadSession implements bot.SessionStore.
func (db *DB) LoadSession(ctx context.Context, id string) (*bot.Session, error) {
	const op = daoyi.Op("postgres.LoadSession")
	s := &bot.Session{ID: id}
	err := db.pool.QueryRow(ctx, `SELECT channel, created_at FROM sessions WHERE id = $1`, id).Scan(&s.Channel, &s.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, daoyi.E(op, daoyi.NotFound, "no such session")
	}
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	s.CreatedAt = s.CreatedAt.UTC()
	rows, err := db.pool.Query(ctx, `SELECT seq, type, at, data::text FROM events WHERE session_id = $1 ORDER BY seq`, id)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	defer rows.Close()
	for rows.Next() {
		var e bot.Event
		var data string
		if err := rows.Scan(&e.Seq, &e.Type, &e.At, &data); err != nil {
			return nil, daoyi.E(op, err)
		}
		e.At, e.Data = e.At.UTC(), []byte(data)
		s.Events = append(s.Events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, daoyi.E(op, err)
	}
	return s, nil
}

// AppendEvents implements bot.SessionStore. A sequence number that already
// exists (two writers on one session) is a Conflict and nothing is written.
func (db *DB) AppendEvents(ctx context.Context, s *bot.Session, events []bot.Event) error {
	const op = daoyi.Op("postgres.AppendEvents")
	if len(events) == 0 {
		return nil
	}
	b := &pgx.Batch{}
	if events[0].Seq == 1 {
		b.Queue(`INSERT INTO sessions (id, channel, created_at) VALUES ($1, $2, $3)`, s.ID, s.Channel, s.CreatedAt)
	}
	for _, e := range events {
		b.Queue(`INSERT INTO events (session_id, seq, type, at, data) VALUES ($1, $2, $3, $4, $5::json)`, s.ID, e.Seq, e.Type, e.At, string(e.Data))
	}
	// A batch sent outside a transaction runs as one implicit transaction
	// (one Sync in the extended protocol): all or nothing, in one round
	// trip; concurrent turns share one (writer.go).
	err := db.appends.Do(ctx, b)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "23505" { // unique_violation
		return daoyi.E(op, daoyi.Conflict, "the session changed meanwhile", err)
	}
	if err != nil {
		return daoyi.E(op, err)
	}
	return nil
}

// CountEvents returns the number of events of a type, for metrics and tests.
func (db *DB) CountEvents(ctx context.Context, typ string) (int, error) {
	var n int
	err := db.pool.QueryRow(ctx, `SELECT count(*) FROM events WHERE type = $1`, typ).Scan(&n)
	return n, err
}
