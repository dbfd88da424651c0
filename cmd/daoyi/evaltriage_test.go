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

// eval triage on a small file in each format: the metrics come out, an
// alarm counts as the emergency department, a label that is no department
// is skipped, and a bad department name is an error naming it.
func TestEvalTriage(t *testing.T) {
	dir := t.TempDir()
	own := filepath.Join(dir, "own.jsonl")
	os.WriteFile(own, []byte(`{"text": "牙疼得睡不着", "department": "口腔科", "urgency": "routine"}`+"\n"+
		`{"text": "我爸胸口疼出冷汗", "department": "急诊科", "urgency": "emergency"}`+"\n"), 0o600)
	sade := filepath.Join(dir, "sade.jsonl")
	os.WriteFile(sade, []byte(`{"id":"1","first_department":"五官科","second_department":"口腔科","question":"牙疼得睡不着","answer":""}`+"\n"+
		`{"id":"2","first_department":"药品","second_department":"西药","question":"这个药怎么吃","answer":""}`+"\n"), 0o600)
	run := func(args ...string) map[string]float64 {
		t.Helper()
		var out, errb bytes.Buffer
		if err := evalTriage(context.Background(), append(args, "--json"), &out, &errb); err != nil {
			t.Fatalf("%v: %s", err, errb.String())
		}
		var m map[string]float64
		if err := json.Unmarshal(out.Bytes(), &m); err != nil {
			t.Fatalf("output %q: %v", out.String(), err)
		}
		return m
	}
	if m := run("--data", own); m["top1"] != 1 || m["emergency_missed"] != 0 || m["cases"] != 2 {
		t.Errorf("own format: %v", m)
	}
	if m := run("--format", "sade", "--data", sade); m["top1"] != 1 || m["cases"] != 1 {
		t.Errorf("sade: %v", m)
	}
	if m := run("--format", "sade", "--level", "2", "--data", sade); m["top1"] != 1 {
		t.Errorf("sade level 2: %v", m)
	}
	bad := filepath.Join(dir, "bad.jsonl")
	os.WriteFile(bad, []byte(`{"text": "牙疼", "department": "牙医科"}`+"\n"), 0o600)
	var out, errb bytes.Buffer
	if err := evalTriage(context.Background(), []string{"--data", bad}, &out, &errb); err == nil || !strings.Contains(err.Error(), "牙医科") {
		t.Errorf("an unknown department: %v", err)
	}
	if err := evalTriage(context.Background(), []string{"--format", "toyhom"}, &out, &errb); err == nil {
		t.Error("--format toyhom without --data should fail")
	}
}
