package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/eval"
	"github.com/daoyi-health/daoyi/safety"
	"github.com/daoyi-health/daoyi/triage"
	"github.com/daoyi-health/daoyi/zh"
)

// evalTriage measures department triage as the engine runs it: the red-flag
// check first (an alarm means the emergency department, now), then the
// recommender on the message alone, with no question answered.
func evalTriage(_ context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval triage", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "jsonl", `file format: jsonl (the project's own {"text","department","also","urgency",...}), sade, toyhom`)
	data := fs.String("data", "", "test set; default: the built-in triage test set")
	level := fs.Int("level", 1, "with --format sade: score the first (1) or second (2) department level")
	trainPath := fs.String("train", "", "add the trainable layer, trained on this labelled file (same format as --data)")
	holdout := fs.Float64("holdout", 0.2, "when --train and --data are the same file: the share held out for testing, by text hash")
	asJSON := fs.Bool("json", false, "print one JSON object with the metrics")
	failures := fs.Int("failures", 30, "failures to list in the text report (-1: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format != "jsonl" && *data == "" {
		return fmt.Errorf("eval triage: --data FILE is required with --format %s", *format)
	}
	if *format == "sade" && *level == 2 {
		*format = "sade2"
	}
	h, err := corpus.DefaultHospital()
	if err != nil {
		return err
	}
	rec, err := triage.Load(h, triage.Config{})
	if err != nil {
		return err
	}
	names := map[string]string{}
	for _, d := range rec.Departments() {
		names[d.ID] = d.Name
	}
	cases, labels, skipped, err := eval.LoadTriageCases(*format, *data, names)
	if err != nil {
		return err
	}
	if skipped > 0 {
		fmt.Fprintf(stderr, "skipped %d rows whose label is not a department\n", skipped)
	}
	if *trainPath != "" {
		train := cases
		if *trainPath == *data {
			train, cases = eval.HoldOutTriage(cases, *holdout)
		} else if train, _, _, err = eval.LoadTriageCases(*format, *trainPath, names); err != nil {
			return err
		}
		seg, lex, err := zh.Default()
		if err != nil {
			return err
		}
		ex := make([]triage.Labelled, len(train))
		for i, c := range train {
			ex[i] = triage.Labelled{Text: c.Text, Label: c.Label}
		}
		layer, err := triage.Train(seg, lex, ex, labels.IDs)
		if err != nil {
			return err
		}
		if rec, err = triage.Load(h, triage.Config{Trained: layer}); err != nil {
			return err
		}
		fmt.Fprintf(stderr, "trained the layer on %d cases, testing on %d\n", len(train), len(cases))
	}
	detector, err := safety.Default()
	if err != nil {
		return err
	}
	predict := func(text string, p triage.Profile) eval.TriageGuess {
		r := rec.Recommend(rec.Extract(text, p))
		g := eval.TriageGuess{Urgency: r.Urgency, Asked: r.Question != nil}
		if len(detector.Check(text)) > 0 {
			g.Urgency, g.Departments, g.Asked = triage.Emergency, []string{"emergency"}, false
		}
		for _, c := range r.Choices {
			if c.Department.ID != "emergency" || len(g.Departments) == 0 {
				g.Departments = append(g.Departments, c.Department.ID)
			}
		}
		return g
	}
	rep := eval.RunTriage(cases, labels, names, predict)
	if *asJSON {
		return printJSON(stdout, rep.Metrics)
	}
	rep.WriteText(stdout, *failures)
	return nil
}
