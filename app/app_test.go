package app_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi/api"
	"github.com/daoyi-health/daoyi/app"
	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/knowledge"
	"github.com/daoyi-health/daoyi/sqlite"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// shared is one assistant on a data directory, opened once for the tests
// that only read through it (training the match model takes seconds).
var shared struct {
	once sync.Once
	dir  string
	a    *app.App
	err  error
}

func sharedApp(t testing.TB) *app.App {
	t.Helper()
	shared.once.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "daoyi-app-test-")
		if shared.err != nil {
			return
		}
		shared.a, shared.err = app.Open(context.Background(), app.Config{DataDir: filepath.Join(shared.dir, "data"), Logger: quiet, LinkSecret: []byte(testLinkSecret)})
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.a
}

// closers are run after every test, for apps shared between tests.
var closers []func()

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.a != nil {
		shared.a.Close()
		os.RemoveAll(shared.dir)
	}
	for _, c := range closers {
		c()
	}
	os.Exit(code)
}

type chatResp struct {
	SessionID string `json:"session_id"`
	Reply     struct {
		Text         string  `json:"text"`
		Intent       string  `json:"intent"`
		Confidence   float64 `json:"confidence"`
		Urgent       bool    `json:"urgent"`
		Decision     string  `json:"decision"`
		QAID         string  `json:"qa_id"`
		Citations    []struct{ ID, Title string }
		QuickReplies []struct{ Title, Text string } `json:"quick_replies"`
		Cards        []struct{ Type, Title string }
	} `json:"reply"`
}

func chat(t *testing.T, url, session, text string) chatResp {
	t.Helper()
	body, _ := json.Marshal(map[string]string{"session_id": session, "text": text})
	resp, err := http.Post(url+"/v1/chat", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("POST /v1/chat %q: status %d: %s", text, resp.StatusCode, b)
	}
	var r chatResp
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

// TestEndToEnd talks to the real assistant over HTTP: an FAQ answered from
// the built-in corpus word for word with its source, a greeting, an
// out-of-knowledge question declined with a way to a person, and one
// session across turns.
func TestEndToEnd(t *testing.T) {
	a := sharedApp(t)
	ts := httptest.NewServer(a.Server.Handler())
	defer ts.Close()
	h, _ := corpus.DefaultHospital()
	qas, err := a.DB.ListQA(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]knowledge.QAPair{}
	for _, q := range qas {
		byID[q.ID] = q
	}

	// A stored question asked as is must be answered with its pair.
	probe := byID["blood-urine-01"]
	r := chat(t, ts.URL, "", probe.Question)
	t.Run("AnswersWordForWord", func(t *testing.T) {
		want, _ := h.Fill(probe.Answer, nil)
		if r.Reply.Decision != "answer" || r.Reply.QAID != probe.ID || r.Reply.Text != want {
			t.Fatalf("asked %q, got %s %s %q", probe.Question, r.Reply.Decision, r.Reply.QAID, r.Reply.Text)
		}
		if len(r.Reply.Citations) != 1 || r.Reply.Citations[0].ID != probe.ID || r.Reply.Citations[0].Title != probe.ArticleTitle {
			t.Fatalf("citations = %+v", r.Reply.Citations)
		}
		if strings.Contains(r.Reply.Text, "{{") {
			t.Fatal("a placeholder reached the patient")
		}
	})
	t.Run("SessionContinues", func(t *testing.T) {
		r2 := chat(t, ts.URL, r.SessionID, "谢谢")
		if r2.SessionID != r.SessionID || r2.Reply.Intent != "thanks" {
			t.Fatalf("second turn: session %q intent %q", r2.SessionID, r2.Reply.Intent)
		}
		s, err := a.DB.LoadSession(context.Background(), r.SessionID)
		if err != nil || s.Turns() != 2 {
			t.Fatalf("session has %v turns (%v)", s, err)
		}
	})
	t.Run("Greeting", func(t *testing.T) {
		g := chat(t, ts.URL, "", "你好")
		if g.Reply.Intent != "greeting" || len(g.Reply.QuickReplies) == 0 {
			t.Fatalf("greeting reply = %+v", g.Reply)
		}
	})
	t.Run("DeclinesOffTopic", func(t *testing.T) {
		d := chat(t, ts.URL, "", "帮我写一首关于春天的诗")
		if d.Reply.Decision == "answer" {
			t.Fatalf("answered an off-topic request with %s", d.Reply.QAID)
		}
		if d.Reply.Decision == "decline" {
			last := d.Reply.QuickReplies[len(d.Reply.QuickReplies)-1]
			if !strings.Contains(d.Reply.Text, h.Facts()["phone.main"]) || last.Text == "" {
				t.Fatalf("a decline must give the phone and a way to staff: %+v", d.Reply)
			}
		}
	})
	t.Run("OnlyEmojiGetsPoliteReply", func(t *testing.T) {
		e := chat(t, ts.URL, "", "👍👍")
		if e.Reply.Intent != "fallback" || e.Reply.Text == "" {
			t.Fatalf("emoji reply = %+v", e.Reply)
		}
	})
}

func TestStreamEndToEnd(t *testing.T) {
	a := sharedApp(t)
	ts := httptest.NewServer(a.Server.Handler())
	defer ts.Close()
	q := "已经预约的检查想改时间，怎么办？"
	resp, err := http.Post(ts.URL+"/v1/chat/stream", "application/json", strings.NewReader(`{"text":"`+q+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var text strings.Builder
	var done api.ChatResponse
	var events []string
	sc := bufio.NewScanner(resp.Body)
	ev := ""
	for sc.Scan() {
		line := sc.Text()
		if e, ok := strings.CutPrefix(line, "event: "); ok {
			ev = e
			events = append(events, e)
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		switch ev {
		case "delta":
			var d struct{ Text string }
			_ = json.Unmarshal([]byte(data), &d)
			text.WriteString(d.Text)
		case "done":
			if err := json.Unmarshal([]byte(data), &done); err != nil {
				t.Fatal(err)
			}
		}
	}
	if done.Reply == nil || done.Reply.Text != text.String() || done.SessionID == "" {
		t.Fatalf("streamed %q, done %+v", text.String(), done)
	}
	if !strings.Contains(strings.Join(events, ","), "citation") || events[len(events)-1] != "done" {
		t.Fatalf("events %v", events)
	}
}

// TestWarmRestart opens a data directory twice: the second start reuses
// the database, the index and the trained model, and answers the same.
func TestWarmRestart(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data")
	// Seed the new data directory with the shared assistant's model, so
	// the first start imports and indexes but does not train again.
	seed, err := sqlite.Open(filepath.Join(dir, "daoyi.db"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := knowledge.MarshalMatcher(sharedApp(t).Retriever.Model())
	if err != nil {
		t.Fatal(err)
	}
	if err := seed.PutBlob(ctx, "knowledge_matcher", b); err != nil {
		t.Fatal(err)
	}
	seed.Close()
	a1, err := app.Open(ctx, app.Config{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	q := "住院押金要交多少"
	r1, err := a1.Retriever.Search(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	model1, _ := knowledge.MarshalMatcher(a1.Retriever.Model())
	a1.Close()

	start := time.Now()
	a2, err := app.Open(ctx, app.Config{DataDir: dir, Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer a2.Close()
	took := time.Since(start)
	model2, _ := knowledge.MarshalMatcher(a2.Retriever.Model())
	if !bytes.Equal(model1, model2) {
		t.Fatal("the warm start trained a new model instead of reusing the stored one")
	}
	if a2.Index.Version() != a2.Retriever.Version() {
		t.Fatal("the warm start's index is not the loaded knowledge's")
	}
	r2, _ := a2.Retriever.Search(ctx, q)
	if r1.Hits[0].QA.ID != r2.Hits[0].QA.ID || r1.Decision != r2.Decision {
		t.Fatalf("answers differ after restart: %s/%s vs %s/%s", r1.Hits[0].QA.ID, r1.Decision, r2.Hits[0].QA.ID, r2.Decision)
	}
	t.Logf("warm start took %v", took)

	t.Run("EditorPairSurvivesAndIsAnswered", func(t *testing.T) {
		pair := knowledge.QAPair{ID: "local-01", Question: "医院的自行车停在哪里？", Similar: []string{"自行车 停车", "电动车停哪"},
			Answer: "自行车和电动车请停在院区东门的非机动车棚。", ArticleTitle: "院内停车", Source: "editor"}
		if err := a2.DB.PutQA(ctx, pair); err != nil {
			t.Fatal(err)
		}
		if err := a2.ReloadKnowledge(ctx); err != nil {
			t.Fatal(err)
		}
		// Answered at once, with the old model…
		r, err := a2.Retriever.Search(ctx, "电动车停哪")
		if err != nil || len(r.Hits) == 0 || r.Hits[0].QA.ID != "local-01" {
			t.Fatalf("the new pair is not found: %+v %v", r, err)
		}
		// …while a new one is trained in the background and stored.
		a2.WaitIdle()
		if a2.Retriever.Stale() {
			t.Fatal("the model is still stale after the background retrain")
		}
		b, _ := a2.DB.GetBlob(ctx, "knowledge_matcher")
		m, err := knowledge.UnmarshalMatcher(b)
		if err != nil || m.Version != a2.Retriever.Version() {
			t.Fatalf("stored model is for %v, want %s (%v)", m, a2.Retriever.Version(), err)
		}
	})
}
