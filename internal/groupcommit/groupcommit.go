// Package groupcommit hands writes to workers that commit them in groups:
// the writes that arrive while a commit is in flight share the next one,
// so a busy store pays one commit for many turns. Both stores (sqlite,
// postgres) use it; what a commit is stays theirs.
package groupcommit

import (
	"context"
	"errors"
	"sync"
)

// ErrClosed is returned for writes after Close.
var ErrClosed = errors.New("the database is closed")

// Commit writes a group of items and returns one error per item: a
// failing item must not fail the others.
type Commit[T any] func(items []T) []error

// Queue groups items for its commit function.
type Queue[T any] struct {
	reqs   chan *request[T]
	stop   chan struct{}
	wg     sync.WaitGroup
	mu     sync.RWMutex // senders hold it for reading from their check to their send
	closed bool
	max    int
	commit Commit[T]
}

type request[T any] struct {
	ctx  context.Context
	item T
	done chan error
}

// New starts workers that commit up to maxGroup items at a time; buffer
// is how many items may wait.
func New[T any](workers, maxGroup, buffer int, commit Commit[T]) *Queue[T] {
	q := &Queue[T]{reqs: make(chan *request[T], buffer), stop: make(chan struct{}), max: maxGroup, commit: commit}
	for range workers {
		q.wg.Add(1)
		go q.worker()
	}
	return q
}

// Do queues an item and waits until its group is committed. Once queued
// it waits for the outcome even if ctx ends: the item may be committed
// already, and the caller must not believe otherwise.
func (q *Queue[T]) Do(ctx context.Context, item T) error {
	r := &request[T]{ctx: ctx, item: item, done: make(chan error, 1)}
	q.mu.RLock()
	if q.closed {
		q.mu.RUnlock()
		return ErrClosed
	}
	select {
	case q.reqs <- r:
		q.mu.RUnlock()
	case <-ctx.Done():
		q.mu.RUnlock()
		return ctx.Err()
	}
	return <-r.done
}

// Close commits what is queued, refuses what comes after, and returns when
// the workers have stopped.
func (q *Queue[T]) Close() {
	q.mu.Lock()
	if q.closed {
		q.mu.Unlock()
		return
	}
	q.closed = true
	q.mu.Unlock()
	close(q.stop)
	q.wg.Wait()
}

func (q *Queue[T]) worker() {
	defer q.wg.Done()
	for {
		select {
		case r := <-q.reqs:
			q.run(q.gather(r))
		case <-q.stop:
			// No sender is left (Close holds the lock they need): commit
			// what is queued, then stop.
			for {
				select {
				case r := <-q.reqs:
					q.run(q.gather(r))
				default:
					return
				}
			}
		}
	}
}

func (q *Queue[T]) gather(first *request[T]) []*request[T] {
	group := []*request[T]{first}
	for len(group) < q.max {
		select {
		case r := <-q.reqs:
			group = append(group, r)
		default:
			return group
		}
	}
	return group
}

// run commits the requests whose callers still wait.
func (q *Queue[T]) run(group []*request[T]) {
	live := group[:0:0]
	items := make([]T, 0, len(group))
	for _, r := range group {
		if err := r.ctx.Err(); err != nil {
			r.done <- err
			continue
		}
		live = append(live, r)
		items = append(items, r.item)
	}
	if len(live) == 0 {
		return
	}
	errs := q.commit(items)
	for i, r := range live {
		r.done <- errs[i]
	}
}
