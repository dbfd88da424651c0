package app_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/daoyi-health/daoyi/app"
	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/llm"
	"github.com/daoyi-health/daoyi/llm/llmtest"
	"github.com/daoyi-health/daoyi/record"
)

// llmApp is an assistant configured with a chat model: a fake
// OpenAI-compatible server whose replies each test decides.
var llmApp struct {
	once sync.Once
	a    *app.App
	srv  *llmtest.Server
	mu   sync.Mutex
	// polish answers the polishing prompt; other requests (the router's)
	// get a reply the router cannot use, so it keeps its local result.
	polish func(draft record.Sections) string
	err    error
}

func sharedLLMApp(t *testing.T) *app.App {
	t.Helper()
	llmApp.once.Do(func() {
		// The server outlives the test that starts it, as the shared app
		// does: a testing.T of its own never runs its cleanup, and the
		// process's end closes it.
		llmApp.srv = llmtest.NewServer(&testing.T{}, llmtest.Options{})
		llmApp.srv.SetChat(func(r llmtest.ChatRequest) llmtest.ChatResponse {
			if len(r.Messages) == 0 || !strings.Contains(r.Messages[0].Content, "medical scribe") {
				return llmtest.ChatResponse{Text: "not for the router"}
			}
			var d record.Sections
			if err := json.Unmarshal([]byte(r.LastUser()), &d); err != nil {
				return llmtest.ChatResponse{Status: 400}
			}
			llmApp.mu.Lock()
			f := llmApp.polish
			llmApp.mu.Unlock()
			return llmtest.ChatResponse{Text: f(d)}
		})
		dir, err := os.MkdirTemp("", "daoyi-llm-app-")
		if err != nil {
			llmApp.err = err
			return
		}
		llmApp.a, llmApp.err = app.Open(context.Background(), app.Config{DataDir: filepath.Join(dir, "data"), Logger: quiet,
			Chat: llm.ChatConfig{Provider: llm.ProviderOpenAI, BaseURL: llmApp.srv.URL, Model: "fake-qwen"}})
		closers = append(closers, func() { llmApp.a.Close(); os.RemoveAll(dir) })
	})
	if llmApp.err != nil {
		t.Fatal(llmApp.err)
	}
	return llmApp.a
}

// TestPolishThroughModel: with a model configured, a submitted draft is
// reworded when the reply keeps exactly its facts, and kept as written
// when the reply adds one — over the real HTTP protocol of the model.
func TestPolishThroughModel(t *testing.T) {
	a := sharedLLMApp(t)
	ctx := context.Background()
	run := func(polish func(record.Sections) string) *record.Record {
		t.Helper()
		llmApp.mu.Lock()
		llmApp.polish = polish
		llmApp.mu.Unlock()
		answers := map[string]string{"chief": "咳嗽三天了，没发烧", "allergy": "没有"}
		msg := &bot.Message{Text: "我想做预问诊", Patient: &bot.Patient{Age: 40, Sex: "male"}}
		for i := 0; i < 40; i++ {
			r, err := a.Engine.Handle(ctx, msg, nil)
			if err != nil {
				t.Fatal(err)
			}
			next := ""
			for _, c := range r.Cards {
				if c.Type == "progress" {
					next = "没有"
					if ans, ok := answers[c.ID]; ok {
						next = ans
					}
				}
				if c.Type == "record" {
					rec, err := a.DB.RecordBySession(ctx, msg.SessionID)
					if err != nil {
						t.Fatal(err)
					}
					return rec
				}
			}
			if next == "" && strings.Contains(r.Text, "确认提交") {
				next = "确认提交"
			}
			if next == "" {
				t.Fatalf("stuck at %q", r.Text)
			}
			msg = &bot.Message{SessionID: msg.SessionID, Text: next, Patient: msg.Patient}
		}
		t.Fatal("never submitted")
		return nil
	}
	faithful := func(d record.Sections) string {
		d.Present = strings.Replace(d.Present, "出现", "开始出现", 1)
		b, _ := json.Marshal(d)
		return "<think>只改措辞</think>" + string(b)
	}
	rec := run(faithful)
	if !strings.Contains(rec.Sections.Present, "开始出现咳嗽") || !strings.Contains(rec.Sections.Present, "无发热") {
		t.Fatalf("a faithful polish was not used: %q", rec.Sections.Present)
	}
	adds := func(d record.Sections) string {
		d.Present = strings.Replace(d.Present, "出现", "开始出现", 1) + "伴头晕。"
		b, _ := json.Marshal(d)
		return string(b)
	}
	rec = run(adds)
	if strings.Contains(rec.Sections.Present, "头晕") || strings.Contains(rec.Sections.Present, "开始出现") {
		t.Fatalf("a polish that adds a symptom was used: %q", rec.Sections.Present)
	}
	if !strings.Contains(rec.Sections.Present, "出现咳嗽") {
		t.Fatalf("the draft was lost: %q", rec.Sections.Present)
	}
	reqs := llmApp.srv.Requests()
	polishReqs := 0
	for _, r := range reqs {
		if strings.Contains(r.Messages[0].Content, "medical scribe") {
			polishReqs++
		}
	}
	if polishReqs != 2 {
		t.Fatalf("%d polishing requests, want one per submitted record", polishReqs)
	}
}
