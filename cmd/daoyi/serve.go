package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/daoyi-health/daoyi/app"
)

// defaultMemoryLimit is the soft heap limit of `daoyi serve`. The live heap
// with the built-in corpus is about 105 MB; a limit near it makes the
// collector run constantly (200 MB cost half the throughput), 300 MB keeps
// resident memory under 350 MB at full load (docs/performance.md).
const defaultMemoryLimit = 300 << 20

// replicaMemoryLimit is the soft heap limit of a replica on PostgreSQL,
// whose full-text index lives in memory: at 300 MB its collector ran
// constantly and halved throughput (1,100 against 1,950 requests/s).
const replicaMemoryLimit = 512 << 20

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	cfg := app.DefaultConfig()
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&cfg.Addr, "addr", env("DAOYI_ADDR", cfg.Addr), "HTTP listen address")
	debugAddr := fs.String("debug-addr", env("DAOYI_DEBUG_ADDR", ""), "serve Go pprof profiles on this address (e.g. 127.0.0.1:6060); off when empty")
	level := commonFlags(fs, &cfg)
	if err := fs.Parse(args); err != nil {
		return err
	}
	log, err := newLogger(stderr, *level)
	if err != nil {
		return err
	}
	cfg.Logger = log
	// Keep the heap near its live size — while training a model on first
	// start and under load — unless the operator set GOMEMLIMIT
	// (docs/performance.md).
	if os.Getenv("GOMEMLIMIT") == "" {
		limit := int64(defaultMemoryLimit)
		if cfg.DatabaseURL != "" {
			limit = replicaMemoryLimit
		}
		debug.SetMemoryLimit(limit)
	}
	// Listen first: while the knowledge loads (and, on a first start,
	// the match model trains) /healthz answers and everything else says
	// 503 "starting", so an orchestrator's probes see a live process that
	// is not ready yet rather than a refused connection.
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	var handler atomic.Pointer[http.Handler]
	starting := http.Handler(http.HandlerFunc(whileStarting))
	handler.Store(&starting)
	srv := &http.Server{
		Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { (*handler.Load()).ServeHTTP(w, r) }),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	defer srv.Close()

	start := time.Now()
	a, err := app.Open(ctx, cfg)
	if err != nil {
		return err
	}
	defer a.Close()
	// Loading leaves much garbage (dictionary text, training data): give
	// it back to the system now rather than whenever the runtime gets to
	// it.
	debug.FreeOSMemory()

	if *debugAddr != "" {
		// Profiles only: a separate listener, never the public one.
		dbg := http.NewServeMux()
		dbg.HandleFunc("/debug/pprof/", pprof.Index)
		dbg.HandleFunc("/debug/pprof/profile", pprof.Profile)
		dbg.HandleFunc("/debug/pprof/trace", pprof.Trace)
		go func() { _ = http.ListenAndServe(*debugAddr, dbg) }()
	}
	ready := a.Server.Handler()
	handler.Store(&ready)
	store := "sqlite:" + cfg.DataDir
	if cfg.DatabaseURL != "" {
		store = "postgres"
	}
	log.Info("daoyi ready", "addr", ln.Addr().String(), "store", store, "version", app.Version,
		"startup", time.Since(start).Round(time.Millisecond))
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// whileStarting answers before the assistant is open: alive, not ready.
func whileStarting(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Retry-After", "5")
	if r.URL.Path == "/healthz" {
		w.WriteHeader(http.StatusOK)
		fmt.Fprint(w, `{"status":"ok"}`)
		return
	}
	w.WriteHeader(http.StatusServiceUnavailable)
	fmt.Fprint(w, `{"error":{"code":"unavailable","message":"starting"}}`)
}
