package corpus

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// RedFlagSet is the red-flag rule file (redflags.yaml): the emergency
// presentations the safety check looks for, the context words it reads
// around each match, and the guidance shown per category. The safety
// package compiles it; this file only parses and validates it.
type RedFlagSet struct {
	Context    RedFlagContext             `yaml:"context"`
	Mask       []string                   `yaml:"mask"`
	Categories map[string]RedFlagCategory `yaml:"categories"`
	Flags      []RedFlag                  `yaml:"flags"`

	// Version is a digest of the file the set was parsed from, for the
	// safety-event log. Empty for a set built in code.
	Version string `yaml:"-"`
}

// RedFlagContext holds the words that decide whether a matched phrase is
// a presentation happening now or only a mention. Each list holds
// phrases (literal or "re:").
type RedFlagContext struct {
	Neutral      []string `yaml:"neutral"`       // words hiding a cue inside them: 不小心, 主要是, 开会
	History      []string `yaml:"history"`       // the past: 以前, 小时候, 去年
	Anaphoric    []string `yaml:"anaphoric"`     // the time of the time word before them: 当时, 那次
	Evaluated    []string `yaml:"evaluated"`     // after a phrase, the episode is over and was seen: 医生说, 确诊
	HistoryAfter []string `yaml:"history_after"` // right after a phrase, a past record: 史, 病史
	Recent       []string `yaml:"recent"`        // back to now: 现在, 刚才, 又
	Worse        []string `yaml:"worse"`         // a past complaint back or worse now: 加重, 又犯了
	Hypothetical []string `yaml:"hypothetical"`  // not happening: 如果, 万一, 预防, 会不会
	InfoAfter    []string `yaml:"info_after"`    // a topic, not a patient: 的症状, 有哪些, 的急救
	Generic      []string `yaml:"generic"`       // anywhere in the phrase's clause, a topic: 怎么预防
	Child        []string `yaml:"child"`         // words for a baby, before a stated age: 宝宝, 女儿
	AgeBefore    []string `yaml:"age_before"`    // words making what follows an age: 出生, 生下来
	AgeLink      []string `yaml:"age_link"`      // words between a child word and an age: 才, 刚满
	AgeAfter     []string `yaml:"age_after"`     // words after an age: 大, 的宝宝
	NotLength    []string `yaml:"not_length"`    // words before a time that is not how long a complaint lasted: 孕, 停经
}

// RedFlagCategory is one kind of emergency and what to tell the patient.
type RedFlagCategory struct {
	Name     string   `yaml:"name"`     // for staff
	Guidance []string `yaml:"guidance"` // variants, each 2–4 sentences
}

// RedFlag is one emergency presentation. It fires when any phrase of Any
// is presented, or when every group of All has a presented phrase (within
// Near characters of each other when Near > 0) — and no phrase of Unless
// is presented. Matches overlapping a phrase of Mask (or of the set's
// Mask) do not count.
type RedFlag struct {
	ID       string     `yaml:"id"`
	Name     string     `yaml:"name"`     // Chinese, for staff
	Category string     `yaml:"category"` // a key of Categories
	Level    int        `yaml:"level"`    // 1 (life at risk now) … 3 (urgent)
	Any      []string   `yaml:"any"`
	All      [][]string `yaml:"all"`
	Near     int        `yaml:"near"`
	Timeless bool       `yaml:"timeless"` // the past, habits and a past visit do not cancel it (suicidal thoughts)
	Mask     []string   `yaml:"mask"`
	Unless   []string   `yaml:"unless"`
}

// Phrase kinds besides literals.
const (
	PhraseRegexp      = "re:"     // an RE2 expression; "~" is a short gap, "~N" a gap of up to N
	PhraseAgeBelow    = "age:<"   // a baby's stated age under a limit: age:<90d
	PhraseTempAtLeast = "temp:>=" // a body temperature at or above: temp:>=38
)

var (
	flagIDRe     = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	categoryIDRe = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)
	ageRe        = regexp.MustCompile(`^[0-9]+[dwm]$`)
)

// RedFlags loads the embedded red-flag rules.
func RedFlags() (*RedFlagSet, error) {
	b, err := files.ReadFile("redflags.yaml")
	if err != nil {
		return nil, err
	}
	return ParseRedFlags(b)
}

// ParseRedFlags parses and validates a red-flag rule file, reporting
// every problem at once.
func ParseRedFlags(data []byte) (*RedFlagSet, error) {
	s := &RedFlagSet{}
	if err := decode("redflags.yaml", data, s); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	s.Version = hex.EncodeToString(sum[:])[:16]
	if err := ValidateRedFlags(s); err != nil {
		return nil, err
	}
	return s, nil
}

// ValidateRedFlags checks ids, names, levels, categories, guidance and
// the form of every phrase (regular expressions are compiled by the
// safety package, which reports their errors).
func ValidateRedFlags(s *RedFlagSet) error {
	var probs []string
	bad := func(f string, a ...any) { probs = append(probs, fmt.Sprintf(f, a...)) }
	checkList := func(where string, ps []string) {
		for _, p := range ps {
			if err := checkPhrase(p); err != nil {
				bad("%s: %v", where, err)
			}
		}
	}
	c := s.Context
	for _, l := range []struct {
		name string
		ps   []string
	}{
		{"neutral", c.Neutral}, {"history", c.History}, {"anaphoric", c.Anaphoric}, {"evaluated", c.Evaluated},
		{"history_after", c.HistoryAfter},
		{"recent", c.Recent}, {"worse", c.Worse}, {"hypothetical", c.Hypothetical},
		{"info_after", c.InfoAfter}, {"generic", c.Generic}, {"child", c.Child}, {"age_before", c.AgeBefore}, {"age_link", c.AgeLink},
		{"age_after", c.AgeAfter}, {"not_length", c.NotLength},
	} {
		checkList("context."+l.name, l.ps)
	}
	checkList("mask", s.Mask)
	if len(s.Categories) == 0 {
		bad("no categories")
	}
	used := map[string]bool{}
	seen := map[string]bool{}
	if len(s.Flags) == 0 {
		bad("no flags")
	}
	for i, f := range s.Flags {
		where := fmt.Sprintf("flag %q", f.ID)
		switch {
		case !flagIDRe.MatchString(f.ID):
			bad("flag %d: id %q is not lowercase ascii with '_'", i+1, f.ID)
		case seen[f.ID]:
			bad("%s appears twice", where)
		}
		seen[f.ID] = true
		if strings.TrimSpace(f.Name) == "" {
			bad("%s has no name", where)
		}
		if _, ok := s.Categories[f.Category]; !ok {
			bad("%s has unknown category %q", where, f.Category)
		}
		used[f.Category] = true
		if f.Level < 1 || f.Level > 3 {
			bad("%s: level %d, want 1, 2 or 3", where, f.Level)
		}
		if len(f.Any) == 0 && len(f.All) == 0 {
			bad("%s has neither any nor all", where)
		}
		if f.Near < 0 {
			bad("%s: near %d is negative", where, f.Near)
		}
		checkList(where+" any", f.Any)
		for j, g := range f.All {
			if len(g) == 0 {
				bad("%s: all group %d is empty", where, j+1)
			}
			checkList(fmt.Sprintf("%s all group %d", where, j+1), g)
		}
		checkList(where+" mask", f.Mask)
		checkList(where+" unless", f.Unless)
	}
	names := make([]string, 0, len(s.Categories))
	for k := range s.Categories {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		cat := s.Categories[k]
		if !categoryIDRe.MatchString(k) {
			bad("category %q is not lowercase ascii with '_'", k)
		}
		if !used[k] {
			bad("category %q is used by no flag", k)
		}
		if len(cat.Guidance) == 0 {
			bad("category %q has no guidance", k)
		}
		for _, g := range cat.Guidance {
			if strings.TrimSpace(g) == "" {
				bad("category %q has an empty guidance", k)
			}
			for _, key := range Placeholders(g) {
				if !strings.HasPrefix(key, "emergency.") && !strings.HasPrefix(key, "hospital.") && !strings.HasPrefix(key, "phone.") {
					bad("category %q: guidance placeholder {{%s}}: only emergency.*, hospital.* and phone.* are allowed", k, key)
				}
			}
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("corpus: redflags.yaml: %d problems: %s", len(probs), strings.Join(probs, "; "))
	}
	return nil
}

// checkPhrase checks the form of one phrase.
func checkPhrase(p string) error {
	switch {
	case strings.TrimSpace(p) == "":
		return fmt.Errorf("empty phrase")
	case strings.HasPrefix(p, PhraseRegexp):
		if strings.TrimSpace(p[len(PhraseRegexp):]) == "" {
			return fmt.Errorf("empty regular expression")
		}
	case strings.HasPrefix(p, PhraseAgeBelow):
		if !ageRe.MatchString(p[len(PhraseAgeBelow):]) {
			return fmt.Errorf("phrase %q: want age:<N followed by d, w or m", p)
		}
	case strings.HasPrefix(p, PhraseTempAtLeast):
		v, err := strconv.ParseFloat(p[len(PhraseTempAtLeast):], 64)
		if err != nil || v < 34 || v > 43 {
			return fmt.Errorf("phrase %q: want temp:>= a temperature between 34 and 43", p)
		}
	case strings.HasPrefix(p, "age:") || strings.HasPrefix(p, "temp:"):
		return fmt.Errorf("phrase %q: unknown form", p)
	}
	return nil
}
