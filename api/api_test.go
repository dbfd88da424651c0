package api_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/api"
	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/sqlite"
)

// fakeChat answers every message with its text reversed into a reply, or
// fails as told. The end-to-end tests in app/ run the real engine; these
// tests pin down the HTTP contract.
type fakeChat struct{ err error }

func (f fakeChat) Handle(ctx context.Context, m *bot.Message, emit bot.Emit) (*bot.Reply, error) {
	if f.err != nil {
		return nil, f.err
	}
	if m.SessionID == "" {
		m.SessionID = "generated-session"
	}
	r := &bot.Reply{Text: "收到：" + m.Text + "。好的。", Intent: "faq", Decision: "answer", Confidence: 0.9,
		Citations: []bot.Citation{{ID: "a-01", Title: "文章"}}, QuickReplies: []bot.QuickReply{}, Cards: []bot.Card{}}
	if emit != nil {
		_ = emit(bot.StreamEvent{Type: bot.EventDelta, Text: "收到："})
		_ = emit(bot.StreamEvent{Type: bot.EventDelta, Text: m.Text + "。好的。"})
		_ = emit(bot.StreamEvent{Type: bot.EventCitation, Citation: &r.Citations[0]})
		_ = emit(bot.StreamEvent{Type: bot.EventDone, Reply: r})
	}
	return r, nil
}

func newServer(t *testing.T, chat api.Chatter) (*httptest.Server, *api.Server) {
	t.Helper()
	s := api.New(api.Options{Chat: chat, Version: "test"})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	return ts, s
}

func post(t *testing.T, url, ctype, body string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestChat(t *testing.T) {
	ts, _ := newServer(t, fakeChat{})
	resp, body := post(t, ts.URL+"/v1/chat", "application/json; charset=utf-8", `{"text":"抽血要空腹吗"}`)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %s", resp.StatusCode, body)
	}
	var got struct {
		SessionID string `json:"session_id"`
		Reply     struct {
			Text         string            `json:"text"`
			Intent       string            `json:"intent"`
			Confidence   float64           `json:"confidence"`
			Urgent       *bool             `json:"urgent"`
			Citations    []json.RawMessage `json:"citations"`
			QuickReplies []json.RawMessage `json:"quick_replies"`
			Cards        []json.RawMessage `json:"cards"`
		} `json:"reply"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if got.SessionID != "generated-session" || got.Reply.Text != "收到：抽血要空腹吗。好的。" || got.Reply.Urgent == nil ||
		got.Reply.Citations == nil || got.Reply.QuickReplies == nil || got.Reply.Cards == nil {
		t.Fatalf("response = %s", body)
	}
	if resp.Header.Get("X-Request-ID") == "" {
		t.Fatal("no request id")
	}
}

func TestChatStream(t *testing.T) {
	ts, _ := newServer(t, fakeChat{})
	req, _ := http.NewRequest(http.MethodPost, ts.URL+"/v1/chat/stream", strings.NewReader(`{"text":"发票","session_id":"abcdefgh12"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("Content-Type %q", ct)
	}
	var events []string
	var text strings.Builder
	sc := bufio.NewScanner(resp.Body)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		switch {
		case strings.HasPrefix(line, "event: "):
			event = strings.TrimPrefix(line, "event: ")
			events = append(events, event)
		case strings.HasPrefix(line, "data: ") && event == "delta":
			var d struct{ Text string }
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &d); err != nil {
				t.Fatal(err)
			}
			text.WriteString(d.Text)
		case strings.HasPrefix(line, "data: ") && event == "done":
			var d api.ChatResponse
			if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &d); err != nil || d.SessionID != "abcdefgh12" {
				t.Fatalf("done = %s (%v)", line, err)
			}
		}
	}
	if strings.Join(events, ",") != "delta,delta,citation,done" || text.String() != "收到：发票。好的。" {
		t.Fatalf("events %v, text %q", events, text.String())
	}
}

func errorCode(t *testing.T, body []byte) string {
	t.Helper()
	var e api.ErrorBody
	if err := json.Unmarshal(body, &e); err != nil {
		t.Fatalf("error body is not JSON: %s", body)
	}
	if e.Error.RequestID == "" || e.Error.Message == "" {
		t.Fatalf("error body lacks request id or message: %s", body)
	}
	return e.Error.Code
}

func TestBadRequests(t *testing.T) {
	ts, _ := newServer(t, fakeChat{})
	long := strings.Repeat("长", bot.MaxTextRunes+1)
	tests := []struct {
		name, ctype, body string
		status            int
		code              string
	}{
		{"MalformedJSON", "application/json", `{"text": "挂号`, 400, api.CodeInvalidJSON},
		{"NotAnObject", "application/json", `["挂号"]`, 400, api.CodeInvalidJSON},
		{"TwoObjects", "application/json", `{"text":"a"}{"text":"b"}`, 400, api.CodeInvalidJSON},
		{"EmptyBody", "application/json", ``, 400, api.CodeInvalidJSON},
		{"WrongContentType", "text/plain", `{"text":"挂号"}`, 415, api.CodeUnsupportedMedia},
		{"FormContentType", "application/x-www-form-urlencoded", `text=挂号`, 415, api.CodeUnsupportedMedia},
		{"NoContentType", "", `{"text":"挂号"}`, 415, api.CodeUnsupportedMedia},
		{"UnknownField", "application/json", `{"text":"挂号","user":"x"}`, 400, api.CodeUnknownField},
		{"EmptyText", "application/json", `{"text":""}`, 400, api.CodeEmptyText},
		{"BlankText", "application/json", `{"text":"  \n "}`, 400, api.CodeEmptyText},
		{"MissingText", "application/json", `{}`, 400, api.CodeEmptyText},
		{"TextTooLong", "application/json", `{"text":"` + long + `"}`, 400, api.CodeTextTooLong},
		{"InvalidUTF8", "application/json", "{\"text\":\"\xff\xfe挂号\"}", 400, api.CodeInvalidEncoding},
		{"ControlCharacters", "application/json", `{"text":"挂\u0000号"}`, 400, api.CodeInvalidText},
		{"WrongType", "application/json", `{"text":123}`, 400, api.CodeInvalidJSON},
		{"BadSessionID", "application/json", `{"text":"挂号","session_id":"'; DROP TABLE events;--"}`, 400, api.CodeInvalidSession},
		{"HugeBody", "application/json", `{"text":"` + strings.Repeat("a", 70<<10) + `"}`, 413, api.CodeBodyTooLarge},
	}
	for _, tt := range tests {
		for _, path := range []string{"/v1/chat", "/v1/chat/stream"} {
			t.Run(tt.name+path, func(t *testing.T) {
				resp, body := post(t, ts.URL+path, tt.ctype, tt.body)
				if resp.StatusCode != tt.status {
					t.Fatalf("status %d, want %d: %s", resp.StatusCode, tt.status, body)
				}
				if code := errorCode(t, body); code != tt.code {
					t.Fatalf("code %q, want %q", code, tt.code)
				}
			})
		}
	}
	t.Run("NotFound", func(t *testing.T) {
		resp, err := http.Get(ts.URL + "/v1/nothing")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 404 || errorCode(t, b) != api.CodeNotFound {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
	})
	t.Run("MethodNotAllowed", func(t *testing.T) {
		resp, err := http.Get(ts.URL + "/v1/chat")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 405 || errorCode(t, b) != api.CodeMethodNotAllowed {
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
	})
}

func TestEngineErrors(t *testing.T) {
	t.Run("InternalErrorHidesDetails", func(t *testing.T) {
		ts, _ := newServer(t, fakeChat{err: errors.New("sqlite: disk I/O error at /var/lib/secret")})
		resp, body := post(t, ts.URL+"/v1/chat", "application/json", `{"text":"挂号"}`)
		if resp.StatusCode != 500 || errorCode(t, body) != api.CodeInternal || strings.Contains(string(body), "secret") {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	})
	t.Run("UnavailableIs503", func(t *testing.T) {
		ts, _ := newServer(t, fakeChat{err: daoyi.E(daoyi.Unavailable, "knowledge not loaded")})
		resp, body := post(t, ts.URL+"/v1/chat", "application/json", `{"text":"挂号"}`)
		if resp.StatusCode != 503 || errorCode(t, body) != api.CodeUnavailable {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	})
	t.Run("StreamErrorEvent", func(t *testing.T) {
		ts, _ := newServer(t, fakeChat{err: errors.New("boom")})
		resp, body := post(t, ts.URL+"/v1/chat/stream", "application/json", `{"text":"挂号"}`)
		if resp.StatusCode != 200 || !strings.Contains(string(body), "event: error") || strings.Contains(string(body), "boom") {
			t.Fatalf("status %d: %s", resp.StatusCode, body)
		}
	})
}

func TestOperationalEndpoints(t *testing.T) {
	ts, _ := newServer(t, fakeChat{})
	_, _ = post(t, ts.URL+"/v1/chat", "application/json", `{"text":"挂号"}`)
	for path, want := range map[string]string{
		"/healthz":      `"ok"`,
		"/readyz":       `"ready"`,
		"/metrics":      `daoyi_http_requests_total{method="POST",route="/v1/chat",status="200"} 1`,
		"/version":      `"test"`,
		"/openapi.json": `"openapi": "3.1.0"`,
	} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("%s: status %d, body lacks %q", path, resp.StatusCode, want)
		}
	}
}

// TestOpenAPIDocumentsEveryRoute keeps the OpenAPI document and the routes
// in step: a route added without documentation fails here.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	db, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	s := api.New(api.Options{Chat: fakeChat{}, Version: "test", Records: db, Tokens: db})
	ts := httptest.NewServer(s.Handler())
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	documented := map[string]bool{}
	for p, ops := range doc.Paths {
		for m := range ops {
			documented[strings.ToUpper(m)+" "+p] = true
		}
	}
	var missing []string
	for _, r := range s.Routes() {
		if !documented[r] {
			missing = append(missing, r)
		}
		delete(documented, r)
	}
	for r := range documented {
		missing = append(missing, "documented but not served: "+r)
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Fatalf("OpenAPI and routes differ: %v", missing)
	}
}

func TestWidgetAssets(t *testing.T) {
	ts, _ := newServer(t, fakeChat{})
	for path, ctype := range map[string]string{"/": "text/html", "/widget.js": "text/javascript", "/widget.css": "text/css"} {
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), ctype) || len(b) == 0 {
			t.Fatalf("%s: status %d, type %q", path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		// No external resources: every src, href and url() is local.
		for _, bad := range []string{`src="http`, `href="http`, `src="//`, `href="//`, `url(http`, `url(//`, `@import`} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s loads an external resource (%s)", path, bad)
			}
		}
	}
}
