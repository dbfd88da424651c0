package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/knowledge"
	"github.com/daoyi-health/daoyi/sqlite"
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

func TestQA(t *testing.T) {
	ctx := context.Background()
	db := open(t, ":memory:")
	q1 := knowledge.QAPair{ID: "a-01", Question: "怎么挂号？", Similar: []string{"挂号方法", "在哪挂号"}, Answer: "在 {{links.register}} 预约。",
		Category: "诊前", Tags: []string{"挂号"}, ArticleID: "a", ArticleTitle: "挂号", Source: "builtin"}
	q2 := knowledge.QAPair{ID: "a-02", Question: "能退号吗？", Answer: "可以。", Source: "editor"}
	t.Run("RoundTrip", func(t *testing.T) {
		if err := db.PutQA(ctx, q1, q2); err != nil {
			t.Fatal(err)
		}
		got, err := db.ListQA(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "a-01" || len(got[0].Similar) != 2 || got[0].Tags[0] != "挂号" || got[0].Status != knowledge.Approved {
			t.Fatalf("ListQA = %+v", got)
		}
		if got[1].Similar == nil || len(got[1].Similar) != 0 {
			t.Fatalf("a pair without similar questions reads back as %#v", got[1].Similar)
		}
	})
	t.Run("ErrMissingFields", func(t *testing.T) {
		err := db.PutQA(ctx, knowledge.QAPair{ID: "x"})
		if daoyi.KindOf(err) != daoyi.Invalid {
			t.Fatalf("err = %v, want invalid", err)
		}
	})
	t.Run("DraftsAreNotListed", func(t *testing.T) {
		d := q2
		d.ID, d.Status = "a-03", knowledge.Draft
		if err := db.PutQA(ctx, d); err != nil {
			t.Fatal(err)
		}
		got, _ := db.ListQA(ctx)
		for _, q := range got {
			if q.ID == "a-03" {
				t.Fatal("a draft was listed as approved")
			}
		}
	})
	t.Run("ReplaceSourceKeepsOtherSources", func(t *testing.T) {
		q3 := knowledge.QAPair{ID: "b-01", Question: "新问题", Answer: "新答案"}
		if err := db.ReplaceSource(ctx, "builtin", []knowledge.QAPair{q3}); err != nil {
			t.Fatal(err)
		}
		got, _ := db.ListQA(ctx)
		ids := map[string]bool{}
		for _, q := range got {
			ids[q.ID] = true
		}
		if ids["a-01"] || !ids["b-01"] || !ids["a-02"] {
			t.Fatalf("after ReplaceSource: %v (want b-01 and the editor's a-02, not a-01)", ids)
		}
	})
}

func TestBlobs(t *testing.T) {
	ctx := context.Background()
	db := open(t, ":memory:")
	if b, err := db.GetBlob(ctx, "m"); err != nil || b != nil {
		t.Fatalf("missing blob = %q, %v", b, err)
	}
	for _, v := range []string{"one", "two"} {
		if err := db.PutBlob(ctx, "m", []byte(v)); err != nil {
			t.Fatal(err)
		}
		if b, err := db.GetBlob(ctx, "m"); err != nil || string(b) != v {
			t.Fatalf("GetBlob = %q, %v; want %q", b, err, v)
		}
	}
}

func events(seq int, text string) []bot.Event {
	u, _ := json.Marshal(bot.UserData{Text: text})
	b, _ := json.Marshal(bot.BotData{Text: "答：" + text, Intent: "faq"})
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	return []bot.Event{{Seq: seq, Type: bot.EvUser, At: at, Data: u}, {Seq: seq + 1, Type: bot.EvBot, At: at, Data: b}}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	db := open(t, ":memory:")
	s := &bot.Session{ID: "sess-0001", Channel: "web", CreatedAt: time.Now()}
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := db.LoadSession(ctx, "nobody-here")
		if daoyi.KindOf(err) != daoyi.NotFound {
			t.Fatalf("err = %v, want not_found", err)
		}
	})
	t.Run("AppendAndLoad", func(t *testing.T) {
		if err := db.AppendEvents(ctx, s, events(1, "抽血要空腹吗")); err != nil {
			t.Fatal(err)
		}
		if err := db.AppendEvents(ctx, s, events(3, "几点开始抽血")); err != nil {
			t.Fatal(err)
		}
		got, err := db.LoadSession(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Events) != 4 || got.Turns() != 2 || got.Channel != "web" {
			t.Fatalf("loaded %d events, %d turns, channel %q", len(got.Events), got.Turns(), got.Channel)
		}
		var u bot.UserData
		if err := json.Unmarshal(got.Events[2].Data, &u); err != nil || u.Text != "几点开始抽血" {
			t.Fatalf("event 3 = %s, %v", got.Events[2].Data, err)
		}
	})
	t.Run("ConflictingSeqWritesNothing", func(t *testing.T) {
		err := db.AppendEvents(ctx, s, events(3, "重复"))
		if daoyi.KindOf(err) != daoyi.Conflict {
			t.Fatalf("err = %v, want conflict", err)
		}
		got, _ := db.LoadSession(ctx, s.ID)
		if len(got.Events) != 4 {
			t.Fatalf("a failed append left %d events, want 4", len(got.Events))
		}
	})
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
			errs[i] = db.AppendEvents(ctx, s, events(1, fmt.Sprint("问题", i)))
		}(i)
	}
	// A conflicting append in the middle of the storm.
	dup := &bot.Session{ID: "s-00000000", CreatedAt: time.Now()}
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(time.Millisecond)
		_ = db.AppendEvents(ctx, dup, events(1, "重复"))
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
