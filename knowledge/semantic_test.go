package knowledge_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi/knowledge"
)

func TestDenseVectorsMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const dim = 16
	vec := func() []float32 {
		v := make([]float32, dim)
		for i := range v {
			v[i] = float32(rng.NormFloat64())
		}
		return knowledge.Unit(v)
	}
	d := knowledge.NewDenseVectors(dim)
	want := map[string][]float32{}
	for i := range 200 {
		id := fmt.Sprint("e", i)
		want[id] = vec()
		if err := d.Put([]string{id}, [][]float32{want[id]}); err != nil {
			t.Fatal(err)
		}
	}
	// Replace some, delete others (from the middle and the end).
	for i := 0; i < 200; i += 7 {
		id := fmt.Sprint("e", i)
		want[id] = vec()
		if err := d.Put([]string{id}, [][]float32{want[id]}); err != nil {
			t.Fatal(err)
		}
	}
	for _, i := range []int{199, 3, 50, 51, 0} {
		d.Delete(fmt.Sprint("e", i))
		delete(want, fmt.Sprint("e", i))
	}
	d.Delete("never-there")
	if d.Len() != len(want) {
		t.Fatalf("Len = %d, want %d", d.Len(), len(want))
	}
	for range 20 {
		q := vec()
		type s struct {
			id string
			v  float64
		}
		var all []s
		for id, v := range want {
			var x float64
			for i := range v {
				x += float64(v[i]) * float64(q[i])
			}
			all = append(all, s{id, x})
		}
		sort.Slice(all, func(i, j int) bool { return all[i].v > all[j].v })
		got := d.Search(q, 10)
		for i := range got {
			if got[i].ID != all[i].id || abs(got[i].Score-all[i].v) > 1e-5 {
				t.Fatalf("hit %d = %v, want %s %.5f", i, got[i], all[i].id, all[i].v)
			}
		}
	}
	if err := d.Put([]string{"bad"}, [][]float32{make([]float32, dim+1)}); err == nil {
		t.Fatal("a vector of the wrong dimension was accepted")
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

func TestPlanSync(t *testing.T) {
	have := map[string]string{
		"a#0": knowledge.TextHash("怎么挂号"),
		"b#0": knowledge.TextHash("旧的问法"),
		"c#0": knowledge.TextHash("已删除"),
	}
	want := []knowledge.Entry{{ID: "a#0", Text: "怎么挂号"}, {ID: "b#0", Text: "新的问法"}, {ID: "d#0", Text: "新增"}}
	embed, drop := knowledge.PlanSync(have, want)
	var ids []string
	for _, e := range embed {
		ids = append(ids, e.ID)
	}
	if !slices.Equal(ids, []string{"b#0", "d#0"}) || !slices.Equal(drop, []string{"c#0"}) {
		t.Fatalf("PlanSync = %v, %v; want [b#0 d#0], [c#0]", ids, drop)
	}
}

// conceptEmbedder stands in for a semantic model: texts listed in
// concepts share that concept's vector whatever their words; any other
// text gets a vector of its own.
type conceptEmbedder struct {
	concepts map[string]int
	fail     bool
	delay    time.Duration
}

func (e *conceptEmbedder) Name() string { return "concepts" }
func (e *conceptEmbedder) Dim() int     { return 64 }
func (e *conceptEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if e.fail {
		return nil, errors.New("model server down")
	}
	if e.delay > 0 {
		select {
		case <-time.After(e.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v := make([]float32, 64)
		if c, ok := e.concepts[t]; ok {
			v[c] = 1
		} else {
			v[32+len([]rune(t))%32] = 1
		}
		out[i] = v
	}
	return out, nil
}

func TestSemanticChannel(t *testing.T) {
	ctx := context.Background()
	// A paraphrase that shares no word with the pair on diarrhoea: only a
	// model that knows what it means can bring that pair in.
	const query = "一天跑了七八趟厕所"
	emb := &conceptEmbedder{concepts: map[string]int{query: 1, "拉肚子能吃什么": 1}}
	has := func(res *knowledge.Result, id string) bool {
		for _, h := range res.Hits {
			if h.QA.ID == id {
				return true
			}
		}
		return false
	}
	// A small candidate window, as a large knowledge base has: with eight
	// pairs, every pair would be a candidate anyway.
	cfg := knowledge.Config{Candidates: 2, Rerank: 3, MaxHits: 3}
	plain := newRetrieverWith(t, cfg)
	m := load(t, plain, testPairs, nil)
	res, err := plain.Search(ctx, query)
	if err != nil {
		t.Fatal(err)
	}
	if has(res, "diarrhea-01") {
		t.Fatalf("the lexical channels alone found diarrhea-01 (%+v): the test needs a query they miss", res.Hits)
	}

	r := newRetrieverWith(t, cfg)
	r.UseSemantic(emb, &knowledge.MemIndex{})
	load(t, r, testPairs, m)
	t.Run("UnusedBeforeSync", func(t *testing.T) {
		res, err := r.Search(ctx, query)
		if err != nil || has(res, "diarrhea-01") {
			t.Fatalf("before the first sync: %+v, %v", res, err)
		}
	})
	if st, err := r.SyncSemantic(ctx); err != nil || st.Embedded == 0 {
		t.Fatalf("SyncSemantic = %+v, %v", st, err)
	}
	t.Run("BringsInAParaphrase", func(t *testing.T) {
		res, err := r.Search(ctx, query)
		if err != nil {
			t.Fatal(err)
		}
		if !has(res, "diarrhea-01") {
			t.Fatalf("with the semantic channel, diarrhea-01 is not among %+v", res.Hits)
		}
	})
	t.Run("FailingModelAnswersWithoutIt", func(t *testing.T) {
		emb.fail = true
		defer func() { emb.fail = false }()
		before := r.SemanticMissed()
		res, err := r.Search(ctx, "抽血前需要空腹吗？？") // not cached
		if err != nil || res.Decision != knowledge.Answer || res.Hits[0].QA.ID != "fasting-01" {
			t.Fatalf("Search with the model down = %+v, %v", res, err)
		}
		if r.SemanticMissed() != before+1 {
			t.Fatalf("SemanticMissed = %d, want %d", r.SemanticMissed(), before+1)
		}
	})
	t.Run("SlowModelIsNotWaitedFor", func(t *testing.T) {
		fast := newRetriever(t)
		slow := &conceptEmbedder{delay: time.Hour}
		fast.UseSemantic(slow, &knowledge.MemIndex{})
		load(t, fast, testPairs, m)
		slow.delay = 0
		if _, err := fast.SyncSemantic(ctx); err != nil {
			t.Fatal(err)
		}
		slow.delay = time.Hour
		start := time.Now()
		res, err := fast.Search(ctx, "怎么预约挂号")
		if err != nil || res.Hits[0].QA.ID != "register-01" {
			t.Fatalf("Search = %+v, %v", res, err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Fatalf("Search waited %v for a slow model", d)
		}
		if fast.SemanticMissed() != 1 {
			t.Fatalf("SemanticMissed = %d, want 1", fast.SemanticMissed())
		}
	})
}

// TestMemIndex runs the vector index suite's checks that need no store.
func TestMemIndex(t *testing.T) {
	ctx := context.Background()
	emb := &conceptEmbedder{concepts: map[string]int{"甲": 1, "乙": 2, "丙": 3}}
	m := &knowledge.MemIndex{}
	es := []knowledge.Entry{{ID: "a", Text: "甲"}, {ID: "b", Text: "乙"}}
	if st, err := m.Sync(ctx, emb, es); err != nil || st.Embedded != 2 || !st.Rebuilt {
		t.Fatalf("first Sync = %+v, %v", st, err)
	}
	es[1].Text = "丙"
	if st, err := m.Sync(ctx, emb, es[1:]); err != nil || st.Embedded != 1 || st.Removed != 1 || st.Kept != 0 {
		t.Fatalf("second Sync = %+v, %v; want b re-embedded and a removed", st, err)
	}
	q, _ := emb.Embed(ctx, []string{"丙"})
	hits, _ := m.Search(ctx, q[0], 5)
	if len(hits) != 1 || hits[0].ID != "b" || hits[0].Score != 1 {
		t.Fatalf("Search = %v; want only b, exactly", hits)
	}
}

// BenchmarkDenseSearch is the in-process exact scan the semantic channel
// uses embedded: 10,000 vectors of 1,024 dimensions.
func BenchmarkDenseSearch(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2))
	const n, dim = 10000, 1024
	d := knowledge.NewDenseVectors(dim)
	ids, vecs := make([]string, n), make([][]float32, n)
	for i := range vecs {
		v := make([]float32, dim)
		for j := range v {
			v[j] = float32(rng.NormFloat64())
		}
		ids[i], vecs[i] = fmt.Sprint("e", i), knowledge.Unit(v)
	}
	if err := d.Put(ids, vecs); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		d.Search(vecs[i%n], 10)
	}
}
