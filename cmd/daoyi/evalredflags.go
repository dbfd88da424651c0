package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/daoyi-health/daoyi/eval"
	"github.com/daoyi-health/daoyi/safety"
	"github.com/daoyi-health/daoyi/zh"
)

// evalRedFlags measures the red-flag check: recall and false alarms on the
// red-flag test set (built in, or --data), and the share of messages that
// raise an alarm in other sets (--negatives: the FAQ or intent test sets,
// the public triage and CBLUE files), where an alarm is a false one unless
// the message really is an emergency.
func evalRedFlags(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval redflags", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "red-flag test set (JSONL {\"text\",\"flag\"}); default: the built-in one")
	negatives := fs.String("negatives", "", "comma-separated files or directories of messages to count alarms on: FAQ test set (field q), intent test set (field text; intent emergency is left out), CBLUE or triage files")
	asJSON := fs.Bool("json", false, "print one JSON object with the metrics")
	failures := fs.Int("failures", 30, "failures to list in the text report (-1: all)")
	examples := fs.Int("examples", 10, "alarmed messages to list per --negatives file (-1: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cases, err := eval.LoadRedFlagCases(*data)
	if err != nil {
		return err
	}
	d, err := safety.Default()
	if err != nil {
		return err
	}
	check := func(text string) []string {
		var ids []string
		for _, a := range d.Check(text) {
			ids = append(ids, a.ID)
		}
		return ids
	}
	rep := eval.RunRedFlags(cases, check)
	metrics := map[string]float64{}
	for k, v := range rep.Metrics {
		metrics[k] = v
	}
	for k, v := range rep.Counts {
		metrics[k] = float64(v)
	}
	type alarmRun struct {
		name     string
		n        int
		rate     float64
		examples []string
	}
	var runs []alarmRun
	if *negatives != "" {
		for _, p := range strings.Split(*negatives, ",") {
			p = strings.TrimSpace(p)
			if p == "" {
				continue
			}
			texts, err := eval.LoadMessages([]string{p})
			if err != nil {
				return err
			}
			if len(texts) == 0 {
				return fmt.Errorf("eval redflags: no messages in %s", p)
			}
			rate, ex := eval.AlarmRate(texts, check)
			name := filepath.Base(strings.TrimRight(p, "/"))
			runs = append(runs, alarmRun{name, len(texts), rate, ex})
			metrics["alarm_rate:"+name] = rate
			metrics["alarms:"+name] = float64(len(ex))
		}
	}
	if *asJSON {
		return printJSON(stdout, metrics)
	}
	fmt.Fprintf(stdout, "rules %s\n", d.Version())
	rep.WriteText(stdout, *failures)
	for _, r := range runs {
		fmt.Fprintf(stdout, "alarms on %s: %d of %d messages (%.2f%%)\n", r.name, len(r.examples), r.n, 100*r.rate)
		for i, e := range r.examples {
			if *examples >= 0 && i >= *examples {
				fmt.Fprintf(stdout, "  … %d more\n", len(r.examples)-i)
				break
			}
			fmt.Fprintf(stdout, "  %v  %s\n", check(e), zh.Truncate(strings.ReplaceAll(e, "\n", " "), 100))
		}
	}
	return nil
}
