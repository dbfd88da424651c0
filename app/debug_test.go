package app_test

import (
	"context"
	"encoding/json"
	"os"
	"testing"

	"github.com/daoyi-health/daoyi/app"
	"github.com/daoyi-health/daoyi/eval"
)

func TestDebugDump(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	ctx := context.Background()
	a, err := app.Open(ctx, app.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	cases, _ := eval.LoadFAQCases("")
	f, _ := os.Create(os.Getenv("DUMP"))
	defer f.Close()
	enc := json.NewEncoder(f)
	for i, c := range cases {
		if os.Getenv("HALF") == "dev" && i%2 == 1 || os.Getenv("HALF") == "test" && i%2 == 0 {
			continue
		}
		ex, dec, _ := a.Retriever.Explain(ctx, c.Q)
		res, _ := a.Retriever.Search(ctx, c.Q)
		row := map[string]any{"q": c.Q, "want": c.Want, "kind": c.Kind, "dec": dec, "known": res.Known, "conf": res.Confidence}
		if len(ex) > 0 {
			row["top"] = ex[0].QAID
			row["f"] = ex[0].Features
		}
		enc.Encode(row)
	}
}
