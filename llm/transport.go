package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Retry timing. A wait never exceeds maxWait, whatever the server's
// Retry-After asks: an answer a patient waits for cannot wait longer.
const (
	defaultBackoff = 250 * time.Millisecond
	defaultMaxWait = 5 * time.Second
	maxErrorBody   = 64 << 10
)

// retryTransport is the http.RoundTripper under the langchaingo clients.
// It bounds each attempt by a timeout and retries connection errors, 429
// and 5xx with exponential backoff and jitter, honouring Retry-After. It
// reports what happened to the outcome in the request's context, so that
// errors can say more than langchaingo's messages do.
type retryTransport struct {
	base       http.RoundTripper
	maxRetries int
	timeout    time.Duration
	backoff    time.Duration // the first retry's wait, before jitter; doubles each time
	maxWait    time.Duration // cap on any wait, Retry-After included
	auth       string        // if set, sent as a bearer token when the client sets none (ollama)
}

func newRetryTransport(base http.RoundTripper, maxRetries int, timeout time.Duration) *retryTransport {
	if base == nil {
		base = http.DefaultTransport
	}
	return &retryTransport{base: base, maxRetries: maxRetries, timeout: timeout, backoff: defaultBackoff, maxWait: defaultMaxWait}
}

// outcome is what the transport saw of one request, over all its attempts.
type outcome struct {
	attempts int    // attempts made
	status   int    // the last response's status; 0: none
	message  string // the server's error message from the last non-2xx response
	err      error  // the last attempt's transport error
	timedOut bool   // the last attempt ran out of its timeout
}

type outcomeKey struct{}

// withOutcome returns a context under which the transport reports to rec.
func withOutcome(ctx context.Context, rec *outcome) context.Context {
	return context.WithValue(ctx, outcomeKey{}, rec)
}

// RoundTrip implements http.RoundTripper.
func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	rec, _ := ctx.Value(outcomeKey{}).(*outcome)
	if rec == nil {
		rec = &outcome{}
	}
	if t.auth != "" && req.Header.Get("Authorization") == "" {
		req = req.Clone(ctx)
		req.Header.Set("Authorization", "Bearer "+t.auth)
	}
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 && req.Body != nil && req.Body != http.NoBody {
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			r = req.Clone(ctx)
			r.Body = body
		}
		actx, cancel := context.WithTimeout(ctx, t.timeout)
		rec.attempts++
		rec.status, rec.message, rec.err, rec.timedOut = 0, "", nil, false
		resp, err := t.base.RoundTrip(r.WithContext(actx))
		// Whether to try again, and after how long.
		retry := attempt < t.maxRetries && (req.Body == nil || req.Body == http.NoBody || req.GetBody != nil)
		var wait time.Duration
		switch {
		case err != nil:
			timedOut := actx.Err() != nil
			cancel()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			rec.err = err
			if timedOut { // this attempt's timeout: not retried
				rec.timedOut = true
				return nil, err
			}
			if !retry {
				return nil, err
			}
			wait = t.delay(attempt, "")
		case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
			rec.status = resp.StatusCode
			if !retry {
				return readError(ctx, actx, cancel, resp, rec), nil
			}
			wait = t.delay(attempt, resp.Header.Get("Retry-After"))
			io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
			resp.Body.Close()
			cancel()
		case resp.StatusCode >= 400:
			rec.status = resp.StatusCode
			return readError(ctx, actx, cancel, resp, rec), nil
		default:
			rec.status = resp.StatusCode
			resp.Body = &attemptBody{ReadCloser: resp.Body, ctx: ctx, actx: actx, cancel: cancel, rec: rec}
			return resp, nil
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return nil, ctx.Err()
		case <-timer.C:
		}
	}
}

// delay is the wait before retry number attempt+1: the server's
// Retry-After if it sent one, else exponential backoff with jitter,
// capped at maxWait either way.
func (t *retryTransport) delay(attempt int, retryAfter string) time.Duration {
	var d time.Duration
	if s, err := strconv.Atoi(strings.TrimSpace(retryAfter)); err == nil && s >= 0 {
		d = time.Duration(s) * time.Second
	} else if at, err := http.ParseTime(retryAfter); err == nil {
		d = max(time.Until(at), 0)
	} else {
		d = t.backoff << min(attempt, 16)
		d = d/2 + rand.N(d/2+1)
	}
	return min(d, t.maxWait)
}

// readError reads a final error response's body (it is small), records the
// server's message, and hands the client a response it can read again.
func readError(ctx, actx context.Context, cancel context.CancelFunc, resp *http.Response, rec *outcome) *http.Response {
	defer cancel()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody+1))
	resp.Body.Close()
	switch {
	case err != nil && ctx.Err() == nil && actx.Err() != nil:
		rec.timedOut = true
	case err == nil && len(b) <= maxErrorBody:
		rec.message = serverMessage(b)
	}
	resp.Body = io.NopCloser(bytes.NewReader(b))
	return resp
}

// serverMessage finds the message in an error body, whichever of the usual
// shapes it has: OpenAI's {"error":{"message"}}, Ollama's {"error":"..."},
// vLLM's and DashScope's {"message"}; else the body as text.
func serverMessage(b []byte) string {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(b, &v) == nil {
		var nested struct {
			Message string `json:"message"`
		}
		var s string
		switch {
		case json.Unmarshal(v.Error, &nested) == nil && nested.Message != "":
			return nested.Message
		case json.Unmarshal(v.Error, &s) == nil && s != "":
			return s
		case v.Message != "":
			return v.Message
		}
	}
	return strings.TrimSpace(string(b))
}

// attemptBody is a successful response's body: reading it stays under the
// attempt's timeout, which closing it releases.
type attemptBody struct {
	io.ReadCloser
	ctx, actx context.Context
	cancel    context.CancelFunc
	rec       *outcome
}

func (b *attemptBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && !errors.Is(err, io.EOF) && b.ctx.Err() == nil && b.actx.Err() != nil {
		b.rec.timedOut = true
	}
	return n, err
}

func (b *attemptBody) Close() error {
	err := b.ReadCloser.Close()
	b.cancel()
	return err
}
