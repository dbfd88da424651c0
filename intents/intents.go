// Package intents decides what a message is: a knowledge question, a
// greeting, thanks … The router tries cheap exact rules first and falls
// back to the knowledge question, the assistant's main job. (The trainable
// classifier and the LLM router of issue 4 plug in here.)
package intents

import (
	"strings"

	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/zh"
)

// Intent names.
const (
	FAQ      = "faq"
	Greeting = "greeting"
	Thanks   = "thanks"
	Goodbye  = "goodbye"
	Handoff  = "handoff"
	Fallback = "fallback"
)

// Prediction is the router's reading of a message.
type Prediction struct {
	Intent     string
	Confidence float64
}

// Router classifies messages. It is immutable and safe for concurrent use.
type Router struct {
	exact map[string]string // compacted message -> intent
}

// NewRouter builds a router from the small-talk examples (corpus/smalltalk.yaml).
func NewRouter(smallTalk map[string][]string) *Router {
	r := &Router{exact: map[string]string{}}
	for intent, examples := range smallTalk {
		for _, ex := range examples {
			r.exact[key(ex)] = intent
		}
	}
	return r
}

// DefaultRouter builds the router from the embedded corpus.
func DefaultRouter() (*Router, error) {
	st, err := corpus.SmallTalk()
	if err != nil {
		return nil, err
	}
	return NewRouter(st), nil
}

// key reduces a message to what small-talk matching compares: normalised,
// without punctuation, spaces, emoji or trailing modal particles.
func key(s string) string {
	k := zh.Compact(zh.Normalize(s))
	for {
		t := strings.TrimRight(k, "啊呀呢吧哦哈嘛啦~")
		if t == k {
			return k
		}
		k = t
	}
}

// Route classifies one message.
func (r *Router) Route(text string) Prediction {
	if intent, ok := r.exact[key(text)]; ok {
		return Prediction{Intent: intent, Confidence: 1}
	}
	return Prediction{Intent: FAQ, Confidence: 1}
}
