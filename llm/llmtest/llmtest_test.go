package llmtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
)

func post(t *testing.T, url, body string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

const reply = "请您空腹前来抽血。"

func TestOpenAIPlain(t *testing.T) {
	s := NewServer(t, Options{Chat: func(r ChatRequest) ChatResponse { return ChatResponse{Text: reply} }})
	resp := post(t, s.URL+"/chat/completions",
		`{"model":"m","messages":[{"role":"system","content":"sys"},{"role":"user","content":[{"type":"text","text":"q"}]}],"max_tokens":9,"temperature":0.5,"response_format":{"type":"json_object"}}`)
	var out struct {
		Choices []struct {
			Message      struct{ Role, Content string }
			FinishReason string `json:"finish_reason"`
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("status %d, %v", resp.StatusCode, err)
	}
	if len(out.Choices) != 1 || out.Choices[0].Message.Content != reply || out.Choices[0].FinishReason != "stop" {
		t.Errorf("answer %+v", out)
	}
	r := s.Requests()[0]
	if r.Provider != "openai" || r.Model != "m" || r.LastUser() != "q" || len(r.Messages) != 2 || !r.JSON || r.Stream ||
		r.MaxTokens != 9 || r.MaxTokensField != "max_tokens" || r.Temperature == nil || *r.Temperature != 0.5 {
		t.Errorf("request decoded as %+v", r)
	}
}

func TestOpenAIStream(t *testing.T) {
	s := NewServer(t, Options{DeltaRunes: 2, Chat: func(ChatRequest) ChatResponse { return ChatResponse{Text: reply} }})
	resp := post(t, s.URL+"/chat/completions", `{"model":"m","messages":[{"role":"user","content":"q"}],"stream":true,"stream_options":{"include_usage":true}}`)
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("Content-Type %q", ct)
	}
	var text strings.Builder
	var deltas, usage int
	var done, finished bool
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			t.Fatalf("line %q is not an SSE data line", line)
		}
		if done {
			t.Fatalf("%q after [DONE]", line)
		}
		if data == "[DONE]" {
			done = true
			continue
		}
		var c struct {
			Choices []struct {
				Delta        struct{ Content string }
				FinishReason *string `json:"finish_reason"`
			}
			Usage *struct {
				TotalTokens int `json:"total_tokens"`
			}
		}
		if err := json.Unmarshal([]byte(data), &c); err != nil {
			t.Fatalf("chunk %q: %v", data, err)
		}
		if c.Usage != nil {
			usage++
			continue
		}
		if c.Choices[0].Delta.Content != "" {
			deltas++
			text.WriteString(c.Choices[0].Delta.Content)
		}
		if c.Choices[0].FinishReason != nil {
			finished = *c.Choices[0].FinishReason == "stop"
		}
	}
	if text.String() != reply || deltas != (len([]rune(reply))+1)/2 || !done || !finished || usage != 1 {
		t.Errorf("text %q in %d deltas, done %v, finished %v, %d usage chunks", text.String(), deltas, done, finished, usage)
	}
}

func TestOllama(t *testing.T) {
	s := NewServer(t, Options{Chat: func(ChatRequest) ChatResponse { return ChatResponse{Text: reply} }})
	t.Run("StreamByDefault", func(t *testing.T) {
		resp := post(t, s.OllamaURL+"/api/chat", `{"model":"m","messages":[{"role":"user","content":"q"}],"format":"json","options":{"num_predict":7}}`)
		var text strings.Builder
		lines, done := 0, 0
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			var l struct {
				Message struct{ Content string }
				Done    bool
			}
			if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
				t.Fatalf("line %q: %v", sc.Text(), err)
			}
			lines++
			text.WriteString(l.Message.Content)
			if l.Done {
				done++
			}
		}
		if text.String() != reply || lines < 3 || done != 1 {
			t.Errorf("text %q in %d lines, %d done", text.String(), lines, done)
		}
		r := s.Requests()[0]
		if r.Provider != "ollama" || !r.Stream || !r.JSON || r.MaxTokens != 7 || r.MaxTokensField != "num_predict" {
			t.Errorf("request decoded as %+v", r)
		}
	})
	t.Run("Plain", func(t *testing.T) {
		resp := post(t, s.OllamaURL+"/api/chat", `{"model":"m","messages":[{"role":"user","content":"q"}],"stream":false}`)
		b, _ := io.ReadAll(resp.Body)
		var out struct {
			Message struct{ Content string }
			Done    bool
		}
		if n := bytes.Count(bytes.TrimSpace(b), []byte("\n")); n != 0 {
			t.Errorf("%d lines, want one object", n+1)
		}
		if err := json.Unmarshal(b, &out); err != nil || out.Message.Content != reply || !out.Done {
			t.Errorf("answer %s: %v", b, err)
		}
	})
}

func TestFailures(t *testing.T) {
	s := NewServer(t, Options{APIKey: "k", Model: "m"})
	for _, c := range []struct {
		name, url, body, key string
		status               int
		want                 string
	}{
		{"OpenAIKey", s.URL + "/chat/completions", `{"model":"m","messages":[]}`, "wrong", 401, `"message":"invalid API key"`},
		{"OllamaModel", s.OllamaURL + "/api/chat", `{"model":"x","messages":[]}`, "k", 404, `{"error":"model \"x\" not found`},
		{"OpenAIModel", s.URL + "/embeddings", `{"model":"x","input":["a"]}`, "k", 404, "does not exist"},
		{"BadBody", s.URL + "/chat/completions", `{"model":`, "k", 400, "bad request body"},
	} {
		t.Run(c.name, func(t *testing.T) {
			resp := post(t, c.url, c.body, "Authorization", "Bearer "+c.key)
			b, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != c.status || !strings.Contains(string(b), c.want) {
				t.Errorf("HTTP %d %s, want %d with %s", resp.StatusCode, b, c.status, c.want)
			}
		})
	}
	t.Run("StatusAndRetryAfter", func(t *testing.T) {
		s.SetChat(func(ChatRequest) ChatResponse { return ChatResponse{Status: 429, RetryAfter: "3", Error: "slow down"} })
		resp := post(t, s.URL+"/chat/completions", `{"model":"m","messages":[{"role":"user","content":"q"}]}`, "Authorization", "Bearer k")
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "3" || !strings.Contains(string(b), "slow down") {
			t.Errorf("HTTP %d Retry-After %q %s", resp.StatusCode, resp.Header.Get("Retry-After"), b)
		}
	})
	t.Run("CutStream", func(t *testing.T) {
		s.SetChat(func(ChatRequest) ChatResponse { return ChatResponse{Text: reply, CutStreamAfter: 1} })
		resp := post(t, s.URL+"/chat/completions", `{"model":"m","messages":[{"role":"user","content":"q"}],"stream":true}`, "Authorization", "Bearer k")
		b, err := io.ReadAll(resp.Body)
		if err == nil || bytes.Contains(b, []byte("[DONE]")) {
			t.Errorf("read %q, %v; want the body to break off", b, err)
		}
	})
}

func TestEmbeddings(t *testing.T) {
	s := NewServer(t, Options{EmbedDim: 4})
	resp := post(t, s.URL+"/embeddings", `{"model":"e","input":["a","b"]}`)
	var out struct {
		Data []struct{ Embedding []float32 }
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Data) != 2 {
		t.Fatalf("%+v, %v", out, err)
	}
	for i, in := range []string{"a", "b"} {
		if want := Vector(in, 4); !slices.Equal(out.Data[i].Embedding, want) {
			t.Errorf("vector %d %v, want %v", i, out.Data[i].Embedding, want)
		}
	}
	resp = post(t, s.OllamaURL+"/api/embed", `{"model":"e","input":"c"}`)
	var o struct{ Embeddings [][]float32 }
	if err := json.NewDecoder(resp.Body).Decode(&o); err != nil || len(o.Embeddings) != 1 || !slices.Equal(o.Embeddings[0], Vector("c", 4)) {
		t.Errorf("ollama %+v, %v", o, err)
	}
	if e := s.Embeds(); len(e) != 2 || e[1].Provider != "ollama" || e[1].Input[0] != "c" {
		t.Errorf("embeds recorded %+v", e)
	}
}
