package postgres

import (
	"context"
	"time"
)

// knowledgeChannel is the channel migration 002's trigger notifies on
// every change to qa_pairs.
const knowledgeChannel = "daoyi_knowledge"

// WatchKnowledge calls changed whenever the knowledge base changes, from
// any replica, until ctx ends. It listens on a connection of its own, and
// calls changed once each time it starts listening (at first, and after
// reconnecting when the connection breaks), since a change may have come
// and gone unheard. changed is called once per notification and must not
// block: coalescing a burst is the caller's.
func (db *DB) WatchKnowledge(ctx context.Context, changed func()) {
	backoff := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := db.listen(ctx, changed)
		if ctx.Err() != nil {
			return
		}
		if err == nil {
			backoff = 100 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

// listen holds one LISTEN connection until it fails or ctx ends.
func (db *DB) listen(ctx context.Context, changed func()) error {
	conn, err := db.pool.Acquire(ctx)
	if err != nil {
		return err
	}
	// The connection leaves the pool for good: a LISTEN must not follow it
	// back to a query that does not expect notifications.
	pc := conn.Hijack()
	defer pc.Close(context.WithoutCancel(ctx))
	if _, err := pc.Exec(ctx, "LISTEN "+knowledgeChannel); err != nil {
		return err
	}
	// Whatever changed before this LISTEN (between the caller's first load
	// and now, or while reconnecting) was told to nobody: check once.
	changed()
	for {
		if _, err := pc.WaitForNotification(ctx); err != nil {
			return err
		}
		changed()
	}
}
