package postgres

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// Group commit for conversation events: turns that arrive while commits
// are in flight share the next one. Each commit is one pipelined batch in
// one implicit transaction, so a busy replica pays one WAL flush for many
// turns instead of one each (the server's commit rate, not the network,
// limited the plain version).

// maxGroup bounds how many appends share one commit; writers is how many
// commits may be in flight at once.
const (
	maxGroup = 128
	writers  = 4
)

type appendReq struct {
	ctx  context.Context
	b    *pgx.Batch
	done chan error
}

// ErrClosed is returned for writes after Close.
var ErrClosed = errors.New("postgres: database closed")

func (db *DB) startWriters() {
	db.appends = make(chan *appendReq)
	db.stop = make(chan struct{})
	for range writers {
		db.wg.Add(1)
		go db.writer()
	}
}

// queue hands a batch to the writers and waits for its commit. Once
// queued, it waits for the outcome even if ctx ends: the events may be
// committed already, and the caller must not believe otherwise.
func (db *DB) queue(ctx context.Context, b *pgx.Batch) error {
	req := &appendReq{ctx: ctx, b: b, done: make(chan error, 1)}
	db.closeMu.RLock()
	if db.closed {
		db.closeMu.RUnlock()
		return ErrClosed
	}
	select {
	case db.appends <- req:
		db.closeMu.RUnlock()
	case <-ctx.Done():
		db.closeMu.RUnlock()
		return ctx.Err()
	}
	return <-req.done
}

func (db *DB) writer() {
	defer db.wg.Done()
	for {
		select {
		case r := <-db.appends:
			db.commitGroup(db.gather(r))
		case <-db.stop:
			return
		}
	}
}

func (db *DB) gather(first *appendReq) []*appendReq {
	group := []*appendReq{first}
	for len(group) < maxGroup {
		select {
		case r := <-db.appends:
			group = append(group, r)
		default:
			return group
		}
	}
	return group
}

// commitGroup sends every request's statements in one batch (one implicit
// transaction). When that fails — one request conflicts — each request is
// sent again on its own, so the failure is that request's alone. Conflicts
// are rare: the common case is one commit.
func (db *DB) commitGroup(group []*appendReq) {
	live := group[:0:0]
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	// Not the callers' contexts: one caller giving up must not abort the
	// commit of the others.
	ctx := context.Background()
	if len(live) > 1 {
		all := &pgx.Batch{}
		for _, r := range live {
			all.QueuedQueries = append(all.QueuedQueries, r.b.QueuedQueries...)
		}
		if err := db.pool.SendBatch(ctx, all).Close(); err == nil {
			for _, r := range live {
				r.done <- nil
			}
			return
		}
	}
	for _, r := range live {
		r.done <- db.pool.SendBatch(ctx, r.b).Close()
	}
}
