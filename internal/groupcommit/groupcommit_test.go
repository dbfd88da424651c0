package groupcommit

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

// TestGroupsAndIsolates: while one commit is slow, the items that arrive
// share the next; an item whose commit fails fails alone; after Close
// every item is refused.
func TestGroupsAndIsolates(t *testing.T) {
	var mu sync.Mutex
	var sizes []int
	bad := errors.New("bad item")
	q := New(1, 64, 128, func(items []int) []error {
		time.Sleep(5 * time.Millisecond) // a commit in flight
		mu.Lock()
		sizes = append(sizes, len(items))
		mu.Unlock()
		errs := make([]error, len(items))
		for i, it := range items {
			if it%10 == 7 {
				errs[i] = bad
			}
		}
		return errs
	})
	const n = 100
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); errs[i] = q.Do(context.Background(), i) }()
	}
	wg.Wait()
	for i, err := range errs {
		if (i%10 == 7) != errors.Is(err, bad) {
			t.Fatalf("item %d: %v", i, err)
		}
	}
	if len(sizes) >= n {
		t.Fatalf("%d commits for %d items: nothing was grouped", len(sizes), n)
	}
	q.Close()
	if err := q.Do(context.Background(), 1); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v", err)
	}
}

// TestCallerGoneIsNotCommitted: an item whose caller's context ended while
// it waited in the queue is answered with that error, not committed.
func TestCallerGoneIsNotCommitted(t *testing.T) {
	release := make(chan struct{})
	var committed []int
	q := New(1, 8, 8, func(items []int) []error {
		<-release
		committed = append(committed, items...)
		return make([]error, len(items))
	})
	defer q.Close()
	first := make(chan error)
	go func() { first <- q.Do(context.Background(), 1) }()
	time.Sleep(20 * time.Millisecond) // the worker now holds item 1
	ctx, cancel := context.WithCancel(context.Background())
	second := make(chan error)
	go func() { second <- q.Do(ctx, 2) }()
	time.Sleep(20 * time.Millisecond) // item 2 is queued
	cancel()
	close(release)
	if err := <-first; err != nil {
		t.Fatal(err)
	}
	if err := <-second; !errors.Is(err, context.Canceled) {
		t.Fatalf("item 2: %v", err)
	}
	if len(committed) != 1 || committed[0] != 1 {
		t.Fatalf("committed %v, want only item 1", committed)
	}
}
