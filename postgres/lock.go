package postgres

import (
	"context"
	"hash/fnv"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/bot"
)

// SessionLocker serialises the turns of one session across every replica
// on the database with a PostgreSQL session-level advisory lock. Turns in
// one process queue first on a local lock, so only one of a replica's
// turns per session ever waits on the database. The advisory locks use a
// pool of their own: a turn holds its lock connection while its queries
// use the main pool, so lock holders can never starve the queries they
// wait for.
type SessionLocker struct {
	local *bot.LocalLocker
	pool  *pgxpool.Pool
}

// lockNamespace keeps daoyi's advisory lock keys apart from other users
// of the database (the first argument of the two-key form).
const lockNamespace int32 = 0x6479 // "dy"

// NewSessionLocker opens a lock pool of up to size connections (default
// 16) on the database at url.
func NewSessionLocker(ctx context.Context, url string, size int32) (*SessionLocker, error) {
	const op = daoyi.Op("postgres.NewSessionLocker")
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, daoyi.E(op, daoyi.Invalid, "the database URL cannot be parsed")
	}
	if size <= 0 {
		size = 16
	}
	configure(cfg)
	cfg.MaxConns = size
	// A lock outlives nothing: a connection returned to the pool holds no
	// lock (Lock's unlock releases it, and a broken connection's locks end
	// with its backend).
	cfg.MaxConnIdleTime = time.Minute
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	return &SessionLocker{local: bot.NewLocalLocker(), pool: pool}, nil
}

var _ bot.Locker = (*SessionLocker)(nil)

// Lock implements bot.Locker.
func (l *SessionLocker) Lock(ctx context.Context, sessionID string) (func(), error) {
	const op = daoyi.Op("postgres.Lock")
	unlockLocal, err := l.local.Lock(ctx, sessionID)
	if err != nil {
		return nil, err
	}
	conn, err := l.pool.Acquire(ctx)
	if err != nil {
		unlockLocal()
		return nil, daoyi.E(op, err)
	}
	key := sessionKey(sessionID)
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1, $2)`, lockNamespace, key); err != nil {
		// Cancelled while waiting: the server may still grant the lock
		// after we stop listening, so the connection is not reused.
		conn.Conn().Close(context.Background())
		conn.Release()
		unlockLocal()
		return nil, daoyi.E(op, daoyi.Timeout, "the conversation is busy in another replica", err)
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		var released bool
		if err := conn.QueryRow(ctx, `SELECT pg_advisory_unlock($1, $2)`, lockNamespace, key).Scan(&released); err != nil || !released {
			conn.Conn().Close(ctx) // ending the backend ends its locks
		}
		conn.Release()
		unlockLocal()
	}, nil
}

// Close closes the lock pool.
func (l *SessionLocker) Close() { l.pool.Close() }

func sessionKey(id string) int32 {
	h := fnv.New32a()
	h.Write([]byte(id))
	return int32(h.Sum32())
}
