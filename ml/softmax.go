package ml

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sort"
)

// Softmax is a multinomial logistic regression over named sparse features:
// one weight per feature and class, probabilities by the softmax of the
// class scores divided by a temperature fitted for calibration. Unknown
// feature names score zero. Immutable after training; safe for concurrent
// use.
type Softmax struct {
	Classes     []string       `json:"classes"`
	Index       map[string]int `json:"index"`       // feature name -> row of Weights
	Weights     []float64      `json:"weights"`     // row-major: len(Index) × len(Classes)
	Bias        []float64      `json:"bias"`        // per class
	Temperature float64        `json:"temperature"` // divides the scores; 1 until calibrated
}

// SoftmaxOptions tunes TrainSoftmax.
type SoftmaxOptions struct {
	Epochs   int     // passes over the data (default 30)
	Rate     float64 // AdaGrad base learning rate (default 0.3)
	L2       float64 // ridge penalty per example on active weights (default 1e-4)
	MinCount int     // drop features seen in fewer examples (default 1: keep all)
	Seed     uint64  // shuffling seed; the same seed gives the same model
	// NoAverage returns the last iterate instead of the average of the
	// second half's epochs.
	NoAverage bool
}

func (o SoftmaxOptions) withDefaults() (SoftmaxOptions, error) {
	if o.L2 < 0 || o.Rate < 0 || o.Epochs < 0 {
		return o, errors.New("ml: negative softmax option")
	}
	if o.Epochs == 0 {
		o.Epochs = 30
	}
	if o.Rate == 0 {
		o.Rate = 0.3
	}
	if o.L2 == 0 {
		o.L2 = 1e-4
	}
	if o.MinCount <= 0 {
		o.MinCount = 1
	}
	return o, nil
}

// TrainSoftmax fits a multinomial logistic regression by AdaGrad stochastic
// gradient descent on the cross-entropy loss. y[i] indexes classes.
// Deterministic for a seed.
func TrainSoftmax(x [][]Feature, y []int, classes []string, o SoftmaxOptions) (*Softmax, error) {
	n, k := len(x), len(classes)
	switch {
	case n == 0 || n != len(y):
		return nil, errors.New("ml: no examples, or labels do not match examples")
	case k < 2:
		return nil, errors.New("ml: softmax needs at least two classes")
	}
	for i, c := range y {
		if c < 0 || c >= k {
			return nil, fmt.Errorf("ml: label %d of example %d is not a class", c, i)
		}
	}
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	count := map[string]int{}
	for _, ex := range x {
		for _, f := range ex {
			count[f.Name]++
		}
	}
	m := &Softmax{Classes: append([]string(nil), classes...), Index: map[string]int{}, Bias: make([]float64, k), Temperature: 1}
	type entry struct {
		j int
		v float64
	}
	rows := make([][]entry, n)
	for i, ex := range x {
		for _, f := range ex {
			if count[f.Name] < o.MinCount || f.Value == 0 {
				continue
			}
			j, ok := m.Index[f.Name]
			if !ok {
				j = len(m.Index)
				m.Index[f.Name] = j
			}
			rows[i] = append(rows[i], entry{j, f.Value})
		}
	}
	w := make([]float64, len(m.Index)*k)
	g2 := make([]float64, len(w))
	bg2 := make([]float64, k)
	p := make([]float64, k)
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	// The model is the average of the weights at the end of each epoch of
	// the second half (Polyak averaging): the last iterate of stochastic
	// gradient descent wanders around the optimum, the average sits
	// closer to it and generalises better.
	avgW, avgB := make([]float64, len(w)), make([]float64, k)
	averaged := 0
	rng := rand.New(rand.NewPCG(o.Seed, 0x50f7))
	for epoch := range o.Epochs {
		rng.Shuffle(n, func(a, b int) { order[a], order[b] = order[b], order[a] })
		for _, i := range order {
			copy(p, m.Bias)
			for _, e := range rows[i] {
				row := w[e.j*k : e.j*k+k]
				for c := range p {
					p[c] += row[c] * e.v
				}
			}
			softmaxInPlace(p, 1)
			p[y[i]] -= 1 // p is now the gradient of the loss by the scores
			for c, g := range p {
				bg2[c] += g * g
				m.Bias[c] -= o.Rate * g / (math.Sqrt(bg2[c]) + 1e-8)
			}
			for _, e := range rows[i] {
				base := e.j * k
				for c, g := range p {
					gj := g*e.v + o.L2*w[base+c]
					g2[base+c] += gj * gj
					w[base+c] -= o.Rate * gj / (math.Sqrt(g2[base+c]) + 1e-8)
				}
			}
		}
		if o.NoAverage || 2*(epoch+1) <= o.Epochs {
			continue
		}
		for j, v := range w {
			avgW[j] += v
		}
		for c, v := range m.Bias {
			avgB[c] += v
		}
		averaged++
	}
	if averaged == 0 {
		m.Weights = w
		return m, nil
	}
	for j := range avgW {
		avgW[j] /= float64(averaged)
	}
	for c := range avgB {
		avgB[c] /= float64(averaged)
	}
	m.Weights, m.Bias = avgW, avgB
	return m, nil
}

// Scores returns the raw class scores (log-odds up to a constant) of an
// example, before the temperature.
func (m *Softmax) Scores(x []Feature) []float64 {
	k := len(m.Classes)
	s := append([]float64(nil), m.Bias...)
	for _, f := range x {
		j, ok := m.Index[f.Name]
		if !ok {
			continue
		}
		row := m.Weights[j*k : j*k+k]
		for c := range s {
			s[c] += row[c] * f.Value
		}
	}
	return s
}

// Probs returns the calibrated class probabilities of an example, in the
// order of Classes.
func (m *Softmax) Probs(x []Feature) []float64 {
	s := m.Scores(x)
	softmaxInPlace(s, m.Temperature)
	return s
}

// softmaxInPlace turns scores into probabilities at temperature t.
func softmaxInPlace(s []float64, t float64) {
	if t <= 0 {
		t = 1
	}
	hi := math.Inf(-1)
	for _, v := range s {
		hi = math.Max(hi, v)
	}
	var sum float64
	for c, v := range s {
		s[c] = math.Exp((v - hi) / t)
		sum += s[c]
	}
	for c := range s {
		s[c] /= sum
	}
}

// FitTemperature returns the temperature that minimises the negative
// log-likelihood of held-out scores (temperature scaling, Guo et al. 2017):
// a single parameter that makes probabilities calibrated without changing
// which class ranks first. scores are raw Scores of examples the model did
// not train on; y their classes.
func FitTemperature(scores [][]float64, y []int) float64 {
	if len(scores) == 0 || len(scores) != len(y) {
		return 1
	}
	nll := func(logT float64) float64 {
		t := math.Exp(logT)
		var sum float64
		p := make([]float64, len(scores[0]))
		for i, s := range scores {
			copy(p, s)
			softmaxInPlace(p, t)
			sum -= math.Log(math.Max(p[y[i]], 1e-12))
		}
		return sum
	}
	// Golden-section search on log T over [1/20, 20]: the loss is unimodal in T.
	lo, hi := math.Log(0.05), math.Log(20)
	const phi = 0.6180339887498949
	a, b := hi-phi*(hi-lo), lo+phi*(hi-lo)
	fa, fb := nll(a), nll(b)
	for range 60 {
		if fa < fb {
			hi, b, fb = b, a, fa
			a = hi - phi*(hi-lo)
			fa = nll(a)
		} else {
			lo, a, fa = a, b, fb
			b = lo + phi*(hi-lo)
			fb = nll(b)
		}
	}
	return math.Exp((lo + hi) / 2)
}

// Ranked returns class indexes ordered by descending probability, ties by
// class order.
func Ranked(p []float64) []int {
	idx := make([]int, len(p))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return p[idx[a]] > p[idx[b]] })
	return idx
}
