package preconsult

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/daoyi-health/daoyi/record"
)

// writerFunc is a model for the polishing tests; the app's test runs the
// same step against a fake OpenAI-compatible server.
type writerFunc func(system, user string) (string, error)

func (f writerFunc) Write(_ context.Context, system, user string) (string, error) {
	return f(system, user)
}

func reply(s record.Sections) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func TestPolish(t *testing.T) {
	iv := interviewer(t)
	draft := record.Sections{
		Chief:   "发热3天，伴咳嗽1天",
		Present: "患儿3天前出现发热，体温最高39.2℃，伴咳嗽，无呕吐、腹泻，已用布洛芬（一次5ml）。",
		Allergy: "否认药物及食物过敏史。",
		Family:  "父亲有高血压。",
	}
	good := draft
	good.Present = "患儿3天前无明显诱因出现发热，最高体温39.2℃，伴咳嗽，无呕吐及腹泻。已口服布洛芬（一次5ml）。"
	cases := []struct {
		name   string
		model  string
		err    error
		ok     bool
		reason string
	}{
		{"a faithful rewording", reply(good), nil, true, ""},
		{"in a code fence, after thinking", "<think>嗯</think>```json\n" + reply(good) + "\n```", nil, true, ""},
		{"adds a symptom", reply(with(good, func(s *record.Sections) { s.Present += "伴头痛。" })), nil, false, "new fact"},
		{"adds a negative", reply(with(good, func(s *record.Sections) { s.Present += "无皮疹。" })), nil, false, "new fact"},
		{"turns a negative positive", reply(with(good, func(s *record.Sections) {
			s.Present = strings.Replace(s.Present, "无呕吐及腹泻", "伴呕吐、腹泻", 1)
		})), nil, false, "new fact"},
		{"changes the temperature", reply(with(good, func(s *record.Sections) { s.Present = strings.Replace(s.Present, "39.2", "39.5", 1) })), nil, false, "new fact"},
		{"adds a diagnosis", reply(with(good, func(s *record.Sections) { s.Present += "考虑肺炎。" })), nil, false, "new fact"},
		{"drops a negative", reply(with(good, func(s *record.Sections) { s.Present = strings.Replace(s.Present, "无呕吐及腹泻。", "", 1) })), nil, false, "lost fact"},
		{"changes the relative", reply(with(good, func(s *record.Sections) { s.Family = "母亲有高血压。" })), nil, false, "new fact"},
		{"fills an empty section", reply(with(good, func(s *record.Sections) { s.Past = "既往体健。" })), nil, false, "a section was emptied or filled"},
		{"a long chief complaint", reply(with(good, func(s *record.Sections) {
			s.Chief = "反复发热三天伴有咳嗽一天，精神食欲尚可无其他不适"
		})), nil, false, "chief complaint too long"},
		{"not JSON", "好的，以下是润色后的病历：……", nil, false, "malformed reply"},
		{"an extra key", `{"chief_complaint":"发热3天","diagnosis":"肺炎"}`, nil, false, "malformed reply"},
		{"the model fails", "", errors.New("503"), false, "model failed"},
	}
	for _, c := range cases {
		var sent string
		w := writerFunc(func(system, user string) (string, error) { sent = user; return c.model, c.err })
		got, ok, reason := iv.Polish(context.Background(), w, "system", draft)
		if ok != c.ok || reason != c.reason {
			t.Errorf("%s: ok %v (%s), want %v (%s)", c.name, ok, reason, c.ok, c.reason)
		}
		if !ok && got != draft {
			t.Errorf("%s: a rejected polish changed the draft: %+v", c.name, got)
		}
		if ok && got != good {
			t.Errorf("%s: got %+v", c.name, got)
		}
		if !strings.Contains(sent, "发热3天") {
			t.Errorf("%s: the draft was not sent as data: %s", c.name, sent)
		}
	}
}

func with(s record.Sections, f func(*record.Sections)) record.Sections {
	f(&s)
	return s
}
