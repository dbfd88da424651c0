package faq_test

import (
	"context"
	"strings"
	"testing"

	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/bot/faq"
	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/knowledge"
)

type fixed knowledge.Result

func (f *fixed) Search(context.Context, string) (*knowledge.Result, error) {
	r := knowledge.Result(*f)
	return &r, nil
}

func turn(t *testing.T) *bot.Turn {
	h, _ := corpus.DefaultHospital()
	r, _ := corpus.LoadReplies()
	tx, err := bot.NewTexts(r, h)
	if err != nil {
		t.Fatal(err)
	}
	return &bot.Turn{Message: bot.Message{Text: "问题"}, Session: &bot.Session{}, Texts: tx}
}

var hits = []knowledge.Hit{
	{QA: &knowledge.QAPair{ID: "a-01", Question: "抽血前要空腹吗？", Answer: "请到{{location.检验科}}抽血。", ArticleTitle: "抽血"}, Score: 0.9},
	{QA: &knowledge.QAPair{ID: "a-02", Question: "几点能抽血？", Answer: "早上。", ArticleTitle: "抽血"}, Score: 0.5},
	{QA: &knowledge.QAPair{ID: "a-03", Question: "抽血后按多久？", Answer: "五分钟。", ArticleTitle: "抽血"}, Score: 0.1},
}

func TestTiers(t *testing.T) {
	h, _ := corpus.DefaultHospital()
	t.Run("Answer", func(t *testing.T) {
		tr := turn(t)
		r, err := faq.New(&fixed{Decision: knowledge.Answer, Confidence: 0.8, Hits: hits}).Handle(context.Background(), tr)
		if err != nil {
			t.Fatal(err)
		}
		want := "请到" + h.Locations["检验科"] + "抽血。"
		if r.Text != want || r.QAID != "a-01" || r.Citations[0] != (bot.Citation{ID: "a-01", Title: "抽血"}) {
			t.Fatalf("reply = %+v", r)
		}
		if len(r.QuickReplies) != 1 || r.QuickReplies[0].Text != "几点能抽血？" {
			t.Fatalf("related questions = %+v (only those scoring 0.2 or more)", r.QuickReplies)
		}
	})
	t.Run("Suggest", func(t *testing.T) {
		tr := turn(t)
		r, _ := faq.New(&fixed{Decision: knowledge.Suggest, Hits: hits}).Handle(context.Background(), tr)
		if r.Text != tr.Texts.Say("faq.suggest", 0) || len(r.Cards) != 1 || r.Cards[0].Type != "choices" || len(r.Cards[0].Items) != 3 {
			t.Fatalf("reply = %+v", r)
		}
		if len(r.Citations) != 0 {
			t.Fatal("a suggestion cites a source it did not answer from")
		}
		if last := r.QuickReplies[len(r.QuickReplies)-1]; last.Text != tr.Texts.Say("handoff.label", 0) {
			t.Fatalf("no way to staff: %+v", r.QuickReplies)
		}
	})
	t.Run("Decline", func(t *testing.T) {
		tr := turn(t)
		r, _ := faq.New(&fixed{Decision: knowledge.Decline, Hits: hits}).Handle(context.Background(), tr)
		if r.Text != tr.Texts.Say("faq.decline", 0) || !strings.Contains(r.Text, h.Phone["main"]) || len(r.Citations) != 0 {
			t.Fatalf("reply = %+v", r)
		}
	})
}
