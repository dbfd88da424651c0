// Package intents decides what a message wants. The Router tries, in
// order: an exact rule (the message is one of the corpus's examples), the
// local classifier (a multinomial logistic regression trained from
// corpus/intents.yaml at start-up), and — when a hospital configures one
// and the local classifier is unsure, or always by configuration — an LLM
// asked for a JSON intent. When nothing is sure, it says so (Unsure) and
// the engine asks one clarifying question instead of guessing (Rasa's
// fallback policy).
package intents

import (
	"context"
	"strings"
	"time"

	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/internal/breaker"
	"github.com/daoyi-health/daoyi/zh"
)

// Intent names (corpus/intents.yaml defines the set; these are the ones
// the engine and skills refer to).
const (
	FAQ        = "faq"
	Triage     = "triage"
	Preconsult = "preconsult"
	Service    = "service"
	Handoff    = "handoff"
	Emergency  = "emergency"
	Greeting   = "greeting"
	Thanks     = "thanks"
	Goodbye    = "goodbye"
	Affirm     = "affirm"
	Deny       = "deny"
	Cancel     = "cancel"
	OutOfScope = "out_of_scope"
	Abuse      = "abuse"
	// Clarify is not classified either: the engine's reply to an unsure
	// prediction, asking which of the close intents is meant.
	Clarify = "clarify"
	// Fallback is not classified: it is the engine's reply to messages it
	// cannot read (empty, binary, too long).
	Fallback = "fallback"
)

// Sources of a prediction.
const (
	SourceRule  = "rule"
	SourceLocal = "local"
	SourceLLM   = "llm"
	// SourceSafety marks the engine's emergency answer to a red flag,
	// decided before any routing.
	SourceSafety = "safety"
	// SourceChannel: the channel named the intent (a start link, a menu
	// button), so the message was not routed.
	SourceChannel = "channel"
)

// Prediction is the router's reading of a message.
type Prediction struct {
	Intent     string
	Confidence float64  // the calibrated probability of Intent (1 for a rule)
	Ranking    []Scored // the local classifier's top intents, most likely first
	Source     string   // rule, local or llm
	// Unsure is set when the local classifier is below the threshold or
	// its top two are within the margin, both are intents a patient can
	// be asked to choose between, and no LLM settled it: the engine asks.
	Unsure bool
	// LLMFailed is set when an LLM was asked and failed (error, timeout,
	// malformed answer, breaker open); the local result stands.
	LLMFailed bool
}

// Config tunes a Router. Zero fields take the defaults.
type Config struct {
	// Threshold is the probability below which the local classifier is
	// unsure (default 0.5).
	Threshold float64
	// Margin is the gap between the top two probabilities under which it
	// is unsure (default 0.1).
	Margin float64
	// LLM, when set, is asked when the local classifier is unsure (or
	// always, with LLMAlways).
	LLM       LLM
	LLMAlways bool
	// LLMTimeout bounds one LLM call (default 2 s).
	LLMTimeout time.Duration
	// Breaker stops calling a failing LLM for a while (default: 5
	// consecutive failures open it for 30 s).
	Breaker *breaker.Breaker
}

// Router classifies messages. Safe for concurrent use.
type Router struct {
	cfg     Config
	exact   map[string]string // compacted example -> intent
	local   *Classifier
	intents []corpus.Intent
	clarify map[string]corpus.Choice
	prompt  string // the LLM's system prompt, built once
}

// NewRouter builds a router over a trained classifier and the intents it
// was trained from (for exact rules, clarification choices and the LLM's
// prompt).
func NewRouter(local *Classifier, ints []corpus.Intent, cfg Config) *Router {
	if cfg.Threshold <= 0 {
		cfg.Threshold = 0.5
	}
	if cfg.Margin <= 0 {
		cfg.Margin = 0.1
	}
	if cfg.LLMTimeout <= 0 {
		cfg.LLMTimeout = 2 * time.Second
	}
	if cfg.Breaker == nil {
		cfg.Breaker = &breaker.Breaker{}
	}
	r := &Router{cfg: cfg, exact: map[string]string{}, local: local, intents: ints, clarify: map[string]corpus.Choice{}}
	for _, in := range ints {
		for _, ex := range in.Examples {
			r.exact[key(ex)] = in.Name
		}
		if in.Clarify != nil {
			r.clarify[in.Name] = *in.Clarify
		}
	}
	if cfg.LLM != nil {
		r.prompt = buildPrompt(ints)
	}
	return r
}

// Examples flattens intents into labelled examples.
func Examples(ints []corpus.Intent) []Example {
	var out []Example
	for _, in := range ints {
		for _, ex := range in.Examples {
			out = append(out, Example{Text: ex, Intent: in.Name})
		}
	}
	return out
}

// DefaultRouter trains the local classifier on the embedded corpus (about
// two seconds of CPU, most of it calibration) and returns a router over it.
func DefaultRouter(cfg Config) (*Router, error) {
	r, _, err := DefaultRouterCached(cfg, nil)
	return r, err
}

// DefaultRouterCached is DefaultRouter with the classifier cache of
// TrainCached: it returns the bytes to keep when it had to train (nil when
// cached was used).
func DefaultRouterCached(cfg Config, cached []byte) (*Router, []byte, error) {
	ints, err := corpus.Intents()
	if err != nil {
		return nil, nil, err
	}
	seg, lex, err := zh.Default()
	if err != nil {
		return nil, nil, err
	}
	c, fresh, err := TrainCached(NewFeaturizer(seg, lex), Examples(ints), TrainOptions{}, cached)
	if err != nil {
		return nil, nil, err
	}
	return NewRouter(c, ints, cfg), fresh, nil
}

// Classifier returns the local classifier.
func (r *Router) Classifier() *Classifier { return r.local }

// Clarify returns the choices to offer for an unsure prediction: the
// clarification buttons of its top intents that have one, most likely
// first.
func (r *Router) Clarify(p Prediction) []corpus.Choice {
	var out []corpus.Choice
	for _, s := range p.Ranking {
		if c, ok := r.clarify[s.Intent]; ok {
			out = append(out, c)
		}
		if len(out) == 3 {
			break
		}
	}
	return out
}

// key reduces a message to what exact matching compares: normalised,
// lower case, without punctuation, spaces, emoji or trailing modal
// particles.
func key(s string) string {
	k := strings.ToLower(zh.Compact(zh.Normalize(s)))
	for {
		t := strings.TrimRight(k, "啊呀呢吧哦哈嘛啦~")
		if t == k {
			return k
		}
		k = t
	}
}

// Route classifies one message. It never fails: an LLM that errs, times
// out or answers nonsense leaves the local result in place.
func (r *Router) Route(ctx context.Context, text string) Prediction {
	if intent, ok := r.exact[key(text)]; ok {
		return Prediction{Intent: intent, Confidence: 1, Source: SourceRule, Ranking: []Scored{{Intent: intent, Prob: 1}}}
	}
	ranked := r.local.Predict(text)
	if len(ranked) > 3 {
		ranked = ranked[:3]
	}
	p := Prediction{Intent: ranked[0].Intent, Confidence: ranked[0].Prob, Ranking: ranked, Source: SourceLocal}
	unsure := ranked[0].Prob < r.cfg.Threshold || (len(ranked) > 1 && ranked[0].Prob-ranked[1].Prob < r.cfg.Margin)
	if r.cfg.LLM != nil && (unsure || r.cfg.LLMAlways) {
		if got, conf, ok := r.askLLM(ctx, text); ok {
			return Prediction{Intent: got, Confidence: conf, Ranking: ranked, Source: SourceLLM}
		}
		p.LLMFailed = true
	}
	if !unsure {
		return p
	}
	_, firstAsks := r.clarify[ranked[0].Intent]
	_, secondAsks := r.clarify[ranked[1].Intent]
	switch {
	case firstAsks && secondAsks:
		p.Unsure = true
	case ranked[0].Prob < r.cfg.Threshold:
		// Unsure, and not between things a patient would pick from a
		// menu ("35", "问题3"): search. The FAQ skill declines honestly
		// when it finds nothing, and a flow's slot still gets the chance
		// to take the message as its answer.
		p.Intent, p.Confidence = FAQ, probOf(ranked, FAQ)
	}
	// Otherwise the top two are close but the top is likely enough, and
	// they are alike (好的 / 谢谢): take the top.
	return p
}

func probOf(ranked []Scored, intent string) float64 {
	for _, s := range ranked {
		if s.Intent == intent {
			return s.Prob
		}
	}
	return 0
}
