package app

import (
	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/safety"
)

// redFlags adapts the red-flag detector to the engine.
type redFlags struct{ d *safety.Detector }

func (r redFlags) Check(text string) []bot.Alarm {
	var out []bot.Alarm
	for _, a := range r.d.Check(text) {
		out = append(out, bot.Alarm{ID: a.ID, Category: a.Category})
	}
	return out
}

func (r redFlags) Guidance(category string) []string { return r.d.Guidance(category) }
func (r redFlags) Version() string                   { return r.d.Version() }
