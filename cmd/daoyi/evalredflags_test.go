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

func TestEvalRedFlags(t *testing.T) {
	dir := t.TempDir()
	set := filepath.Join(dir, "set.jsonl")
	os.WriteFile(set, []byte("// two cases\n"+
		`{"text": "我爸胸口疼出冷汗", "flag": "chest_pain_sweating"}`+"\n"+
		`{"text": "胸痛门诊在哪", "flag": ""}`+"\n"), 0o600)
	faq := filepath.Join(dir, "faq.jsonl")
	os.WriteFile(faq, []byte("// comment\n"+
		`{"q": "怎么预约挂号", "want": "registration-01"}`+"\n"+
		`{"q": "孩子刚才抽搐了，口吐白沫", "want": ""}`+"\n"), 0o600)
	var out, errb bytes.Buffer
	if err := evalRedFlags(context.Background(), []string{"--data", set, "--negatives", faq, "--json"}, &out, &errb); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	var m map[string]float64
	if err := json.Unmarshal(out.Bytes(), &m); err != nil {
		t.Fatalf("output %q: %v", out.String(), err)
	}
	if m["recall"] != 1 || m["false_alarms"] != 0 || m["positives"] != 1 || m["negatives"] != 1 {
		t.Errorf("metrics %v", m)
	}
	if m["alarms:faq.jsonl"] != 1 || m["alarm_rate:faq.jsonl"] != 0.5 {
		t.Errorf("alarm rate on the negatives: %v", m)
	}

	out.Reset()
	if err := evalRedFlags(context.Background(), nil, &out, &errb); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), "recall") {
		t.Errorf("text report: %s", out.String())
	}
	if err := evalRedFlags(context.Background(), []string{"--data", filepath.Join(dir, "none.jsonl")}, &out, &errb); err == nil {
		t.Error("a missing test set was accepted")
	}
}
