package corpus

import (
	"fmt"
	"sort"
	"strings"
)

// ---- Triage: the department catalogue and the symptom knowledge ----

// Department is one clinic of the catalogue (corpus/departments.yaml).
type Department struct {
	ID          string `yaml:"id"`
	Name        string `yaml:"name"`
	Group       string `yaml:"group"` // first-level grouping: 内科, 外科, 妇产科 ...
	Description string `yaml:"description"`
	Sex         string `yaml:"sex"`      // "", female or male: the only sex it sees
	MinAge      int    `yaml:"min_age"`  // years; 0 = none
	Patients    string `yaml:"patients"` // "" or children: sees only patients under the child age
	Children    string `yaml:"children"` // id of the department that sees children instead
	// Takes lists the conditions, body parts and requests for which this is
	// the usual department (weight 3); Shares those it also sees (weight 1).
	Takes  []string `yaml:"takes"`
	Shares []string `yaml:"shares"`

	// Term is the catalogue's name, the lexicon term patients' words for
	// the department map to, kept when the hospital renames it.
	Term string `yaml:"-"`

	// From the hospital profile.
	Location string `yaml:"-"`
	Hours    string `yaml:"-"`
	Register string `yaml:"-"` // registration link
}

// Weights of catalogue terms, and of a department the patient names
// (想挂眼科, 中医怎么治).
const (
	TakesWeight  = 3
	SharesWeight = 1
	NamedWeight  = 4
)

// TriageSymptom says which departments see a symptom (corpus/triage.yaml).
type TriageSymptom struct {
	Term        string             `yaml:"term"`
	Site        string             `yaml:"site"`
	Urgency     string             `yaml:"urgency"`
	Departments map[string]float64 `yaml:"departments"`
}

// TriageRule is a discriminating combination: when every All term, at
// least one Any term and no Not term is present, Departments are added to
// the scores and Urgency raises the level.
type TriageRule struct {
	ID          string             `yaml:"id"`
	All         []string           `yaml:"all"`
	Any         []string           `yaml:"any"`
	Not         []string           `yaml:"not"`
	Departments map[string]float64 `yaml:"departments"`
	Urgency     string             `yaml:"urgency"`
	Reason      string             `yaml:"reason"`
}

// TriageQuestion is a focused question with quick replies; each option
// adds terms or attributes to what is known.
type TriageQuestion struct {
	ID       string `yaml:"id"`
	Ask      string `yaml:"ask"`
	AskChild string `yaml:"ask_child"`
	// When lists what must be known before the question makes sense
	// (pregnancy only for a woman); Unless what makes it pointless.
	When    []string       `yaml:"when"`
	Unless  []string       `yaml:"unless"`
	Options []TriageOption `yaml:"options"`
}

// TriageOption is one quick reply of a question.
type TriageOption struct {
	Label string   `yaml:"label"`
	Adds  []string `yaml:"adds"`
}

// Patient attributes: features the recommender knows besides lexicon terms.
const (
	AttrMale     = "男性"
	AttrFemale   = "女性"
	AttrChild    = "儿童"
	AttrElderly  = "老年"
	AttrPregnant = "孕期"
)

// Attributes lists the attribute features.
var Attributes = []string{AttrMale, AttrFemale, AttrChild, AttrElderly, AttrPregnant}

// Urgencies lists the urgency levels from lowest to highest.
var Urgencies = []string{"self_care", "routine", "within_24h", "emergency"}

// Triage is the knowledge the recommender works from, already fitted to
// one hospital: only departments the hospital has, under its names.
type Triage struct {
	ChildAge int
	// Preconsult: the hospital offers the pre-consultation after a
	// recommendation (a quick reply that starts it).
	Preconsult  bool
	Departments []Department
	Symptoms    []TriageSymptom
	Attributes  map[string][]string // attribute → phrases that reveal it
	Rules       []TriageRule
	Questions   []TriageQuestion
	// SiteFindings are findings (肿块, 结节) whose place decides the clinic:
	// with one present, body parts count at full weight.
	SiteFindings []string
	// AttributeMasks are phrases that mention someone other than the
	// patient (生完孩子, 备孕): blanked before attributes are read.
	AttributeMasks []string
	// FollowUps are the words of a patient's follow-up to a
	// recommendation: another (换一个科室) and where (在哪).
	FollowUps map[string][]string
}

// DepartmentProfile is how a hospital adapts the catalogue
// (hospital.yaml, departments:).
type DepartmentProfile struct {
	ChildAge int `yaml:"child_age"`
	// Preconsult offers the pre-consultation interview after a
	// recommendation (开始预问诊).
	Preconsult bool              `yaml:"preconsult"`
	Hide       []string          `yaml:"hide"`  // ids the hospital does not have
	Merge      map[string]string `yaml:"merge"` // id → id of the department that sees its patients
	Clinics    map[string]Clinic `yaml:"clinics"`
	Add        []Department      `yaml:"add"`
}

// Clinic is a hospital's own facts about one department.
type Clinic struct {
	Name     string `yaml:"name"`     // the hospital's name for it
	Location string `yaml:"location"` // campus, building and floor
	Hours    string `yaml:"hours"`
	Register string `yaml:"register"` // registration link; default links.register
}

// LoadTriage loads the embedded catalogue and symptom knowledge and fits
// them to a hospital: hidden departments are dropped, merged ones send
// their patients to the department that absorbs them, added ones join,
// names, places, hours and links come from the profile.
func LoadTriage(h *Hospital) (*Triage, error) {
	var cat struct {
		ChildAge    int          `yaml:"child_age"`
		Departments []Department `yaml:"departments"`
	}
	b, err := files.ReadFile("departments.yaml")
	if err != nil {
		return nil, err
	}
	if err := decode("departments.yaml", b, &cat); err != nil {
		return nil, err
	}
	var kn struct {
		Symptoms   []TriageSymptom     `yaml:"symptoms"`
		Attributes map[string][]string `yaml:"attributes"`
		Rules      []TriageRule        `yaml:"rules"`
		Questions  []TriageQuestion    `yaml:"questions"`
		FollowUps  map[string][]string `yaml:"follow_ups"`
		Masks      []string            `yaml:"attribute_masks"`
		Findings   []string            `yaml:"site_findings"`
	}
	if b, err = files.ReadFile("triage.yaml"); err != nil {
		return nil, err
	}
	if err := decode("triage.yaml", b, &kn); err != nil {
		return nil, err
	}
	terms, err := Lexicon()
	if err != nil {
		return nil, err
	}
	for i := range cat.Departments {
		cat.Departments[i].Term = cat.Departments[i].Name
	}
	t := &Triage{ChildAge: cat.ChildAge, Departments: cat.Departments, Symptoms: kn.Symptoms,
		Attributes: kn.Attributes, Rules: kn.Rules, Questions: kn.Questions, FollowUps: kn.FollowUps, AttributeMasks: kn.Masks, SiteFindings: kn.Findings}
	if err := ValidateTriage(t, terms); err != nil {
		return nil, err
	}
	if h != nil {
		if err := t.fit(h, terms); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// ValidateTriage checks the catalogue and the knowledge against each other
// and against the lexicon.
func ValidateTriage(t *Triage, lexicon []Term) error {
	var probs []string
	bad := func(f string, a ...any) { probs = append(probs, fmt.Sprintf(f, a...)) }
	typeOf := map[string]string{}
	alias := map[string]string{}
	for _, e := range lexicon {
		typeOf[e.Term] = e.Type
		for _, a := range e.Aliases {
			alias[a] = e.Term
		}
	}
	urgent := map[string]bool{"": true}
	for _, u := range Urgencies {
		urgent[u] = true
	}
	attrs := map[string]bool{}
	for _, a := range Attributes {
		attrs[a] = true
	}
	if t.ChildAge <= 0 || t.ChildAge > 18 {
		bad("child_age %d is not between 1 and 18", t.ChildAge)
	}
	ids, names := map[string]bool{}, map[string]bool{}
	for _, d := range t.Departments {
		if d.ID == "" || ids[d.ID] {
			bad("department id %q missing or repeated", d.ID)
		}
		if d.Name == "" || names[d.Name] {
			bad("department %s: name %q missing or repeated", d.ID, d.Name)
		}
		ids[d.ID], names[d.Name] = true, true
		if d.Group == "" || d.Description == "" {
			bad("department %s needs a group and a description", d.ID)
		}
		if d.Sex != "" && d.Sex != "female" && d.Sex != "male" {
			bad("department %s: sex %q is not female or male", d.ID, d.Sex)
		}
		if d.Patients != "" && d.Patients != "children" {
			bad("department %s: patients %q is not children", d.ID, d.Patients)
		}
	}
	taken := map[string]string{}
	termOK := func(where, term string) bool {
		if attrs[term] {
			return true
		}
		if a, ok := alias[term]; ok {
			bad("%s: %q is an alias of %q; use the term", where, term, a)
			return false
		}
		if _, ok := typeOf[term]; !ok && !attrs[term] {
			bad("%s: %q is not a lexicon term", where, term)
			return false
		}
		return true
	}
	for _, d := range t.Departments {
		if d.Children != "" && !ids[d.Children] {
			bad("department %s: children go to unknown %q", d.ID, d.Children)
		}
		for _, list := range [][]string{d.Takes, d.Shares} {
			for _, term := range list {
				if termOK("department "+d.ID, term) && typeOf[term] == "symptom" {
					bad("department %s: %q is a symptom; symptoms belong in triage.yaml", d.ID, term)
				}
			}
		}
		for _, term := range d.Takes {
			if o, ok := taken[term]; ok && o != d.ID {
				bad("%q is taken by both %s and %s", term, o, d.ID)
			}
			taken[term] = d.ID
		}
	}
	checkWeights := func(where string, m map[string]float64) {
		for id := range m {
			if !ids[id] {
				bad("%s: unknown department %q", where, id)
			}
		}
	}
	seen := map[string]bool{}
	for _, s := range t.Symptoms {
		where := "symptom " + s.Term
		if termOK(where, s.Term) && typeOf[s.Term] != "symptom" {
			bad("%s: the lexicon types it %q, not symptom", where, typeOf[s.Term])
		}
		if seen[s.Term] {
			bad("%s: listed twice", where)
		}
		seen[s.Term] = true
		if !urgent[s.Urgency] {
			bad("%s: unknown urgency %q", where, s.Urgency)
		}
		if len(s.Departments) == 0 {
			bad("%s: no departments", where)
		}
		checkWeights(where, s.Departments)
	}
	for a, ps := range t.Attributes {
		if !attrs[a] {
			bad("attributes: unknown attribute %q", a)
		}
		for _, p := range ps {
			if strings.TrimSpace(p) == "" {
				bad("attributes: %s has an empty phrase", a)
			}
		}
	}
	rids := map[string]bool{}
	for _, r := range t.Rules {
		where := "rule " + r.ID
		if r.ID == "" || rids[r.ID] {
			bad("rule id %q missing or repeated", r.ID)
		}
		rids[r.ID] = true
		if len(r.All)+len(r.Any) == 0 {
			bad("%s: needs all or any", where)
		}
		for _, list := range [][]string{r.All, r.Any, r.Not} {
			for _, term := range list {
				termOK(where, term)
			}
		}
		if !urgent[r.Urgency] {
			bad("%s: unknown urgency %q", where, r.Urgency)
		}
		if len(r.Departments) == 0 && r.Urgency == "" {
			bad("%s: changes neither departments nor urgency", where)
		}
		checkWeights(where, r.Departments)
		if r.Reason == "" && len(r.Departments) > 0 {
			bad("%s: needs a reason", where)
		}
	}
	for _, term := range t.SiteFindings {
		termOK("site_findings", term)
	}
	qids := map[string]bool{}
	for _, q := range t.Questions {
		if q.ID == "" || qids[q.ID] || q.Ask == "" {
			bad("question %q: missing or repeated id, or no text", q.ID)
		}
		qids[q.ID] = true
		if len(q.Options) < 2 {
			bad("question %s: needs at least two options", q.ID)
		}
		for _, term := range append(append([]string(nil), q.When...), q.Unless...) {
			termOK("question "+q.ID, term)
		}
		for _, o := range q.Options {
			if o.Label == "" {
				bad("question %s: an option has no label", q.ID)
			}
			for _, term := range o.Adds {
				termOK("question "+q.ID, term)
			}
		}
	}
	if len(probs) > 0 {
		sort.Strings(probs)
		if len(probs) > 20 {
			probs = append(probs[:20], fmt.Sprintf("... and %d more", len(probs)-20))
		}
		return fmt.Errorf("corpus: triage: %s", strings.Join(probs, "; "))
	}
	return nil
}

// fit applies a hospital's department profile.
func (t *Triage) fit(h *Hospital, lexicon []Term) error {
	p := h.Departments
	if p.ChildAge > 0 {
		t.ChildAge = p.ChildAge
	}
	t.Preconsult = p.Preconsult
	for _, d := range p.Add {
		d.Term = d.Name
		t.Departments = append(t.Departments, d)
	}
	byID := map[string]*Department{}
	for i := range t.Departments {
		byID[t.Departments[i].ID] = &t.Departments[i]
	}
	gone := map[string]string{} // removed id → where its patients go ("" = nowhere)
	for _, id := range p.Hide {
		if byID[id] == nil {
			return fmt.Errorf("corpus: hospital.yaml: departments.hide: unknown department %q", id)
		}
		if id == "emergency" {
			return fmt.Errorf("corpus: hospital.yaml: departments.hide: the emergency department cannot be hidden")
		}
		gone[id] = ""
	}
	for from, to := range p.Merge {
		if byID[from] == nil || byID[to] == nil {
			return fmt.Errorf("corpus: hospital.yaml: departments.merge: unknown department in %s → %s", from, to)
		}
		if _, hidden := gone[to]; hidden || p.Merge[to] != "" {
			return fmt.Errorf("corpus: hospital.yaml: departments.merge: %s merges into %s, which is itself hidden or merged", from, to)
		}
		gone[from] = to
		d := byID[to]
		d.Takes = append(d.Takes, byID[from].Takes...)
		d.Shares = append(d.Shares, byID[from].Shares...)
	}
	for id, c := range p.Clinics {
		d := byID[id]
		if d == nil {
			return fmt.Errorf("corpus: hospital.yaml: departments.clinics: unknown department %q", id)
		}
		if c.Name != "" {
			d.Name = c.Name
		}
		d.Location, d.Hours, d.Register = c.Location, c.Hours, c.Register
	}
	for i := range t.Departments {
		if t.Departments[i].Register == "" {
			t.Departments[i].Register = h.Links["register"]
		}
	}
	moveWeights := func(m map[string]float64) map[string]float64 {
		out := map[string]float64{}
		for id, w := range m {
			if to, ok := gone[id]; ok {
				if to == "" {
					continue
				}
				id = to
			}
			out[id] += w
		}
		return out
	}
	var keep []Department
	for _, d := range t.Departments {
		if _, ok := gone[d.ID]; ok {
			continue
		}
		if to, ok := gone[d.Children]; ok {
			d.Children = to
		}
		keep = append(keep, d)
	}
	t.Departments = keep
	syms := t.Symptoms[:0]
	for _, s := range t.Symptoms {
		if s.Departments = moveWeights(s.Departments); len(s.Departments) > 0 {
			syms = append(syms, s)
		}
	}
	t.Symptoms = syms
	rules := t.Rules[:0]
	for _, r := range t.Rules {
		if r.Departments = moveWeights(r.Departments); len(r.Departments) > 0 || r.Urgency != "" {
			rules = append(rules, r)
		}
	}
	t.Rules = rules
	return ValidateTriage(t, lexicon)
}
