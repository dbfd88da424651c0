package intents

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/daoyi-health/daoyi/corpus"
)

// LLM is a chat model as the router uses it: a system prompt and a user
// message in, a JSON object out. The app adapts llm.Chat to it.
type LLM interface {
	CompleteJSON(ctx context.Context, system, user string) (string, error)
}

// promptExamples is how many examples of each intent the prompt shows.
const promptExamples = 4

// buildPrompt fills the router's system prompt with every intent's
// description and first examples.
func buildPrompt(ints []corpus.Intent) string {
	var b strings.Builder
	for _, in := range ints {
		fmt.Fprintf(&b, "- %s: %s", in.Name, in.Description)
		n := min(promptExamples, len(in.Examples))
		if n > 0 {
			quoted := make([]string, n)
			for i, ex := range in.Examples[:n] {
				q, _ := json.Marshal(ex)
				quoted[i] = string(q)
			}
			fmt.Fprintf(&b, " Examples: %s", strings.Join(quoted, ", "))
		}
		b.WriteByte('\n')
	}
	list := strings.TrimRight(b.String(), "\n")
	p, err := corpus.LoadPrompts()
	if err != nil {
		// The prompts are embedded and checked by corpus's tests: this is
		// a broken build, not a condition to run in.
		panic(err)
	}
	return strings.ReplaceAll(p["router"], "{{intents}}", list)
}

// askLLM asks the LLM for the message's intent within the timeout, through
// the breaker. ok is false on any failure.
func (r *Router) askLLM(ctx context.Context, text string) (intent string, conf float64, ok bool) {
	if !r.cfg.Breaker.Allow() {
		return "", 0, false
	}
	ctx, cancel := context.WithTimeout(ctx, r.cfg.LLMTimeout)
	defer cancel()
	user, _ := json.Marshal(map[string]string{"message": text})
	out, err := r.cfg.LLM.CompleteJSON(ctx, r.prompt, string(user))
	if err == nil {
		intent, conf, err = r.parseLLM(out)
	}
	r.cfg.Breaker.Done(err == nil)
	return intent, conf, err == nil
}

// errMalformed is any LLM answer that is not a JSON object naming a known
// intent.
var errMalformed = errors.New("intents: malformed LLM answer")

// parseLLM reads {"intent": "...", "confidence": x} from a model's answer,
// tolerating code fences and text around the object.
func (r *Router) parseLLM(out string) (string, float64, error) {
	i, j := strings.IndexByte(out, '{'), strings.LastIndexByte(out, '}')
	if i < 0 || j < i {
		return "", 0, errMalformed
	}
	var v struct {
		Intent     string   `json:"intent"`
		Confidence *float64 `json:"confidence"`
	}
	if err := json.Unmarshal([]byte(out[i:j+1]), &v); err != nil {
		return "", 0, errMalformed
	}
	name := strings.TrimSpace(strings.ToLower(v.Intent))
	known := false
	for _, c := range r.local.Classes() {
		known = known || c == name
	}
	if !known {
		return "", 0, errMalformed
	}
	conf := 0.7 // a model that does not say how sure it is
	if v.Confidence != nil && *v.Confidence >= 0 && *v.Confidence <= 1 {
		conf = *v.Confidence
	}
	return name, conf, nil
}
