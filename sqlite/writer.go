package sqlite

import (
	"context"
	"database/sql"
	"errors"
)

// maxBatch bounds how many write requests share one transaction.
const maxBatch = 256

type writeReq struct {
	ctx  context.Context
	fn   func(*sql.Tx) error
	done chan error
}

// ErrClosed is returned for writes after Close.
var ErrClosed = errors.New("sqlite: database closed")

// tx runs fn in a write transaction and waits until it is committed. Calls
// that arrive while another commit is in flight are grouped into the next
// transaction (group commit): under load, many turns share one commit.
// One failing call does not undo the others (see commit). fn may run twice
// (the second time after a rollback), so it must only execute statements.
func (db *DB) tx(ctx context.Context, fn func(*sql.Tx) error) error {
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	// Sends happen under the read lock and Close takes the write lock
	// before stopping the writer, so every queued request is committed.
	db.closeMu.RLock()
	if db.isClosed {
		db.closeMu.RUnlock()
		return ErrClosed
	}
	select {
	case db.writes <- req:
		db.closeMu.RUnlock()
	case <-ctx.Done():
		db.closeMu.RUnlock()
		return ctx.Err()
	}
	// Once queued, wait for the outcome even if ctx ends: the write may
	// already be committed, and the caller must not believe otherwise.
	return <-req.done
}

func (db *DB) writer() {
	defer db.wg.Done()
	for {
		select {
		case r := <-db.writes:
			db.commit(db.drain(r))
		case <-db.done:
			// Commit what is already queued, then refuse the rest.
			for {
				select {
				case r := <-db.writes:
					db.commit(db.drain(r))
				default:
					return
				}
			}
		}
	}
}

func (db *DB) drain(first *writeReq) []*writeReq {
	batch := []*writeReq{first}
	for len(batch) < maxBatch {
		select {
		case r := <-db.writes:
			batch = append(batch, r)
		default:
			return batch
		}
	}
	return batch
}

// commit runs a batch in one transaction. It first runs every request
// plainly; only when one fails does it run the batch again with a
// savepoint around each request, so that the failure is that request's
// alone. Conflicts are rare, so the common case costs one commit and no
// savepoints.
func (db *DB) commit(batch []*writeReq) {
	live := batch[:0:0]
	for _, r := range batch {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	if err := db.runPlain(live); err == nil {
		for _, r := range live {
			r.done <- nil
		}
		return
	}
	errs := db.runIsolated(live)
	for i, r := range live {
		r.done <- errs[i]
	}
}

// runPlain runs the batch in one transaction and commits only if every
// request succeeds.
func (db *DB) runPlain(batch []*writeReq) error {
	tx, err := db.rw.Begin()
	if err != nil {
		return err
	}
	for _, r := range batch {
		if err := r.fn(tx); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// runIsolated runs the batch with a savepoint per request and commits what
// succeeded.
func (db *DB) runIsolated(batch []*writeReq) []error {
	errs := make([]error, len(batch))
	tx, err := db.rw.Begin()
	if err != nil {
		for i := range errs {
			errs[i] = err
		}
		return errs
	}
	for i, r := range batch {
		if _, err := tx.Exec(`SAVEPOINT w`); err != nil {
			errs[i] = err
			continue
		}
		if err := r.fn(tx); err != nil {
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
