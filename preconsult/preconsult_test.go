package preconsult

import (
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/record"
	"github.com/daoyi-health/daoyi/triage"
)

var (
	ivOnce sync.Once
	ivAll  *Interviewer
	ivErr  error
)

func interviewer(t testing.TB) *Interviewer {
	t.Helper()
	ivOnce.Do(func() {
		h, err := corpus.DefaultHospital()
		if err != nil {
			ivErr = err
			return
		}
		rec, err := triage.Load(h, triage.Config{})
		if err != nil {
			ivErr = err
			return
		}
		ivAll, ivErr = Load(rec)
	})
	if ivErr != nil {
		t.Fatal(ivErr)
	}
	return ivAll
}

var testNow = time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)

// interview runs a whole interview: answers are given in order to the
// questions asked, by question id ("*" answers any question not listed);
// a question with no answer gets "没有". It returns the state and the ids
// asked.
func interview(t *testing.T, s record.Subject, answers map[string]string) (*State, []string) {
	t.Helper()
	iv := interviewer(t)
	st := iv.Start(s)
	for i := 0; i < 40; i++ {
		q, ok := iv.Next(st)
		if !ok {
			return st, st.Asked
		}
		a, ok := answers[q.ID]
		if !ok {
			a = "没有"
		}
		if !iv.Answer(st, a, testNow) {
			iv.Skip(st)
		}
	}
	t.Fatal("the interview did not end")
	return nil, nil
}

func fact(st *State, kind, name string) (record.Fact, bool) {
	for _, f := range st.Facts {
		if f.Kind == kind && (name == "" || f.Name == name) {
			return f, true
		}
	}
	return record.Fact{}, false
}

func TestExtract(t *testing.T) {
	iv := interviewer(t)
	cases := []struct {
		text  string
		kinds []string
		want  []record.Fact // Kind, Name, Status, Value, Of, Number compared when set
	}{
		{"发烧两天了，不咳嗽", []string{record.KindSymptom, record.KindDuration},
			[]record.Fact{{Kind: "symptom", Name: "发热", Status: record.Present}, {Kind: "symptom", Name: "咳嗽", Status: record.Absent},
				{Kind: "duration", Of: "发热", Days: 2}}},
		{"最高烧到39度5", []string{record.KindTemperature}, []record.Fact{{Kind: "temperature", Number: 39.5}}},
		{"对青霉素过敏，会起疹子", []string{record.KindAllergy}, []record.Fact{{Kind: "allergy", Name: "青霉素", Status: record.Present, Value: "皮疹"}}},
		{"没有过敏", []string{record.KindAllergy}, []record.Fact{{Kind: "allergy", Status: record.Absent}}},
		{"我爸有高血压", []string{record.KindFamily}, []record.Fact{{Kind: "family", Name: "高血压", Value: "父亲", Status: record.Present}}},
		{"吃了布洛芬，一次一片", []string{record.KindMedicine}, []record.Fact{{Kind: "medicine", Name: "布洛芬", Value: "一次一片", Status: record.Present}}},
		{"抽烟，一天一包，十多年了", []string{record.KindSmoking}, []record.Fact{{Kind: "smoking", Status: record.Present, Value: "一天一包，十多年了"}}},
		{"不抽烟", []string{record.KindSmoking}, []record.Fact{{Kind: "smoking", Status: record.Absent}}},
		{"左边胸口针扎一样疼", []string{record.KindSymptom}, []record.Fact{{Kind: "symptom", Name: "胸痛", Status: record.Present}}},
		{"右脚大脚趾头又红又肿，疼得要命", []string{record.KindSymptom}, []record.Fact{{Kind: "symptom", Name: "足趾痛", Status: record.Present}}},
		{"肚脐周围一阵一阵地疼", []string{record.KindSite}, []record.Fact{{Kind: "site", Name: "脐周"}}},
		{"右下腹疼", []string{record.KindSite}, []record.Fact{{Kind: "site", Name: "右下腹"}}},
		{"有糖尿病，没有高血压", []string{record.KindCondition}, []record.Fact{{Kind: "condition", Name: "糖尿病", Status: record.Present},
			{Kind: "condition", Name: "高血压", Status: record.Absent}}},
	}
	for _, c := range cases {
		got := iv.Extract(c.text, c.kinds, 3, "q", "", testNow)
		for _, w := range c.want {
			if !slices.ContainsFunc(got, func(f record.Fact) bool {
				return f.Kind == w.Kind && f.Name == w.Name && (w.Status == "" || f.Status == w.Status) &&
					(w.Value == "" || f.Value == w.Value) && (w.Of == "" || f.Of == w.Of) &&
					(w.Number == 0 || f.Number == w.Number) && (w.Days == 0 || f.Days == w.Days)
			}) {
				t.Errorf("%q: want %+v in %+v", c.text, w, got)
			}
		}
		for _, f := range got {
			if f.Turn != 3 || f.Question != "q" {
				t.Errorf("%q: fact %+v lost its turn or question", c.text, f)
			}
		}
	}
	// Kinds not asked for are not read: a family answer is not a past
	// illness of the patient.
	for _, f := range iv.Extract("我妈有高血压", []string{record.KindFamily}, 1, "family", "", testNow) {
		if f.Kind != record.KindFamily {
			t.Errorf("read %+v from a family answer", f)
		}
	}
}

// TestAdultInterview runs a whole interview for an adult man and checks
// what was asked, what was not, and every section of the draft.
func TestAdultInterview(t *testing.T) {
	st, asked := interview(t, record.Subject{}, map[string]string{
		"basics":         "我本人，男，52岁",
		"chief":          "胸口闷三天了，走路快了就闷",
		"medicines":      "吃了速效救心丸",
		"past":           "有高血压十年了",
		"allergy":        "没有",
		"smoking":        "抽烟",
		"smoking_detail": "一天一包，三十年了",
		"family":         "我爸有冠心病",
	})
	iv := interviewer(t)
	for _, id := range []string{"basics", "chief", "allergy", "smoking", "family"} {
		if !slices.Contains(asked, id) {
			t.Errorf("%s not asked: %v", id, asked)
		}
	}
	for _, id := range []string{"pregnancy", "lmp", "vaccination"} {
		if slices.Contains(asked, id) {
			t.Errorf("%s asked of a man of 52: %v", id, asked)
		}
	}
	if len(asked) > iv.q.MaxQuestions+2 {
		t.Errorf("%d questions, over the bound %d", len(asked), iv.q.MaxQuestions)
	}
	if st.Subject.Sex != "male" || st.Subject.Age != 52 || st.Subject.Proxy {
		t.Errorf("subject %+v", st.Subject)
	}
	d := iv.Draft(st)
	for field, want := range map[string][]string{
		d.Chief:    {"胸闷", "3天"},
		d.Present:  {"3天前出现胸闷"},
		d.Past:     {"高血压"},
		d.Allergy:  {"否认药物及食物过敏史"},
		d.Personal: {"吸烟", "一天一包"},
		d.Family:   {"父亲", "冠心病"},
	} {
		for _, w := range want {
			if !strings.Contains(field, w) {
				t.Errorf("draft %+v: %q lacks %q", d, field, w)
			}
		}
	}
	if d.Menstrual != "" {
		t.Errorf("a man's draft has a menstrual history: %q", d.Menstrual)
	}
}

// TestChildInterview: a parent answers for a child; the wording says 孩子,
// and adult questions are not asked.
func TestChildInterview(t *testing.T) {
	iv := interviewer(t)
	st := iv.Start(record.Subject{})
	q, _ := iv.Next(st)
	if q.ID != BasicsID || !iv.Answer(st, "我儿子，4岁", testNow) {
		t.Fatalf("basics: %s", q.ID)
	}
	q, _ = iv.Next(st)
	if q.ID != ChiefID || !strings.Contains(iv.Ask(st, q), "孩子") {
		t.Fatalf("the chief question for a parent: %q", iv.Ask(st, q))
	}
	if !st.Subject.Proxy || st.Subject.Age != 4 || st.Subject.Sex != "male" {
		t.Fatalf("subject %+v", st.Subject)
	}
	st2, asked := interview(t, record.Subject{}, map[string]string{"basics": "我女儿，3岁", "chief": "发烧一天了，最高39度"})
	for _, id := range []string{"smoking", "drinking", "pregnancy", "lmp"} {
		if slices.Contains(asked, id) {
			t.Errorf("%s asked about a 3-year-old: %v", id, asked)
		}
	}
	d := iv.Draft(st2)
	if !strings.HasPrefix(d.Present, "患儿") || !strings.Contains(d.Present, "39℃") {
		t.Errorf("present illness for a child: %q", d.Present)
	}
}

// TestProfileSkipsBasics: what the hospital passed is not asked again,
// and a woman of child-bearing age is asked about pregnancy.
func TestProfileSkipsBasics(t *testing.T) {
	st, asked := interview(t, record.Subject{Age: 30, Sex: "female"}, map[string]string{
		"chief": "头疼两天", "pregnancy": "没有", "lmp": "11月2号来的，挺规律的"})
	if asked[0] != ChiefID {
		t.Fatalf("first question %s, want chief: the profile gave sex and age", asked[0])
	}
	if !slices.Contains(asked, "pregnancy") || !slices.Contains(asked, "lmp") {
		t.Fatalf("a woman of 30 not asked about pregnancy or her period: %v", asked)
	}
	f, ok := fact(st, record.KindLMP, "")
	if !ok || f.Date != "2026-11-02" {
		t.Fatalf("last period %+v", f)
	}
	d := interviewer(t).Draft(st)
	if !strings.Contains(d.Menstrual, "2026-11-02") || !strings.Contains(d.Menstrual, "否认妊娠") {
		t.Fatalf("menstrual history %q", d.Menstrual)
	}
}

// TestFollowUpsAndNegatives: "有" opens the detail question; "没有"
// records a pertinent negative; a duration in the first answer skips the
// onset question.
func TestFollowUpsAndNegatives(t *testing.T) {
	st, asked := interview(t, record.Subject{Age: 40, Sex: "male"}, map[string]string{
		"chief": "咳嗽一周了", "allergy": "有", "allergy_detail": "头孢过敏，会喘不上气", "operations": "没有"})
	if slices.Contains(asked, "onset") {
		t.Errorf("onset asked though the first answer said how long: %v", asked)
	}
	i, j := slices.Index(asked, "allergy"), slices.Index(asked, "allergy_detail")
	if i < 0 || j != i+1 {
		t.Fatalf("有 to allergies should open the detail next: %v", asked)
	}
	if f, ok := fact(st, record.KindAllergy, "头孢菌素"); !ok || f.Status != record.Present || f.Question != "allergy_detail" {
		t.Fatalf("allergy %+v", f)
	}
	if f, ok := fact(st, record.KindOperation, ""); !ok || f.Status != record.Absent {
		t.Fatalf("operations %+v", f)
	}
	d := interviewer(t).Draft(st)
	if !strings.Contains(d.Allergy, "头孢菌素") || strings.Contains(d.Allergy, "否认") {
		t.Errorf("allergy history %q", d.Allergy)
	}
	if !strings.Contains(d.Past, "否认手术") {
		t.Errorf("past history %q", d.Past)
	}
}

func TestUnreadableAnswers(t *testing.T) {
	iv := interviewer(t)
	st := iv.Start(record.Subject{Age: 30, Sex: "male"})
	q, _ := iv.Next(st)
	if q.ID != ChiefID {
		t.Fatalf("first %s", q.ID)
	}
	for _, a := range []string{"", "   ", "嗯嗯", "今天天气不错"} {
		if iv.Answer(st, a, testNow) {
			t.Errorf("%q taken as a chief complaint", a)
		}
	}
	if len(st.Facts) != 0 {
		t.Fatalf("facts from unreadable answers: %+v", st.Facts)
	}
	// Skipped after retries, the interview goes on with the generic
	// questions.
	iv.Skip(st)
	if q, ok := iv.Next(st); !ok || q.ID == ChiefID {
		t.Fatalf("after a skipped chief complaint: %v %v", q, ok)
	}
}

func TestChiefComplaint(t *testing.T) {
	iv := interviewer(t)
	cases := []struct {
		said string
		want string
	}{
		{"发烧三天了，咳嗽一天", "发热3天，伴咳嗽1天"},
		{"咳嗽、流鼻涕两天", "咳嗽、流涕2天"},
		{"肚子疼一个多月了", "腹痛1月余"},
	}
	for _, c := range cases {
		st := iv.Start(record.Subject{Age: 30, Sex: "male"})
		iv.Next(st)
		if !iv.Answer(st, c.said, testNow) {
			t.Fatalf("%q not taken", c.said)
		}
		got := iv.Draft(st).Chief
		if got != c.want {
			t.Errorf("%q: chief %q, want %q", c.said, got, c.want)
		}
		if utf8.RuneCountInString(got) > MaxChief {
			t.Errorf("%q: chief %q over %d characters", c.said, got, MaxChief)
		}
	}
	// Many complaints stay within the bound.
	st := iv.Start(record.Subject{Age: 30, Sex: "male"})
	iv.Next(st)
	iv.Answer(st, "头痛三天，恶心两天，呕吐一天，腹泻半天，乏力一周，咽痛五天", testNow)
	if got := iv.Draft(st).Chief; utf8.RuneCountInString(got) > MaxChief || got == "" {
		t.Errorf("chief %q", got)
	}
}

// TestDraftOnlyFromFacts: nothing said, nothing written — no invented
// negatives.
func TestDraftOnlyFromFacts(t *testing.T) {
	iv := interviewer(t)
	d := iv.Draft(iv.Start(record.Subject{}))
	if d != (record.Sections{}) {
		t.Fatalf("an empty interview wrote %+v", d)
	}
}

func TestCorrection(t *testing.T) {
	iv := interviewer(t)
	st := iv.Start(record.Subject{Age: 30, Sex: "male"})
	iv.Next(st)
	iv.Answer(st, "发烧三天了，还咳嗽", testNow)
	if n := iv.Correct(st, "发烧是四天，不是三天", testNow); n == 0 {
		t.Fatal("correction not read")
	}
	if got := iv.Draft(st).Chief; !strings.HasPrefix(got, "发热4天") {
		t.Fatalf("after the correction: %q", got)
	}
	// Named twice in a correction, the last word stands.
	iv.Correct(st, "咳嗽是点错了，其实不咳嗽", testNow)
	if f, _ := fact(st, record.KindSymptom, "咳嗽"); f.Status != record.Absent {
		t.Fatalf("cough after 咳嗽是点错了，其实不咳嗽: %+v", f)
	}
	if n := iv.Correct(st, "好的", testNow); n != 0 {
		t.Fatalf("好的 read as %d facts", n)
	}
}

func TestReplay(t *testing.T) {
	iv := interviewer(t)
	r := iv.Replay([]Utterance{
		{Text: "孩子咳嗽三天了，晚上厉害"},
		{Doctor: true, Text: "有发烧吗？"},
		{Text: "没有"},
		{Doctor: true, Text: "有没有过敏的？"},
		{Text: "没有"},
	}, record.Subject{Proxy: true})
	if f := find(r.Facts, record.KindSymptom, "发热"); f == nil || f.Status != record.Absent || f.Turn != 2 {
		t.Fatalf("有发烧吗？没有 → %+v", f)
	}
	if f := find(r.Facts, record.KindAllergy, ""); f == nil || f.Status != record.Absent {
		t.Fatalf("allergy %+v", f)
	}
	if !strings.Contains(r.Sections.Chief, "咳嗽3天") || !strings.Contains(r.Sections.Present, "无发热") || r.Sections.Allergy == "" {
		t.Fatalf("sections %+v", r.Sections)
	}
}

func find(fs []record.Fact, kind, name string) *record.Fact {
	for i := range fs {
		if fs[i].Kind == kind && (name == "" || fs[i].Name == name) {
			return &fs[i]
		}
	}
	return nil
}

// BenchmarkInterviewTurn is one answer read and the next question chosen,
// then the draft written, as the skill does on every turn (the store's
// write is not included).
func BenchmarkInterviewTurn(b *testing.B) {
	iv := interviewer(b)
	answers := []string{"我本人，男，45岁", "肚子疼三天了，右下腹，一阵一阵的，吃完饭更厉害", "吃了不干净的东西", "没有"}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		st := iv.Start(record.Subject{})
		for _, a := range answers {
			iv.Next(st)
			iv.Answer(st, a, testNow)
		}
		iv.Draft(st)
	}
}

// BenchmarkReplay is one recorded consultation replayed into a draft
// (daoyi eval preconsult --format imcs, per dialogue).
func BenchmarkReplay(b *testing.B) {
	iv := interviewer(b)
	d := []Utterance{{Text: "宝宝两岁，发烧两天了，最高39度，咳嗽有痰，吃了美林"}, {Doctor: true, Text: "精神怎么样？有没有呕吐腹泻？"},
		{Text: "精神还可以，没有吐，也不拉肚子"}, {Doctor: true, Text: "有没有过敏的？"}, {Text: "没有"}}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		iv.Replay(d, record.Subject{Proxy: true})
	}
}
