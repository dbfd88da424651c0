package faq

import (
	"context"
	"encoding/json"
	"regexp"
	"strconv"
	"strings"

	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/knowledge"
)

// Writer is a chat model as grounded answers use it: a system prompt and
// a user message in, the text out. The app adapts llm.Chat to it.
type Writer interface {
	Write(ctx context.Context, system, user string) (string, error)
}

// Grounded configures answers written by an LLM from retrieved passages,
// for questions without a confident stored answer.
type Grounded struct {
	Writer Writer
	// System is the system prompt (corpus/prompts.yaml "answer", filled).
	System string
	// Passages is how many retrieved pairs the model may use (default 3).
	Passages int
	// MinScore is the retrieval score a pair needs to be a passage
	// (default 0.1): below it, nothing was retrieved, and the honest
	// answer is "I don't know", never the model's general knowledge.
	MinScore float64
}

// noAnswer is what the prompt tells the model to say when the passages do
// not answer.
const noAnswer = "NO_ANSWER"

var (
	citeRe  = regexp.MustCompile(`\[(\d{1,2})\]`)
	thinkRe = regexp.MustCompile(`(?s)<think>.*?</think>`)
	digitRe = regexp.MustCompile(`\d+(?:\.\d+)?`)
)

// passage is one numbered piece of approved knowledge shown to the model.
type passage struct {
	N     int    `json:"n"`
	Title string `json:"title"`
	Q     string `json:"question"`
	A     string `json:"answer"`

	hit knowledge.Hit
}

// write asks the model for an answer from the result's passages and checks
// it. ok is false — and the caller declines — when nothing was retrieved,
// the model failed or said it cannot answer, or the answer does not hold:
// no citation, a citation to a passage that was not given, or a number
// (a dose, a time, a price) that no cited passage contains.
func (g *Grounded) write(ctx context.Context, t *bot.Turn, res *knowledge.Result) (*bot.Reply, bool) {
	limit, minScore := g.Passages, g.MinScore
	if limit <= 0 {
		limit = 3
	}
	if minScore <= 0 {
		minScore = 0.1
	}
	var ps []passage
	for _, h := range res.Hits {
		if len(ps) == limit || h.Score < minScore {
			break
		}
		a, err := t.Texts.Fill(h.QA.Answer)
		if err != nil {
			continue
		}
		ps = append(ps, passage{N: len(ps) + 1, Title: h.QA.ArticleTitle, Q: h.QA.Question, A: a, hit: h})
	}
	if len(ps) == 0 {
		return nil, false
	}
	user, _ := json.Marshal(struct {
		Question string    `json:"question"`
		Passages []passage `json:"passages"`
	}{t.Message.Text, ps})
	out, err := g.Writer.Write(ctx, g.System, string(user))
	if err != nil {
		return nil, false
	}
	text := strings.TrimSpace(thinkRe.ReplaceAllString(out, ""))
	if text == "" || strings.Contains(text, noAnswer) {
		return nil, false
	}
	cited := map[int]bool{}
	for _, m := range citeRe.FindAllStringSubmatch(text, -1) {
		n, _ := strconv.Atoi(m[1])
		if n < 1 || n > len(ps) {
			return nil, false // a source that does not exist
		}
		cited[n] = true
	}
	if len(cited) == 0 {
		return nil, false
	}
	var source strings.Builder
	r := &bot.Reply{Decision: "generated", Confidence: res.Confidence}
	for _, p := range ps {
		if cited[p.N] {
			source.WriteString(p.A)
			source.WriteString(p.Q)
			r.Citations = append(r.Citations, bot.Citation{ID: p.hit.QA.ID, Title: p.hit.QA.ArticleTitle})
		}
	}
	plain := citeRe.ReplaceAllString(text, "")
	for _, num := range digitRe.FindAllString(plain, -1) {
		if !strings.Contains(source.String(), num) {
			return nil, false // a figure the sources do not give
		}
	}
	r.Text = text
	return r, true
}
