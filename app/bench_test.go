package app_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/daoyi-health/daoyi/eval"
	"github.com/daoyi-health/daoyi/knowledge"
)

func benchQuestions(b *testing.B) []string {
	cases, err := eval.LoadFAQCases("")
	if err != nil {
		b.Fatal(err)
	}
	var qs []string
	for _, c := range cases {
		qs = append(qs, c.Q)
	}
	return qs
}

// BenchmarkRetrieval measures one FAQ question through the whole
// retrieval — analysis, BM25 over questions and answers, vectors,
// centroids, fusion, the match model and the decision — without the
// result cache, over the built-in corpus and test questions.
func BenchmarkRetrieval(b *testing.B) {
	a := sharedApp(b)
	ctx := context.Background()
	qas, err := a.DB.ListQA(ctx)
	if err != nil {
		b.Fatal(err)
	}
	r := knowledge.NewRetriever(knowledge.Config{CacheSize: -1}, a.Retriever.Analyzer(), a.Index)
	if _, err := r.Load(ctx, qas, a.Retriever.Model()); err != nil {
		b.Fatal(err)
	}
	qs := benchQuestions(b)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := r.Search(ctx, qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRetrievalCached is the same with the cache warm: what a
// repeated question costs.
func BenchmarkRetrievalCached(b *testing.B) {
	a := sharedApp(b)
	ctx := context.Background()
	qs := benchQuestions(b)[:200]
	for _, q := range qs {
		_, _ = a.Retriever.Search(ctx, q)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := a.Retriever.Search(ctx, qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkChatHandler is one POST /v1/chat through Gin, the engine, the
// FAQ skill and the event log, in process (no network), 32 sessions.
func BenchmarkChatHandler(b *testing.B) {
	a := sharedApp(b)
	h := a.Server.Handler()
	qs := benchQuestions(b)[:200]
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		session := fmt.Sprintf("bench-%p", &i)
		for pb.Next() {
			body := `{"session_id":"` + session + `","text":"` + qs[i%len(qs)] + `"}`
			req := httptest.NewRequest(http.MethodPost, "/v1/chat", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatalf("status %d: %s", w.Code, w.Body.String())
			}
			i++
		}
	})
}
