package intents

import (
	"math"
	"slices"
	"strings"
	"unicode"

	"github.com/daoyi-health/daoyi/ml"
	"github.com/daoyi-health/daoyi/zh"
)

// Featurizer turns a message into the sparse features the classifier
// reads: character uni-, bi- and trigrams (with the message's start and
// end, so "^好的$" differs from 好的 inside a question), gse words, the
// lexicon's term types and terms (拉肚子 → §腹泻, a symptom), whether it asks
// something, whether it mentions a duration or a temperature, and its
// length. Values are scaled so that every message's vector has unit length:
// a long story and a two-character reply weigh the same.
type Featurizer struct {
	seg *zh.Segmenter
	lex *zh.Lexicon
}

// NewFeaturizer returns a featurizer over a segmenter and a lexicon (both
// may be nil: the features then come from characters alone).
func NewFeaturizer(seg *zh.Segmenter, lex *zh.Lexicon) *Featurizer {
	return &Featurizer{seg: seg, lex: lex}
}

// maxFeatureRunes bounds the text featurized: the classifier needs the
// gist, and a 2,000-character message must not cost more than a short one
// by orders of magnitude.
const maxFeatureRunes = 300

// Features returns the message's features.
func (f *Featurizer) Features(text string) []ml.Feature {
	t := strings.ToLower(zh.Normalize(zh.Truncate(text, maxFeatureRunes)))
	compact := []rune(zh.Compact(t))
	set := make(map[string]struct{}, 4*len(compact)+16)
	add := func(name string) { set[name] = struct{}{} }

	padded := make([]rune, 0, len(compact)+2)
	padded = append(padded, '^')
	padded = append(padded, compact...)
	padded = append(padded, '$')
	for i := range padded {
		if i > 0 && i < len(padded)-1 {
			add("c:" + string(padded[i]))
		}
		if i+2 <= len(padded) {
			add("b:" + string(padded[i:i+2]))
		}
		if i+3 <= len(padded) {
			add("t:" + string(padded[i:i+3]))
		}
		if i+4 <= len(padded) {
			add("f:" + string(padded[i:i+4]))
		}
	}
	if f.seg != nil {
		prev := "^"
		for _, w := range f.seg.Cut(t) {
			if w = strings.TrimSpace(w); w != "" && !isPunctWord(w) {
				add("w:" + w)
				add("ww:" + prev + "|" + w)
				prev = w
			}
		}
		add("ww:" + prev + "|$")
	}
	// The question clause of a story again, apart: what is asked says more
	// about the intent than the story before it.
	if qc, ok := zh.QuestionClause(t); ok {
		r := []rune("^" + zh.Compact(qc) + "$")
		for i := 0; i+2 <= len(r); i++ {
			add("qb:" + string(r[i:i+2]))
			if i+3 <= len(r) {
				add("qt:" + string(r[i:i+3]))
			}
		}
	}
	for _, qt := range zh.QuestionTypes(t) {
		add("qtype:" + qt)
	}
	if f.lex != nil {
		for _, m := range f.lex.Find(t) {
			pol := ""
			if zh.PolarityAt(t, m.Start) == zh.Absent {
				pol = "-"
			}
			add("lt:" + pol + m.Type)
			add("lx:" + m.Term)
		}
	}
	if strings.ContainsAny(t, "?？") || zh.IsQuestion(t) {
		add("q")
	}
	if len(zh.FindDurations(t)) > 0 {
		add("dur")
	}
	if len(zh.FindTemperatures(t)) > 0 {
		add("temp")
	}
	add("len:" + lengthBucket(len(compact)))
	if len(compact) == 0 {
		add("empty")
	}

	out := make([]ml.Feature, 0, len(set))
	v := 1 / math.Sqrt(float64(len(set)))
	for name := range set {
		out = append(out, ml.Feature{Name: name, Value: v})
	}
	// Sorted, so that float sums do not depend on map order and training
	// is reproducible.
	slices.SortFunc(out, func(a, b ml.Feature) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func lengthBucket(n int) string {
	switch {
	case n <= 2:
		return "1-2"
	case n <= 4:
		return "3-4"
	case n <= 8:
		return "5-8"
	case n <= 16:
		return "9-16"
	case n <= 32:
		return "17-32"
	}
	return "33+"
}

func isPunctWord(w string) bool {
	for _, r := range w {
		if !zh.IsPunct(r) && !unicode.IsSpace(r) {
			return false
		}
	}
	return true
}
