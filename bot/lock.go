package bot

import (
	"context"
	"sync"
)

// LocalLocker serialises turns per session within one process: a patient
// who sends two messages at once gets them answered in order. Replicas
// sharing a database need a database lock instead (postgres/).
type LocalLocker struct {
	mu    sync.Mutex
	locks map[string]*sessionLock
}

type sessionLock struct {
	ch   chan struct{} // holds one token while free
	refs int
}

// NewLocalLocker returns an empty locker.
func NewLocalLocker() *LocalLocker {
	return &LocalLocker{locks: map[string]*sessionLock{}}
}

// Lock implements Locker.
func (l *LocalLocker) Lock(ctx context.Context, id string) (func(), error) {
	l.mu.Lock()
	s := l.locks[id]
	if s == nil {
		s = &sessionLock{ch: make(chan struct{}, 1)}
		s.ch <- struct{}{}
		l.locks[id] = s
	}
	s.refs++
	l.mu.Unlock()

	select {
	case <-s.ch:
		var once sync.Once
		return func() { once.Do(func() { s.ch <- struct{}{}; l.release(id, s) }) }, nil
	case <-ctx.Done():
		l.release(id, s)
		return nil, ctx.Err()
	}
}

// release drops a reference and forgets the lock when nobody holds or
// waits for it, so the map does not grow with every session ever seen.
func (l *LocalLocker) release(id string, s *sessionLock) {
	l.mu.Lock()
	s.refs--
	if s.refs == 0 {
		delete(l.locks, id)
	}
	l.mu.Unlock()
}

// Len returns the number of sessions locked or waited for.
func (l *LocalLocker) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.locks)
}
