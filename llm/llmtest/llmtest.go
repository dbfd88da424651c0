// Package llmtest is a fake model server for tests. It speaks the wire
// protocols daoyi's llm package uses — OpenAI's POST /v1/chat/completions
// (plain JSON and server-sent events) and POST /v1/embeddings, Ollama's
// POST /api/chat (one JSON object or NDJSON lines ending with "done") and
// POST /api/embed — and lets a test decide every chat reply and how it
// fails: a status, a delay, a malformed body, a stream cut mid-way.
//
// A typical test:
//
//	srv := llmtest.NewServer(t, llmtest.Options{})
//	srv.SetChat(func(r llmtest.ChatRequest) llmtest.ChatResponse {
//		return llmtest.ChatResponse{Text: "..."}
//	})
//	chat, _ := llm.NewChat(llm.ChatConfig{Provider: "openai", BaseURL: srv.URL, Model: "m"})
//	...
//	reqs := srv.Requests()
package llmtest

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// Options configure a Server. Zero fields take defaults.
type Options struct {
	// APIKey, if set, is required as "Authorization: Bearer <APIKey>" on
	// every request (both protocols); other requests are answered 401.
	APIKey string
	// Model, if set, is the only model served; other names are answered
	// 404 the way each server says "model not found".
	Model string
	// DeltaRunes is the number of runes per streamed delta (default 3), so
	// that any reply longer than that arrives in several deltas.
	DeltaRunes int
	// EmbedDim is the length of the embedding vectors (default 8).
	EmbedDim int
	// Chat decides chat replies until SetChat replaces it. Default: the
	// reply "ok".
	Chat func(ChatRequest) ChatResponse
}

// Message is one chat message as received.
type Message struct {
	Role    string
	Content string
}

// ChatRequest is what the server received in a chat request, decoded from
// the wire.
type ChatRequest struct {
	Provider string // "openai" or "ollama", from the path
	Path     string // /v1/chat/completions or /api/chat
	Model    string
	Messages []Message
	// JSON: a JSON answer was asked for (OpenAI response_format of type
	// json_object or json_schema; Ollama format "json" or a schema).
	JSON bool
	// Stream: the client asked for a stream. Ollama streams unless the
	// request says "stream": false, so an absent field counts as true.
	Stream bool
	// MaxTokens is the answer's token limit and MaxTokensField the field it
	// came in: "max_completion_tokens" or "max_tokens" (OpenAI),
	// "num_predict" (Ollama); "" if none was sent.
	MaxTokens      int
	MaxTokensField string
	// Temperature as sent; nil if absent.
	Temperature *float64
	Header      http.Header
	Body        []byte    // the raw request body
	Time        time.Time // when it arrived
}

// LastUser returns the content of the last user message, or "".
func (r ChatRequest) LastUser() string {
	for i := len(r.Messages) - 1; i >= 0; i-- {
		if r.Messages[i].Role == "user" {
			return r.Messages[i].Content
		}
	}
	return ""
}

// ChatResponse says how to answer a chat request.
type ChatResponse struct {
	// Text is the reply. Streamed, it is split into deltas of
	// Options.DeltaRunes runes.
	Text string
	// Status, if not 0 or 200, answers with that HTTP status and an error
	// body in the protocol's shape carrying Error (default: the status
	// text).
	Status int
	Error  string
	// RetryAfter, if set, is sent as the Retry-After header.
	RetryAfter string
	// Delay is waited before the response headers are sent (the wait ends
	// early if the client goes away).
	Delay time.Duration
	// DeltaDelay is waited before each streamed delta.
	DeltaDelay time.Duration
	// Malformed sends a body (or stream chunks) that is not valid JSON.
	Malformed bool
	// CutStreamAfter, if positive, drops the connection after that many
	// deltas of a stream; if negative, right after the response headers.
	// A plain (non-streamed) answer is cut after half its body either way.
	CutStreamAfter int
	// OmitDone ends a stream cleanly but without its end marker (OpenAI's
	// data: [DONE], Ollama's "done": true line).
	OmitDone bool
	// StreamError, if set, is sent as an error event after the deltas, in
	// place of the stream's end: data: {"error":{...}} for OpenAI (as vLLM
	// does), {"error":"..."} for Ollama.
	StreamError string
}

// EmbedRequest is what the server received in an embedding request.
type EmbedRequest struct {
	Provider string
	Path     string
	Model    string
	Input    []string
	Header   http.Header
	Time     time.Time
}

// Server is a fake OpenAI-compatible and Ollama server.
type Server struct {
	// URL is the OpenAI-style base URL, ending in /v1.
	URL string
	// OllamaURL is the Ollama base URL (the server's root).
	OllamaURL string

	opts Options
	srv  *httptest.Server
	quit chan struct{}

	mu     sync.Mutex
	chat   func(ChatRequest) ChatResponse
	reqs   []ChatRequest
	embeds []EmbedRequest
	seq    int
}

// NewServer starts a server, closed when the test ends.
func NewServer(t testing.TB, opts Options) *Server {
	if opts.DeltaRunes <= 0 {
		opts.DeltaRunes = 3
	}
	if opts.EmbedDim <= 0 {
		opts.EmbedDim = 8
	}
	s := &Server{opts: opts, quit: make(chan struct{}), chat: opts.Chat}
	if s.chat == nil {
		s.chat = func(ChatRequest) ChatResponse { return ChatResponse{Text: "ok"} }
	}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/v1"
	s.OllamaURL = s.srv.URL
	t.Cleanup(func() {
		close(s.quit) // releases handlers still waiting
		s.srv.Close()
	})
	return s
}

// SetChat replaces the function deciding chat replies. It is called once
// per request (retries included), possibly concurrently.
func (s *Server) SetChat(f func(ChatRequest) ChatResponse) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.chat = f
}

// Requests returns the chat requests received so far, in arrival order.
func (s *Server) Requests() []ChatRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reqs)
}

// Embeds returns the embedding requests received so far, in arrival order.
func (s *Server) Embeds() []EmbedRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.embeds)
}

// Vector is the fake embedding of text: deterministic, seeded by the
// text's hash, not of unit length.
func Vector(text string, dim int) []float32 {
	h := fnv.New64a()
	h.Write([]byte(text))
	r := rand.New(rand.NewPCG(h.Sum64(), 7))
	v := make([]float32, dim)
	for i := range v {
		v[i] = float32(r.NormFloat64()*3 + 0.25)
	}
	return v
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	ollama := strings.HasPrefix(r.URL.Path, "/api/")
	fail := openaiError
	if ollama {
		fail = ollamaError
	}
	if r.Method != http.MethodPost {
		fail(w, http.StatusMethodNotAllowed, "want POST")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		fail(w, http.StatusBadRequest, "cannot read the body")
		return
	}
	switch r.URL.Path {
	case "/v1/chat/completions", "/api/chat":
		s.serveChat(w, r, body, ollama, fail)
	case "/v1/embeddings", "/api/embed":
		s.serveEmbed(w, r, body, ollama, fail)
	default:
		fail(w, http.StatusNotFound, "no route "+r.URL.Path)
	}
}

// admit checks the API key and the model.
func (s *Server) admit(w http.ResponseWriter, r *http.Request, model string, ollama bool, fail func(http.ResponseWriter, int, string)) bool {
	if s.opts.APIKey != "" && r.Header.Get("Authorization") != "Bearer "+s.opts.APIKey {
		fail(w, http.StatusUnauthorized, "invalid API key")
		return false
	}
	if s.opts.Model != "" && model != s.opts.Model {
		msg := fmt.Sprintf("The model `%s` does not exist.", model)
		if ollama {
			msg = fmt.Sprintf("model %q not found, try pulling it first", model)
		}
		fail(w, http.StatusNotFound, msg)
		return false
	}
	return true
}

func (s *Server) serveChat(w http.ResponseWriter, r *http.Request, body []byte, ollama bool, fail func(http.ResponseWriter, int, string)) {
	req, err := decodeChat(body, ollama)
	if err != nil {
		fail(w, http.StatusBadRequest, "bad request body: "+err.Error())
		return
	}
	req.Path, req.Header, req.Body, req.Time = r.URL.Path, r.Header.Clone(), body, time.Now()
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	s.seq++
	id := fmt.Sprintf("chatcmpl-llmtest-%d", s.seq)
	decide := s.chat
	s.mu.Unlock()
	if !s.admit(w, r, req.Model, ollama, fail) {
		return
	}
	resp := decide(req)
	if !s.wait(r, resp.Delay) {
		return
	}
	if resp.RetryAfter != "" {
		w.Header().Set("Retry-After", resp.RetryAfter)
	}
	if resp.Status != 0 && resp.Status != http.StatusOK {
		msg := resp.Error
		if msg == "" {
			msg = http.StatusText(resp.Status)
		}
		fail(w, resp.Status, msg)
		return
	}
	a := answer{s: s, w: w, r: r, req: req, resp: resp, id: id}
	switch {
	case ollama:
		a.ollama()
	case req.Stream:
		a.openaiStream()
	default:
		a.openaiPlain()
	}
}

// decodeChat reads a chat request in either protocol.
func decodeChat(body []byte, ollama bool) (ChatRequest, error) {
	req := ChatRequest{Provider: "openai"}
	if ollama {
		var in struct {
			Model    string `json:"model"`
			Messages []struct {
				Role    string `json:"role"`
				Content string `json:"content"`
			} `json:"messages"`
			Stream  *bool           `json:"stream"`
			Format  json.RawMessage `json:"format"`
			Options struct {
				NumPredict  *int     `json:"num_predict"`
				Temperature *float64 `json:"temperature"`
			} `json:"options"`
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return req, err
		}
		req.Provider, req.Model = "ollama", in.Model
		for _, m := range in.Messages {
			req.Messages = append(req.Messages, Message{m.Role, m.Content})
		}
		req.Stream = in.Stream == nil || *in.Stream
		var format string
		switch {
		case json.Unmarshal(in.Format, &format) == nil:
			req.JSON = format == "json"
		case len(in.Format) > 0 && in.Format[0] == '{':
			req.JSON = true
		}
		if in.Options.NumPredict != nil {
			req.MaxTokens, req.MaxTokensField = *in.Options.NumPredict, "num_predict"
		}
		req.Temperature = in.Options.Temperature
		return req, nil
	}
	var in struct {
		Model    string `json:"model"`
		Messages []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
		Stream         bool `json:"stream"`
		ResponseFormat *struct {
			Type string `json:"type"`
		} `json:"response_format"`
		MaxTokens           *int     `json:"max_tokens"`
		MaxCompletionTokens *int     `json:"max_completion_tokens"`
		Temperature         *float64 `json:"temperature"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return req, err
	}
	req.Model, req.Stream, req.Temperature = in.Model, in.Stream, in.Temperature
	for _, m := range in.Messages {
		// content is a string, or an array of parts of which the text
		// parts are kept.
		var text string
		if json.Unmarshal(m.Content, &text) != nil {
			var parts []struct {
				Type string `json:"type"`
				Text string `json:"text"`
			}
			if err := json.Unmarshal(m.Content, &parts); err != nil {
				return req, fmt.Errorf("message content: %w", err)
			}
			for _, p := range parts {
				if p.Type == "text" {
					text += p.Text
				}
			}
		}
		req.Messages = append(req.Messages, Message{m.Role, text})
	}
	if f := in.ResponseFormat; f != nil {
		req.JSON = f.Type == "json_object" || f.Type == "json_schema"
	}
	switch {
	case in.MaxCompletionTokens != nil && in.MaxTokens != nil:
		return req, fmt.Errorf("max_tokens and max_completion_tokens are mutually exclusive")
	case in.MaxCompletionTokens != nil:
		req.MaxTokens, req.MaxTokensField = *in.MaxCompletionTokens, "max_completion_tokens"
	case in.MaxTokens != nil:
		req.MaxTokens, req.MaxTokensField = *in.MaxTokens, "max_tokens"
	}
	return req, nil
}

// wait sleeps d unless the client goes away or the server closes first; it
// reports whether to go on.
func (s *Server) wait(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-s.quit:
	}
	return false
}

// answer writes one successful chat answer.
type answer struct {
	s    *Server
	w    http.ResponseWriter
	r    *http.Request
	req  ChatRequest
	resp ChatResponse
	id   string
}

// deltas splits the text into pieces of DeltaRunes runes.
func (a *answer) deltas() []string {
	var out []string
	text := a.resp.Text
	for text != "" {
		end, n := 0, 0
		for end < len(text) && n < a.s.opts.DeltaRunes {
			_, size := utf8.DecodeRuneInString(text[end:])
			end += size
			n++
		}
		out = append(out, text[:end])
		text = text[end:]
	}
	return out
}

func (a *answer) flush() { http.NewResponseController(a.w).Flush() }

// cut drops the connection: the client sees the body end without its
// proper termination.
func (a *answer) cut() {
	a.flush()
	panic(http.ErrAbortHandler)
}

// plain writes a whole JSON body, honouring Malformed and a cut.
func (a *answer) plain(v any) {
	b, _ := json.Marshal(v)
	if a.resp.Malformed {
		// Valid up to the last byte, then a stray comma: not JSON.
		b = append(b[:len(b)-1], ",,}"...)
	}
	a.w.Header().Set("Content-Type", "application/json")
	if a.resp.CutStreamAfter != 0 {
		a.w.Header().Set("Content-Length", fmt.Sprint(len(b)))
		a.w.WriteHeader(http.StatusOK)
		a.w.Write(b[:len(b)/2])
		a.cut()
	}
	a.w.Write(b)
}

func (a *answer) openaiPlain() {
	a.plain(map[string]any{
		"id": a.id, "object": "chat.completion", "created": time.Now().Unix(), "model": a.req.Model,
		"choices": []any{map[string]any{
			"index":         0,
			"message":       map[string]any{"role": "assistant", "content": a.resp.Text},
			"finish_reason": "stop",
		}},
		"usage": usage(a.req, a.resp.Text),
	})
}

func usage(req ChatRequest, text string) map[string]int {
	in := 0
	for _, m := range req.Messages {
		in += utf8.RuneCountInString(m.Content)
	}
	out := utf8.RuneCountInString(text)
	return map[string]int{"prompt_tokens": in, "completion_tokens": out, "total_tokens": in + out}
}

// openaiStream writes server-sent events the way OpenAI and vLLM do: a
// first chunk with the role, one chunk per delta, a chunk with the finish
// reason, a usage chunk if asked for, then data: [DONE].
func (a *answer) openaiStream() {
	h := a.w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	a.w.WriteHeader(http.StatusOK)
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{
			"id": a.id, "object": "chat.completion.chunk", "created": time.Now().Unix(), "model": a.req.Model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}},
		}
	}
	event := func(v any) {
		b, _ := json.Marshal(v)
		if a.resp.Malformed {
			b = b[:len(b)-1] // an object never closed
		}
		fmt.Fprintf(a.w, "data: %s\n\n", b)
		a.flush()
	}
	if a.resp.CutStreamAfter < 0 {
		a.cut()
	}
	event(chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	for i, d := range a.deltas() {
		if a.resp.CutStreamAfter > 0 && i == a.resp.CutStreamAfter {
			a.cut()
		}
		if !a.s.wait(a.r, a.resp.DeltaDelay) {
			return
		}
		event(chunk(map[string]any{"content": d}, nil))
	}
	if a.resp.StreamError != "" {
		b, _ := json.Marshal(map[string]any{"object": "error", "error": map[string]any{"message": a.resp.StreamError, "type": "InternalServerError", "code": 500}})
		fmt.Fprintf(a.w, "data: %s\n\n", b)
		a.flush()
		return
	}
	event(chunk(map[string]any{}, "stop"))
	var in struct {
		StreamOptions struct {
			IncludeUsage bool `json:"include_usage"`
		} `json:"stream_options"`
	}
	if json.Unmarshal(a.req.Body, &in) == nil && in.StreamOptions.IncludeUsage {
		event(map[string]any{
			"id": a.id, "object": "chat.completion.chunk", "created": time.Now().Unix(), "model": a.req.Model,
			"choices": []any{}, "usage": usage(a.req, a.resp.Text),
		})
	}
	if !a.resp.OmitDone {
		fmt.Fprint(a.w, "data: [DONE]\n\n")
	}
}

// ollama answers /api/chat: one object with "stream": false, else one JSON
// line per delta and a last line with "done": true and the counts.
func (a *answer) ollama() {
	created := time.Now().UTC().Format(time.RFC3339Nano)
	final := map[string]any{
		"model": a.req.Model, "created_at": created,
		"message": map[string]any{"role": "assistant", "content": ""},
		"done":    true, "done_reason": "stop",
		"total_duration": 1000000, "prompt_eval_count": usage(a.req, "")["prompt_tokens"],
		"eval_count": utf8.RuneCountInString(a.resp.Text),
	}
	if !a.req.Stream {
		final["message"] = map[string]any{"role": "assistant", "content": a.resp.Text}
		a.plain(final)
		return
	}
	a.w.Header().Set("Content-Type", "application/x-ndjson")
	a.w.WriteHeader(http.StatusOK)
	line := func(v any) {
		b, _ := json.Marshal(v)
		if a.resp.Malformed {
			b = b[:len(b)-1]
		}
		a.w.Write(append(b, '\n'))
		a.flush()
	}
	if a.resp.CutStreamAfter < 0 {
		a.cut()
	}
	for i, d := range a.deltas() {
		if a.resp.CutStreamAfter > 0 && i == a.resp.CutStreamAfter {
			a.cut()
		}
		if !a.s.wait(a.r, a.resp.DeltaDelay) {
			return
		}
		line(map[string]any{
			"model": a.req.Model, "created_at": created,
			"message": map[string]any{"role": "assistant", "content": d}, "done": false,
		})
	}
	if a.resp.StreamError != "" {
		b, _ := json.Marshal(map[string]string{"error": a.resp.StreamError})
		a.w.Write(append(b, '\n'))
		return
	}
	if !a.resp.OmitDone {
		line(final)
	}
}

func (s *Server) serveEmbed(w http.ResponseWriter, r *http.Request, body []byte, ollama bool, fail func(http.ResponseWriter, int, string)) {
	var in struct {
		Model      string          `json:"model"`
		Input      json.RawMessage `json:"input"`
		Dimensions int             `json:"dimensions"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		fail(w, http.StatusBadRequest, "bad request body: "+err.Error())
		return
	}
	var inputs []string
	var one string
	if json.Unmarshal(in.Input, &one) == nil {
		inputs = []string{one}
	} else if err := json.Unmarshal(in.Input, &inputs); err != nil {
		fail(w, http.StatusBadRequest, "input must be a string or a list of strings")
		return
	}
	req := EmbedRequest{Provider: "openai", Path: r.URL.Path, Model: in.Model, Input: inputs, Header: r.Header.Clone(), Time: time.Now()}
	if ollama {
		req.Provider = "ollama"
	}
	s.mu.Lock()
	s.embeds = append(s.embeds, req)
	s.mu.Unlock()
	if !s.admit(w, r, in.Model, ollama, fail) {
		return
	}
	dim := s.opts.EmbedDim
	if in.Dimensions > 0 && !ollama {
		dim = in.Dimensions
	}
	vecs := make([][]float32, len(inputs))
	for i, t := range inputs {
		vecs[i] = Vector(t, dim)
	}
	w.Header().Set("Content-Type", "application/json")
	if ollama {
		json.NewEncoder(w).Encode(map[string]any{"model": in.Model, "embeddings": vecs})
		return
	}
	data := make([]any, len(vecs))
	for i, v := range vecs {
		data[i] = map[string]any{"object": "embedding", "embedding": v, "index": i}
	}
	json.NewEncoder(w).Encode(map[string]any{
		"object": "list", "data": data, "model": in.Model,
		"usage": map[string]int{"prompt_tokens": len(inputs), "total_tokens": len(inputs)},
	})
}

// openaiError answers in OpenAI's error shape.
func openaiError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"message": msg, "type": "invalid_request_error", "code": status}})
}

// ollamaError answers in Ollama's error shape.
func ollamaError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": msg})
}
