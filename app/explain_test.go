package app_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/daoyi-health/daoyi/app"
)

func TestDebugExplainQ(t *testing.T) {
	qs := os.Getenv("QS")
	if qs == "" {
		t.Skip()
	}
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	for _, q := range strings.Split(qs, "|") {
		ex, dec, _ := a.Retriever.Explain(ctx, q)
		t.Logf("%s p1=%.3f", q, dec["p1"])
		for i, e := range ex {
			if i == 4 {
				break
			}
			f := e.Features
			t.Logf("   %.3f %-18s %-16s cos=%.2f wr=%.2f wp=%.2f bm=%.2f/%v ans=%.2f/%v cent=%.2f/%v fr=%.2f unc=%v", e.P, e.QAID, e.Matched, f["cosine"], f["word_recall"], f["word_precision"], f["bm25_rel"], f["bm25_rr"], f["ans_rel"], f["ans_rr"], f["cent_cos"], f["cent_rr"], f["focus_recall"], f["uncovered_words"])
		}
	}
}
