package ml

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// topicData draws short "documents" from three classes, each with its own
// marker words plus shared noise words; a fraction of labels is flipped so
// that the classes overlap and probabilities matter.
func topicData(n int, seed uint64, flip float64) ([][]Feature, []int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	var x [][]Feature
	var y []int
	for range n {
		c := rng.IntN(3)
		var ex []Feature
		for range 3 {
			ex = append(ex, Feature{Name: fmt.Sprintf("c%d-w%d", c, rng.IntN(5)), Value: 1})
			ex = append(ex, Feature{Name: fmt.Sprintf("noise%d", rng.IntN(20)), Value: 1})
		}
		if rng.Float64() < flip {
			c = (c + 1 + rng.IntN(2)) % 3
		}
		x = append(x, ex)
		y = append(y, c)
	}
	return x, y
}

func TestTrainSoftmax(t *testing.T) {
	classes := []string{"a", "b", "c"}
	x, y := topicData(600, 1, 0)
	m, err := TrainSoftmax(x, y, classes, SoftmaxOptions{Seed: 7})
	if err != nil {
		t.Fatal(err)
	}
	tx, ty := topicData(300, 2, 0)
	correct := 0
	for i := range tx {
		p := m.Probs(tx[i])
		var sum float64
		for _, v := range p {
			sum += v
		}
		if math.Abs(sum-1) > 1e-9 {
			t.Fatalf("probabilities sum to %v", sum)
		}
		if Ranked(p)[0] == ty[i] {
			correct++
		}
	}
	if acc := float64(correct) / float64(len(tx)); acc < 0.97 {
		t.Errorf("accuracy on separable data = %.3f, want ≥ 0.97", acc)
	}

	t.Run("Deterministic", func(t *testing.T) {
		m2, err := TrainSoftmax(x, y, classes, SoftmaxOptions{Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(m.Weights, m2.Weights) || !reflect.DeepEqual(m.Bias, m2.Bias) {
			t.Error("the same seed gave different models")
		}
	})
	t.Run("UnknownFeaturesScoreZero", func(t *testing.T) {
		got := m.Scores([]Feature{{Name: "never-seen", Value: 5}})
		if !reflect.DeepEqual(got, m.Bias) {
			t.Errorf("Scores(unknown) = %v, want the bias %v", got, m.Bias)
		}
	})
	t.Run("MinCount", func(t *testing.T) {
		m3, err := TrainSoftmax(append(x, []Feature{{Name: "once", Value: 1}}), append(y, 0), classes, SoftmaxOptions{MinCount: 2})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := m3.Index["once"]; ok {
			t.Error("a feature seen once was kept with MinCount 2")
		}
	})
}

func TestTrainSoftmaxErrors(t *testing.T) {
	x := [][]Feature{{{Name: "a", Value: 1}}, {{Name: "b", Value: 1}}}
	cases := map[string]func() error{
		"NoExamples": func() error { _, err := TrainSoftmax(nil, nil, []string{"a", "b"}, SoftmaxOptions{}); return err },
		"Mismatch":   func() error { _, err := TrainSoftmax(x, []int{0}, []string{"a", "b"}, SoftmaxOptions{}); return err },
		"OneClass":   func() error { _, err := TrainSoftmax(x, []int{0, 0}, []string{"a"}, SoftmaxOptions{}); return err },
		"BadLabel":   func() error { _, err := TrainSoftmax(x, []int{0, 2}, []string{"a", "b"}, SoftmaxOptions{}); return err },
		"NegativeL2": func() error {
			_, err := TrainSoftmax(x, []int{0, 1}, []string{"a", "b"}, SoftmaxOptions{L2: -1})
			return err
		},
		"NegativeLR": func() error {
			_, err := TrainSoftmax(x, []int{0, 1}, []string{"a", "b"}, SoftmaxOptions{Rate: -1})
			return err
		},
		"NegativeEps": func() error {
			_, err := TrainSoftmax(x, []int{0, 1}, []string{"a", "b"}, SoftmaxOptions{Epochs: -1})
			return err
		},
	}
	for name, f := range cases {
		if f() == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

// TestFitTemperature checks calibration on noisy labels: an unregularised
// model trained long is overconfident on held-out data, and the fitted
// temperature both lowers the held-out log-loss and brings the mean top
// probability close to the accuracy.
func TestFitTemperature(t *testing.T) {
	classes := []string{"a", "b", "c"}
	x, y := topicData(120, 3, 0.25)
	m, err := TrainSoftmax(x, y, classes, SoftmaxOptions{Epochs: 200, Rate: 1, L2: 1e-9, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	hx, hy := topicData(1500, 4, 0.25)
	scores := make([][]float64, len(hx))
	for i := range hx {
		scores[i] = m.Scores(hx[i])
	}
	temp := FitTemperature(scores, hy)
	if temp <= 1 {
		t.Fatalf("temperature = %.3f for an overconfident model, want > 1", temp)
	}
	eval := func(temp float64) (nll, meanTop, acc float64) {
		for i, s := range scores {
			p := append([]float64(nil), s...)
			softmaxInPlace(p, temp)
			nll -= math.Log(math.Max(p[hy[i]], 1e-12))
			top := Ranked(p)[0]
			meanTop += p[top]
			if top == hy[i] {
				acc++
			}
		}
		n := float64(len(scores))
		return nll / n, meanTop / n, acc / n
	}
	nll1, top1, acc := eval(1)
	nllT, topT, _ := eval(temp)
	if nllT >= nll1 {
		t.Errorf("held-out log-loss %.4f at T=%.2f, not below %.4f at T=1", nllT, temp, nll1)
	}
	if math.Abs(topT-acc) >= math.Abs(top1-acc) || math.Abs(topT-acc) > 0.05 {
		t.Errorf("mean top probability %.3f (T=1: %.3f) vs accuracy %.3f: not calibrated", topT, top1, acc)
	}
	if got := FitTemperature(nil, nil); got != 1 {
		t.Errorf("FitTemperature(no data) = %v, want 1", got)
	}
}

func BenchmarkSoftmaxProbs(b *testing.B) {
	classes := make([]string, 14)
	for i := range classes {
		classes[i] = fmt.Sprint(i)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	var x [][]Feature
	var y []int
	for range 1500 {
		var ex []Feature
		for range 120 {
			ex = append(ex, Feature{Name: fmt.Sprintf("f%d", rng.IntN(20000)), Value: 0.1})
		}
		x = append(x, ex)
		y = append(y, rng.IntN(14))
	}
	m, err := TrainSoftmax(x, y, classes, SoftmaxOptions{Epochs: 2})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		m.Probs(x[i%len(x)])
	}
}
