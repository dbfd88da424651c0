package ml

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestSparseLogisticLearnsWords: examples are bags of named features where
// "good*" words push towards 1 and "bad*" words towards 0, among noise
// words; the model must rank unseen combinations correctly and ignore
// features below MinCount.
func TestSparseLogisticLearnsWords(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var x [][]Feature
	var y []float64
	for range 3000 {
		var ex []Feature
		score := 0.0
		for range 4 {
			k := rng.IntN(30)
			switch {
			case k < 5:
				ex = append(ex, Feature{fmt.Sprintf("good%d", k), 1})
				score += 2
			case k < 10:
				ex = append(ex, Feature{fmt.Sprintf("bad%d", k), 1})
				score -= 2
			default:
				ex = append(ex, Feature{fmt.Sprintf("noise%d", k), 1})
			}
		}
		label := 0.0
		if rng.Float64() < sigmoid(score) {
			label = 1
		}
		x, y = append(x, ex), append(y, label)
	}
	x = append(x, []Feature{{"once", 1}})
	y = append(y, 1)
	m, err := TrainSparseLogistic(x, y, SparseOptions{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	if p := m.Prob([]Feature{{"good1", 1}, {"good3", 1}}); p < 0.9 {
		t.Errorf("two good words: p = %.3f, want > 0.9", p)
	}
	if p := m.Prob([]Feature{{"bad6", 1}, {"noise12", 1}}); p > 0.2 {
		t.Errorf("a bad word: p = %.3f, want < 0.2", p)
	}
	if w := m.Weights["noise20"]; w > 0.5 || w < -0.5 {
		t.Errorf("noise weight %.3f, want near 0", w)
	}
	if _, ok := m.Weights["once"]; ok {
		t.Error("a feature seen once was kept")
	}
	again, _ := TrainSparseLogistic(x, y, SparseOptions{Seed: 7})
	if again.Bias != m.Bias || again.Weights["good1"] != m.Weights["good1"] {
		t.Error("same seed, different model")
	}
	if _, err := TrainSparseLogistic(x, y[:1], SparseOptions{}); err == nil {
		t.Error("want an error for mismatched labels")
	}
	if _, err := TrainSparseLogistic([][]Feature{{{"a", 1}}}, []float64{2}, SparseOptions{}); err == nil {
		t.Error("want an error for a label that is not 0 or 1")
	}
}

// TestBilinearGeneralises: words come in groups (a group is a "meaning");
// two bags match when they share a group. Some word pairs never appear
// together in training, so only learned vectors can score them: the
// bilinear model must rank held-out same-group pairs above different-group
// pairs.
func TestBilinearGeneralises(t *testing.T) {
	const groups, per = 6, 4
	word := func(g, k int) string { return fmt.Sprintf("g%dw%d", g, k) }
	held := func(g, ka, kb int) bool { return ka == 0 && kb == 1 } // never trained together
	rng := rand.New(rand.NewPCG(9, 9))
	var ex []BilinearExample
	var y []float64
	for len(ex) < 4000 {
		ga, gb := rng.IntN(groups), rng.IntN(groups)
		if rng.IntN(2) == 0 {
			gb = ga
		}
		ka, kb := rng.IntN(per), rng.IntN(per)
		if held(ga, ka, kb) || held(gb, kb, ka) {
			continue
		}
		label := 0.0
		if ga == gb {
			label = 1
		}
		ex = append(ex, BilinearExample{A: []string{word(ga, ka)}, B: []string{word(gb, kb)}})
		y = append(y, label)
	}
	m, err := TrainBilinear(ex, y, BilinearOptions{SparseOptions: SparseOptions{Seed: 1, Rate: 0.1}, Dim: 8})
	if err != nil {
		t.Fatal(err)
	}
	wrong := 0
	for g := range groups {
		same := m.Score(BilinearExample{A: []string{word(g, 0)}, B: []string{word(g, 1)}})
		other := m.Score(BilinearExample{A: []string{word(g, 0)}, B: []string{word((g+1)%groups, 1)}})
		if same <= other {
			wrong++
		}
	}
	if wrong > 0 {
		t.Errorf("%d of %d unseen same-group pairs scored no higher than a different-group pair", wrong, groups)
	}
}
