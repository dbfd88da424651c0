package bot

import (
	"context"

	"github.com/daoyi-health/daoyi/intents"
)

// Alarm is a red flag found in a message.
type Alarm struct {
	ID       string // the rule's id, e.g. chest_pain_sweating
	Category string // the guidance to give, e.g. cardiac
}

// Safety finds red flags in a message (the app adapts *safety.Detector).
type Safety interface {
	// Check returns the red flags of a message, most severe first.
	Check(text string) []Alarm
	// Guidance returns the variants of a category's emergency guidance.
	Guidance(category string) []string
	// Version identifies the rules, for the audit trail.
	Version() string
}

// emergency answers a message with red flags: the guidance of the most
// severe one first, filled with the hospital's emergency facts, then the
// ways to act — call 120, where the emergency department is — and staff.
// The flags are recorded (EvSafety) and logged by id, never with the text.
func (e *Engine) emergency(t *Turn, alarms []Alarm) *Reply {
	n := t.Session.Turns()
	text := ""
	if g := e.cfg.Safety.Guidance(alarms[0].Category); len(g) > 0 {
		text, _ = e.cfg.Texts.Fill(g[n%len(g)])
	}
	if text == "" {
		text = e.cfg.Texts.Say("emergency", n)
	}
	r := EmergencyReply(e.cfg.Texts, text)
	r.Confidence = 1
	for _, a := range alarms {
		r.alarms = append(r.alarms, a.ID)
	}
	r.safetyVersion = e.cfg.Safety.Version()
	return r
}

// EmergencyReply is the urgent reply around a guidance text: cards to call
// 120 and to find the emergency department, and staff.
func EmergencyReply(tx *Texts, text string) *Reply {
	h := tx.Hospital()
	l := tx.Say("handoff.label", 0)
	return &Reply{
		Text:   text,
		Intent: intents.Emergency,
		Urgent: true,
		Cards: []Card{
			{Type: "emergency", Title: tx.Say("emergency.call", 0), URL: "tel:120"},
			{Type: "location", Title: tx.Say("emergency.where", 0), Text: h.Emergency.Location, URL: h.Links["map"]},
		},
		QuickReplies: []QuickReply{{Title: l, Text: l}},
	}
}

// EmergencySkill answers the emergency intent — "救命", "快叫救护车" —
// when no specific red flag was named: the general emergency guidance.
type EmergencySkill struct{}

// Handle implements Skill.
func (EmergencySkill) Handle(_ context.Context, t *Turn) (*Reply, error) {
	return EmergencyReply(t.Texts, t.Texts.Say("emergency", t.Session.Turns())), nil
}
