// Package sqlite is the embedded storage: one SQLite file in the data
// directory, through a pure-Go driver (no cgo). It implements
// knowledge.Store, knowledge.Blobs and bot.SessionStore. Writes of
// conversation events go through a group-commit writer: concurrent turns
// share one transaction, and each returns once its events are committed.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/internal/groupcommit"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the embedded database.
type DB struct {
	path string
	rw   *sql.DB // the one writer connection
	ro   *sql.DB // readers
	cp   *sql.DB // checkpoints the write-ahead log in the background; nil in memory
	now  func() time.Time

	stmts  struct{ insertSession, insertEvent *sql.Stmt }
	writes *groupcommit.Queue[func(*sql.Tx) error]
	done   chan struct{}
	wg     sync.WaitGroup
	closed sync.Once
}

// Open opens (creating when needed) the database file and brings its schema
// up to date. path ":memory:" gives a private in-memory database, for tests.
func Open(path string) (*DB, error) {
	const op = daoyi.Op("sqlite.Open")
	var rwDSN, roDSN, cpDSN string
	pragmas := "_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_txlock=immediate"
	if path == ":memory:" {
		// A named shared-cache memory database, so both pools see one.
		name := fmt.Sprintf("daoyi-%d", time.Now().UnixNano())
		rwDSN = "file:" + name + "?mode=memory&cache=shared&" + pragmas
		roDSN = rwDSN
	} else {
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, daoyi.E(op, err)
		}
		// The writer never checkpoints (a checkpoint's fsync would stall
		// every turn queued behind it); a background connection does.
		wal := "&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"
		rwDSN = "file:" + path + "?" + pragmas + wal + "&_pragma=wal_autocheckpoint(0)"
		cpDSN = "file:" + path + "?" + pragmas + wal
		roDSN = "file:" + path + "?mode=ro&" + pragmas
	}
	rw, err := sql.Open("sqlite", rwDSN)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	rw.SetMaxOpenConns(1)
	rw.SetConnMaxIdleTime(0)
	db := &DB{path: path, rw: rw, now: time.Now, done: make(chan struct{})}
	if err := db.migrate(context.Background()); err != nil {
		rw.Close()
		return nil, daoyi.E(op, err)
	}
	if path != ":memory:" {
		_ = os.Chmod(path, 0o600)
	}
	// The hot path's statements, prepared once on the writer connection.
	if db.stmts.insertSession, err = rw.Prepare(`INSERT INTO sessions (id, channel, created_at) VALUES (?, ?, ?)
		ON CONFLICT (id) DO NOTHING`); err != nil {
		rw.Close()
		return nil, daoyi.E(op, err)
	}
	if db.stmts.insertEvent, err = rw.Prepare(`INSERT INTO events (session_id, seq, type, at, data) VALUES (?, ?, ?, ?, ?)`); err != nil {
		rw.Close()
		return nil, daoyi.E(op, err)
	}
	ro, err := sql.Open("sqlite", roDSN)
	if err != nil {
		rw.Close()
		return nil, daoyi.E(op, err)
	}
	ro.SetMaxOpenConns(8)
	db.ro = ro
	// One writer: SQLite has one writer connection.
	db.writes = groupcommit.New(1, maxBatch, 1024, db.commit)
	if cpDSN != "" {
		cp, err := sql.Open("sqlite", cpDSN)
		if err != nil {
			db.Close()
			return nil, daoyi.E(op, err)
		}
		cp.SetMaxOpenConns(1)
		db.cp = cp
		db.wg.Add(1)
		go db.checkpointer()
	}
	return db, nil
}

// Close stops the writer (after committing what is queued) and closes the
// file.
func (db *DB) Close() error {
	var err error
	db.closed.Do(func() {
		db.writes.Close() // commits what is queued
		close(db.done)
		db.wg.Wait()
		if db.cp != nil {
			_, _ = db.cp.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`)
			db.cp.Close()
		}
		err1 := db.ro.Close()
		err2 := db.rw.Close()
		if err1 != nil {
			err = err1
		} else {
			err = err2
		}
	})
	return err
}

// migrate applies the embedded migrations not yet applied, in order, each
// in its own transaction, and records the schema version.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.rw.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return err
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	for _, name := range names {
		v, err := strconv.Atoi(strings.SplitN(filepath.Base(name), "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", name)
		}
		var n int
		if err := db.rw.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, v).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return err
		}
		tx, err := db.rw.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, string(body)); err != nil {
			tx.Rollback()
			return fmt.Errorf("migration %s: %w", name, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, v, db.now().UnixMilli()); err != nil {
			tx.Rollback()
			return err
		}
		if err := tx.Commit(); err != nil {
			return err
		}
	}
	return nil
}

// SchemaVersion returns the highest applied migration.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.ro.QueryRowContext(ctx, `SELECT max(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}

// checkpointInterval is how often the background connection copies the
// write-ahead log into the database file.
const checkpointInterval = 500 * time.Millisecond

// checkpointer runs passive checkpoints, which never block the writer.
func (db *DB) checkpointer() {
	defer db.wg.Done()
	t := time.NewTicker(checkpointInterval)
	defer t.Stop()
	for {
		select {
		case <-db.done:
			return
		case <-t.C:
			_, _ = db.cp.Exec(`PRAGMA wal_checkpoint(PASSIVE)`)
		}
	}
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.ro.PingContext(ctx) }

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }
