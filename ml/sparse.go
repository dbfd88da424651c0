package ml

import (
	"errors"
	"math"
	"math/rand/v2"
)

// Feature is one active feature of a sparse example: a name and a value.
type Feature struct {
	Name  string
	Value float64
}

// SparseLogistic is a logistic regression over named sparse features
// ("the word 西瓜 is in one question and not the other"), for learning
// which words and word pairs matter from thousands of labelled examples.
// Unknown feature names score zero.
type SparseLogistic struct {
	Weights map[string]float64 `json:"weights"`
	Bias    float64            `json:"bias"`
}

// SparseOptions tunes TrainSparseLogistic.
type SparseOptions struct {
	Epochs int     // passes over the data (default 20)
	Rate   float64 // AdaGrad base learning rate (default 0.2)
	L2     float64 // ridge penalty per example on active weights (default 1e-4)
	// MinCount drops features seen in fewer examples (default 2): a word
	// met once teaches nothing but noise.
	MinCount int
	Seed     uint64 // shuffling seed; the same seed gives the same model
}

// withDefaults fills the zero options with the defaults documented on
// SparseOptions.
func (o SparseOptions) withDefaults() (SparseOptions, error) {
	if o.L2 < 0 {
		return o, errors.New("ml: negative L2 penalty")
	}
	if o.Epochs <= 0 {
		o.Epochs = 20
	}
	if o.Rate <= 0 {
		o.Rate = 0.2
	}
	if o.L2 == 0 {
		o.L2 = 1e-4
	}
	if o.MinCount <= 0 {
		o.MinCount = 2
	}
	return o, nil
}

// TrainSparseLogistic fits weights by AdaGrad stochastic gradient descent
// on the logistic loss. Labels must be 0 or 1. Deterministic for a seed.
func TrainSparseLogistic(x [][]Feature, y []float64, o SparseOptions) (*SparseLogistic, error) {
	n := len(x)
	if n == 0 || n != len(y) {
		return nil, errors.New("ml: no examples, or labels do not match examples")
	}
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	for _, v := range y {
		if v != 0 && v != 1 {
			return nil, errors.New("ml: labels must be 0 or 1")
		}
	}
	// Index the features that occur often enough.
	count := map[string]int{}
	for _, ex := range x {
		for _, f := range ex {
			count[f.Name]++
		}
	}
	index := map[string]int{}
	var names []string
	for _, ex := range x {
		for _, f := range ex {
			if _, ok := index[f.Name]; !ok && count[f.Name] >= o.MinCount {
				index[f.Name] = len(names)
				names = append(names, f.Name)
			}
		}
	}
	type entry struct {
		j int
		v float64
	}
	rows := make([][]entry, n)
	for i, ex := range x {
		for _, f := range ex {
			if j, ok := index[f.Name]; ok && f.Value != 0 {
				rows[i] = append(rows[i], entry{j, f.Value})
			}
		}
	}
	w := make([]float64, len(names))
	g2 := make([]float64, len(names))
	var bias, biasG2 float64
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
	for range o.Epochs {
		rng.Shuffle(n, func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, i := range order {
			s := bias
			for _, e := range rows[i] {
				s += w[e.j] * e.v
			}
			g := sigmoid(s) - y[i]
			biasG2 += g * g
			bias -= o.Rate * g / (math.Sqrt(biasG2) + 1e-8)
			for _, e := range rows[i] {
				gj := g*e.v + o.L2*w[e.j]
				g2[e.j] += gj * gj
				w[e.j] -= o.Rate * gj / (math.Sqrt(g2[e.j]) + 1e-8)
			}
		}
	}
	m := &SparseLogistic{Weights: make(map[string]float64, len(names)), Bias: bias}
	for j, name := range names {
		if w[j] != 0 {
			m.Weights[name] = w[j]
		}
	}
	return m, nil
}

// Score returns the log-odds of an example.
func (m *SparseLogistic) Score(x []Feature) float64 {
	s := m.Bias
	for _, f := range x {
		s += m.Weights[f.Name] * f.Value
	}
	return s
}

// Prob returns the probability of the positive class.
func (m *SparseLogistic) Prob(x []Feature) float64 { return sigmoid(m.Score(x)) }

// Bilinear is a learned similarity of two bags of words: each word gets a
// short vector, and a pair scores the dot product of the two sides' mean
// vectors, plus a bias. Words that are interchangeable in a labelled pair
// (抽烟, 喝酒 in "can a diabetic …") end up with close vectors, so the
// model generalises to word pairs it never saw together — a factorisation
// machine restricted to cross-side word pairs.
type Bilinear struct {
	Bias    float64              `json:"bias"`
	Vectors map[string][]float64 `json:"vectors"`
}

// BilinearExample is one pair: the words of each side.
type BilinearExample struct {
	A, B []string
}

// BilinearOptions tunes TrainBilinear.
type BilinearOptions struct {
	SparseOptions
	Dim int // vector length (default 16)
}

// TrainBilinear fits a Bilinear model by AdaGrad. Deterministic for a seed.
func TrainBilinear(ex []BilinearExample, y []float64, o BilinearOptions) (*Bilinear, error) {
	// The bias first, on its own: a sparse regression with no features.
	bias, err := TrainSparseLogistic(make([][]Feature, len(ex)), y, o.SparseOptions)
	if err != nil {
		return nil, err
	}
	if o.Dim <= 0 {
		o.Dim = 16
	}
	so, err := o.SparseOptions.withDefaults()
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	for _, e := range ex {
		for _, w := range e.A {
			count[w]++
		}
		for _, w := range e.B {
			count[w]++
		}
	}
	rng := rand.New(rand.NewPCG(so.Seed, 0xb11))
	m := &Bilinear{Bias: bias.Bias, Vectors: map[string][]float64{}}
	g2 := map[string][]float64{}
	// Words in first-seen order so initialisation is deterministic.
	for _, e := range ex {
		for _, side := range [][]string{e.A, e.B} {
			for _, w := range side {
				if _, ok := m.Vectors[w]; !ok && count[w] >= so.MinCount {
					v := make([]float64, o.Dim)
					for k := range v {
						v[k] = rng.NormFloat64() * 0.1
					}
					m.Vectors[w] = v
					g2[w] = make([]float64, o.Dim)
				}
			}
		}
	}
	order := make([]int, len(ex))
	for i := range order {
		order[i] = i
	}
	for range so.Epochs {
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, i := range order {
			ma, ua := m.mean(ex[i].A)
			mb, ub := m.mean(ex[i].B)
			if len(ua) == 0 || len(ub) == 0 {
				continue
			}
			g := sigmoid(m.Bias+dot(ma, mb)) - y[i]
			step := func(words []string, other []float64) {
				n := float64(len(words))
				for _, w := range words {
					v, h := m.Vectors[w], g2[w]
					for k := range v {
						gk := g*other[k]/n + so.L2*v[k]
						h[k] += gk * gk
						v[k] -= so.Rate * gk / (math.Sqrt(h[k]) + 1e-8)
					}
				}
			}
			step(ua, mb)
			step(ub, ma)
		}
	}
	return m, nil
}

// mean returns the mean vector of a side's known words, and those words.
func (m *Bilinear) mean(side []string) ([]float64, []string) {
	var sum []float64
	var used []string
	for _, w := range side {
		v, ok := m.Vectors[w]
		if !ok {
			continue
		}
		if sum == nil {
			sum = make([]float64, len(v))
		}
		used = append(used, w)
		for k := range sum {
			sum[k] += v[k]
		}
	}
	for k := range sum {
		sum[k] /= float64(len(used))
	}
	return sum, used
}

// Score returns the log-odds of a pair.
func (m *Bilinear) Score(e BilinearExample) float64 {
	a, ua := m.mean(e.A)
	b, ub := m.mean(e.B)
	if len(ua) == 0 || len(ub) == 0 {
		return m.Bias
	}
	return m.Bias + dot(a, b)
}
