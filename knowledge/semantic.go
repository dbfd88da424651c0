package knowledge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/daoyi-health/daoyi"
)

// VectorIndex keeps one vector per question entry under one embedding
// model and finds the entries nearest a query vector: the semantic channel
// of retrieval, fused with the lexical ones when a model is configured.
// Implementations: sqlite.Vectors (embedded, exact search in memory) and
// postgres.Vectors (pgvector, HNSW).
type VectorIndex interface {
	// Sync makes the index hold exactly the given entries' vectors under
	// emb's model. It embeds only the entries whose text it does not hold
	// yet; a change of model (emb.Name) re-embeds everything.
	Sync(ctx context.Context, emb Embedder, entries []Entry) (SyncStats, error)
	// Search returns up to k entries by descending cosine similarity to
	// q (a unit vector from the synced model), with the cosine as score.
	Search(ctx context.Context, q []float32, k int) ([]Scored, error)
}

// SyncStats says what a VectorIndex.Sync did.
type SyncStats struct {
	Model    string
	Dim      int
	Embedded int // entries embedded by this sync
	Kept     int // entries whose stored vector was reused
	Removed  int // stored vectors no longer wanted
	Rebuilt  bool
}

// TextHash identifies an entry's text (and the model it is embedded with)
// in a vector index: a changed text gets a new vector, an unchanged one
// keeps its own.
func TextHash(text string) string {
	h := sha256.Sum256([]byte(text))
	return hex.EncodeToString(h[:16])
}

// PlanSync compares what an index holds (entry id → text hash) with the
// wanted entries: it returns the entries to embed and the ids to delete.
func PlanSync(have map[string]string, want []Entry) (embed []Entry, drop []string) {
	wanted := make(map[string]bool, len(want))
	for _, e := range want {
		wanted[e.ID] = true
		if have[e.ID] != TextHash(e.Text) {
			embed = append(embed, e)
		}
	}
	for id := range have {
		if !wanted[id] {
			drop = append(drop, id)
		}
	}
	return embed, drop
}

// ApplySync is the part of a sync every VectorIndex shares. have is what
// the index holds (entry id → TextHash). It embeds the wanted entries the
// index lacks and hands them to put chunk by chunk (each chunk stored as
// it comes, so an interrupted sync resumes), then gives drop the ids no
// longer wanted (when there are any), counting both in st.
func ApplySync(ctx context.Context, emb Embedder, have map[string]string, want []Entry, st *SyncStats,
	put func([]Entry, [][]float32) error, drop func([]string) error) error {
	todo, gone := PlanSync(have, want)
	st.Kept, st.Removed = len(want)-len(todo), len(gone)
	err := embedEntries(ctx, emb, todo, func(es []Entry, vecs [][]float32) error {
		if err := put(es, vecs); err != nil {
			return err
		}
		st.Embedded += len(es)
		return nil
	})
	if err != nil || len(gone) == 0 {
		return err
	}
	return drop(gone)
}

// embedBatch is how many texts embedEntries hands the embedder at once: the
// embedder batches its requests itself; this bounds the memory of a sync.
const embedBatch = 256

// embedEntries embeds the entries' texts in chunks, checking that the
// embedder returns one vector of its dimension per text, and calls put
// with each chunk's entries and vectors.
func embedEntries(ctx context.Context, emb Embedder, es []Entry, put func([]Entry, [][]float32) error) error {
	const op = daoyi.Op("knowledge.embedEntries")
	for start := 0; start < len(es); start += embedBatch {
		chunk := es[start:min(start+embedBatch, len(es))]
		texts := make([]string, len(chunk))
		for i, e := range chunk {
			texts[i] = e.Text
		}
		vecs, err := emb.Embed(ctx, texts)
		if err != nil {
			return daoyi.E(op, err)
		}
		if len(vecs) != len(chunk) {
			return daoyi.E(op, daoyi.Unavailable, fmt.Sprintf("the embedder returned %d vectors for %d texts", len(vecs), len(chunk)))
		}
		for i, v := range vecs {
			if len(v) != emb.Dim() {
				return daoyi.E(op, daoyi.Unavailable, fmt.Sprintf("the embedder returned a vector of %d dimensions, not %d", len(v), emb.Dim()))
			}
			vecs[i] = Unit(v)
		}
		if err := put(chunk, vecs); err != nil {
			return daoyi.E(op, err)
		}
	}
	return nil
}

// Unit returns v scaled to unit length (v itself when it is already, or
// is zero).
func Unit(v []float32) []float32 {
	var s float64
	for _, x := range v {
		s += float64(x) * float64(x)
	}
	if s == 0 || math.Abs(s-1) < 1e-6 {
		return v
	}
	inv := float32(1 / math.Sqrt(s))
	out := make([]float32, len(v))
	for i, x := range v {
		out[i] = x * inv
	}
	return out
}

// DenseVectors is the in-process exact vector index: unit vectors in one
// flat slice, searched by a full scan of dot products. A scan of 10,000
// vectors of 1,024 dimensions takes a few milliseconds; past that,
// pgvector's HNSW index is the tool (docs/performance.md). Safe for
// concurrent use.
type DenseVectors struct {
	mu   sync.RWMutex
	dim  int
	ids  []string
	vals []float32 // len(ids) × dim
	pos  map[string]int
}

// NewDenseVectors returns an empty index of the given dimension.
func NewDenseVectors(dim int) *DenseVectors {
	return &DenseVectors{dim: dim, pos: map[string]int{}}
}

// Dim returns the dimension.
func (d *DenseVectors) Dim() int { return d.dim }

// Len returns the number of vectors.
func (d *DenseVectors) Len() int {
	d.mu.RLock()
	defer d.mu.RUnlock()
	return len(d.ids)
}

// Put adds or replaces the vectors of ids (each of the index's dimension).
func (d *DenseVectors) Put(ids []string, vecs [][]float32) error {
	for _, v := range vecs {
		if len(v) != d.dim {
			return daoyi.E(daoyi.Op("knowledge.DenseVectors.Put"), daoyi.Invalid,
				fmt.Sprintf("a vector of %d dimensions in an index of %d", len(v), d.dim))
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for i, id := range ids {
		if p, ok := d.pos[id]; ok {
			copy(d.vals[p*d.dim:], vecs[i])
			continue
		}
		d.pos[id] = len(d.ids)
		d.ids = append(d.ids, id)
		d.vals = append(d.vals, vecs[i]...)
	}
	return nil
}

// PutEntries adds or replaces the vectors of entries.
func (d *DenseVectors) PutEntries(es []Entry, vecs [][]float32) error {
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return d.Put(ids, vecs)
}

// Delete removes the vectors of ids; unknown ids are ignored.
func (d *DenseVectors) Delete(ids ...string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, id := range ids {
		p, ok := d.pos[id]
		if !ok {
			continue
		}
		last := len(d.ids) - 1
		if p != last { // move the last vector into the hole
			d.ids[p] = d.ids[last]
			copy(d.vals[p*d.dim:(p+1)*d.dim], d.vals[last*d.dim:])
			d.pos[d.ids[p]] = p
		}
		d.ids, d.vals = d.ids[:last], d.vals[:last*d.dim]
		delete(d.pos, id)
	}
}

// Search returns the k vectors with the highest dot product with q
// (cosine, for unit vectors), best first.
func (d *DenseVectors) Search(q []float32, k int) []Scored {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if len(q) != d.dim || k <= 0 {
		return nil
	}
	top := newTopK(k)
	for i, id := range d.ids {
		top.push(Scored{ID: id, Score: float64(dot(q, d.vals[i*d.dim:(i+1)*d.dim]))})
	}
	return top.sorted()
}

// dot is the dot product of two vectors of equal length, in four
// independent sums (the loop's additions then overlap in the CPU).
func dot(a, b []float32) float32 {
	b = b[:len(a)]
	var s0, s1, s2, s3 float32
	i := 0
	for ; i+4 <= len(a); i += 4 {
		s0 += a[i] * b[i]
		s1 += a[i+1] * b[i+1]
		s2 += a[i+2] * b[i+2]
		s3 += a[i+3] * b[i+3]
	}
	for ; i < len(a); i++ {
		s0 += a[i] * b[i]
	}
	return (s0 + s1) + (s2 + s3)
}

// semanticChannel is the retriever's use of an embedding model.
type semanticChannel struct {
	emb    Embedder
	idx    VectorIndex
	syncMu sync.Mutex  // one sync at a time
	ready  atomic.Bool // synced once: searches use the index
	missed atomic.Int64
}

// UseSemantic adds a semantic channel to retrieval: questions are embedded
// with emb and searched in idx, and the hits are fused with the lexical
// channels'. The match model still decides from its lexical features: the
// channel widens what reaches it (a paraphrase that shares few words with
// the stored question). Call before Load; see SyncSemantic.
func (r *Retriever) UseSemantic(emb Embedder, idx VectorIndex) {
	r.sem = &semanticChannel{emb: emb, idx: idx}
}

// SyncSemantic brings the vector index up to the loaded knowledge,
// embedding only new or changed questions. The app runs it after each
// Load, in the background: embedding a large knowledge base with a remote
// model takes a while, and until the first sync succeeds questions are
// answered without the channel. Hits for entries that are not loaded (an
// index behind or ahead of this replica) are ignored.
func (r *Retriever) SyncSemantic(ctx context.Context) (SyncStats, error) {
	if r.sem == nil {
		return SyncStats{}, nil
	}
	r.sem.syncMu.Lock()
	defer r.sem.syncMu.Unlock()
	r.mu.RLock()
	st := r.state
	r.mu.RUnlock()
	if st == nil {
		return SyncStats{}, ErrNotLoaded
	}
	es := make([]Entry, 0, len(st.entries))
	for _, e := range st.entries {
		es = append(es, e.Entry)
	}
	slices.SortFunc(es, func(a, b Entry) int { return strings.Compare(a.ID, b.ID) })
	stats, err := r.sem.idx.Sync(ctx, r.sem.emb, es)
	if err != nil {
		return stats, daoyi.E(daoyi.Op("knowledge.SyncSemantic"), err)
	}
	if !r.sem.ready.Swap(true) || stats.Embedded+stats.Removed > 0 {
		r.cache.Clear()
	}
	return stats, nil
}

// SemanticMissed counts the questions answered without the semantic
// channel because embedding or searching failed or took too long.
func (r *Retriever) SemanticMissed() int64 {
	if r.sem == nil {
		return 0
	}
	return r.sem.missed.Load()
}

// startSemantic embeds text and searches the vector index in the
// background, within Config.SemanticTimeout; the returned function waits
// for the hits (nil when the channel is off, not synced yet, or failed).
func (r *Retriever) startSemantic(ctx context.Context, text string, k int) func() []Scored {
	if r.sem == nil || !r.sem.ready.Load() {
		return func() []Scored { return nil }
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.SemanticTimeout)
	done := make(chan []Scored, 1)
	go func() {
		defer cancel()
		vecs, err := r.sem.emb.Embed(ctx, []string{text})
		if err != nil || len(vecs) != 1 {
			r.sem.missed.Add(1)
			done <- nil
			return
		}
		hits, err := r.sem.idx.Search(ctx, Unit(vecs[0]), k)
		if err != nil {
			r.sem.missed.Add(1)
		}
		done <- hits
	}()
	return func() []Scored { return <-done }
}

// MemIndex is a VectorIndex held in memory only (DenseVectors): for a
// process without a store, tests and evaluation. It embeds only what
// changed since its last sync.
type MemIndex struct {
	mu    sync.Mutex
	model string
	have  map[string]string // entry id → text hash
	d     atomic.Pointer[DenseVectors]
}

var _ VectorIndex = (*MemIndex)(nil)

// Sync implements VectorIndex.
func (m *MemIndex) Sync(ctx context.Context, emb Embedder, es []Entry) (SyncStats, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	st := SyncStats{Model: emb.Name(), Dim: emb.Dim()}
	d := m.d.Load()
	if d == nil || m.model != st.Model {
		st.Rebuilt = true
		d, m.model, m.have = NewDenseVectors(st.Dim), st.Model, map[string]string{}
		m.d.Store(d)
	}
	err := ApplySync(ctx, emb, m.have, es, &st, func(chunk []Entry, vecs [][]float32) error {
		if err := d.PutEntries(chunk, vecs); err != nil {
			return err
		}
		for _, e := range chunk {
			m.have[e.ID] = TextHash(e.Text)
		}
		return nil
	}, func(gone []string) error {
		d.Delete(gone...)
		for _, id := range gone {
			delete(m.have, id)
		}
		return nil
	})
	return st, err
}

// Search implements VectorIndex.
func (m *MemIndex) Search(_ context.Context, q []float32, k int) ([]Scored, error) {
	d := m.d.Load()
	if d == nil {
		return nil, nil
	}
	return d.Search(q, k), nil
}
