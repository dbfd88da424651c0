package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"

	"github.com/daoyi-health/daoyi/internal/groupcommit"
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

// ErrClosed is returned for writes after Close.
var ErrClosed = groupcommit.ErrClosed

// commitGroup sends every batch in one batch (one implicit transaction).
// When that fails — one batch conflicts — each is sent again on its own,
// so the failure is that batch's alone. Conflicts are rare: the common case
// is one commit. It does not use the callers' contexts: one caller giving
// up must not abort the commit of the others.
func (db *DB) commitGroup(batches []*pgx.Batch) []error {
	ctx := context.Background()
	errs := make([]error, len(batches))
	if len(batches) > 1 {
		all := &pgx.Batch{}
		for _, b := range batches {
			all.QueuedQueries = append(all.QueuedQueries, b.QueuedQueries...)
		}
		if err := db.pool.SendBatch(ctx, all).Close(); err == nil {
			return errs
		}
	}
	for i, b := range batches {
		errs[i] = db.pool.SendBatch(ctx, b).Close()
	}
	return errs
}
