package main

import (
	"context"
	"flag"
	"fmt"
	"io"

	"github.com/daoyi-health/daoyi/eval"
	"github.com/daoyi-health/daoyi/intents"
	"github.com/daoyi-health/daoyi/zh"
)

func evalIntents(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval intents", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "jsonl", `file format: jsonl ({"text","intent"} lines) or kuake-qic (CBLUE)`)
	data := fs.String("data", "", "test set; default: the built-in intent test set")
	trainPath := fs.String("train", "", "train a fresh classifier on this file (same format) instead of the shipped router")
	holdout := fs.Float64("holdout", 0.2, "when --train and --data are the same file: the share held out for testing, by text hash")
	asJSON := fs.Bool("json", false, "print one JSON object with the metrics")
	failures := fs.Int("failures", 30, "failures to list in the text report (-1: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format != "jsonl" && *data == "" {
		return fmt.Errorf("eval intents: --data FILE is required with --format %s", *format)
	}
	cases, err := eval.LoadIntentCases(*format, *data)
	if err != nil {
		return err
	}
	var predict eval.Predictor
	if *trainPath == "" {
		router, err := intents.DefaultRouter(intents.Config{})
		if err != nil {
			return err
		}
		predict = func(text string) (string, float64, bool) {
			p := router.Route(ctx, text)
			return p.Intent, p.Confidence, p.Unsure
		}
	} else {
		train := cases
		if *trainPath == *data {
			train, cases = eval.HoldOut(cases, *holdout)
		} else if train, err = eval.LoadIntentCases(*format, *trainPath); err != nil {
			return err
		}
		seg, lex, err := zh.Default()
		if err != nil {
			return err
		}
		c, err := intents.Train(intents.NewFeaturizer(seg, lex), train, intents.TrainOptions{})
		if err != nil {
			return err
		}
		fmt.Fprintf(stderr, "trained on %d examples, tested on %d (temperature %.2f)\n", len(train), len(cases), c.Temperature())
		predict = func(text string) (string, float64, bool) {
			top := c.Predict(text)[0]
			return top.Intent, top.Prob, false
		}
	}
	rep := eval.RunIntents(cases, predict)
	if *asJSON {
		return printJSON(stdout, rep.Metrics)
	}
	rep.WriteText(stdout, *failures)
	return nil
}
