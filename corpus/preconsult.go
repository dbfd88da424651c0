package corpus

import (
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"
)

// ---- Pre-consultation: the interview's questionnaires ----

// Questionnaire is the pre-consultation interview (corpus/preconsult.yaml,
// with complaint modules in corpus/preconsult/*.yaml):
// the general flow — opening questions, a complaint's module (or the
// generic questions when no module covers it), closing questions — the
// clinical phrases of the draft and the headings a doctor sees.
type Questionnaire struct {
	Version int `yaml:"version"`
	// MaxQuestions bounds an interview (about three minutes);
	// ModuleQuestions bounds the questions taken from one complaint's
	// module, and SecondModule those of a second complaint's.
	MaxQuestions    int `yaml:"max_questions"`
	ModuleQuestions int `yaml:"module_questions"`
	SecondModule    int `yaml:"second_module"`
	// Opening, Generic and Closing are question ids in the order asked.
	Opening   []string     `yaml:"opening"`
	Generic   []string     `yaml:"generic"`
	Closing   []string     `yaml:"closing"`
	Questions []PCQuestion `yaml:"questions"`
	Modules   []PCModule   `yaml:"modules"`
	// Headings are the record's headings and labels for the doctor
	// (record.Headings, by its yaml keys).
	Headings map[string]string `yaml:"headings"`
	// Draft are the clinical phrases the draft is written with, by key.
	Draft map[string]string `yaml:"draft"`
	// You is how a question addresses the patient ({who}); ProxyChild and
	// ProxyAdult how it names the patient to someone answering for them.
	You        string `yaml:"you"`
	ProxyChild string `yaml:"proxy.child"`
	ProxyAdult string `yaml:"proxy.adult"`
	// Relatives are the words for family members, each with the relation
	// a record names (我爸 → 父亲), the first that a clause holds winning.
	Relatives []PCRelative `yaml:"relatives"`
	// General are the aspects of the general condition a history records
	// (一般情况: 精神、食欲、睡眠、二便), each with the words patients use.
	General []PCAspect `yaml:"general"`
	// Allergens are words for allergens besides the lexicon's drugs.
	Allergens []string `yaml:"allergens"`
}

// PCRelative is a word for a family member and the relation it names.
type PCRelative struct {
	Word string `yaml:"word"`
	As   string `yaml:"as"`
}

// PCAspect is one aspect of the general condition: the record's name for
// it and the words that say it.
type PCAspect struct {
	Name  string   `yaml:"name"`
	Words []string `yaml:"words"`
}

// Question kinds.
const (
	PCFree  = "free"  // any text; the extractors named in Fills read it
	PCYesNo = "yesno" // 有/没有 settles About; details in the same answer are read too
	PCOne   = "one"   // one option
	PCMany  = "many"  // several options (symptoms asked about); a None option denies them all
)

// PCQuestion is one question of the interview.
type PCQuestion struct {
	ID string `yaml:"id"`
	// Ask is the question; {who} becomes 您 or the word for the patient
	// when someone answers for them, {symptom} the complaint. AskProxy,
	// when set, replaces Ask for someone answering for the patient (代问).
	Ask      string `yaml:"ask"`
	AskProxy string `yaml:"ask_proxy"`
	Kind     string `yaml:"kind"`
	// Fills are the fact kinds looked for in the answer's text (symptom,
	// duration, temperature, medicine …).
	Fills []string `yaml:"fills"`
	// About is the fact kind a yes/no answer settles (allergy: 没有 →
	// 否认过敏史); Name, when set, the fact's name (a symptom asked about).
	About string `yaml:"about"`
	Name  string `yaml:"name"`
	// Symptoms are the standard terms a PCMany question asks about: each
	// chosen is present, the others absent when the patient says 都没有 or
	// chooses only some.
	Symptoms []string   `yaml:"symptoms"`
	Options  []PCOption `yaml:"options"`
	When     PCWhen     `yaml:"when"`
	// SkipIf lists fact kinds that, already known for the complaint, make
	// the question pointless (a duration said in the first answer).
	SkipIf []string `yaml:"skip_if"`
	// Required questions are asked even when the bound is reached (the
	// chief complaint, allergies).
	Required bool `yaml:"required"`
}

// PCOption is a quick reply: its label, the facts it records, and the
// follow-up questions it opens (skip logic: 有 → 对什么过敏？).
type PCOption struct {
	Label string `yaml:"label"`
	// Also are words that pick the option when typed (着凉 for 受凉或淋雨).
	Also  []string `yaml:"also"`
	Facts []PCFact `yaml:"facts"`
	None  bool     `yaml:"none"` // 都没有: every symptom asked about is absent
	Then  []string `yaml:"then"`
}

// PCFact is a fact an option records; Of defaults to the complaint.
type PCFact struct {
	Kind   string  `yaml:"kind"`
	Name   string  `yaml:"name"`
	Status string  `yaml:"status"`
	Value  string  `yaml:"value"`
	Number float64 `yaml:"number"`
}

// PCWhen limits a question or module to some patients. Zero values
// limit nothing; an unknown age or sex passes (better to ask once too
// often than to miss a pregnancy).
type PCWhen struct {
	Sex    string `yaml:"sex"`     // female, male
	MinAge int    `yaml:"min_age"` // years
	MaxAge int    `yaml:"max_age"` // years, inclusive
}

// PCModule is the questions of one complaint (发热, 腹痛 …), asked after
// the opening when the chief complaint is one of Complaints.
type PCModule struct {
	ID         string       `yaml:"id"`
	Name       string       `yaml:"name"`
	Complaints []string     `yaml:"complaints"`
	When       PCWhen       `yaml:"when"`
	Questions  []PCQuestion `yaml:"questions"`
}

var (
	pcOnce sync.Once
	pc     *Questionnaire
	pcErr  error
)

// LoadQuestionnaire reads and checks corpus/preconsult.yaml. The result is
// shared: callers must not change it.
func LoadQuestionnaire() (*Questionnaire, error) {
	pcOnce.Do(func() {
		b, err := files.ReadFile("preconsult.yaml")
		if err != nil {
			pcErr = err
			return
		}
		var q Questionnaire
		if err := decode("preconsult.yaml", b, &q); err != nil {
			pcErr = err
			return
		}
		names, err := fs.Glob(files, "preconsult/*.yaml")
		if err != nil {
			pcErr = err
			return
		}
		sort.Strings(names)
		for _, name := range names {
			b, err := files.ReadFile(name)
			if err != nil {
				pcErr = err
				return
			}
			var part struct {
				Modules []PCModule `yaml:"modules"`
			}
			if err := decode(name, b, &part); err != nil {
				pcErr = err
				return
			}
			q.Modules = append(q.Modules, part.Modules...)
		}
		lex, err := Lexicon()
		if err != nil {
			pcErr = err
			return
		}
		if err := ValidateQuestionnaire(&q, lex); err != nil {
			pcErr = err
			return
		}
		pc = &q
	})
	return pc, pcErr
}

// ValidateQuestionnaire checks a questionnaire against the lexicon: ids
// unique and known where referenced, kinds valid, options where a kind
// needs them, complaints and symptoms lexicon terms.
func ValidateQuestionnaire(q *Questionnaire, lex []Term) error {
	terms := map[string]bool{}
	for _, t := range lex {
		terms[t.Term] = true
	}
	var errs []string
	bad := func(format string, a ...any) { errs = append(errs, fmt.Sprintf(format, a...)) }
	if q.MaxQuestions < 5 || q.MaxQuestions > 40 {
		bad("max_questions %d out of 5–40", q.MaxQuestions)
	}
	for _, r := range q.Relatives {
		if strings.TrimSpace(r.Word) == "" || strings.TrimSpace(r.As) == "" {
			bad("relatives: %q needs a word and the relation it names", r.Word)
		}
	}
	for _, a := range q.General {
		if a.Name == "" || len(a.Words) == 0 {
			bad("general: %q needs a name and words", a.Name)
		}
	}
	ids := map[string]bool{}
	var check func(where string, qs []PCQuestion)
	check = func(where string, qs []PCQuestion) {
		for _, x := range qs {
			if x.ID == "" || ids[x.ID] {
				bad("%s: question id %q empty or repeated", where, x.ID)
			}
			ids[x.ID] = true
			if strings.TrimSpace(x.Ask) == "" {
				bad("question %s: no ask", x.ID)
			}
			switch x.Kind {
			case PCFree:
			case PCYesNo:
				if x.About == "" {
					bad("question %s: a yesno question needs about", x.ID)
				}
			case PCOne, PCMany:
				if len(x.Options) < 2 {
					bad("question %s: needs at least two options", x.ID)
				}
			default:
				bad("question %s: kind %q", x.ID, x.Kind)
			}
			for _, s := range x.Symptoms {
				if !terms[s] {
					bad("question %s: symptom %q is not a lexicon term", x.ID, s)
				}
			}
			if x.Name != "" && x.About == "symptom" && !terms[x.Name] {
				bad("question %s: name %q is not a lexicon term", x.ID, x.Name)
			}
			for _, o := range x.Options {
				if strings.TrimSpace(o.Label) == "" {
					bad("question %s: an option without a label", x.ID)
				}
				for _, f := range o.Facts {
					if f.Kind == "" {
						bad("question %s option %s: a fact without a kind", x.ID, o.Label)
					}
					if f.Kind == "symptom" && !terms[f.Name] {
						bad("question %s option %s: symptom %q is not a lexicon term", x.ID, o.Label, f.Name)
					}
				}
			}
		}
	}
	check("questions", q.Questions)
	for _, m := range q.Modules {
		if len(m.Complaints) == 0 {
			bad("module %s: no complaints", m.ID)
		}
		for _, c := range m.Complaints {
			if !terms[c] {
				bad("module %s: complaint %q is not a lexicon term", m.ID, c)
			}
		}
		check("module "+m.ID, m.Questions)
	}
	for _, list := range [][]string{q.Opening, q.Generic, q.Closing} {
		for _, id := range list {
			if !ids[id] {
				bad("flow: unknown question %q", id)
			}
		}
	}
	all := append([]PCQuestion(nil), q.Questions...)
	for _, m := range q.Modules {
		all = append(all, m.Questions...)
	}
	for _, x := range all {
		for _, o := range x.Options {
			for _, id := range o.Then {
				if !ids[id] {
					bad("question %s option %s: then %q unknown", x.ID, o.Label, id)
				}
			}
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("corpus: preconsult.yaml: %s", strings.Join(errs, "; "))
	}
	return nil
}
