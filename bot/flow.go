package bot

import (
	"context"
	"encoding/json"
	"time"

	"github.com/daoyi-health/daoyi/intents"
)

// Flow is a skill that holds the conversation over several turns: a form
// whose slots are asked one at a time (Rasa's form loop: activate → ask the
// requested slot → validate → next → done). Its Handle starts it: it sets
// Turn.Flow and asks the first slot. While the flow is active the engine
// keeps its policy — interruptions answered and the flow offered to
// resume, cancel leaves, staff always reachable, small talk never fills a
// slot, a failed answer re-asked at most MaxRetries times and then
// skipped — and calls the methods below.
type Flow interface {
	Skill
	// Answer tries to fill the requested slot with the message. ok is
	// false when the message does not answer it; otherwise the reply asks
	// the next slot, or finishes the flow by setting Turn.Flow to nil.
	Answer(ctx context.Context, t *Turn) (r *Reply, ok bool, err error)
	// Ask asks the requested slot again (after an interruption, or with
	// Turn.Retry set after a failed answer).
	Ask(ctx context.Context, t *Turn) (*Reply, error)
	// Skip gives up the requested slot and moves on, after repeated
	// failed answers.
	Skip(ctx context.Context, t *Turn) (*Reply, error)
}

// FlowState is an active flow as the session records it. Skills change it
// through Turn.Flow; the engine records every change as an EvFlow event.
type FlowState struct {
	Name  string            `json:"name"`            // the flow's intent, e.g. preconsult
	Slot  string            `json:"slot"`            // the requested slot
	Slots map[string]string `json:"slots,omitempty"` // what is filled so far
	// Tries counts failed answers to the requested slot.
	Tries int `json:"tries,omitempty"`
	// AwaitResume is set after an interruption was answered and the
	// patient was asked whether to go on.
	AwaitResume bool `json:"await_resume,omitempty"`
	// Open marks a slot that takes answers without insisting (a triage's
	// "refine or ask about the result"): a message it does not take, or
	// small talk, ends the flow and is answered as if no flow were active.
	Open bool `json:"open,omitempty"`
	// Data is the flow's own state, opaque to the engine.
	Data json.RawMessage `json:"data,omitempty"`
}

// Clone returns a deep copy, so that a skill's changes to Turn.Flow never
// alter the recorded state until the turn is committed.
func (f *FlowState) Clone() *FlowState {
	if f == nil {
		return nil
	}
	c := *f
	if f.Slots != nil {
		c.Slots = make(map[string]string, len(f.Slots))
		for k, v := range f.Slots {
			c.Slots[k] = v
		}
	}
	c.Data = append(json.RawMessage(nil), f.Data...)
	return &c
}

// FlowData is the data of an EvFlow event: the flow's new state, or its
// end and why.
type FlowData struct {
	State *FlowState `json:"state,omitempty"` // nil when the flow ended
	Ended string     `json:"ended,omitempty"` // done, cancelled, expired
}

// Flow endings.
const (
	FlowDone      = "done"
	FlowCancelled = "cancelled"
	FlowExpired   = "expired"
)

// ActiveFlow returns the session's active flow, replayed from its events,
// or nil.
func (s *Session) ActiveFlow() *FlowState {
	for i := len(s.Events) - 1; i >= 0; i-- {
		if s.Events[i].Type != EvFlow {
			continue
		}
		var d FlowData
		if json.Unmarshal(s.Events[i].Data, &d) != nil {
			return nil
		}
		return d.State
	}
	return nil
}

// LastActivity returns the time of the session's last event, or its
// creation.
func (s *Session) LastActivity() time.Time {
	if n := len(s.Events); n > 0 {
		return s.Events[n-1].At
	}
	return s.CreatedAt
}

// smallTalk are intents that never fill a slot: answered, then the slot is
// asked again.
var smallTalk = map[string]bool{intents.Greeting: true, intents.Thanks: true, intents.OutOfScope: true, intents.Abuse: true}

// interruptions are intents that, when a message does not answer the
// slot, are answered by their own skill before the flow is offered again.
var interruptions = map[string]bool{intents.FAQ: true, intents.Service: true, intents.Handoff: true, intents.Emergency: true, intents.Triage: true, intents.Preconsult: true}

// continueFlow runs the flow policy for a message while flow f is active.
func (e *Engine) continueFlow(ctx context.Context, t *Turn, fl Flow) (*Reply, error) {
	p := t.Prediction
	n := t.Session.Turns()
	f := t.Flow
	if f.AwaitResume {
		f.AwaitResume = false
		switch p.Intent {
		case intents.Affirm:
			return fl.Ask(ctx, t)
		case intents.Deny, intents.Cancel:
			t.Flow, t.flowEnd = nil, FlowCancelled
			return &Reply{Text: e.cfg.Texts.Say("flow.left", n), QuickReplies: e.cfg.Texts.Starters()}, nil
		}
	}
	if f.Open && !(p.Intent == intents.Cancel && !p.Unsure) {
		if !(smallTalk[p.Intent] && !p.Unsure) {
			r, ok, err := fl.Answer(ctx, t)
			if err != nil || ok {
				return r, err
			}
		}
		t.Flow, t.flowEnd = nil, FlowDone
		if p.Unsure {
			return e.clarify(t), nil
		}
		return e.skill(p.Intent).Handle(ctx, t)
	}
	// The flow reads the message first: a short answer (白色的痰, 没有了,
	// 打6分吧) often looks like small talk, a goodbye or a cancel to the
	// router, and the flow takes only what answers its question.
	// Asking for a person, or a cancel said as the rules know it (算了, 不问
	// 了), is never taken as an answer: staff and the way out stay reachable.
	leaving := !p.Unsure && (p.Intent == intents.Handoff && (p.Source == intents.SourceRule || p.Confidence >= 0.8) ||
		p.Intent == intents.Cancel && p.Source == intents.SourceRule)
	// Small talk the rules know word for word (谢谢, 你好) never fills a
	// slot, even one that would take any words.
	chat := smallTalk[p.Intent] && p.Source == intents.SourceRule
	if !leaving && !chat {
		r, ok, err := fl.Answer(ctx, t)
		if err != nil || ok {
			if ok && t.Flow != nil {
				t.Flow.Tries = 0
			}
			return r, err
		}
	}
	switch {
	case p.Intent == intents.Cancel && !p.Unsure:
		t.Flow, t.flowEnd = nil, FlowCancelled
		return &Reply{Text: e.cfg.Texts.Say("flow.cancelled", n), QuickReplies: e.cfg.Texts.Starters()}, nil
	case p.Intent == intents.Goodbye && !p.Unsure:
		t.Flow, t.flowEnd = nil, FlowCancelled
		return e.skill(p.Intent).Handle(ctx, t)
	case smallTalk[p.Intent] && !p.Unsure:
		r, err := e.skill(p.Intent).Handle(ctx, t)
		if err != nil {
			return nil, err
		}
		ask, err := fl.Ask(ctx, t)
		if err != nil {
			return nil, err
		}
		return joinReplies(r, ask), nil
	}
	if interruptions[p.Intent] && p.Intent != f.Name && !p.Unsure && p.Confidence >= 0.5 {
		r, err := e.skill(p.Intent).Handle(ctx, t)
		if err != nil {
			return nil, err
		}
		if r.Intent == "" {
			r.Intent = p.Intent
		}
		f.AwaitResume = true
		r.Text += "\n\n" + e.cfg.Texts.Say("flow.resume", n)
		r.QuickReplies = []QuickReply{
			{Title: e.cfg.Texts.Say("flow.resume.yes", 0), Text: e.cfg.Texts.Say("flow.resume.yes", 0)},
			{Title: e.cfg.Texts.Say("flow.resume.no", 0), Text: e.cfg.Texts.Say("flow.resume.no", 0)},
		}
		return r, nil
	}
	f.Tries++
	if f.Tries > e.cfg.MaxRetries {
		f.Tries = 0
		return fl.Skip(ctx, t)
	}
	t.Retry = true
	r, err := fl.Ask(ctx, t)
	if err != nil {
		return nil, err
	}
	r.Text = e.cfg.Texts.Say("flow.retry", n) + r.Text
	return r, nil
}

// joinReplies puts a's text before b's and keeps b's quick replies and
// cards after a's: "you're welcome" then the question again.
func joinReplies(a, b *Reply) *Reply {
	out := *b
	if a.Text != "" {
		out.Text = a.Text + "\n\n" + b.Text
	}
	out.Cards = append(append([]Card(nil), a.Cards...), b.Cards...)
	out.Citations = append(append([]Citation(nil), a.Citations...), b.Citations...)
	return &out
}
