package llm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/llm/llmtest"
)

const chatModel = "qwen2.5-7b-instruct"

var chatProviders = []string{ProviderOpenAI, ProviderOllama}

// chatConfig points a config of the provider at srv; the openai one carries
// testKey.
func chatConfig(srv *llmtest.Server, provider string) ChatConfig {
	if provider == ProviderOllama {
		return ChatConfig{Provider: ProviderOllama, BaseURL: srv.OllamaURL, Model: chatModel}
	}
	return ChatConfig{Provider: ProviderOpenAI, BaseURL: srv.URL, Model: chatModel, APIKey: testKey}
}

// newTestChat builds a client whose retries wait milliseconds.
func newTestChat(t testing.TB, cfg ChatConfig) *Chat {
	t.Helper()
	c, err := NewChat(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.backoff = time.Millisecond
	c.maxWait = 20 * time.Millisecond
	return c
}

// bothProviders runs f once per provider against a fresh fake server.
func bothProviders(t *testing.T, f func(t *testing.T, srv *llmtest.Server, cfg ChatConfig)) {
	for _, p := range chatProviders {
		t.Run(p, func(t *testing.T) {
			t.Parallel()
			srv := llmtest.NewServer(t, llmtest.Options{Model: chatModel})
			f(t, srv, chatConfig(srv, p))
		})
	}
}

const systemPrompt = "你是医院的导诊助手，只回答就医流程相关的问题，语气亲切。"

// question is a patient's question with the system prompt.
func question(q string) ChatRequest {
	return ChatRequest{Messages: []ChatMessage{{"system", systemPrompt}, {"user", q}}}
}

// answerFor is the fake model: an answer that names the question, so that
// a test can tell which question an answer belongs to.
func answerFor(q string) string {
	return "您问的是「" + q + "」。请带上身份证和医保卡，到一楼服务台咨询。"
}

// echo answers every request with answerFor its last user message.
func echo(r llmtest.ChatRequest) llmtest.ChatResponse {
	return llmtest.ChatResponse{Text: answerFor(r.LastUser())}
}

// checkChatErr fails unless err has the kind and every wanted part, and
// never the API key.
func checkChatErr(t *testing.T, err error, kind daoyi.Kind, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if k := daoyi.KindOf(err); k != kind {
		t.Errorf("kind %v, want %v: %v", k, kind, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %q", err, w)
		}
	}
	if strings.Contains(err.Error(), testKey) {
		t.Errorf("error %q shows the API key", err)
	}
}

// collect returns an onDelta that records the deltas.
func collect() (*[]string, func(string) error) {
	var got []string
	return &got, func(s string) error {
		got = append(got, s)
		return nil
	}
}

func TestNewChat(t *testing.T) {
	ok := ChatConfig{Provider: "openai", BaseURL: "http://vllm:8000/v1", Model: chatModel}
	for _, c := range []struct {
		name string
		edit func(*ChatConfig)
		want string
	}{
		{"ErrProviderMissing", func(c *ChatConfig) { c.Provider = "" }, "provider is missing"},
		{"ErrProviderUnknown", func(c *ChatConfig) { c.Provider = "anthropic" }, `unknown chat provider "anthropic"`},
		{"ErrBaseURLMissing", func(c *ChatConfig) { c.BaseURL = "" }, "not an http(s) URL"},
		{"ErrBaseURLNoScheme", func(c *ChatConfig) { c.BaseURL = "vllm:8000/v1" }, "not an http(s) URL"},
		{"ErrBaseURLNoHost", func(c *ChatConfig) { c.BaseURL = "http:///v1" }, "not an http(s) URL"},
		{"ErrBaseURLPasswordHidden", func(c *ChatConfig) { c.BaseURL = "ftp://user:hunter2@vllm/v1" }, "user:xxxxx@vllm"},
		{"ErrModelMissing", func(c *ChatConfig) { c.Model = "  " }, "model name is missing"},
		{"ErrMaxTokensNegative", func(c *ChatConfig) { c.MaxTokens = -1 }, "must not be negative"},
		{"ErrTimeoutNegative", func(c *ChatConfig) { c.Timeout = -time.Second }, "must not be negative"},
		{"ErrTemperatureHigh", func(c *ChatConfig) { c.Temperature = 2.5 }, "not between 0 and 2"},
		{"ErrTemperatureNegative", func(c *ChatConfig) { c.Temperature = -0.1 }, "not between 0 and 2"},
		{"ErrLegacyWithOllama", func(c *ChatConfig) { c.Provider = "ollama"; c.LegacyMaxTokens = true }, "only supported by the openai provider"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := ok
			c.edit(&cfg)
			_, err := NewChat(cfg)
			checkChatErr(t, err, daoyi.Invalid, c.want)
			if strings.Contains(err.Error(), "hunter2") {
				t.Errorf("error %q shows the URL's password", err)
			}
		})
	}
	t.Run("Defaults", func(t *testing.T) {
		cfg := ok
		cfg.Provider, cfg.BaseURL, cfg.Model = " OpenAI ", "http://vllm:8000/v1/", " "+chatModel+" "
		c, err := NewChat(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := c.Name(), ProviderOpenAI+":"+chatModel; got != want {
			t.Errorf("Name %q, want %q", got, want)
		}
		if c.cfg.MaxTokens != DefaultChatMaxTokens || c.cfg.MaxRetries != DefaultChatMaxRetries || c.cfg.Timeout != DefaultTimeout {
			t.Errorf("defaults not applied: %+v", c.cfg)
		}
		cfg.MaxRetries = -1
		if c, _ := NewChat(cfg); c.cfg.MaxRetries != 0 {
			t.Errorf("MaxRetries -1 became %d, want 0", c.cfg.MaxRetries)
		}
	})
}

func TestInvalidRequest(t *testing.T) {
	bothProviders(t, func(t *testing.T, srv *llmtest.Server, cfg ChatConfig) {
		c := newTestChat(t, cfg)
		bad := 3.0
		for name, req := range map[string]ChatRequest{
			"NoMessages":       {},
			"UnknownRole":      {Messages: []ChatMessage{{"doctor", "您好"}}},
			"NegativeMaxToken": {Messages: []ChatMessage{{"user", "您好"}}, MaxTokens: -5},
			"TemperatureHigh":  {Messages: []ChatMessage{{"user", "您好"}}, Temperature: &bad},
		} {
			_, err := c.Complete(context.Background(), req)
			if daoyi.KindOf(err) != daoyi.Invalid {
				t.Errorf("%s: %v, want an invalid error", name, err)
			}
			_, err = c.Stream(context.Background(), req, nil)
			if daoyi.KindOf(err) != daoyi.Invalid {
				t.Errorf("%s streamed: %v, want an invalid error", name, err)
			}
		}
		if n := len(srv.Requests()); n != 0 {
			t.Errorf("%d requests sent for invalid requests", n)
		}
	})
}

func TestComplete(t *testing.T) {
	bothProviders(t, func(t *testing.T, srv *llmtest.Server, cfg ChatConfig) {
		srv.SetChat(echo)
		c := newTestChat(t, cfg)
		req := question("挂号需要带什么证件？")
		req.Messages = append(req.Messages, ChatMessage{"assistant", "请问您是初诊吗？"}, ChatMessage{"user", "是初诊"})
		got, err := c.Complete(context.Background(), req)
		if err != nil {
			t.Fatal(err)
		}
		if want := answerFor("是初诊"); got != want {
			t.Errorf("answer %q, want %q", got, want)
		}
		reqs := srv.Requests()
		if len(reqs) != 1 {
			t.Fatalf("%d requests, want 1", len(reqs))
		}
		r := reqs[0]
		if r.Provider != cfg.Provider || r.Model != chatModel {
			t.Errorf("request to %s for model %q", r.Provider, r.Model)
		}
		var sent []ChatMessage
		for _, m := range r.Messages {
			sent = append(sent, ChatMessage{m.Role, m.Content})
		}
		if !slices.Equal(sent, req.Messages) {
			t.Errorf("messages sent %q, want %q", sent, req.Messages)
		}
		if cfg.Provider == ProviderOpenAI && r.Stream {
			t.Error("a plain answer was asked for as a stream")
		}
		if r.JSON {
			t.Error("JSON asked for without req.JSON")
		}
	})
	t.Run("WhiteSpaceTrimmed", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.Options{})
		srv.SetChat(func(r llmtest.ChatRequest) llmtest.ChatResponse {
			return llmtest.ChatResponse{Text: "\n\n  " + answerFor(r.LastUser()) + "\n"}
		})
		got, err := newTestChat(t, chatConfig(srv, ProviderOpenAI)).Complete(context.Background(), question("几点上班？"))
		if err != nil {
			t.Fatal(err)
		}
		if want := answerFor("几点上班？"); got != want {
			t.Errorf("answer %q, want %q", got, want)
		}
	})
}

func TestStream(t *testing.T) {
	bothProviders(t, func(t *testing.T, srv *llmtest.Server, cfg ChatConfig) {
		const step = 40 * time.Millisecond
		srv.SetChat(func(r llmtest.ChatRequest) llmtest.ChatResponse {
			return llmtest.ChatResponse{Text: answerFor(r.LastUser()), DeltaDelay: step}
		})
		c := newTestChat(t, cfg)
		q := "做胃镜前要空腹吗？"
		var deltas []string
		var first time.Time
		got, err := c.Stream(context.Background(), question(q), func(s string) error {
			if first.IsZero() {
				first = time.Now()
			}
			deltas = append(deltas, s)
			return nil
		})
		done := time.Now()
		if err != nil {
			t.Fatal(err)
		}
		want := answerFor(q)
		if got != want {
			t.Errorf("returned %q, want %q", got, want)
		}
		if len(deltas) < 5 {
			t.Fatalf("%d deltas %q, want the answer in several", len(deltas), deltas)
		}
		if j := strings.Join(deltas, ""); j != want {
			t.Errorf("deltas join to %q, want %q", j, want)
		}
		// The server waits step before each delta: the first must reach
		// the caller long before the last is sent.
		if lead := done.Sub(first); lead < time.Duration(len(deltas)-2)*step {
			t.Errorf("first delta only %v before the end of %d deltas %v apart: not streamed", lead, len(deltas), step)
		}
		if r := srv.Requests(); len(r) != 1 || !r[0].Stream {
			t.Errorf("requests %+v, want one stream", r)
		}
	})
}

func TestStreamStoppedByCaller(t *testing.T) {
	bothProviders(t, func(t *testing.T, srv *llmtest.Server, cfg ChatConfig) {
		const step = 30 * time.Millisecond
		srv.SetChat(func(r llmtest.ChatRequest) llmtest.ChatResponse {
			return llmtest.ChatResponse{Text: strings.Repeat(answerFor(r.LastUser()), 2), DeltaDelay: step}
		})
		c := newTestChat(t, cfg)
		stop := errors.New("the patient left")
		var calls int
		start := time.Now()
		_, err := c.Stream(context.Background(), question("可以带家属陪诊吗？"), func(string) error {
			calls++
			if calls == 2 {
				return stop
			}
			return nil
		})
		if err != stop {
			t.Fatalf("error %v, want onDelta's own error", err)
		}
		if calls != 2 {
			t.Errorf("onDelta called %d times, want 2 (none after its error)", calls)
		}
		total := time.Duration(utf8.RuneCountInString(answerFor("可以带家属陪诊吗？"))*2/3) * step
		if took := time.Since(start); took > total/2 {
			t.Errorf("stopping took %v; the whole stream takes %v", took, total)
		}
		if n := len(srv.Requests()); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
}

func TestJSONMode(t *testing.T) {
	const obj = `{"department": "消化内科", "urgent": false}`
	bothProviders(t, func(t *testing.T, srv *llmtest.Server, cfg ChatConfig) {
		reply := obj
		srv.SetChat(func(r llmtest.ChatRequest) llmtest.ChatResponse { return llmtest.ChatResponse{Text: reply} })
		c := newTestChat(t, cfg)
		req := question("胃疼挂什么科？")
		req.JSON = true
		ctx := context.Background()
		got, err := c.Complete(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		if got != obj {
			t.Errorf("answer %q, want %q", got, obj)
		}
		streamed, err := c.Stream(ctx, req, nil)
		if err != nil || streamed != obj {
			t.Errorf("streamed %q, %v", streamed, err)
		}
		if _, err := c.Complete(ctx, question("胃疼挂什么科？")); err != nil {
			t.Fatal(err)
		}
		reqs := srv.Requests()
		if len(reqs) != 3 || !reqs[0].JSON || !reqs[1].JSON || reqs[2].JSON {
			t.Fatalf("JSON on the wire per request: %v", func() (v []bool) {
				for _, r := range reqs {
					v = append(v, r.JSON)
				}
				return
			}())
		}
		want := `"response_format":{"type":"json_object"}`
		if cfg.Provider == ProviderOllama {
			want = `"format":"json"`
		}
		if !strings.Contains(string(reqs[0].Body), want) {
			t.Errorf("request body %s lacks %s", reqs[0].Body, want)
		}

		reply = "```json\n" + obj + "\n```"
		if got, err := c.Complete(ctx, req); err != nil || got != obj {
			t.Errorf("fenced object: %q, %v; want %q", got, err, obj)
		}
		for _, bad := range []string{"消化内科", `["消化内科"]`, `{"department": "消化内科"`} {
			reply = bad
			_, err := c.Complete(ctx, req)
			checkChatErr(t, err, daoyi.Unavailable, "not a JSON object")
			if err != nil && strings.Contains(err.Error(), "消化内科") {
				t.Errorf("error %q shows the answer", err)
			}
		}
	})
}

func TestTokensAndTemperature(t *testing.T) {
	ctx := context.Background()
	temp := 0.7
	for _, c := range []struct {
		name      string
		provider  string
		legacy    bool
		wantField string
	}{
		{"OpenAI", ProviderOpenAI, false, "max_completion_tokens"},
		{"OpenAILegacy", ProviderOpenAI, true, "max_tokens"},
		{"Ollama", ProviderOllama, false, "num_predict"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Options{})
			cfg := chatConfig(srv, c.provider)
			cfg.LegacyMaxTokens = c.legacy
			chat := newTestChat(t, cfg)
			if _, err := chat.Complete(ctx, question("几点开始挂号？")); err != nil {
				t.Fatal(err)
			}
			req := question("几点开始挂号？")
			req.MaxTokens, req.Temperature = 64, &temp
			if _, err := chat.Stream(ctx, req, nil); err != nil {
				t.Fatal(err)
			}
			reqs := srv.Requests()
			if len(reqs) != 2 {
				t.Fatalf("%d requests", len(reqs))
			}
			for i, want := range []struct {
				tokens int
				temp   float64
			}{{DefaultChatMaxTokens, 0}, {64, temp}} {
				r := reqs[i]
				if r.MaxTokensField != c.wantField || r.MaxTokens != want.tokens {
					t.Errorf("request %d: %s=%d, want %s=%d", i, r.MaxTokensField, r.MaxTokens, c.wantField, want.tokens)
				}
				if r.Temperature == nil || *r.Temperature != want.temp {
					t.Errorf("request %d: temperature %v, want %v", i, r.Temperature, want.temp)
				}
			}
		})
	}
}

func TestChatAuth(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name, provider, key, want string
	}{
		{"OpenAIKey", ProviderOpenAI, testKey, "Bearer " + testKey},
		{"OpenAIKeylessGetsDummy", ProviderOpenAI, "", "Bearer " + noKey},
		{"OllamaKeylessGetsNone", ProviderOllama, "", ""},
		{"OllamaKey", ProviderOllama, testKey, "Bearer " + testKey},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := llmtest.NewServer(t, llmtest.Options{})
			cfg := chatConfig(srv, c.provider)
			cfg.APIKey = c.key
			chat := newTestChat(t, cfg)
			if _, err := chat.Complete(ctx, question("在哪里取报告？")); err != nil {
				t.Fatal(err)
			}
			if _, err := chat.Stream(ctx, question("在哪里取报告？"), nil); err != nil {
				t.Fatal(err)
			}
			for _, r := range srv.Requests() {
				if got := r.Header.Get("Authorization"); got != c.want {
					t.Errorf("Authorization %q, want %q", got, c.want)
				}
			}
		})
	}
	t.Run("WrongKeyRefused", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.Options{APIKey: "sk-the-right-one"})
		_, err := newTestChat(t, chatConfig(srv, ProviderOpenAI)).Complete(ctx, question("在哪里取报告？"))
		checkChatErr(t, err, daoyi.Unavailable, "HTTP 401 after 1 attempt")
	})
}

func TestChatRetry(t *testing.T) {
	ctx := context.Background()
	bothProviders(t, func(t *testing.T, srv *llmtest.Server, cfg ChatConfig) {
		// n counts the requests of the current subtest.
		var mu sync.Mutex
		n := 0
		serve := func(f func(n int, r llmtest.ChatRequest) llmtest.ChatResponse) {
			mu.Lock()
			n = 0
			mu.Unlock()
			srv.SetChat(func(r llmtest.ChatRequest) llmtest.ChatResponse {
				mu.Lock()
				n++
				k := n
				mu.Unlock()
				return f(k, r)
			})
		}
		count := func() int { mu.Lock(); defer mu.Unlock(); return n }
		c := newTestChat(t, cfg)
		q := "退号怎么办理？"

		for _, stream := range []bool{false, true} {
			name := map[bool]string{false: "Complete", true: "Stream"}[stream]
			call := func() (string, error) {
				if stream {
					return c.Stream(ctx, question(q), nil)
				}
				return c.Complete(ctx, question(q))
			}
			t.Run(name+"5xxThenSuccess", func(t *testing.T) {
				serve(func(n int, r llmtest.ChatRequest) llmtest.ChatResponse {
					if n <= 2 {
						return llmtest.ChatResponse{Status: http.StatusServiceUnavailable, Error: "model is loading"}
					}
					return echo(r)
				})
				got, err := call()
				if err != nil {
					t.Fatal(err)
				}
				if got != answerFor(q) {
					t.Errorf("answer %q", got)
				}
				if k := count(); k != 3 {
					t.Errorf("%d requests, want 3", k)
				}
			})
		}
		t.Run("429HonoursRetryAfter", func(t *testing.T) {
			serve(func(n int, r llmtest.ChatRequest) llmtest.ChatResponse {
				if n == 1 {
					return llmtest.ChatResponse{Status: http.StatusTooManyRequests, RetryAfter: "1", Error: "rate limit exceeded"}
				}
				return echo(r)
			})
			c := newTestChat(t, cfg)
			c.maxWait = 150 * time.Millisecond // Retry-After: 1 is capped to this; the backoff alone is 1ms
			before := len(srv.Requests())
			if _, err := c.Complete(ctx, question(q)); err != nil {
				t.Fatal(err)
			}
			reqs := srv.Requests()[before:]
			if len(reqs) != 2 {
				t.Fatalf("%d requests, want 2", len(reqs))
			}
			if gap := reqs[1].Time.Sub(reqs[0].Time); gap < 150*time.Millisecond || gap > 900*time.Millisecond {
				t.Errorf("retried after %v, want Retry-After capped at 150ms", gap)
			}
		})
		t.Run("4xxNotRetried", func(t *testing.T) {
			serve(func(int, llmtest.ChatRequest) llmtest.ChatResponse {
				return llmtest.ChatResponse{Status: http.StatusBadRequest, Error: "maximum context length is 4096 tokens"}
			})
			_, err := c.Stream(ctx, question(q), nil)
			checkChatErr(t, err, daoyi.Unavailable, "HTTP 400 after 1 attempt", "maximum context length is 4096 tokens", "model "+chatModel)
			if m := daoyi.Message(err); m != chatUnavailable {
				t.Errorf("user-safe message %q", m)
			}
			if k := count(); k != 1 {
				t.Errorf("%d requests, want 1", k)
			}
		})
		t.Run("RetriesExhausted", func(t *testing.T) {
			serve(func(int, llmtest.ChatRequest) llmtest.ChatResponse {
				return llmtest.ChatResponse{Status: http.StatusBadGateway}
			})
			_, err := c.Complete(ctx, question(q))
			checkChatErr(t, err, daoyi.Unavailable, "HTTP 502 after 3 attempts")
			if k := count(); k != DefaultChatMaxRetries+1 {
				t.Errorf("%d requests, want %d", k, DefaultChatMaxRetries+1)
			}
		})
		t.Run("NoRetries", func(t *testing.T) {
			serve(func(int, llmtest.ChatRequest) llmtest.ChatResponse {
				return llmtest.ChatResponse{Status: http.StatusInternalServerError}
			})
			cfg := cfg
			cfg.MaxRetries = -1
			_, err := newTestChat(t, cfg).Complete(ctx, question(q))
			checkChatErr(t, err, daoyi.Unavailable, "HTTP 500 after 1 attempt")
			if k := count(); k != 1 {
				t.Errorf("%d requests, want 1", k)
			}
		})
	})
	t.Run("Unreachable", func(t *testing.T) {
		srv := llmtest.NewServer(t, llmtest.Options{})
		cfg := chatConfig(srv, ProviderOpenAI)
		cfg.BaseURL = "http://127.0.0.1:1/v1" // nothing listens on port 1
		_, err := newTestChat(t, cfg).Complete(ctx, question("您好"))
		checkChatErr(t, err, daoyi.Unavailable, "could not be reached after 3 attempts")
	})
}

func TestBrokenAnswers(t *testing.T) {
	ctx := context.Background()
	bothProviders(t, func(t *testing.T, srv *llmtest.Server, cfg ChatConfig) {
		c := newTestChat(t, cfg)
		q := "住院押金交多少？"
		full := answerFor(q)
		for _, tc := range []struct {
			name   string
			stream bool
			resp   llmtest.ChatResponse
			want   string
		}{
			{"MalformedPlain", false, llmtest.ChatResponse{Text: full, Malformed: true}, "could not be read"},
			{"MalformedStream", true, llmtest.ChatResponse{Text: full, Malformed: true}, "could not be read"},
			{"EmptyPlain", false, llmtest.ChatResponse{Text: ""}, "empty answer"},
			{"EmptyStream", true, llmtest.ChatResponse{Text: ""}, "empty answer"},
			{"BlankPlain", false, llmtest.ChatResponse{Text: " \n\t "}, "empty answer"},
			{"StreamWithoutEnd", true, llmtest.ChatResponse{Text: full, OmitDone: true}, "broke off"},
			{"ErrorMidStream", true, llmtest.ChatResponse{Text: full, StreamError: "engine died"}, "engine died"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				srv.SetChat(func(llmtest.ChatRequest) llmtest.ChatResponse { return tc.resp })
				before := len(srv.Requests())
				var err error
				if tc.stream {
					_, onDelta := collect()
					_, err = c.Stream(ctx, question(q), onDelta)
				} else {
					_, err = c.Complete(ctx, question(q))
				}
				checkChatErr(t, err, daoyi.Unavailable, tc.want)
				if got := len(srv.Requests()) - before; got != 1 {
					t.Errorf("%d requests, want 1 (not retried)", got)
				}
			})
		}
		t.Run("StreamCutMidway", func(t *testing.T) {
			srv.SetChat(func(llmtest.ChatRequest) llmtest.ChatResponse {
				return llmtest.ChatResponse{Text: full, CutStreamAfter: 2}
			})
			before := len(srv.Requests())
			deltas, onDelta := collect()
			got, err := c.Stream(ctx, question(q), onDelta)
			checkChatErr(t, err, daoyi.Unavailable, "broke off", "2 deltas delivered")
			if got != "" {
				t.Errorf("returned %q with the error", got)
			}
			if len(*deltas) != 2 {
				t.Errorf("%d deltas delivered, want 2", len(*deltas))
			}
			// Delivered text is never sent twice: no retry.
			if n := len(srv.Requests()) - before; n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
		t.Run("CutBeforeAnyDeltaIsRetried", func(t *testing.T) {
			for _, stream := range []bool{false, true} {
				var mu sync.Mutex
				n := 0
				srv.SetChat(func(r llmtest.ChatRequest) llmtest.ChatResponse {
					mu.Lock()
					defer mu.Unlock()
					n++
					if n == 1 {
						return llmtest.ChatResponse{Text: full, CutStreamAfter: -1}
					}
					return echo(r)
				})
				deltas, onDelta := collect()
				var got string
				var err error
				if stream {
					got, err = c.Stream(ctx, question(q), onDelta)
				} else {
					got, err = c.Complete(ctx, question(q))
				}
				if err != nil {
					t.Fatalf("stream %v: %v", stream, err)
				}
				if got != full {
					t.Errorf("stream %v: answer %q", stream, got)
				}
				if stream && strings.Join(*deltas, "") != full {
					t.Errorf("deltas %q", *deltas)
				}
				mu.Lock()
				if n != 2 {
					t.Errorf("stream %v: %d requests, want 2", stream, n)
				}
				mu.Unlock()
			}
		})
		t.Run("CutsExhaustRetries", func(t *testing.T) {
			srv.SetChat(func(llmtest.ChatRequest) llmtest.ChatResponse {
				return llmtest.ChatResponse{Text: full, CutStreamAfter: -1}
			})
			before := len(srv.Requests())
			_, err := c.Stream(ctx, question(q), nil)
			checkChatErr(t, err, daoyi.Unavailable, "broke off", "0 deltas delivered", "3 attempts")
			if n := len(srv.Requests()) - before; n != DefaultChatMaxRetries+1 {
				t.Errorf("%d requests, want %d", n, DefaultChatMaxRetries+1)
			}
		})
		t.Run("5xxThenCutShareOneBudget", func(t *testing.T) {
			var mu sync.Mutex
			n := 0
			srv.SetChat(func(r llmtest.ChatRequest) llmtest.ChatResponse {
				mu.Lock()
				defer mu.Unlock()
				n++
				if n == 1 {
					return llmtest.ChatResponse{Status: http.StatusServiceUnavailable}
				}
				return llmtest.ChatResponse{Text: full, CutStreamAfter: -1}
			})
			_, err := c.Complete(ctx, question(q))
			checkChatErr(t, err, daoyi.Unavailable, "broke off")
			mu.Lock()
			defer mu.Unlock()
			if n != DefaultChatMaxRetries+1 {
				t.Errorf("%d requests, want %d", n, DefaultChatMaxRetries+1)
			}
		})
	})
}

func TestDeadlines(t *testing.T) {
	bothProviders(t, func(t *testing.T, srv *llmtest.Server, cfg ChatConfig) {
		q := "今天还能挂专家号吗？"
		const wait = 150 * time.Millisecond
		const prompt = time.Second // "promptly", with room for a busy machine
		for _, tc := range []struct {
			name   string
			stream bool
			resp   llmtest.ChatResponse
		}{
			{"SlowToAnswer", false, llmtest.ChatResponse{Text: answerFor(q), Delay: 10 * time.Second}},
			{"SlowToStart", true, llmtest.ChatResponse{Text: answerFor(q), Delay: 10 * time.Second}},
			{"SlowMidStream", true, llmtest.ChatResponse{Text: answerFor(q), DeltaDelay: 100 * time.Millisecond}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				srv.SetChat(func(llmtest.ChatRequest) llmtest.ChatResponse { return tc.resp })
				c := newTestChat(t, cfg)
				ctx, cancel := context.WithTimeout(context.Background(), wait)
				defer cancel()
				start := time.Now()
				var err error
				if tc.stream {
					_, err = c.Stream(ctx, question(q), nil)
				} else {
					_, err = c.Complete(ctx, question(q))
				}
				took := time.Since(start)
				checkChatErr(t, err, daoyi.Timeout)
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Errorf("error %v does not wrap the deadline", err)
				}
				if took > wait+prompt {
					t.Errorf("returned after %v with a %v deadline", took, wait)
				}
			})
		}
		t.Run("AttemptTimeoutNotRetried", func(t *testing.T) {
			srv.SetChat(func(llmtest.ChatRequest) llmtest.ChatResponse {
				return llmtest.ChatResponse{Text: answerFor(q), Delay: 10 * time.Second}
			})
			cfg := cfg
			cfg.Timeout = wait
			c := newTestChat(t, cfg)
			before := len(srv.Requests())
			start := time.Now()
			_, err := c.Complete(context.Background(), question(q))
			checkChatErr(t, err, daoyi.Timeout, "did not answer within 150ms")
			if m := daoyi.Message(err); m != chatTimeout {
				t.Errorf("user-safe message %q", m)
			}
			if took := time.Since(start); took > wait+prompt {
				t.Errorf("returned after %v with a %v timeout", took, wait)
			}
			if n := len(srv.Requests()) - before; n != 1 {
				t.Errorf("%d requests, want 1", n)
			}
		})
		t.Run("Cancelled", func(t *testing.T) {
			srv.SetChat(func(llmtest.ChatRequest) llmtest.ChatResponse {
				return llmtest.ChatResponse{Text: answerFor(q), Delay: 10 * time.Second}
			})
			c := newTestChat(t, cfg)
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(wait, cancel)
			start := time.Now()
			_, err := c.Stream(ctx, question(q), nil)
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v, want the cancellation", err)
			}
			if took := time.Since(start); took > wait+prompt {
				t.Errorf("returned after %v", took)
			}
		})
		t.Run("AlreadyOver", func(t *testing.T) {
			before := len(srv.Requests())
			ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
			defer cancel()
			_, err := newTestChat(t, cfg).Complete(ctx, question(q))
			checkChatErr(t, err, daoyi.Timeout)
			if n := len(srv.Requests()) - before; n != 0 {
				t.Errorf("%d requests sent after the deadline", n)
			}
		})
	})
}

// TestChatSecrets makes the server put the key, the prompt and the answer
// into everything it can fail with, and looks for them in the errors.
func TestChatSecrets(t *testing.T) {
	const patient = "我父亲七十二岁，昨晚胸口闷痛出冷汗，今天还要不要去医院？"
	const reply = "这些症状需要尽快就医，请立即拨打急救电话。"
	// leaks returns the pieces of secret a string shows: any three
	// characters in a row of the prompt or the reply, or the key.
	leaks := func(s string) (found []string) {
		if strings.Contains(s, testKey) {
			found = append(found, testKey)
		}
		for _, secret := range []string{systemPrompt, patient, reply} {
			r := []rune(secret)
			for i := 0; i+3 <= len(r); i++ {
				if w := string(r[i : i+3]); strings.Contains(s, w) {
					found = append(found, w)
				}
			}
		}
		return found
	}
	bothProviders(t, func(t *testing.T, srv *llmtest.Server, cfg ChatConfig) {
		c := newTestChat(t, cfg)
		ctx := context.Background()
		echoAll := func(r llmtest.ChatRequest) string {
			var b strings.Builder
			b.WriteString("cannot process ")
			for _, m := range r.Messages {
				b.WriteString(m.Role + ": " + m.Content + " / ")
			}
			b.WriteString("key " + strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
			return b.String()
		}
		for _, tc := range []struct {
			name   string
			stream bool
			resp   func(r llmtest.ChatRequest) llmtest.ChatResponse
			want   string
		}{
			{"400EchoesAll", false, func(r llmtest.ChatRequest) llmtest.ChatResponse {
				return llmtest.ChatResponse{Status: http.StatusBadRequest, Error: echoAll(r)}
			}, "cannot process"},
			{"401EchoesKey", true, func(r llmtest.ChatRequest) llmtest.ChatResponse {
				return llmtest.ChatResponse{Status: http.StatusUnauthorized, Error: "Incorrect API key provided: " + r.Header.Get("Authorization")}
			}, "Incorrect API key provided"},
			{"500EchoesFragments", false, func(r llmtest.ChatRequest) llmtest.ChatResponse {
				u := []rune(r.LastUser())
				return llmtest.ChatResponse{Status: http.StatusInternalServerError, Error: "tokenizer failed near '" + string(u[5:14]) + "' and '" + string(u[20:23]) + "'"}
			}, "tokenizer failed near"},
			{"StreamErrorEchoes", true, func(r llmtest.ChatRequest) llmtest.ChatResponse {
				return llmtest.ChatResponse{Text: reply, StreamError: "detokenizer crashed after '" + reply[6:] + "' for " + echoAll(r)}
			}, "detokenizer crashed"},
			{"MalformedAfterReply", true, func(llmtest.ChatRequest) llmtest.ChatResponse {
				return llmtest.ChatResponse{Text: reply, Malformed: true}
			}, "could not be read"},
			{"MalformedPlain", false, func(llmtest.ChatRequest) llmtest.ChatResponse {
				return llmtest.ChatResponse{Text: reply, Malformed: true}
			}, "could not be read"},
			{"CutAfterReply", true, func(llmtest.ChatRequest) llmtest.ChatResponse {
				return llmtest.ChatResponse{Text: reply, CutStreamAfter: 3}
			}, "broke off"},
			{"NotJSON", false, func(llmtest.ChatRequest) llmtest.ChatResponse {
				return llmtest.ChatResponse{Text: reply}
			}, "not a JSON object"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				srv.SetChat(tc.resp)
				req := question(patient)
				req.JSON = tc.name == "NotJSON"
				var err error
				if tc.stream {
					_, err = c.Stream(ctx, req, nil)
				} else {
					_, err = c.Complete(ctx, req)
				}
				checkChatErr(t, err, daoyi.Unavailable, tc.want)
				if l := leaks(err.Error()); len(l) > 0 {
					t.Errorf("error %q shows %q", err, l)
				}
			})
		}
	})
}

func TestScrub(t *testing.T) {
	secrets := []string{"sk-abc", "患者主诉头痛三天伴有发热", "a longer English prompt about headaches"}
	for _, s := range []string{
		"bad request: 患者主诉头痛三天伴有发热; key sk-abc",
		"near '诉头痛三天伴' at token 12",
		"unexpected 'prompt about head' in input",
		"主诉头", // exactly nine bytes
	} {
		got := scrub(s, secrets)
		if !utf8.ValidString(got) {
			t.Errorf("scrub(%q) = %q: not UTF-8", s, got)
		}
		if !strings.Contains(got, "[redacted]") {
			t.Errorf("scrub(%q) = %q hides nothing", s, got)
		}
		for _, x := range secrets {
			for i := 0; i+scrubWindow <= len(x); i++ {
				if strings.Contains(got, x[i:i+scrubWindow]) {
					t.Errorf("scrub(%q) = %q still shows %q", s, got, x[i:i+scrubWindow])
				}
			}
		}
		if strings.Contains(got, "sk-abc") {
			t.Errorf("scrub(%q) = %q shows the short key", s, got)
		}
	}
	// What shares nothing long with a secret stays.
	for _, s := range []string{"maximum context length is 4096 tokens", "头痛 and 发热 are common words"} {
		if got := scrub(s, secrets); got != s {
			t.Errorf("scrub(%q) = %q, want it unchanged", s, got)
		}
	}
}

func TestConcurrentChat(t *testing.T) {
	bothProviders(t, func(t *testing.T, srv *llmtest.Server, cfg ChatConfig) {
		// A third of the questions fail once with 503 before they are
		// answered.
		var mu sync.Mutex
		failed := map[string]bool{}
		srv.SetChat(func(r llmtest.ChatRequest) llmtest.ChatResponse {
			q := r.LastUser()
			mu.Lock()
			defer mu.Unlock()
			if strings.Count(q, "请问") == 2 && !failed[q] {
				failed[q] = true
				return llmtest.ChatResponse{Status: http.StatusServiceUnavailable}
			}
			return echo(r)
		})
		c := newTestChat(t, cfg)
		const workers, each = 8, 6
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Go(func() {
				for i := range each {
					q := fmt.Sprintf("第%d位患者的第%d个问题：%s", w, i, strings.Repeat("请问", i%3+1))
					var got string
					var err error
					var deltas []string
					if (w+i)%2 == 0 {
						got, err = c.Complete(context.Background(), question(q))
					} else {
						got, err = c.Stream(context.Background(), question(q), func(s string) error {
							deltas = append(deltas, s)
							return nil
						})
						if err == nil && strings.Join(deltas, "") != got {
							err = fmt.Errorf("deltas %q do not make %q", deltas, got)
						}
					}
					if err == nil && got != answerFor(q) {
						err = fmt.Errorf("question %q got the answer %q", q, got)
					}
					if err != nil {
						errs <- err
					}
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		mu.Lock()
		retried := len(failed)
		mu.Unlock()
		if want := workers*each + retried; len(srv.Requests()) != want {
			t.Errorf("%d requests, want %d", len(srv.Requests()), want)
		}
		if retried == 0 {
			t.Error("no question was retried: the test does not test retries")
		}
	})
}
