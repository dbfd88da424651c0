// Package faq answers knowledge questions from the approved QA pairs, in
// three tiers: a confident match gets its approved answer word for word
// with the source cited; a weak one gets the closest questions to choose
// from; none gets an honest "I don't know" and the way to a person.
package faq

import (
	"context"

	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/intents"
	"github.com/daoyi-health/daoyi/knowledge"
)

// Searcher finds answers; *knowledge.Retriever implements it.
type Searcher interface {
	Search(ctx context.Context, text string) (*knowledge.Result, error)
}

// Skill is the FAQ skill.
type Skill struct {
	search Searcher
	// Related is how many other questions are offered as quick replies
	// after an answer (default 3).
	Related int
	// Grounded, when set, writes an answer with an LLM from the retrieved
	// passages for questions without a confident stored answer.
	Grounded *Grounded
}

// New returns the FAQ skill.
func New(s Searcher) *Skill { return &Skill{search: s, Related: 3} }

// Handle implements bot.Skill.
func (s *Skill) Handle(ctx context.Context, t *bot.Turn) (*bot.Reply, error) {
	res, err := s.search.Search(ctx, t.Message.Text)
	if err != nil {
		return nil, err
	}
	n := t.Session.Turns()
	r := &bot.Reply{Intent: intents.FAQ, Decision: string(res.Decision), Confidence: res.Confidence}
	if res.Decision != knowledge.Answer && s.Grounded != nil {
		if g, ok := s.Grounded.write(ctx, t, res); ok {
			g.Intent = intents.FAQ
			g.Text += "\n" + t.Texts.Say("faq.generated", n)
			g.QuickReplies = []bot.QuickReply{handoff(t)}
			return g, nil
		}
	}
	switch res.Decision {
	case knowledge.Answer:
		top := res.Hits[0]
		answer, err := t.Texts.Fill(top.QA.Answer)
		if err != nil {
			return nil, err
		}
		r.Text = answer
		r.QAID = top.QA.ID
		r.MatchedQuery = top.Matched
		r.Citations = []bot.Citation{{ID: top.QA.ID, Title: top.QA.ArticleTitle}}
		r.Cards = []bot.Card{{Type: "faq", ID: top.QA.ID, Title: top.QA.Question, Text: answer}}
		for _, h := range res.Hits[1:] {
			if len(r.QuickReplies) == s.Related {
				break
			}
			if h.Score >= 0.2 {
				r.QuickReplies = append(r.QuickReplies, bot.QuickReply{Title: h.QA.Question, Text: h.QA.Question})
			}
		}
	case knowledge.Suggest:
		r.Text = t.Texts.Say("faq.suggest", n)
		card := bot.Card{Type: "choices", Title: r.Text}
		for i, h := range res.Hits {
			if i == 3 {
				break
			}
			card.Items = append(card.Items, bot.CardItem{Title: h.QA.Question, ID: h.QA.ID})
			r.QuickReplies = append(r.QuickReplies, bot.QuickReply{Title: h.QA.Question, Text: h.QA.Question})
		}
		r.Cards = []bot.Card{card}
		r.QuickReplies = append(r.QuickReplies, handoff(t))
	default:
		r.Text = t.Texts.Say("faq.decline", n)
		r.QuickReplies = []bot.QuickReply{handoff(t)}
	}
	return r, nil
}

func handoff(t *bot.Turn) bot.QuickReply {
	l := t.Texts.Say("handoff.label", 0)
	return bot.QuickReply{Title: l, Text: l}
}
