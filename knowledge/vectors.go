package knowledge

import "sync"

// MemVectors is the in-process vector index: exact cosine search over
// normalised sparse vectors, kept as one posting list per dimension (an
// inverted index), so that a query touches only the vectors that share a
// non-zero dimension with it and memory grows with the non-zeros, not with
// the dimension. Safe for concurrent use.
type MemVectors struct {
	mu    sync.RWMutex
	dim   int
	ids   []string
	posts []posting // posts[d] lists the vectors with a non-zero dimension d
}

type posting struct {
	rows []int32
	vals []float32
}

// NewMemVectors returns an empty index of the given dimension.
func NewMemVectors(dim int) *MemVectors {
	return &MemVectors{dim: dim, posts: make([]posting, dim)}
}

// Reset replaces the contents with the given vectors.
func (m *MemVectors) Reset(ids []string, vecs []SparseVec) {
	posts := make([]posting, m.dim)
	for i, v := range vecs {
		for k, d := range v.Idx {
			p := &posts[d]
			p.rows = append(p.rows, int32(i))
			p.vals = append(p.vals, v.Val[k])
		}
	}
	m.mu.Lock()
	m.ids, m.posts = append([]string(nil), ids...), posts
	m.mu.Unlock()
}

// Len returns the number of vectors.
func (m *MemVectors) Len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.ids)
}

// Scores returns the dot product of q with every vector, in insertion
// order, with the ids.
func (m *MemVectors) Scores(q SparseVec) ([]string, []float32) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.ids, m.scores(q)
}

// Search returns the k vectors with the highest dot product with q (cosine,
// since all are normalised), skipping ids for which skip returns true.
func (m *MemVectors) Search(q SparseVec, k int, skip func(id string) bool) []Scored {
	m.mu.RLock()
	defer m.mu.RUnlock()
	scores := m.scores(q)
	top := newTopK(k)
	for i, s := range scores {
		if s > 0 && (skip == nil || !skip(m.ids[i])) {
			top.push(Scored{ID: m.ids[i], Score: float64(s)})
		}
	}
	return top.sorted()
}

// scores accumulates q's dot product with every vector; the caller holds
// the read lock.
func (m *MemVectors) scores(q SparseVec) []float32 {
	scores := make([]float32, len(m.ids))
	for j, d := range q.Idx {
		if int(d) >= len(m.posts) {
			continue
		}
		qv := q.Val[j]
		p := &m.posts[d]
		for k, r := range p.rows {
			scores[r] += qv * p.vals[k]
		}
	}
	return scores
}
