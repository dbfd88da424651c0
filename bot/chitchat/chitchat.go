// Package chitchat answers social messages — greetings, thanks, goodbyes —
// with the assistant's own sentences and a few questions to start from.
package chitchat

import (
	"context"

	"github.com/daoyi-health/daoyi/bot"
)

// Skill replies to one social intent with the corpus reply of the same name.
type Skill struct{ Key string }

// Handle implements bot.Skill.
func (s Skill) Handle(_ context.Context, t *bot.Turn) (*bot.Reply, error) {
	r := &bot.Reply{Text: t.Texts.Say(s.Key, t.Session.Turns()), Confidence: t.Prediction.Confidence}
	if s.Key == "greeting" {
		r.QuickReplies = t.Texts.Starters()
	}
	return r, nil
}
