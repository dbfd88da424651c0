// Package triage recommends where a patient should register (智能导诊)
// from what they say: it finds the symptoms, conditions, body parts and
// patient attributes in the text, scores the hospital's departments from
// the symptom knowledge and the catalogue (corpus/triage.yaml,
// corpus/departments.yaml), applies the discriminating rules, sends
// children to the paediatric departments, and returns the top three with
// their reasons, a confidence and an urgency level. When the top choices
// are close it names the one question whose answer would change them.
//
// It never names a disease: reasons quote what the patient said.
package triage

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/zh"
)

// Urgency levels, lowest first (Infermedica's triage levels in spirit).
const (
	SelfCare  = "self_care"
	Routine   = "routine"
	Within24h = "within_24h"
	Emergency = "emergency"
)

func urgencyRank(u string) int {
	for i, v := range corpus.Urgencies {
		if v == u {
			return i
		}
	}
	return 1 // routine
}

// Profile is what the hospital passes about the patient with a message.
// Zero values mean unknown.
type Profile struct {
	Age      int    // years; 0 = unknown (a baby under one year: use AgeMonths)
	Months   int    // age in months for babies; 0 = unknown
	Sex      string // "male", "female" or ""
	Pregnant bool
}

// Facts is what is known about the patient's problem: the terms found in
// their messages and answers, with polarity, and their attributes.
type Facts struct {
	Present []string `json:"present,omitempty"` // terms and attributes, in order of mention
	Absent  []string `json:"absent,omitempty"`  // denied: 不发烧, or answered "没有"
	Asked   []string `json:"asked,omitempty"`   // question ids already asked
	Age     float64  `json:"age,omitempty"`     // years, when said or passed (0.5 = six months)
	// Model holds the trainable layer's department probabilities, when one
	// is configured: the highest seen over the messages.
	Model map[string]float64 `json:"model,omitempty"`
	// Said keeps the patient's own words for each term (拉肚子 for 腹泻), so
	// that a reason quotes them rather than a medical term they never used.
	Said map[string]string `json:"said,omitempty"`
	// Partial holds the character pairs of the messages that no whole
	// word covered, for partial evidence.
	Partial []string        `json:"partial,omitempty"`
	present map[string]bool // lazily built
}

// Has reports whether a term or attribute is present.
func (f *Facts) Has(term string) bool {
	if f.present == nil {
		f.present = map[string]bool{}
		for _, t := range f.Present {
			f.present[t] = true
		}
	}
	return f.present[term]
}

// Denied reports whether a term was denied.
func (f *Facts) Denied(term string) bool {
	for _, t := range f.Absent {
		if t == term {
			return true
		}
	}
	return false
}

// Add records terms as present, unless already known either way.
func (f *Facts) Add(terms ...string) {
	for _, t := range terms {
		if !f.Has(t) && !f.Denied(t) {
			f.Present = append(f.Present, t)
			f.present[t] = true
		}
	}
}

// Deny records terms as absent, unless already known either way.
func (f *Facts) Deny(terms ...string) {
	for _, t := range terms {
		if !f.Has(t) && !f.Denied(t) {
			f.Absent = append(f.Absent, t)
		}
	}
}

// Merge adds what other knows (a later message) to f; a later statement
// never overturns an earlier one except that a new mention of a denied
// term makes it present (the patient corrected themselves).
func (f *Facts) Merge(o Facts) {
	for t, w := range o.Said {
		if f.Said == nil {
			f.Said = map[string]string{}
		}
		if _, ok := f.Said[t]; !ok {
			f.Said[t] = w
		}
	}
	for _, bg := range o.Partial {
		if !contains(f.Partial, bg) {
			f.Partial = append(f.Partial, bg)
		}
	}
	for _, t := range o.Present {
		if f.Denied(t) {
			f.Absent = remove(f.Absent, t)
		}
		f.Add(t)
	}
	f.Deny(o.Absent...)
	for id, p := range o.Model {
		if f.Model == nil {
			f.Model = map[string]float64{}
		}
		if p > f.Model[id] {
			f.Model[id] = p
		}
	}
	if o.Age > 0 {
		f.Age = o.Age
	}
}

func remove(list []string, s string) []string {
	out := list[:0]
	for _, v := range list {
		if v != s {
			out = append(out, v)
		}
	}
	return out
}

// Choice is one recommended department.
type Choice struct {
	Department *corpus.Department
	Score      float64
	// Probability is the department's share of the softmax over scores.
	Probability float64
	// Because lists the patient's own words that point here, strongest
	// first (at most three): as they wrote them, or the option they chose.
	Because []string
	// Rule is the reason of the discriminating rule that counted most for
	// this department, when one did.
	Rule string
	// ForChild is set when the department was chosen because the patient
	// is a child (an adult department's patients sent to paediatrics).
	ForChild bool
}

// Recommendation is the recommender's answer for what is known so far.
type Recommendation struct {
	Choices []Choice // best first, at most three
	Others  []Choice // the next three, for a patient who wants another option
	Urgency string   // one of the urgency constants
	// Confidence is the top choice's probability.
	Confidence float64
	// Vague is set when nothing in the facts points to any department:
	// the choices are only the general fallback.
	Vague bool
	// Question is the question whose answer would change the top choice,
	// when the top two are close and fewer than MaxQuestions were asked.
	Question *corpus.TriageQuestion
}

// Config tunes the recommender.
type Config struct {
	// Margin: the top two are close when their probabilities differ by
	// less than this (default 0.25).
	Margin float64
	// MaxQuestions bounds the questions asked in one triage (default 3).
	MaxQuestions int
	// Temperature of the softmax over scores (default 2).
	Temperature float64
	// Trained is an optional trainable layer (Train); its probability for
	// a department, times TrainedWeight (default 4), adds to the score.
	Trained       *Trained
	TrainedWeight float64
}

// Recommender scores departments. It is immutable and safe for concurrent
// use.
type Recommender struct {
	k        *corpus.Triage
	cfg      Config
	lex      *zh.Lexicon
	depts    []*corpus.Department
	byID     map[string]int
	weights  map[string][]weight // term → departments
	urgency  map[string]string   // symptom → its urgency
	children []int               // department → the department its child patients go to (-1: itself)
	general  int                 // the fallback department, -1 when the hospital has none
	emerg    int                 // the emergency department
	attrs    []attrPhrase
	useful   map[string]bool     // terms that count: weighted, in a rule or a question
	bigrams  map[string][]weight // partial evidence: a bigram of weighted words → departments
	triggers map[string][]int    // term → the rules that can fire only when it is present
}

type weight struct {
	dept int
	w    float64
	body bool // a body part's weight, halved unless a finding is there (肺上 … 结节)
}

type attrPhrase struct {
	attr, phrase string
}

// New builds a recommender from triage knowledge fitted to a hospital
// (corpus.LoadTriage) and the lexicon it was validated against.
func New(k *corpus.Triage, lexicon []corpus.Term, cfg Config) (*Recommender, error) {
	if cfg.Margin <= 0 {
		cfg.Margin = 0.25
	}
	if cfg.MaxQuestions <= 0 {
		cfg.MaxQuestions = 3
	}
	if cfg.Temperature <= 0 {
		cfg.Temperature = 2
	}
	if cfg.TrainedWeight <= 0 {
		cfg.TrainedWeight = 4
	}
	k = normalized(k)
	r := &Recommender{k: k, cfg: cfg, lex: zh.NewLexicon(lexicon), byID: map[string]int{},
		weights: map[string][]weight{}, urgency: map[string]string{}, general: -1, emerg: -1}
	for i := range k.Departments {
		d := &k.Departments[i]
		r.byID[d.ID] = i
		r.depts = append(r.depts, d)
	}
	r.children = make([]int, len(r.depts))
	for i, d := range r.depts {
		r.children[i] = -1
		if j, ok := r.byID[d.Children]; ok {
			r.children[i] = j
		}
		// A body part alone is weak evidence (a rash on the knee is not
		// the knee's clinic): half weight.
		part := func(t string) float64 {
			if r.isBody(t) {
				return 0.5
			}
			return 1
		}
		if d.Term != "" {
			t := zh.Normalize(d.Term)
			r.weights[t] = append(r.weights[t], weight{dept: i, w: corpus.NamedWeight})
		}
		for _, t := range d.Takes {
			r.weights[t] = append(r.weights[t], weight{i, corpus.TakesWeight * part(t), r.isBody(t)})
		}
		for _, t := range d.Shares {
			r.weights[t] = append(r.weights[t], weight{i, corpus.SharesWeight * part(t), r.isBody(t)})
		}
	}
	for _, s := range k.Symptoms {
		for id, w := range s.Departments {
			r.weights[s.Term] = append(r.weights[s.Term], weight{dept: r.byID[id], w: w})
		}
		if s.Urgency != "" {
			r.urgency[s.Term] = s.Urgency
		}
	}
	for t := range r.weights { // a fixed order, so equal scores rank the same way every run
		sort.Slice(r.weights[t], func(a, b int) bool { return r.weights[t][a].dept < r.weights[t][b].dept })
	}
	if i, ok := r.byID["general_practice"]; ok {
		r.general = i
	}
	i, ok := r.byID["emergency"]
	if !ok {
		return nil, fmt.Errorf("triage: the catalogue has no emergency department")
	}
	r.emerg = i
	r.buildBigrams(lexicon)
	r.triggers = map[string][]int{}
	for i, ru := range k.Rules { // a rule needs its first all term, or one of its any terms
		keys := ru.Any
		if len(ru.All) > 0 {
			keys = ru.All[:1]
		}
		for _, t := range keys {
			r.triggers[t] = append(r.triggers[t], i)
		}
	}
	r.useful = map[string]bool{}
	for _, t := range k.SiteFindings {
		r.useful[t] = true
	}
	for t := range r.weights {
		r.useful[t] = true
	}
	for _, ru := range k.Rules {
		for _, t := range append(append(append([]string(nil), ru.All...), ru.Any...), ru.Not...) {
			r.useful[t] = true
		}
	}
	for _, q := range k.Questions {
		for _, o := range q.Options {
			for _, t := range o.Adds {
				r.useful[t] = true
			}
		}
	}
	for _, a := range corpus.Attributes {
		for _, p := range k.Attributes[a] {
			r.attrs = append(r.attrs, attrPhrase{a, zh.Normalize(p)})
		}
	}
	return r, nil
}

// normalized returns a copy of the knowledge whose terms are written as
// the lexicon matcher returns them (zh.Normalize: HPV感染 → hpv感染).
func normalized(k *corpus.Triage) *corpus.Triage {
	c := *k
	norm := func(list []string) []string {
		out := make([]string, len(list))
		for i, t := range list {
			out[i] = zh.Normalize(t)
		}
		return out
	}
	c.Departments = append([]corpus.Department(nil), k.Departments...)
	for i := range c.Departments {
		c.Departments[i].Takes = norm(c.Departments[i].Takes)
		c.Departments[i].Shares = norm(c.Departments[i].Shares)
	}
	c.Symptoms = append([]corpus.TriageSymptom(nil), k.Symptoms...)
	for i := range c.Symptoms {
		c.Symptoms[i].Term = zh.Normalize(c.Symptoms[i].Term)
	}
	c.Rules = append([]corpus.TriageRule(nil), k.Rules...)
	for i := range c.Rules {
		c.Rules[i].All, c.Rules[i].Any, c.Rules[i].Not = norm(c.Rules[i].All), norm(c.Rules[i].Any), norm(c.Rules[i].Not)
	}
	c.SiteFindings = norm(k.SiteFindings)
	c.Questions = append([]corpus.TriageQuestion(nil), k.Questions...)
	for i := range c.Questions {
		c.Questions[i].When, c.Questions[i].Unless = norm(c.Questions[i].When), norm(c.Questions[i].Unless)
		c.Questions[i].Options = append([]corpus.TriageOption(nil), c.Questions[i].Options...)
		for j := range c.Questions[i].Options {
			c.Questions[i].Options[j].Adds = norm(c.Questions[i].Options[j].Adds)
		}
	}
	return &c
}

// BigramWeight scales partial evidence: a pair of characters that belongs
// to the weighted words of one department (恶露 of 恶露不尽) counts for
// it even when no whole word matched.
const BigramWeight = 0.6

// buildBigrams spreads every weighted word's departments over the
// character pairs of its surface forms (the term and its aliases), and
// keeps for each pair its departments' shares times how specific the pair
// is (its largest share), so that 疼痛 counts for nothing much and 恶露
// for 产科.
func (r *Recommender) buildBigrams(lexicon []corpus.Term) {
	surfaces := map[string][]string{}
	for _, e := range lexicon {
		t := zh.Normalize(e.Term)
		if _, ok := r.weights[t]; !ok {
			continue
		}
		surfaces[t] = append(surfaces[t], t)
		for _, a := range e.Aliases {
			surfaces[t] = append(surfaces[t], zh.Normalize(a))
		}
	}
	cnt := map[string]map[int]float64{}
	for t, ss := range surfaces {
		seen := map[string]bool{}
		for _, sf := range ss {
			for _, bg := range hanBigrams(sf) {
				if seen[bg] {
					continue
				}
				seen[bg] = true
				if cnt[bg] == nil {
					cnt[bg] = map[int]float64{}
				}
				for _, w := range r.weights[t] {
					if w.w > 0 {
						cnt[bg][w.dept] += w.w
					}
				}
			}
		}
	}
	r.bigrams = map[string][]weight{}
	for bg, m := range cnt {
		sum, max := 0.0, 0.0
		for _, v := range m {
			sum += v
			if v > max {
				max = v
			}
		}
		spec := max / sum
		for d, v := range m {
			r.bigrams[bg] = append(r.bigrams[bg], weight{dept: d, w: v / sum * spec})
		}
		sort.Slice(r.bigrams[bg], func(a, b int) bool { return r.bigrams[bg][a].dept < r.bigrams[bg][b].dept })
	}
}

// functionChars carry grammar, not content: a pair holding one (一阵,
// 了两, 不是) is no evidence of anything.
const functionChars = "的了是不有一二两三四五六七八九十几个次天周月年还就都也很太又再才和与或在我你他她它这那吗呢吧啊么什怎样会要能可以没得着过把被让给对说想去来上下里后前多少些点"

// hanBigrams returns the pairs of adjacent Chinese characters of s that
// hold no function character.
func hanBigrams(s string) []string {
	var out []string
	var prev rune
	for _, c := range s {
		if zh.IsHan(c) && prev != 0 && !strings.ContainsRune(functionChars, prev) && !strings.ContainsRune(functionChars, c) {
			out = append(out, string(prev)+string(c))
		}
		if zh.IsHan(c) {
			prev = c
		} else {
			prev = 0
		}
	}
	return out
}

// Department returns a department of the hospital by id.
func (r *Recommender) Department(id string) (*corpus.Department, bool) {
	i, ok := r.byID[id]
	if !ok {
		return nil, false
	}
	return r.depts[i], true
}

// Departments returns the hospital's departments.
func (r *Recommender) Departments() []*corpus.Department { return r.depts }

// Question returns a question by id.
func (r *Recommender) Question(id string) (*corpus.TriageQuestion, bool) {
	for i := range r.k.Questions {
		if r.k.Questions[i].ID == id {
			return &r.k.Questions[i], true
		}
	}
	return nil, false
}

// ChildAge is the age under which patients see paediatric departments.
func (r *Recommender) ChildAge() int { return r.k.ChildAge }

// Lexicon returns the words the recommender reads with (the whole corpus
// lexicon), for other readers of the same messages to share.
func (r *Recommender) Lexicon() *zh.Lexicon { return r.lex }

// OffersPreconsult reports whether the hospital offers the
// pre-consultation after a recommendation.
func (r *Recommender) OffersPreconsult() bool { return r.k.Preconsult }

// Extract reads a message (and the profile passed with it) into facts.
func (r *Recommender) Extract(text string, p Profile) Facts {
	text = zh.Normalize(text)
	var f Facts
	mentions := r.lex.FindAll(text)
	covered := make([]bool, len(text)+1)
	for _, m := range mentions {
		for i := m.Start; i < m.End; i++ {
			covered[i] = true
		}
	}
	seenBG := map[string]bool{}
	var prev rune
	prevAt := -1
	for i, c := range text {
		if zh.IsHan(c) && prev != 0 && !covered[prevAt] && !covered[i] {
			bg := string(prev) + string(c) // pairs with a function character are not in r.bigrams
			if _, ok := r.bigrams[bg]; ok && !seenBG[bg] && zh.PolarityAt(text, prevAt) != zh.Absent {
				seenBG[bg] = true
				f.Partial = append(f.Partial, bg)
			}
		}
		if zh.IsHan(c) {
			prev, prevAt = c, i
		} else {
			prev, prevAt = 0, -1
		}
	}
	for _, m := range mentions {
		if !r.useful[m.Term] {
			continue
		}
		switch zh.PolarityAt(text, m.Start) {
		case zh.Absent:
			f.Deny(m.Term)
		default:
			f.Add(m.Term)
			if f.Said == nil {
				f.Said = map[string]string{}
			}
			if _, ok := f.Said[m.Term]; !ok {
				f.Said[m.Term] = m.Surface
			}
		}
	}
	// Attributes said in the text, then the profile, which wins. Masked
	// phrases (生完孩子, 备孕) are blanked first: they name someone else.
	masked := text
	for _, m := range r.k.AttributeMasks {
		masked = strings.ReplaceAll(masked, zh.Normalize(m), strings.Repeat("_", len([]rune(m))))
	}
	var said []string
	for _, a := range r.attrs {
		if i := strings.Index(masked, a.phrase); i >= 0 && zh.PolarityAt(masked, i) != zh.Absent {
			said = append(said, a.attr)
		}
	}
	age := findAge(masked, r.k.ChildAge, contains(said, corpus.AttrChild))
	switch {
	case p.Months > 0:
		age = float64(p.Months) / 12
	case p.Age > 0:
		age = float64(p.Age)
	}
	if age > 0 {
		f.Age = age
		said = removeAll(said, corpus.AttrChild, corpus.AttrElderly)
		switch {
		case age < float64(r.k.ChildAge):
			said = append(said, corpus.AttrChild)
		case age >= 65:
			said = append(said, corpus.AttrElderly)
		}
	}
	if contains(said, corpus.AttrMale) && contains(said, corpus.AttrFemale) {
		said = removeAll(said, corpus.AttrMale, corpus.AttrFemale) // 我老公…我: whose?
	}
	switch p.Sex {
	case "male":
		said = append(removeAll(said, corpus.AttrFemale, corpus.AttrPregnant), corpus.AttrMale)
	case "female":
		said = append(removeAll(said, corpus.AttrMale), corpus.AttrFemale)
	}
	if p.Pregnant {
		said = append(said, corpus.AttrPregnant, corpus.AttrFemale)
	}
	if contains(said, corpus.AttrPregnant) && !contains(said, corpus.AttrMale) {
		said = append(said, corpus.AttrFemale)
	}
	f.Add(said...)
	if r.cfg.Trained != nil {
		f.Model = r.cfg.Trained.departments(text)
	}
	return f
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func removeAll(list []string, drop ...string) []string {
	var out []string
	for _, v := range list {
		if !contains(drop, v) {
			out = append(out, v)
		}
	}
	return out
}

// scored is the state of one scoring: department scores and why.
type scored struct {
	score   []float64
	because [][]termWeight
	rule    []ruleBoost
	urgency string
	child   []bool
	vague   bool
}

type termWeight struct {
	term string
	w    float64
}

type ruleBoost struct {
	reason string
	w      float64
}

func (r *Recommender) score(f *Facts) *scored {
	n := len(r.depts)
	s := &scored{score: make([]float64, n), because: make([][]termWeight, n), rule: make([]ruleBoost, n), child: make([]bool, n), urgency: ""}
	top := -1
	finding := false // a lump or nodule: the body part it is in decides
	for _, t := range r.k.SiteFindings {
		if f.Has(t) {
			finding = true
		}
	}
	for _, t := range f.Present {
		ws := r.weights[t]
		for _, w := range ws {
			v := w.w
			if w.body && finding {
				v *= 2
			}
			s.score[w.dept] += v
			s.because[w.dept] = append(s.because[w.dept], termWeight{t, v})
		}
		if u, ok := r.urgency[t]; ok && urgencyRank(u) > top {
			top, s.urgency = urgencyRank(u), u
		}
	}
	for id, p := range f.Model {
		if d, ok := r.byID[id]; ok {
			s.score[d] += r.cfg.TrainedWeight * p
		}
	}
	partial := make([]float64, n)
	for _, bg := range f.Partial {
		for _, w := range r.bigrams[bg] {
			partial[w.dept] += BigramWeight * w.w
		}
	}
	for d, v := range partial {
		s.score[d] += v
	}
	matched := false
	for i := range s.score {
		if s.score[i]-partial[i] > 0 || partial[i] >= BigramWeight {
			matched = true
		}
	}
	for _, i := range r.candidates(f) {
		ru := &r.k.Rules[i]
		if !r.fires(ru, f) {
			continue
		}
		// The reason is written for the department the rule favours most
		// (it may name it); the others it boosts keep their own reasons.
		most := 0.0
		for _, w := range ru.Departments {
			most = math.Max(most, w)
		}
		for id, w := range ru.Departments {
			d := r.byID[id]
			s.score[d] += w
			if w == most && w > s.rule[d].w {
				s.rule[d] = ruleBoost{ru.Reason, w}
			}
			if w > 0 {
				matched = true
			}
		}
		if ru.Urgency != "" && urgencyRank(ru.Urgency) > top {
			top, s.urgency = urgencyRank(ru.Urgency), ru.Urgency
		}
	}
	if s.urgency == "" {
		s.urgency = Routine
	}
	// Who the patient is: departments they cannot see drop out, children
	// go where the hospital sends them.
	child := f.Has(corpus.AttrChild)
	for i, d := range r.depts {
		out := d.Sex == "female" && f.Has(corpus.AttrMale) ||
			d.Sex == "male" && f.Has(corpus.AttrFemale) ||
			d.MinAge > 0 && f.Age > 0 && f.Age < float64(d.MinAge) ||
			d.MinAge > 0 && child ||
			d.Patients == "children" && !child && (f.Age > 0 || f.Has(corpus.AttrElderly))
		if out {
			s.score[i] = math.Inf(-1)
		}
	}
	if child {
		for i := range r.depts {
			j := r.children[i]
			if j < 0 || s.score[i] <= 0 || math.IsInf(s.score[i], -1) {
				continue
			}
			if !math.IsInf(s.score[j], -1) {
				s.score[j] += s.score[i]
				s.because[j] = append(s.because[j], s.because[i]...)
				s.child[j] = true
				if s.rule[i].w > s.rule[j].w {
					s.rule[j] = s.rule[i]
				}
			}
			s.score[i] = math.Inf(-1)
		}
	}
	if !matched {
		// Nothing whole pointed anywhere: the general clinic, unless the
		// partial evidence (大便 … 鲜血) points somewhere more strongly.
		s.vague = true
		if r.general >= 0 && !math.IsInf(s.score[r.general], -1) {
			s.score[r.general] += BigramWeight / 2
		}
	}
	return s
}

func (r *Recommender) fires(ru *corpus.TriageRule, f *Facts) bool {
	for _, t := range ru.All {
		if !f.Has(t) {
			return false
		}
	}
	if len(ru.Any) > 0 {
		any := false
		for _, t := range ru.Any {
			if f.Has(t) {
				any = true
				break
			}
		}
		if !any {
			return false
		}
	}
	for _, t := range ru.Not {
		if f.Has(t) {
			return false
		}
	}
	return true
}

// ranked returns department indexes by score, best first, with softmax
// probabilities.
func (r *Recommender) ranked(s *scored) ([]int, []float64) {
	idx := make([]int, 0, len(s.score))
	for i, v := range s.score {
		if v > 0 {
			idx = append(idx, i)
		}
	}
	sort.SliceStable(idx, func(a, b int) bool { return s.score[idx[a]] > s.score[idx[b]] })
	probs := make([]float64, len(idx))
	if len(idx) == 0 {
		return idx, probs
	}
	max, sum := s.score[idx[0]], 0.0
	for k, i := range idx {
		probs[k] = math.Exp((s.score[i] - max) / r.cfg.Temperature)
		sum += probs[k]
	}
	for k := range probs {
		probs[k] /= sum
	}
	return idx, probs
}

// Recommend ranks the departments for what is known.
func (r *Recommender) Recommend(f Facts) Recommendation {
	s := r.score(&f)
	idx, probs := r.ranked(s)
	rec := Recommendation{Urgency: s.urgency, Vague: s.vague}
	if rec.Urgency == Emergency { // the emergency room among the first three
		at := -1
		for k, i := range idx {
			if i == r.emerg {
				at = k
			}
		}
		if at < 0 || at > 2 {
			if at > 2 {
				idx = append(idx[:at], idx[at+1:]...)
				probs = append(probs[:at], probs[at+1:]...)
			}
			pos := min(len(idx), 1)
			idx = append(idx[:pos], append([]int{r.emerg}, idx[pos:]...)...)
			probs = append(probs[:pos], append([]float64{0}, probs[pos:]...)...)
		}
	}
	for k, i := range idx {
		if k == 6 {
			break
		}
		because := strongest(s.because[i], r.isDepartment)
		for j, t := range because {
			if w, ok := f.Said[t]; ok {
				because[j] = w
			}
		}
		c := Choice{Department: r.depts[i], Score: s.score[i],
			Probability: probs[k], Because: because, Rule: s.rule[i].reason, ForChild: s.child[i]}
		if k < 3 {
			rec.Choices = append(rec.Choices, c)
		} else {
			rec.Others = append(rec.Others, c)
		}
	}
	if len(rec.Choices) > 0 {
		rec.Confidence = rec.Choices[0].Probability
	}
	if s.vague {
		rec.Confidence = 0
	}
	if rec.Urgency != Emergency && !s.vague && len(f.Asked) < r.cfg.MaxQuestions &&
		len(probs) > 1 && probs[0]-probs[1] < r.cfg.Margin {
		rec.Question = r.nextQuestion(f, idx[0])
	}
	return rec
}

// strongest returns up to three distinct terms by weight, leaving out
// those skip rejects.
func strongest(tw []termWeight, skip func(string) bool) []string {
	sort.SliceStable(tw, func(a, b int) bool { return tw[a].w > tw[b].w })
	var out []string
	for _, t := range tw {
		if !contains(out, t.term) && !contains(corpus.Attributes, t.term) && !skip(t.term) {
			out = append(out, t.term)
		}
		if len(out) == 3 {
			break
		}
	}
	return out
}

// nextQuestion returns the question whose answers lead to the most
// different top departments (at least two), first in the knowledge's order
// on ties. A question counts only when it bears on what the patient said:
// an answer fires a rule that involves a complaint already present, or
// rules out the department now on top (a man cannot be sent to 妇科).
// Questions already asked, or whose answer is known, are skipped.
func (r *Recommender) nextQuestion(f Facts, top int) *corpus.TriageQuestion {
	before := r.firing(&f)
	var best *corpus.TriageQuestion
	bestN := 1
	for qi := range r.k.Questions {
		q := &r.k.Questions[qi]
		if contains(f.Asked, q.ID) || r.known(q, &f) || !r.applies(q, &f) {
			continue
		}
		tops := map[int]bool{}
		bears := false
		for _, o := range q.Options {
			g := f.Clone()
			Answer(&g, q, o)
			s := r.score(&g)
			if math.IsInf(s.score[top], -1) {
				bears = true
			}
			for _, i := range r.candidates(&g) {
				if !before[i] && r.fires(&r.k.Rules[i], &g) && r.involves(&r.k.Rules[i], &f) {
					bears = true
				}
			}
			idx, _ := r.ranked(s)
			if len(idx) > 0 {
				tops[idx[0]] = true
			}
		}
		if bears && len(tops) > bestN {
			best, bestN = q, len(tops)
		}
	}
	return best
}

// isBody reports whether a term is a body part.
func (r *Recommender) isBody(term string) bool {
	typ, _ := r.lex.TypeOf(term)
	return typ == "body"
}

// isDepartment reports whether a term names a department (a patient's
// 想挂眼科 is not a reason to repeat).
func (r *Recommender) isDepartment(term string) bool {
	typ, _ := r.lex.TypeOf(term)
	return typ == "department"
}

// applies reports whether a question's conditions hold.
func (r *Recommender) applies(q *corpus.TriageQuestion, f *Facts) bool {
	for _, t := range q.When {
		if !f.Has(t) {
			return false
		}
	}
	for _, t := range q.Unless {
		if f.Has(t) {
			return false
		}
	}
	return true
}

// firing returns which rules fire on f.
func (r *Recommender) firing(f *Facts) map[int]bool {
	out := map[int]bool{}
	for _, i := range r.candidates(f) {
		if r.fires(&r.k.Rules[i], f) {
			out[i] = true
		}
	}
	return out
}

// candidates returns, in file order, the rules that may fire on f: those
// triggered by a present term.
func (r *Recommender) candidates(f *Facts) []int {
	var out []int
	seen := map[int]bool{}
	for _, t := range f.Present {
		for _, i := range r.triggers[t] {
			if !seen[i] {
				seen[i] = true
				out = append(out, i)
			}
		}
	}
	sort.Ints(out)
	return out
}

// involves reports whether a rule names a complaint (not an attribute)
// that f holds.
func (r *Recommender) involves(ru *corpus.TriageRule, f *Facts) bool {
	for _, list := range [][]string{ru.All, ru.Any} {
		for _, t := range list {
			if f.Has(t) && !contains(corpus.Attributes, t) {
				return true
			}
		}
	}
	return false
}

// known reports whether a question's answer is already known: one of its
// options' terms is present or denied.
func (r *Recommender) known(q *corpus.TriageQuestion, f *Facts) bool {
	for _, o := range q.Options {
		for _, t := range o.Adds {
			if f.Has(t) || f.Denied(t) {
				return true
			}
			if f.Age > 0 && (t == corpus.AttrChild || t == corpus.AttrElderly) {
				return true // the age is known, so is the age group
			}
		}
	}
	return false
}

// Clone returns a copy that shares nothing with f.
func (f *Facts) Clone() Facts {
	return Facts{Present: append([]string(nil), f.Present...), Absent: append([]string(nil), f.Absent...),
		Asked: append([]string(nil), f.Asked...), Age: f.Age, Model: f.Model, Partial: f.Partial, Said: f.Said}
}

// Answer records the answer to a question: the option's terms become
// present, and the terms of every other option denied (answering 没有 to
// "有没有受过外伤？" denies 外伤).
func Answer(f *Facts, q *corpus.TriageQuestion, o corpus.TriageOption) {
	f.Asked = append(f.Asked, q.ID)
	f.Add(o.Adds...)
	for _, other := range q.Options {
		if other.Label == o.Label {
			continue
		}
		for _, t := range other.Adds {
			if !contains(o.Adds, t) && !contains(corpus.Attributes, t) {
				f.Deny(t)
			}
		}
	}
}

// Choose matches a reply to one of a question's options: the label itself,
// or an option whose terms the reply mentions. ok is false when the reply
// does not answer the question.
func (r *Recommender) Choose(q *corpus.TriageQuestion, reply string) (corpus.TriageOption, bool) {
	text := zh.Normalize(strings.TrimSpace(reply))
	for _, o := range q.Options {
		if text == zh.Normalize(o.Label) {
			return o, true
		}
	}
	said := r.Extract(text, Profile{})
	for _, o := range q.Options {
		for _, t := range o.Adds {
			if said.Has(t) {
				return o, true
			}
		}
	}
	// "是的，有" / "没有哦": a short reply containing a label, the longest
	// label first so that 没有 is not read as 有.
	if len([]rune(text)) > 8 {
		return corpus.TriageOption{}, false
	}
	opts := append([]corpus.TriageOption(nil), q.Options...)
	sort.SliceStable(opts, func(a, b int) bool { return len(opts[a].Label) > len(opts[b].Label) })
	for _, o := range opts {
		if l := zh.Normalize(o.Label); l != "" && strings.Contains(text, l) {
			return o, true
		}
	}
	return corpus.TriageOption{}, false
}

// Load builds the recommender for a hospital from the embedded knowledge.
func Load(h *corpus.Hospital, cfg Config) (*Recommender, error) {
	k, err := corpus.LoadTriage(h)
	if err != nil {
		return nil, err
	}
	lex, err := corpus.Lexicon()
	if err != nil {
		return nil, err
	}
	return New(k, lex, cfg)
}

// FollowUp tells what a message following a recommendation asks for:
// "another" (换一个科室), "where" (科室在哪), or "".
func (r *Recommender) FollowUp(text string) string {
	text = zh.Normalize(text)
	for _, kind := range []string{"where", "another"} {
		for _, p := range r.k.FollowUps[kind] {
			if strings.Contains(text, zh.Normalize(p)) {
				return kind
			}
		}
	}
	return ""
}

// Named returns the hospital's department a message names (心内科, 看眼科),
// if any.
func (r *Recommender) Named(text string) (*corpus.Department, bool) {
	for _, m := range r.lex.Find(zh.Normalize(text)) {
		if m.Type != "department" {
			continue
		}
		for _, d := range r.depts {
			if zh.Normalize(d.Term) == m.Term { // the catalogue's name, whatever the hospital calls it
				return d, true
			}
		}
	}
	for _, d := range r.depts { // the hospital's own name
		if strings.Contains(zh.Normalize(text), zh.Normalize(d.Name)) {
			return d, true
		}
	}
	return nil, false
}
