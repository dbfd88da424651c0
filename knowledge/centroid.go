package knowledge

import (
	"math"
	"slices"
)

// answerCentroidWeight is the weight of a pair's answer in its centroid,
// relative to one question.
const answerCentroidWeight = 0.5

// centroids hold each pair's centre in vector space: the sum of its
// questions' vectors and, at a lower weight, its answer's (a Rocchio
// classifier). A patient's wording that matches no single stored question
// often lands near the pair's centre, which gathers the vocabulary of all
// its paraphrases.
type centroids struct {
	index *MemVectors                  // normalised centroids by pair id
	sums  map[string]map[int32]float64 // unnormalised sums, for leave-one-out
	norm2 map[string]float64           // squared norms of the sums
}

func buildCentroids(st *state, dim int) *centroids {
	c := &centroids{index: NewMemVectors(dim), sums: map[string]map[int32]float64{}, norm2: map[string]float64{}}
	add := func(qa string, v SparseVec, w float64) {
		s := c.sums[qa]
		if s == nil {
			s = map[int32]float64{}
			c.sums[qa] = s
		}
		for i, d := range v.Idx {
			s[d] += w * float64(v.Val[i])
		}
	}
	for qa, ids := range st.byQA {
		for _, id := range ids {
			add(qa, st.entries[id].p.vec, 1)
		}
		if a := st.answers[qa]; a != nil {
			add(qa, a.vec, answerCentroidWeight)
		}
	}
	var ids []string
	var vecs []SparseVec
	qas := make([]string, 0, len(c.sums))
	for qa := range c.sums {
		qas = append(qas, qa)
	}
	slices.Sort(qas)
	for _, qa := range qas {
		s := c.sums[qa]
		dims := make([]int32, 0, len(s))
		for d := range s {
			dims = append(dims, d)
		}
		slices.Sort(dims)
		var n2 float64
		for _, d := range dims {
			n2 += s[d] * s[d]
		}
		c.norm2[qa] = n2
		var v SparseVec
		if n2 > 0 {
			n := math.Sqrt(n2)
			for _, d := range dims {
				v.Idx = append(v.Idx, d)
				v.Val = append(v.Val, float32(s[d]/n))
			}
		}
		ids, vecs = append(ids, qa), append(vecs, v)
	}
	c.index.Reset(ids, vecs)
	return c
}

// scores returns the cosine of q with every pair's centroid. A pair with
// entries in skip is scored against its centroid without them, so that
// training on the corpus never sees a question's own vector.
func (c *centroids) scores(q SparseVec, st *state, skip map[string]bool) map[string]float64 {
	ids, raw := c.index.Scores(q)
	out := make(map[string]float64, len(ids))
	for i, id := range ids {
		out[id] = float64(raw[i])
	}
	if len(skip) == 0 {
		return out
	}
	// Subtract the skipped vectors from their pairs' sums.
	removed := map[string]map[int32]float64{}
	skipped := make([]string, 0, len(skip))
	for id := range skip {
		skipped = append(skipped, id)
	}
	slices.Sort(skipped) // float sums in a fixed order
	for _, id := range skipped {
		qa, vec, w := "", SparseVec{}, 1.0
		if e := st.entries[id]; e != nil {
			qa, vec = e.QAID, e.p.vec
		} else if len(id) > 2 && id[len(id)-2:] == "#a" {
			qa = id[:len(id)-2]
			if a := st.answers[qa]; a != nil {
				vec, w = a.vec, answerCentroidWeight
			}
		}
		if qa == "" {
			continue
		}
		r := removed[qa]
		if r == nil {
			r = map[int32]float64{}
			removed[qa] = r
		}
		for i, d := range vec.Idx {
			r[d] += w * float64(vec.Val[i])
		}
	}
	qm := make(map[int32]float64, len(q.Idx))
	for i, d := range q.Idx {
		qm[d] = float64(q.Val[i])
	}
	for qa, r := range removed {
		sum := c.sums[qa]
		dims := make([]int32, 0, len(sum))
		for d := range sum {
			dims = append(dims, d)
		}
		slices.Sort(dims) // a fixed order keeps the sums reproducible
		var dot, n2 float64
		for _, d := range dims {
			v := sum[d] - r[d]
			dot += qm[d] * v
			n2 += v * v
		}
		if n2 < 1e-12 {
			delete(out, qa) // nothing of the pair is left
			continue
		}
		out[qa] = dot / math.Sqrt(n2)
	}
	return out
}
