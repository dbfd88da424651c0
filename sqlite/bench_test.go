package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/storetest"
)

// BenchmarkAppendEvents measures one turn's write (two events) from many
// goroutines at once, as the engine does under load: group commit shares
// each transaction among the turns waiting for it.
func BenchmarkAppendEvents(b *testing.B) {
	db := open(b, filepath.Join(b.TempDir(), "bench.db"))
	ctx := context.Background()
	var next atomic.Int64
	b.SetParallelism(16) // 16 × GOMAXPROCS writers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := next.Add(1)
		s := &bot.Session{ID: fmt.Sprintf("bench-%08d", id), CreatedAt: time.Now()}
		seq := 1
		for pb.Next() {
			if err := db.AppendEvents(ctx, s, storetest.Events(seq, "抽血前能喝水吗")); err != nil {
				b.Fatal(err)
			}
			seq += 2
		}
	})
}
