// Package postgres is the production storage: PostgreSQL through a pgx v5
// pool, shared by every replica. It implements the same interfaces as the
// embedded sqlite package — knowledge.Store, knowledge.Blobs and
// bot.SessionStore — and passes the same tests (storetest).
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/internal/groupcommit"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is a PostgreSQL database shared by the replicas.
type DB struct {
	pool *pgxpool.Pool
	now  func() time.Time

	appends *groupcommit.Queue[*pgx.Batch] // see writer.go
}

// Options tunes Open.
type Options struct {
	// NoMigrate skips applying migrations at open (run `daoyi migrate`
	// before starting the replicas instead).
	NoMigrate bool
}

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string) and, unless told not to, brings its schema up to date.
func Open(ctx context.Context, url string, o Options) (*DB, error) {
	const op = daoyi.Op("postgres.Open")
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// The parse error may echo the URL, password included: say what is
		// wrong without it.
		return nil, daoyi.E(op, daoyi.Invalid, "the database URL cannot be parsed (want postgres://user:password@host:port/db)")
	}
	configure(cfg)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	db := &DB{pool: pool, now: func() time.Time { return time.Now().UTC() }}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, daoyi.E(op, daoyi.Unavailable, fmt.Sprintf("cannot reach PostgreSQL at %s:%d", cfg.ConnConfig.Host, cfg.ConnConfig.Port), err)
	}
	if !o.NoMigrate {
		if err := db.Migrate(ctx); err != nil {
			pool.Close()
			return nil, err
		}
		// Connections opened before the migration created the vector
		// types lack them: start afresh.
		pool.Reset()
	}
	db.appends = groupcommit.New(writers, maxGroup, 0, db.commitGroup)
	return db, nil
}

// configure sets what every daoyi pool needs. Statements run unnamed with
// cached descriptions rather than as named prepared statements: when one
// statement of a pipelined batch fails (a conflicting append), the server
// skips the rest of the pipeline, Parse messages included, and pgx's cache
// of named statements would then name statements the server never
// prepared — every later use failing with SQLSTATE 26000.
func configure(cfg *pgxpool.Config) {
	cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
	cfg.AfterConnect = registerVectorTypes
}

// Close commits the appends already queued, refuses new ones, and closes
// the pool.
func (db *DB) Close() error {
	db.appends.Close()
	db.pool.Close()
	return nil
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.pool.Ping(ctx) }

// migrationLock is the advisory lock key held while migrating, so replicas
// starting together apply each migration once.
const migrationLock = 0x6461_6f79_69 // "daoyi"

// Migrate applies the embedded migrations not yet applied, in order, each
// in its own transaction, under an advisory lock.
func (db *DB) Migrate(ctx context.Context) error {
	const op = daoyi.Op("postgres.Migrate")
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return daoyi.E(op, err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return daoyi.E(op, err)
	}
	defer conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock)
	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL)`); err != nil {
		return daoyi.E(op, err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return daoyi.E(op, err)
	}
	sort.Strings(names)
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0])
		if err != nil {
			return daoyi.E(op, fmt.Sprintf("migration %s: the name must start with a number", name))
		}
		var applied bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM schema_migrations WHERE version = $1)`, v).Scan(&applied); err != nil {
			return daoyi.E(op, err)
		}
		if applied {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return daoyi.E(op, err)
		}
		err = pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, string(body)); err != nil {
				return explainMigration(name, err)
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`, v, db.now())
			return err
		})
		if err != nil {
			return daoyi.E(op, err)
		}
	}
	return nil
}

// explainMigration turns the errors an operator can fix into instructions.
func explainMigration(name string, err error) error {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "42501": // insufficient_privilege
			return fmt.Errorf("migration %s: the database role lacks a privilege (%s); "+
				"for CREATE EXTENSION vector, have a superuser run it once in this database: %w", name, pe.Message, err)
		case "0A000", "58P01": // feature_not_supported, undefined_file: extension not installed
			return fmt.Errorf("migration %s: %s — is the pgvector extension installed on the server? %w", name, pe.Message, err)
		}
	}
	return fmt.Errorf("migration %s: %w", name, err)
}

// SchemaVersion returns the highest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v *int
	err := db.pool.QueryRow(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	if err != nil || v == nil {
		return 0, err
	}
	return *v, nil
}
