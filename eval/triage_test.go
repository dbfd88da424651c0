package eval

import (
	"testing"

	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/triage"
)

func TestBuiltinTriageSet(t *testing.T) {
	h, err := corpus.DefaultHospital()
	if err != nil {
		t.Fatal(err)
	}
	r, err := triage.Load(h, triage.Config{})
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]string{}
	for _, d := range r.Departments() {
		names[d.ID] = d.Name
	}
	cases, _, _, err := LoadTriageCases("jsonl", "", names)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) < 300 {
		t.Fatalf("%d cases, want at least 300", len(cases))
	}
	per := map[string]int{}
	emergencies := 0
	for _, c := range cases {
		per[c.Label]++
		if c.Urgency == triage.Emergency {
			emergencies++
		}
	}
	for _, n := range names {
		if per[n] < 4 {
			t.Errorf("%s has %d cases, want at least 4", n, per[n])
		}
	}
	if emergencies < 20 {
		t.Errorf("%d emergencies", emergencies)
	}
	fresh, _, _, err := LoadTriageCases("jsonl", "testdata/triage_fresh.jsonl", names)
	if err != nil || len(fresh) < 100 {
		t.Fatalf("the fresh check set: %d cases, %v", len(fresh), err)
	}
}

// RunTriage's arithmetic on a set small enough to check by hand.
func TestRunTriage(t *testing.T) {
	names := map[string]string{"a": "甲科", "b": "乙科", "emergency": "急诊科"}
	labels := &TriageLabels{Order: []string{"甲科", "乙科", "急诊科"},
		IDs: map[string][]string{"甲科": {"a"}, "乙科": {"b"}, "急诊科": {"emergency"}}}
	cases := []TriageCase{
		{Text: "1", Label: "甲科", Accept: []string{"a"}, Urgency: triage.Routine},
		{Text: "2", Label: "乙科", Accept: []string{"b"}, Urgency: triage.Routine},
		{Text: "3", Label: "急诊科", Accept: []string{"emergency"}, Urgency: triage.Emergency},
		{Text: "4", Label: "甲科", Accept: []string{"a", "b"}, Urgency: triage.SelfCare},
	}
	guesses := map[string]TriageGuess{
		"1": {Departments: []string{"a", "b"}, Urgency: triage.Routine},              // top-1
		"2": {Departments: []string{"a", "emergency", "b"}, Urgency: triage.Routine}, // top-3 only
		"3": {Departments: []string{"b"}, Urgency: triage.Within24h},                 // missed emergency
		"4": {Departments: []string{"b"}, Urgency: triage.Routine},                   // an accepted alternative
	}
	r := RunTriage(cases, labels, names, func(text string, _ triage.Profile) TriageGuess { return guesses[text] })
	want := map[string]float64{"top1": 0.5, "top3": 0.75, "emergency_cases": 1, "emergency_missed": 1,
		"under_triaged": 1, "over_triaged": 1, "urgency_exact": 0.5}
	for k, v := range want {
		if r.Metrics[k] != v {
			t.Errorf("%s = %v, want %v", k, r.Metrics[k], v)
		}
	}
	if r.Confusion["乙科"]["甲科"] != 1 || r.Confusion["急诊科"]["乙科"] != 1 {
		t.Errorf("confusion %v", r.Confusion)
	}
}
