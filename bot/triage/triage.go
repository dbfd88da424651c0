// Package triage is the department-triage skill (智能导诊): the patient
// says what is wrong, the skill asks only what changes the answer (at most
// three questions with quick replies) and recommends where to register,
// with reasons, urgency and the department's card. It then stays open for
// a refinement ("不是，是右下腹"), another option, or where the
// department is; anything else ends it.
package triage

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/intents"
	"github.com/daoyi-health/daoyi/triage"
)

// Slots of the triage flow besides question ids.
const (
	slotDescribe = "describe" // nothing usable was said yet
	slotRefine   = "refine"   // a recommendation was given
)

// Skill is the triage flow.
type Skill struct {
	rec *triage.Recommender
}

var _ bot.Flow = (*Skill)(nil)

// New returns the triage skill over a recommender fitted to the hospital.
func New(rec *triage.Recommender) *Skill { return &Skill{rec: rec} }

// state is the flow's own data between turns.
type state struct {
	Facts   triage.Facts `json:"facts"`
	Shown   int          `json:"shown,omitempty"`   // choices shown so far
	Top     []string     `json:"top,omitempty"`     // department ids recommended, best first
	Retried bool         `json:"retried,omitempty"` // the description was asked for again
}

func profile(p *bot.Patient) triage.Profile {
	if p == nil {
		return triage.Profile{}
	}
	return triage.Profile{Age: p.Age, Months: p.Months, Sex: p.Sex, Pregnant: p.Pregnant}
}

// Handle starts a triage from a message describing the problem.
func (s *Skill) Handle(_ context.Context, t *bot.Turn) (*bot.Reply, error) {
	st := state{Facts: s.rec.Extract(t.Message.Text, profile(t.Message.Patient))}
	return s.step(t, &st)
}

// step recommends for what is known: a question when one would change the
// answer, otherwise the recommendation.
func (s *Skill) step(t *bot.Turn, st *state) (*bot.Reply, error) {
	rec := s.rec.Recommend(st.Facts)
	switch {
	case rec.Vague && !st.Retried && len(st.Facts.Asked) == 0:
		return s.save(t, st, slotDescribe, false, s.describe(t))
	case rec.Question != nil:
		return s.save(t, st, rec.Question.ID, false, s.question(t, st, rec.Question))
	}
	return s.save(t, st, slotRefine, true, s.recommend(t, st, rec, rec.Choices))
}

func (s *Skill) save(t *bot.Turn, st *state, slot string, open bool, r *bot.Reply) (*bot.Reply, error) {
	data, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	t.Flow = &bot.FlowState{Name: intents.Triage, Slot: slot, Open: open, Data: data}
	return r, nil
}

func (s *Skill) load(t *bot.Turn) (*state, error) {
	var st state
	if len(t.Flow.Data) > 0 {
		if err := json.Unmarshal(t.Flow.Data, &st); err != nil {
			return nil, fmt.Errorf("triage: flow state: %w", err)
		}
	}
	return &st, nil
}

// Answer takes the patient's answer to the requested slot.
func (s *Skill) Answer(_ context.Context, t *bot.Turn) (*bot.Reply, bool, error) {
	st, err := s.load(t)
	if err != nil {
		return nil, false, err
	}
	text := t.Message.Text
	said := s.rec.Extract(text, triage.Profile{})
	switch t.Flow.Slot {
	case slotDescribe:
		if !informative(said) {
			return nil, false, nil
		}
	case slotRefine:
		switch s.rec.FollowUp(text) {
		case "where":
			return s.where(t, st, text), true, nil
		case "another":
			r, err := s.another(t, st)
			return r, err == nil, err
		}
		if !s.adds(st, said) {
			return nil, false, nil
		}
	default: // a question
		q, ok := s.rec.Question(t.Flow.Slot)
		if !ok {
			return nil, false, nil
		}
		if o, ok := s.rec.Choose(q, text); ok {
			triage.Answer(&st.Facts, q, o)
		} else if s.adds(st, said) {
			st.Facts.Asked = append(st.Facts.Asked, q.ID) // answered in other words
		} else {
			return nil, false, nil
		}
	}
	st.Facts.Merge(said)
	st.Shown = 0
	r, err := s.step(t, st)
	return r, err == nil, err
}

// informative reports whether facts hold any symptom, condition or body
// part (not only who the patient is).
func informative(f triage.Facts) bool {
	for _, t := range append(append([]string(nil), f.Present...), f.Absent...) {
		if !isAttribute(t) {
			return true
		}
	}
	return false
}

func isAttribute(t string) bool {
	for _, a := range corpus.Attributes {
		if a == t {
			return true
		}
	}
	return false
}

// adds reports whether said tells something not known yet.
func (s *Skill) adds(st *state, said triage.Facts) bool {
	for _, t := range said.Present {
		if !st.Facts.Has(t) {
			return true
		}
	}
	for _, t := range said.Absent {
		if !st.Facts.Denied(t) {
			return true
		}
	}
	return false
}

// Ask asks the requested slot again.
func (s *Skill) Ask(_ context.Context, t *bot.Turn) (*bot.Reply, error) {
	st, err := s.load(t)
	if err != nil {
		return nil, err
	}
	switch t.Flow.Slot {
	case slotDescribe:
		return s.describe(t), nil
	case slotRefine:
		rec := s.rec.Recommend(st.Facts)
		return s.recommend(t, st, rec, rec.Choices), nil
	}
	if q, ok := s.rec.Question(t.Flow.Slot); ok {
		return s.question(t, st, q), nil
	}
	return s.step(t, st)
}

// Skip gives up the requested slot: a question counts as asked and
// unanswered; a description never given leads to the general advice.
func (s *Skill) Skip(_ context.Context, t *bot.Turn) (*bot.Reply, error) {
	st, err := s.load(t)
	if err != nil {
		return nil, err
	}
	if t.Flow.Slot == slotDescribe {
		st.Retried = true
	} else if t.Flow.Slot != slotRefine {
		st.Facts.Asked = append(st.Facts.Asked, t.Flow.Slot)
	}
	return s.step(t, st)
}

func (s *Skill) describe(t *bot.Turn) *bot.Reply {
	return &bot.Reply{Text: t.Texts.Say("triage.describe", t.Session.Turns()), Intent: intents.Triage,
		Confidence: t.Prediction.Confidence}
}

func (s *Skill) question(t *bot.Turn, st *state, q *corpus.TriageQuestion) *bot.Reply {
	ask := q.Ask
	if st.Facts.Has(corpus.AttrChild) && q.AskChild != "" {
		ask = q.AskChild
	}
	r := &bot.Reply{Text: ask, Intent: intents.Triage, Confidence: t.Prediction.Confidence}
	if t.Retry {
		r.Text = t.Texts.Say("triage.choose", t.Session.Turns()) + ask
	}
	for _, o := range q.Options {
		r.QuickReplies = append(r.QuickReplies, bot.QuickReply{Title: o.Label, Text: o.Label})
	}
	return r
}

// recommend renders choices: one line with a reason each, the urgency
// advice, a department card each, and follow-up quick replies.
func (s *Skill) recommend(t *bot.Turn, st *state, rec triage.Recommendation, choices []triage.Choice) *bot.Reply {
	n := t.Session.Turns()
	tx := t.Texts
	var b strings.Builder
	intro := "triage.intro"
	if st.Shown > 0 {
		intro = "triage.intro.more"
	}
	b.WriteString(tx.Say(intro, n))
	r := &bot.Reply{Intent: intents.Triage, Confidence: rec.Confidence}
	for i, c := range choices {
		d := c.Department
		b.WriteString("\n" + tx.SayWith("triage.line", 0, map[string]string{
			"n": fmt.Sprint(st.Shown + i + 1), "dept": d.Name, "reason": s.reason(tx, c, n)}))
		r.Cards = append(r.Cards, departmentCard(tx, d))
	}
	st.Top = st.Top[:0]
	for _, c := range choices {
		st.Top = append(st.Top, c.Department.ID)
	}
	st.Shown += len(choices)
	b.WriteString("\n\n" + tx.Say("triage.urgency."+rec.Urgency, n))
	b.WriteString("\n" + tx.Say("triage.disclaimer", n))
	r.Text = b.String()
	if rec.Urgency == triage.Emergency {
		e := bot.EmergencyReply(tx, r.Text)
		e.Intent, e.Confidence = intents.Triage, rec.Confidence
		e.Cards = append(e.Cards, r.Cards...)
		r = e
	}
	if len(choices) > 0 {
		where := tx.SayWith("triage.qr.where", 0, map[string]string{"dept": choices[0].Department.Name})
		r.QuickReplies = append(r.QuickReplies, bot.QuickReply{Title: where, Text: where})
	}
	if st.Shown < 3+len(rec.Others) && st.Shown == len(choices) {
		a := tx.Say("triage.qr.another", 0)
		r.QuickReplies = append(r.QuickReplies, bot.QuickReply{Title: a, Text: a})
	}
	if s.rec.OffersPreconsult() && rec.Urgency != triage.Emergency {
		// Not in an emergency: then the patient should go, not fill forms.
		p := tx.Say("triage.qr.preconsult", 0)
		r.QuickReplies = append(r.QuickReplies, bot.QuickReply{Title: p, Text: p})
	}
	return r
}

// reason is one line on why a department: the rule that decided it, the
// patient's own words that point there, or the general advice.
func (s *Skill) reason(tx *bot.Texts, c triage.Choice, n int) string {
	terms := ""
	for _, w := range c.Because {
		terms += tx.SayWith("triage.word", 0, map[string]string{"name": w})
	}
	vars := map[string]string{"dept": c.Department.Name, "terms": terms, "age": fmt.Sprint(s.rec.ChildAge())}
	switch {
	case c.ForChild && terms != "":
		return tx.SayWith("triage.reason.child", n, vars)
	case c.Rule != "":
		return c.Rule
	case terms != "":
		return tx.SayWith("triage.reason", n, vars)
	}
	return tx.SayWith("triage.reason.general", n, vars)
}

// departmentCard shows a department with its place, hours and the
// registration link.
func departmentCard(tx *bot.Texts, d *corpus.Department) bot.Card {
	text := d.Description
	if d.Location != "" {
		text += "\n" + tx.SayWith("service.place", 0, map[string]string{"name": d.Name, "where": d.Location})
	}
	if d.Hours != "" {
		text += "\n" + d.Hours
	}
	return bot.Card{Type: "department", ID: d.ID, Title: d.Name, Text: text, URL: d.Register}
}

// another shows the next choices, if any.
func (s *Skill) another(t *bot.Turn, st *state) (*bot.Reply, error) {
	rec := s.rec.Recommend(st.Facts)
	if st.Shown >= 3 && len(rec.Others) > 0 && st.Shown < 3+len(rec.Others) {
		return s.save(t, st, slotRefine, true, s.recommend(t, st, rec, rec.Others[st.Shown-3:]))
	}
	r := &bot.Reply{Text: t.Texts.Say("triage.no_more", t.Session.Turns()), Intent: intents.Triage,
		Confidence: rec.Confidence}
	return r, nil
}

// where tells where the department named in the message is, or the one
// recommended first.
func (s *Skill) where(t *bot.Turn, st *state, text string) *bot.Reply {
	d, ok := s.rec.Named(text)
	if !ok && len(st.Top) > 0 {
		d, ok = s.rec.Department(st.Top[0])
	}
	tx := t.Texts
	r := &bot.Reply{Intent: intents.Triage, Confidence: 1}
	if !ok {
		r.Text = tx.Say("triage.where.unknown", t.Session.Turns())
		return r
	}
	if d.Location == "" {
		r.Text = tx.SayWith("triage.where.ask", t.Session.Turns(), map[string]string{"dept": d.Name})
	} else {
		r.Text = tx.SayWith("service.place", 0, map[string]string{"name": d.Name, "where": d.Location})
	}
	r.Cards = []bot.Card{departmentCard(tx, d)}
	if m := tx.Hospital().Links["map"]; m != "" {
		r.Cards = append(r.Cards, bot.Card{Type: "location", Title: tx.Say("service.map", 0), URL: m})
	}
	return r
}
