package eval

import (
	"fmt"
	"hash/fnv"
	"io"
	"sort"
	"strings"

	"github.com/daoyi-health/daoyi/intents"
)

// LoadIntentCases reads labelled messages. format "jsonl" (the default)
// reads {"text","intent"} lines — the built-in test set
// (testdata/intents.jsonl) when path is ""; "kuake-qic" reads CBLUE's
// KUAKE-QIC JSON array {id, query, label}.
func LoadIntentCases(format, path string) ([]intents.Example, error) {
	switch format {
	case "", "jsonl":
		type row struct {
			Text   string `json:"text"`
			Intent string `json:"intent"`
			Kind   string `json:"kind,omitempty"`
		}
		rows, name, err := readSet[row](path, "testdata/intents.jsonl")
		if err != nil {
			return nil, err
		}
		out := make([]intents.Example, 0, len(rows))
		for i, rw := range rows {
			if rw.Text == "" || rw.Intent == "" {
				return nil, fmt.Errorf("eval: %s: case %d lacks text or intent", name, i+1)
			}
			out = append(out, intents.Example{Text: rw.Text, Intent: rw.Intent})
		}
		return out, nil
	case "kuake-qic":
		recs, err := readRecords(path)
		if err != nil {
			return nil, err
		}
		out := make([]intents.Example, 0, len(recs))
		for i, r := range recs {
			q, _ := r["query"].(string)
			l, _ := r["label"].(string)
			if q == "" || l == "" {
				return nil, fmt.Errorf("eval: %s: record %d lacks query or label", path, i+1)
			}
			out = append(out, intents.Example{Text: q, Intent: l})
		}
		return out, nil
	}
	return nil, fmt.Errorf("eval: intent format %q: want jsonl or kuake-qic", format)
}

// HoldOut splits examples deterministically by a hash of their text: about
// frac of them (by text, so duplicates stay on one side) are held out for
// testing, the rest are for training.
func HoldOut(ex []intents.Example, frac float64) (train, test []intents.Example) {
	for _, e := range ex {
		if heldOut(e.Text, frac) {
			test = append(test, e)
		} else {
			train = append(train, e)
		}
	}
	return train, test
}

// heldOut reports whether a text falls in the held-out share frac, by a
// hash of the text.
func heldOut(text string, frac float64) bool {
	h := fnv.New32a()
	h.Write([]byte(text))
	return float64(h.Sum32()%10000) < frac*10000
}

// IntentFailure is one misclassified message.
type IntentFailure struct {
	Text, Want, Got string
	Prob            float64
}

// IntentReport is the result of RunIntents.
type IntentReport struct {
	Cases     int
	Labels    []string                  // every intent seen, wanted or predicted, sorted
	Confusion map[string]map[string]int // want -> got -> count
	PerIntent map[string][3]float64     // precision, recall, F1
	Failures  []IntentFailure
	Metrics   map[string]float64 // accuracy, macro_f1, unsure_rate (share the router would ask about)
}

// Predictor classifies one message: the intent, its probability, and
// whether the router would ask a clarifying question instead of acting.
type Predictor func(text string) (intent string, prob float64, unsure bool)

// RunIntents scores a predictor on labelled messages: accuracy and
// macro-F1 over the wanted intents, per-intent precision/recall/F1 and the
// confusion matrix. A clarifying question counts as the top intent's guess
// for accuracy; how often one would be asked is unsure_rate.
func RunIntents(cases []intents.Example, predict Predictor) *IntentReport {
	r := &IntentReport{Cases: len(cases), Confusion: map[string]map[string]int{}, PerIntent: map[string][3]float64{}}
	seen := map[string]bool{}
	correct, unsure := 0, 0
	for _, c := range cases {
		got, p, u := predict(c.Text)
		if u {
			unsure++
		}
		if r.Confusion[c.Intent] == nil {
			r.Confusion[c.Intent] = map[string]int{}
		}
		r.Confusion[c.Intent][got]++
		seen[c.Intent], seen[got] = true, true
		if got == c.Intent {
			correct++
		} else {
			r.Failures = append(r.Failures, IntentFailure{Text: c.Text, Want: c.Intent, Got: got, Prob: p})
		}
	}
	var macro float64
	r.Labels, r.PerIntent, macro = scoreConfusion(seen, r.Confusion)
	r.Metrics = map[string]float64{
		"accuracy":    ratio(correct, len(cases)),
		"macro_f1":    round4(macro),
		"unsure_rate": ratio(unsure, len(cases)),
		"cases":       float64(len(cases)),
	}
	return r
}

// writeConfusion prints each label's precision, recall and F1, then the
// confusion matrix (rows: wanted, columns: predicted, by number).
func writeConfusion(w io.Writer, what string, labels []string, per map[string][3]float64, confusion map[string]map[string]int) {
	fmt.Fprintf(w, "\n%-16s %9s %7s %7s\n", what, "precision", "recall", "f1")
	for _, l := range labels {
		s := per[l]
		fmt.Fprintf(w, "%-16s %9.3f %7.3f %7.3f\n", l, s[0], s[1], s[2])
	}
	fmt.Fprintf(w, "\nconfusion (row: wanted, column: predicted, by number)\n%-14s", "")
	for i := range labels {
		fmt.Fprintf(w, " %4d", i)
	}
	fmt.Fprintln(w)
	for i, want := range labels {
		fmt.Fprintf(w, "%2d %-11s", i, short(want, 11))
		for _, got := range labels {
			if n := confusion[want][got]; n > 0 {
				fmt.Fprintf(w, " %4d", n)
			} else {
				fmt.Fprintf(w, " %4s", ".")
			}
		}
		fmt.Fprintln(w)
	}
}

// scoreConfusion returns the sorted labels, each label's precision, recall
// and F1 from a confusion matrix (want → got → count), and the macro-F1
// over the labels that were wanted at least once.
func scoreConfusion(seen map[string]bool, confusion map[string]map[string]int) ([]string, map[string][3]float64, float64) {
	var labels []string
	for l := range seen {
		labels = append(labels, l)
	}
	sort.Strings(labels)
	per := map[string][3]float64{}
	var sumF1 float64
	wanted := 0
	for _, l := range labels {
		tp := confusion[l][l]
		var predicted, actual int
		for _, w := range labels {
			predicted += confusion[w][l]
			actual += confusion[l][w]
		}
		p, rec := safeDiv(tp, predicted), safeDiv(tp, actual)
		f1 := 0.0
		if p+rec > 0 {
			f1 = 2 * p * rec / (p + rec)
		}
		per[l] = [3]float64{round4(p), round4(rec), round4(f1)}
		if actual > 0 {
			sumF1 += f1
			wanted++
		}
	}
	macro := 0.0
	if wanted > 0 {
		macro = sumF1 / float64(wanted)
	}
	return labels, per, macro
}

func safeDiv(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// WriteText prints the metrics, per-intent scores, the confusion matrix
// (rows: wanted, columns: predicted, by the labels' first two characters)
// and up to maxFailures failures (-1: all).
func (r *IntentReport) WriteText(w io.Writer, maxFailures int) {
	writeMetrics(w, r.Metrics)
	writeConfusion(w, "intent", r.Labels, r.PerIntent, r.Confusion)
	if len(r.Failures) > 0 && maxFailures != 0 {
		fmt.Fprintf(w, "\nfailures (%d):\n", len(r.Failures))
		for i, f := range r.Failures {
			if maxFailures > 0 && i == maxFailures {
				break
			}
			fmt.Fprintf(w, "  want %-12s got %-12s %.2f  %s\n", f.Want, f.Got, f.Prob, f.Text)
		}
	}
}

func short(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := 0
	for i := range s {
		if i > n {
			break
		}
		cut = i
	}
	return strings.TrimSpace(s[:cut])
}
