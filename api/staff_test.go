package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/daoyi-health/daoyi/api"
	"github.com/daoyi-health/daoyi/auth"
	"github.com/daoyi-health/daoyi/bot"
	"github.com/daoyi-health/daoyi/record"
	"github.com/daoyi-health/daoyi/sqlite"
)

var staffNow = time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC)

// headings are the labels the renderers need; the real ones come from the
// corpus (tested in preconsult).
var headings = record.Headings{Chief: "主诉", Present: "现病史", Past: "既往史", Allergy: "过敏史", Colon: "：", Title: "预问诊病历"}

type staffEnv struct {
	url    string
	db     *sqlite.DB
	chat   *recordingChat
	admin  string
	doctor string
	editor string
}

// recordingChat remembers the messages it was sent.
type recordingChat struct {
	mu   sync.Mutex
	msgs []bot.Message
}

func (r *recordingChat) Handle(_ context.Context, m *bot.Message, _ bot.Emit) (*bot.Reply, error) {
	r.mu.Lock()
	r.msgs = append(r.msgs, *m)
	r.mu.Unlock()
	if m.SessionID == "" {
		m.SessionID = "generated-session"
	}
	return &bot.Reply{Text: "好的", Intent: m.Intent, QuickReplies: []bot.QuickReply{}, Cards: []bot.Card{}}, nil
}

func (r *recordingChat) last() bot.Message {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.msgs[len(r.msgs)-1]
}

// newStaffServer serves the API over a real (in-memory SQLite) store, with
// an admin, a doctor and an editor token.
func newStaffServer(t *testing.T) *staffEnv {
	t.Helper()
	db, err := sqlite.Open(":memory:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	env := &staffEnv{db: db, chat: &recordingChat{}}
	s := api.New(api.Options{Chat: env.chat, Version: "test", Records: db, Tokens: db, Headings: headings,
		LinkSecret: []byte("link-secret"), Now: func() time.Time { return staffNow }})
	ts := httptest.NewServer(s.Handler())
	t.Cleanup(ts.Close)
	env.url = ts.URL
	ctx := context.Background()
	for role, dst := range map[auth.Role]*string{auth.Admin: &env.admin, auth.Doctor: &env.doctor, auth.Editor: &env.editor} {
		_, secret, err := auth.Issue(ctx, db, "测试"+string(role), role, staffNow)
		if err != nil {
			t.Fatal(err)
		}
		*dst = secret
	}
	return env
}

func (e *staffEnv) do(t *testing.T, method, path, token, body string) (int, []byte, http.Header) {
	t.Helper()
	req, err := http.NewRequest(method, e.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b, resp.Header
}

func (e *staffEnv) put(t *testing.T, r *record.Record) {
	t.Helper()
	if err := e.db.CreateRecord(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

func sampleRecord(id string, st record.State) *record.Record {
	return &record.Record{ID: id, PatientID: "P001", VisitID: "V-" + id, Department: "pediatrics", SessionID: "sess-" + id,
		State: st, Subject: record.Subject{Age: 5, Sex: "male", Proxy: true, Relation: "母亲"},
		Facts: []record.Fact{{Kind: record.KindSymptom, Name: "发热", Status: record.Present, Turn: 1, Quote: "发烧"},
			{Kind: record.KindTemperature, Value: "39℃", Number: 39, Of: "发热", Turn: 2, Quote: "39度"}},
		Sections:  record.Sections{Chief: "发热2天", Present: "患儿2天前出现发热，体温最高39℃。", Allergy: "否认药物及食物过敏史。"},
		CreatedAt: staffNow.Add(-time.Hour), UpdatedAt: staffNow.Add(-time.Hour), ExpiresAt: staffNow.Add(30 * 24 * time.Hour)}
}

func errCode(t *testing.T, b []byte) string {
	t.Helper()
	var e api.ErrorBody
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("not an error body: %s", b)
	}
	return e.Error.Code
}

func TestStaffAuth(t *testing.T) {
	e := newStaffServer(t)
	e.put(t, sampleRecord("r1", record.Submitted))
	cases := []struct {
		name, token, path string
		status            int
		code              string
	}{
		{"no token", "", "/v1/records", 401, "unauthorized"},
		{"not ours", "Basic abc", "/v1/records", 401, "unauthorized"},
		{"unknown token", "dy_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", "/v1/records", 401, "unauthorized"},
		{"editor reads records", e.editor, "/v1/records/r1", 403, "forbidden"},
		{"doctor manages tokens", e.doctor, "/v1/admin/tokens", 403, "forbidden"},
		{"doctor reads audit", e.doctor, "/v1/admin/records/r1/audit", 403, "forbidden"},
		{"sql in the token", "dy_' OR 1=1 --", "/v1/records", 401, "unauthorized"},
	}
	for _, c := range cases {
		tok := c.token
		req, _ := http.NewRequest("GET", e.url+c.path, nil)
		switch {
		case strings.HasPrefix(tok, "Basic "):
			req.Header.Set("Authorization", tok)
		case tok != "":
			req.Header.Set("Authorization", "Bearer "+tok)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || errCode(t, b) != c.code {
			t.Errorf("%s: %d %s, want %d %s", c.name, resp.StatusCode, b, c.status, c.code)
		}
	}
	// An admin may act as a doctor.
	if st, b, _ := e.do(t, "GET", "/v1/records/r1", e.admin, ""); st != 200 {
		t.Fatalf("admin reading a record: %d %s", st, b)
	}
}

func TestStaffRecordsAndAudit(t *testing.T) {
	e := newStaffServer(t)
	e.put(t, sampleRecord("r1", record.Submitted))
	e.put(t, sampleRecord("r2", record.Draft))
	other := sampleRecord("r3", record.Submitted)
	other.PatientID = "P002"
	e.put(t, other)

	st, b, _ := e.do(t, "GET", "/v1/records?patient_id=P001&state=submitted", e.doctor, "")
	var list api.RecordList
	if st != 200 || json.Unmarshal(b, &list) != nil || len(list.Records) != 1 || list.Records[0].ID != "r1" {
		t.Fatalf("filtered list: %d %s", st, b)
	}
	for _, q := range []string{"state=finished", "limit=0", "limit=501", "from=yesterday", "patient_id=" + strings.Repeat("x", 200)} {
		if st, b, _ := e.do(t, "GET", "/v1/records?"+q, e.doctor, ""); st != 400 || errCode(t, b) != "invalid_query" {
			t.Errorf("list ?%s: %d %s, want 400 invalid_query", q, st, b)
		}
	}

	st, b, h := e.do(t, "GET", "/v1/records/r1", e.doctor, "")
	var r record.Record
	if st != 200 || json.Unmarshal(b, &r) != nil || r.Sections.Chief != "发热2天" || len(r.Facts) != 2 || h.Get("Cache-Control") != "no-store" {
		t.Fatalf("record as JSON: %d %s", st, b)
	}
	st, b, h = e.do(t, "GET", "/v1/records/r1/text", e.doctor, "")
	if st != 200 || !strings.HasPrefix(string(b), "主诉：发热2天") || !strings.Contains(string(b), "过敏史：否认") || !strings.HasPrefix(h.Get("Content-Type"), "text/plain") {
		t.Fatalf("record as text: %d %q", st, b)
	}
	st, b, h = e.do(t, "GET", "/v1/records/r1/fhir", e.doctor, "")
	var bundle struct {
		ResourceType string `json:"resourceType"`
		Type         string `json:"type"`
		Entry        []struct {
			Resource struct {
				ResourceType string `json:"resourceType"`
			} `json:"resource"`
		} `json:"entry"`
	}
	if st != 200 || json.Unmarshal(b, &bundle) != nil || bundle.ResourceType != "Bundle" || bundle.Type != "document" ||
		len(bundle.Entry) == 0 || bundle.Entry[0].Resource.ResourceType != "Composition" || !strings.HasPrefix(h.Get("Content-Type"), "application/fhir+json") {
		t.Fatalf("record as FHIR: %d %.300s", st, b)
	}
	st, b, h = e.do(t, "GET", "/v1/records/r1/print", e.doctor, "")
	if st != 200 || !strings.Contains(string(b), "发热2天") || !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Fatalf("record as HTML: %d %.200s", st, b)
	}
	if st, b, _ := e.do(t, "GET", "/v1/records/nope", e.doctor, ""); st != 404 {
		t.Fatalf("unknown record: %d %s", st, b)
	}

	// Every read is in the trail, with who and how, and nothing of the
	// record's content.
	st, b, _ = e.do(t, "GET", "/v1/admin/records/r1/audit", e.admin, "")
	var trail struct{ Accesses []record.Access }
	if st != 200 || json.Unmarshal(b, &trail) != nil {
		t.Fatalf("audit: %d %s", st, b)
	}
	var actions []string
	for _, a := range trail.Accesses {
		actions = append(actions, a.Action)
		if a.Role != "doctor" || !strings.Contains(a.Actor, "测试doctor") {
			t.Errorf("access by %q (%s), want the doctor's token", a.Actor, a.Role)
		}
		if strings.Contains(a.Detail, "发热") {
			t.Errorf("the trail holds record content: %+v", a)
		}
	}
	if got := strings.Join(actions, ","); got != "read,read_text,read_fhir,read_html" {
		t.Fatalf("audit actions %s", got)
	}
}

func TestStaffImport(t *testing.T) {
	e := newStaffServer(t)
	e.put(t, sampleRecord("r1", record.Submitted))
	e.put(t, sampleRecord("r2", record.Draft))
	e.put(t, sampleRecord("r3", record.Expired))
	st, b, _ := e.do(t, "POST", "/v1/records/r1/import", e.doctor, "")
	var r record.Record
	if st != 200 || json.Unmarshal(b, &r) != nil || r.State != record.Imported || r.ImportedBy != "测试doctor" || !r.ImportedAt.Equal(staffNow) {
		t.Fatalf("import: %d %s", st, b)
	}
	// Again: the same answer (an EMR may retry), not a second import.
	if st, b2, _ := e.do(t, "POST", "/v1/records/r1/import", e.doctor, ""); st != 200 || !bytes.Contains(b2, []byte(`"imported"`)) {
		t.Fatalf("import again: %d %s", st, b2)
	}
	for _, id := range []string{"r2", "r3"} {
		if st, b, _ := e.do(t, "POST", "/v1/records/"+id+"/import", e.doctor, ""); st != 409 || errCode(t, b) != "conflict" {
			t.Errorf("import %s: %d %s, want 409", id, st, b)
		}
	}
	got, err := e.db.GetRecord(context.Background(), "r2")
	if err != nil || got.State != record.Draft {
		t.Fatalf("the draft changed: %+v %v", got, err)
	}
}

func TestStaffTokens(t *testing.T) {
	e := newStaffServer(t)
	st, b, _ := e.do(t, "POST", "/v1/admin/tokens", e.admin, `{"name":"李医生","role":"doctor"}`)
	var nt api.NewToken
	if st != 201 || json.Unmarshal(b, &nt) != nil || nt.Token.Role != auth.Doctor || !strings.HasPrefix(nt.Secret, "dy_") {
		t.Fatalf("create: %d %s", st, b)
	}
	if bytes.Contains(b, []byte(auth.Hash(nt.Secret))) {
		t.Fatal("the answer holds the stored hash")
	}
	if st, _, _ := e.do(t, "GET", "/v1/records", nt.Secret, ""); st != 200 {
		t.Fatalf("the new token does not work: %d", st)
	}
	st, b, _ = e.do(t, "GET", "/v1/admin/tokens", e.admin, "")
	if st != 200 || !strings.Contains(string(b), "李医生") || strings.Contains(string(b), nt.Secret) {
		t.Fatalf("list: %d %s", st, b)
	}
	if st, b, _ := e.do(t, "DELETE", "/v1/admin/tokens/"+nt.Token.ID, e.admin, ""); st != 204 {
		t.Fatalf("revoke: %d %s", st, b)
	}
	if st, _, _ := e.do(t, "GET", "/v1/records", nt.Secret, ""); st != 401 {
		t.Fatalf("a revoked token still works: %d", st)
	}
	if st, _, _ := e.do(t, "DELETE", "/v1/admin/tokens/tok_nope", e.admin, ""); st != 404 {
		t.Fatalf("revoking an unknown token: %d", st)
	}
	for _, body := range []string{`{"name":"","role":"doctor"}`, `{"name":"x","role":"god"}`, `{"name":"x","role":"doctor","extra":1}`, `not json`,
		`{"name":"` + strings.Repeat("长", 65) + `","role":"doctor"}`} {
		if st, b, _ := e.do(t, "POST", "/v1/admin/tokens", e.admin, body); st != 400 {
			t.Errorf("create %s: %d %s, want 400", body, st, b)
		}
	}
}

// TestStartLink checks the signed link that starts a pre-consultation:
// a good link reaches the engine as the preconsult intent with the visit's
// ids; forged, expired and malformed links are refused before it.
func TestStartLink(t *testing.T) {
	e := newStaffServer(t)
	secret := []byte("link-secret")
	good := auth.Sign(auth.Link{PatientID: "P001", VisitID: "V9", Department: "pediatrics", Expires: staffNow.Add(time.Hour)}, secret)
	st, b, _ := e.do(t, "POST", "/v1/chat", "", `{"start":"`+good+`"}`)
	if st != 200 {
		t.Fatalf("good link: %d %s", st, b)
	}
	m := e.chat.last()
	if m.Intent != "preconsult" || m.Visit == nil || m.Visit.PatientID != "P001" || m.Visit.VisitID != "V9" || m.Visit.Department != "pediatrics" {
		t.Fatalf("the engine got %+v", m)
	}
	n := len(e.chat.msgs)
	forged := auth.Sign(auth.Link{PatientID: "P001", Expires: staffNow.Add(time.Hour)}, []byte("another secret"))
	expired := auth.Sign(auth.Link{PatientID: "P001", Expires: staffNow.Add(-time.Second)}, secret)
	body, sig, _ := strings.Cut(good, ".")
	tampered := body[:len(body)-2] + "xx." + sig
	for name, tok := range map[string]string{"forged": forged, "expired": expired, "tampered": tampered, "garbage": "abc", "no dot": "abcdef"} {
		if st, b, _ := e.do(t, "POST", "/v1/chat", "", `{"start":"`+tok+`"}`); st != 401 || errCode(t, b) != "invalid_start_link" {
			t.Errorf("%s link: %d %s", name, st, b)
		}
	}
	if len(e.chat.msgs) != n {
		t.Fatal("a refused link reached the engine")
	}
	// Without a link, empty text is still refused.
	if st, b, _ := e.do(t, "POST", "/v1/chat", "", `{"text":""}`); st != 400 || errCode(t, b) != "empty_text" {
		t.Fatalf("empty text: %d %s", st, b)
	}
}
