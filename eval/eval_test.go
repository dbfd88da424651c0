package eval

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/daoyi-health/daoyi/knowledge"
)

// table answers from a fixed table: query -> (decision, ranked ids).
type table map[string]struct {
	d   knowledge.Decision
	ids []string
}

func (t table) Search(_ context.Context, q string) (*knowledge.Result, error) {
	e := t[q]
	r := &knowledge.Result{Decision: e.d}
	for _, id := range e.ids {
		r.Hits = append(r.Hits, knowledge.Hit{QA: &knowledge.QAPair{ID: id}})
	}
	return r, nil
}

func TestRunFAQ(t *testing.T) {
	s := table{
		"q1": {knowledge.Answer, []string{"a", "b"}},  // right, answered
		"q2": {knowledge.Suggest, []string{"x", "b"}}, // right at rank 2
		"q3": {knowledge.Decline, []string{"x", "y"}}, // wrongly declined, not in top 2
		"o1": {knowledge.Decline, []string{"x"}},      // rightly declined
		"o2": {knowledge.Answer, []string{"x"}},       // wrongly answered
		"o3": {knowledge.Suggest, []string{"x", "y"}}, // suggested: not a decline
	}
	cases := []FAQCase{{Q: "q1", Want: "a"}, {Q: "q2", Want: "b"}, {Q: "q3", Want: "c"}, {Q: "o1"}, {Q: "o2"}, {Q: "o3"}}
	rep, err := RunFAQ(context.Background(), s, cases)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{
		"hit_at_1": 1.0 / 3, "hit_at_3": 2.0 / 3, "mrr": (1 + 0.5) / 3,
		"decline_precision": 1.0 / 2, "decline_recall": 1.0 / 3,
		"answer_rate": 1.0 / 3, "answer_accuracy": 1, "wrong_answer_rate": 1.0 / 3,
	}
	for k, v := range want {
		if math.Abs(rep.Metrics[k]-v) > 1e-3 {
			t.Errorf("%s = %.4f, want %.4f", k, rep.Metrics[k], v)
		}
	}
}

func TestSplit(t *testing.T) {
	cs := []FAQCase{{Q: "0"}, {Q: "1"}, {Q: "2"}, {Q: "3"}, {Q: "4"}}
	dev, _ := Split(cs, "dev")
	test, _ := Split(cs, "test")
	if len(dev) != 3 || len(test) != 2 || dev[1].Q != "2" || test[0].Q != "1" {
		t.Fatalf("dev %v test %v", dev, test)
	}
	if _, err := Split(cs, "train"); err == nil {
		t.Fatal("an unknown split was accepted")
	}
}

func TestBuiltinFAQSet(t *testing.T) {
	cs, err := LoadFAQCases("")
	if err != nil {
		t.Fatal(err)
	}
	in, out := 0, 0
	seen := map[string]bool{}
	for _, c := range cs {
		if seen[c.Q] {
			t.Errorf("duplicate question %q", c.Q)
		}
		seen[c.Q] = true
		if c.Want == "" {
			out++
		} else {
			in++
		}
	}
	if in < 300 || out < 100 {
		t.Fatalf("%d answerable and %d out-of-knowledge cases, want at least 300 and 100", in, out)
	}
}

func TestReadPairs(t *testing.T) {
	ps, err := ReadPairs("chip-sts", strings.NewReader(`[{"id":"1","text1":"a","text2":"b","label":"1","category":"x"},{"id":"2","text1":"c","text2":"d","label":"0"},{"id":"3","text1":"e","text2":"f"}]`))
	if err != nil || len(ps) != 2 || ps[0].Label != 1 {
		t.Fatalf("pairs %+v, %v", ps, err)
	}
	if _, err := ReadPairs("kuake-qqr", strings.NewReader(`[{"query1":"a","query2":"b","label":"7"}]`)); err == nil {
		t.Fatal("an out-of-range label was accepted")
	}
	if _, err := ReadPairs("nope", strings.NewReader(`[]`)); err == nil {
		t.Fatal("an unknown format was accepted")
	}
	if _, err := ReadPairs("chip-sts", strings.NewReader(`{not json`)); err == nil {
		t.Fatal("malformed JSON was accepted")
	}
}

func TestRunChipSTSAndQQR(t *testing.T) {
	pairs := []Pair{{"a", "a", 1}, {"a", "b", 0}, {"c", "c", 1}, {"c", "d", 0}}
	score := func(a, b string) (float64, error) {
		if a == b {
			return 0.9, nil
		}
		return 0.1, nil
	}
	rep, err := RunChipSTS(pairs, score, 0.5)
	if err != nil || rep.Metrics["macro_f1"] != 1 || rep.Metrics["accuracy"] != 1 {
		t.Fatalf("chip-sts %+v %v", rep, err)
	}
	q := []Pair{{"q", "q", 2}, {"q", "x", 0}, {"r", "r", 2}, {"r", "y", 1}}
	rep, err = RunKuakeQQR(q, score, 0.05, 0.5)
	if err != nil || rep.Metrics["p_at_1"] != 1 || rep.Metrics["accuracy"] != 0.75 {
		t.Fatalf("kuake-qqr %+v %v", rep, err)
	}
}

// TestTrainedNeverScoresWithASeenPair: the trainer here memorises its
// training pairs and scores 1 for a pair it saw, so any leak from
// training into scoring shows as a score of 1.
func TestTrainedNeverScoresWithASeenPair(t *testing.T) {
	var pairs []Pair
	for i := range 23 {
		pairs = append(pairs, Pair{A: string(rune('a' + i)), B: "x", Label: i % 2})
	}
	trainings := 0
	memorise := func(train []Pair) (ScoreFunc, error) {
		trainings++
		seen := map[[2]string]bool{}
		for _, p := range train {
			seen[[2]string{p.A, p.B}] = true
		}
		return func(a, b string) (float64, error) {
			if seen[[2]string{a, b}] {
				return 1, nil
			}
			return 0, nil
		}, nil
	}
	score, err := Trained(nil, pairs, 5, memorise)
	if err != nil {
		t.Fatal(err)
	}
	if trainings != 5 {
		t.Errorf("%d trainings for 5 folds", trainings)
	}
	for _, p := range pairs {
		if s, err := score(p.A, p.B); err != nil || s != 0 {
			t.Errorf("pair %v scored %v (%v) by a model that saw it", p, s, err)
		}
	}
	if _, err := score("zz", "x"); err == nil {
		t.Error("a pair outside the set was scored")
	}
	// With a training file, the model trained on it scores the test pairs.
	score, err = Trained(pairs[:3], pairs, 0, memorise)
	if err != nil {
		t.Fatal(err)
	}
	if s, _ := score(pairs[0].A, pairs[0].B); s != 1 {
		t.Errorf("model trained on the train file: score %v, want 1", s)
	}
	if _, err := Trained(nil, pairs, 1, memorise); err == nil {
		t.Error("one fold accepted")
	}
}
