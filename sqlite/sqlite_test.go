package sqlite_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/knowledge"
	"github.com/daoyi-health/daoyi/sqlite"
	"github.com/daoyi-health/daoyi/storetest"
)

func open(t testing.TB, path string) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	db := open(t, path)
	v, err := db.SchemaVersion(ctx)
	if err != nil || v < 1 {
		t.Fatalf("SchemaVersion = %d, %v", v, err)
	}
	db.Close()
	// Reopening applies nothing twice.
	db2 := open(t, path)
	v2, err := db2.SchemaVersion(ctx)
	if err != nil || v2 != v {
		t.Fatalf("after reopen SchemaVersion = %d, %v; want %d", v2, err, v)
	}
}

// TestStore runs the suite every storage adapter passes.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return open(t, ":memory:") })
	storetest.RunRecords(t, func(t *testing.T) storetest.RecordStore { return open(t, ":memory:") })
}

// TestGroupCommit appends from many goroutines at once: every append must
// be committed (none lost, none failed), including a failing one in the
// same batch that must not undo the others.
func TestGroupCommit(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	db := open(t, path)
	const n = 200
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s := &bot.Session{ID: fmt.Sprintf("s-%08d", i), CreatedAt: time.Now()}
			errs[i] = db.AppendEvents(ctx, s, storetest.Events(1, fmt.Sprint("问题", i)))
		}(i)
	}
	// A conflicting append in the middle of the storm.
	dup := &bot.Session{ID: "s-00000000", CreatedAt: time.Now()}
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(time.Millisecond)
		_ = db.AppendEvents(ctx, dup, storetest.Events(1, "重复"))
	}()
	wg.Wait()
	for i, err := range errs {
		if err != nil && i != 0 {
			t.Fatalf("append %d: %v", i, err)
		}
	}
	// Durable: reopen the file and count.
	db.Close()
	db2 := open(t, path)
	got, err := db2.CountEvents(ctx, bot.EvUser)
	if err != nil || got != n {
		t.Fatalf("after reopen: %d user events (%v), want %d", got, err, n)
	}
}

func TestClosedRefusesWrites(t *testing.T) {
	db := open(t, ":memory:")
	db.Close()
	err := db.PutBlob(context.Background(), "k", []byte("v"))
	if err == nil {
		t.Fatal("write after Close succeeded")
	}
}

// TestVectors runs the vector index suite every storage adapter passes.
func TestVectors(t *testing.T) {
	storetest.RunVectors(t, func(t *testing.T) knowledge.VectorIndex { return open(t, ":memory:").Vectors() })
}

// TestVectorsSurviveRestart: a reopened database re-embeds nothing.
func TestVectorsSurviveRestart(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "d.db")
	es := []knowledge.Entry{{ID: "a#0", QAID: "a", Text: "怎么挂号"}, {ID: "b#0", QAID: "b", Text: "医保怎么报销"}}
	db := open(t, path)
	if _, err := db.Vectors().Sync(ctx, &storetest.Embedder{Model: "m", N: 8}, es); err != nil {
		t.Fatal(err)
	}
	db.Close()
	emb := &storetest.Embedder{Model: "m", N: 8}
	v := open(t, path).Vectors()
	st, err := v.Sync(ctx, emb, es)
	if err != nil || st.Kept != 2 || emb.Texts.Load() != 0 {
		t.Fatalf("sync after reopening = %+v, %v, %d texts embedded; want both kept", st, err, emb.Texts.Load())
	}
	hits, err := v.Search(ctx, emb.Vector("医保怎么报销"), 1)
	if err != nil || len(hits) != 1 || hits[0].ID != "b#0" {
		t.Fatalf("Search = %v, %v", hits, err)
	}
}
