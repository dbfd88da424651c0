package knowledge_test

import (
	"sort"
	"testing"

	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/knowledge"
)

// TestPairModel trains a pair model on pairs built from the built-in
// knowledge — two questions of one QA are the same; questions of two QAs
// in one article are different — and scores pairs built the same way from
// QAs it never saw (every fifth). Its decision at 0.5 must beat the best
// threshold on character overlap chosen with hindsight.
func TestPairModel(t *testing.T) {
	if testing.Short() {
		t.Skip("trains on the whole corpus")
	}
	an, err := knowledge.DefaultAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	arts, err := corpus.Knowledge()
	if err != nil {
		t.Fatal(err)
	}
	var train, test []knowledge.LabeledPair
	n := 0
	for _, art := range arts {
		for i, qa := range art.QA {
			n++
			qs := append([]string{qa.Question}, qa.Similar...)
			var pairs []knowledge.LabeledPair
			for k := 1; k < len(qs); k += 2 {
				pairs = append(pairs, knowledge.LabeledPair{A: qs[k], B: qs[k-1], Same: true})
				other := art.QA[(i+k)%len(art.QA)]
				if other.ID != qa.ID {
					pairs = append(pairs, knowledge.LabeledPair{A: qs[k], B: other.Similar[k%len(other.Similar)]})
				}
			}
			if n%5 == 0 {
				test = append(test, pairs...)
			} else {
				train = append(train, pairs...)
			}
		}
	}
	m, err := knowledge.TrainPairModel(an, train, knowledge.PairModelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	right := 0
	overlap := make([]float64, len(test))
	for i, p := range test {
		s, err := m.Similarity(p.A, p.B)
		if err != nil {
			t.Fatal(err)
		}
		if (s >= 0.5) == p.Same {
			right++
		}
		overlap[i] = charJaccard(p.A, p.B)
	}
	base := bestThresholdAccuracy(test, overlap)
	acc := float64(right) / float64(len(test))
	t.Logf("%d unseen pairs: accuracy %.3f; character overlap at its best threshold %.3f", len(test), acc, base)
	if acc < base+0.03 {
		t.Errorf("accuracy %.3f on unseen pairs, not clearly above character overlap's %.3f", acc, base)
	}
}

func bestThresholdAccuracy(pairs []knowledge.LabeledPair, s []float64) float64 {
	th := append([]float64(nil), s...)
	sort.Float64s(th)
	best := 0.0
	for _, t := range th {
		right := 0
		for i, p := range pairs {
			if (s[i] >= t) == p.Same {
				right++
			}
		}
		best = max(best, float64(right)/float64(len(pairs)))
	}
	return best
}

func charJaccard(a, b string) float64 {
	sa, sb := map[rune]bool{}, map[rune]bool{}
	for _, r := range a {
		sa[r] = true
	}
	for _, r := range b {
		sb[r] = true
	}
	in := 0
	for r := range sa {
		if sb[r] {
			in++
		}
	}
	return float64(in) / float64(len(sa)+len(sb)-in)
}

func TestPairModelNeedsBothKinds(t *testing.T) {
	an, err := knowledge.DefaultAnalyzer()
	if err != nil {
		t.Fatal(err)
	}
	var same []knowledge.LabeledPair
	for range 20 {
		same = append(same, knowledge.LabeledPair{A: "挂号", B: "预约", Same: true})
	}
	if _, err := knowledge.TrainPairModel(an, same, knowledge.PairModelOptions{}); err == nil {
		t.Error("want an error for pairs of one kind only")
	}
	if _, err := knowledge.TrainPairModel(an, same[:3], knowledge.PairModelOptions{}); err == nil {
		t.Error("want an error for too few pairs")
	}
}
