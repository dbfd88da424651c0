package triage_test

import (
	"strings"
	"testing"

	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/triage"
)

func load(t testing.TB, h *corpus.Hospital) *triage.Recommender {
	t.Helper()
	if h == nil {
		var err error
		if h, err = corpus.DefaultHospital(); err != nil {
			t.Fatal(err)
		}
	}
	r, err := triage.Load(h, triage.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func ids(rec triage.Recommendation) []string {
	var out []string
	for _, c := range rec.Choices {
		out = append(out, c.Department.ID)
	}
	return out
}

func recommend(r *triage.Recommender, text string, p triage.Profile) triage.Recommendation {
	return r.Recommend(r.Extract(text, p))
}

// The discriminating attributes of the issue: the same complaint goes
// elsewhere when the context changes.
func TestDiscriminators(t *testing.T) {
	r := load(t, nil)
	cases := []struct {
		text    string
		p       triage.Profile
		top     []string // the first choice is one of these
		urgency string   // at least this urgent, when set
	}{
		{"头疼", triage.Profile{}, []string{"neurology"}, ""},
		{"早上摔了一跤撞到头，现在头很疼", triage.Profile{}, []string{"neurosurgery", "emergency"}, triage.Within24h},
		{"一爬楼梯就胸口疼，歇一会就好", triage.Profile{}, []string{"cardiology"}, ""},
		{"肚子疼，月经推迟了快两个礼拜", triage.Profile{Sex: "female"}, []string{"gynecology", "emergency"}, triage.Emergency},
		{"昨晚喝了酒，今天脚趾头关节又红又肿疼得厉害", triage.Profile{}, []string{"rheumatology"}, ""},
		{"咳嗽咳痰一个星期了", triage.Profile{}, []string{"respiratory"}, ""},
		{"宝宝咳嗽发烧两天", triage.Profile{}, []string{"pediatrics"}, ""},
		{"孩子3岁，咳嗽好几天了", triage.Profile{}, []string{"pediatrics"}, ""},
		{"咳嗽好几天了", triage.Profile{Age: 5}, []string{"pediatrics"}, ""},
		{"牙疼得睡不着", triage.Profile{}, []string{"stomatology"}, ""},
		{"最近总觉得湿气重，想调理一下", triage.Profile{}, []string{"tcm"}, ""},
		{"想去割个双眼皮", triage.Profile{}, []string{"plastic_surgery"}, ""},
		// A lump's place decides; a rash's does not.
		{"体检CT说肺上有个结节", triage.Profile{}, []string{"respiratory", "thoracic_surgery"}, ""},
		{"膝盖上起了好多红疹子，很痒", triage.Profile{}, []string{"dermatology"}, ""},
	}
	for _, c := range cases {
		rec := recommend(r, c.text, c.p)
		got := ids(rec)
		if len(got) == 0 || !contains(c.top, got[0]) {
			t.Errorf("%s: top %v, want one of %v first", c.text, got, c.top)
		}
		if c.urgency != "" && rank(rec.Urgency) < rank(c.urgency) {
			t.Errorf("%s: urgency %s, want at least %s", c.text, rec.Urgency, c.urgency)
		}
		for _, ch := range rec.Choices {
			if ch.Probability <= 0 || ch.Probability > 1 {
				t.Errorf("%s: probability %v out of range", c.text, ch.Probability)
			}
		}
	}
}

func rank(u string) int {
	for i, v := range corpus.Urgencies {
		if v == u {
			return i
		}
	}
	return -1
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// Departments a patient cannot see never appear: a man is not sent to
// gynaecology, an adult not to paediatrics, a child's internal-medicine
// complaint goes to paediatrics.
func TestWhoThePatientIs(t *testing.T) {
	r := load(t, nil)
	for _, c := range []struct {
		text  string
		p     triage.Profile
		never []string
	}{
		{"下腹疼，小便也不太舒服", triage.Profile{Sex: "male", Age: 40}, []string{"gynecology", "obstetrics"}},
		{"下腹疼，小便也不太舒服", triage.Profile{Sex: "female", Age: 40}, []string{"andrology"}},
		{"发烧咳嗽", triage.Profile{Age: 40}, []string{"pediatrics", "pediatric_surgery"}},
		{"发烧咳嗽", triage.Profile{Age: 6}, []string{"respiratory", "geriatrics"}},
		{"我老公最近尿频尿急", triage.Profile{}, []string{"gynecology", "obstetrics"}},
	} {
		rec := recommend(r, c.text, c.p)
		all := append(append([]triage.Choice(nil), rec.Choices...), rec.Others...)
		for _, ch := range all {
			if contains(c.never, ch.Department.ID) {
				t.Errorf("%s %+v: recommended %s", c.text, c.p, ch.Department.ID)
			}
		}
		if len(rec.Choices) == 0 {
			t.Errorf("%s: no recommendation", c.text)
		}
	}
}

func TestNegationDoesNotCount(t *testing.T) {
	r := load(t, nil)
	f := r.Extract("咳嗽两天，不发烧，也没有胸痛", triage.Profile{})
	if !f.Has("咳嗽") {
		t.Errorf("咳嗽 not found: %+v", f)
	}
	for _, neg := range []string{"发热", "胸痛"} {
		if f.Has(neg) || !f.Denied(neg) {
			t.Errorf("%s should be denied: %+v", neg, f)
		}
	}
}

func TestAge(t *testing.T) {
	r := load(t, nil)
	for _, c := range []struct {
		text  string
		child bool
		old   bool
	}{
		{"孩子3岁，发烧", true, false},
		{"我家宝宝八个月大，拉肚子", true, false},
		{"宝宝出生20天，黄疸", true, false},
		{"我妈72岁了，最近头晕", false, true},
		{"我30岁，孩子两岁半，孩子一直咳嗽", true, false},
		{"咳嗽两个月了", false, false}, // a duration, not an age
		{"我儿子25岁，胃疼", false, false},
		{"喝完酒第二天大脚趾肿了", false, false}, // 第二天 is not an age
		{"生完孩子三个月，腰疼", false, false},  // the child is not the patient
		{"备孕1年了还没怀上", false, false},
	} {
		f := r.Extract(c.text, triage.Profile{})
		if f.Has(corpus.AttrChild) != c.child || f.Has(corpus.AttrElderly) != c.old {
			t.Errorf("%s: child %v elderly %v (age %.2f), want %v %v", c.text, f.Has(corpus.AttrChild), f.Has(corpus.AttrElderly), f.Age, c.child, c.old)
		}
	}
}

// A question is asked only when its answers lead to different first
// choices, never about what is already known, and at most three times.
func TestQuestions(t *testing.T) {
	r := load(t, nil)
	f := r.Extract("肚子疼", triage.Profile{})
	asked := 0
	for {
		rec := r.Recommend(f)
		if rec.Question == nil {
			break
		}
		q := rec.Question
		tops := map[string]bool{}
		for _, o := range q.Options {
			g := f.Clone()
			triage.Answer(&g, q, o)
			if rr := r.Recommend(g); len(rr.Choices) > 0 {
				tops[rr.Choices[0].Department.ID] = true
			}
		}
		if len(tops) < 2 {
			t.Errorf("question %s does not change the answer", q.ID)
		}
		triage.Answer(&f, q, q.Options[0])
		if asked++; asked > 3 {
			t.Fatalf("more than 3 questions: %v", f.Asked)
		}
	}
	if asked == 0 {
		t.Error("肚子疼 alone asked nothing; the departments for abdominal pain are close")
	}
	// Known sex is never asked.
	rec := recommend(r, "肚子疼", triage.Profile{Sex: "male", Age: 30})
	if rec.Question != nil && rec.Question.ID == "sex" {
		t.Error("asked the sex of a patient whose profile gives it")
	}
}

func TestChoose(t *testing.T) {
	r := load(t, nil)
	var q *corpus.TriageQuestion
	for _, id := range []string{"injury", "trauma", "fever"} {
		if qq, ok := r.Question(id); ok {
			q = qq
			break
		}
	}
	if q == nil {
		t.Fatal("the knowledge has no injury or fever question to test against")
	}
	yes, no := q.Options[0], q.Options[len(q.Options)-1]
	if o, ok := r.Choose(q, yes.Label); !ok || o.Label != yes.Label {
		t.Errorf("the label %q was not chosen: %v %v", yes.Label, o, ok)
	}
	if o, ok := r.Choose(q, no.Label+"哦"); !ok || o.Label != no.Label {
		t.Errorf("%q+哦 chose %q", no.Label, o.Label)
	}
	if _, ok := r.Choose(q, "你们医院停车方便吗我想问一下这个事情"); ok {
		t.Error("an unrelated message was taken as an answer")
	}
}

// The hospital decides which departments exist and what they are called.
func TestHospitalProfile(t *testing.T) {
	h, err := corpus.DefaultHospital()
	if err != nil {
		t.Fatal(err)
	}
	h.Departments.Hide = []string{"rheumatology"}
	h.Departments.Merge = map[string]string{"andrology": "urology"}
	h.Departments.Clinics = map[string]corpus.Clinic{"stomatology": {Name: "牙科", Location: "三楼"}}
	h.Departments.ChildAge = 16
	r := load(t, h)
	for _, d := range r.Departments() {
		if d.ID == "rheumatology" || d.ID == "andrology" {
			t.Errorf("%s is still offered", d.ID)
		}
	}
	rec := recommend(r, "昨晚喝了酒，今天脚趾头关节又红又肿疼得厉害", triage.Profile{})
	for _, c := range rec.Choices {
		if c.Department.ID == "rheumatology" {
			t.Error("recommended a hidden department")
		}
	}
	rec = recommend(r, "早泄，时间很短", triage.Profile{Sex: "male"})
	if got := ids(rec); len(got) == 0 || got[0] != "urology" {
		t.Errorf("andrology merged into urology, got %v", got)
	}
	rec = recommend(r, "牙疼", triage.Profile{})
	if len(rec.Choices) == 0 || rec.Choices[0].Department.Name != "牙科" || rec.Choices[0].Department.Location != "三楼" {
		t.Errorf("renamed department: %+v", rec.Choices)
	}
	rec = recommend(r, "发烧咳嗽", triage.Profile{Age: 15})
	if got := ids(rec); len(got) == 0 || got[0] != "pediatrics" {
		t.Errorf("child age 16: a 15-year-old goes to paediatrics, got %v", got)
	}
	h.Departments.Hide = []string{"emergency"}
	if _, err := triage.Load(h, triage.Config{}); err == nil || !strings.Contains(err.Error(), "emergency") {
		t.Errorf("hiding the emergency department: %v", err)
	}
}

func TestVague(t *testing.T) {
	r := load(t, nil)
	rec := recommend(r, "我想挂个号", triage.Profile{})
	if !rec.Vague || rec.Confidence != 0 {
		t.Errorf("nothing said, want vague: %+v", rec)
	}
}

func BenchmarkRecommend(b *testing.B) {
	r := load(b, nil)
	texts := []string{
		"肚子疼两天了，右下腹更明显，有点发烧",
		"宝宝8个月，拉肚子三天，一天五六次",
		"最近老是头晕，血压有点高，晚上睡不好",
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		t := texts[i%len(texts)]
		r.Recommend(r.Extract(t, triage.Profile{}))
	}
}

// A reason quotes the patient's own words, never a medical term they did
// not use (拉肚子, not 腹泻).
func TestReasonsQuoteThePatient(t *testing.T) {
	r := load(t, nil)
	rec := recommend(r, "拉肚子三天了", triage.Profile{Age: 30})
	if len(rec.Choices) == 0 {
		t.Fatal("no recommendation")
	}
	got := strings.Join(rec.Choices[0].Because, ",")
	if !strings.Contains(got, "拉肚子") || strings.Contains(got, "腹泻") {
		t.Errorf("because %q, want the patient's 拉肚子", got)
	}
}

// The longest message the engine accepts (2,000 characters of complaints).
func BenchmarkRecommendLong(b *testing.B) {
	r := load(b, nil)
	text := strings.Repeat("肚子疼两天了，右下腹更明显，有点发烧，还拉肚子，头也晕，晚上睡不好，", 60)
	text = string([]rune(text)[:2000])
	b.ReportAllocs()
	for b.Loop() {
		r.Recommend(r.Extract(text, triage.Profile{}))
	}
}

// A rule's reason is shown for the department it favours most, not for
// the others it also boosts (its text may name the first).
func TestRuleReasonGoesWithItsDepartment(t *testing.T) {
	lex := []corpus.Term{{Term: "腹痛", Type: "symptom", Aliases: []string{"肚子疼"}}, {Term: "发热", Type: "symptom"}}
	k := &corpus.Triage{
		ChildAge: 14,
		Departments: []corpus.Department{
			{ID: "surgery", Name: "普通外科", Group: "外科", Description: "外"},
			{ID: "gastro", Name: "消化内科", Group: "内科", Description: "内"},
			{ID: "emergency", Name: "急诊科", Group: "急诊", Description: "急"},
		},
		Symptoms: []corpus.TriageSymptom{{Term: "腹痛", Departments: map[string]float64{"gastro": 3, "surgery": 1}}},
		Rules: []corpus.TriageRule{{ID: "r", All: []string{"腹痛", "发热"},
			Departments: map[string]float64{"surgery": 4, "gastro": 1}, Reason: "请到普通外科。"}},
	}
	if err := corpus.ValidateTriage(k, lex); err != nil {
		t.Fatal(err)
	}
	r, err := triage.New(k, lex, triage.Config{})
	if err != nil {
		t.Fatal(err)
	}
	rec := r.Recommend(r.Extract("肚子疼还发热", triage.Profile{}))
	if len(rec.Choices) < 2 || rec.Choices[0].Department.ID != "surgery" || rec.Choices[0].Rule == "" {
		t.Fatalf("choices %+v", rec.Choices)
	}
	if rec.Choices[1].Rule != "" || len(rec.Choices[1].Because) == 0 || rec.Choices[1].Because[0] != "肚子疼" {
		t.Errorf("消化内科 should keep its own reason: %+v", rec.Choices[1])
	}
}
