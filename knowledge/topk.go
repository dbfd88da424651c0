package knowledge

import "container/heap"

// topK keeps the k best (highest score) items seen, breaking ties by id.
type topK struct {
	k     int
	items scoredHeap
}

func newTopK(k int) *topK { return &topK{k: k, items: make(scoredHeap, 0, k+1)} }

func (t *topK) push(s Scored) {
	if len(t.items) < t.k {
		heap.Push(&t.items, s)
		return
	}
	if t.k == 0 || !better(s, t.items[0]) {
		return
	}
	t.items[0] = s
	heap.Fix(&t.items, 0)
}

// sorted returns the kept items, best first.
func (t *topK) sorted() []Scored {
	out := make([]Scored, len(t.items))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(&t.items).(Scored)
	}
	return out
}

func better(a, b Scored) bool {
	if a.Score != b.Score {
		return a.Score > b.Score
	}
	return a.ID < b.ID
}

// scoredHeap is a min-heap: the worst kept item on top.
type scoredHeap []Scored

func (h scoredHeap) Len() int           { return len(h) }
func (h scoredHeap) Less(i, j int) bool { return better(h[j], h[i]) }
func (h scoredHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *scoredHeap) Push(x any)        { *h = append(*h, x.(Scored)) }
func (h *scoredHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
