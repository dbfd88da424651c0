// Package storetest is the one test suite every storage adapter passes
// (sqlite, postgres): the same calls, the same answers, the same errors.
// An adapter's tests call Run with a function that opens an empty store.
package storetest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/knowledge"
)

// Store is what the adapters implement.
type Store interface {
	knowledge.Store
	knowledge.Blobs
	bot.SessionStore
	ReplaceSource(ctx context.Context, source string, qas []knowledge.QAPair) error
	CountEvents(ctx context.Context, typ string) (int, error)
	SchemaVersion(ctx context.Context) (int, error)
	Ping(ctx context.Context) error
}

// Run runs the suite; open returns a new, empty, migrated store that the
// test may use until it ends.
func Run(t *testing.T, open func(t *testing.T) Store) {
	t.Run("Schema", func(t *testing.T) { testSchema(t, open(t)) })
	t.Run("QA", func(t *testing.T) { testQA(t, open(t)) })
	t.Run("Blobs", func(t *testing.T) { testBlobs(t, open(t)) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, open(t)) })
	t.Run("ConcurrentAppends", func(t *testing.T) { testConcurrentAppends(t, open(t)) })
	t.Run("ConflictStorm", func(t *testing.T) { testConflictStorm(t, open(t)) })
	t.Run("HostileText", func(t *testing.T) { testHostileText(t, open(t)) })
}

func testSchema(t *testing.T, db Store) {
	ctx := context.Background()
	if v, err := db.SchemaVersion(ctx); err != nil || v < 1 {
		t.Fatalf("SchemaVersion = %d, %v", v, err)
	}
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
}

func testQA(t *testing.T, db Store) {
	ctx := context.Background()
	at := time.Date(2026, 11, 23, 9, 30, 0, 0, time.UTC)
	q1 := knowledge.QAPair{ID: "a-01", Question: "怎么挂号？", Similar: []string{"挂号方法", "在哪挂号"}, Answer: "在 {{links.register}} 预约。",
		Category: "诊前", Tags: []string{"挂号"}, ArticleID: "a", ArticleTitle: "挂号", Source: "builtin", UpdatedAt: at}
	q2 := knowledge.QAPair{ID: "a-02", Question: "能退号吗？", Answer: "可以。", Source: "editor"}
	t.Run("RoundTrip", func(t *testing.T) {
		if err := db.PutQA(ctx, q1, q2); err != nil {
			t.Fatal(err)
		}
		got, err := db.ListQA(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "a-01" || got[1].ID != "a-02" {
			t.Fatalf("ListQA = %+v", got)
		}
		g := got[0]
		if g.Question != q1.Question || g.Answer != q1.Answer || strings.Join(g.Similar, "|") != "挂号方法|在哪挂号" ||
			g.Tags[0] != "挂号" || g.Category != "诊前" || g.ArticleID != "a" || g.ArticleTitle != "挂号" ||
			g.Source != "builtin" || g.Status != knowledge.Approved || !g.UpdatedAt.Equal(at) {
			t.Fatalf("read back %+v", g)
		}
		if got[1].Similar == nil || len(got[1].Similar) != 0 {
			t.Fatalf("a pair without similar questions reads back as %#v", got[1].Similar)
		}
		if got[1].UpdatedAt.IsZero() {
			t.Fatal("a pair stored without a time has none")
		}
	})
	t.Run("PutReplaces", func(t *testing.T) {
		changed := q2
		changed.Answer = "可以，就诊前在公众号里退。"
		if err := db.PutQA(ctx, changed); err != nil {
			t.Fatal(err)
		}
		got, _ := db.ListQA(ctx)
		if len(got) != 2 || got[1].Answer != changed.Answer {
			t.Fatalf("after replacing a-02: %+v", got)
		}
	})
	t.Run("ErrMissingFields", func(t *testing.T) {
		err := db.PutQA(ctx, q1, knowledge.QAPair{ID: "x"})
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
	t.Run("Delete", func(t *testing.T) {
		if err := db.DeleteQA(ctx, "b-01", "no-such-id"); err != nil {
			t.Fatal(err)
		}
		got, _ := db.ListQA(ctx)
		if len(got) != 1 || got[0].ID != "a-02" {
			t.Fatalf("after delete: %+v", got)
		}
	})
}

func testBlobs(t *testing.T, db Store) {
	ctx := context.Background()
	if b, err := db.GetBlob(ctx, "m"); err != nil || b != nil {
		t.Fatalf("missing blob = %q, %v", b, err)
	}
	big := []byte(strings.Repeat("模型", 1<<18)) // 1.5 MB
	for _, v := range [][]byte{[]byte("one"), {0, 1, 2, 255}, big} {
		if err := db.PutBlob(ctx, "m", v); err != nil {
			t.Fatal(err)
		}
		if b, err := db.GetBlob(ctx, "m"); err != nil || string(b) != string(v) {
			t.Fatalf("GetBlob = %d bytes, %v; want %d bytes", len(b), err, len(v))
		}
	}
}

// Events returns a turn's two events (user and bot) starting at seq.
func Events(seq int, text string) []bot.Event {
	u, _ := json.Marshal(bot.UserData{Text: text})
	b, _ := json.Marshal(bot.BotData{Text: "答：" + text, Intent: "faq"})
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC).Add(time.Duration(seq) * time.Second)
	return []bot.Event{{Seq: seq, Type: bot.EvUser, At: at, Data: u}, {Seq: seq + 1, Type: bot.EvBot, At: at, Data: b}}
}

func testSessions(t *testing.T, db Store) {
	ctx := context.Background()
	created := time.Date(2026, 11, 23, 9, 59, 0, 0, time.UTC)
	s := &bot.Session{ID: "sess-0001", Channel: "web", CreatedAt: created}
	t.Run("ErrNotFound", func(t *testing.T) {
		_, err := db.LoadSession(ctx, "nobody-here")
		if daoyi.KindOf(err) != daoyi.NotFound {
			t.Fatalf("err = %v, want not_found", err)
		}
	})
	first, second := Events(1, "抽血要空腹吗"), Events(3, "几点开始抽血")
	t.Run("AppendAndLoad", func(t *testing.T) {
		if err := db.AppendEvents(ctx, s, first); err != nil {
			t.Fatal(err)
		}
		if err := db.AppendEvents(ctx, s, second); err != nil {
			t.Fatal(err)
		}
		got, err := db.LoadSession(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Events) != 4 || got.Turns() != 2 || got.Channel != "web" || !got.CreatedAt.Equal(created) {
			t.Fatalf("loaded %d events, %d turns, channel %q, created %v", len(got.Events), got.Turns(), got.Channel, got.CreatedAt)
		}
		for i, want := range append(first, second...) {
			e := got.Events[i]
			if e.Seq != want.Seq || e.Type != want.Type || !e.At.Equal(want.At) || string(e.Data) != string(want.Data) {
				t.Fatalf("event %d = %+v (%s), want %+v (%s)", i, e, e.Data, want, want.Data)
			}
		}
	})
	t.Run("ConflictingSeqWritesNothing", func(t *testing.T) {
		err := db.AppendEvents(ctx, s, Events(3, "重复"))
		if daoyi.KindOf(err) != daoyi.Conflict {
			t.Fatalf("err = %v, want conflict", err)
		}
		got, _ := db.LoadSession(ctx, s.ID)
		if len(got.Events) != 4 {
			t.Fatalf("a failed append left %d events, want 4", len(got.Events))
		}
	})
	t.Run("PartlyConflictingAppendWritesNothing", func(t *testing.T) {
		// A new event then a taken one: the append is all or nothing.
		mixed := append(Events(5, "新的"), Events(3, "重复")...)
		if err := db.AppendEvents(ctx, s, mixed); daoyi.KindOf(err) != daoyi.Conflict {
			t.Fatalf("err = %v, want conflict", err)
		}
		got, _ := db.LoadSession(ctx, s.ID)
		if len(got.Events) != 4 {
			t.Fatalf("a failed append left %d events, want 4", len(got.Events))
		}
	})
	t.Run("NewSessionWithTakenIDConflicts", func(t *testing.T) {
		again := &bot.Session{ID: s.ID, Channel: "wechat", CreatedAt: time.Now()}
		if err := db.AppendEvents(ctx, again, Events(1, "另一个人")); daoyi.KindOf(err) != daoyi.Conflict {
			t.Fatalf("err = %v, want conflict", err)
		}
	})
}

// testConcurrentAppends appends from many goroutines at once, with one
// conflicting append among them: every other append must be committed.
func testConcurrentAppends(t *testing.T, db Store) {
	ctx := context.Background()
	const n = 100
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			s := &bot.Session{ID: fmt.Sprintf("s-%08d", i), CreatedAt: time.Now()}
			errs[i] = db.AppendEvents(ctx, s, Events(1, fmt.Sprint("问题", i)))
		}(i)
	}
	dup := &bot.Session{ID: "s-00000000", CreatedAt: time.Now()}
	wg.Add(1)
	var dupErr error
	go func() {
		defer wg.Done()
		dupErr = db.AppendEvents(ctx, dup, Events(1, "重复"))
	}()
	wg.Wait()
	failed := 0
	for i, err := range errs {
		if err != nil {
			if i != 0 || daoyi.KindOf(err) != daoyi.Conflict {
				t.Fatalf("append %d: %v", i, err)
			}
			failed++
		}
	}
	if dupErr != nil {
		failed++
	}
	if failed != 1 {
		t.Fatalf("%d appends to s-00000000 failed, want exactly one", failed)
	}
	got, err := db.CountEvents(ctx, bot.EvUser)
	if err != nil || got != n {
		t.Fatalf("%d user events (%v), want %d", got, err, n)
	}
}

// testConflictStorm has many writers race for the same sessions' next
// turns, as two replicas would if both answered one patient at once:
// every append either commits or fails with a Conflict (never another
// error), each session's log stays gapless, and the store keeps working
// afterwards.
func testConflictStorm(t *testing.T, db Store) {
	ctx := context.Background()
	const sessions, racers, rounds = 8, 6, 5
	var wg sync.WaitGroup
	var mu sync.Mutex
	var bad []error
	for s := range sessions {
		id := fmt.Sprintf("storm-%04d", s)
		for range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for range rounds {
					cur, err := db.LoadSession(ctx, id)
					seq := 1
					if err == nil {
						seq = len(cur.Events) + 1
					} else if daoyi.KindOf(err) != daoyi.NotFound {
						mu.Lock()
						bad = append(bad, err)
						mu.Unlock()
						return
					}
					sess := &bot.Session{ID: id, CreatedAt: time.Now()}
					if err := db.AppendEvents(ctx, sess, Events(seq, "抢")); err != nil && daoyi.KindOf(err) != daoyi.Conflict {
						mu.Lock()
						bad = append(bad, err)
						mu.Unlock()
					}
				}
			}()
		}
	}
	wg.Wait()
	for _, err := range bad {
		t.Error(err)
	}
	for s := range sessions {
		got, err := db.LoadSession(ctx, fmt.Sprintf("storm-%04d", s))
		if err != nil {
			t.Fatal(err)
		}
		for i, e := range got.Events {
			if e.Seq != i+1 {
				t.Fatalf("session %d: event %d has seq %d", s, i, e.Seq)
			}
		}
	}
	after := &bot.Session{ID: "after-the-storm", CreatedAt: time.Now()}
	for seq := 1; seq <= 9; seq += 2 {
		if err := db.AppendEvents(ctx, after, Events(seq, "之后")); err != nil {
			t.Fatalf("an append after the storm: %v", err)
		}
	}
}

// testHostileText stores what a patient or an editor might type that
// breaks naive SQL or encodings; it must come back exactly.
func testHostileText(t *testing.T, db Store) {
	ctx := context.Background()
	texts := []string{
		`'); DROP TABLE qa_pairs; --`,
		`" OR 1=1 --`,
		`\x00 is not a NUL, \n nor a newline`,
		"emoji 😷🏥 and 𠮷 (outside the BMP)",
		strings.Repeat("很长的回答。", 5000),
	}
	for i, text := range texts {
		id := fmt.Sprintf("h-%02d", i)
		if err := db.PutQA(ctx, knowledge.QAPair{ID: id, Question: text, Similar: []string{text}, Answer: text, Tags: []string{text}}); err != nil {
			t.Fatalf("%q: %v", text[:min(len(text), 20)], err)
		}
		s := &bot.Session{ID: "hostile-" + id, CreatedAt: time.Now()}
		if err := db.AppendEvents(ctx, s, Events(1, text)); err != nil {
			t.Fatal(err)
		}
		got, err := db.LoadSession(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		var u bot.UserData
		if err := json.Unmarshal(got.Events[0].Data, &u); err != nil || u.Text != text {
			t.Fatalf("session text came back as %q (%v)", u.Text, err)
		}
	}
	got, err := db.ListQA(ctx)
	if err != nil || len(got) != len(texts) {
		t.Fatalf("ListQA: %d pairs, %v", len(got), err)
	}
	for i, q := range got {
		if q.Question != texts[i] || q.Answer != texts[i] || q.Similar[0] != texts[i] || q.Tags[0] != texts[i] {
			t.Fatalf("pair %d came back changed", i)
		}
	}
}

// BenchmarkAppends measures one turn's write (two events) from many
// goroutines at once, as the engine does under load: group commit shares
// each commit among the turns waiting for it. Each store's
// BenchmarkAppendEvents runs it.
func BenchmarkAppends(b *testing.B, db Store) {
	ctx := context.Background()
	var next atomic.Int64
	b.SetParallelism(16) // 16 × GOMAXPROCS writers
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		s := &bot.Session{ID: fmt.Sprintf("bench-%08d", next.Add(1)), CreatedAt: time.Now()}
		seq := 1
		for pb.Next() {
			if err := db.AppendEvents(ctx, s, Events(seq, "抽血前能喝水吗")); err != nil {
				b.Fatal(err)
			}
			seq += 2
		}
	})
}
