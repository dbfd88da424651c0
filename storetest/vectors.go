package storetest

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"sort"
	"sync/atomic"
	"testing"

	"github.com/daoyi-health/daoyi/knowledge"
)

// Embedder is a deterministic embedder for tests: each character of a
// text adds to a dimension picked by its hash, so texts sharing characters
// are near. It counts the texts it embeds and can be told to fail.
type Embedder struct {
	Model    string
	N        int          // dimension
	Texts    atomic.Int64 // texts embedded so far
	FailFrom int64        // when > 0, Embed fails once Texts would exceed it
	WrongDim bool         // return vectors one dimension short
}

// Name implements knowledge.Embedder.
func (e *Embedder) Name() string { return fmt.Sprintf("%s:%d", e.Model, e.N) }

// Dim implements knowledge.Embedder.
func (e *Embedder) Dim() int { return e.N }

// Embed implements knowledge.Embedder.
func (e *Embedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	if e.FailFrom > 0 && e.Texts.Load()+int64(len(texts)) > e.FailFrom {
		return nil, errors.New("the embedding server is down")
	}
	e.Texts.Add(int64(len(texts)))
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = e.Vector(t)
		if e.WrongDim {
			out[i] = out[i][1:]
		}
	}
	return out, nil
}

// Vector is the unit vector of text.
func (e *Embedder) Vector(text string) []float32 {
	v := make([]float32, e.N)
	for _, r := range text + "\x00" + e.Model {
		h := fnv.New32a()
		fmt.Fprint(h, string(r), e.Model)
		v[h.Sum32()%uint32(e.N)] += 1
	}
	return knowledge.Unit(v)
}

// RunVectors runs the vector index suite; open returns a new, empty index
// on a new, empty store.
func RunVectors(t *testing.T, open func(t *testing.T) knowledge.VectorIndex) {
	ctx := context.Background()
	entries := func(n int, prefix string) []knowledge.Entry {
		es := make([]knowledge.Entry, n)
		for i := range es {
			es[i] = knowledge.Entry{ID: fmt.Sprintf("qa-%03d#0", i), QAID: fmt.Sprintf("qa-%03d", i),
				Text: fmt.Sprintf("%s第%d个问题：挂号%c缴费%c", prefix, i, rune('甲'+i%40), rune('子'+i%23))}
		}
		return es
	}
	t.Run("SearchBeforeSync", func(t *testing.T) {
		hits, err := open(t).Search(ctx, make([]float32, 8), 5)
		if err != nil || len(hits) != 0 {
			t.Fatalf("Search on an empty index = %v, %v; want nothing", hits, err)
		}
	})
	t.Run("FindsExactNeighbours", func(t *testing.T) {
		idx, emb := open(t), &Embedder{Model: "m", N: 32}
		es := entries(60, "")
		st, err := idx.Sync(ctx, emb, es)
		if err != nil {
			t.Fatal(err)
		}
		if st.Embedded != 60 || st.Kept != 0 || !st.Rebuilt || st.Model != "m:32" {
			t.Fatalf("first sync = %+v", st)
		}
		checkExact(t, idx, emb, es, "第7个问题：挂号")
	})
	t.Run("EmbedsOnlyWhatChanged", func(t *testing.T) {
		idx, emb := open(t), &Embedder{Model: "m", N: 32}
		es := entries(40, "")
		if _, err := idx.Sync(ctx, emb, es); err != nil {
			t.Fatal(err)
		}
		es[3].Text = "完全不同的一句话：住院押金"
		es = append(es[:10], es[11:]...) // qa-010 removed
		before := emb.Texts.Load()
		st, err := idx.Sync(ctx, emb, es)
		if err != nil {
			t.Fatal(err)
		}
		if st.Embedded != 1 || st.Removed != 1 || st.Kept != 38 || st.Rebuilt || emb.Texts.Load()-before != 1 {
			t.Fatalf("second sync = %+v, embedded %d texts; want 1 embedded, 1 removed, 38 kept", st, emb.Texts.Load()-before)
		}
		hits, err := idx.Search(ctx, emb.Vector("完全不同的一句话：住院押金"), 3)
		if err != nil || len(hits) == 0 || hits[0].ID != "qa-003#0" || hits[0].Score < 0.99 {
			t.Fatalf("the changed entry is not found by its new text: %v, %v", hits, err)
		}
		all, _ := idx.Search(ctx, emb.Vector("挂号"), 100)
		for _, h := range all {
			if h.ID == "qa-010#0" {
				t.Fatal("a removed entry is still found")
			}
		}
		if len(all) != 39 {
			t.Fatalf("the index holds %d vectors, want 39", len(all))
		}
	})
	t.Run("ModelChangeReembeds", func(t *testing.T) {
		idx := open(t)
		es := entries(30, "")
		if _, err := idx.Sync(ctx, &Embedder{Model: "old", N: 16}, es); err != nil {
			t.Fatal(err)
		}
		emb := &Embedder{Model: "new", N: 24}
		st, err := idx.Sync(ctx, emb, es)
		if err != nil {
			t.Fatal(err)
		}
		if !st.Rebuilt || st.Embedded != 30 || st.Dim != 24 {
			t.Fatalf("sync after a model change = %+v; want all 30 re-embedded", st)
		}
		checkExact(t, idx, emb, es, "第12个问题")
	})
	t.Run("HalfPrecisionAbove2000Dimensions", func(t *testing.T) {
		idx, emb := open(t), &Embedder{Model: "big", N: 2304}
		es := entries(20, "")
		if _, err := idx.Sync(ctx, emb, es); err != nil {
			t.Fatal(err)
		}
		checkExact(t, idx, emb, es, "第5个问题：挂号")
	})
	t.Run("ResumesAfterAFailure", func(t *testing.T) {
		idx := open(t)
		es := entries(600, "")
		emb := &Embedder{Model: "m", N: 16, FailFrom: 300}
		if _, err := idx.Sync(ctx, emb, es); err == nil {
			t.Fatal("a sync whose embedder fails succeeded")
		}
		done := emb.Texts.Load()
		if done == 0 || done >= 600 {
			t.Fatalf("embedded %d texts before failing; the test needs a partial sync", done)
		}
		emb.FailFrom = 0
		st, err := idx.Sync(ctx, emb, es)
		if err != nil {
			t.Fatal(err)
		}
		if st.Embedded != 600-int(done) || st.Kept != int(done) {
			t.Fatalf("resumed sync = %+v; want %d kept and the rest embedded", st, done)
		}
	})
	t.Run("WrongDimensionStoresNothing", func(t *testing.T) {
		idx := open(t)
		_, err := idx.Sync(ctx, &Embedder{Model: "m", N: 16, WrongDim: true}, entries(5, ""))
		if err == nil {
			t.Fatal("vectors of the wrong dimension were accepted")
		}
		emb := &Embedder{Model: "m", N: 16}
		st, err := idx.Sync(ctx, emb, entries(5, ""))
		if err != nil || st.Embedded != 5 {
			t.Fatalf("sync after the failure = %+v, %v; want all 5 embedded", st, err)
		}
	})
	t.Run("HostileText", func(t *testing.T) {
		idx, emb := open(t), &Embedder{Model: "m'); DROP TABLE vector_models; --", N: 16}
		es := []knowledge.Entry{
			{ID: "x'; DROP TABLE qa_pairs; --#0", QAID: "x", Text: "'; DELETE FROM vectors; --"},
			{ID: "emoji#0", QAID: "emoji", Text: "头疼😣怎么办？？？\n\t"},
			{ID: "empty#0", QAID: "empty", Text: ""},
		}
		if _, err := idx.Sync(ctx, emb, es); err != nil {
			t.Fatal(err)
		}
		if st, err := idx.Sync(ctx, emb, es); err != nil || st.Kept != 3 {
			t.Fatalf("second sync = %+v, %v; want all 3 kept", st, err)
		}
		hits, err := idx.Search(ctx, emb.Vector("'; DELETE FROM vectors; --"), 3)
		if err != nil || len(hits) != 3 || hits[0].ID != es[0].ID {
			t.Fatalf("Search = %v, %v", hits, err)
		}
	})
}

// checkExact compares the index's top 10 for query with a brute-force
// search over the entries' vectors.
func checkExact(t *testing.T, idx knowledge.VectorIndex, emb *Embedder, es []knowledge.Entry, query string) {
	t.Helper()
	q := emb.Vector(query)
	type scored struct {
		id string
		s  float64
	}
	var want []scored
	for _, e := range es {
		var s float64
		for i, x := range emb.Vector(e.Text) {
			s += float64(x) * float64(q[i])
		}
		want = append(want, scored{e.ID, s})
	}
	sort.Slice(want, func(i, j int) bool { return want[i].s > want[j].s })
	hits, err := idx.Search(context.Background(), q, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(hits) != 10 {
		t.Fatalf("Search returned %d hits, want 10", len(hits))
	}
	for i, h := range hits {
		// Ties may come in any order: compare scores, and the ids by
		// score (half precision rounds).
		if math.Abs(h.Score-want[i].s) > 2e-3 {
			t.Fatalf("hit %d = %s %.4f, want score %.4f (%s)", i, h.ID, h.Score, want[i].s, want[i].id)
		}
	}
	if hits[0].ID != want[0].id && math.Abs(want[0].s-want[1].s) > 2e-3 {
		t.Fatalf("top hit %s, want %s", hits[0].ID, want[0].id)
	}
}
