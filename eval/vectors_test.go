package eval

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/daoyi-health/daoyi/knowledge"
)

func TestLoadTexts(t *testing.T) {
	dir := t.TempDir()
	arr := filepath.Join(dir, "pairs.json")
	jsonl := filepath.Join(dir, "triage.jsonl")
	os.WriteFile(arr, []byte("\ufeff"+`[{"text1":"糖尿病人能吃西瓜吗？血糖高怎么办","text2":"糖尿病人能吃西瓜吗？血糖高怎么办","label":"1"},{"query":"短"}]`), 0o600)
	os.WriteFile(jsonl, []byte(`{"question":"孩子发烧三天了，要挂什么科","answer":"不读"}`+"\n"), 0o600)
	got, err := LoadTexts([]string{arr, jsonl})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"糖尿病人能吃西瓜吗？血糖高怎么办", "糖尿病人能吃西瓜吗", "血糖高怎么办", "孩子发烧三天了，要挂什么科", "孩子发烧三天了", "要挂什么科"}
	if !slices.Equal(got, want) {
		t.Fatalf("LoadTexts = %q\nwant %q", got, want)
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`[{"text1": }`), 0o600)
	if _, err := LoadTexts([]string{bad}); err == nil {
		t.Fatal("a malformed file was read without error")
	}
}

// firstK is a vector index that ignores the query: its recall must come
// out low.
type firstK struct{ es []knowledge.Entry }

func (f *firstK) Sync(_ context.Context, _ knowledge.Embedder, es []knowledge.Entry) (knowledge.SyncStats, error) {
	f.es = es
	return knowledge.SyncStats{}, nil
}

func (f *firstK) Search(_ context.Context, _ []float32, k int) ([]knowledge.Scored, error) {
	var out []knowledge.Scored
	for _, e := range f.es[:k] {
		out = append(out, knowledge.Scored{ID: e.ID})
	}
	return out, nil
}

func TestRunVectors(t *testing.T) {
	an, err := knowledge.DefaultAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	var texts []string
	for _, a := range []string{"挂号", "缴费", "抽血", "胃镜", "医保", "发票", "住院", "复查"} {
		for _, b := range []string{"怎么办", "在哪里", "要多久", "多少钱", "能退吗", "需要空腹吗"} {
			for _, c := range []string{"", "请问", "我想问"} {
				texts = append(texts, c+a+b)
			}
		}
	}
	emb := LexicalVectors(an, texts, 256, 64)
	rep, err := RunVectors(context.Background(), texts, emb, []int{60, 120}, 20, 5, []VectorIndexUnderTest{
		{Name: "exact", Open: func(context.Context, int) (knowledge.VectorIndex, error) { return &knowledge.MemIndex{}, nil }},
		{Name: "blind", Open: func(context.Context, int) (knowledge.VectorIndex, error) { return &firstK{}, nil }},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Runs) != 4 || rep.Dim != 64 {
		t.Fatalf("report: %+v", rep)
	}
	for _, r := range rep.Runs {
		switch r.Index {
		case "exact":
			if r.RecallAtK != 1 {
				t.Fatalf("the exact index's recall at %d = %.3f, want 1", r.Size, r.RecallAtK)
			}
		case "blind":
			if r.RecallAtK > 0.5 {
				t.Fatalf("an index that ignores the query scored recall %.3f at %d", r.RecallAtK, r.Size)
			}
		}
	}
	if _, err := RunVectors(context.Background(), texts[:50], emb, []int{60}, 20, 5, nil); err == nil {
		t.Fatal("too few texts for the size and queries was accepted")
	}
}
