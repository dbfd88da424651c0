package corpus

import (
	"strings"
	"testing"
)

func TestQuestionnaireLoads(t *testing.T) {
	q, err := LoadQuestionnaire()
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Opening) == 0 || len(q.Closing) == 0 || q.MaxQuestions == 0 {
		t.Fatalf("questionnaire without a flow: %+v", q)
	}
}

// TestValidateQuestionnaire checks that each kind of mistake in the data is
// reported, not silently loaded.
func TestValidateQuestionnaire(t *testing.T) {
	lex := []Term{{Term: "发热", Type: "symptom"}, {Term: "咳嗽", Type: "symptom"}}
	good := func() *Questionnaire {
		return &Questionnaire{MaxQuestions: 10, Opening: []string{"chief"},
			Questions: []PCQuestion{{ID: "chief", Kind: PCFree, Ask: "哪里不舒服？"}},
			Modules: []PCModule{{ID: "fever", Complaints: []string{"发热"}, Questions: []PCQuestion{
				{ID: "fever.with", Kind: PCMany, Ask: "还有吗？", Symptoms: []string{"咳嗽"},
					Options: []PCOption{{Label: "咳嗽", Facts: []PCFact{{Kind: "symptom", Name: "咳嗽", Status: "present"}}}, {Label: "都没有", None: true}}}}}}}
	}
	if err := ValidateQuestionnaire(good(), lex); err != nil {
		t.Fatalf("a good questionnaire: %v", err)
	}
	for name, breakIt := range map[string]func(q *Questionnaire){
		"repeated id":       func(q *Questionnaire) { q.Modules[0].Questions[0].ID = "chief" },
		"unknown flow id":   func(q *Questionnaire) { q.Closing = []string{"nope"} },
		"bad kind":          func(q *Questionnaire) { q.Questions[0].Kind = "essay" },
		"yesno, no about":   func(q *Questionnaire) { q.Questions[0].Kind = PCYesNo },
		"one option":        func(q *Questionnaire) { q.Modules[0].Questions[0].Options = q.Modules[0].Questions[0].Options[:1] },
		"unknown symptom":   func(q *Questionnaire) { q.Modules[0].Questions[0].Symptoms = []string{"肚子咕咕叫"} },
		"unknown complaint": func(q *Questionnaire) { q.Modules[0].Complaints = []string{"不舒服"} },
		"fact symptom":      func(q *Questionnaire) { q.Modules[0].Questions[0].Options[0].Facts[0].Name = "咳" },
		"then unknown":      func(q *Questionnaire) { q.Modules[0].Questions[0].Options[0].Then = []string{"x"} },
		"no ask":            func(q *Questionnaire) { q.Questions[0].Ask = " " },
		"bound":             func(q *Questionnaire) { q.MaxQuestions = 100 },
	} {
		q := good()
		breakIt(q)
		if err := ValidateQuestionnaire(q, lex); err == nil || !strings.Contains(err.Error(), "preconsult") {
			t.Errorf("%s: not reported (%v)", name, err)
		}
	}
}

// TestPrompts: the prompts the code fills are there with their
// placeholders (the router's {{intents}}, the answer's {{hospital}}).
func TestPrompts(t *testing.T) {
	p, err := LoadPrompts()
	if err != nil {
		t.Fatal(err)
	}
	for name, ph := range map[string]string{"router": "{{intents}}", "answer": "{{hospital}}", "polish": "chief_complaint"} {
		if !strings.Contains(p[name], ph) {
			t.Errorf("prompt %s lacks %s", name, ph)
		}
	}
}
