package eval

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// RedFlagCase is one message of the red-flag test set. Flag is the id of
// the red flag that must fire, or "" for a hard negative on which no flag
// may fire.
type RedFlagCase struct {
	Text string `json:"text"`
	Flag string `json:"flag"`
}

// LoadRedFlagCases reads a red-flag test set (JSONL, "//" comments), or
// the built-in one (testdata/redflags.jsonl) when path is "".
func LoadRedFlagCases(path string) ([]RedFlagCase, error) {
	cs, name, err := readSet[RedFlagCase](path, "testdata/redflags.jsonl")
	if err != nil {
		return nil, err
	}
	for i, c := range cs {
		if strings.TrimSpace(c.Text) == "" {
			return nil, fmt.Errorf("eval: %s: case %d has no text", name, i+1)
		}
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("eval: no red-flag cases in %q", name)
	}
	return cs, nil
}

// RedFlagReport is the outcome of the red-flag suite.
type RedFlagReport struct {
	Metrics  map[string]float64    `json:"metrics"`
	Counts   map[string]int        `json:"counts"`
	PerFlag  map[string]FlagRecall `json:"per_flag"`
	Failures []RedFlagFailure      `json:"failures,omitempty"`
}

// FlagRecall is the recall of one flag over its positive cases.
type FlagRecall struct {
	Cases  int     `json:"cases"`
	Hits   int     `json:"hits"`
	Recall float64 `json:"recall"`
}

// RedFlagFailure is a missed positive (Want set) or a false alarm on a
// negative (Want empty).
type RedFlagFailure struct {
	Text string   `json:"text"`
	Want string   `json:"want,omitempty"`
	Got  []string `json:"got"`
}

// RunRedFlags runs check (the ids of the flags that fire) on every case:
//   - recall: over positives, the share where the wanted id is among the
//     fired ids; per flag too;
//   - false_alarm_rate: over negatives, the share where anything fired;
//   - any_alarm_rate: over positives, the share where something fired (the
//     patient is shown emergency guidance even if of another category).
func RunRedFlags(cases []RedFlagCase, check func(string) []string) RedFlagReport {
	rep := RedFlagReport{Counts: map[string]int{}, PerFlag: map[string]FlagRecall{}}
	var pos, hit, anyHit, neg, falseAlarms int
	for _, c := range cases {
		got := check(c.Text)
		if c.Flag == "" {
			neg++
			if len(got) > 0 {
				falseAlarms++
				rep.Failures = append(rep.Failures, RedFlagFailure{Text: c.Text, Got: got})
			}
			continue
		}
		pos++
		fr := rep.PerFlag[c.Flag]
		fr.Cases++
		if len(got) > 0 {
			anyHit++
		}
		if contains(got, c.Flag) {
			hit++
			fr.Hits++
		} else {
			rep.Failures = append(rep.Failures, RedFlagFailure{Text: c.Text, Want: c.Flag, Got: got})
		}
		rep.PerFlag[c.Flag] = fr
	}
	for k, fr := range rep.PerFlag {
		fr.Recall = ratio(fr.Hits, fr.Cases)
		rep.PerFlag[k] = fr
	}
	rep.Counts["positives"] = pos
	rep.Counts["negatives"] = neg
	rep.Counts["missed"] = pos - hit
	rep.Counts["false_alarms"] = falseAlarms
	rep.Counts["flags"] = len(rep.PerFlag)
	rep.Metrics = map[string]float64{
		"recall":           ratio(hit, pos),
		"any_alarm_rate":   ratio(anyHit, pos),
		"false_alarm_rate": ratio(falseAlarms, neg),
	}
	return rep
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// WriteText prints the report; failures limits the failures listed (-1:
// all).
func (r *RedFlagReport) WriteText(w io.Writer, failures int) {
	fmt.Fprintf(w, "red flags: %d positives over %d flags, %d negatives\n", r.Counts["positives"], r.Counts["flags"], r.Counts["negatives"])
	fmt.Fprintf(w, "  recall            %.4f  (%d missed)\n", r.Metrics["recall"], r.Counts["missed"])
	fmt.Fprintf(w, "  any alarm         %.4f  (positives where some flag fired)\n", r.Metrics["any_alarm_rate"])
	fmt.Fprintf(w, "  false alarm rate  %.4f  (%d of the negatives)\n", r.Metrics["false_alarm_rate"], r.Counts["false_alarms"])
	ids := make([]string, 0, len(r.PerFlag))
	for k := range r.PerFlag {
		ids = append(ids, k)
	}
	sort.Strings(ids)
	var weak []string
	for _, k := range ids {
		if fr := r.PerFlag[k]; fr.Recall < 1 {
			weak = append(weak, fmt.Sprintf("%s %d/%d", k, fr.Hits, fr.Cases))
		}
	}
	if len(weak) > 0 {
		fmt.Fprintf(w, "  flags below recall 1: %s\n", strings.Join(weak, ", "))
	}
	writeFailures(w, r.Failures, failures)
}

func writeFailures(w io.Writer, fs []RedFlagFailure, limit int) {
	if len(fs) == 0 || limit == 0 {
		return
	}
	fmt.Fprintln(w, "failures:")
	for i, f := range fs {
		if limit >= 0 && i >= limit {
			fmt.Fprintf(w, "  … %d more\n", len(fs)-i)
			return
		}
		want := f.Want
		if want == "" {
			want = "(none)"
		}
		fmt.Fprintf(w, "  want %-22s got %-30s %s\n", want, strings.Join(f.Got, ","), f.Text)
	}
}

// AlarmRate runs check on texts that should raise no alarm (or only
// rarely: real patient questions hold some true emergencies) and returns
// the share that did, with those texts in order.
func AlarmRate(texts []string, check func(string) []string) (rate float64, examples []string) {
	n := 0
	for _, t := range texts {
		if len(check(t)) > 0 {
			n++
			examples = append(examples, t)
		}
	}
	return ratio(n, len(texts)), examples
}

// LoadMessages reads whole messages to measure false alarms on: the FAQ
// test set (JSONL, field q; a directory of such files), the intent test set
// (JSONL, field text; rows with intent "emergency" are left out), and the
// public datasets that LoadTexts reads (JSON arrays or JSONL, the fields
// of textFields). Unlike LoadTexts it keeps each text whole — the safety
// check sees whole messages — and de-duplicates them in file order.
func LoadMessages(paths []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	for _, p := range paths {
		files := []string{p}
		if st, err := os.Stat(p); err != nil {
			return nil, err
		} else if st.IsDir() {
			files, _ = filepath.Glob(filepath.Join(p, "*.json*"))
			sort.Strings(files)
		}
		for _, f := range files {
			rows, err := readRecords(f)
			if err != nil {
				return nil, err
			}
			for _, r := range rows {
				if in, _ := r["intent"].(string); in == "emergency" {
					continue
				}
				for _, field := range append([]string{"q", "text"}, textFields...) {
					s, _ := r[field].(string)
					if s = strings.TrimSpace(s); s == "" || seen[s] {
						continue
					}
					seen[s] = true
					out = append(out, s)
				}
			}
		}
	}
	return out, nil
}

// BuiltinFAQTexts returns the questions of the built-in FAQ test set.
func BuiltinFAQTexts() ([]string, error) {
	cases, err := LoadFAQCases("")
	if err != nil {
		return nil, err
	}
	out := make([]string, len(cases))
	for i, c := range cases {
		out[i] = c.Q
	}
	return out, nil
}
