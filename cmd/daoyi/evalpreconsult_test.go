package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// eval preconsult on the eval package's fixtures: the plumbing and the
// metric keys, not the figures (they depend on the interviewer).
func TestEvalPreconsult(t *testing.T) {
	const fixtures = "../../eval/testdata/"
	run := func(args ...string) (map[string]float64, string) {
		t.Helper()
		var out, errb bytes.Buffer
		if err := evalPreconsult(context.Background(), append(args, "--json"), &out, &errb); err != nil {
			t.Fatalf("%v: %s", err, errb.String())
		}
		var m map[string]float64
		if err := json.Unmarshal(out.Bytes(), &m); err != nil {
			t.Fatalf("output %q: %v", out.String(), err)
		}
		return m, errb.String()
	}
	hasKeys := func(m map[string]float64, keys ...string) {
		t.Helper()
		for _, k := range keys {
			v, ok := m[k]
			if !ok {
				t.Errorf("no %q in %v", k, m)
			}
			if v < 0 || (v > 1 && !strings.HasSuffix(k, "cases") && !strings.HasSuffix(k, "pairs") && k != "dialogues" && k != "empty_drafts" && k != "replay_failures") {
				t.Errorf("%s = %v out of range", k, v)
			}
		}
	}

	m, _ := run("--format", "imcs", "--data", fixtures+"preconsult_imcs.jsonl")
	hasKeys(m, "cases", "empty_drafts", "replay_failures", "rouge_1", "rouge_2", "rouge_l", "rouge_mean",
		"chief_rouge_1", "chief_rouge_2", "chief_rouge_l", "chief_cases",
		"present_rouge_1", "present_rouge_2", "present_rouge_l", "present_cases",
		"past_rouge_1", "past_rouge_2", "past_rouge_l", "past_cases")
	if m["cases"] != 2 || m["chief_cases"] != 2 {
		t.Errorf("imcs: %v", m)
	}

	mieKeys := []string{"dialogues", "replay_failures", "gold_pairs", "predicted_pairs", "precision", "recall", "f1",
		"symptom_precision", "symptom_recall", "symptom_f1"}
	m, _ = run("--format", "mie", "--data", fixtures+"preconsult_mie.json", "--ontology", fixtures+"preconsult_mie_ontology.json")
	hasKeys(m, mieKeys...)
	// Seven gold pairs of ontology items (嗓子疼 is not one).
	if m["dialogues"] != 2 || m["gold_pairs"] != 7 {
		t.Errorf("mie: %v", m)
	}
	// No ontology beside the data: every labelled symptom is scored.
	dir := t.TempDir()
	b, err := os.ReadFile(fixtures + "preconsult_mie.json")
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "dev.json")
	os.WriteFile(data, b, 0o600)
	m, stderr := run("--format", "mie", "--data", data)
	if m["gold_pairs"] != 8 || !strings.Contains(stderr, "no ontology.json") {
		t.Errorf("mie without an ontology: %v, stderr %q", m, stderr)
	}
	// ontology.json next to the data is found.
	ob, _ := os.ReadFile(fixtures + "preconsult_mie_ontology.json")
	os.WriteFile(filepath.Join(dir, "ontology.json"), ob, 0o600)
	if m, _ = run("--format", "mie", "--data", data); m["gold_pairs"] != 7 {
		t.Errorf("mie with ontology.json beside: %v", m)
	}

	// The text report.
	var out, errb bytes.Buffer
	if err := evalPreconsult(context.Background(), []string{"--data", fixtures + "preconsult_imcs.jsonl", "--examples", "1"}, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if s := out.String(); !strings.Contains(s, "rouge_mean") || !strings.Contains(s, "worst cases") || !strings.Contains(s, "want: 主诉:") {
		t.Errorf("text report:\n%s", s)
	}

	for _, args := range [][]string{
		{"--format", "imcs"},
		{"--format", "dialogues", "--data", fixtures + "preconsult_imcs.jsonl"},
		{"--format", "imcs", "--data", filepath.Join(dir, "none.jsonl")},
		{"--format", "mie", "--data", fixtures + "preconsult_imcs.jsonl"},
		{"--format", "mie", "--data", data, "--ontology", filepath.Join(dir, "none.json")},
	} {
		if err := evalPreconsult(context.Background(), args, &out, &errb); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	// Registered under daoyi eval.
	out.Reset()
	if err := evalCmd(context.Background(), []string{"preconsult", "--data", fixtures + "preconsult_imcs.jsonl", "--json"}, &out, &errb); err != nil || !strings.Contains(out.String(), "rouge_mean") {
		t.Errorf("daoyi eval preconsult: %v %q", err, out.String())
	}
}
