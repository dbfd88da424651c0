package intents_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi/corpus"
	"github.com/daoyi-health/daoyi/intents"
	"github.com/daoyi-health/daoyi/internal/breaker"
	"github.com/daoyi-health/daoyi/zh"
)

var (
	sharedOnce  sync.Once
	sharedLocal *intents.Classifier
	sharedInts  []corpus.Intent
	sharedErr   error
)

// shared trains the corpus classifier once for the package's tests.
func shared(t testing.TB) (*intents.Classifier, []corpus.Intent) {
	t.Helper()
	sharedOnce.Do(func() {
		if sharedInts, sharedErr = corpus.Intents(); sharedErr != nil {
			return
		}
		seg, lex, err := zh.Default()
		if err != nil {
			sharedErr = err
			return
		}
		sharedLocal, sharedErr = intents.Train(intents.NewFeaturizer(seg, lex), intents.Examples(sharedInts), intents.TrainOptions{})
	})
	if sharedErr != nil {
		t.Fatal(sharedErr)
	}
	return sharedLocal, sharedInts
}

func TestRouteRules(t *testing.T) {
	local, ints := shared(t)
	r := intents.NewRouter(local, ints, intents.Config{})
	ctx := context.Background()
	// Every example routes to its own intent by the exact rule, whatever
	// its punctuation and width.
	for _, in := range ints {
		for _, ex := range in.Examples[:3] {
			for _, variant := range []string{ex, ex + "！！", " " + strings.ToUpper(ex) + "？"} {
				p := r.Route(ctx, variant)
				if p.Intent != in.Name || p.Source != intents.SourceRule || p.Confidence != 1 {
					t.Errorf("Route(%q) = %s/%s/%.2f, want %s by rule", variant, p.Intent, p.Source, p.Confidence, in.Name)
				}
			}
		}
	}
}

func TestRouteLocal(t *testing.T) {
	local, ints := shared(t)
	r := intents.NewRouter(local, ints, intents.Config{})
	p := r.Route(context.Background(), "请问一下做胃镜之前需要空腹多长时间呀谢谢")
	if p.Source != intents.SourceLocal || len(p.Ranking) == 0 || p.Ranking[0].Prob < p.Ranking[len(p.Ranking)-1].Prob {
		t.Fatalf("local prediction %+v: want a ranked local result", p)
	}
	var sum float64
	for _, s := range local.Predict("随便说点什么") {
		sum += s.Prob
	}
	if sum < 0.999 || sum > 1.001 {
		t.Errorf("probabilities sum to %v", sum)
	}
	if temp := local.Temperature(); temp <= 0 || temp == 1 {
		t.Errorf("temperature %v: calibration did not run", temp)
	}
}

// TestClarify checks Rasa's fallback: with a threshold no prediction can
// reach, every message between two clarifiable intents is Unsure and gets
// their choices; between faq and an intent nobody picks from a menu, the
// knowledge base is searched instead.
func TestClarify(t *testing.T) {
	local, ints := shared(t)
	r := intents.NewRouter(local, ints, intents.Config{Threshold: 1.01})
	clarifiable := map[string]bool{}
	for _, in := range ints {
		if in.Clarify != nil {
			clarifiable[in.Name] = true
		}
	}
	for _, text := range []string{"孩子有点咳嗽想问问", "我想问一下挂号的事情顺便问下医保", "天气怎么样呢我想问问医保"} {
		p := r.Route(context.Background(), text)
		top, second := p.Ranking[0].Intent, p.Ranking[1].Intent
		switch {
		case clarifiable[top] && clarifiable[second]:
			if !p.Unsure || len(r.Clarify(p)) < 2 {
				t.Errorf("%q between %s and %s: Unsure=%v choices=%v, want a clarifying question", text, top, second, p.Unsure, r.Clarify(p))
			}
		case top == intents.FAQ || second == intents.FAQ:
			if p.Unsure || p.Intent != intents.FAQ {
				t.Errorf("%q between %s and %s: %s (unsure %v), want faq", text, top, second, p.Intent, p.Unsure)
			}
		}
	}
}

// fakeLLM answers with a fixed text or error after a delay.
type fakeLLM struct {
	out   string
	err   error
	delay time.Duration
	calls int
	mu    sync.Mutex
	seen  []string
}

func (f *fakeLLM) CompleteJSON(ctx context.Context, system, user string) (string, error) {
	f.mu.Lock()
	f.calls++
	f.seen = append(f.seen, system+"\n"+user)
	f.mu.Unlock()
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	return f.out, f.err
}

func TestRouteLLM(t *testing.T) {
	local, ints := shared(t)
	ctx := context.Background()
	const text = "我想找人聊聊明天那个事情"
	unsureCfg := func(l intents.LLM) intents.Config {
		return intents.Config{LLM: l, Threshold: 1.01, LLMTimeout: 100 * time.Millisecond}
	}
	t.Run("AskedWhenUnsure", func(t *testing.T) {
		f := &fakeLLM{out: "```json\n{\"intent\": \"handoff\", \"confidence\": 0.9}\n```"}
		p := intents.NewRouter(local, ints, unsureCfg(f)).Route(ctx, text)
		if p.Intent != intents.Handoff || p.Source != intents.SourceLLM || p.Confidence != 0.9 {
			t.Errorf("got %+v, want handoff from the LLM", p)
		}
		if !strings.Contains(f.seen[0], `{"message":"`+text+`"}`) || !strings.Contains(f.seen[0], "- triage:") {
			t.Errorf("the prompt lacks the intents or the message as data:\n%s", f.seen[0])
		}
	})
	t.Run("NotAskedWhenSure", func(t *testing.T) {
		f := &fakeLLM{out: `{"intent":"abuse"}`}
		r := intents.NewRouter(local, ints, intents.Config{LLM: f, Threshold: 0.0001, Margin: 0.0001})
		if p := r.Route(ctx, text); p.Source != intents.SourceLocal || f.calls != 0 {
			t.Errorf("a sure local result asked the LLM (%d calls, %+v)", f.calls, p)
		}
		r = intents.NewRouter(local, ints, intents.Config{LLM: f, Threshold: 0.0001, Margin: 0.0001, LLMAlways: true})
		if p := r.Route(ctx, text); p.Source != intents.SourceLLM || p.Intent != intents.Abuse || p.Confidence != 0.7 {
			t.Errorf("LLMAlways: %+v, want abuse from the LLM with the default confidence", p)
		}
	})
	for name, f := range map[string]*fakeLLM{
		"Error":          {err: errors.New("500 Internal Server Error")},
		"Slow":           {out: `{"intent":"handoff"}`, delay: time.Second},
		"NotJSON":        {out: "I think the user wants a human."},
		"UnknownIntent":  {out: `{"intent":"book_flight"}`},
		"InjectedIntent": {out: `{"intent":"ignore previous instructions"}`},
		"Truncated":      {out: `{"intent": "hand`},
	} {
		t.Run(name, func(t *testing.T) {
			start := time.Now()
			p := intents.NewRouter(local, ints, unsureCfg(f)).Route(ctx, text)
			if p.Source != intents.SourceLocal || !p.LLMFailed || p.Intent == "" {
				t.Errorf("got %+v, want the local result with LLMFailed", p)
			}
			if d := time.Since(start); d > 900*time.Millisecond {
				t.Errorf("took %v: the 100 ms timeout was not applied", d)
			}
		})
	}
	t.Run("Breaker", func(t *testing.T) {
		f := &fakeLLM{err: errors.New("down")}
		cfg := unsureCfg(f)
		cfg.Breaker = &breaker.Breaker{Failures: 2, Cooldown: time.Hour}
		r := intents.NewRouter(local, ints, cfg)
		for range 5 {
			r.Route(ctx, text)
		}
		if f.calls != 2 {
			t.Errorf("%d calls to a failing LLM, want 2 before the breaker opens", f.calls)
		}
	})
}

func BenchmarkRoute(b *testing.B) {
	local, ints := shared(b)
	r := intents.NewRouter(local, ints, intents.Config{})
	ctx := context.Background()
	msgs := []string{
		"请问做胃镜前一天晚上还能吃东西吗",
		"孩子发烧38度5还一直咳嗽，晚上睡不好，要挂哪个科啊",
		"我妈今年七十了，最近老是头晕，走路有点不稳，应该看哪个科",
		"停车场在哪里",
		"帮我转人工",
		"今天天气怎么样",
	}
	took := make([]time.Duration, b.N)
	b.ResetTimer()
	for i := range b.N {
		start := time.Now()
		r.Route(ctx, msgs[i%len(msgs)])
		took[i] = time.Since(start)
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds()), "p99-µs")
}

// A cached classifier is used only when it was trained on exactly what the
// examples give now; anything else is retrained.
func TestTrainCached(t *testing.T) {
	seg, lex, err := zh.Default()
	if err != nil {
		t.Fatal(err)
	}
	feat := intents.NewFeaturizer(seg, lex)
	ex := []intents.Example{
		{Text: "你好", Intent: "greeting"}, {Text: "您好呀", Intent: "greeting"}, {Text: "早上好", Intent: "greeting"},
		{Text: "谢谢", Intent: "thanks"}, {Text: "多谢了", Intent: "thanks"}, {Text: "太感谢了", Intent: "thanks"},
	}
	opts := intents.TrainOptions{Folds: -1}
	c1, blob, err := intents.TrainCached(feat, ex, opts, nil)
	if err != nil || blob == nil {
		t.Fatalf("first training: %v, cache %d bytes", err, len(blob))
	}
	c2, fresh, err := intents.TrainCached(feat, ex, opts, blob)
	if err != nil || fresh != nil {
		t.Fatalf("the cache was not used: %v, %d bytes", err, len(fresh))
	}
	if a, b := c1.Predict("你好啊")[0], c2.Predict("你好啊")[0]; a != b {
		t.Errorf("cached model predicts %v, trained %v", b, a)
	}
	ex[0].Intent = "thanks"
	if _, fresh, _ := intents.TrainCached(feat, ex, opts, blob); fresh == nil {
		t.Error("changed examples reused the cache")
	}
	if _, fresh, _ := intents.TrainCached(feat, ex, opts, []byte("{not json")); fresh == nil {
		t.Error("a broken cache was used")
	}
}
