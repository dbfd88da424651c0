package bot_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/intents"
	"github.com/daoyi-health/daoyi/sqlite"
)

func texts(t *testing.T) *bot.Texts {
	t.Helper()
	h, err := corpus.DefaultHospital()
	if err != nil {
		t.Fatal(err)
	}
	r, err := corpus.LoadReplies()
	if err != nil {
		t.Fatal(err)
	}
	tx, err := bot.NewTexts(r, h)
	if err != nil {
		t.Fatal(err)
	}
	return tx
}

// echoFAQ stands in for the FAQ skill: it answers with the question and a
// citation, slowly enough that concurrent turns would interleave if the
// engine did not serialise them.
var echoFAQ = bot.SkillFunc(func(ctx context.Context, t *bot.Turn) (*bot.Reply, error) {
	time.Sleep(2 * time.Millisecond)
	return &bot.Reply{
		Text:      fmt.Sprintf("第%d轮：您问的是“%s”。", t.Session.Turns()+1, t.Message.Text),
		Intent:    intents.FAQ,
		Decision:  "answer",
		Citations: []bot.Citation{{ID: "x-01", Title: "测试文章"}},
		Cards:     []bot.Card{{Type: "faq", Title: "测试"}},
	}, nil
})

var (
	routerOnce sync.Once
	router     *intents.Router
	routerErr  error
)

// testRouter trains the corpus router once for the package's tests.
func testRouter(t *testing.T) *intents.Router {
	t.Helper()
	routerOnce.Do(func() { router, routerErr = intents.DefaultRouter(intents.Config{}) })
	if routerErr != nil {
		t.Fatal(routerErr)
	}
	return router
}

func newEngine(t *testing.T, store bot.SessionStore) *bot.Engine {
	t.Helper()
	router := testRouter(t)
	e, err := bot.NewEngine(bot.Config{
		Sessions: store, Router: router, Texts: texts(t),
		Skills: map[string]bot.Skill{intents.FAQ: echoFAQ, intents.Greeting: bot.SkillFunc(func(ctx context.Context, t *bot.Turn) (*bot.Reply, error) {
			return &bot.Reply{Text: t.Texts.Say("greeting", 0)}, nil
		})},
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func openStore(t *testing.T) *sqlite.DB {
	t.Helper()
	db, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestHandleRecordsTurns(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	e := newEngine(t, db)
	msg := &bot.Message{Channel: "web", Text: "抽血要空腹吗"}
	r, err := e.Handle(ctx, msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if msg.SessionID == "" || !bot.ValidSessionID(msg.SessionID) {
		t.Fatalf("no valid session id assigned: %q", msg.SessionID)
	}
	if r.Intent != intents.FAQ || !strings.Contains(r.Text, "抽血要空腹吗") {
		t.Fatalf("reply = %+v", r)
	}
	s, err := db.LoadSession(ctx, msg.SessionID)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Events) != 2 || s.Events[0].Type != bot.EvUser || s.Events[1].Type != bot.EvBot {
		t.Fatalf("events = %+v", s.Events)
	}
	var bd bot.BotData
	if err := json.Unmarshal(s.Events[1].Data, &bd); err != nil || bd.Intent != intents.FAQ || len(bd.Citations) != 1 {
		t.Fatalf("bot event = %s (%v)", s.Events[1].Data, err)
	}

	t.Run("ContinuesAfterRestart", func(t *testing.T) {
		e2 := newEngine(t, db) // a new process: nothing cached
		m := &bot.Message{SessionID: msg.SessionID, Channel: "web", Text: "几点开始抽血"}
		r, err := e2.Handle(ctx, m, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(r.Text, "第2轮") {
			t.Fatalf("the restarted engine lost the session: %q", r.Text)
		}
		s, _ := db.LoadSession(ctx, msg.SessionID)
		if len(s.Events) != 4 || s.Events[3].Seq != 4 {
			t.Fatalf("events after restart: %d, last seq %d", len(s.Events), s.Events[len(s.Events)-1].Seq)
		}
	})
}

// TestOneTurnAtATime sends many messages to one session at once: the
// per-session lock must serialise them, so every turn sees the previous
// ones and the event log has no gaps or conflicts.
func TestOneTurnAtATime(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	e := newEngine(t, db)
	id := bot.NewSessionID()
	const n = 20
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, err := e.Handle(ctx, &bot.Message{SessionID: id, Text: fmt.Sprint("问题", i)}, nil)
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	s, err := db.LoadSession(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Events) != 2*n {
		t.Fatalf("%d events, want %d", len(s.Events), 2*n)
	}
	seen := map[string]bool{}
	for i, ev := range s.Events {
		if ev.Seq != i+1 {
			t.Fatalf("event %d has seq %d", i, ev.Seq)
		}
		if ev.Type == bot.EvBot {
			var bd bot.BotData
			_ = json.Unmarshal(ev.Data, &bd)
			turn := strings.SplitN(bd.Text, "：", 2)[0]
			if seen[turn] {
				t.Fatalf("two replies saw the same turn number %s: turns interleaved", turn)
			}
			seen[turn] = true
		}
	}
}

func TestOddInputGetsPoliteReply(t *testing.T) {
	ctx := context.Background()
	e := newEngine(t, openStore(t))
	tx := texts(t)
	tests := []struct{ name, text, key string }{
		{"Empty", "", "input.empty"},
		{"Blank", " \n\t ", "input.empty"},
		{"TooLong", strings.Repeat("长", bot.MaxTextRunes+1), "input.too_long"},
		{"InvalidUTF8", "挂号\xff\xfe", "input.unreadable"},
		{"Binary", "a\x00b", "input.unreadable"},
		{"OnlyPunctuation", "？？？！！。。", "input.no_words"},
		{"OnlyEmoji", "😀👍🙏", "input.no_words"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := e.Handle(ctx, &bot.Message{Text: tt.text}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if r.Intent != intents.Fallback || r.Text != tx.Say(tt.key, 0) {
				t.Fatalf("reply = %q (%s), want the %s reply", r.Text, r.Intent, tt.key)
			}
			if len(r.QuickReplies) == 0 {
				t.Fatal("a fallback reply offers no way forward")
			}
		})
	}
}

func TestGreetingIsRouted(t *testing.T) {
	e := newEngine(t, openStore(t))
	for _, text := range []string{"你好", "您好！", "在吗？？", "你好呀~"} {
		r, err := e.Handle(context.Background(), &bot.Message{Text: text}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.Intent != intents.Greeting {
			t.Errorf("%q routed to %s", text, r.Intent)
		}
	}
	// A question that merely starts with a greeting is a question.
	r, _ := e.Handle(context.Background(), &bot.Message{Text: "你好，请问抽血要空腹吗"}, nil)
	if r.Intent != intents.FAQ {
		t.Errorf("a greeting-prefixed question routed to %s", r.Intent)
	}
}

func TestStreamEvents(t *testing.T) {
	e := newEngine(t, openStore(t))
	var got []bot.StreamEvent
	r, err := e.Handle(context.Background(), &bot.Message{Text: "医保卡丢了怎么办，还能挂号吗？"}, func(ev bot.StreamEvent) error {
		got = append(got, ev)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var text strings.Builder
	var order []string
	for _, ev := range got {
		if len(order) == 0 || order[len(order)-1] != ev.Type {
			order = append(order, ev.Type)
		}
		if ev.Type == bot.EventDelta {
			text.WriteString(ev.Text)
		}
	}
	if want := []string{"delta", "citation", "card", "done"}; strings.Join(order, ",") != strings.Join(want, ",") {
		t.Fatalf("event order %v, want %v", order, want)
	}
	if text.String() != r.Text {
		t.Fatalf("deltas add up to %q, want %q", text.String(), r.Text)
	}
	if got[len(got)-1].Reply != r {
		t.Fatal("done does not carry the reply")
	}
}

// TestClientGoneStillRecords: a client that disconnects mid-stream does not
// lose the turn.
func TestClientGoneStillRecords(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	e := newEngine(t, db)
	msg := &bot.Message{Text: "发票怎么开"}
	_, err := e.Handle(ctx, msg, func(bot.StreamEvent) error { return fmt.Errorf("broken pipe") })
	if err != nil {
		t.Fatal(err)
	}
	s, err := db.LoadSession(ctx, msg.SessionID)
	if err != nil || len(s.Events) != 2 {
		t.Fatalf("session after a broken stream: %v, %v", s, err)
	}
}

func TestLocalLockerForgetsIdleSessions(t *testing.T) {
	l := bot.NewLocalLocker()
	for i := 0; i < 100; i++ {
		unlock, err := l.Lock(context.Background(), fmt.Sprint("s", i))
		if err != nil {
			t.Fatal(err)
		}
		unlock()
		unlock() // idempotent
	}
	if n := l.Len(); n != 0 {
		t.Fatalf("%d locks kept after release", n)
	}
	t.Run("ContextEndsWait", func(t *testing.T) {
		unlock, _ := l.Lock(context.Background(), "busy")
		defer unlock()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		if _, err := l.Lock(ctx, "busy"); err == nil {
			t.Fatal("a second Lock on a held session did not wait")
		}
	})
}

// TestReplicasShareASession: two engines on one store, as two replicas
// behind a load balancer, take turns answering one patient. Each has the
// session cached from its own last turn, so every turn after the first
// finds its cache stale: it must answer from the stored conversation
// (turn numbers keep counting) instead of failing with a conflict.
func TestReplicasShareASession(t *testing.T) {
	ctx := context.Background()
	db := openStore(t)
	replicas := []*bot.Engine{newEngine(t, db), newEngine(t, db)}
	id := bot.NewSessionID()
	for i := range 6 {
		m := &bot.Message{SessionID: id, Channel: "web", Text: fmt.Sprintf("问题%d", i)}
		r, err := replicas[i%2].Handle(ctx, m, nil)
		if err != nil {
			t.Fatalf("turn %d on replica %d: %v", i, i%2, err)
		}
		if want := fmt.Sprintf("第%d轮", i+1); !strings.Contains(r.Text, want) {
			t.Fatalf("turn %d answered %q, want it to know it is %s", i, r.Text, want)
		}
	}
	s, err := db.LoadSession(ctx, id)
	if err != nil || len(s.Events) != 12 {
		t.Fatalf("stored %d events (%v), want 12", len(s.Events), err)
	}
}
