package ml

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"sort"
	"sync"
)

// Boosted is a binary classifier made of gradient-boosted regression trees
// on the logistic loss (in the manner of XGBoost and LightGBM, at toy
// scale): it learns interactions a linear model cannot ("all the query's
// words are covered AND the query is short"), and its output stays a
// probability.
type Boosted struct {
	Names []string `json:"names,omitempty"`
	Base  float64  `json:"base"` // initial log-odds
	Trees []Tree   `json:"trees"`
}

// Tree is one regression tree, stored as a flat node list; node 0 is the root.
type Tree struct {
	Nodes []Node `json:"nodes"`
}

// Node is a split (Left >= 0) or a leaf.
type Node struct {
	Feature   int     `json:"f,omitempty"`
	Threshold float64 `json:"t,omitempty"` // go left when x[Feature] <= Threshold
	Left      int     `json:"l,omitempty"`
	Right     int     `json:"r,omitempty"`
	Value     float64 `json:"v,omitempty"` // leaf output (log-odds increment)
	Leaf      bool    `json:"leaf,omitempty"`
}

// BoostOptions tunes TrainBoosted.
type BoostOptions struct {
	Trees        int     // number of trees (default 150)
	Depth        int     // maximum depth (default 4)
	LearningRate float64 // shrinkage (default 0.1)
	MinLeaf      int     // minimum examples in a leaf (default 20)
	Lambda       float64 // L2 penalty on leaf values (default 1)
	Bins         int     // candidate thresholds per feature (default 32)
	Names        []string
	// Monotone constrains the model per feature: +1 means the output may
	// only rise with the feature, -1 only fall, 0 anything. Constraints
	// that match what a feature means keep the trees from learning
	// accidents of the training data ("a closer match scores lower").
	Monotone []int8
}

// TrainBoosted fits trees to labels 0/1. Deterministic: no sampling.
func TrainBoosted(x [][]float64, y []float64, o BoostOptions) (*Boosted, error) {
	n := len(x)
	if n == 0 || n != len(y) {
		return nil, errors.New("ml: no examples, or labels do not match examples")
	}
	d := len(x[0])
	for i := range x {
		if len(x[i]) != d {
			return nil, fmt.Errorf("ml: example %d has %d features, want %d", i, len(x[i]), d)
		}
		if y[i] != 0 && y[i] != 1 {
			return nil, fmt.Errorf("ml: label %d is %v, want 0 or 1", i, y[i])
		}
	}
	if o.Trees <= 0 {
		o.Trees = 150
	}
	if o.Depth <= 0 {
		o.Depth = 4
	}
	if o.LearningRate <= 0 {
		o.LearningRate = 0.1
	}
	if o.MinLeaf <= 0 {
		o.MinLeaf = 20
	}
	if o.Lambda <= 0 {
		o.Lambda = 1
	}
	if o.Bins <= 1 {
		o.Bins = 32
	}
	if o.Monotone != nil && len(o.Monotone) != d {
		return nil, fmt.Errorf("ml: %d monotone constraints for %d features", len(o.Monotone), d)
	}
	var pos float64
	for _, v := range y {
		pos += v
	}
	prior := math.Min(math.Max(pos/float64(n), 1e-6), 1-1e-6)
	m := &Boosted{Names: o.Names, Base: math.Log(prior / (1 - prior))}

	// Bin every feature once: bins[j][i] is the bin of example i.
	edges := make([][]float64, d)
	bins := make([][]uint8, d)
	for j := 0; j < d; j++ {
		edges[j] = quantileEdges(x, j, o.Bins)
		bins[j] = make([]uint8, n)
		for i := range x {
			bins[j][i] = uint8(sort.SearchFloat64s(edges[j], x[i][j]))
		}
	}
	score := make([]float64, n)
	for i := range score {
		score[i] = m.Base
	}
	g := make([]float64, n)
	h := make([]float64, n)
	idx := make([]int, n)
	for t := 0; t < o.Trees; t++ {
		for i := range x {
			p := sigmoid(score[i])
			g[i], h[i] = p-y[i], math.Max(p*(1-p), 1e-12)
			idx[i] = i
		}
		tb := &treeBuilder{o: o, edges: edges, bins: bins, g: g, h: h, score: score}
		tb.grow(idx, 0, math.Inf(-1), math.Inf(1))
		m.Trees = append(m.Trees, Tree{Nodes: tb.nodes})
	}
	return m, nil
}

// quantileEdges returns up to bins-1 distinct thresholds splitting feature
// j into groups of similar size.
func quantileEdges(x [][]float64, j, bins int) []float64 {
	v := make([]float64, len(x))
	for i := range x {
		v[i] = x[i][j]
	}
	sort.Float64s(v)
	var e []float64
	for b := 1; b < bins; b++ {
		t := v[b*len(v)/bins]
		if len(e) == 0 || t > e[len(e)-1] {
			e = append(e, t)
		}
	}
	// Drop a last edge equal to the maximum: it splits nothing off.
	if len(e) > 0 && e[len(e)-1] >= v[len(v)-1] {
		e = e[:len(e)-1]
	}
	return e
}

type treeBuilder struct {
	o     BoostOptions
	edges [][]float64
	bins  [][]uint8
	g, h  []float64
	score []float64 // the examples' scores, updated as leaves are made
	nodes []Node
}

// leafNode makes node me a leaf for examples idx.
func (tb *treeBuilder) leafNode(me int, idx []int) int {
	v := tb.nodes[me].Value
	for _, i := range idx {
		tb.score[i] += v
	}
	return me
}

// grow builds the subtree over examples idx, whose leaf values must lie in
// [lo, hi] (monotone constraints), and returns its node index.
func (tb *treeBuilder) grow(idx []int, depth int, lo, hi float64) int {
	var G, H float64
	for _, i := range idx {
		G += tb.g[i]
		H += tb.h[i]
	}
	me := len(tb.nodes)
	tb.nodes = append(tb.nodes, Node{Leaf: true, Value: clamp(tb.leaf(G, H), lo, hi)})
	if depth >= tb.o.Depth || len(idx) < 2*tb.o.MinLeaf {
		return tb.leafNode(me, idx)
	}
	parent := G * G / (H + tb.o.Lambda)
	// Find each feature's best split in parallel, then the best of all.
	type split struct {
		gain float64
		bin  int
	}
	best := make([]split, len(tb.edges))
	workers := min(runtime.GOMAXPROCS(0), len(tb.edges))
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for j := w; j < len(tb.edges); j += workers {
				gain, bin := tb.bestSplit(j, idx, G, H, parent, lo, hi)
				best[j] = split{gain, bin}
			}
		}(w)
	}
	wg.Wait()
	bestGain, bestF, bestBin := 1e-9, -1, 0
	for j, s := range best {
		if s.gain > bestGain {
			bestGain, bestF, bestBin = s.gain, j, s.bin
		}
	}
	if bestF < 0 {
		return tb.leafNode(me, idx)
	}
	var left, right []int
	var gl, hl float64
	for _, i := range idx {
		if int(tb.bins[bestF][i]) <= bestBin {
			left = append(left, i)
			gl += tb.g[i]
			hl += tb.h[i]
		} else {
			right = append(right, i)
		}
	}
	// Children of a constrained split share the range at the midpoint of
	// their values, so every leaf below keeps the order.
	llo, lhi, rlo, rhi := lo, hi, lo, hi
	if c := tb.monotone(bestF); c != 0 {
		wl := clamp(tb.leaf(gl, hl), lo, hi)
		wr := clamp(tb.leaf(G-gl, H-hl), lo, hi)
		mid := (wl + wr) / 2
		if c > 0 {
			lhi, rlo = mid, mid
		} else {
			llo, rhi = mid, mid
		}
	}
	l := tb.grow(left, depth+1, llo, lhi)
	r := tb.grow(right, depth+1, rlo, rhi)
	tb.nodes[me] = Node{Feature: bestF, Threshold: tb.edges[bestF][bestBin], Left: l, Right: r}
	return me
}

// leaf is the (shrunk) Newton step for a leaf with gradient sum G and
// hessian sum H.
func (tb *treeBuilder) leaf(G, H float64) float64 {
	return -G / (H + tb.o.Lambda) * tb.o.LearningRate
}

func (tb *treeBuilder) monotone(j int) int8 {
	if tb.o.Monotone == nil {
		return 0
	}
	return tb.o.Monotone[j]
}

func clamp(v, lo, hi float64) float64 { return math.Min(math.Max(v, lo), hi) }

// bestSplit returns the best gain and bin boundary of feature j over idx.
func (tb *treeBuilder) bestSplit(j int, idx []int, G, H, parent, lo, hi float64) (float64, int) {
	nb := len(tb.edges[j]) + 1
	if nb < 2 {
		return 0, 0
	}
	hg := make([]float64, nb)
	hh := make([]float64, nb)
	hc := make([]int, nb)
	bins := tb.bins[j]
	for _, i := range idx {
		b := bins[i]
		hg[b] += tb.g[i]
		hh[b] += tb.h[i]
		hc[b]++
	}
	var gl, hl float64
	cl := 0
	bestGain, bestBin := 0.0, 0
	for b := 0; b < nb-1; b++ {
		gl += hg[b]
		hl += hh[b]
		cl += hc[b]
		cr := len(idx) - cl
		if cl < tb.o.MinLeaf || cr < tb.o.MinLeaf {
			continue
		}
		gr, hr := G-gl, H-hl
		if c := tb.monotone(j); c != 0 {
			wl, wr := clamp(tb.leaf(gl, hl), lo, hi), clamp(tb.leaf(gr, hr), lo, hi)
			if c > 0 && wl > wr || c < 0 && wl < wr {
				continue // the split would break the constraint
			}
		}
		gain := gl*gl/(hl+tb.o.Lambda) + gr*gr/(hr+tb.o.Lambda) - parent
		if gain > bestGain {
			bestGain, bestBin = gain, b
		}
	}
	return bestGain, bestBin
}

func (t *Tree) eval(x []float64) float64 {
	n := 0
	for !t.Nodes[n].Leaf {
		nd := &t.Nodes[n]
		if x[nd.Feature] <= nd.Threshold {
			n = nd.Left
		} else {
			n = nd.Right
		}
	}
	return t.Nodes[n].Value
}

// Score returns the log-odds for a feature vector.
func (m *Boosted) Score(x []float64) float64 {
	s := m.Base
	for i := range m.Trees {
		s += m.Trees[i].eval(x)
	}
	return s
}

// Prob returns the probability of the positive class.
func (m *Boosted) Prob(x []float64) float64 { return sigmoid(m.Score(x)) }
