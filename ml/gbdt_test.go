package ml

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestBoostedLearnsInteraction: the label is an XOR-like interaction that
// no linear model can fit; the trees must.
func TestBoostedLearnsInteraction(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	gen := func(n int) ([][]float64, []float64) {
		var x [][]float64
		var y []float64
		for i := 0; i < n; i++ {
			a, b := rng.Float64(), rng.Float64()
			label := 0.0
			if (a > 0.5) != (b > 0.5) {
				label = 1
			}
			if rng.Float64() < 0.05 { // label noise
				label = 1 - label
			}
			x = append(x, []float64{a, b, rng.Float64()})
			y = append(y, label)
		}
		return x, y
	}
	x, y := gen(5000)
	m, err := TrainBoosted(x, y, BoostOptions{Trees: 80, Depth: 3})
	if err != nil {
		t.Fatal(err)
	}
	tx, ty := gen(2000)
	right := 0
	var logloss float64
	for i := range tx {
		p := m.Prob(tx[i])
		if (p >= 0.5) == (ty[i] == 1) {
			right++
		}
		p = math.Min(math.Max(p, 1e-9), 1-1e-9)
		logloss -= ty[i]*math.Log(p) + (1-ty[i])*math.Log(1-p)
	}
	acc := float64(right) / float64(len(tx))
	if acc < 0.9 {
		t.Fatalf("held-out accuracy %.3f, want >= 0.9 (the noise ceiling is 0.95)", acc)
	}
	lin, _ := TrainLogistic(x, y, LogisticOptions{})
	linRight := 0
	for i := range tx {
		if (lin.Prob(tx[i]) >= 0.5) == (ty[i] == 1) {
			linRight++
		}
	}
	if float64(linRight)/float64(len(tx)) > 0.65 {
		t.Fatalf("the linear baseline fits the interaction (%.3f): the test is too easy", float64(linRight)/float64(len(tx)))
	}
}

func TestBoostedErrors(t *testing.T) {
	if _, err := TrainBoosted(nil, nil, BoostOptions{}); err == nil {
		t.Fatal("want error for no data")
	}
	if _, err := TrainBoosted([][]float64{{1}, {2}}, []float64{0, 3}, BoostOptions{}); err == nil {
		t.Fatal("want error for a bad label")
	}
	// Constant features: the model is the prior.
	m, err := TrainBoosted([][]float64{{1}, {1}, {1}, {1}}, []float64{0, 1, 1, 1}, BoostOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p := m.Prob([]float64{1}); math.Abs(p-0.75) > 1e-6 {
		t.Fatalf("constant features: p = %v, want the prior 0.75", p)
	}
}

// TestBoostedMonotone: with a +1 constraint the output never falls as the
// feature rises, even where the training data (noisy, non-monotone in the
// middle) would have it do so.
func TestBoostedMonotone(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var x [][]float64
	var y []float64
	for i := 0; i < 4000; i++ {
		a, b := rng.Float64(), rng.Float64()
		p := a
		if a > 0.45 && a < 0.55 {
			p = 0.05 // a dip the constraint must not learn
		}
		label := 0.0
		if rng.Float64() < p {
			label = 1
		}
		x = append(x, []float64{a, b})
		y = append(y, label)
	}
	free, err := TrainBoosted(x, y, BoostOptions{Trees: 60, Depth: 3})
	if err != nil {
		t.Fatal(err)
	}
	mono, err := TrainBoosted(x, y, BoostOptions{Trees: 60, Depth: 3, Monotone: []int8{1, 0}})
	if err != nil {
		t.Fatal(err)
	}
	dips := func(m *Boosted) int {
		n := 0
		for _, b := range []float64{0.1, 0.5, 0.9} {
			prev := -1.0
			for a := 0.0; a <= 1; a += 0.01 {
				p := m.Prob([]float64{a, b})
				if p < prev-1e-12 {
					n++
				}
				prev = p
			}
		}
		return n
	}
	if dips(free) == 0 {
		t.Fatal("the unconstrained model learned no dip: the test data does not exercise the constraint")
	}
	if n := dips(mono); n != 0 {
		t.Fatalf("the constrained model falls %d times as the feature rises", n)
	}
	if _, err := TrainBoosted(x, y, BoostOptions{Monotone: []int8{1}}); err == nil {
		t.Fatal("want an error for constraints that do not match the features")
	}
}
