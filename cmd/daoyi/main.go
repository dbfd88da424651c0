// Command daoyi is the hospital assistant: `daoyi serve` runs it, `daoyi
// chat` talks to it in a terminal, `daoyi eval` measures it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/daoyi-health/daoyi/app"
)

const usage = `daoyi — conversational assistant for hospitals

Usage:
  daoyi serve   [--addr :8080] [--data ./data] [--hospital FILE]   run the assistant
  daoyi chat    [--data ./data] [--hospital FILE]                  talk to it in the terminal
  daoyi eval    faq|match|intents|redflags|triage|vectors ... [--json]                             measure it (daoyi eval -h)
  daoyi loadtest [--concurrency 32] [--duration 10s] [--json]     measure chat throughput against bare Gin
  daoyi migrate --database-url URL                                 bring a PostgreSQL schema up to date
  daoyi token   create --name N --role doctor|editor|admin | list | revoke ID   staff tokens
  daoyi link    --patient ID [--visit ID] [--department ID] [--valid 24h] [--url PAGE]   a signed pre-consultation start link
  daoyi version                                                    print the version

Environment: DAOYI_ADDR, DAOYI_DATA, DAOYI_HOSPITAL, DAOYI_DATABASE_URL, DAOYI_NO_MIGRATE,
DAOYI_EMBED_PROVIDER, DAOYI_EMBED_URL, DAOYI_EMBED_MODEL, DAOYI_EMBED_API_KEY, DAOYI_LLM_PROVIDER,
DAOYI_LLM_URL, DAOYI_LLM_MODEL, DAOYI_LLM_API_KEY, DAOYI_LLM_ROUTE_ALWAYS, DAOYI_LLM_LEGACY_MAX_TOKENS,
DAOYI_DEBUG_ADDR, DAOYI_LINK_SECRET, DAOYI_RECORD_RETENTION,
DAOYI_LOG_LEVEL (debug|info|warn|error).
Flags override the environment.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "daoyi:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return flag.ErrHelp
	}
	switch args[0] {
	case "serve":
		return serve(ctx, args[1:], stderr)
	case "chat":
		return chat(ctx, args[1:], stdin, stdout, stderr)
	case "eval":
		return evalCmd(ctx, args[1:], stdout, stderr)
	case "loadtest":
		return loadtest(ctx, args[1:], stdout, stderr)
	case "migrate":
		return migrate(ctx, args[1:], stdout, stderr)
	case "token":
		return token(ctx, args[1:], stdout, stderr)
	case "link":
		return link(ctx, args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "daoyi", app.Version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

// commonFlags registers the flags every command that opens the assistant
// takes, with defaults from the environment.
func commonFlags(fs *flag.FlagSet, cfg *app.Config) *string {
	fs.StringVar(&cfg.DataDir, "data", env("DAOYI_DATA", cfg.DataDir), "data directory (SQLite database and search index)")
	fs.StringVar(&cfg.HospitalFile, "hospital", env("DAOYI_HOSPITAL", ""), "the hospital profile (YAML); default: the built-in example")
	databaseFlags(fs, cfg)
	embedFlags(fs, cfg)
	llmFlags(fs, cfg)
	fs.DurationVar(&cfg.RecordRetention, "record-retention", envDuration("DAOYI_RECORD_RETENTION", 30*24*time.Hour), "how long a pre-consultation record is kept when no doctor imports it")
	cfg.LinkSecret = []byte(env("DAOYI_LINK_SECRET", "")) // a secret: environment only
	return fs.String("log-level", env("DAOYI_LOG_LEVEL", "info"), "log level: debug, info, warn, error")
}

// databaseFlags registers --database-url and --no-migrate. The URL's
// default is set after registering, so that -h never prints a password
// taken from the environment.
func databaseFlags(fs *flag.FlagSet, cfg *app.Config) {
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "PostgreSQL URL (env DAOYI_DATABASE_URL): the shared store of several replicas; default: SQLite in the data directory")
	cfg.DatabaseURL = env("DAOYI_DATABASE_URL", "")
	fs.BoolVar(&cfg.NoMigrate, "no-migrate", envBool("DAOYI_NO_MIGRATE"), "do not apply PostgreSQL migrations at start (run daoyi migrate first)")
}

// embedFlags registers the embedding model of the semantic channel. The
// API key is taken from the environment only: a flag would show it in
// the process list.
func embedFlags(fs *flag.FlagSet, cfg *app.Config) {
	fs.StringVar(&cfg.Embed.Provider, "embed-provider", env("DAOYI_EMBED_PROVIDER", ""), "embedding model server: openai (any OpenAI-compatible /v1/embeddings) or ollama; empty: lexical retrieval only")
	fs.StringVar(&cfg.Embed.BaseURL, "embed-url", env("DAOYI_EMBED_URL", ""), "embedding server base URL (e.g. http://vllm:8000/v1, http://ollama:11434)")
	fs.StringVar(&cfg.Embed.Model, "embed-model", env("DAOYI_EMBED_MODEL", ""), "embedding model name (e.g. bge-m3)")
	cfg.Embed.APIKey = env("DAOYI_EMBED_API_KEY", "")
}

// llmFlags registers the chat model (LLM) used by the intent router when
// the local classifier is unsure and for grounded answers. The key comes
// from the environment only.
func llmFlags(fs *flag.FlagSet, cfg *app.Config) {
	fs.StringVar(&cfg.Chat.Provider, "llm-provider", env("DAOYI_LLM_PROVIDER", ""), "chat model server: openai (any OpenAI-compatible /v1/chat/completions: Qwen, DeepSeek, vLLM) or ollama; empty: no LLM")
	fs.StringVar(&cfg.Chat.BaseURL, "llm-url", env("DAOYI_LLM_URL", ""), "chat server base URL (e.g. http://vllm:8000/v1, http://ollama:11434)")
	fs.StringVar(&cfg.Chat.Model, "llm-model", env("DAOYI_LLM_MODEL", ""), "chat model name (e.g. qwen2.5-7b-instruct)")
	fs.BoolVar(&cfg.LLMRouteAlways, "llm-route-always", envBool("DAOYI_LLM_ROUTE_ALWAYS"), "ask the LLM for every message's intent, not only when the local classifier is unsure")
	fs.BoolVar(&cfg.Chat.LegacyMaxTokens, "llm-legacy-max-tokens", envBool("DAOYI_LLM_LEGACY_MAX_TOKENS"), "send max_tokens instead of max_completion_tokens (older vLLM)")
	cfg.Chat.APIKey = env("DAOYI_LLM_API_KEY", "")
}

// envDuration reads a duration variable (720h); def when unset or bad.
func envDuration(key string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(key)); err == nil && d > 0 {
		return d
	}
	return def
}

// envBool reads a boolean variable: 1, true, yes or on (any case) are true.
func envBool(key string) bool {
	switch strings.ToLower(strings.TrimSpace(os.Getenv(key))) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

func newLogger(w io.Writer, level string) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(level))); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: l})), nil
}
