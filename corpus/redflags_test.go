package corpus_test

import (
	"strings"
	"testing"

	"github.com/daoyi-health/daoyi/corpus"
)

func TestRedFlags(t *testing.T) {
	s, err := corpus.RedFlags()
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Flags) < 25 {
		t.Errorf("%d flags, want at least 25", len(s.Flags))
	}
	if len(s.Version) != 16 {
		t.Errorf("version %q", s.Version)
	}
	h, err := corpus.DefaultHospital()
	if err != nil {
		t.Fatal(err)
	}
	for k, c := range s.Categories {
		if len(c.Guidance) < 2 {
			t.Errorf("category %s has %d guidance variants, want at least 2", k, len(c.Guidance))
		}
		for _, g := range c.Guidance {
			if _, err := h.Fill(g, nil); err != nil {
				t.Errorf("category %s: %v", k, err)
			}
			if !strings.Contains(g, "120") && !strings.Contains(g, "急诊") {
				t.Errorf("category %s: guidance names neither 120 nor the emergency department: %s", k, g)
			}
		}
	}
}

func TestParseRedFlagsRejects(t *testing.T) {
	const good = `
categories:
  c:
    guidance: [请拨打120。]
flags:
  - {id: a, name: 甲, category: c, level: 1, any: [胸痛]}
`
	if _, err := corpus.ParseRedFlags([]byte(good)); err != nil {
		t.Fatalf("good file: %v", err)
	}
	tests := []struct {
		name, yaml, want string
	}{
		{"UnknownField", strings.Replace(good, "level: 1", "level: 1, severity: 2", 1), "severity"},
		{"BadID", strings.Replace(good, "id: a", "id: A-1", 1), "lowercase"},
		{"DuplicateID", good + "  - {id: a, name: 乙, category: c, level: 1, any: [吐血]}\n", "twice"},
		{"UnknownCategory", strings.Replace(good, "category: c", "category: d", 1), "unknown category"},
		{"BadLevel", strings.Replace(good, "level: 1", "level: 4", 1), "level"},
		{"NoPatterns", strings.Replace(good, ", any: [胸痛]", "", 1), "neither"},
		{"EmptyGroup", strings.Replace(good, "any: [胸痛]", "all: [[]]", 1), "empty"},
		{"BadAge", strings.Replace(good, "[胸痛]", "['age:<3y']", 1), "age"},
		{"BadTemp", strings.Replace(good, "[胸痛]", "['temp:>=80']", 1), "temp"},
		{"NoGuidance", strings.Replace(good, "guidance: [请拨打120。]", "guidance: []", 1), "no guidance"},
		{"BadPlaceholder", strings.Replace(good, "[请拨打120。]", "['请到{{location.急诊}}。']", 1), "placeholder"},
		{"UnusedCategory", strings.Replace(good, "categories:", "categories:\n  z:\n    guidance: [去急诊。]", 1), "used by no flag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := corpus.ParseRedFlags([]byte(tt.yaml))
			if err == nil {
				t.Fatal("accepted")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}
