package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

type triageResp struct {
	SessionID string `json:"session_id"`
	Reply     struct {
		Text         string                         `json:"text"`
		Intent       string                         `json:"intent"`
		Urgent       bool                           `json:"urgent"`
		QuickReplies []struct{ Title, Text string } `json:"quick_replies"`
		Cards        []struct {
			Type, Title, Text, URL, ID string
		} `json:"cards"`
	} `json:"reply"`
}

func post(t *testing.T, url string, body any) (int, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url+"/v1/chat", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func triageChat(t *testing.T, url string, body map[string]any) triageResp {
	t.Helper()
	code, b := post(t, url, body)
	if code != 200 {
		t.Fatalf("POST /v1/chat %v: %d %s", body, code, b)
	}
	var r triageResp
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func (r triageResp) departments() []string {
	var out []string
	for _, c := range r.Reply.Cards {
		if c.Type == "department" {
			out = append(out, c.Title)
		}
	}
	return out
}

// TestTriageEndToEnd walks department triage over HTTP on the shipped
// knowledge: questions with quick replies when the answer depends on
// them, a recommendation with department cards, follow-ups (where is it,
// another option, a correction), the patient profile, and a red flag in
// the middle of a triage.
func TestTriageEndToEnd(t *testing.T) {
	a := sharedApp(t)
	ts := httptest.NewServer(a.Server.Handler())
	defer ts.Close()

	t.Run("QuestionsThenRecommendation", func(t *testing.T) {
		r := triageChat(t, ts.URL, map[string]any{"text": "医生，我肚子疼了两天了"})
		if r.Reply.Intent != "triage" {
			t.Fatalf("intent %q: %s", r.Reply.Intent, r.Reply.Text)
		}
		sid := r.SessionID
		for i := 0; i < 3 && len(r.departments()) == 0; i++ {
			if len(r.Reply.QuickReplies) < 2 {
				t.Fatalf("a triage question without quick replies: %+v", r.Reply)
			}
			r = triageChat(t, ts.URL, map[string]any{"session_id": sid, "text": r.Reply.QuickReplies[0].Text})
		}
		deps := r.departments()
		if len(deps) == 0 || len(deps) > 3 {
			t.Fatalf("no recommendation after three questions: %+v", r.Reply)
		}
		for _, c := range r.Reply.Cards {
			if c.Type == "department" && (c.URL == "" || c.Text == "") {
				t.Errorf("a department card needs a registration link and a text: %+v", c)
			}
		}
		if !strings.Contains(r.Reply.Text, deps[0]) || !strings.Contains(r.Reply.Text, "1.") {
			t.Errorf("the text should rank the departments: %s", r.Reply.Text)
		}

		w := triageChat(t, ts.URL, map[string]any{"session_id": sid, "text": deps[0] + "在哪"})
		if w.Reply.Intent != "triage" || len(w.Reply.Cards) == 0 || w.Reply.Cards[0].Title != deps[0] {
			t.Errorf("where is %s: %+v", deps[0], w.Reply)
		}
		m := triageChat(t, ts.URL, map[string]any{"session_id": sid, "text": "换个科室看看"})
		if more := m.departments(); len(more) > 0 && more[0] == deps[0] {
			t.Errorf("another option repeated the first: %v", more)
		}
		c := triageChat(t, ts.URL, map[string]any{"session_id": sid, "text": "不是，是右下腹疼"})
		if c.Reply.Intent != "triage" || len(c.departments())+len(c.Reply.QuickReplies) == 0 {
			t.Errorf("a correction should re-run the triage: %+v", c.Reply)
		}
		// Anything else leaves the triage and is answered normally.
		g := triageChat(t, ts.URL, map[string]any{"session_id": sid, "text": "谢谢"})
		if g.Reply.Intent != "thanks" {
			t.Errorf("thanks after a triage: intent %q", g.Reply.Intent)
		}
	})

	t.Run("ProfileSendsChildrenToPaediatrics", func(t *testing.T) {
		r := triageChat(t, ts.URL, map[string]any{"text": "咳嗽三天了，晚上咳得厉害", "patient": map[string]any{"age": 5}})
		for i := 0; i < 3 && len(r.departments()) == 0 && len(r.Reply.QuickReplies) > 0; i++ {
			r = triageChat(t, ts.URL, map[string]any{"session_id": r.SessionID, "text": r.Reply.QuickReplies[0].Text, "patient": map[string]any{"age": 5}})
		}
		if deps := r.departments(); len(deps) == 0 || deps[0] != "儿科" {
			t.Fatalf("a 5-year-old's cough: %v (%s)", deps, r.Reply.Text)
		}
	})

	t.Run("RedFlagInTheMiddle", func(t *testing.T) {
		r := triageChat(t, ts.URL, map[string]any{"text": "肚子疼"})
		e := triageChat(t, ts.URL, map[string]any{"session_id": r.SessionID, "text": "现在突然胸口压着疼，满头大汗"})
		if !e.Reply.Urgent || e.Reply.Intent != "emergency" {
			t.Fatalf("a red flag during triage: %+v", e.Reply)
		}
	})

	t.Run("BadProfileIsRejected", func(t *testing.T) {
		code, b := post(t, ts.URL, map[string]any{"text": "头疼", "patient": map[string]any{"age": 500}})
		if code != 400 || !strings.Contains(string(b), "invalid_patient") {
			t.Fatalf("age 500: %d %s", code, b)
		}
		code, b = post(t, ts.URL, map[string]any{"text": "头疼", "patient": map[string]any{"sex": "male", "pregnant": true}})
		if code != 400 || !strings.Contains(string(b), "invalid_patient") {
			t.Fatalf("a pregnant man: %d %s", code, b)
		}
	})
}
