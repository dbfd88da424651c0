package breaker

import (
	"sync"
	"testing"
	"time"
)

func TestBreaker(t *testing.T) {
	now := time.Unix(1000, 0)
	b := &Breaker{Failures: 3, Cooldown: 10 * time.Second, Now: func() time.Time { return now }}
	for i := range 2 {
		if !b.Allow() {
			t.Fatalf("call %d refused while closed", i)
		}
		b.Done(false)
	}
	if !b.Allow() {
		t.Fatal("refused before the threshold")
	}
	b.Done(true) // a success resets the run
	for range 3 {
		if !b.Allow() {
			t.Fatal("refused after a success reset the count")
		}
		b.Done(false)
	}
	if b.Allow() || !b.Open() {
		t.Fatal("still allowing after 3 consecutive failures")
	}
	now = now.Add(9 * time.Second)
	if b.Allow() {
		t.Fatal("allowed before the cooldown ended")
	}
	now = now.Add(2 * time.Second)
	if !b.Allow() {
		t.Fatal("no trial call after the cooldown")
	}
	if b.Allow() {
		t.Fatal("a second call allowed while the trial is under way")
	}
	b.Done(false) // the trial fails: open again
	if b.Allow() {
		t.Fatal("allowed right after a failed trial")
	}
	now = now.Add(11 * time.Second)
	if !b.Allow() {
		t.Fatal("no trial after the second cooldown")
	}
	b.Done(true)
	if !b.Allow() || b.Open() {
		t.Fatal("a successful trial did not close the breaker")
	}
	b.Done(true)
}

func TestBreakerConcurrent(t *testing.T) {
	b := &Breaker{Failures: 2, Cooldown: time.Hour}
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if b.Allow() {
				b.Done(i%2 == 0)
			}
		}()
	}
	wg.Wait()
}
