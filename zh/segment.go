package zh

import (
	"strconv"
	"strings"
	"sync"
	"unicode"
	_ "unsafe" // for go:linkname to gse's embedded dictionary

	"github.com/go-ego/gse"
)

// zhS is gse's embedded simplified-Chinese dictionary (word, frequency,
// part of speech per line). gse only loads it whole (2.2 s, 228 MB RSS);
// reading the string lets us load a trimmed copy instead. The name is
// pinned by the gse version in go.mod, and TestDictionaryLoaded fails if it
// ever comes back empty.
//
//go:linkname zhS github.com/go-ego/gse.zhS
var zhS string

// MinWordFreq is the default frequency below which general words of two or
// more characters are left out of the dictionary. 10 keeps 111k of gse's
// 352k words, loads in about 0.5 s and takes about 60 MB instead of 228 MB
// (docs/performance.md); medical words come back through the user words.
const MinWordFreq = 10

// userWordFreq is the frequency given to user (lexicon) words: high enough
// that the path through a medical word wins over general words.
const userWordFreq = 20000

// Segmenter cuts Chinese text into words. It is safe for concurrent use.
type Segmenter struct {
	seg gse.Segmenter
}

// SegmenterOptions configures NewSegmenter.
type SegmenterOptions struct {
	MinFreq   float64  // general words below this frequency are dropped; 0 keeps all
	UserWords []string // domain words to add (lexicon terms and aliases)
}

// NewSegmenter loads gse's dictionary, trimmed by MinFreq, plus the user
// words. Single characters are always kept: they anchor unknown words.
func NewSegmenter(o SegmenterOptions) *Segmenter {
	var b strings.Builder
	b.Grow(len(zhS) / 2)
	rest := zhS
	for len(rest) > 0 {
		line := rest
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = ""
		}
		if o.MinFreq > 0 {
			f := strings.SplitN(line, " ", 3)
			if len(f) < 2 {
				continue
			}
			if strings.Count(f[0], "")-1 > 1 { // more than one rune
				if fr, err := strconv.ParseFloat(f[1], 64); err != nil || fr < o.MinFreq {
					continue
				}
			}
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	uf := strconv.Itoa(userWordFreq)
	for _, w := range o.UserWords {
		w = strings.TrimSpace(w)
		// gse dictionary lines are space separated: a word with a space
		// cannot be added, and the lexicon's multi-word entries are found
		// by the Lexicon matcher instead.
		if w == "" || strings.ContainsFunc(w, unicode.IsSpace) {
			continue
		}
		b.WriteString(Normalize(w))
		b.WriteString(" ")
		b.WriteString(uf)
		b.WriteString(" n\n")
	}
	s := &Segmenter{}
	s.seg.SkipLog = true
	_ = s.seg.LoadDictStr(b.String()) // never fails on a string
	return s
}

// Cut returns the words of text, using the dictionary and, for unknown
// words, gse's HMM. Text should already be normalised.
func (s *Segmenter) Cut(text string) []string {
	return dropSpaces(s.seg.Cut(text, true))
}

// CutSearch returns the words of text plus the shorter dictionary words
// inside long ones (核磁共振 → 核磁, 共振, 磁共振, 核磁共振): the
// search-engine mode used for indexing.
func (s *Segmenter) CutSearch(text string) []string {
	return dropSpaces(s.seg.CutSearch(text, true))
}

func dropSpaces(ws []string) []string {
	out := ws[:0]
	for _, w := range ws {
		if strings.TrimSpace(w) != "" {
			out = append(out, w)
		}
	}
	return out
}

var (
	defaultOnce sync.Once
	defaultSeg  *Segmenter
	defaultLex  *Lexicon
	defaultErr  error
)
