// Package breaker is a circuit breaker for calls to a remote model: after
// a run of failures it stops calling for a while, so a model that is down
// costs the patients nothing (not even the timeout) until it may be back.
package breaker

import (
	"sync"
	"time"
)

// Breaker counts consecutive failures. Closed, it lets every call through;
// after Failures consecutive failures it opens for Cooldown, refusing
// calls; then it lets one trial call through (half-open), which closes it
// on success or opens it again on failure. Safe for concurrent use.
type Breaker struct {
	Failures int              // consecutive failures that open it (default 5)
	Cooldown time.Duration    // how long it stays open (default 30 s)
	Now      func() time.Time // default time.Now

	mu        sync.Mutex
	failed    int
	openUntil time.Time
	trial     bool // a half-open trial call is under way
}

// Allow reports whether a call may go ahead. A caller that gets true must
// report the call's outcome with Done.
func (b *Breaker) Allow() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failed < b.threshold() {
		return true
	}
	if b.now().Before(b.openUntil) || b.trial {
		return false
	}
	b.trial = true
	return true
}

// Done records the outcome of an allowed call.
func (b *Breaker) Done(ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.trial = false
	if ok {
		b.failed = 0
		return
	}
	b.failed++
	if b.failed >= b.threshold() {
		cd := b.Cooldown
		if cd <= 0 {
			cd = 30 * time.Second
		}
		b.openUntil = b.now().Add(cd)
	}
}

// Open reports whether the breaker is refusing calls now.
func (b *Breaker) Open() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.failed >= b.threshold() && (b.now().Before(b.openUntil) || b.trial)
}

func (b *Breaker) threshold() int {
	if b.Failures <= 0 {
		return 5
	}
	return b.Failures
}

func (b *Breaker) now() time.Time {
	if b.Now != nil {
		return b.Now()
	}
	return time.Now()
}
