package app

import (
	"context"
	preconsultskill "github.com/daoyi-health/daoyi/bot/preconsult"
	"strings"
	"time"

	"github.com/daoyi-health/daoyi/bot/faq"
	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/intents"
	"github.com/daoyi-health/daoyi/llm"
)

// openChat connects the configured chat model, or returns nil when none is
// configured. A configuration mistake is an error at start; a model that
// is down is not (every use falls back to the local path).
func (a *App) openChat() (*llm.Chat, error) {
	if a.cfg.Chat.Provider == "" {
		return nil, nil
	}
	return llm.NewChat(a.cfg.Chat)
}

// routerConfig is the intent router's configuration, with the chat model
// when there is one.
func (a *App) routerConfig() intents.Config {
	c := intents.Config{LLMAlways: a.cfg.LLMRouteAlways}
	if a.chat != nil {
		c.LLM = routerLLM{a.chat}
	}
	return c
}

// routerLLM adapts llm.Chat to intents.LLM.
type routerLLM struct{ chat *llm.Chat }

func (r routerLLM) CompleteJSON(ctx context.Context, system, user string) (string, error) {
	zero := 0.0
	return r.chat.Complete(ctx, llm.ChatRequest{
		Messages:    []llm.ChatMessage{{Role: "system", Content: system}, {Role: "user", Content: user}},
		JSON:        true,
		MaxTokens:   64,
		Temperature: &zero,
	})
}

// grounded configures the FAQ skill's LLM-written answers, or returns nil
// without a chat model.
func (a *App) grounded() (*faq.Grounded, error) {
	if a.chat == nil {
		return nil, nil
	}
	p, err := corpus.LoadPrompts()
	if err != nil {
		return nil, err
	}
	system := strings.ReplaceAll(p["answer"], "{{hospital}}", a.Hospital.Hospital.Name)
	return &faq.Grounded{Writer: answerLLM{a.chat}, System: system}, nil
}

// polisher is the pre-consultation draft's polishing by the LLM, or nil
// without one.
func (a *App) polisher() (*preconsultskill.Polish, error) {
	if a.chat == nil {
		return nil, nil
	}
	p, err := corpus.LoadPrompts()
	if err != nil {
		return nil, err
	}
	return &preconsultskill.Polish{Writer: answerLLM{a.chat}, System: p["polish"]}, nil
}

// answerLLM adapts llm.Chat to faq.Writer and preconsult.Writer.
type answerLLM struct{ chat *llm.Chat }

func (w answerLLM) Write(ctx context.Context, system, user string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, answerTimeout)
	defer cancel()
	return w.chat.Complete(ctx, llm.ChatRequest{
		Messages: []llm.ChatMessage{{Role: "system", Content: system}, {Role: "user", Content: user}},
	})
}

// answerTimeout bounds a grounded answer: past it, the patient gets the
// stored tiers (suggestions or the honest decline) instead.
const answerTimeout = 10 * time.Second
