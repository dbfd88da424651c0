package preconsult

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/daoyi-health/daoyi/record"
	"github.com/daoyi-health/daoyi/zh"
)

// Writer is a chat model as polishing uses it: a system prompt and a user
// message in, the text out. The app adapts llm.Chat to it.
type Writer interface {
	Write(ctx context.Context, system, user string) (string, error)
}

var (
	thinkRe = regexp.MustCompile(`(?s)<think>.*?</think>`)
	fenceRe = regexp.MustCompile("(?s)^```(?:json)?\\s*(.*?)\\s*```$")
	digitRe = regexp.MustCompile(`\d+(?:\.\d+)?`)
)

// Polish asks a model to make the draft read like a doctor's record and
// checks what comes back: the same sections filled, a chief complaint
// within MaxChief characters, and no fact the draft does not hold — the
// facts read from the polished text by the same extractors must all be
// among those read from the draft, and every number in it must be one of
// the draft's. On any failure (the model's error, malformed JSON, a new
// fact) it returns the draft and false, with the kind of reason (never
// the facts themselves, so that it may be logged).
func (iv *Interviewer) Polish(ctx context.Context, w Writer, system string, draft record.Sections) (record.Sections, bool, string) {
	data, err := json.Marshal(draft)
	if err != nil {
		return draft, false, "marshal"
	}
	out, err := w.Write(ctx, system, string(data))
	if err != nil {
		return draft, false, "model failed"
	}
	out = strings.TrimSpace(thinkRe.ReplaceAllString(out, ""))
	if m := fenceRe.FindStringSubmatch(out); m != nil {
		out = m[1]
	}
	var got record.Sections
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		return draft, false, "malformed reply"
	}
	if reason := iv.sameFacts(draft, got); reason != "" {
		return draft, false, reason
	}
	return got, true, ""
}

// sectionKinds are the kinds read from each section (in sectionTexts'
// order) to compare a draft with its polished form.
var sectionKinds = [][]string{
	{record.KindSymptom, record.KindCondition, record.KindDuration},
	{record.KindSymptom, record.KindCondition, record.KindDuration, record.KindOnset, record.KindTemperature, record.KindMedicine},
	{record.KindCondition, record.KindMedicine},
	{record.KindAllergy, record.KindSymptom},
	{record.KindSymptom},
	{record.KindFamily},
	{record.KindSymptom},
}

// sameFacts returns why polished says more than draft, or "".
func (iv *Interviewer) sameFacts(draft, polished record.Sections) string {
	d, p := sectionTexts(draft), sectionTexts(polished)
	for i := range d {
		if (strings.TrimSpace(d[i]) == "") != (strings.TrimSpace(p[i]) == "") {
			return "a section was emptied or filled"
		}
	}
	if utf8.RuneCountInString(polished.Chief) > MaxChief {
		return "chief complaint too long"
	}
	before, after := map[string]bool{}, map[string]bool{}
	for i := range d {
		for _, f := range iv.Extract(d[i], sectionKinds[i], 0, "", "", time.Time{}) {
			before[factKey(f)] = true
		}
	}
	for i := range p {
		for _, f := range iv.Extract(p[i], sectionKinds[i], 0, "", "", time.Time{}) {
			k := factKey(f)
			after[k] = true
			if !before[k] {
				return "new fact" // which, never: it is the patient's health information
			}
		}
	}
	for k := range before {
		if !after[k] {
			return "lost fact" // a dropped 无发热 is a changed record too
		}
	}
	nums := map[string]bool{}
	for _, n := range digitRe.FindAllString(zh.Normalize(strings.Join(d, " ")), -1) {
		nums[n] = true
	}
	for _, n := range digitRe.FindAllString(zh.Normalize(strings.Join(p, " ")), -1) {
		if !nums[n] {
			return "new number"
		}
	}
	return ""
}

// factKey is what two readings of the same fact share: its kind, name,
// status and value (a relative, a dose, a reaction), not where it belongs
// (Of), which two phrasings of one sentence may tie differently.
func factKey(f record.Fact) string {
	switch f.Kind {
	case record.KindDuration, record.KindOnset:
		return f.Kind + "|" + strings.TrimRight(strings.TrimRight(formatDays(f.Days), "0"), ".")
	case record.KindTemperature:
		return f.Kind + "|" + formatDays(f.Number)
	}
	return f.Kind + "|" + f.Name + "|" + string(f.Status) + "|" + f.Value
}

func formatDays(v float64) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func sectionTexts(s record.Sections) []string {
	return []string{s.Chief, s.Present, s.Past, s.Allergy, s.Personal, s.Family, s.Menstrual}
}
