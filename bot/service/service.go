// Package service answers patients who want to do something now — book,
// pay, look up a report, park — with a card linking to the hospital's page,
// and those looking for a place with where it is. A message that names no
// known service or place is passed to the knowledge base.
package service

import (
	"context"
	"sort"
	"strings"

	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/intents"
	"github.com/daoyi-health/daoyi/zh"
)

// Skill is the service skill.
type Skill struct {
	catalogue *corpus.Services
	fallback  bot.Skill
}

// New returns the service skill over a catalogue (corpus.LoadServices);
// messages it cannot place go to fallback (the FAQ skill).
func New(c *corpus.Services, fallback bot.Skill) *Skill {
	return &Skill{catalogue: c, fallback: fallback}
}

type found struct {
	pos  int
	card bot.Card
	text string
}

// Handle implements bot.Skill.
func (s *Skill) Handle(ctx context.Context, t *bot.Turn) (*bot.Reply, error) {
	text := strings.ToLower(zh.Normalize(t.Message.Text))
	h := t.Texts.Hospital()
	var hits []found
	seenPlace := map[string]bool{}
	for _, sv := range s.catalogue.Services {
		if pos := firstOf(text, sv.Keywords); pos >= 0 {
			body, err := t.Texts.Fill(sv.Text)
			if err != nil {
				return nil, err
			}
			if sv.Place != "" {
				seenPlace[sv.Place] = true
				body += t.Texts.SayWith("service.place", 0, map[string]string{"name": sv.Place, "where": h.Locations[sv.Place]})
			}
			hits = append(hits, found{pos: pos, text: body,
				card: bot.Card{Type: "service", ID: sv.ID, Title: sv.Title, Text: body, URL: h.Links[sv.Link]}})
		}
	}
	for _, p := range s.catalogue.Places {
		pos := firstOf(text, append([]string{strings.ToLower(p.Name)}, p.Aliases...))
		if pos < 0 || seenPlace[p.Name] {
			continue
		}
		seenPlace[p.Name] = true
		where := h.Locations[p.Name]
		line := t.Texts.SayWith("service.place", 0, map[string]string{"name": p.Name, "where": where})
		hits = append(hits, found{pos: pos, text: line,
			card: bot.Card{Type: "location", Title: p.Name, Text: where, URL: h.Links["map"]}})
	}
	if len(hits) == 0 {
		return s.fallback.Handle(ctx, t)
	}
	sort.SliceStable(hits, func(a, b int) bool { return hits[a].pos < hits[b].pos })
	if len(hits) > 3 {
		hits = hits[:3]
	}
	r := &bot.Reply{Intent: intents.Service, Confidence: t.Prediction.Confidence}
	var lines []string
	for _, f := range hits {
		lines = append(lines, f.text)
		r.Cards = append(r.Cards, f.card)
	}
	r.Text = strings.Join(lines, "\n")
	return r, nil
}

// firstOf returns the earliest position of any of words in text, or -1.
func firstOf(text string, words []string) int {
	best := -1
	for _, w := range words {
		if w == "" {
			continue
		}
		if i := strings.Index(text, strings.ToLower(w)); i >= 0 && (best < 0 || i < best) {
			best = i
		}
	}
	return best
}
