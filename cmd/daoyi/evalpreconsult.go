package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/daoyi-health/daoyi/app"
	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/eval"
	"github.com/daoyi-health/daoyi/preconsult"
	"github.com/daoyi-health/daoyi/triage"
	"github.com/daoyi-health/daoyi/zh"
)

// evalPreconsult replays recorded public consultations through the
// pre-consultation interviewer and scores the drafts: IMCS-21 (CBLUE
// IMCS-V2-MRG) by character ROUGE of 主诉, 现病史 and 既往史 against the
// doctors' reports, MIE by the symptoms and their status; and runs the
// project's scripted conversations (--format script) through the whole
// engine, checking the facts and sections each record must hold.
func evalPreconsult(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval preconsult", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "imcs", "dataset format: imcs (IMCS-V2-MRG JSONL), mie (MIE JSON) or script (scripted conversations, JSONL)")
	data := fs.String("data", "", "dataset file (required but for --format script, whose default is the built-in set), e.g. ../shared/datasets/imcs/imcs_mrg.dev.jsonl")
	ontology := fs.String("ontology", "", "with --format mie: MIE's ontology.json (default: ontology.json next to --data; "+
		"without one, every symptom labelled in the data is scored)")
	asJSON := fs.Bool("json", false, "print one JSON object with the metrics")
	examples := fs.Int("examples", 5, "worst cases to show in the text report (-1: all)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *format == "script" {
		return evalScripts(ctx, *data, *asJSON, stdout)
	}
	if *data == "" {
		return fmt.Errorf("eval preconsult: --data FILE is required")
	}
	var rep eval.PreconsultReport
	switch *format {
	case "imcs":
		cases, err := eval.LoadIMCS(*data)
		if err != nil {
			return err
		}
		iv, err := loadInterviewer()
		if err != nil {
			return err
		}
		rep = eval.RunIMCS(iv, cases)
	case "mie":
		cases, err := eval.LoadMIE(*data)
		if err != nil {
			return err
		}
		var items []string
		path := *ontology
		if path == "" {
			if p := filepath.Join(filepath.Dir(*data), "ontology.json"); fileExists(p) {
				path = p
			} else {
				fmt.Fprintln(stderr, "eval preconsult: no ontology.json next to the data: scoring every symptom labelled in it")
			}
		}
		if path != "" {
			if items, err = eval.LoadMIEOntology(path); err != nil {
				return err
			}
		}
		terms, err := corpus.Lexicon()
		if err != nil {
			return err
		}
		iv, err := loadInterviewer()
		if err != nil {
			return err
		}
		rep = eval.RunMIE(iv, cases, items, zh.NewLexicon(terms))
	default:
		return fmt.Errorf("eval preconsult: unknown format %q (imcs, mie or script)", *format)
	}
	if *asJSON {
		return printJSON(stdout, rep.Metrics)
	}
	rep.WriteText(stdout, *examples)
	return nil
}

// loadInterviewer builds the interviewer as the assistant runs it: over the
// embedded questionnaires, with the recommender of the built-in hospital
// reading age and sex from what the patient says.
func loadInterviewer() (*preconsult.Interviewer, error) {
	h, err := corpus.DefaultHospital()
	if err != nil {
		return nil, err
	}
	rec, err := triage.Load(h, triage.Config{})
	if err != nil {
		return nil, err
	}
	return preconsult.Load(rec)
}

func fileExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// evalScripts runs scripted conversations through an assistant with an
// in-memory store, as daoyi serve runs it.
func evalScripts(ctx context.Context, path string, asJSON bool, stdout io.Writer) error {
	scripts, err := eval.LoadScripts(path)
	if err != nil {
		return err
	}
	cfg := app.DefaultConfig()
	cfg.DataDir = "" // in memory: nothing of the run is kept
	cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	rep := eval.RunScripts(ctx, a.Engine, a.DB, scripts)
	if asJSON {
		return printJSON(stdout, rep.Metrics)
	}
	rep.WriteText(stdout)
	return nil
}
