package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/llm/llmtest"
)

const (
	fakeModel = "bge-m3"
	fakeDim   = 8
	testKey   = "sk-test-5ecret-K3y"
)

// fake is an embedding server speaking the real wire protocols: OpenAI's
// POST /v1/embeddings and Ollama's POST /api/embed. It answers in input
// order (langchaingo's OpenAI client ignores the `index` field, so an
// out-of-order server could not be detected anyway).
type fake struct {
	srv *httptest.Server

	// Set before use.
	delay time.Duration // how long each request takes
	// reply, if set, may answer request n (from 1) itself and return true.
	reply func(w http.ResponseWriter, r *http.Request, n int, inputs []string) bool
	// vectors, if set, replaces the vectors of a normal answer.
	vectors func(inputs []string) [][]float32

	mu          sync.Mutex
	batches     [][]string // each request's inputs, in arrival order
	auth        []string   // each request's Authorization header
	dims        []int      // each OpenAI request's dimensions field
	times       []time.Time
	inFlight    int
	maxInFlight int
}

func newFake(t testing.TB) *fake {
	f := &fake{}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) requests() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.batches)
}

// seen returns copies of what the server recorded: each request's inputs,
// Authorization header, OpenAI dimensions field and arrival time.
func (f *fake) seen() (batches [][]string, auth []string, dims []int, times []time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.batches), slices.Clone(f.auth), slices.Clone(f.dims), slices.Clone(f.times)
}

func (f *fake) maxFlight() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxInFlight
}

// sent lists every text received, in arrival order.
func (f *fake) sent() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, b := range f.batches {
		out = append(out, b...)
	}
	return out
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	writeErr := writeErr
	if r.URL.Path == "/api/embed" {
		writeErr = writeOllamaErr
	}
	if r.Method != http.MethodPost || r.Header.Get("Content-Type") != "application/json" {
		writeErr(w, http.StatusMethodNotAllowed, "want POST application/json")
		return
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var inputs []string
	var model string
	dim := fakeDim
	ollama := false
	switch r.URL.Path {
	case "/v1/embeddings":
		var req struct {
			Model      string   `json:"model"`
			Input      []string `json:"input"`
			Dimensions int      `json:"dimensions"`
		}
		if err := dec.Decode(&req); err != nil {
			writeErr(w, http.StatusBadRequest, "bad request body: "+err.Error())
			return
		}
		model, inputs = req.Model, req.Input
		if req.Dimensions > 0 {
			dim = req.Dimensions
		}
		f.mu.Lock()
		f.dims = append(f.dims, req.Dimensions)
		f.mu.Unlock()
	case "/api/embed":
		ollama = true
		var req struct {
			Model     string          `json:"model"`
			Input     string          `json:"input"` // langchaingo sends one string
			Options   json.RawMessage `json:"options"`
			KeepAlive string          `json:"keep_alive"`
		}
		if err := dec.Decode(&req); err != nil {
			writeErr(w, http.StatusBadRequest, "bad request body: "+err.Error())
			return
		}
		model, inputs = req.Model, []string{req.Input}
	default:
		writeErr(w, http.StatusNotFound, "no route "+r.URL.Path)
		return
	}
	if model != fakeModel {
		writeErr(w, http.StatusNotFound, fmt.Sprintf("model %q not found", model))
		return
	}

	f.mu.Lock()
	f.batches = append(f.batches, inputs)
	f.auth = append(f.auth, r.Header.Get("Authorization"))
	f.times = append(f.times, time.Now())
	n := len(f.batches)
	f.inFlight++
	f.maxInFlight = max(f.maxInFlight, f.inFlight)
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inFlight--
		f.mu.Unlock()
	}()
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-r.Context().Done():
			return
		}
	}
	if f.reply != nil && f.reply(w, r, n, inputs) {
		return
	}

	var vecs [][]float32
	if f.vectors != nil {
		vecs = f.vectors(inputs)
	} else {
		for _, in := range inputs {
			vecs = append(vecs, llmtest.Vector(in, dim))
		}
	}
	w.Header().Set("Content-Type", "application/json")
	if ollama {
		json.NewEncoder(w).Encode(map[string]any{"model": model, "embeddings": vecs})
		return
	}
	type item struct {
		Object    string    `json:"object"`
		Embedding []float32 `json:"embedding"`
		Index     int       `json:"index"`
	}
	data := []item{}
	for i, v := range vecs {
		data = append(data, item{"embedding", v, i})
	}
	json.NewEncoder(w).Encode(map[string]any{
		"object": "list", "data": data, "model": model,
		"usage": map[string]int{"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
	})
}

// writeErr answers in OpenAI's error shape.
func writeErr(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error"}})
}

// writeOllamaErr answers in Ollama's error shape.
func writeOllamaErr(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}

// hang waits for the client to give up (or five seconds).
func hang(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(5 * time.Second):
	}
}

// openaiConfig and ollamaConfig point at the fake.
func (f *fake) openaiConfig() EmbedConfig {
	return EmbedConfig{Provider: "openai", BaseURL: f.srv.URL + "/v1", Model: fakeModel, APIKey: testKey}
}

func (f *fake) ollamaConfig() EmbedConfig {
	return EmbedConfig{Provider: "ollama", BaseURL: f.srv.URL, Model: fakeModel}
}

// newEmbedder builds an embedder whose retries wait milliseconds, not
// seconds.
func newEmbedder(t testing.TB, cfg EmbedConfig) *Embedder {
	t.Helper()
	e, err := NewEmbedder(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.rt.backoff = time.Millisecond
	e.rt.maxWait = 20 * time.Millisecond
	return e
}

// texts returns n distinct texts.
func texts(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s 第%d个问题：挂号需要带什么？", prefix, i)
	}
	return out
}

// checkVecs fails unless got holds, in order, the unit-length vectors of
// the fake model for texts.
func checkVecs(t *testing.T, texts []string, got [][]float32, dim int) {
	t.Helper()
	if len(got) != len(texts) {
		t.Fatalf("got %d vectors for %d texts", len(got), len(texts))
	}
	for i, v := range got {
		if len(v) != dim {
			t.Fatalf("vector %d has %d dimensions, want %d", i, len(v), dim)
		}
		want := llmtest.Vector(texts[i], dim)
		var norm, wn float64
		for j := range v {
			norm += float64(v[j]) * float64(v[j])
			wn += float64(want[j]) * float64(want[j])
		}
		if math.Abs(norm-1) > 1e-5 {
			t.Fatalf("vector %d has squared norm %v, want 1", i, norm)
		}
		for j := range v {
			if w := float64(want[j]) / math.Sqrt(wn); math.Abs(float64(v[j])-w) > 1e-6 {
				t.Fatalf("vector %d is not the vector of %q (dimension %d: %v, want %v)", i, texts[i], j, v[j], w)
			}
		}
	}
}

// checkErr fails unless err is an Unavailable error whose text has every
// wanted part and never the API key.
func checkErr(t *testing.T, err error, want ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("no error")
	}
	if k := daoyi.KindOf(err); k != daoyi.Unavailable {
		t.Errorf("kind %v, want unavailable: %v", k, err)
	}
	if m := daoyi.Message(err); m != unavailable {
		t.Errorf("user-safe message %q, want %q", m, unavailable)
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

func TestNewEmbedder(t *testing.T) {
	ok := EmbedConfig{Provider: "openai", BaseURL: "http://vllm:8000/v1", Model: "bge-m3"}
	for _, c := range []struct {
		name string
		edit func(*EmbedConfig)
		want string
	}{
		{"ErrProviderMissing", func(c *EmbedConfig) { c.Provider = "" }, "provider is missing"},
		{"ErrProviderUnknown", func(c *EmbedConfig) { c.Provider = "cohere" }, `unknown embedding provider "cohere"`},
		{"ErrBaseURLMissing", func(c *EmbedConfig) { c.BaseURL = "" }, "not an http(s) URL"},
		{"ErrBaseURLNoScheme", func(c *EmbedConfig) { c.BaseURL = "vllm:8000/v1" }, "not an http(s) URL"},
		{"ErrBaseURLNotHTTP", func(c *EmbedConfig) { c.BaseURL = "ftp://vllm/v1" }, "not an http(s) URL"},
		{"ErrBaseURLNoHost", func(c *EmbedConfig) { c.BaseURL = "http:///v1" }, "not an http(s) URL"},
		{"ErrBaseURLUnparsable", func(c *EmbedConfig) { c.BaseURL = "http://vllm:port/v1" }, "not an http(s) URL"},
		{"ErrModelMissing", func(c *EmbedConfig) { c.Model = " " }, "model name is missing"},
		{"ErrNegative", func(c *EmbedConfig) { c.BatchSize = -1 }, "must not be negative"},
		{"ErrDimensionsWithOllama", func(c *EmbedConfig) { c.Provider = "ollama"; c.Dimensions = 256 }, "only supported by the openai provider"},
	} {
		t.Run(c.name, func(t *testing.T) {
			cfg := ok
			c.edit(&cfg)
			_, err := NewEmbedder(cfg)
			if err == nil {
				t.Fatal("no error")
			}
			if k := daoyi.KindOf(err); k != daoyi.Invalid {
				t.Errorf("kind %v, want invalid", k)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not say %q", err, c.want)
			}
		})
	}
	t.Run("ErrBaseURLHidesPassword", func(t *testing.T) {
		cfg := ok
		cfg.BaseURL = "ftp://user:hunter2@vllm/v1"
		_, err := NewEmbedder(cfg)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Fatalf("error %v", err)
		}
	})
	t.Run("Defaults", func(t *testing.T) {
		e, err := NewEmbedder(ok)
		if err != nil {
			t.Fatal(err)
		}
		got := e.cfg
		if got.BatchSize != 32 || got.Concurrency != 4 || got.MaxRetries != 3 || got.Timeout != 30*time.Second || got.CacheSize != 10000 {
			t.Errorf("defaults %+v", got)
		}
		if e.batch != 32 || e.rt.maxRetries != 3 || e.rt.timeout != 30*time.Second || e.cache == nil {
			t.Errorf("defaults not applied: batch %d, retries %d, timeout %v", e.batch, e.rt.maxRetries, e.rt.timeout)
		}
		if e.Name() != "openai:bge-m3:0" || e.Dim() != 0 {
			t.Errorf("name %q, dim %d before probing", e.Name(), e.Dim())
		}
	})
	t.Run("NegativeDisables", func(t *testing.T) {
		cfg := ok
		cfg.MaxRetries, cfg.CacheSize = -1, -1
		e, err := NewEmbedder(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if e.rt.maxRetries != 0 || e.cache != nil {
			t.Errorf("retries %d, cache %v", e.rt.maxRetries, e.cache)
		}
	})
	t.Run("OllamaOneTextPerRequest", func(t *testing.T) {
		e, err := NewEmbedder(EmbedConfig{Provider: "Ollama", BaseURL: "http://ollama:11434/", Model: "bge-m3", BatchSize: 16})
		if err != nil {
			t.Fatal(err)
		}
		if e.batch != 1 || e.Name() != "ollama:bge-m3:0" {
			t.Errorf("batch %d, name %q", e.batch, e.Name())
		}
	})
}

func TestEmbed(t *testing.T) {
	ctx := context.Background()
	t.Run("BatchesOf32InOrder", func(t *testing.T) {
		f := newFake(t)
		cfg := f.openaiConfig()
		cfg.BatchSize = 32
		e := newEmbedder(t, cfg)
		in := texts("batch", 100)
		got, err := e.Embed(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		checkVecs(t, in, got, fakeDim)
		batches, _, _, _ := f.seen()
		var sizes []int
		for _, b := range batches {
			sizes = append(sizes, len(b))
		}
		slices.Sort(sizes)
		if !slices.Equal(sizes, []int{4, 32, 32, 32}) {
			t.Errorf("batch sizes %v, want 4 requests of 32, 32, 32, 4", sizes)
		}
		sent := f.sent()
		slices.Sort(sent)
		want := slices.Clone(in)
		slices.Sort(want)
		if !slices.Equal(sent, want) {
			t.Errorf("the server received %d texts, not each of the 100 once", len(sent))
		}
		if e.Dim() != fakeDim || e.Name() != "openai:bge-m3:8" {
			t.Errorf("dim %d, name %q after the first embed", e.Dim(), e.Name())
		}
	})
	t.Run("EmptyInputSendsNothing", func(t *testing.T) {
		f := newFake(t)
		e := newEmbedder(t, f.openaiConfig())
		for _, in := range [][]string{nil, {}} {
			got, err := e.Embed(ctx, in)
			if got != nil || err != nil {
				t.Errorf("Embed(%v) = %v, %v", in, got, err)
			}
		}
		if n := f.requests(); n != 0 {
			t.Errorf("%d requests", n)
		}
	})
	t.Run("EmptyTextEmbedded", func(t *testing.T) {
		f := newFake(t)
		e := newEmbedder(t, f.openaiConfig())
		in := []string{"", "发烧"}
		got, err := e.Embed(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		checkVecs(t, in, got, fakeDim)
		if !slices.Equal(f.sent(), in) {
			t.Errorf("sent %q", f.sent())
		}
	})
	t.Run("DimensionsAskedAndExpected", func(t *testing.T) {
		f := newFake(t)
		cfg := f.openaiConfig()
		cfg.Dimensions = 4
		e := newEmbedder(t, cfg)
		if e.Dim() != 4 || e.Name() != "openai:bge-m3:4" {
			t.Errorf("dim %d, name %q", e.Dim(), e.Name())
		}
		in := texts("dims", 3)
		got, err := e.Embed(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		checkVecs(t, in, got, 4)
		if _, _, dims, _ := f.seen(); !slices.Equal(dims, []int{4}) {
			t.Errorf("dimensions sent: %v", dims)
		}
	})
	t.Run("ErrDimensionsIgnoredByServer", func(t *testing.T) {
		f := newFake(t)
		f.vectors = func(inputs []string) (vs [][]float32) {
			for _, in := range inputs {
				vs = append(vs, llmtest.Vector(in, fakeDim))
			}
			return vs
		}
		cfg := f.openaiConfig()
		cfg.Dimensions = 4
		e := newEmbedder(t, cfg)
		_, err := e.Embed(ctx, texts("dims", 2))
		checkErr(t, err, "returned 8-dimensional vectors, want 4")
	})
}

func TestCache(t *testing.T) {
	ctx := context.Background()
	t.Run("SecondCallSendsNothing", func(t *testing.T) {
		f := newFake(t)
		e := newEmbedder(t, f.openaiConfig())
		in := texts("again", 10)
		first, err := e.Embed(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		second, err := e.Embed(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		if n := f.requests(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
		checkVecs(t, in, first, fakeDim)
		checkVecs(t, in, second, fakeDim)
	})
	t.Run("OnlyMissesSent", func(t *testing.T) {
		f := newFake(t)
		e := newEmbedder(t, f.openaiConfig())
		old, fresh := texts("old", 6), texts("new", 4)
		if _, err := e.Embed(ctx, old); err != nil {
			t.Fatal(err)
		}
		mix := []string{fresh[0], old[0], old[1], fresh[1], fresh[2], old[5], fresh[3]}
		got, err := e.Embed(ctx, mix)
		if err != nil {
			t.Fatal(err)
		}
		checkVecs(t, mix, got, fakeDim)
		if n := f.requests(); n != 2 {
			t.Fatalf("%d requests, want 2", n)
		}
		if batches, _, _, _ := f.seen(); !slices.Equal(batches[1], fresh) {
			t.Errorf("second request sent %q, want only the misses %q", batches[1], fresh)
		}
	})
	t.Run("DuplicatesSentOnce", func(t *testing.T) {
		f := newFake(t)
		e := newEmbedder(t, f.openaiConfig())
		in := []string{"头痛", "发烧", "头痛", "咳嗽", "头痛"}
		got, err := e.Embed(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		checkVecs(t, in, got, fakeDim)
		if s := f.sent(); !slices.Equal(s, []string{"头痛", "发烧", "咳嗽"}) {
			t.Errorf("sent %q", s)
		}
	})
	t.Run("ReturnedVectorsAreTheCallers", func(t *testing.T) {
		f := newFake(t)
		e := newEmbedder(t, f.openaiConfig())
		in := []string{"头痛", "头痛"}
		got, err := e.Embed(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		got[0][0] = 42 // must change neither the duplicate nor the cache
		checkVecs(t, in[1:], got[1:], fakeDim)
		again, err := e.Embed(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		checkVecs(t, in, again, fakeDim)
	})
	t.Run("DisabledSendsAgain", func(t *testing.T) {
		f := newFake(t)
		cfg := f.openaiConfig()
		cfg.CacheSize = -1
		e := newEmbedder(t, cfg)
		in := []string{"头痛", "头痛"}
		for range 2 {
			if _, err := e.Embed(ctx, in); err != nil {
				t.Fatal(err)
			}
		}
		if s := f.sent(); !slices.Equal(s, []string{"头痛", "头痛"}) {
			t.Errorf("sent %q, want the text once per call", s)
		}
	})
	t.Run("LeastRecentlyUsedEvicted", func(t *testing.T) {
		f := newFake(t)
		cfg := f.openaiConfig()
		cfg.CacheSize = 2
		e := newEmbedder(t, cfg)
		for _, in := range []string{"a", "b", "a", "c", "a", "b"} {
			if _, err := e.Embed(ctx, []string{in}); err != nil {
				t.Fatal(err)
			}
		}
		// a, b sent; a hit; c sent (evicts b); a hit; b sent again.
		if s := f.sent(); !slices.Equal(s, []string{"a", "b", "c", "b"}) {
			t.Errorf("sent %q", s)
		}
		if n := e.cache.Len(); n != 2 {
			t.Errorf("cache holds %d", n)
		}
	})
	t.Run("KeyedByModelAndText", func(t *testing.T) {
		a := &Embedder{cfg: EmbedConfig{Model: "m1"}}
		b := &Embedder{cfg: EmbedConfig{Model: "m2"}}
		if a.key("x") == b.key("x") || a.key("x") == a.key("y") || a.key("x") != a.key("x") {
			t.Error("keys do not tell models and texts apart")
		}
		// The separator keeps model "m" + text "1x" apart from model "m1" + text "x".
		c := &Embedder{cfg: EmbedConfig{Model: "m"}}
		if c.key("1x") == a.key("x") {
			t.Error("model and text run together")
		}
	})
}

func TestRetry(t *testing.T) {
	ctx := context.Background()
	t.Run("429ThenSuccessHonoursRetryAfter", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, _ []string) bool {
			if n == 1 {
				w.Header().Set("Retry-After", "1")
				writeErr(w, http.StatusTooManyRequests, "rate limit exceeded")
				return true
			}
			return false
		}
		e := newEmbedder(t, f.openaiConfig())
		e.rt.maxWait = 150 * time.Millisecond // Retry-After: 1 is capped to this
		in := texts("busy", 3)
		got, err := e.Embed(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		checkVecs(t, in, got, fakeDim)
		if n := f.requests(); n != 2 {
			t.Fatalf("%d requests, want 2", n)
		}
		// The backoff alone would wait about a millisecond.
		_, _, _, times := f.seen()
		if gap := times[1].Sub(times[0]); gap < 150*time.Millisecond || gap > 900*time.Millisecond {
			t.Errorf("retried after %v, want Retry-After capped at 150ms", gap)
		}
	})
	t.Run("500TwiceThenSuccess", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, _ []string) bool {
			if n <= 2 {
				writeErr(w, http.StatusInternalServerError, "CUDA out of memory")
				return true
			}
			return false
		}
		// The base transport records each body it is given. (Through
		// http.DefaultTransport alone, a retry that reused the spent body
		// would go unseen: it rewinds bodies on its own retries.)
		var bodies []int
		cfg := f.openaiConfig()
		cfg.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			b, err := io.ReadAll(r.Body)
			r.Body.Close()
			if err != nil {
				return nil, err
			}
			bodies = append(bodies, len(b))
			r = r.Clone(r.Context())
			r.Body = io.NopCloser(bytes.NewReader(b))
			return http.DefaultTransport.RoundTrip(r)
		})}
		e := newEmbedder(t, cfg)
		in := texts("flaky", 5)
		got, err := e.Embed(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		checkVecs(t, in, got, fakeDim)
		if n := f.requests(); n != 3 {
			t.Fatalf("%d requests, want 3", n)
		}
		if len(bodies) != 3 || bodies[0] == 0 || bodies[1] != bodies[0] || bodies[2] != bodies[0] {
			t.Errorf("body lengths per attempt %v, want the same body three times", bodies)
		}
		batches, _, _, _ := f.seen()
		for i, b := range batches {
			if !slices.Equal(b, in) {
				t.Errorf("request %d sent %q", i+1, b)
			}
		}
	})
	t.Run("400NotRetried", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, _ []string) bool {
			writeErr(w, http.StatusBadRequest, "input is too long for this model")
			return true
		}
		e := newEmbedder(t, f.openaiConfig())
		_, err := e.Embed(ctx, texts("long", 2))
		checkErr(t, err, "HTTP 400 after 1 attempt", "input is too long for this model", f.srv.URL+"/v1", "model bge-m3")
		if n := f.requests(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
	t.Run("RetriesExhausted", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, _ []string) bool {
			writeErr(w, http.StatusServiceUnavailable, "model is loading")
			return true
		}
		cfg := f.openaiConfig()
		cfg.MaxRetries = 2
		e := newEmbedder(t, cfg)
		_, err := e.Embed(ctx, texts("down", 2))
		checkErr(t, err, "HTTP 503 after 3 attempts", "model is loading")
		if n := f.requests(); n != 3 {
			t.Errorf("%d requests, want 3", n)
		}
	})
	t.Run("NegativeMaxRetriesTriesOnce", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, _ []string) bool {
			writeErr(w, http.StatusBadGateway, "bad gateway")
			return true
		}
		cfg := f.openaiConfig()
		cfg.MaxRetries = -1
		e := newEmbedder(t, cfg)
		_, err := e.Embed(ctx, texts("once", 1))
		checkErr(t, err, "HTTP 502 after 1 attempt")
		if n := f.requests(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
	t.Run("ConnectionErrorRetried", func(t *testing.T) {
		f := newFake(t)
		var calls atomic.Int32
		cfg := f.openaiConfig()
		cfg.HTTPClient = &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
			if calls.Add(1) <= 2 {
				r.Body.Close()
				return nil, errors.New("connection reset by test")
			}
			return http.DefaultTransport.RoundTrip(r)
		})}
		e := newEmbedder(t, cfg)
		in := texts("reset", 2)
		got, err := e.Embed(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		checkVecs(t, in, got, fakeDim)
		if c, n := calls.Load(), f.requests(); c != 3 || n != 1 {
			t.Errorf("%d attempts and %d requests served, want 3 and 1", c, n)
		}
	})
	t.Run("ErrUnreachable", func(t *testing.T) {
		f := newFake(t)
		f.srv.Close()
		e := newEmbedder(t, f.openaiConfig())
		_, err := e.Embed(ctx, texts("nobody", 1))
		checkErr(t, err, "could not be reached after 4 attempts", f.srv.URL+"/v1")
	})
	t.Run("CancelStopsBackoff", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, _ []string) bool {
			w.Header().Set("Retry-After", "5")
			writeErr(w, http.StatusTooManyRequests, "slow down")
			return true
		}
		e := newEmbedder(t, f.openaiConfig())
		e.rt.maxWait = 10 * time.Second
		checkPrompt(t, e, context.Canceled)
		if n := f.requests(); n != 1 {
			t.Errorf("%d requests, want 1", n)
		}
	})
	t.Run("CancelStopsWaitingForServer", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, _ []string) bool {
			hang(r)
			return true
		}
		e := newEmbedder(t, f.openaiConfig())
		checkPrompt(t, e, context.Canceled)
	})
	t.Run("DeadlineIsTimeout", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, _ []string) bool {
			hang(r)
			return true
		}
		e := newEmbedder(t, f.openaiConfig())
		ctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		_, err := e.Embed(ctx, texts("late", 1))
		if !errors.Is(err, context.DeadlineExceeded) || daoyi.KindOf(err) != daoyi.Timeout {
			t.Errorf("error %v (kind %v), want a timeout", err, daoyi.KindOf(err))
		}
	})
	t.Run("ErrRequestTimeout", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, _ []string) bool {
			hang(r)
			return true
		}
		cfg := f.openaiConfig()
		cfg.Timeout = 100 * time.Millisecond
		e := newEmbedder(t, cfg)
		start := time.Now()
		_, err := e.Embed(ctx, texts("slow", 1))
		checkErr(t, err, "did not answer within 100ms")
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("took %v", d)
		}
		if n := f.requests(); n != 1 {
			t.Errorf("%d requests: a timed-out request is not retried", n)
		}
	})
	t.Run("ErrSlowBodyTimesOut", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, _ []string) bool {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"object":"list","data":[`))
			w.(http.Flusher).Flush()
			hang(r)
			return true
		}
		cfg := f.openaiConfig()
		cfg.Timeout = 100 * time.Millisecond
		e := newEmbedder(t, cfg)
		_, err := e.Embed(ctx, texts("trickle", 1))
		checkErr(t, err, "did not answer within 100ms")
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// checkPrompt cancels an Embed after 50ms and checks that it returns at
// once with the context's error.
func checkPrompt(t *testing.T, e *Embedder, want error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	_, err := e.Embed(ctx, texts("cancel", 3))
	if d := time.Since(start); d > time.Second {
		t.Errorf("returned %v after the cancel", d-50*time.Millisecond)
	}
	if !errors.Is(err, want) {
		t.Errorf("error %v, want %v", err, want)
	}
}

func TestInvalidAnswers(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name string
		vecs func(inputs []string) [][]float32
		want string
	}{
		{"ErrTooFewVectors", func(in []string) [][]float32 { return good(in)[1:] }, "returned 3 vectors for 4 texts"},
		{"ErrTooManyVectors", func(in []string) [][]float32 { return append(good(in), llmtest.Vector("x", fakeDim)) }, "returned 5 vectors for 4 texts"},
		{"ErrMixedLengths", func(in []string) [][]float32 { v := good(in); v[2] = v[2][:5]; return v }, "different lengths (8 and 5)"},
		{"ErrZeroVector", func(in []string) [][]float32 { v := good(in); v[1] = make([]float32, fakeDim); return v }, "all-zero vector"},
		{"ErrEmptyVector", func(in []string) [][]float32 { v := good(in); v[0] = []float32{}; return v }, "empty vector"},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := newFake(t)
			f.vectors = c.vecs
			e := newEmbedder(t, f.openaiConfig())
			in := texts("bad", 4)
			got, err := e.Embed(ctx, in)
			checkErr(t, err, c.want)
			if got != nil {
				t.Errorf("a partial result: %d vectors", len(got))
			}
			if e.Dim() != 0 {
				t.Errorf("a rejected answer fixed the dimension at %d", e.Dim())
			}
			// Nothing was cached: the healthy server is asked again.
			f.vectors = nil
			got, err = e.Embed(ctx, in)
			if err != nil {
				t.Fatal(err)
			}
			checkVecs(t, in, got, fakeDim)
			if n := f.requests(); n != 2 {
				t.Errorf("%d requests, want 2", n)
			}
		})
	}
	t.Run("ErrDimensionChanged", func(t *testing.T) {
		f := newFake(t)
		e := newEmbedder(t, f.openaiConfig())
		if err := e.Probe(ctx); err != nil {
			t.Fatal(err)
		}
		f.vectors = func(in []string) (vs [][]float32) {
			for _, s := range in {
				vs = append(vs, llmtest.Vector(s, 16))
			}
			return vs
		}
		_, err := e.Embed(ctx, texts("wider", 2))
		checkErr(t, err, "returned 16-dimensional vectors, want 8")
		if e.Dim() != fakeDim {
			t.Errorf("dim %d", e.Dim())
		}
	})
	t.Run("ErrNoData", func(t *testing.T) {
		f := newFake(t)
		f.vectors = func([]string) [][]float32 { return nil }
		e := newEmbedder(t, f.openaiConfig())
		_, err := e.Embed(ctx, texts("none", 2))
		checkErr(t, err, "sent an answer that could not be read")
	})
	t.Run("ErrNotJSON", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, _ []string) bool {
			w.Write([]byte("<html>gateway login</html>"))
			return true
		}
		e := newEmbedder(t, f.openaiConfig())
		_, err := e.Embed(ctx, texts("html", 2))
		checkErr(t, err, "sent an answer that could not be read")
	})
	t.Run("ErrOutOfFloat32Range", func(t *testing.T) {
		// JSON cannot carry NaN or Inf; the nearest a server can send is a
		// number float32 cannot hold, which fails to decode.
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, _ []string) bool {
			w.Write([]byte(`{"object":"list","data":[{"object":"embedding","embedding":[1e39,1],"index":0}]}`))
			return true
		}
		e := newEmbedder(t, f.openaiConfig())
		_, err := e.Embed(ctx, texts("huge", 1))
		checkErr(t, err, "could not be read")
	})
	t.Run("ErrNaNOrInf", func(t *testing.T) {
		// What a decoder could let through is checked before normalising.
		for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
			e := &Embedder{where: "the test server"}
			err := e.accept([][]float32{{1, 2}, {3, bad}}, 2)
			if err == nil || !strings.Contains(err.Error(), "NaN or infinite") {
				t.Errorf("%v: error %v", bad, err)
			}
			if e.Dim() != 0 {
				t.Errorf("%v: dim fixed at %d", bad, e.Dim())
			}
		}
	})
}

// good is the fake model's answer to inputs.
func good(inputs []string) (vs [][]float32) {
	for _, in := range inputs {
		vs = append(vs, llmtest.Vector(in, fakeDim))
	}
	return vs
}

func TestProbe(t *testing.T) {
	ctx := context.Background()
	t.Run("LearnsDimAndName", func(t *testing.T) {
		f := newFake(t)
		e := newEmbedder(t, f.openaiConfig())
		if e.Dim() != 0 || e.Name() != "openai:bge-m3:0" {
			t.Errorf("before: dim %d, name %q", e.Dim(), e.Name())
		}
		for range 2 { // never from the cache: a probe checks the server
			if err := e.Probe(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if e.Dim() != fakeDim || e.Name() != "openai:bge-m3:8" {
			t.Errorf("after: dim %d, name %q", e.Dim(), e.Name())
		}
		if n := f.requests(); n != 2 {
			t.Errorf("%d requests, want 2", n)
		}
	})
	t.Run("ErrServerDownNamesServerNotKey", func(t *testing.T) {
		f := newFake(t)
		f.srv.Close()
		e := newEmbedder(t, f.openaiConfig())
		err := e.Probe(ctx)
		checkErr(t, err, "llm.Probe", f.srv.URL+"/v1", "model bge-m3", "could not be reached")
	})
	t.Run("ErrWrongModel", func(t *testing.T) {
		f := newFake(t)
		cfg := f.ollamaConfig()
		cfg.Model = "nomic-embed-text"
		e := newEmbedder(t, cfg)
		err := e.Probe(ctx)
		checkErr(t, err, "HTTP 404 after 1 attempt", `model "nomic-embed-text" not found`, "ollama embedding server")
	})
}

func TestAPIKey(t *testing.T) {
	ctx := context.Background()
	t.Run("SentAsBearer", func(t *testing.T) {
		f := newFake(t)
		e := newEmbedder(t, f.openaiConfig())
		if err := e.Probe(ctx); err != nil {
			t.Fatal(err)
		}
		if _, auth, _, _ := f.seen(); auth[0] != "Bearer "+testKey {
			t.Errorf("Authorization %q", auth[0])
		}
	})
	t.Run("DummySentToKeylessServers", func(t *testing.T) {
		f := newFake(t)
		cfg := f.openaiConfig()
		cfg.APIKey = ""
		e := newEmbedder(t, cfg)
		if err := e.Probe(ctx); err != nil {
			t.Fatal(err)
		}
		if _, auth, _, _ := f.seen(); auth[0] != "Bearer "+noKey {
			t.Errorf("Authorization %q", auth[0])
		}
	})
	t.Run("ErrNeverShowsKey", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, _ []string) bool {
			writeErr(w, http.StatusUnauthorized, "Incorrect API key provided: "+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
			return true
		}
		e := newEmbedder(t, f.openaiConfig())
		err := e.Probe(ctx)
		checkErr(t, err, "HTTP 401", "Incorrect API key provided: [redacted]")
	})
	t.Run("ErrNeverShowsTexts", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, in []string) bool {
			writeErr(w, http.StatusBadRequest, "cannot embed: "+strings.Join(in, " | "))
			return true
		}
		e := newEmbedder(t, f.openaiConfig())
		in := []string{"我最近三天一直头痛发烧", "胸口疼"}
		_, err := e.Embed(ctx, in)
		checkErr(t, err, "HTTP 400")
		for _, s := range in {
			if strings.Contains(err.Error(), s) {
				t.Errorf("error %q shows the text %q", err, s)
			}
		}
	})
	t.Run("OllamaBearerOnlyWhenSet", func(t *testing.T) {
		f := newFake(t)
		keyless := newEmbedder(t, f.ollamaConfig())
		cfg := f.ollamaConfig()
		cfg.APIKey = testKey
		keyed := newEmbedder(t, cfg)
		for _, e := range []*Embedder{keyless, keyed} {
			if err := e.Probe(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if _, auth, _, _ := f.seen(); !slices.Equal(auth, []string{"", "Bearer " + testKey}) {
			t.Errorf("Authorization headers %q", auth)
		}
	})
}

func TestOllama(t *testing.T) {
	ctx := context.Background()
	t.Run("ConcurrentInOrder", func(t *testing.T) {
		f := newFake(t)
		f.delay = 20 * time.Millisecond
		cfg := f.ollamaConfig()
		cfg.Concurrency = 3
		e := newEmbedder(t, cfg)
		in := texts("ollama", 20)
		got, err := e.Embed(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		checkVecs(t, in, got, fakeDim)
		if n := f.requests(); n != 20 {
			t.Errorf("%d requests, want one per text", n)
		}
		if m := f.maxFlight(); m != 3 {
			t.Errorf("at most %d requests in flight, want 3", m)
		}
		if e.Name() != "ollama:bge-m3:8" {
			t.Errorf("name %q", e.Name())
		}
	})
	t.Run("ErrTwoVectorsForOneText", func(t *testing.T) {
		f := newFake(t)
		f.vectors = func(in []string) [][]float32 { return append(good(in), good(in)...) }
		e := newEmbedder(t, f.ollamaConfig())
		_, err := e.Embed(ctx, []string{"头痛"})
		checkErr(t, err, "returned 2 vectors for 1 text")
	})
	t.Run("ErrNoVectors", func(t *testing.T) {
		f := newFake(t)
		f.vectors = func([]string) [][]float32 { return [][]float32{} }
		e := newEmbedder(t, f.ollamaConfig())
		_, err := e.Embed(ctx, []string{"头痛"})
		checkErr(t, err, "returned 0 vectors for 1 text")
	})
	t.Run("ErrFailsWhole", func(t *testing.T) {
		f := newFake(t)
		f.reply = func(w http.ResponseWriter, r *http.Request, n int, in []string) bool {
			if in[0] == "bad" {
				w.WriteHeader(http.StatusBadRequest)
				w.Write([]byte(`{"error":"input is invalid"}`))
				return true
			}
			return false
		}
		e := newEmbedder(t, f.ollamaConfig())
		got, err := e.Embed(ctx, []string{"头痛", "bad", "发烧"})
		checkErr(t, err, "HTTP 400 after 1 attempt: input is invalid")
		if got != nil {
			t.Errorf("a partial result")
		}
	})
}

func TestConcurrentEmbed(t *testing.T) {
	f := newFake(t)
	cfg := f.openaiConfig()
	cfg.BatchSize = 8
	cfg.CacheSize = 50 // smaller than the texts: entries come and go
	e := newEmbedder(t, cfg)
	all := texts("shared", 80)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for round := range 5 {
				in := all[(g*7+round*11)%40:][:40]
				got, err := e.Embed(context.Background(), in)
				if err != nil {
					t.Error(err)
					return
				}
				checkVecs(t, in, got, fakeDim)
			}
		})
	}
	wg.Wait()
	if n := e.cache.Len(); n != 50 {
		t.Errorf("cache holds %d, want 50", n)
	}
}

func BenchmarkEmbedCached(b *testing.B) {
	f := newFake(b)
	e := newEmbedder(b, f.openaiConfig())
	in := texts("bench", 100)
	if _, err := e.Embed(context.Background(), in); err != nil {
		b.Fatal(err)
	}
	n := f.requests()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.Embed(context.Background(), in); err != nil {
			b.Fatal(err)
		}
	}
	if f.requests() != n {
		b.Fatal("a cached embed sent a request")
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(in)), "ns/text")
}
