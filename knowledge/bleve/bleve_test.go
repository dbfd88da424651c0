package bleve_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/daoyi-health/daoyi/knowledge"
	"github.com/daoyi-health/daoyi/knowledge/bleve"
)

var pairs = []knowledge.QAPair{
	{ID: "a-01", Question: "抽血前需要空腹吗？", Similar: []string{"验血要饿肚子吗"}, Answer: "需要空腹八小时。", ArticleTitle: "抽血"},
	{ID: "b-01", Question: "拉肚子吃什么好？", Similar: []string{"腹泻饮食"}, Answer: "清淡饮食，多喝水，注意补液。", ArticleTitle: "腹泻"},
}

func tokens(t *testing.T, text string) []string {
	t.Helper()
	an, err := knowledge.DefaultAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	return an.IndexTokens(text)
}

func TestRebuildAndSearch(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "index")
	x, err := bleve.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if x.Version() != "" {
		t.Fatalf("a new index has version %q", x.Version())
	}
	if err := x.Rebuild(ctx, "v1", knowledge.Entries(pairs)); err != nil {
		t.Fatal(err)
	}
	t.Run("Questions", func(t *testing.T) {
		hits, err := x.Search(ctx, tokens(t, "验血前要空腹吗"), 5, false)
		if err != nil {
			t.Fatal(err)
		}
		if len(hits) == 0 || hits[0].ID[:4] != "a-01" {
			t.Fatalf("hits = %+v", hits)
		}
		for _, h := range hits {
			if h.ID[len(h.ID)-2:] == "#a" {
				t.Fatal("a question search returned an answer")
			}
		}
	})
	t.Run("LexiconTermsMatch", func(t *testing.T) {
		// 腹泻 is the standard term of 拉肚子: both index §腹泻.
		hits, _ := x.Search(ctx, tokens(t, "腹泻"), 5, false)
		if len(hits) < 2 || hits[0].ID[:4] != "b-01" || hits[1].ID[:4] != "b-01" {
			t.Fatalf("hits = %+v", hits)
		}
	})
	t.Run("Answers", func(t *testing.T) {
		hits, _ := x.Search(ctx, tokens(t, "补液"), 5, true)
		if len(hits) != 1 || hits[0].ID != "b-01#a" {
			t.Fatalf("hits = %+v", hits)
		}
	})
	t.Run("NoTokensNoHits", func(t *testing.T) {
		hits, err := x.Search(ctx, nil, 5, false)
		if err != nil || len(hits) != 0 {
			t.Fatalf("hits = %+v, %v", hits, err)
		}
	})
	if err := x.Close(); err != nil {
		t.Fatal(err)
	}

	t.Run("ReopenKeepsVersionAndEntries", func(t *testing.T) {
		y, err := bleve.Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer y.Close()
		if y.Version() != "v1" {
			t.Fatalf("version after reopen = %q", y.Version())
		}
		if n, _ := y.Count(); n != 6 {
			t.Fatalf("%d entries after reopen, want 6", n)
		}
	})
	t.Run("DamagedIndexStartsEmpty", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "index")
		if err := os.MkdirAll(bad, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(bad, "index_meta.json"), []byte("{not json"), 0o644); err != nil {
			t.Fatal(err)
		}
		z, err := bleve.Open(bad)
		if err != nil {
			t.Fatalf("a damaged index is not replaced: %v", err)
		}
		defer z.Close()
		if z.Version() != "" {
			t.Fatal("a damaged index kept a version: it would not be rebuilt")
		}
	})
}
