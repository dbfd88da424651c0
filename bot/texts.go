package bot

import (
	"fmt"

	"github.com/daoyi-health/daoyi/corpus"
)

// Texts gives skills the assistant's sentences (corpus/replies.yaml) with
// the hospital's facts filled in.
type Texts struct {
	replies  corpus.Replies
	hospital *corpus.Hospital
}

// NewTexts checks that every reply fills from the profile, so a missing
// fact is caught at start-up rather than in front of a patient.
func NewTexts(r corpus.Replies, h *corpus.Hospital) (*Texts, error) {
	for key, vs := range r {
		for _, v := range vs {
			if _, err := h.Fill(v, corpus.ReplyVars); err != nil {
				return nil, fmt.Errorf("bot: reply %q: %w", key, err)
			}
		}
	}
	return &Texts{replies: r, hospital: h}, nil
}

// SayWith returns variant n of the reply key, filled with the skill's
// values (name, where, terms, dept, age) and the profile.
func (t *Texts) SayWith(key string, n int, vars map[string]string) string {
	s, _ := t.hospital.Fill(t.replies.Pick(key, n), vars)
	return s
}

// Say returns variant n of the reply key, filled. An unknown key returns ""
// (NewTexts has already checked the ones that exist).
func (t *Texts) Say(key string, n int) string {
	s, _ := t.hospital.Fill(t.replies.Pick(key, n), nil)
	return s
}

// All returns every variant of key, filled.
func (t *Texts) All(key string) []string {
	var out []string
	for i := range t.replies[key] {
		out = append(out, t.Say(key, i))
	}
	return out
}

// Fill fills profile placeholders in any text, such as a stored answer.
func (t *Texts) Fill(s string) (string, error) { return t.hospital.Fill(s, nil) }

// Hospital returns the profile.
func (t *Texts) Hospital() *corpus.Hospital { return t.hospital }

// Starters returns the default quick replies.
func (t *Texts) Starters() []QuickReply {
	var qr []QuickReply
	for _, s := range t.All("starters") {
		qr = append(qr, QuickReply{Title: s, Text: s})
	}
	return qr
}
