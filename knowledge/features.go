package knowledge

import (
	"math"
	"slices"

	"github.com/daoyi-health/daoyi/zh"
)

// prepared is an analysed question with the sets that pair features use,
// computed once per indexed entry and once per query.
type prepared struct {
	a       *Analysis
	vec     SparseVec
	chars   map[rune]bool
	bigrams map[string]bool
	words   map[string]bool
	wordSeq []string          // the words, sorted: sums over them are deterministic
	focus   []string          // the question clause's words, sorted (all words for a one-clause question)
	terms   map[string]string // asserted standard term -> type
	neg     bool
}

func prepare(a *Analysis, vec SparseVec) *prepared {
	p := &prepared{a: a, vec: vec, chars: map[rune]bool{}, bigrams: map[string]bool{}, words: map[string]bool{}}
	for i, r := range a.Chars {
		if !zh.IsStopWord(string(r)) {
			p.chars[r] = true
		}
		if i+1 < len(a.Chars) {
			p.bigrams[string(a.Chars[i:i+2])] = true
		}
	}
	for _, w := range a.Words {
		p.words[w] = true
	}
	p.wordSeq = append([]string(nil), a.Words...)
	slices.Sort(p.wordSeq)
	p.focus = p.wordSeq
	if len(a.Focus) > 0 {
		p.focus = append([]string(nil), a.Focus...)
		slices.Sort(p.focus)
	}
	p.terms = a.termSet()
	p.neg = a.hasNegation()
	return p
}

// pairFeatureNames name the features of one (query, stored question) pair.
var pairFeatureNames = []string{
	"cosine", "char_jaccard", "bigram_dice", "word_recall", "word_precision",
	"term_jaccard", "term_conflict", "query_only_terms", "cand_only_terms",
	"qtype_agree", "qtype_disagree", "negation_mismatch", "length_ratio", "lcs_ratio",
	"cosine_x_terms",
}

// pairFeatures compares a query with a stored question. idf weights words.
func pairFeatures(q, c *prepared, idf func(string) float64) []float64 {
	f := make([]float64, 0, len(pairFeatureNames))
	cos := sparseDot(q.vec, c.vec)
	f = append(f, cos)
	f = append(f, jaccardRunes(q.chars, c.chars))
	f = append(f, diceStrings(q.bigrams, c.bigrams))
	rec, prec := weightedOverlap(q, c, idf)
	f = append(f, rec, prec)

	shared, conflict, qOnly, cOnly := 0, 0, 0, 0
	cTypes := map[string]bool{}
	for t, typ := range c.terms {
		if _, ok := q.terms[t]; !ok {
			cOnly++
			cTypes[typ] = true
		}
	}
	for t, typ := range q.terms {
		if _, ok := c.terms[t]; ok {
			shared++
		} else {
			qOnly++
			if cTypes[typ] {
				conflict++
			}
		}
	}
	termJ := 0.0
	if u := shared + qOnly + cOnly; u > 0 {
		termJ = float64(shared) / float64(u)
	}
	f = append(f, termJ, float64(conflict), float64(qOnly), float64(cOnly))

	agree, disagree := 0.0, 0.0
	if len(q.a.QTypes) > 0 && len(c.a.QTypes) > 0 {
		if intersects(q.a.QTypes, c.a.QTypes) {
			agree = 1
		} else {
			disagree = 1
		}
	}
	f = append(f, agree, disagree)
	negMis := 0.0
	if q.neg != c.neg {
		negMis = 1
	}
	f = append(f, negMis)
	lq, lc := float64(len(q.a.Chars)), float64(len(c.a.Chars))
	lr := 0.0
	if lq > 0 && lc > 0 {
		lr = math.Min(lq, lc) / math.Max(lq, lc)
	}
	f = append(f, lr)
	lcs := 0.0
	if m := math.Min(lq, lc); m > 0 {
		lcs = float64(lcsLen(q.a.Chars, c.a.Chars)) / m
	}
	f = append(f, lcs)
	f = append(f, cos*termJ)
	return f
}

// sparseDot is the dot product of two sparse vectors (indices ascending),
// by merging.
func sparseDot(a, b SparseVec) float64 {
	var s float64
	i, j := 0, 0
	for i < len(a.Idx) && j < len(b.Idx) {
		switch {
		case a.Idx[i] < b.Idx[j]:
			i++
		case a.Idx[i] > b.Idx[j]:
			j++
		default:
			s += float64(a.Val[i] * b.Val[j])
			i++
			j++
		}
	}
	return s
}

func jaccardRunes(a, b map[rune]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	in := 0
	for r := range a {
		if b[r] {
			in++
		}
	}
	return float64(in) / float64(len(a)+len(b)-in)
}

func diceStrings(a, b map[string]bool) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	in := 0
	for s := range a {
		if b[s] {
			in++
		}
	}
	return 2 * float64(in) / float64(len(a)+len(b))
}

// weightedOverlap returns the idf-weighted share of a's words found in b
// (recall) and of b's words found in a (precision).
func weightedOverlap(a, b *prepared, idf func(string) float64) (recall, precision float64) {
	var wa, wb, shared float64
	for _, w := range a.wordSeq {
		x := idf(w)
		wa += x
		if b.words[w] {
			shared += x
		}
	}
	for _, w := range b.wordSeq {
		wb += idf(w)
	}
	if wa > 0 {
		recall = shared / wa
	}
	if wb > 0 {
		precision = shared / wb
	}
	return
}

func intersects(a, b []string) bool {
	for _, x := range a {
		for _, y := range b {
			if x == y {
				return true
			}
		}
	}
	return false
}

// lcsLen is the length of the longest common subsequence of two rune
// slices (both short: questions are capped before analysis).
func lcsLen(a, b []rune) int {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			switch {
			case a[i-1] == b[j-1]:
				cur[j] = prev[j-1] + 1
			case prev[j] >= cur[j-1]:
				cur[j] = prev[j]
			default:
				cur[j] = cur[j-1]
			}
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
