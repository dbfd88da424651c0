// Package ml holds the small pure-Go learners daoyi trains from its own
// data at start-up: no cgo, no model downloads, deterministic results.
package ml

import (
	"errors"
	"fmt"
	"math"
)

// Logistic is a binary logistic regression over standardised dense
// features. Its Prob is a calibrated probability when trained on
// representative data.
type Logistic struct {
	Names   []string  `json:"names,omitempty"` // feature names, for reports
	Weights []float64 `json:"weights"`
	Bias    float64   `json:"bias"`
	Mean    []float64 `json:"mean"`
	Scale   []float64 `json:"scale"`
}

// LogisticOptions tunes TrainLogistic.
type LogisticOptions struct {
	L2      float64   // ridge penalty on the standardised weights (default 1)
	MaxIter int       // Newton steps (default 50)
	Weights []float64 // optional per-example weights
	Names   []string  // optional feature names
}

// TrainLogistic fits weights by Newton's method (iteratively reweighted
// least squares) with an L2 penalty. It is exact for the few dozen features
// used here and needs no learning rate. Labels must be 0 or 1.
func TrainLogistic(x [][]float64, y []float64, o LogisticOptions) (*Logistic, error) {
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
	if o.L2 <= 0 {
		o.L2 = 1
	}
	if o.MaxIter <= 0 {
		o.MaxIter = 50
	}
	sw := o.Weights
	if sw == nil {
		sw = make([]float64, n)
		for i := range sw {
			sw[i] = 1
		}
	}
	m := &Logistic{Names: o.Names, Mean: make([]float64, d), Scale: make([]float64, d)}
	var total float64
	for i := range x {
		total += sw[i]
		for j, v := range x[i] {
			m.Mean[j] += sw[i] * v
		}
	}
	for j := range m.Mean {
		m.Mean[j] /= total
	}
	for i := range x {
		for j, v := range x[i] {
			dv := v - m.Mean[j]
			m.Scale[j] += sw[i] * dv * dv
		}
	}
	for j := range m.Scale {
		m.Scale[j] = math.Sqrt(m.Scale[j] / total)
		if m.Scale[j] < 1e-9 {
			m.Scale[j] = 1 // a constant feature: leave it, its weight stays ~0
		}
	}
	// Work in the standardised space with the bias as feature d.
	z := make([][]float64, n)
	for i := range x {
		z[i] = make([]float64, d+1)
		for j, v := range x[i] {
			z[i][j] = (v - m.Mean[j]) / m.Scale[j]
		}
		z[i][d] = 1
	}
	w := make([]float64, d+1)
	for iter := 0; iter < o.MaxIter; iter++ {
		g := make([]float64, d+1)
		h := make([][]float64, d+1)
		for j := range h {
			h[j] = make([]float64, d+1)
		}
		for i := range z {
			p := sigmoid(dot(w, z[i]))
			r := sw[i] * (p - y[i])
			s := sw[i] * math.Max(p*(1-p), 1e-10)
			for j, zj := range z[i] {
				g[j] += r * zj
				if zj == 0 {
					continue
				}
				for k := j; k <= d; k++ {
					h[j][k] += s * zj * z[i][k]
				}
			}
		}
		for j := 0; j <= d; j++ {
			for k := 0; k < j; k++ {
				h[j][k] = h[k][j]
			}
			if j < d { // the bias is not penalised
				g[j] += o.L2 * w[j]
				h[j][j] += o.L2
			} else {
				h[j][j] += 1e-9
			}
		}
		step, err := solve(h, g)
		if err != nil {
			return nil, err
		}
		var change float64
		for j := range w {
			w[j] -= step[j]
			change = math.Max(change, math.Abs(step[j]))
		}
		if change < 1e-8 {
			break
		}
	}
	m.Weights, m.Bias = w[:d], w[d]
	return m, nil
}

// Score returns the log-odds for a feature vector.
func (m *Logistic) Score(x []float64) float64 {
	s := m.Bias
	for j, v := range x {
		if j < len(m.Weights) {
			s += m.Weights[j] * (v - m.Mean[j]) / m.Scale[j]
		}
	}
	return s
}

// Prob returns the probability of the positive class.
func (m *Logistic) Prob(x []float64) float64 { return sigmoid(m.Score(x)) }

func sigmoid(s float64) float64 {
	if s >= 0 {
		return 1 / (1 + math.Exp(-s))
	}
	e := math.Exp(s)
	return e / (1 + e)
}

func dot(a, b []float64) float64 {
	var s float64
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// solve solves a·x = b for a symmetric positive-definite a by Gaussian
// elimination with partial pivoting.
func solve(a [][]float64, b []float64) ([]float64, error) {
	n := len(b)
	m := make([][]float64, n)
	for i := range a {
		m[i] = append(append([]float64{}, a[i]...), b[i])
	}
	for c := 0; c < n; c++ {
		p := c
		for r := c + 1; r < n; r++ {
			if math.Abs(m[r][c]) > math.Abs(m[p][c]) {
				p = r
			}
		}
		if math.Abs(m[p][c]) < 1e-12 {
			return nil, errors.New("ml: singular system")
		}
		m[c], m[p] = m[p], m[c]
		for r := c + 1; r < n; r++ {
			f := m[r][c] / m[c][c]
			for k := c; k <= n; k++ {
				m[r][k] -= f * m[c][k]
			}
		}
	}
	x := make([]float64, n)
	for r := n - 1; r >= 0; r-- {
		s := m[r][n]
		for k := r + 1; k < n; k++ {
			s -= m[r][k] * x[k]
		}
		x[r] = s / m[r][r]
	}
	return x, nil
}
