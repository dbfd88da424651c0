package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/daoyi-health/daoyi/app"
	"github.com/daoyi-health/daoyi/eval"
	"github.com/daoyi-health/daoyi/knowledge"
)

const evalUsage = `Usage:
  daoyi eval faq   [--data FILE] [--split dev|test|all] [--json] [--failures N]
      the built-in FAQ test set (or FILE, JSONL {"q","want","kind"}) against the built-in knowledge
  daoyi eval match --format chip-sts|kuake-qqr --data FILE [--json]
      the question-pair match decision on a public dataset (CBLUE CHIP-STS or KUAKE-QQR),
      with the model trained on the built-in knowledge only
  daoyi eval match --format chip-sts (--train FILE | --folds K) --data FILE [--json]
      a fresh pair model trained on a labelled file (or by k-fold cross-validation over --data)
  daoyi eval vectors --data FILE[,FILE...] [--sizes 10000,100000] [--queries 500] [--project 768]
                     [--database-url URL] [--ef 40,100,200] [--json]
      vector search latency and recall@10 against an exact scan: in-process, and pgvector (HNSW and
      exact) when a database is given (it uses a scratch knowledge base "eval" there and drops it)
  daoyi eval redflags [--data FILE] [--negatives FILE[,FILE...]] [--json] [--failures N] [--examples N]
      red-flag recall on the built-in set (or FILE) and alarm rates on other sets' texts
  daoyi eval intents [--data FILE] [--json] [--failures N]
      the shipped intent router (trained on corpus/intents.yaml) on the built-in intent test set or
      FILE (JSONL {"text","intent"}): accuracy, macro-F1, per-intent scores, confusion matrix
  daoyi eval intents --format jsonl|kuake-qic --train TRAIN --data TEST [--holdout 0.2] [--json]
      a fresh classifier trained on TRAIN and scored on TEST; when both are the same file, the
      --holdout share (by text hash) is kept out of training and scored
  daoyi eval triage [--format jsonl|sade|toyhom] [--data FILE] [--level 1|2] [--train FILE [--holdout 0.2]]
                    [--json] [--failures N]
      department triage (red-flag check, then the recommender on the message alone) on the built-in
      triage test set or a public set: top1, top3, macro_f1, confusion matrix; for the built-in set
      also urgency agreement and emergencies under-triaged; --train adds the trainable layer fitted on
      a labelled file of the same format (the same file as --data: the --holdout share is scored)
  daoyi eval preconsult --format imcs|mie --data FILE [--ontology FILE] [--json] [--examples N]
      the pre-consultation interview replayed on recorded consultations: IMCS-V2-MRG (character
      ROUGE-1/2/L of 主诉, 现病史, 既往史 against the report) or MIE (symptom and status F1)
`

func evalCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, evalUsage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "faq":
		return evalFAQ(ctx, args[1:], stdout, stderr)
	case "match":
		return evalMatch(ctx, args[1:], stdout, stderr)
	case "vectors":
		return evalVectors(ctx, args[1:], stdout, stderr)
	case "redflags":
		return evalRedFlags(ctx, args[1:], stdout, stderr)
	case "intents":
		return evalIntents(ctx, args[1:], stdout, stderr)
	case "triage":
		return evalTriage(ctx, args[1:], stdout, stderr)
	case "preconsult":
		return evalPreconsult(ctx, args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, evalUsage)
		return nil
	}
	fmt.Fprint(stderr, evalUsage)
	return fmt.Errorf("unknown eval suite %q", args[0])
}

// openForEval starts the assistant in memory on the built-in corpus: the
// figures measure what ships, not a local data directory.
func openForEval(ctx context.Context, stderr io.Writer) (*app.App, error) {
	cfg := app.Config{Logger: slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))}
	return app.Open(ctx, cfg)
}

// pairTrainer trains knowledge.PairModel on binary labelled pairs.
func pairTrainer(an *knowledge.Analyzer) eval.Trainer {
	return func(train []eval.Pair) (eval.ScoreFunc, error) {
		lp := make([]knowledge.LabeledPair, len(train))
		for i, p := range train {
			lp[i] = knowledge.LabeledPair{A: p.A, B: p.B, Same: p.Label == 1}
		}
		m, err := knowledge.TrainPairModel(an, lp, knowledge.PairModelOptions{})
		if err != nil {
			return nil, err
		}
		return m.Similarity, nil
	}
}

func printJSON(w io.Writer, metrics map[string]float64) error {
	enc := json.NewEncoder(w)
	return enc.Encode(metrics)
}

func evalFAQ(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval faq", flag.ContinueOnError)
	fs.SetOutput(stderr)
	data := fs.String("data", "", "test set (JSONL); default: the built-in one")
	asJSON := fs.Bool("json", false, "print one JSON object with the metrics")
	failures := fs.Int("failures", 30, "failures to list in the text report (-1: all)")
	split := fs.String("split", "all", "dev (even cases, for tuning), test (odd cases) or all")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cases, err := eval.LoadFAQCases(*data)
	if err != nil {
		return err
	}
	if cases, err = eval.Split(cases, *split); err != nil {
		return err
	}
	a, err := openForEval(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := eval.RunFAQ(ctx, a.Retriever, cases)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, rep.Metrics)
	}
	rep.WriteText(stdout, *failures)
	return nil
}

func evalMatch(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval match", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "chip-sts", "dataset format: chip-sts or kuake-qqr")
	data := fs.String("data", "", "dataset file (required)")
	asJSON := fs.Bool("json", false, "print one JSON object with the metrics")
	threshold := fs.Float64("threshold", 0.5, "chip-sts: similarity at or above which a pair is the same question")
	low := fs.Float64("low", 0.25, "kuake-qqr: similarity at or above which a pair is related (label 1)")
	high := fs.Float64("high", 0.5, "kuake-qqr: similarity at or above which a pair is the same (label 2)")
	trainPath := fs.String("train", "", "chip-sts: train a fresh pair model on this file and score --data with it")
	folds := fs.Int("folds", 0, "chip-sts: train fresh pair models by k-fold cross-validation over --data")
	if err := fs.Parse(args); err != nil {
		return err
	}
	trained := *trainPath != "" || *folds != 0
	if trained && *format != "chip-sts" {
		return fmt.Errorf("eval match: --train and --folds support --format chip-sts only")
	}
	if *data == "" {
		return fmt.Errorf("eval match: --data FILE is required (e.g. ../shared/datasets/cblue/CHIP-STS/CHIP-STS_train.json)")
	}
	pairs, err := eval.LoadPairs(*format, *data)
	if err != nil {
		return err
	}
	a, err := openForEval(ctx, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	score := a.Retriever.Similarity
	if trained {
		var train []eval.Pair
		if *trainPath != "" {
			if train, err = eval.LoadPairs(*format, *trainPath); err != nil {
				return err
			}
		}
		if score, err = eval.Trained(train, pairs, *folds, pairTrainer(a.Retriever.Analyzer())); err != nil {
			return err
		}
	}
	var rep *eval.MatchReport
	switch *format {
	case "chip-sts":
		rep, err = eval.RunChipSTS(pairs, score, *threshold)
	default:
		rep, err = eval.RunKuakeQQR(pairs, a.Retriever.Similarity, *low, *high)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(stdout, rep.Metrics)
	}
	fmt.Fprintf(stdout, "pairs: %d\n", rep.Pairs)
	for k, v := range rep.Metrics {
		fmt.Fprintf(stdout, "%-20s %.4f\n", k, v)
	}
	return nil
}
