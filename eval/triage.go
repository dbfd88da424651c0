package eval

import (
	"fmt"
	"io"
	"sort"

	"github.com/daoyi-health/daoyi/triage"
)

// TriageCase is one patient description with where it should go.
type TriageCase struct {
	Text    string
	Label   string   // the gold label in the set's own terms (a department name)
	Accept  []string // catalogue department ids that count as right
	Urgency string   // wanted urgency; "" when the set has none
	Profile triage.Profile
}

// TriageGuess is what the system under test answers for one case.
type TriageGuess struct {
	Departments []string // catalogue ids, best first (at most three count)
	Urgency     string
	Asked       bool // it would ask a question before settling
}

// TriagePredictor answers one case.
type TriagePredictor func(text string, p triage.Profile) TriageGuess

// TriageLabels maps each label of a set to the catalogue department ids that
// answer it; a guess's label is the first label (in Order) whose ids hold
// its top department.
type TriageLabels struct {
	Order []string
	IDs   map[string][]string
}

func (l *TriageLabels) labelOf(id string, names map[string]string) string {
	for _, lab := range l.Order {
		for _, x := range l.IDs[lab] {
			if x == id {
				return lab
			}
		}
	}
	if n, ok := names[id]; ok {
		return n
	}
	return id
}

// Department groups of the catalogue, for mapping public label sets.
var (
	internalMedicine = []string{"cardiology", "respiratory", "gastroenterology", "neurology", "endocrinology",
		"nephrology", "hematology", "rheumatology", "geriatrics", "general_practice", "infectious", "fever_clinic", "sleep", "nutrition"}
	surgery = []string{"general_surgery", "hepatobiliary_surgery", "gastrointestinal_surgery", "thyroid_breast_surgery",
		"orthopedics", "urology", "andrology", "neurosurgery", "thoracic_surgery", "cardiac_surgery", "vascular_surgery",
		"anorectal_surgery", "burns", "pain"}
	generalSurgery = []string{"general_surgery", "hepatobiliary_surgery", "gastrointestinal_surgery", "thyroid_breast_surgery",
		"anorectal_surgery", "vascular_surgery"}
)

// sadeFirst maps SADE's first-level departments onto the catalogue. 美容
// (acne, melasma) is seen by 皮肤科 as well as 整形外科 in a general
// hospital; 药品 is not a department and its rows are skipped.
var sadeFirst = TriageLabels{
	Order: []string{"内科", "外科", "妇产科", "儿科", "五官科", "皮肤性病科", "中医科", "肿瘤科", "传染科", "美容", "整形美容科"},
	IDs: map[string][]string{
		"内科":    internalMedicine,
		"外科":    surgery,
		"妇产科":   {"gynecology", "obstetrics", "reproductive"},
		"儿科":    {"pediatrics", "pediatric_surgery"},
		"五官科":   {"ophthalmology", "ent", "stomatology"},
		"皮肤性病科": {"dermatology", "venereology"},
		"中医科":   {"tcm", "acupuncture"},
		"肿瘤科":   {"oncology"},
		"传染科":   {"infectious"},
		"美容":    {"plastic_surgery", "dermatology"},
		"整形美容科": {"plastic_surgery", "dermatology"},
	},
}

// sadeSecond maps SADE's second-level departments.
var sadeSecond = TriageLabels{
	Order: []string{"皮肤科", "性病科", "中医内科", "妇科", "计划生育", "产科", "不孕不育", "试管婴儿", "呼吸内科", "消化内科",
		"心血管内科", "神经内科", "肾内科", "内分泌科", "骨科", "泌尿外科", "普外科", "眼科", "口腔科", "耳鼻喉科", "小儿内科",
		"儿童营养发育", "矮小症", "粉刺、痤疮", "黄褐斑", "胎记", "生殖整形", "妇科肿瘤", "腹部肿瘤", "肝病", "结核病"},
	IDs: map[string][]string{
		"皮肤科": {"dermatology"}, "性病科": {"venereology"}, "中医内科": {"tcm"},
		"妇科": {"gynecology"}, "计划生育": {"gynecology"}, "产科": {"obstetrics"},
		"不孕不育": {"reproductive", "gynecology", "andrology"}, "试管婴儿": {"reproductive"},
		"呼吸内科": {"respiratory"}, "消化内科": {"gastroenterology"}, "心血管内科": {"cardiology"},
		"神经内科": {"neurology"}, "肾内科": {"nephrology"}, "内分泌科": {"endocrinology"},
		"骨科": {"orthopedics"}, "泌尿外科": {"urology", "andrology"}, "普外科": generalSurgery,
		"眼科": {"ophthalmology"}, "口腔科": {"stomatology"}, "耳鼻喉科": {"ent"},
		"小儿内科": {"pediatrics"}, "儿童营养发育": {"pediatrics"}, "矮小症": {"pediatrics", "endocrinology"},
		"粉刺、痤疮": {"dermatology", "plastic_surgery"}, "黄褐斑": {"dermatology", "plastic_surgery"},
		"胎记": {"plastic_surgery", "dermatology"}, "生殖整形": {"plastic_surgery", "gynecology"},
		"妇科肿瘤": {"gynecology", "oncology"}, "腹部肿瘤": {"oncology", "general_surgery", "gastrointestinal_surgery"},
		"肝病": {"infectious", "gastroenterology"}, "结核病": {"infectious", "respiratory"},
	},
}

// toyhomLabels maps the Chinese-medical-dialogue internal-medicine
// sub-departments. 肝病科 is run by 感染科 or 消化内科 in general hospitals.
var toyhomLabels = TriageLabels{
	Order: []string{"消化科", "肝病科", "神经科", "心血管科", "内分泌科", "呼吸科", "肾内科", "感染科", "血液科", "风湿免疫科", "普通内科"},
	IDs: map[string][]string{
		"肝病科": {"infectious", "gastroenterology"}, "消化科": {"gastroenterology"}, "神经科": {"neurology"},
		"心血管科": {"cardiology"}, "内分泌科": {"endocrinology"}, "呼吸科": {"respiratory"},
		"肾内科": {"nephrology"}, "感染科": {"infectious"}, "血液科": {"hematology"},
		"普通内科": {"general_practice", "geriatrics"}, "风湿免疫科": {"rheumatology"},
	},
}

// LoadTriageCases reads a triage set. format "jsonl" (the default) reads
// the project's own set — testdata/triage.jsonl when path is "" — whose
// departments are catalogue names (names maps name → id); "sade" and
// "sade2" read SADE at its first and second level; "toyhom" reads the
// Chinese-medical-dialogue internal-medicine file. It returns the cases,
// the label mapping to score them with, and how many rows were skipped
// (labels that are not departments).
func LoadTriageCases(format, path string, names map[string]string) ([]TriageCase, *TriageLabels, int, error) {
	switch format {
	case "", "jsonl":
		type row struct {
			Text       string   `json:"text"`
			Department string   `json:"department"`
			Also       []string `json:"also"`
			Urgency    string   `json:"urgency"`
			Age        int      `json:"age"`
			Sex        string   `json:"sex"`
			Pregnant   bool     `json:"pregnant"`
		}
		rows, name, err := readSet[row](path, "testdata/triage.jsonl")
		if err != nil {
			return nil, nil, 0, err
		}
		labels := &TriageLabels{IDs: map[string][]string{}}
		for id, n := range names {
			labels.IDs[n] = []string{id}
			labels.Order = append(labels.Order, n)
		}
		sort.Strings(labels.Order)
		var out []TriageCase
		for i, rw := range rows {
			c := TriageCase{Text: rw.Text, Label: rw.Department, Urgency: rw.Urgency,
				Profile: triage.Profile{Age: rw.Age, Sex: rw.Sex, Pregnant: rw.Pregnant}}
			for _, n := range append([]string{rw.Department}, rw.Also...) {
				ids, ok := labels.IDs[n]
				if !ok {
					return nil, nil, 0, fmt.Errorf("eval: %s: case %d: %q is not a catalogue department", name, i+1, n)
				}
				c.Accept = append(c.Accept, ids...)
			}
			if c.Text == "" {
				return nil, nil, 0, fmt.Errorf("eval: %s: case %d has no text", name, i+1)
			}
			out = append(out, c)
		}
		return out, labels, 0, nil
	case "sade", "sade2", "toyhom":
		recs, err := readRecords(path)
		if err != nil {
			return nil, nil, 0, err
		}
		labels, field, text := &sadeFirst, "first_department", []string{"question"}
		switch format {
		case "sade2":
			labels, field = &sadeSecond, "second_department"
		case "toyhom":
			labels, field, text = &toyhomLabels, "department", []string{"title", "ask"}
		}
		var out []TriageCase
		skipped := 0
		for i, r := range recs {
			lab, _ := r[field].(string)
			var t string
			for _, f := range text {
				s, _ := r[f].(string)
				if s != "" && s != t {
					if t != "" {
						t += "\n"
					}
					t += s
				}
			}
			if t == "" || lab == "" {
				return nil, nil, 0, fmt.Errorf("eval: %s: record %d lacks %s or text", path, i+1, field)
			}
			ids, ok := labels.IDs[lab]
			if !ok {
				skipped++
				continue
			}
			out = append(out, TriageCase{Text: t, Label: lab, Accept: ids})
		}
		return out, labels, skipped, nil
	}
	return nil, nil, 0, fmt.Errorf("eval: unknown triage format %q (jsonl, sade, sade2, toyhom)", format)
}

// HoldOutTriage splits cases like HoldOut: about frac of them, by a hash of
// the text, are held out for testing.
func HoldOutTriage(cases []TriageCase, frac float64) (train, test []TriageCase) {
	for _, c := range cases {
		if heldOut(c.Text, frac) {
			test = append(test, c)
		} else {
			train = append(train, c)
		}
	}
	return train, test
}

// TriageReport is the result of RunTriage.
type TriageReport struct {
	Metrics   map[string]float64
	Labels    []string
	Confusion map[string]map[string]int
	PerLabel  map[string][3]float64 // precision, recall, F1
	Failures  []TriageFailure
}

// TriageFailure is one case whose top department was wrong, or whose
// emergency was missed.
type TriageFailure struct {
	Text, Want, Got string
	Urgency         string // wanted → got, when it was under-triaged
}

// RunTriage scores a predictor: top-1 and top-3 accuracy (a case is right
// when one of its accepted departments is first, or among the first
// three), macro-F1 over the set's labels, and, where the set has
// urgencies, how many emergencies were under-triaged.
func RunTriage(cases []TriageCase, labels *TriageLabels, names map[string]string, predict TriagePredictor) *TriageReport {
	r := &TriageReport{Confusion: map[string]map[string]int{}}
	top1, top3, asked := 0, 0, 0
	emerg, missed, under, over, withUrg, exact := 0, 0, 0, 0, 0, 0
	seen := map[string]bool{}
	for _, c := range cases {
		g := predict(c.Text, c.Profile)
		if g.Asked {
			asked++
		}
		got := "(none)"
		if len(g.Departments) > 0 {
			got = labels.labelOf(g.Departments[0], names)
		}
		hit1 := len(g.Departments) > 0 && contains(c.Accept, g.Departments[0])
		hit3 := false
		for i, d := range g.Departments {
			if i < 3 && contains(c.Accept, d) {
				hit3 = true
			}
		}
		if hit1 {
			top1++
			got = c.Label
		}
		if hit3 {
			top3++
		}
		if r.Confusion[c.Label] == nil {
			r.Confusion[c.Label] = map[string]int{}
		}
		r.Confusion[c.Label][got]++
		seen[c.Label], seen[got] = true, true
		f := TriageFailure{Text: c.Text, Want: c.Label, Got: got}
		if c.Urgency != "" {
			withUrg++
			w, gu := urgencyIndex(c.Urgency), urgencyIndex(g.Urgency)
			switch {
			case gu < w:
				under++
			case gu > w:
				over++
			default:
				exact++
			}
			if c.Urgency == triage.Emergency {
				emerg++
				if g.Urgency != triage.Emergency {
					missed++
					f.Urgency = c.Urgency + " → " + g.Urgency
				}
			}
		}
		if !hit1 || f.Urgency != "" {
			r.Failures = append(r.Failures, f)
		}
	}
	var macro float64
	r.Labels, r.PerLabel, macro = scoreConfusion(seen, r.Confusion)
	r.Metrics = map[string]float64{
		"cases":      float64(len(cases)),
		"top1":       ratio(top1, len(cases)),
		"top3":       ratio(top3, len(cases)),
		"macro_f1":   round4(macro),
		"asked_rate": ratio(asked, len(cases)),
	}
	if withUrg > 0 {
		r.Metrics["urgency_exact"] = ratio(exact, withUrg)
		r.Metrics["under_triaged"] = float64(under)
		r.Metrics["over_triaged"] = float64(over)
		r.Metrics["emergency_cases"] = float64(emerg)
		r.Metrics["emergency_missed"] = float64(missed)
	}
	return r
}

func urgencyIndex(u string) int {
	for i, v := range []string{triage.SelfCare, triage.Routine, triage.Within24h, triage.Emergency} {
		if v == u {
			return i
		}
	}
	return 1
}

// WriteText prints the metrics, per-label scores, the confusion matrix and
// up to maxFailures failures (-1: all).
func (r *TriageReport) WriteText(w io.Writer, maxFailures int) {
	writeMetrics(w, r.Metrics)
	writeConfusion(w, "department", r.Labels, r.PerLabel, r.Confusion)
	if len(r.Failures) > 0 && maxFailures != 0 {
		fmt.Fprintf(w, "\nfailures (%d):\n", len(r.Failures))
		for i, f := range r.Failures {
			if maxFailures > 0 && i == maxFailures {
				break
			}
			u := ""
			if f.Urgency != "" {
				u = " [under-triaged " + f.Urgency + "]"
			}
			fmt.Fprintf(w, "  want %-10s got %-10s%s  %s\n", f.Want, f.Got, u, short(f.Text, 120))
		}
	}
}
