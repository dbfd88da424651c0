package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/daoyi-health/daoyi/knowledge"
	"github.com/daoyi-health/daoyi/postgres"
	"github.com/daoyi-health/daoyi/postgres/pgtest"
	"github.com/daoyi-health/daoyi/storetest"
)

// TestVectors runs the vector index suite every storage adapter passes,
// once with exact scans (small tables) and once through the HNSW index.
func TestVectors(t *testing.T) {
	t.Run("Exact", func(t *testing.T) {
		storetest.RunVectors(t, func(t *testing.T) knowledge.VectorIndex {
			return open(t, pgtest.URL(t)).Vectors(postgres.VectorOptions{})
		})
	})
	t.Run("HNSW", func(t *testing.T) {
		storetest.RunVectors(t, func(t *testing.T) knowledge.VectorIndex {
			return open(t, pgtest.URL(t)).Vectors(postgres.VectorOptions{ExactBelow: 1, EfSearch: 200})
		})
	})
}

// TestVectorsAcrossReplicas: two replicas sync the same knowledge at once;
// the advisory lock makes one embed it and the other find it done, and
// each searches the shared table.
func TestVectorsAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	url := pgtest.URL(t)
	var es []knowledge.Entry
	for i := range 300 {
		es = append(es, knowledge.Entry{ID: fmt.Sprintf("q%d#0", i), QAID: fmt.Sprintf("q%d", i), Text: fmt.Sprintf("检查前要空腹吗%c", rune(0x4e00+i))})
	}
	embs := []*storetest.Embedder{{Model: "m", N: 64}, {Model: "m", N: 64}}
	idxs := []*postgres.Vectors{open(t, url).Vectors(postgres.VectorOptions{}), open(t, url).Vectors(postgres.VectorOptions{})}
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range idxs {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, errs[i] = idxs[i].Sync(ctx, embs[i], es)
		}(i)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if total := embs[0].Texts.Load() + embs[1].Texts.Load(); total != 300 {
		t.Fatalf("the replicas embedded %d texts between them, want 300 (each once)", total)
	}
	for i, idx := range idxs {
		hits, err := idx.Search(ctx, embs[0].Vector(fmt.Sprintf("检查前要空腹吗%c", rune(0x4e00+42))), 1)
		if err != nil || len(hits) != 1 || hits[0].ID != "q42#0" {
			t.Fatalf("replica %d: Search = %v, %v", i, hits, err)
		}
	}
}
