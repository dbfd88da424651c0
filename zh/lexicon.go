package zh

import (
	"fmt"

	"github.com/daoyi-health/daoyi/corpus"
)

// Mention is one lexicon word found in a text.
type Mention struct {
	Term    string // the standard term, e.g. 腹泻
	Type    string // the term's type: symptom, disease, drug, exam, department, body, service, other
	Surface string // the words as written, e.g. 拉肚子
	Start   int    // byte offset in the (normalised) text
	End     int    // byte offset just past the mention
}

// Lexicon finds medical words and their standard terms in text by longest
// match. It is immutable and safe for concurrent use.
type Lexicon struct {
	root  *trieNode
	terms map[string]string // standard term -> type
	size  int
}

type trieNode struct {
	next map[rune]*trieNode
	term string // non-empty when a word ends here
	typ  string
}

// NewLexicon builds a matcher from lexicon entries. Words are normalised
// the same way as text, so 核磁 and 核磁 (full width) match alike.
func NewLexicon(terms []corpus.Term) *Lexicon {
	l := &Lexicon{root: &trieNode{}, terms: map[string]string{}}
	for _, t := range terms {
		l.terms[Normalize(t.Term)] = t.Type
		l.add(t.Term, t.Term, t.Type)
		for _, a := range t.Aliases {
			l.add(a, t.Term, t.Type)
		}
	}
	return l
}

func (l *Lexicon) add(word, term, typ string) {
	word = Normalize(word)
	if word == "" {
		return
	}
	n := l.root
	for _, r := range word {
		if n.next == nil {
			n.next = map[rune]*trieNode{}
		}
		c := n.next[r]
		if c == nil {
			c = &trieNode{}
			n.next[r] = c
		}
		n = c
	}
	if n.term == "" {
		l.size++
	}
	n.term, n.typ = Normalize(term), typ
}

// Len returns the number of words (terms and aliases) the lexicon knows.
func (l *Lexicon) Len() int { return l.size }

// TypeOf returns the type of a standard term.
func (l *Lexicon) TypeOf(term string) (string, bool) {
	t, ok := l.terms[term]
	return t, ok
}

// Lookup returns the standard term and type of a whole word (a term or an
// alias), normalised.
func (l *Lexicon) Lookup(word string) (term, typ string, ok bool) {
	n := l.root
	for _, r := range word {
		n = n.next[r]
		if n == nil {
			return "", "", false
		}
	}
	if n.term == "" {
		return "", "", false
	}
	return n.term, n.typ, true
}

// Find returns the lexicon words in text, leftmost longest first and
// without overlaps. An ASCII word (ct, hp) only matches as a whole word.
func (l *Lexicon) Find(text string) []Mention {
	var out []Mention
	for i := 0; i < len(text); {
		m, ok := l.longestAt(text, i)
		if !ok {
			_, w := firstRune(text[i:])
			i += w
			continue
		}
		out = append(out, m)
		i = m.End
	}
	return out
}

// longestAt returns the longest lexicon word starting at byte i.
func (l *Lexicon) longestAt(text string, i int) (Mention, bool) {
	n := l.root
	end, term, typ := -1, "", ""
	for j, r := range text[i:] {
		n = n.next[r]
		if n == nil {
			break
		}
		if n.term != "" {
			e := i + j + len(string(r))
			if isASCIIWordBoundary(text, i, e) {
				end, term, typ = e, n.term, n.typ
			}
		}
	}
	if end < 0 {
		return Mention{}, false
	}
	return Mention{Term: term, Type: typ, Surface: text[i:end], Start: i, End: end}, true
}

// FindAll returns the lexicon words in text like Find, but a word that
// starts inside an earlier one is kept when it ends beyond it: in 月经期腹痛
// both 月经 and 腹痛 are found, in 头发热 both 头发 and 发热. A word wholly
// inside a longer one (腹痛 in 右下腹痛) is not.
func (l *Lexicon) FindAll(text string) []Mention {
	var out []Mention
	covered := 0 // end of the furthest mention so far
	for i := 0; i < len(text); {
		if m, ok := l.longestAt(text, i); ok && m.End > covered {
			out = append(out, m)
			covered = m.End
		}
		_, w := firstRune(text[i:])
		i += w
	}
	return out
}

// isASCIIWordBoundary rejects a match of ASCII letters glued to other ASCII
// letters ("ct" inside "doctor").
func isASCIIWordBoundary(text string, start, end int) bool {
	isAlnum := func(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' }
	if isAlnum(text[start]) && start > 0 && isAlnum(text[start-1]) {
		return false
	}
	if isAlnum(text[end-1]) && end < len(text) && isAlnum(text[end]) {
		return false
	}
	return true
}

func firstRune(s string) (rune, int) {
	for _, r := range s {
		return r, len(string(r))
	}
	return 0, 1
}

// Words returns every term and alias, for the segmenter's user dictionary.
func lexiconWords(terms []corpus.Term) []string {
	var ws []string
	for _, t := range terms {
		ws = append(ws, t.Term)
		ws = append(ws, t.Aliases...)
	}
	return ws
}

// Default returns the shared segmenter and lexicon built from the embedded
// corpus's core lexicon, loading them on first use (about half a second).
func Default() (*Segmenter, *Lexicon, error) {
	defaultOnce.Do(func() {
		terms, err := corpus.CoreLexicon()
		if err != nil {
			defaultErr = fmt.Errorf("zh: %w", err)
			return
		}
		defaultLex = NewLexicon(terms)
		defaultSeg = NewSegmenter(SegmenterOptions{MinFreq: MinWordFreq, UserWords: lexiconWords(terms)})
	})
	return defaultSeg, defaultLex, defaultErr
}
