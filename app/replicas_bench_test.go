package app_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi/app"
	"github.com/daoyi-health/daoyi/knowledge"
	"github.com/daoyi-health/daoyi/llm"
	"github.com/daoyi-health/daoyi/postgres/pgtest"
)

// BenchmarkReplicaPropagation measures how long a pair written through one
// replica takes to be answered by another on the same PostgreSQL database:
// the NOTIFY, the reload of the changed entries, the match model, the
// vectors. One iteration is one new pair; ns/op is the mean, and the
// slowest is reported as max-ms. Both replicas share this machine's
// cores, so a replica with cores of its own is faster (docs/performance.md).
func BenchmarkReplicaPropagation(b *testing.B) {
	url := pgtest.URL(b)
	ctx := context.Background()
	model := newFakeEmbeddings(b)
	open := func(name string) *app.App {
		a, err := app.Open(ctx, app.Config{DataDir: filepath.Join(b.TempDir(), name), DatabaseURL: url, Logger: quiet,
			Embed: llm.EmbedConfig{Provider: llm.ProviderOpenAI, BaseURL: model.URL, Model: "fake-bge"}})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { a.Close() })
		return a
	}
	writer, reader := open("writer"), open("reader")
	places := []string{"东门", "西门", "南门", "北门", "地下一层", "住院部楼顶", "门诊楼三层", "急诊楼旁"}
	var slowest time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		place := places[i%len(places)]
		pair := knowledge.QAPair{ID: fmt.Sprintf("bench-%d", i), Question: fmt.Sprintf("%s的第%d号自助售货机卖不卖雨伞？", place, i+1),
			Similar: []string{fmt.Sprintf("%s第%d号售货机 雨伞", place, i+1), fmt.Sprintf("在%s能买到雨伞吗（%d号机）", place, i+1)},
			Answer:  "可以买到，下雨天请到售货机旁的服务台借用爱心伞。", ArticleTitle: "便民设施", Source: "editor"}
		start := time.Now()
		if err := writer.DB.PutQA(ctx, pair); err != nil {
			b.Fatal(err)
		}
		for {
			res, err := reader.Retriever.Search(ctx, pair.Question)
			if err != nil {
				b.Fatal(err)
			}
			if res.Decision == knowledge.Answer && res.Hits[0].QA.ID == pair.ID {
				break
			}
			if time.Since(start) > replicaPatience {
				b.Fatalf("pair %s not answered by the other replica in %v", pair.ID, replicaPatience)
			}
			time.Sleep(10 * time.Millisecond)
		}
		slowest = max(slowest, time.Since(start))
	}
	b.ReportMetric(float64(slowest.Milliseconds()), "max-ms")
}
