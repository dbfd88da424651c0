// Package llm connects daoyi to model servers through langchaingo. It is the
// only package that imports langchaingo: other packages declare the small
// interfaces they need (knowledge.Embedder) and llm satisfies them.
//
// The package logs nothing: the texts it carries are patients' words.
package llm

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/tmc/langchaingo/llms/ollama"
	"github.com/tmc/langchaingo/llms/openai"
	"golang.org/x/sync/errgroup"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/internal/lru"
	"github.com/daoyi-health/daoyi/knowledge"
)

var _ knowledge.Embedder = (*Embedder)(nil)

// The providers an EmbedConfig may name.
const (
	ProviderOpenAI = "openai" // any server speaking OpenAI's POST /v1/embeddings
	ProviderOllama = "ollama" // Ollama's POST /api/embed
)

// Defaults applied by NewEmbedder to zero fields.
const (
	DefaultBatchSize   = 32
	DefaultConcurrency = 4
	DefaultMaxRetries  = 3
	DefaultTimeout     = 30 * time.Second
	DefaultCacheSize   = 10000
)

// noKey is sent as the bearer token to servers that need none: langchaingo's
// OpenAI client refuses to start without a token.
const noKey = "daoyi-no-key"

// probeText is what Probe embeds to learn the dimension.
const probeText = "probe"

// unavailable is the user-safe message of every failure to embed; the
// details (server, model, status) are in the wrapped error, for logs.
const unavailable = "the embedding model is unavailable"

// EmbedConfig selects and tunes an embedding model endpoint. Zero fields
// take the defaults above.
type EmbedConfig struct {
	// Provider is "openai" (any OpenAI-compatible /v1/embeddings server:
	// vLLM, Xinference, DashScope, DeepSeek-compatible, ...) or "ollama".
	Provider string
	// BaseURL is the server's base: http://vllm:8000/v1 for openai (the
	// client appends /embeddings), http://ollama:11434 for ollama.
	BaseURL string
	// Model is the embedding model's name on the server, e.g. bge-m3.
	Model string
	// APIKey is sent as "Authorization: Bearer <key>". Optional: a dummy
	// is sent to keyless OpenAI-compatible servers, and nothing to Ollama.
	// It never appears in an error.
	APIKey string
	// Dimensions asks an OpenAI-style server for vectors of this length
	// (the text-embedding-3 `dimensions` field). When set, it is also the
	// expected dimension: a server that ignores the field fails validation.
	// openai only.
	Dimensions int
	// BatchSize is the number of texts per request for openai (default 32).
	// Ollama's client sends one text per request, so it is 1 there.
	BatchSize int
	// Concurrency is the number of requests in flight at once for one Embed
	// call (default 4).
	Concurrency int
	// MaxRetries is how often a request is retried on connection errors,
	// HTTP 429 and 5xx (default 3; negative: never). Other 4xx and timeouts
	// are not retried.
	MaxRetries int
	// Timeout bounds each HTTP request, each retry on its own (default 30s).
	Timeout time.Duration
	// CacheSize is the number of vectors remembered, by sha256 of the model
	// and the text (default 10000; negative: no cache).
	CacheSize int
	// HTTPClient, if set, is used with its transport wrapped for retries.
	HTTPClient *http.Client
}

// Embedder embeds texts with a model served over HTTP. It implements
// knowledge.Embedder and is safe for concurrent use.
//
// Every vector it returns is checked (count, dimension, finite, not zero)
// and normalised to unit length. The dimension is learned from the server:
// call Probe at start, before Name or Dim are relied on.
type Embedder struct {
	cfg   EmbedConfig
	where string // the server, for errors: "the openai embedding server at ... (model ...)"
	batch int    // texts per request
	send  func(ctx context.Context, texts []string) ([][]float32, error)
	rt    *retryTransport
	cache *lru.Cache[cacheKey, []float32] // nil: disabled
	dim   atomic.Int64
}

// NewEmbedder checks cfg, applies the defaults and returns an embedder. It
// sends nothing: call Probe to check the server and learn the dimension.
func NewEmbedder(cfg EmbedConfig) (*Embedder, error) {
	const op = daoyi.Op("llm.NewEmbedder")
	invalid := func(format string, args ...any) error {
		return daoyi.E(op, daoyi.Invalid, fmt.Sprintf(format, args...))
	}
	var err error
	if cfg.Provider, cfg.BaseURL, cfg.Model, err = checkEndpoint(op, "embedding", cfg.Provider, cfg.BaseURL, cfg.Model); err != nil {
		return nil, err
	}
	if cfg.Dimensions < 0 || cfg.BatchSize < 0 || cfg.Concurrency < 0 || cfg.Timeout < 0 {
		return nil, invalid("embedding Dimensions, BatchSize, Concurrency and Timeout must not be negative")
	}
	if cfg.Dimensions > 0 && cfg.Provider != ProviderOpenAI {
		return nil, invalid("embedding Dimensions is only supported by the %s provider", ProviderOpenAI)
	}
	if cfg.BatchSize == 0 {
		cfg.BatchSize = DefaultBatchSize
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = DefaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = DefaultCacheSize
	}

	e := &Embedder{
		cfg:   cfg,
		where: fmt.Sprintf("the %s embedding server at %s (model %s)", cfg.Provider, redactURL(cfg.BaseURL), cfg.Model),
		batch: cfg.BatchSize,
	}
	if cfg.CacheSize > 0 {
		e.cache = lru.New[cacheKey, []float32](cfg.CacheSize)
	}
	e.dim.Store(int64(cfg.Dimensions))

	client := &http.Client{}
	if cfg.HTTPClient != nil {
		*client = *cfg.HTTPClient
	}
	e.rt = newRetryTransport(client.Transport, cfg.MaxRetries, cfg.Timeout)
	client.Transport = e.rt

	switch cfg.Provider {
	case ProviderOpenAI:
		key := cfg.APIKey
		if key == "" {
			key = noKey
		}
		opts := []openai.Option{
			openai.WithBaseURL(cfg.BaseURL),
			openai.WithToken(key),
			openai.WithModel(cfg.Model), // unused for embeddings; set so OPENAI_MODEL is not read
			openai.WithEmbeddingModel(cfg.Model),
			openai.WithOrganization(""), // not OPENAI_ORGANIZATION: nothing is read from the environment
			openai.WithHTTPClient(client),
		}
		if cfg.Dimensions > 0 {
			opts = append(opts, openai.WithEmbeddingDimensions(cfg.Dimensions))
		}
		c, err := openai.New(opts...)
		if err != nil {
			return nil, daoyi.E(op, daoyi.Invalid, "cannot configure the openai embedding client", errors.New(redact(err.Error(), cfg.APIKey)))
		}
		// langchaingo's client ignores the response's `index` field and
		// keeps the order of `data`, which servers send in input order.
		e.send = c.CreateEmbedding
	case ProviderOllama:
		e.batch = 1 // langchaingo sends Ollama one text per request
		e.rt.auth = cfg.APIKey
		c, err := ollama.New(ollama.WithServerURL(cfg.BaseURL), ollama.WithModel(cfg.Model), ollama.WithHTTPClient(client))
		if err != nil {
			return nil, daoyi.E(op, daoyi.Invalid, "cannot configure the ollama embedding client", errors.New(redact(err.Error(), cfg.APIKey)))
		}
		e.send = c.CreateEmbedding
	}
	return e, nil
}

// Name identifies the model and its dimension: "<provider>:<model>:<dim>".
// The dimension is 0 until Probe or the first Embed has learned it (or
// Dimensions was configured).
func (e *Embedder) Name() string {
	return fmt.Sprintf("%s:%s:%d", e.cfg.Provider, e.cfg.Model, e.Dim())
}

// Dim is the vectors' length, 0 until Probe or the first Embed has learned
// it (or Dimensions was configured).
func (e *Embedder) Dim() int { return int(e.dim.Load()) }

// Probe embeds one short text, bypassing the cache, to check that the server
// answers and to learn the dimension. Its errors have the kind Unavailable
// and name the server and the model.
func (e *Embedder) Probe(ctx context.Context) error {
	_, err := e.request(ctx, daoyi.Op("llm.Probe"), []string{probeText})
	return err
}

// Embed returns one unit-length vector per text, in order. Texts seen
// before are answered from the cache; the others are sent once each, in
// batches, with retries. Either every vector is returned or none: a failed
// request or an invalid answer (wrong count or dimension, NaN, all zeros)
// is an error of kind Unavailable. The returned slices are the caller's.
func (e *Embedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	const op = daoyi.Op("llm.Embed")
	if len(texts) == 0 {
		return nil, nil
	}
	out := make([][]float32, len(texts))
	keys := make([]cacheKey, len(texts))
	var miss []string          // distinct texts to send
	var missAt [][]int         // missAt[i]: the positions in texts of miss[i]
	seen := map[cacheKey]int{} // key -> index in miss
	for i, t := range texts {
		keys[i] = e.key(t)
		if v, ok := e.cache.Get(keys[i]); ok {
			out[i] = v
			continue
		}
		if j, ok := seen[keys[i]]; ok {
			missAt[j] = append(missAt[j], i)
			continue
		}
		seen[keys[i]] = len(miss)
		miss = append(miss, t)
		missAt = append(missAt, []int{i})
	}
	if len(miss) > 0 {
		got := make([][]float32, len(miss))
		g, gctx := errgroup.WithContext(ctx)
		g.SetLimit(e.cfg.Concurrency)
		for start := 0; start < len(miss); start += e.batch {
			end := min(start+e.batch, len(miss))
			g.Go(func() error {
				vs, err := e.request(gctx, op, miss[start:end])
				if err != nil {
					return err
				}
				for k, v := range vs {
					got[start+k] = v
					e.cache.Put(keys[missAt[start+k][0]], v)
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			if ctx.Err() != nil {
				return nil, ctxError(op, ctx)
			}
			return nil, err
		}
		for j, v := range got {
			for _, i := range missAt[j] {
				out[i] = v
			}
		}
	}
	// The cache keeps its own vectors and a text may repeat: every slice
	// returned is a fresh copy.
	for i, v := range out {
		out[i] = append([]float32(nil), v...)
	}
	return out, nil
}

// request sends one batch (with the transport's retries), checks the answer
// and normalises it.
func (e *Embedder) request(ctx context.Context, op daoyi.Op, texts []string) ([][]float32, error) {
	if ctx.Err() != nil {
		return nil, ctxError(op, ctx)
	}
	rec := &outcome{}
	vs, err := e.send(withOutcome(ctx, rec), texts)
	if errors.Is(err, ollama.ErrEmptyResponse) {
		vs, err = nil, nil
	}
	if err != nil && !errors.Is(err, openai.ErrUnexpectedResponseLength) && !errors.Is(err, ollama.ErrIncompleteEmbedding) {
		// (A wrong count is left to accept, which says it better.)
		if ctx.Err() != nil {
			return nil, ctxError(op, ctx)
		}
		return nil, daoyi.E(op, daoyi.Unavailable, unavailable, e.failure(rec, err, texts))
	}
	if err := e.accept(vs, len(texts)); err != nil {
		return nil, daoyi.E(op, daoyi.Unavailable, unavailable, err)
	}
	return vs, nil
}

// failure describes a failed request from what the transport saw, naming
// the server and never the API key or the texts.
func (e *Embedder) failure(rec *outcome, err error, texts []string) error {
	attempts := "1 attempt"
	if rec.attempts != 1 {
		attempts = fmt.Sprintf("%d attempts", rec.attempts)
	}
	var msg string
	switch {
	case rec.timedOut:
		msg = fmt.Sprintf("%s did not answer within %s", e.where, e.cfg.Timeout)
	case rec.status != 0 && rec.status != http.StatusOK:
		msg = fmt.Sprintf("%s answered HTTP %d after %s", e.where, rec.status, attempts)
		if rec.message != "" {
			msg += ": " + rec.message
		}
	case rec.err != nil:
		msg = fmt.Sprintf("%s could not be reached after %s: %v", e.where, attempts, rec.err)
	case rec.status == http.StatusOK:
		msg = fmt.Sprintf("%s sent an answer that could not be read: %v", e.where, err)
	default:
		msg = fmt.Sprintf("%s: the request could not be sent: %v", e.where, err)
	}
	secrets := []string{e.cfg.APIKey}
	for _, t := range texts {
		if len(t) >= minSecretText {
			secrets = append(secrets, t)
		}
	}
	return errors.New(redact(msg, secrets...))
}

// accept checks a server's answer to n texts and normalises it in place:
// n vectors of one length (the learned dimension, which the first good
// answer fixes), finite and not all zero.
func (e *Embedder) accept(vs [][]float32, n int) error {
	if n == 0 {
		return nil
	}
	if len(vs) != n {
		return fmt.Errorf("%s returned %s for %s", e.where, plural(len(vs), "vector"), plural(n, "text"))
	}
	d := len(vs[0])
	if d == 0 {
		return fmt.Errorf("%s returned an empty vector", e.where)
	}
	norms := make([]float64, n)
	for i, v := range vs {
		if len(v) != d {
			return fmt.Errorf("%s returned vectors of different lengths (%d and %d) in one answer", e.where, d, len(v))
		}
		var s float64
		for _, x := range v {
			f := float64(x)
			if math.IsNaN(f) || math.IsInf(f, 0) {
				return fmt.Errorf("%s returned a vector with NaN or infinite values", e.where)
			}
			s += f * f
		}
		if s == 0 {
			return fmt.Errorf("%s returned an all-zero vector", e.where)
		}
		norms[i] = math.Sqrt(s)
	}
	if !e.dim.CompareAndSwap(0, int64(d)) {
		if want := e.dim.Load(); int64(d) != want {
			return fmt.Errorf("%s returned %d-dimensional vectors, want %d", e.where, d, want)
		}
	}
	for i, v := range vs {
		for j, x := range v {
			v[j] = float32(float64(x) / norms[i])
		}
	}
	return nil
}

// plural says "1 text", "3 texts".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// ctxError reports that the caller's context ended.
func ctxError(op daoyi.Op, ctx context.Context) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return daoyi.E(op, daoyi.Timeout, ctx.Err())
	}
	return daoyi.E(op, ctx.Err())
}

// minSecretText is the length in bytes from which a text sent is removed
// from a server's error message (shorter ones would blot out common words;
// two Chinese characters are six bytes).
const minSecretText = 6

// redact removes the secrets (the API key, the texts) from an error
// message and shortens it.
func redact(s string, secrets ...string) string {
	for _, x := range secrets {
		if x != "" {
			s = strings.ReplaceAll(s, x, "[redacted]")
		}
	}
	const max = 500
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}

// redactURL hides a password in a URL that does not parse as one.
func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil {
		return u.Redacted()
	}
	if at := strings.LastIndex(s, "@"); at >= 0 {
		return "…" + s[at:]
	}
	return s
}

// checkEndpoint normalises and checks what every model endpoint needs — a
// known provider, an http(s) base URL, a model name — for a config of the
// given kind ("chat", "embedding").
func checkEndpoint(op daoyi.Op, kind, provider, baseURL, model string) (string, string, string, error) {
	invalid := func(format string, args ...any) error {
		return daoyi.E(op, daoyi.Invalid, fmt.Sprintf(format, args...))
	}
	provider = strings.ToLower(strings.TrimSpace(provider))
	model = strings.TrimSpace(model)
	baseURL = strings.TrimRight(strings.TrimSpace(baseURL), "/")
	switch provider {
	case ProviderOpenAI, ProviderOllama:
	case "":
		return "", "", "", invalid("the %s provider is missing (want %s or %s)", kind, ProviderOpenAI, ProviderOllama)
	default:
		return "", "", "", invalid("unknown %s provider %q (want %s or %s)", kind, provider, ProviderOpenAI, ProviderOllama)
	}
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", "", "", invalid("the %s base URL %q is not an http(s) URL", kind, redactURL(baseURL))
	}
	if model == "" {
		return "", "", "", invalid("the %s model name is missing", kind)
	}
	return provider, baseURL, model, nil
}
