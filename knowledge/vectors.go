package knowledge

import "sync"

// MemVectors is the in-process vector index: exact cosine search over
// normalised vectors, stored dimension-major so that a sparse query touches
// only the columns of its non-zero dimensions. Safe for concurrent use.
type MemVectors struct {
	mu   sync.RWMutex
	dim  int
	ids  []string
	cols [][]float32 // cols[d][i] is dimension d of vector i
}

// NewMemVectors returns an empty index of the given dimension.
func NewMemVectors(dim int) *MemVectors {
	return &MemVectors{dim: dim, cols: make([][]float32, dim)}
}

// Reset replaces the contents with the given vectors.
func (m *MemVectors) Reset(ids []string, vecs [][]float32) {
	cols := make([][]float32, m.dim)
	for d := range cols {
		cols[d] = make([]float32, len(ids))
	}
	for i, v := range vecs {
		for d, x := range v {
			if x != 0 {
				cols[d][i] = x
			}
		}
	}
	m.mu.Lock()
	m.ids, m.cols = append([]string(nil), ids...), cols
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
	scores := make([]float32, len(m.ids))
	for j, d := range q.Idx {
		qv := q.Val[j]
		for i, x := range m.cols[d] {
			scores[i] += qv * x
		}
	}
	return m.ids, scores
}

// Search returns the k vectors with the highest dot product with q (cosine,
// since all are normalised), skipping ids for which skip returns true.
func (m *MemVectors) Search(q SparseVec, k int, skip func(id string) bool) []Scored {
	m.mu.RLock()
	defer m.mu.RUnlock()
	scores := make([]float32, len(m.ids))
	for j, d := range q.Idx {
		qv := q.Val[j]
		col := m.cols[d]
		for i, x := range col {
			scores[i] += qv * x
		}
	}
	top := newTopK(k)
	for i, s := range scores {
		if s > 0 && (skip == nil || !skip(m.ids[i])) {
			top.push(Scored{ID: m.ids[i], Score: float64(s)})
		}
	}
	return top.sorted()
}
