package sqlite

import (
	"context"
	"database/sql"
	"errors"

	"github.com/daoyi-health/daoyi/internal/groupcommit"
)

// maxBatch bounds how many write requests share one transaction.
const maxBatch = 256

// ErrClosed is returned for writes after Close.
var ErrClosed = groupcommit.ErrClosed

// tx runs fn in a write transaction and waits until it is committed. Calls
// that arrive while another commit is in flight are grouped into the next
// transaction (group commit): under load, many turns share one commit.
// One failing call does not undo the others (see commit). fn may run twice
// (the second time after a rollback), so it must only execute statements.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	return db.writes.Do(ctx, fn)
}

// commit runs a batch in one transaction. It first runs every request
// plainly; only when one fails does it run the batch again with a
// savepoint around each request, so that the failure is that request's
// alone. Conflicts are rare, so the common case costs one commit and no
// savepoints.
func (db *DB) commit(batch []func(*sql.Tx) error) []error {
	if err := db.runPlain(batch); err == nil {
		return make([]error, len(batch))
	}
	return db.runIsolated(batch)
}

// runPlain runs the batch in one transaction and commits only if every
// request succeeds.
func (db *DB) runPlain(batch []func(*sql.Tx) error) error {
	tx, err := db.rw.Begin()
	if err != nil {
		return err
	}
	for _, fn := range batch {
		if err := fn(tx); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// runIsolated runs the batch with a savepoint per request and commits what
// succeeded.
func (db *DB) runIsolated(batch []func(*sql.Tx) error) []error {
	errs := make([]error, len(batch))
	tx, err := db.rw.Begin()
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	for i, fn := range batch {
		if _, err := tx.Exec(`SAVEPOINT w`); err != nil {
			errs[i] = err
			continue
		}
		if err := fn(tx); err != nil {
			errs[i] = err
			if _, rerr := tx.Exec(`ROLLBACK TO w`); rerr != nil {
				errs[i] = errors.Join(err, rerr)
			}
		}
		if _, err := tx.Exec(`RELEASE w`); err != nil && errs[i] == nil {
			errs[i] = err
		}
	}
	if err := tx.Commit(); err != nil {
		for i := range errs {
			if errs[i] == nil {
				errs[i] = err
			}
		}
	}
	return errs
}
