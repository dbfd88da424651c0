package corpus

import (
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// requiredModules are the complaint modules the interview must have.
var requiredModules = []string{
	"child_fever", "fever", "cough", "sore_throat", "abdominal_pain", "diarrhea", "vomiting",
	"headache", "dizziness", "chest_pain", "palpitations", "dyspnea", "rash", "itch",
	"low_back_pain", "joint_pain", "urinary", "menstrual", "insomnia", "fatigue",
	"constipation", "nasal",
}

// factKinds are the record's fact kinds (record.Kind*; record imports
// corpus, so they are listed here).
var factKinds = []string{
	"symptom", "onset", "duration", "temperature", "severity", "frequency", "site", "character",
	"trigger", "aggravating", "relieving", "care", "medicine", "allergy", "condition", "operation",
	"smoking", "drinking", "family", "lmp", "menstrual", "obstetric", "note",
}

// onePerComplaint are the kinds the interviewer keeps once per complaint
// (a later fact replaces an earlier one): within a module only one
// question may set each.
var onePerComplaint = []string{"character", "frequency", "severity", "aggravating", "relieving", "trigger", "temperature"}

// maxLabel is the longest quick reply, in characters.
const maxLabel = 12

var placeholder = regexp.MustCompile(`\{[^{}]*\}`)

func TestQuestionnaireModules(t *testing.T) {
	q, err := LoadQuestionnaire()
	if err != nil {
		t.Fatal(err)
	}
	general := map[string]bool{}
	for _, x := range q.Questions {
		general[x.ID] = true
	}
	index := map[string]int{}
	for i, m := range q.Modules {
		if _, dup := index[m.ID]; dup {
			t.Errorf("module %s: repeated", m.ID)
		}
		index[m.ID] = i
	}
	for _, id := range requiredModules {
		if _, ok := index[id]; !ok {
			t.Errorf("module %s: missing", id)
		}
	}
	if c, f := index["child_fever"], index["fever"]; c >= f {
		t.Errorf("child_fever (%d) must come before fever (%d): the first matching module wins", c, f)
	}
	if w := q.Modules[index["child_fever"]].When; w.MaxAge == 0 || w.MaxAge > 14 {
		t.Errorf("child_fever: when %+v, want max_age ≤ 14", w)
	}
	if w := q.Modules[index["menstrual"]].When; w.Sex != "female" {
		t.Errorf("menstrual: when %+v, want sex female", w)
	}

	// A complaint selects one module, unless an earlier one is limited to
	// some patients (child_fever before fever).
	owner := map[string]PCModule{}
	for _, m := range q.Modules {
		for _, c := range m.Complaints {
			if prev, ok := owner[c]; ok && prev.When == (PCWhen{}) {
				t.Errorf("complaint %s: in %s and %s; %s always wins", c, prev.ID, m.ID, prev.ID)
			}
			owner[c] = m
		}
	}

	for _, m := range q.Modules {
		if m.Name == "" {
			t.Errorf("module %s: no name", m.ID)
		}
		if n := len(m.Questions); n < 3 || n > 6 {
			t.Errorf("module %s: %d questions, want 3–6", m.ID, n)
		}
		ids := map[string]bool{}
		for _, x := range m.Questions {
			ids[x.ID] = true
		}
		setBy := map[string]string{} // kind → the question whose options set it
		for _, x := range m.Questions {
			checkModuleQuestion(t, m, x, ids, general)
			for _, o := range x.Options {
				for _, f := range o.Facts {
					if !slices.Contains(onePerComplaint, f.Kind) {
						continue
					}
					if prev, ok := setBy[f.Kind]; ok && prev != x.ID {
						t.Errorf("module %s: %s facts set by both %s and %s (one is kept per complaint)", m.ID, f.Kind, prev, x.ID)
					}
					setBy[f.Kind] = x.ID
				}
			}
		}
	}
}

func checkModuleQuestion(t *testing.T, m PCModule, x PCQuestion, ids, general map[string]bool) {
	t.Helper()
	if !strings.HasPrefix(x.ID, m.ID+".") {
		t.Errorf("question %s: id not prefixed by its module %s", x.ID, m.ID)
	}
	if general[x.ID] {
		t.Errorf("question %s: collides with a general question", x.ID)
	}
	for _, text := range []string{x.Ask, x.AskProxy} {
		for _, p := range placeholder.FindAllString(text, -1) {
			if p != "{who}" && p != "{symptom}" {
				t.Errorf("question %s: placeholder %s (only {who} and {symptom})", x.ID, p)
			}
		}
		rest := placeholder.ReplaceAllString(text, "")
		if strings.ContainsAny(rest, "{}") {
			t.Errorf("question %s: stray brace in %q", x.ID, text)
		}
	}
	for _, k := range slices.Concat(x.Fills, x.SkipIf) {
		if !slices.Contains(factKinds, k) {
			t.Errorf("question %s: fills or skip_if kind %q unknown", x.ID, k)
		}
	}
	if x.Kind == PCYesNo {
		if !slices.Contains(factKinds, x.About) {
			t.Errorf("question %s: about %q unknown", x.ID, x.About)
		}
		if x.About == "symptom" && x.Name == "" {
			t.Errorf("question %s: a symptom yes/no question needs its name", x.ID)
		}
	}
	if x.Kind == PCFree && len(x.Fills) == 0 {
		t.Errorf("question %s: a free question needs fills", x.ID)
	}
	labels := map[string]bool{}
	for _, o := range x.Options {
		if n := utf8.RuneCountInString(o.Label); n > maxLabel {
			t.Errorf("question %s: label %q has %d characters (at most %d)", x.ID, o.Label, n, maxLabel)
		}
		if labels[o.Label] {
			t.Errorf("question %s: label %q repeated", x.ID, o.Label)
		}
		labels[o.Label] = true
		for _, id := range o.Then {
			if !ids[id] || id == x.ID {
				t.Errorf("question %s option %s: then %q is not another question of module %s", x.ID, o.Label, id, m.ID)
			}
		}
		for _, f := range o.Facts {
			if !slices.Contains(factKinds, f.Kind) {
				t.Errorf("question %s option %s: fact kind %q unknown", x.ID, o.Label, f.Kind)
			}
			if f.Status != "" && f.Status != "present" && f.Status != "absent" && f.Status != "uncertain" {
				t.Errorf("question %s option %s: status %q", x.ID, o.Label, f.Status)
			}
			switch f.Kind {
			case "symptom":
				if f.Status == "" {
					t.Errorf("question %s option %s: symptom %s without a status", x.ID, o.Label, f.Name)
				}
			case "severity":
				if f.Number < 1 || f.Number > 10 || f.Value == "" {
					t.Errorf("question %s option %s: severity needs a value and a number 1–10", x.ID, o.Label)
				}
			case "site":
				if f.Name == "" {
					t.Errorf("question %s option %s: site without a body part", x.ID, o.Label)
				}
			}
			if f.Status != "absent" && f.Value == "" && !slices.Contains([]string{"symptom", "condition", "medicine", "site"}, f.Kind) {
				t.Errorf("question %s option %s: %s fact without a value", x.ID, o.Label, f.Kind)
			}
		}
	}
	if x.Kind == PCMany {
		checkMany(t, m, x)
	} else if len(x.Symptoms) > 0 {
		t.Errorf("question %s: symptoms on a %s question", x.ID, x.Kind)
	}
}

// checkMany checks an accompanying-symptoms question: one option per
// symptom asked about, a final 都没有, labels that do not hold one another
// (a reply is read by the labels it contains), and not the module's own
// complaints (都没有 would deny the complaint).
func checkMany(t *testing.T, m PCModule, x PCQuestion) {
	t.Helper()
	n := len(x.Options)
	if n < 2 || !x.Options[n-1].None {
		t.Errorf("question %s: a many question ends with a none option", x.ID)
		return
	}
	if len(x.Options[n-1].Facts) > 0 {
		t.Errorf("question %s: the none option records no facts of its own", x.ID)
	}
	seen := map[string]bool{}
	for _, o := range x.Options[:n-1] {
		if o.None {
			t.Errorf("question %s: none option %s before the end", x.ID, o.Label)
		}
		if len(o.Facts) != 1 || o.Facts[0].Kind != "symptom" || o.Facts[0].Status != "present" {
			t.Errorf("question %s option %s: want one present symptom fact", x.ID, o.Label)
			continue
		}
		s := o.Facts[0].Name
		if !slices.Contains(x.Symptoms, s) {
			t.Errorf("question %s option %s: symptom %s not in symptoms", x.ID, o.Label, s)
		}
		if seen[s] {
			t.Errorf("question %s: symptom %s has two options", x.ID, s)
		}
		seen[s] = true
		for _, p := range x.Options[:n-1] {
			if p.Label != o.Label && strings.Contains(p.Label, o.Label) {
				t.Errorf("question %s: label %q holds label %q", x.ID, p.Label, o.Label)
			}
		}
	}
	for _, s := range x.Symptoms {
		if !seen[s] {
			t.Errorf("question %s: symptom %s has no option", x.ID, s)
		}
		if slices.Contains(m.Complaints, s) {
			t.Errorf("question %s: asks about %s, a complaint of its module", x.ID, s)
		}
	}
}
