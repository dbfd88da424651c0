package ml

import (
	"math"
	"math/rand/v2"
	"testing"
)

// TestTrainLogisticRecoversModel draws data from a known logistic model and
// checks that training recovers its weights and gives calibrated
// probabilities.
func TestTrainLogisticRecoversModel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	trueW, trueB := []float64{2, -1, 0}, 0.5
	var x [][]float64
	var y []float64
	for i := 0; i < 20000; i++ {
		v := []float64{rng.NormFloat64(), rng.NormFloat64(), rng.NormFloat64()}
		p := sigmoid(trueW[0]*v[0] + trueW[1]*v[1] + trueW[2]*v[2] + trueB)
		label := 0.0
		if rng.Float64() < p {
			label = 1
		}
		x = append(x, v)
		y = append(y, label)
	}
	m, err := TrainLogistic(x, y, LogisticOptions{L2: 0.01})
	if err != nil {
		t.Fatal(err)
	}
	// Convert back from standardised weights.
	for j, want := range trueW {
		got := m.Weights[j] / m.Scale[j]
		if math.Abs(got-want) > 0.1 {
			t.Errorf("weight %d = %.3f, want %.3f", j, got, want)
		}
	}
	// Calibration: in bins of predicted probability, the observed rate
	// should match the prediction.
	var sum, cnt [10]float64
	for i := range x {
		p := m.Prob(x[i])
		b := int(p * 10)
		if b == 10 {
			b = 9
		}
		sum[b] += y[i]
		cnt[b]++
	}
	for b := range sum {
		if cnt[b] < 500 {
			continue
		}
		rate, mid := sum[b]/cnt[b], (float64(b)+0.5)/10
		if math.Abs(rate-mid) > 0.07 {
			t.Errorf("bin %d: observed rate %.3f, predicted about %.2f", b, rate, mid)
		}
	}
}

func TestTrainLogisticErrors(t *testing.T) {
	t.Run("Empty", func(t *testing.T) {
		if _, err := TrainLogistic(nil, nil, LogisticOptions{}); err == nil {
			t.Fatal("want error")
		}
	})
	t.Run("RaggedFeatures", func(t *testing.T) {
		if _, err := TrainLogistic([][]float64{{1, 2}, {1}}, []float64{0, 1}, LogisticOptions{}); err == nil {
			t.Fatal("want error")
		}
	})
	t.Run("BadLabel", func(t *testing.T) {
		if _, err := TrainLogistic([][]float64{{1}, {2}}, []float64{0, 2}, LogisticOptions{}); err == nil {
			t.Fatal("want error")
		}
	})
	t.Run("ConstantFeatureIsHarmless", func(t *testing.T) {
		m, err := TrainLogistic([][]float64{{1, 0}, {1, 1}, {1, 0}, {1, 1}}, []float64{0, 1, 0, 1}, LogisticOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if m.Prob([]float64{1, 1}) <= m.Prob([]float64{1, 0}) {
			t.Fatal("the informative feature was not learned")
		}
	})
}
