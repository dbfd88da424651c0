package triage_test

import (
	"context"
	"strings"
	"testing"

	"github.com/daoyi-health/daoyi/bot"
	triageskill "github.com/daoyi-health/daoyi/bot/triage"
	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/triage"
)

type rig struct {
	t     *testing.T
	s     *triageskill.Skill
	tx    *bot.Texts
	flow  *bot.FlowState
	sess  *bot.Session
	who   *bot.Patient
	hosp  *corpus.Hospital
	turns int
}

func newRig(t *testing.T, who *bot.Patient) *rig {
	h, err := corpus.DefaultHospital()
	if err != nil {
		t.Fatal(err)
	}
	r, err := corpus.LoadReplies()
	if err != nil {
		t.Fatal(err)
	}
	tx, err := bot.NewTexts(r, h)
	if err != nil {
		t.Fatal(err)
	}
	rec, err := triage.Load(h, triage.Config{})
	if err != nil {
		t.Fatal(err)
	}
	return &rig{t: t, s: triageskill.New(rec), tx: tx, sess: &bot.Session{}, who: who, hosp: h}
}

// say sends a message: the first starts the triage, later ones answer the
// flow's slot.
func (r *rig) say(text string) (*bot.Reply, bool) {
	r.t.Helper()
	turn := &bot.Turn{Message: bot.Message{Text: text, Patient: r.who}, Session: r.sess, Texts: r.tx, Flow: r.flow.Clone()}
	var rep *bot.Reply
	ok := true
	var err error
	if r.flow == nil {
		rep, err = r.s.Handle(context.Background(), turn)
	} else {
		rep, ok, err = r.s.Answer(context.Background(), turn)
	}
	if err != nil {
		r.t.Fatal(err)
	}
	if ok {
		r.flow = turn.Flow
	}
	return rep, ok
}

func departments(rep *bot.Reply) []bot.Card {
	var out []bot.Card
	for _, c := range rep.Cards {
		if c.Type == "department" {
			out = append(out, c)
		}
	}
	return out
}

func TestRecommendationReply(t *testing.T) {
	r := newRig(t, &bot.Patient{Age: 35, Sex: "male"})
	rep, _ := r.say("牙疼得晚上睡不着，左边后面那颗")
	for i := 0; i < 3 && len(departments(rep)) == 0; i++ {
		rep, _ = r.say(rep.QuickReplies[len(rep.QuickReplies)-1].Text)
	}
	cards := departments(rep)
	if len(cards) == 0 || cards[0].Title != "口腔科" || cards[0].URL != r.hosp.Links["register"] {
		t.Fatalf("cards %+v", rep.Cards)
	}
	if !strings.Contains(cards[0].Text, "门诊楼七层") {
		t.Errorf("the card should say where the clinic is: %q", cards[0].Text)
	}
	if !strings.Contains(rep.Text, "牙疼") || !strings.Contains(rep.Text, "不是诊断") {
		t.Errorf("the reason should quote the patient and the reply say it is no diagnosis: %s", rep.Text)
	}
	if r.flow == nil || !r.flow.Open || r.flow.Slot != "refine" {
		t.Fatalf("after a recommendation the flow stays open: %+v", r.flow)
	}
	if !hasReply(rep, "开始预问诊") {
		t.Errorf("the example hospital offers the pre-consultation after a recommendation: %+v", rep.QuickReplies)
	}
	w, ok := r.say("口腔科在几楼")
	if !ok || !strings.Contains(w.Text, "门诊楼七层") {
		t.Errorf("where: %v %+v", ok, w)
	}
	if _, ok := r.say("你们医院停车收费吗"); ok {
		t.Error("an unrelated message was taken by the open triage")
	}
}

func TestEmergencyIsUrgent(t *testing.T) {
	r := newRig(t, &bot.Patient{Sex: "female", Age: 28})
	rep, _ := r.say("肚子疼得厉害，月经推迟两周了，下面还有点出血")
	if !rep.Urgent {
		t.Fatalf("not urgent: %+v", rep)
	}
	has := map[string]bool{}
	for _, c := range rep.Cards {
		has[c.Type] = true
	}
	if !has["emergency"] || !has["department"] {
		t.Errorf("an urgent triage needs the 120 card and the department cards: %+v", rep.Cards)
	}
	if hasReply(rep, "开始预问诊") {
		t.Error("an emergency is told to go now, not offered a questionnaire")
	}
}

// TestPreconsultOfferFollowsTheProfile: a hospital that does not run the
// pre-consultation is never offered it.
func TestPreconsultOfferFollowsTheProfile(t *testing.T) {
	r := newRig(t, &bot.Patient{Age: 35, Sex: "male"})
	h := *r.hosp
	h.Departments.Preconsult = false
	rec, err := triage.Load(&h, triage.Config{})
	if err != nil {
		t.Fatal(err)
	}
	r.s = triageskill.New(rec)
	rep, _ := r.say("牙疼得晚上睡不着，左边后面那颗")
	for i := 0; i < 3 && len(departments(rep)) == 0; i++ {
		rep, _ = r.say(rep.QuickReplies[len(rep.QuickReplies)-1].Text)
	}
	if len(departments(rep)) == 0 || hasReply(rep, "开始预问诊") {
		t.Fatalf("a hospital without the pre-consultation: %+v", rep.QuickReplies)
	}
}

func hasReply(r *bot.Reply, title string) bool {
	for _, q := range r.QuickReplies {
		if q.Title == title {
			return true
		}
	}
	return false
}

// A parent's message about a child ends at the children's departments,
// whatever the answers to the questions on the way.
func TestChildGoesToPaediatrics(t *testing.T) {
	for _, pick := range []int{0, -1} {
		r := newRig(t, nil)
		rep, _ := r.say("孩子5岁，肚子疼")
		for i := 0; i < 3 && len(departments(rep)) == 0; i++ {
			if len(rep.QuickReplies) < 2 {
				t.Fatalf("a question needs quick replies: %+v", rep)
			}
			k := pick
			if k < 0 {
				k = len(rep.QuickReplies) - 1
			}
			rep, _ = r.say(rep.QuickReplies[k].Text)
		}
		d := departments(rep)
		if len(d) == 0 || (d[0].Title != "儿科" && d[0].Title != "小儿外科" && d[0].Title != "急诊科") {
			t.Errorf("a 5-year-old's belly ache (answers %d): %+v", pick, d)
		}
	}
}

func TestDescribeFirst(t *testing.T) {
	r := newRig(t, nil)
	rep, _ := r.say("我要看病，挂哪个科")
	if r.flow == nil || r.flow.Slot != "describe" || len(departments(rep)) > 0 {
		t.Fatalf("nothing said yet: ask for a description, got %+v / %+v", r.flow, rep)
	}
	if _, ok := r.say("嗯"); ok {
		t.Error("a message without a complaint was taken as the description")
	}
	rep, ok := r.say("胃疼，老反酸")
	if !ok || (len(departments(rep)) == 0 && len(rep.QuickReplies) == 0) {
		t.Errorf("the description should move on: %+v", rep)
	}
}
