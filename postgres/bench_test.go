package postgres_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/daoyi-health/daoyi/postgres"
	"github.com/daoyi-health/daoyi/postgres/pgtest"
	"github.com/daoyi-health/daoyi/storetest"
)

// BenchmarkAppendEvents: see storetest.BenchmarkAppends; compare the
// sqlite package's.
func BenchmarkAppendEvents(b *testing.B) {
	db, err := postgres.Open(context.Background(), pgtest.URL(b), postgres.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	storetest.BenchmarkAppends(b, db)
}

// BenchmarkSessionLock measures taking and releasing one session's lock
// across replicas, from many goroutines on distinct sessions.
func BenchmarkSessionLock(b *testing.B) {
	ctx := context.Background()
	l, err := postgres.NewSessionLocker(ctx, pgtest.URL(b), 0)
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := fmt.Sprintf("bench-%08d", next.Add(1))
		for pb.Next() {
			unlock, err := l.Lock(ctx, id)
			if err != nil {
				b.Fatal(err)
			}
			unlock()
		}
	})
}

var poolArg = "?pool_max_conns=32"
