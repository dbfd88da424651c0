package app_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi/app"
	"github.com/daoyi-health/daoyi/knowledge"
	"github.com/daoyi-health/daoyi/llm"
	"github.com/daoyi-health/daoyi/postgres/pgtest"
)

// replicaPatience is how long this test waits for a change to reach the
// other replica before calling it lost. It is a liveness bound, not the
// product's speed: BenchmarkReplicaPropagation measures that (figures in
// docs/performance.md), because a timed assertion here would fail on a
// busy machine rather than on slow code.
const replicaPatience = 30 * time.Second

// TestReplicasOnPostgres runs two replicas on one PostgreSQL database,
// each with its own (in-memory) full-text index, behind their own HTTP
// servers, with an embedding model (a fake OpenAI-compatible server)
// whose vectors are kept in pgvector. A conversation moves between them;
// a pair written through one is answered by the other; every question is embedded once, whichever replica does it.
func TestReplicasOnPostgres(t *testing.T) {
	url := pgtest.URL(t)
	ctx := context.Background()
	model := newFakeEmbeddings(t)
	askedTexts := map[string]bool{"抽血前要空腹吗": true, "谢谢": true}
	open := func(name string) (*app.App, string) {
		a, err := app.Open(ctx, app.Config{DataDir: filepath.Join(t.TempDir(), name), DatabaseURL: url, Logger: quiet,
			Embed: llm.EmbedConfig{Provider: llm.ProviderOpenAI, BaseURL: model.URL, Model: "fake-bge"}})
		if err != nil {
			t.Fatal(err)
		}
		ts := httptest.NewServer(a.Server.Handler())
		t.Cleanup(func() { ts.Close(); a.Close() })
		return a, ts.URL
	}
	a1, url1 := open("one")
	a2, url2 := open("two")
	if a1.Retriever.LoadedVersion() != a2.Retriever.LoadedVersion() {
		t.Fatal("the replicas loaded different knowledge")
	}
	questions := func() []string {
		qas, err := a1.DB.ListQA(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, q := range qas {
			out = append(out, q.Questions()...)
		}
		return out
	}
	// embeddedOnce waits until both replicas have synced and every stored
	// question has been sent to the model, and checks that none was sent
	// twice (by the two replicas, say). A patient's question is embedded
	// too when asked, by the replica asked: a stored question the test
	// asks itself may be embedded once more that way.
	embeddedOnce := func(qs []string) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for {
			missing := 0
			for _, q := range qs {
				if model.count(q) == 0 {
					missing++
				}
			}
			if missing == 0 && a1.SemanticSynced() && a2.SemanticSynced() {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("vectors not synced in 30 s: %d of %d questions not embedded", missing, len(qs))
			}
			time.Sleep(20 * time.Millisecond)
		}
		time.Sleep(200 * time.Millisecond) // a second embedding of anything would show now
		for _, q := range qs {
			if n, limit := model.count(q), 1+b2i(askedTexts[q]); n > limit {
				t.Fatalf("the model embedded %q %d times, want at most %d", q, n, limit)
			}
		}
	}
	embeddedOnce(questions())

	t.Run("ConversationMovesBetweenReplicas", func(t *testing.T) {
		r := chat(t, url1, "", "抽血前要空腹吗")
		for i, u := range []string{url2, url1, url2} {
			next := chat(t, u, r.SessionID, "谢谢")
			if next.SessionID != r.SessionID || next.Reply.Text == "" {
				t.Fatalf("turn %d: %+v", i+2, next)
			}
		}
		s, err := a1.DB.LoadSession(ctx, r.SessionID)
		if err != nil || s.Turns() != 4 {
			t.Fatalf("the shared log has %v turns (%v), want 4", s, err)
		}
	})

	t.Run("PairWrittenOnOneIsAnsweredByTheOther", func(t *testing.T) {
		pair := knowledge.QAPair{ID: "local-02", Question: "住院部楼顶的晾衣区几点开放？", Similar: []string{"病房洗的衣服去哪晒", "晾衣区 开放时间"},
			Answer: "住院部楼顶晾衣区每天早上7点到晚上7点开放，雨天请使用各病区的烘干机。", ArticleTitle: "便民设施", Source: "editor"}
		if err := a1.DB.PutQA(ctx, pair); err != nil {
			t.Fatal(err)
		}
		written := time.Now()
		for {
			asked := time.Since(written)
			askedTexts[pair.Question] = true
			r := chat(t, url2, "", pair.Question)
			if r.Reply.QAID == "local-02" {
				t.Logf("answered by the other replica when asked %v after the write", asked.Round(10*time.Millisecond))
				break
			}
			if asked > replicaPatience {
				t.Fatalf("the other replica still answers %s %q %v after the write", r.Reply.QAID, r.Reply.Text, replicaPatience)
			}
			time.Sleep(50 * time.Millisecond)
		}
		embeddedOnce(questions())
	})
}

// fakeEmbeddings is an OpenAI-compatible embeddings server: POST
// /embeddings with {"model","input":[...]} answers one deterministic
// vector per input. It counts how often it embeds each text.
type fakeEmbeddings struct {
	URL  string
	mu   sync.Mutex
	seen map[string]int
}

func newFakeEmbeddings(t testing.TB) *fakeEmbeddings {
	f := &fakeEmbeddings{seen: map[string]int{}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Model string   `json:"model"`
			Input []string `json:"input"`
		}
		if r.URL.Path != "/v1/embeddings" || json.NewDecoder(r.Body).Decode(&req) != nil || len(req.Input) == 0 {
			http.Error(w, `{"error":{"message":"bad request"}}`, http.StatusBadRequest)
			return
		}
		type item struct {
			Object    string    `json:"object"`
			Embedding []float32 `json:"embedding"`
			Index     int       `json:"index"`
		}
		var data []item
		for i, text := range req.Input {
			v := make([]float32, 48)
			for _, c := range text {
				v[int(c)%48]++
			}
			v[0] += 0.5 // never all zero
			data = append(data, item{"embedding", v, i})
			f.mu.Lock()
			f.seen[text]++
			f.mu.Unlock()
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model})
	}))
	t.Cleanup(srv.Close)
	f.URL = srv.URL + "/v1"
	return f
}

// count says how often text was embedded.
func (f *fakeEmbeddings) count(text string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[text]
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
