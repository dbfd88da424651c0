package corpus_test

import (
	"strings"
	"testing"

	"github.com/daoyi-health/daoyi/corpus"
)

func TestTriage(t *testing.T) {
	h, err := corpus.DefaultHospital()
	if err != nil {
		t.Fatal(err)
	}
	k, err := corpus.LoadTriage(h)
	if err != nil {
		t.Fatal(err)
	}
	if len(k.Departments) < 35 {
		t.Errorf("%d departments, want at least 35", len(k.Departments))
	}
	for _, d := range k.Departments {
		if d.Register == "" {
			t.Errorf("%s has no registration link", d.ID)
		}
	}
	if len(k.Symptoms) < 150 || len(k.Rules) < 40 || len(k.Questions) < 5 {
		t.Errorf("%d symptoms, %d rules, %d questions", len(k.Symptoms), len(k.Rules), len(k.Questions))
	}
}

func TestValidateTriageRejects(t *testing.T) {
	lex := []corpus.Term{{Term: "腹痛", Type: "symptom", Aliases: []string{"肚子疼"}}, {Term: "胃炎", Type: "disease"}}
	base := func() *corpus.Triage {
		return &corpus.Triage{
			ChildAge: 14,
			Departments: []corpus.Department{
				{ID: "gastro", Name: "消化内科", Group: "内科", Description: "胃肠", Takes: []string{"胃炎"}},
				{ID: "emergency", Name: "急诊科", Group: "急诊", Description: "急"},
			},
			Symptoms: []corpus.TriageSymptom{{Term: "腹痛", Departments: map[string]float64{"gastro": 3}}},
		}
	}
	if err := corpus.ValidateTriage(base(), lex); err != nil {
		t.Fatalf("a valid knowledge was rejected: %v", err)
	}
	for name, c := range map[string]struct {
		edit func(*corpus.Triage)
		want string
	}{
		"AliasNotTerm":      {func(k *corpus.Triage) { k.Symptoms[0].Term = "肚子疼" }, "alias"},
		"SymptomInCatalog":  {func(k *corpus.Triage) { k.Departments[0].Shares = []string{"腹痛"} }, "symptom"},
		"UnknownDepartment": {func(k *corpus.Triage) { k.Symptoms[0].Departments["nope"] = 1 }, "unknown department"},
		"UnknownTerm":       {func(k *corpus.Triage) { k.Departments[0].Takes = []string{"不存在的病"} }, "not a lexicon term"},
		"TakenTwice":        {func(k *corpus.Triage) { k.Departments[1].Takes = []string{"胃炎"} }, "taken by both"},
		"BadUrgency":        {func(k *corpus.Triage) { k.Symptoms[0].Urgency = "soon" }, "urgency"},
		"RuleWithoutReason": {func(k *corpus.Triage) {
			k.Rules = []corpus.TriageRule{{ID: "r", All: []string{"腹痛"}, Departments: map[string]float64{"gastro": 1}}}
		}, "reason"},
		"QuestionOneOption": {func(k *corpus.Triage) {
			k.Questions = []corpus.TriageQuestion{{ID: "q", Ask: "?", Options: []corpus.TriageOption{{Label: "是"}}}}
		}, "two options"},
		"ChildAge": {func(k *corpus.Triage) { k.ChildAge = 0 }, "child_age"},
	} {
		t.Run(name, func(t *testing.T) {
			k := base()
			c.edit(k)
			err := corpus.ValidateTriage(k, lex)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, want an error about %q", err, c.want)
			}
		})
	}
}
