package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/daoyi-health/daoyi/api"
	"github.com/daoyi-health/daoyi/eval"
)

const loadUsage = `Usage:
  daoyi loadtest [--concurrency 32] [--duration 10s] [--json]
      starts a bare Gin server and 'daoyi serve' (warm data dir) as child processes,
      loads each from this process over loopback with FAQ questions, and compares
  daoyi loadtest --url http://host:port [--concurrency 32] [--duration 10s] [--json]
      loads a running server only
`

// loadResult is one load run's figures.
type loadResult struct {
	Requests int     `json:"requests"`
	Errors   int     `json:"errors"`
	RPS      float64 `json:"rps"`
	P50ms    float64 `json:"p50_ms"`
	P90ms    float64 `json:"p90_ms"`
	P99ms    float64 `json:"p99_ms"`
	Maxms    float64 `json:"max_ms"`
}

func loadtest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("loadtest", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "load this running server instead of starting one")
	conc := fs.Int("concurrency", 32, "concurrent clients, each with its own session")
	dur := fs.Duration("duration", 10*time.Second, "how long to load each server")
	warm := fs.Duration("warmup", 2*time.Second, "load before measuring")
	asJSON := fs.Bool("json", false, "print one JSON object")
	bare := fs.String("serve-bare", "", "internal: serve the bare Gin baseline on this address")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *bare != "" {
		return serveBare(ctx, *bare)
	}
	cases, err := eval.LoadFAQCases("")
	if err != nil {
		return err
	}
	var questions []string
	for _, c := range cases {
		if c.Want != "" {
			questions = append(questions, c.Q)
		}
	}
	if *url != "" {
		r, err := runLoad(ctx, *url, questions, *conc, *warm, *dur)
		if err != nil {
			return err
		}
		return report(stdout, *asJSON, map[string]any{"server": r})
	}

	self, err := os.Executable()
	if err != nil {
		return err
	}
	bareURL, stopBare, err := spawn(ctx, self, stderr, "loadtest", "--serve-bare", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("bare server: %w", err)
	}
	baseline, err := runLoad(ctx, bareURL, questions, *conc, *warm, *dur)
	stopBare()
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "daoyi-loadtest-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// First start builds the data dir; the measured server starts warm.
	_, stopCold, err := spawn(ctx, self, stderr, "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"), "--log-level", "info")
	if err != nil {
		return fmt.Errorf("daoyi serve: %w", err)
	}
	stopCold()
	start := time.Now()
	daoyiURL, stop, err := spawn(ctx, self, stderr, "serve", "--addr", "127.0.0.1:0", "--data", filepath.Join(dir, "data"), "--log-level", "info")
	if err != nil {
		return fmt.Errorf("daoyi serve: %w", err)
	}
	ready := time.Since(start)
	r, err := runLoad(ctx, daoyiURL, questions, *conc, *warm, *dur)
	stop()
	if err != nil {
		return err
	}
	return report(stdout, *asJSON, map[string]any{
		"daoyi": r, "bare_gin": baseline, "ratio": round2(r.RPS / baseline.RPS),
		"warm_start_ms": ready.Milliseconds(), "concurrency": *conc, "duration_s": dur.Seconds(),
	})
}

func round2(f float64) float64 { return float64(int(f*100+0.5)) / 100 }

func report(w io.Writer, asJSON bool, v map[string]any) error {
	if asJSON {
		return json.NewEncoder(w).Encode(v)
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(w, string(b))
	return err
}

func serveBare(ctx context.Context, addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	fmt.Println("listening on", ln.Addr().String())
	srv := &http.Server{Handler: api.BareHandler(), ReadHeaderTimeout: 10 * time.Second}
	go func() { <-ctx.Done(); srv.Close() }()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// spawn starts a child process that prints its listen address ("listening
// on ADDR" from serve-bare, or addr=ADDR in serve's ready log line) and
// waits until it answers.
func spawn(ctx context.Context, self string, stderr io.Writer, args ...string) (string, func(), error) {
	cmd := exec.CommandContext(ctx, self, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, err
	}
	errPipe, err := cmd.StderrPipe()
	if err != nil {
		return "", nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, err
	}
	stop := func() { _ = cmd.Process.Signal(os.Interrupt); _ = cmd.Wait() }
	addrc := make(chan string, 2)
	scan := func(r io.Reader, copyTo io.Writer) {
		buf := make([]byte, 0, 4096)
		tmp := make([]byte, 1024)
		for {
			n, err := r.Read(tmp)
			buf = append(buf, tmp[:n]...)
			for {
				i := bytes.IndexByte(buf, '\n')
				if i < 0 {
					break
				}
				line := string(buf[:i])
				buf = buf[i+1:]
				if a := listenAddr(line); a != "" {
					addrc <- a
				} else if copyTo != nil && strings.Contains(line, "level=ERROR") {
					fmt.Fprintln(copyTo, line)
				}
			}
			if err != nil {
				return
			}
		}
	}
	go scan(out, nil)
	go scan(errPipe, stderr)
	select {
	case a := <-addrc:
		return "http://" + a, stop, nil
	case <-time.After(120 * time.Second):
		stop()
		return "", nil, errors.New("did not start within 120 s")
	case <-ctx.Done():
		stop()
		return "", nil, ctx.Err()
	}
}

func listenAddr(line string) string {
	if a, ok := strings.CutPrefix(line, "listening on "); ok {
		return strings.TrimSpace(a)
	}
	if strings.Contains(line, "daoyi ready") {
		for _, f := range strings.Fields(line) {
			if a, ok := strings.CutPrefix(f, "addr="); ok {
				return a
			}
		}
	}
	return ""
}

// runLoad sends chat requests from conc clients for warm+dur and measures
// the last dur. Each client keeps one session, as a patient would.
func runLoad(ctx context.Context, base string, questions []string, conc int, warm, dur time.Duration) (loadResult, error) {
	tr := &http.Transport{MaxIdleConns: conc * 2, MaxIdleConnsPerHost: conc * 2, IdleConnTimeout: time.Minute}
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	defer tr.CloseIdleConnections()
	measureFrom := time.Now().Add(warm)
	end := measureFrom.Add(dur)
	var mu sync.Mutex
	var lat []time.Duration
	errs := 0
	run := fmt.Sprintf("%08x", rand.Uint32()) // this run's sessions
	var wg sync.WaitGroup
	for i := 0; i < conc; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// The same questions in every run, but sessions of this run
			// only: two load generators against two replicas must not
			// share a patient.
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			session := fmt.Sprintf("loadtest-%s-%04d-%08x", run, i, rng.Uint32())
			var mine []time.Duration
			myErrs := 0
			for n := 0; ; n++ {
				now := time.Now()
				if now.After(end) || ctx.Err() != nil {
					break
				}
				// Start a new conversation every 20 turns.
				if n%20 == 19 {
					session = fmt.Sprintf("loadtest-%s-%04d-%08x", run, i, rng.Uint32())
				}
				body, _ := json.Marshal(map[string]string{"session_id": session, "text": questions[rng.IntN(len(questions))]})
				t0 := time.Now()
				resp, err := client.Post(base+"/v1/chat", "application/json", bytes.NewReader(body))
				ok := err == nil && resp.StatusCode == http.StatusOK
				if resp != nil {
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
				}
				took := time.Since(t0)
				if t0.Before(measureFrom) {
					continue
				}
				if !ok {
					myErrs++
					continue
				}
				mine = append(mine, took)
			}
			mu.Lock()
			lat = append(lat, mine...)
			errs += myErrs
			mu.Unlock()
		}(i)
	}
	wg.Wait()
	if len(lat) == 0 {
		return loadResult{}, fmt.Errorf("no successful requests to %s (%d errors)", base, errs)
	}
	slices.Sort(lat)
	q := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	return loadResult{
		Requests: len(lat), Errors: errs, RPS: round2(float64(len(lat)) / dur.Seconds()),
		P50ms: q(0.50), P90ms: q(0.90), P99ms: q(0.99), Maxms: float64(lat[len(lat)-1].Microseconds()) / 1000,
	}, nil
}
