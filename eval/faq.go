package eval

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/daoyi-health/daoyi/knowledge"
)

// FAQCase is one question of a FAQ test set. Want is the id of the QA pair
// that answers it, or "" when nothing in the knowledge base does and the
// assistant must decline.
type FAQCase struct {
	Q    string `json:"q"`
	Want string `json:"want"`
	Kind string `json:"kind,omitempty"` // how it is asked: colloquial, typo, short, long, elder, parent, ook …
}

// LoadFAQCases reads a FAQ test set: a JSONL file, a directory of them, or
// the built-in set (testdata/faq/*.jsonl) when path is "".
func LoadFAQCases(path string) ([]FAQCase, error) {
	var fsys fs.FS
	var names []string
	switch st, err := os.Stat(path); {
	case path == "":
		fsys = testdata
		names, _ = fs.Glob(testdata, "testdata/faq/*.jsonl")
	case err != nil:
		return nil, err
	case st.IsDir():
		fsys = os.DirFS(path)
		names, _ = fs.Glob(fsys, "*.jsonl")
	default:
		fsys = os.DirFS(filepath.Dir(path))
		names = []string{filepath.Base(path)}
	}
	sort.Strings(names)
	var all []FAQCase
	for _, n := range names {
		f, err := fsys.Open(n)
		if err != nil {
			return nil, err
		}
		cs, err := readJSONL[FAQCase](f, n)
		f.Close()
		if err != nil {
			return nil, err
		}
		all = append(all, cs...)
	}
	if len(all) == 0 {
		return nil, fmt.Errorf("eval: no FAQ cases in %q", path)
	}
	return all, nil
}

// Split returns the dev half (even positions) or the test half (odd
// positions) of a test set, or all of it. Thresholds and features are
// tuned on dev; the figures that count are from test.
func Split(cases []FAQCase, half string) ([]FAQCase, error) {
	if half == "" || half == "all" {
		return cases, nil
	}
	if half != "dev" && half != "test" {
		return nil, fmt.Errorf("eval: split %q: want dev, test or all", half)
	}
	var out []FAQCase
	for i, c := range cases {
		if (i%2 == 0) == (half == "dev") {
			out = append(out, c)
		}
	}
	return out, nil
}

// Searcher is what the FAQ suite measures; *knowledge.Retriever is one.
type Searcher interface {
	Search(ctx context.Context, text string) (*knowledge.Result, error)
}

// FAQReport is the outcome of a FAQ suite.
type FAQReport struct {
	Metrics  map[string]float64 `json:"metrics"`
	Counts   map[string]int     `json:"counts"`
	ByKind   map[string]float64 `json:"hit_at_1_by_kind"`
	Failures []FAQFailure       `json:"failures,omitempty"`
}

// FAQFailure is a case the assistant got wrong.
type FAQFailure struct {
	Q          string  `json:"q"`
	Want       string  `json:"want"`
	Got        string  `json:"got"`
	Decision   string  `json:"decision"`
	Confidence float64 `json:"confidence"`
}

// RunFAQ asks every question and scores the answers:
//   - hit_at_1, hit_at_3, mrr: over answerable questions, whether the right
//     pair is ranked first, in the top three, and its reciprocal rank (top 5);
//   - decline_precision, decline_recall: over the decision to decline
//     (tier "decline"), against the questions that must be declined;
//   - answer_accuracy: of the answerable questions answered outright, the
//     share answered with the right pair; wrong_answer_rate: of the
//     questions that must be declined, the share answered outright anyway.
func RunFAQ(ctx context.Context, s Searcher, cases []FAQCase) (*FAQReport, error) {
	var n, hit1, hit3, declined, declinedRight, ook, answered, answeredRight, ookAnswered, suggested int
	var mrr float64
	kindN, kindHit := map[string]int{}, map[string]int{}
	rep := &FAQReport{}
	for _, c := range cases {
		res, err := s.Search(ctx, c.Q)
		if err != nil {
			return nil, fmt.Errorf("eval: %q: %w", c.Q, err)
		}
		top := ""
		if len(res.Hits) > 0 {
			top = res.Hits[0].QA.ID
		}
		if res.Decision == knowledge.Decline {
			declined++
		}
		if res.Decision == knowledge.Suggest {
			suggested++
		}
		if c.Want == "" {
			ook++
			switch res.Decision {
			case knowledge.Decline:
				declinedRight++
			case knowledge.Answer:
				ookAnswered++
				rep.Failures = append(rep.Failures, FAQFailure{Q: c.Q, Got: top, Decision: string(res.Decision), Confidence: round4(res.Confidence)})
			}
			continue
		}
		n++
		kind := c.Kind
		if kind == "" {
			kind = "plain"
		}
		kindN[kind]++
		rank := 0
		for i, h := range res.Hits {
			if h.QA.ID == c.Want {
				rank = i + 1
				break
			}
		}
		if rank == 1 {
			hit1++
			kindHit[kind]++
		}
		if rank >= 1 && rank <= 3 {
			hit3++
		}
		if rank > 0 {
			mrr += 1 / float64(rank)
		}
		if res.Decision == knowledge.Answer {
			answered++
			if rank == 1 {
				answeredRight++
			}
		}
		if rank != 1 || res.Decision != knowledge.Answer {
			rep.Failures = append(rep.Failures, FAQFailure{Q: c.Q, Want: c.Want, Got: top, Decision: string(res.Decision), Confidence: round4(res.Confidence)})
		}
	}
	rep.Metrics = map[string]float64{
		"hit_at_1":          ratio(hit1, n),
		"hit_at_3":          ratio(hit3, n),
		"mrr":               round4(mrr / float64(max(n, 1))),
		"decline_precision": ratio(declinedRight, declined),
		"decline_recall":    ratio(declinedRight, ook),
		"answer_rate":       ratio(answered, n),
		"answer_accuracy":   ratio(answeredRight, answered),
		"wrong_answer_rate": ratio(ookAnswered, ook),
		"suggest_rate":      ratio(suggested, n+ook),
	}
	rep.Counts = map[string]int{"answerable": n, "must_decline": ook, "declined": declined, "answered": answered, "suggested": suggested}
	rep.ByKind = map[string]float64{}
	for k, v := range kindN {
		rep.ByKind[k] = ratio(kindHit[k], v)
	}
	return rep, nil
}

// WriteText prints a FAQ report for people.
func (r *FAQReport) WriteText(w io.Writer, maxFailures int) {
	writeMetrics(w, r.Metrics)
	fmt.Fprintf(w, "counts: %v\n", r.Counts)
	kinds := make([]string, 0, len(r.ByKind))
	for k := range r.ByKind {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	var parts []string
	for _, k := range kinds {
		parts = append(parts, fmt.Sprintf("%s=%.3f", k, r.ByKind[k]))
	}
	fmt.Fprintf(w, "hit@1 by kind: %s\n", strings.Join(parts, " "))
	if len(r.Failures) > 0 && maxFailures != 0 {
		fmt.Fprintf(w, "failures (%d):\n", len(r.Failures))
		for i, f := range r.Failures {
			if maxFailures > 0 && i == maxFailures {
				fmt.Fprintf(w, "  … %d more\n", len(r.Failures)-i)
				break
			}
			fmt.Fprintf(w, "  %-40s want=%-22s got=%-22s %s %.2f\n", f.Q, orDash(f.Want), orDash(f.Got), f.Decision, f.Confidence)
		}
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func writeMetrics(w io.Writer, m map[string]float64) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(w, "%-28s %.4f\n", k, m[k])
	}
}
