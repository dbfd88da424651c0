package postgres_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/postgres"
	"github.com/daoyi-health/daoyi/postgres/pgtest"
	"github.com/daoyi-health/daoyi/storetest"
)

func open(t *testing.T, url string) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestStore runs the suite every storage adapter passes.
func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) storetest.Store { return open(t, pgtest.URL(t)) })
	storetest.RunRecords(t, func(t *testing.T) storetest.RecordStore { return open(t, pgtest.URL(t)) })
}

// TestMigrateConcurrently starts several replicas on one empty database at
// once: the advisory lock lets each migration run once, and all come up.
func TestMigrateConcurrently(t *testing.T) {
	url := pgtest.URL(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			db, err := postgres.Open(context.Background(), url, postgres.Options{})
			if err == nil {
				db.Close()
			}
			errs[i] = err
		}(i)
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("replica %d: %v", i, err)
		}
	}
	db := open(t, url)
	if v, err := db.SchemaVersion(context.Background()); err != nil || v < 1 {
		t.Fatalf("SchemaVersion = %d, %v", v, err)
	}
}

func TestNoMigrateLeavesSchemaAlone(t *testing.T) {
	db := open(t, pgtest.URL(t))
	_ = db
	fresh, err := postgres.Open(context.Background(), pgtest.URL(t), postgres.Options{NoMigrate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	if _, err := fresh.SchemaVersion(context.Background()); err == nil {
		t.Fatal("a database opened without migrations has a schema")
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	_, err := postgres.Open(ctx, "postgres://user:secret@[::1", postgres.Options{})
	if daoyi.KindOf(err) != daoyi.Invalid {
		t.Fatalf("malformed URL: %v, want invalid", err)
	}
	if err != nil && contains(err.Error(), "secret") {
		t.Fatalf("the error repeats the password: %v", err)
	}
	_, err = postgres.Open(ctx, "postgres://nobody@127.0.0.1:1/none?connect_timeout=2", postgres.Options{})
	if daoyi.KindOf(err) != daoyi.Unavailable {
		t.Fatalf("unreachable server: %v, want unavailable", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// TestSessionLockerAcrossReplicas: two lockers on one database stand for
// two replicas. While one holds a session, the other waits for it (and
// gives up when its context ends), but locks another session at once.
func TestSessionLockerAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	a, err := postgres.NewSessionLocker(ctx, url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := postgres.NewSessionLocker(ctx, url, 4)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()

	unlock, err := a.Lock(ctx, "session-one")
	if err != nil {
		t.Fatal(err)
	}
	short, cancel := context.WithTimeout(ctx, 300*time.Millisecond)
	defer cancel()
	if _, err := b.Lock(short, "session-one"); daoyi.KindOf(err) != daoyi.Timeout {
		t.Fatalf("second replica locked a held session: %v", err)
	}
	other, err := b.Lock(ctx, "session-two")
	if err != nil {
		t.Fatalf("another session: %v", err)
	}
	other()

	got := make(chan time.Time, 1)
	go func() {
		u, err := b.Lock(ctx, "session-one")
		if err != nil {
			t.Error(err)
			close(got)
			return
		}
		got <- time.Now()
		u()
	}()
	time.Sleep(200 * time.Millisecond)
	released := time.Now()
	unlock()
	at, ok := <-got
	if !ok {
		return
	}
	if at.Before(released) {
		t.Fatal("the second replica got the lock before the first released it")
	}
}
