package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/tmc/langchaingo/llms"
	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"

	"github.com/daoyi-health/daoyi"
)

// Defaults applied by NewChat to zero fields (the timeout is DefaultTimeout).
const (
	DefaultChatMaxTokens  = 512
	DefaultChatMaxRetries = 2
)

// The user-safe messages of chat failures; the details (server, model,
// status) are in the wrapped error, for logs.
const (
	chatUnavailable = "the chat model is unavailable"
	chatTimeout     = "the chat model did not answer in time"
)

// maxTemperature is the top of the range OpenAI accepts.
const maxTemperature = 2

// ChatConfig selects and tunes a chat model endpoint. Zero fields take the
// defaults.
type ChatConfig struct {
	// Provider is "openai" (any OpenAI-compatible /v1/chat/completions
	// server: Qwen on DashScope, DeepSeek, vLLM, Xinference, ...) or
	// "ollama".
	Provider string
	// BaseURL is the server's base: http://vllm:8000/v1 for openai (the
	// client appends /chat/completions), http://ollama:11434 for ollama.
	BaseURL string
	// Model is the chat model's name on the server.
	Model string
	// APIKey is sent as "Authorization: Bearer <key>". Optional: a dummy is
	// sent to keyless OpenAI-compatible servers, and nothing to Ollama. It
	// never appears in an error.
	APIKey string
	// Temperature is the sampling temperature, 0 to 2 (default 0: the most
	// likely answer, the same for the same question).
	Temperature float64
	// MaxTokens bounds the answer's length in tokens (default 512).
	MaxTokens int
	// LegacyMaxTokens sends the limit as max_tokens instead of
	// max_completion_tokens, for older vLLM and other servers that know
	// only the old field. openai only.
	LegacyMaxTokens bool
	// MaxRetries is how often a request is retried on connection errors,
	// HTTP 429 and 5xx, and when an answer breaks off before any of it was
	// delivered (default 2; negative: never). A stream that has handed a
	// delta to the caller is never retried: the caller may have shown it.
	// Other 4xx and timeouts are not retried.
	MaxRetries int
	// Timeout bounds each attempt, the whole answer included, streamed or
	// not (default 30s). The caller's context bounds the whole call.
	Timeout time.Duration
	// HTTPClient, if set, is used with its transport wrapped for retries.
	HTTPClient *http.Client
}

// ChatMessage is one message of a conversation.
type ChatMessage struct {
	Role    string // "system", "user" or "assistant"
	Content string
}

// ChatRequest is one question to the chat model.
type ChatRequest struct {
	Messages []ChatMessage
	// JSON asks for a JSON object (OpenAI's response_format json_object,
	// Ollama's format json). The answer is then checked to be one.
	JSON bool
	// MaxTokens overrides the config's limit when positive.
	MaxTokens int
	// Temperature overrides the config's when not nil.
	Temperature *float64
}

// Chat asks a chat model served over HTTP. It is safe for concurrent use.
//
// Every failure is a *daoyi.Error: Invalid for a request that cannot be
// sent, Timeout when the caller's deadline or an attempt's timeout ran
// out, Unavailable for everything the server did wrong (an error status, an
// answer that breaks off, cannot be read, is empty, or is not the JSON
// asked for). A cancelled context gives its error. No error ever carries
// the API key, the messages or the answer.
type Chat struct {
	cfg   ChatConfig
	where string // the server, for errors: "the openai chat server at ... (model ...)"
	model llms.Model
	mode  watchMode // how an answer's end is recognised in its body
	base  http.RoundTripper
	auth  string // bearer token the transport adds (ollama)

	// Retry timing (see retryTransport); tests shorten it.
	backoff, maxWait time.Duration
}

// NewChat checks cfg, applies the defaults and returns a client. It sends
// nothing.
func NewChat(cfg ChatConfig) (*Chat, error) {
	const op = daoyi.Op("llm.NewChat")
	invalid := func(format string, args ...any) error {
		return daoyi.E(op, daoyi.Invalid, fmt.Sprintf(format, args...))
	}
	var err error
	if cfg.Provider, cfg.BaseURL, cfg.Model, err = checkEndpoint(op, "chat", cfg.Provider, cfg.BaseURL, cfg.Model); err != nil {
		return nil, err
	}
	if cfg.MaxTokens < 0 || cfg.Timeout < 0 {
		return nil, invalid("chat MaxTokens and Timeout must not be negative")
	}
	if !validTemperature(cfg.Temperature) {
		return nil, invalid("the chat temperature %v is not between 0 and %d", cfg.Temperature, maxTemperature)
	}
	if cfg.LegacyMaxTokens && cfg.Provider != ProviderOpenAI {
		return nil, invalid("chat LegacyMaxTokens is only supported by the %s provider", ProviderOpenAI)
	}
	if cfg.MaxTokens == 0 {
		cfg.MaxTokens = DefaultChatMaxTokens
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultChatMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}

	c := &Chat{
		cfg:     cfg,
		where:   fmt.Sprintf("the %s chat server at %s (model %s)", cfg.Provider, redactURL(cfg.BaseURL), cfg.Model),
		backoff: defaultBackoff,
		maxWait: defaultMaxWait,
	}
	client := &http.Client{}
	if cfg.HTTPClient != nil {
		*client = *cfg.HTTPClient
	}
	c.base = client.Transport
	if c.base == nil {
		c.base = http.DefaultTransport
	}
	// Each call brings its own retry transport (its retry budget is the
	// call's) and body watch in its context; see callTransport.
	client.Transport = callTransport{}

	switch cfg.Provider {
	case ProviderOpenAI:
		key := cfg.APIKey
		if key == "" {
			key = noKey
		}
		m, err := openai.New(
			openai.WithBaseURL(cfg.BaseURL),
			openai.WithToken(key),
			openai.WithModel(cfg.Model),
			openai.WithOrganization(""), // not OPENAI_ORGANIZATION: nothing is read from the environment
			openai.WithHTTPClient(client),
		)
		if err != nil {
			return nil, daoyi.E(op, daoyi.Invalid, "cannot configure the openai chat client", errors.New(redact(err.Error(), cfg.APIKey)))
		}
		c.model, c.mode = m, watchNone
	case ProviderOllama:
		// langchaingo leaves out "stream": false, so Ollama streams NDJSON
		// even for a plain answer.
		m, err := ollama.New(ollama.WithServerURL(cfg.BaseURL), ollama.WithModel(cfg.Model), ollama.WithHTTPClient(client))
		if err != nil {
			return nil, daoyi.E(op, daoyi.Invalid, "cannot configure the ollama chat client", errors.New(redact(err.Error(), cfg.APIKey)))
		}
		c.model, c.mode, c.auth = m, watchNDJSON, cfg.APIKey
	}
	return c, nil
}

func validTemperature(t float64) bool { return t >= 0 && t <= maxTemperature } // false for NaN

// Name identifies the model: "<provider>:<model>".
func (c *Chat) Name() string { return c.cfg.Provider + ":" + c.cfg.Model }

// Complete returns the model's whole answer, trimmed of surrounding white
// space. With req.JSON, the answer is a JSON object (a Markdown code fence
// around it is removed).
func (c *Chat) Complete(ctx context.Context, req ChatRequest) (string, error) {
	return c.do(ctx, daoyi.Op("llm.Complete"), req, nil, false)
}

// Stream delivers the answer as it is generated: onDelta is called with
// each new piece of text, in order, from the calling goroutine. onDelta
// returning an error stops the stream, and Stream returns that error as is.
// Stream returns the whole text, as Complete does; an answer that breaks
// off is an error, never a shorter answer. onDelta may be nil; an answer
// that breaks off is then retried as Complete's is, nothing having been
// delivered.
func (c *Chat) Stream(ctx context.Context, req ChatRequest, onDelta func(string) error) (string, error) {
	return c.do(ctx, daoyi.Op("llm.Stream"), req, onDelta, true)
}

// do runs one call: attempts (the transport retries failed requests; do
// retries answers that broke off before any delta was delivered) within
// one budget of MaxRetries.
func (c *Chat) do(ctx context.Context, op daoyi.Op, req ChatRequest, onDelta func(string) error, stream bool) (string, error) {
	msgs, opts, err := c.prepare(op, req)
	if err != nil {
		return "", err
	}
	if ctx.Err() != nil {
		return "", ctxError(op, ctx)
	}
	mode := c.mode
	var (
		delivered int             // deltas handed to onDelta
		got       strings.Builder // the text streamed so far
		deltaErr  error           // what onDelta returned
	)
	if stream {
		if mode == watchNone {
			mode = watchSSE
		}
		opts = append(opts, llms.WithStreamingFunc(func(_ context.Context, chunk []byte) error {
			if len(chunk) == 0 { // role-only and finishing chunks
				return nil
			}
			s := string(chunk)
			got.WriteString(s)
			if onDelta != nil {
				delivered++
				if err := onDelta(s); err != nil {
					deltaErr = err
					return err
				}
			}
			return nil
		}))
	}
	secrets := make([]string, 0, len(req.Messages)+2)
	secrets = append(secrets, c.cfg.APIKey)
	for _, m := range req.Messages {
		secrets = append(secrets, m.Content)
	}

	rec := &outcome{}
	for {
		rt := &retryTransport{
			base:       c.base,
			maxRetries: max(c.cfg.MaxRetries-rec.attempts, 0),
			timeout:    c.cfg.Timeout,
			backoff:    c.backoff,
			maxWait:    c.maxWait,
			auth:       c.auth,
		}
		w := &watch{mode: mode}
		cctx := context.WithValue(withOutcome(ctx, rec), callKey{}, &callState{rt: rt, watch: w})
		resp, err := c.model.GenerateContent(cctx, msgs, opts...)
		if deltaErr != nil {
			// Returned at once: the stream's reader may still be
			// winding down, and rec and w are its to write.
			return "", deltaErr
		}
		if ctx.Err() != nil {
			return "", ctxError(op, ctx)
		}
		seen := w.snapshot()
		secrets := append(secrets, got.String())
		var detail string
		switch {
		case rec.timedOut:
			return "", daoyi.E(op, daoyi.Timeout, chatTimeout, fmt.Errorf("%s did not answer within %s", c.where, c.cfg.Timeout))
		case rec.status != http.StatusOK: // refused, or never reached (the transport retried)
			return "", daoyi.E(op, daoyi.Unavailable, chatUnavailable, c.failure(rec, err, secrets))
		case seen.serverErr != "":
			detail = fmt.Sprintf("%s reported an error in the middle of its answer: %s", c.where, scrub(seen.serverErr, secrets))
		case seen.malformed:
			detail = fmt.Sprintf("%s sent an answer that could not be read", c.where)
		case seen.cut(err):
			if delivered == 0 && rec.attempts <= c.cfg.MaxRetries {
				if !sleep(ctx, rt.delay(rec.attempts-1, "")) {
					return "", ctxError(op, ctx)
				}
				got.Reset()
				continue
			}
			detail = fmt.Sprintf("%s broke off its answer (%s, %s)", c.where, plural(delivered, "delta")+" delivered", plural(rec.attempts, "attempt"))
		case err != nil:
			detail = fmt.Sprintf("%s sent an answer that could not be read: %s", c.where, scrub(err.Error(), secrets))
		}
		if detail != "" {
			return "", daoyi.E(op, daoyi.Unavailable, chatUnavailable, errors.New(redact(detail)))
		}
		var text string
		if resp != nil && len(resp.Choices) > 0 && resp.Choices[0] != nil {
			text = strings.TrimSpace(resp.Choices[0].Content)
		}
		if text == "" {
			return "", daoyi.E(op, daoyi.Unavailable, chatUnavailable, fmt.Errorf("%s sent an empty answer", c.where))
		}
		if req.JSON {
			obj, ok := jsonObject(text)
			if !ok {
				return "", daoyi.E(op, daoyi.Unavailable, chatUnavailable, fmt.Errorf("%s answered with %s that are not a JSON object", c.where, plural(utf8.RuneCountInString(text), "character")))
			}
			text = obj
		}
		return text, nil
	}
}

// prepare checks a request and turns it into langchaingo's terms.
func (c *Chat) prepare(op daoyi.Op, req ChatRequest) ([]llms.MessageContent, []llms.CallOption, error) {
	if len(req.Messages) == 0 {
		return nil, nil, daoyi.E(op, daoyi.Invalid, "a chat request needs at least one message")
	}
	msgs := make([]llms.MessageContent, len(req.Messages))
	for i, m := range req.Messages {
		var role llms.ChatMessageType
		switch m.Role {
		case "system":
			role = llms.ChatMessageTypeSystem
		case "user":
			role = llms.ChatMessageTypeHuman
		case "assistant":
			role = llms.ChatMessageTypeAI
		default:
			return nil, nil, daoyi.E(op, daoyi.Invalid, fmt.Sprintf("chat message %d has the unknown role %q (want system, user or assistant)", i+1, m.Role))
		}
		msgs[i] = llms.TextParts(role, m.Content)
	}
	if req.MaxTokens < 0 {
		return nil, nil, daoyi.E(op, daoyi.Invalid, "a chat request's MaxTokens must not be negative")
	}
	maxTokens := c.cfg.MaxTokens
	if req.MaxTokens > 0 {
		maxTokens = req.MaxTokens
	}
	temp := c.cfg.Temperature
	if req.Temperature != nil {
		if !validTemperature(*req.Temperature) {
			return nil, nil, daoyi.E(op, daoyi.Invalid, fmt.Sprintf("the chat temperature %v is not between 0 and %d", *req.Temperature, maxTemperature))
		}
		temp = *req.Temperature
	}
	opts := []llms.CallOption{llms.WithMaxTokens(maxTokens), llms.WithTemperature(temp)}
	if req.JSON {
		opts = append(opts, llms.WithJSONMode())
	}
	if c.cfg.LegacyMaxTokens {
		opts = append(opts, openai.WithLegacyMaxTokensField())
	}
	return msgs, opts, nil
}

// failure describes a request the server refused or that never reached it,
// from what the transport saw.
func (c *Chat) failure(rec *outcome, err error, secrets []string) error {
	attempts := plural(rec.attempts, "attempt")
	var msg string
	switch {
	case rec.status != 0:
		msg = fmt.Sprintf("%s answered HTTP %d after %s", c.where, rec.status, attempts)
		if rec.message != "" {
			msg += ": " + scrub(rec.message, secrets)
		}
	case rec.err != nil:
		msg = fmt.Sprintf("%s could not be reached after %s: %s", c.where, attempts, scrub(rec.err.Error(), secrets))
	case err != nil:
		msg = fmt.Sprintf("%s: the request could not be sent: %s", c.where, scrub(err.Error(), secrets))
	default:
		msg = fmt.Sprintf("%s: the request could not be sent", c.where)
	}
	return errors.New(redact(msg))
}

// sleep waits d or until ctx ends; it reports whether it waited d.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// jsonObject returns text as a JSON object, without a Markdown code fence
// some models put around it; ok is false if it is not one.
func jsonObject(text string) (string, bool) {
	if strings.HasPrefix(text, "```") && strings.HasSuffix(text, "```") && len(text) >= 6 {
		inner := text[3 : len(text)-3]
		if nl := strings.IndexByte(inner, '\n'); nl >= 0 && !strings.Contains(inner[:nl], "{") {
			inner = inner[nl+1:] // the fence's language tag
		}
		text = strings.TrimSpace(inner)
	}
	var v map[string]json.RawMessage
	if !strings.HasPrefix(text, "{") || json.Unmarshal([]byte(text), &v) != nil {
		return "", false
	}
	return text, true
}

// scrubWindow is the length in bytes of the shortest run a server's message
// may share with a secret (the key, a message, the answer so far) before it
// is blotted out: servers echo parts of what they were sent. Three Chinese
// characters are nine bytes.
const scrubWindow = 8

// maxScrubSecrets bounds the secret bytes indexed for scrubbing; past it, a
// server's message is left out rather than checked.
const maxScrubSecrets = 4 << 20

// scrub blots out of a server's message s every run of scrubWindow or more
// bytes that also occurs in one of the secrets, and every secret whole.
func scrub(s string, secrets []string) string {
	total := 0
	for _, x := range secrets {
		total += len(x)
	}
	if total > maxScrubSecrets {
		return "[message withheld]"
	}
	grams := make(map[string]struct{})
	for _, x := range secrets {
		for i := 0; i+scrubWindow <= len(x); i++ {
			grams[x[i:i+scrubWindow]] = struct{}{}
		}
	}
	hide := make([]bool, len(s))
	for i := 0; i+scrubWindow <= len(s); i++ {
		if _, ok := grams[s[i:i+scrubWindow]]; ok {
			for j := i; j < i+scrubWindow; j++ {
				hide[j] = true
			}
		}
	}
	for _, x := range secrets { // shorter secrets, whole
		if x == "" || len(x) >= scrubWindow {
			continue
		}
		for from := 0; ; {
			k := strings.Index(s[from:], x)
			if k < 0 {
				break
			}
			for j := from + k; j < from+k+len(x); j++ {
				hide[j] = true
			}
			from += k + len(x)
		}
	}
	// Widen each hidden run to whole characters.
	for i := range hide {
		if !hide[i] {
			continue
		}
		for j := i; j > 0 && !utf8.RuneStart(s[j]); j-- {
			hide[j-1] = true
		}
		for j := i + 1; j < len(s) && !utf8.RuneStart(s[j]); j++ {
			hide[j] = true
		}
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case !hide[i]:
			b.WriteByte(s[i])
		case i == 0 || !hide[i-1]:
			b.WriteString("[redacted]")
		}
	}
	return b.String()
}

// callKey keys a call's state in a request's context.
type callKey struct{}

// callState is one attempt's: the retry transport with the call's remaining
// retries, and the watch on the answer's body.
type callState struct {
	rt    *retryTransport
	watch *watch
}

// callTransport sends a request through the retry transport of the call it
// belongs to, and watches the body of a successful answer.
type callTransport struct{}

func (callTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	st, _ := req.Context().Value(callKey{}).(*callState)
	if st == nil {
		return nil, errors.New("llm: a chat request sent outside a call")
	}
	resp, err := st.rt.RoundTrip(req)
	if err == nil && resp.StatusCode == http.StatusOK {
		resp.Body = &watchBody{ReadCloser: resp.Body, w: st.watch}
	}
	return resp, err
}

// watchMode says how the end of an answer shows in its body.
type watchMode uint8

const (
	watchNone   watchMode = iota // a plain JSON body: its decoding shows it whole
	watchSSE                     // server-sent events ending with data: [DONE]
	watchNDJSON                  // JSON lines, the last with "done": true (Ollama)
)

// maxWatchLine bounds the line a watch keeps; a longer one is malformed.
const maxWatchLine = 1 << 20

// watch follows an answer's body as the client reads it, to tell what
// langchaingo does not: whether the answer ended properly or broke off,
// whether a chunk was not JSON (its OpenAI stream reader skips those), and
// whether the server sent an error event in the middle of a stream.
type watch struct {
	mode watchMode

	mu        sync.Mutex
	line      []byte
	overlong  bool
	readErr   error  // the first read error other than EOF
	ended     bool   // the end marker was read
	malformed bool   // a chunk was not JSON
	serverErr string // an error event's message
}

// watchSeen is a snapshot of a watch.
type watchSeen struct {
	mode      watchMode
	readErr   error
	ended     bool
	malformed bool
	serverErr string
}

// cut reports whether the answer broke off, given langchaingo's error.
func (s watchSeen) cut(err error) bool {
	if s.mode == watchNone {
		return s.readErr != nil
	}
	return !s.ended && (s.readErr != nil || err == nil)
}

func (w *watch) snapshot() watchSeen {
	w.mu.Lock()
	defer w.mu.Unlock()
	return watchSeen{w.mode, w.readErr, w.ended, w.malformed, w.serverErr}
}

func (w *watch) observe(p []byte, err error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.mode != watchNone && !w.ended {
		for len(p) > 0 {
			i := bytes.IndexByte(p, '\n')
			if i < 0 {
				w.keep(p)
				break
			}
			w.keep(p[:i])
			w.check()
			p = p[i+1:]
		}
		if errors.Is(err, io.EOF) && len(w.line) > 0 { // a last line without a newline
			w.check()
		}
	}
	if err != nil && !errors.Is(err, io.EOF) && w.readErr == nil {
		w.readErr = err
	}
}

func (w *watch) keep(p []byte) {
	if len(w.line)+len(p) > maxWatchLine {
		w.overlong = true
		return
	}
	w.line = append(w.line, p...)
}

// check looks at one whole line.
func (w *watch) check() {
	line := bytes.TrimSpace(w.line)
	overlong := w.overlong
	w.line, w.overlong = w.line[:0], false
	if overlong {
		w.malformed = true
		return
	}
	if len(line) == 0 || w.ended {
		return
	}
	var v struct { // (Ollama's "message" is an object, OpenAI's "object" a string)
		Error  json.RawMessage `json:"error"`
		Object json.RawMessage `json:"object"`
		Done   json.RawMessage `json:"done"`
	}
	switch w.mode {
	case watchSSE:
		data, ok := bytes.CutPrefix(line, []byte("data:"))
		if !ok { // comments, event:, id:, retry:
			return
		}
		data = bytes.TrimSpace(data)
		if string(data) == "[DONE]" {
			w.ended = true
			return
		}
		if json.Unmarshal(data, &v) != nil {
			w.malformed = true
			return
		}
		if (len(v.Error) > 0 && string(v.Error) != "null") || string(v.Object) == `"error"` {
			w.serverErr = errorEvent(data)
		}
	case watchNDJSON:
		if json.Unmarshal(line, &v) != nil {
			w.malformed = true
			return
		}
		if len(v.Error) > 0 && string(v.Error) != "null" {
			w.serverErr = errorEvent(line)
			return
		}
		w.ended = string(v.Done) == "true"
	}
}

// errorEvent is the message of an error event, never empty.
func errorEvent(b []byte) string {
	if m := serverMessage(b); m != "" && m != string(bytes.TrimSpace(b)) {
		return m
	}
	return "an error without a message"
}

// watchBody is a successful answer's body, watched as it is read.
type watchBody struct {
	io.ReadCloser
	w *watch
}

func (b *watchBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.w.observe(p[:n], err)
	return n, err
}
