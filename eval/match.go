package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
)

// Pair is one labelled question pair from a public matching dataset.
type Pair struct {
	A, B  string
	Label int // chip-sts: 1 same meaning, 0 not; kuake-qqr: 2 same, 1 narrower, 0 different
}

// LoadPairs reads CHIP-STS (format "chip-sts": a JSON array of
// {text1, text2, label}) or KUAKE-QQR ("kuake-qqr": {query1, query2, label}).
func LoadPairs(format, path string) ([]Pair, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ReadPairs(format, f)
}

// ReadPairs reads pairs of the given format from r.
func ReadPairs(format string, r io.Reader) ([]Pair, error) {
	var raw []map[string]any
	if err := json.NewDecoder(r).Decode(&raw); err != nil {
		return nil, fmt.Errorf("eval: %s: not a JSON array of objects: %w", format, err)
	}
	var ka, kb string
	switch format {
	case "chip-sts":
		ka, kb = "text1", "text2"
	case "kuake-qqr":
		ka, kb = "query1", "query2"
	default:
		return nil, fmt.Errorf("eval: unknown pair format %q (want chip-sts or kuake-qqr)", format)
	}
	out := make([]Pair, 0, len(raw))
	for i, m := range raw {
		a, _ := m[ka].(string)
		b, _ := m[kb].(string)
		ls := fmt.Sprint(m["label"])
		l, err := strconv.Atoi(ls)
		if a == "" || b == "" || err != nil {
			continue // unlabelled rows (test splits) and malformed ones are skipped
		}
		if l < 0 || l > 2 || (format == "chip-sts" && l > 1) {
			return nil, fmt.Errorf("eval: %s row %d: label %q out of range", format, i, ls)
		}
		out = append(out, Pair{A: a, B: b, Label: l})
	}
	return out, nil
}

// MatchReport is the outcome of a pair-matching suite.
type MatchReport struct {
	Metrics map[string]float64 `json:"metrics"`
	Pairs   int                `json:"pairs"`
}

// ScoreFunc is the similarity under test: P(two questions ask the same).
type ScoreFunc func(a, b string) (float64, error)

// Trainer trains a similarity on labelled pairs: a fresh model for an
// evaluation that trains on one public file (or fold) and scores another.
type Trainer func(train []Pair) (ScoreFunc, error)

// Trained returns a ScoreFunc for test pairs: with train pairs, one model
// trained on them; with folds > 1 and no train pairs, k-fold
// cross-validation over the test pairs themselves (fold k is every k-th
// pair), so no pair is scored by a model that saw it.
func Trained(train, test []Pair, folds int, trainer Trainer) (ScoreFunc, error) {
	if len(train) > 0 {
		return trainer(train)
	}
	if folds < 2 {
		return nil, fmt.Errorf("eval: cross-validation needs at least 2 folds, not %d", folds)
	}
	scores := map[[2]string]float64{}
	for k := range folds {
		var tr, te []Pair
		for i, p := range test {
			if i%folds == k {
				te = append(te, p)
			} else {
				tr = append(tr, p)
			}
		}
		score, err := trainer(tr)
		if err != nil {
			return nil, err
		}
		for _, p := range te {
			v, err := score(p.A, p.B)
			if err != nil {
				return nil, err
			}
			// A text pair repeated in two folds keeps the later fold's
			// score; both came from models that did not see that row.
			scores[[2]string{p.A, p.B}] = v
		}
	}
	return func(a, b string) (float64, error) {
		v, ok := scores[[2]string{a, b}]
		if !ok {
			return 0, fmt.Errorf("eval: pair not in the cross-validated set")
		}
		return v, nil
	}, nil
}

func scoreAll(pairs []Pair, score ScoreFunc) ([]float64, error) {
	s := make([]float64, len(pairs))
	for i, p := range pairs {
		v, err := score(p.A, p.B)
		if err != nil {
			return nil, err
		}
		s[i] = v
	}
	return s, nil
}

// RunChipSTS scores binary same-meaning pairs. macro_f1 uses the given
// threshold (the model's own decision point); macro_f1_oracle is the best
// any single threshold could do on this data, reported for reference only.
func RunChipSTS(pairs []Pair, score ScoreFunc, threshold float64) (*MatchReport, error) {
	s, err := scoreAll(pairs, score)
	if err != nil {
		return nil, err
	}
	f1, acc := binaryMacroF1(pairs, s, threshold)
	best, bestT := 0.0, 0.0
	for _, t := range candidateThresholds(s) {
		if f, _ := binaryMacroF1(pairs, s, t); f > best {
			best, bestT = f, t
		}
	}
	return &MatchReport{Pairs: len(pairs), Metrics: map[string]float64{
		"macro_f1": round4(f1), "accuracy": round4(acc), "threshold": threshold,
		"macro_f1_oracle": round4(best), "oracle_threshold": round4(bestT),
	}}, nil
}

func binaryMacroF1(pairs []Pair, s []float64, t float64) (f1, acc float64) {
	var tp, fp, fn, tn int
	for i, p := range pairs {
		pred := s[i] >= t
		switch {
		case pred && p.Label == 1:
			tp++
		case pred:
			fp++
		case p.Label == 1:
			fn++
		default:
			tn++
		}
	}
	f := func(tp, fp, fn int) float64 {
		if tp == 0 {
			return 0
		}
		p, r := float64(tp)/float64(tp+fp), float64(tp)/float64(tp+fn)
		return 2 * p * r / (p + r)
	}
	return (f(tp, fp, fn) + f(tn, fn, fp)) / 2, float64(tp+tn) / float64(len(pairs))
}

func candidateThresholds(s []float64) []float64 {
	c := append([]float64(nil), s...)
	sort.Float64s(c)
	var out []float64
	for i := 0; i < len(c); i += max(1, len(c)/400) {
		out = append(out, c[i])
	}
	return out
}

// RunKuakeQQR scores three-class relevance: similarity at or above high is
// "same" (2), at or above low "narrower" (1), otherwise "different" (0).
// p_at_1: for each query with at least one "same" candidate, whether its
// highest-scored candidate is one.
func RunKuakeQQR(pairs []Pair, score ScoreFunc, low, high float64) (*MatchReport, error) {
	s, err := scoreAll(pairs, score)
	if err != nil {
		return nil, err
	}
	right := 0
	for i, p := range pairs {
		pred := 0
		switch {
		case s[i] >= high:
			pred = 2
		case s[i] >= low:
			pred = 1
		}
		if pred == p.Label {
			right++
		}
	}
	type best struct {
		score float64
		label int
		has2  bool
	}
	groups := map[string]*best{}
	for i, p := range pairs {
		g := groups[p.A]
		if g == nil {
			g = &best{score: -1}
			groups[p.A] = g
		}
		if p.Label == 2 {
			g.has2 = true
		}
		if s[i] > g.score {
			g.score, g.label = s[i], p.Label
		}
	}
	q, hit := 0, 0
	for _, g := range groups {
		if g.has2 {
			q++
			if g.label == 2 {
				hit++
			}
		}
	}
	return &MatchReport{Pairs: len(pairs), Metrics: map[string]float64{
		"accuracy": ratio(right, len(pairs)), "p_at_1": ratio(hit, q), "queries": float64(q),
		"threshold_low": low, "threshold_high": high,
	}}, nil
}
