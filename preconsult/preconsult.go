// Package preconsult is the pre-consultation interview (智能预问诊): the
// questionnaires of corpus/ asked one question at a time, each answer read
// into structured facts (record.Fact) that keep the turn and the words they
// came from and the question they answer ("有发热吗？" "没有" → 无发热), and
// the draft a doctor imports (主诉, 现病史, 既往史 …) written from those
// facts alone.
//
// The package knows nothing of conversations: bot/preconsult runs it as a
// flow, and eval replays recorded consultations through it.
package preconsult

import (
	"fmt"
	"slices"
	"strings"

	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/record"
	"github.com/daoyi-health/daoyi/triage"
	"github.com/daoyi-health/daoyi/zh"
)

// The questions the interviewer itself knows: who the patient is, and the
// chief complaint, whose answer chooses the rest.
const (
	BasicsID = "basics"
	ChiefID  = "chief"
)

// Interviewer runs interviews from the questionnaires of corpus/.
type Interviewer struct {
	q         *corpus.Questionnaire
	lex       *zh.Lexicon
	questions map[string]*corpus.PCQuestion
	module    map[string]*corpus.PCModule // by question id
	draft     map[string]string
	allergens []string
	rec       *triage.Recommender
	headings  record.Headings
	followUps map[string]bool // questions reached only through an option's then
}

// Load returns the interviewer over the embedded questionnaires. rec, when
// not nil, reads the patient's age and sex from what they say (a profile
// passed by the hospital wins).
func Load(rec *triage.Recommender) (*Interviewer, error) {
	q, err := corpus.LoadQuestionnaire()
	if err != nil {
		return nil, err
	}
	var lex *zh.Lexicon
	if rec != nil {
		lex = rec.Lexicon() // the same words: one trie in memory, built once
	} else {
		terms, err := corpus.Lexicon()
		if err != nil {
			return nil, err
		}
		lex = zh.NewLexicon(terms)
	}
	return New(q, lex, rec)
}

// New builds an interviewer over a questionnaire and a lexicon.
func New(q *corpus.Questionnaire, lex *zh.Lexicon, rec *triage.Recommender) (*Interviewer, error) {
	iv := &Interviewer{q: q, lex: lex, questions: map[string]*corpus.PCQuestion{},
		module: map[string]*corpus.PCModule{}, draft: q.Draft, rec: rec}
	for _, a := range q.Allergens {
		iv.allergens = append(iv.allergens, zh.Normalize(a))
	}
	for i := range q.Questions {
		iv.questions[q.Questions[i].ID] = &q.Questions[i]
	}
	for i := range q.Modules {
		m := &q.Modules[i]
		for j := range m.Questions {
			iv.questions[m.Questions[j].ID] = &m.Questions[j]
			iv.module[m.Questions[j].ID] = m
		}
	}
	iv.followUps = map[string]bool{}
	for _, x := range iv.questions {
		for _, o := range x.Options {
			for _, id := range o.Then {
				iv.followUps[id] = true
			}
		}
	}
	var errs []string
	for _, x := range iv.questions {
		for _, k := range x.Fills {
			if !record.ValidKind(k) {
				errs = append(errs, fmt.Sprintf("question %s fills unknown kind %q", x.ID, k))
			}
		}
		if x.About != "" && x.About != "subject" && !record.ValidKind(x.About) {
			errs = append(errs, fmt.Sprintf("question %s is about unknown kind %q", x.ID, x.About))
		}
		for _, o := range x.Options {
			for _, f := range o.Facts {
				if !record.ValidKind(f.Kind) {
					errs = append(errs, fmt.Sprintf("question %s option %s: unknown kind %q", x.ID, o.Label, f.Kind))
				}
			}
		}
	}
	for _, k := range []string{"who", "who.child", "list_sep", "clause_sep", "end", "unknown_complaint"} {
		if q.Draft[k] == "" {
			errs = append(errs, "draft phrase "+k+" missing")
		}
	}
	if iv.questions[ChiefID] == nil || len(q.Opening) == 0 || !slices.Contains(q.Opening, ChiefID) {
		errs = append(errs, "the opening must ask "+ChiefID)
	}
	h, err := record.NewHeadings(q.Headings)
	if err != nil {
		errs = append(errs, err.Error())
	} else if m := h.Missing(); len(m) > 0 {
		errs = append(errs, "headings missing: "+strings.Join(m, ", "))
	}
	if q.You == "" || q.ProxyChild == "" || q.ProxyAdult == "" {
		errs = append(errs, "you, proxy.child and proxy.adult are needed")
	}
	iv.headings = h
	if len(errs) > 0 {
		slices.Sort(errs)
		return nil, fmt.Errorf("preconsult: %s", strings.Join(errs, "; "))
	}
	return iv, nil
}

// Headings returns the record's headings and labels for the doctor.
func (iv *Interviewer) Headings() record.Headings { return iv.headings }

// Question returns a question by id.
func (iv *Interviewer) Question(id string) (*corpus.PCQuestion, bool) {
	q, ok := iv.questions[id]
	return q, ok
}

// State is an interview between turns, kept by the flow.
type State struct {
	Subject   record.Subject `json:"subject"`
	Facts     []record.Fact  `json:"facts"`
	Queue     []string       `json:"queue"`           // questions still to ask, in order
	Asked     []string       `json:"asked,omitempty"` // questions asked, in order
	Current   string         `json:"current,omitempty"`
	Complaint string         `json:"complaint,omitempty"` // the chief complaint's standard term
	Focus     string         `json:"focus,omitempty"`     // the complaint the module asks about, when another
	Planned   bool           `json:"planned,omitempty"`   // the module was chosen
	Turn      int            `json:"turn"`                // the patient's answers so far
	// Known is set for what the hospital passed (age, sex): not read from
	// the text over it.
	KnownAge bool `json:"known_age,omitempty"`
	KnownSex bool `json:"known_sex,omitempty"`
	// Child is set when the patient is a child though the age is unknown
	// (我家宝宝, 孩子).
	Child bool `json:"child,omitempty"`
}

// Start begins an interview for a subject (what the hospital passed, or
// nothing).
func (iv *Interviewer) Start(s record.Subject) *State {
	st := &State{Subject: s, Queue: slices.Clone(iv.q.Opening), KnownAge: s.Age > 0 || s.Months > 0, KnownSex: s.Sex != ""}
	st.Child = s.Months > 0 || s.Age > 0 && s.Age < 14
	if s.Pregnant {
		// From the hospital's profile (turn 0): not asked again.
		st.Facts = append(st.Facts, record.Fact{Kind: record.KindObstetric, Name: pregnantName, Status: record.Present})
	}
	return st
}

// Next returns the next question to ask, or false when the interview is
// over. It sets st.Current.
func (iv *Interviewer) Next(st *State) (*corpus.PCQuestion, bool) {
	for len(st.Queue) > 0 {
		id := st.Queue[0]
		st.Queue = st.Queue[1:]
		q, ok := iv.questions[id]
		if !ok || slices.Contains(st.Asked, id) {
			continue
		}
		if !iv.applies(st, q) {
			continue
		}
		if len(st.Asked) >= iv.q.MaxQuestions && !q.Required {
			continue
		}
		st.Current = id
		st.Asked = append(st.Asked, id)
		return q, true
	}
	st.Current = ""
	return nil, false
}

// applies reports whether a question fits the patient and is not already
// answered.
func (iv *Interviewer) applies(st *State, q *corpus.PCQuestion) bool {
	if !st.fits(q.When) {
		return false
	}
	if m := iv.module[q.ID]; m != nil && !st.fits(m.When) {
		return false
	}
	for _, k := range q.SkipIf {
		if st.knows(k, st.focus()) {
			return false
		}
	}
	if q.ID == BasicsID {
		return !(st.KnownSex && st.KnownAge)
	}
	return true
}

// fits reports whether the patient passes a condition. A condition on sex
// needs the sex known (the basics question asks it when the hospital did
// not pass it); an unknown age passes unless the patient is known to be a child (no
// smoking question) or not known to be one (no vaccination question).
func (st *State) fits(w corpus.PCWhen) bool {
	s := st.Subject
	if w.Sex != "" && s.Sex != w.Sex {
		return false // an unknown sex too: no one is asked about menstruation by chance
	}
	if s.Age == 0 && s.Months == 0 {
		if st.Child {
			return w.MinAge < 14
		}
		return w.MaxAge == 0 || w.MaxAge >= 14
	}
	age := s.Age
	if w.MinAge > 0 && age < w.MinAge {
		return false
	}
	if w.MaxAge > 0 && age > w.MaxAge {
		return false
	}
	return true
}

// focus is the complaint the questions ask about: the module's, else the
// chief complaint.
func (st *State) focus() string {
	if st.Focus != "" {
		return st.Focus
	}
	return st.Complaint
}

// knows reports whether a fact of this kind is known, about the
// complaint or in general.
func (st *State) knows(kind, of string) bool {
	for _, f := range st.Facts {
		if f.Kind == kind && (f.Of == "" || f.Of == of || of == "") {
			return true
		}
	}
	return false
}

// Ask returns the words of a question for this subject: {who} and
// {symptom} filled, the proxy wording when someone answers for the
// patient.
func (iv *Interviewer) Ask(st *State, q *corpus.PCQuestion) string {
	text := q.Ask
	if st.Subject.Proxy && q.AskProxy != "" {
		text = q.AskProxy
	}
	who := iv.q.You
	if st.Subject.Proxy {
		who = iv.q.ProxyAdult
		if st.isChild() {
			who = iv.q.ProxyChild
		}
	}
	symptom := st.focus()
	if symptom == "" {
		symptom = iv.draft["unknown_complaint"]
	}
	return strings.NewReplacer("{who}", who, "{symptom}", symptom).Replace(text)
}

// isChild reports whether the patient is a child (under 14), as far as is
// known.
func (st *State) isChild() bool {
	s := st.Subject
	return s.Months > 0 || s.Age > 0 && s.Age < 14 || s.Age == 0 && st.Child
}

// plan chooses, once the chief complaint is known, the questions after
// the opening: the complaint's module (or the generic questions), a few of
// a second complaint's module, then the closing questions.
func (iv *Interviewer) plan(st *State) {
	st.Planned = true
	var complaints []string
	for _, f := range st.Facts {
		if f.Kind == record.KindSymptom && f.Status == record.Present && !slices.Contains(complaints, f.Name) {
			complaints = append(complaints, f.Name)
		}
	}
	if len(complaints) == 0 {
		for _, f := range st.Facts {
			if f.Kind == record.KindCondition && f.Status == record.Present {
				complaints = append(complaints, f.Name)
				break
			}
		}
	}
	if len(complaints) > 0 {
		st.Complaint = complaints[0]
	}
	var rest []string
	first := iv.moduleFor(st, complaints, nil)
	if first == nil {
		rest = append(rest, iv.q.Generic...)
	} else {
		if !slices.Contains(first.Complaints, st.Complaint) {
			for _, c := range complaints {
				if slices.Contains(first.Complaints, c) {
					st.Focus = c
					break
				}
			}
		}
		rest = append(rest, iv.take(st, first, iv.q.ModuleQuestions)...)
		if second := iv.moduleFor(st, complaints[1:], first); second != nil && iv.q.SecondModule > 0 {
			rest = append(rest, iv.take(st, second, iv.q.SecondModule)...)
		}
	}
	rest = append(rest, iv.q.Closing...)
	st.Queue = append(st.Queue, rest...)
}

// take returns up to n questions of a module that fit the subject.
func (iv *Interviewer) take(st *State, m *corpus.PCModule, n int) []string {
	var ids []string
	for _, q := range m.Questions {
		if len(ids) == n {
			break
		}
		if st.fits(q.When) && !iv.followUps[q.ID] && !slices.ContainsFunc(q.SkipIf, func(k string) bool { return st.knows(k, st.focus()) }) {
			ids = append(ids, q.ID)
		}
	}
	return ids
}

// moduleFor returns the first module, other than not, whose complaints
// hold the earliest complaint that has one.
func (iv *Interviewer) moduleFor(st *State, complaints []string, not *corpus.PCModule) *corpus.PCModule {
	for _, c := range complaints {
		for i := range iv.q.Modules {
			m := &iv.q.Modules[i]
			if m != not && slices.Contains(m.Complaints, c) && st.fits(m.When) {
				return m
			}
		}
	}
	return nil
}
