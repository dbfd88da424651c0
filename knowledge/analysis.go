package knowledge

import (
	"unicode"

	"github.com/daoyi-health/daoyi/zh"
)

// Analyzer turns Chinese text into what matching needs. It is immutable and
// safe for concurrent use.
type Analyzer struct {
	seg *zh.Segmenter
	lex *zh.Lexicon
}

// NewAnalyzer builds an analyzer from a segmenter and a lexicon.
func NewAnalyzer(seg *zh.Segmenter, lex *zh.Lexicon) *Analyzer {
	return &Analyzer{seg: seg, lex: lex}
}

// DefaultAnalyzer uses the shared segmenter and lexicon of zh.Default.
func DefaultAnalyzer() (*Analyzer, error) {
	seg, lex, err := zh.Default()
	if err != nil {
		return nil, err
	}
	return NewAnalyzer(seg, lex), nil
}

// Analysis is a question taken apart.
type Analysis struct {
	Text   string   // normalised
	Words  []string // content words in order (no stop words, no punctuation; lexicon words as "§"+standard term)
	Tokens []string // index tokens: search-mode content words plus standard terms
	Terms  []Term   // lexicon terms found, with polarity
	QTypes []string // question types (where, cost, can …)
	Focus  []string // content words of the question clause: the last clause that asks something
	Chars  []rune   // content characters (no punctuation, no spaces)
}

// Term is a lexicon term found in a question.
type Term struct {
	Term     string
	Type     string
	Surface  string
	Polarity zh.Polarity
}

// Analyze takes text apart. Empty or unreadable text gives an empty
// Analysis, never an error.
func (an *Analyzer) Analyze(text string) *Analysis {
	a := &Analysis{Text: zh.Normalize(text)}
	if a.Text == "" {
		return a
	}
	seen := map[string]bool{}
	for _, w := range an.seg.Cut(a.Text) {
		if !isContent(w) {
			continue
		}
		// A lexicon word stands for its standard term, so 核磁共振 and
		// 磁共振 are one word to every comparison.
		if term, _, ok := an.lex.Lookup(w); ok {
			w = "§" + term
		}
		if !seen[w] {
			seen[w] = true
			a.Words = append(a.Words, w)
		}
	}
	a.Tokens = an.tokens(a.Text)
	for _, m := range an.lex.Find(a.Text) {
		a.Terms = append(a.Terms, Term{Term: m.Term, Type: m.Type, Surface: m.Surface, Polarity: zh.PolarityAt(a.Text, m.Start)})
	}
	a.QTypes = zh.QuestionTypes(a.Text)
	a.Focus = an.focusWords(a.Text)
	for _, r := range a.Text {
		if !zh.IsPunct(r) {
			a.Chars = append(a.Chars, r)
		}
	}
	return a
}

// focusWords returns the content words of the clause that carries the
// question. Patients tell a story first and ask last ("我爸上周…，现在还能
// 报销吗"): the story's words say little about which answer fits, the
// question clause's words say much.
func (an *Analyzer) focusWords(text string) []string {
	focus, ok := zh.QuestionClause(text)
	if !ok {
		return nil // the whole text is the focus; Words has it
	}
	var out []string
	seen := map[string]bool{}
	for _, w := range an.seg.Cut(focus) {
		if !isContent(w) {
			continue
		}
		if term, _, ok := an.lex.Lookup(w); ok {
			w = "§" + term
		}
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// IndexTokens returns the full-text tokens of text: search-mode words
// without stop words, plus the standard term of every lexicon word (so
// 拉肚子 also indexes 腹泻). The Bleve tokenizer and queries both use it.
func (an *Analyzer) IndexTokens(text string) []string {
	return an.tokens(zh.Normalize(text))
}

func (an *Analyzer) tokens(norm string) []string {
	var out []string
	for _, w := range an.seg.CutSearch(norm) {
		if isContent(w) {
			out = append(out, w)
		}
	}
	for _, m := range an.lex.Find(norm) {
		out = append(out, "§"+m.Term) // a namespace of its own: a term is not a word
	}
	// Character bigrams make full text robust to segmentation that differs
	// between a question and a stored one (能停药 / 能停吗).
	var prev rune
	for _, r := range norm {
		if zh.IsHan(r) && zh.IsHan(prev) {
			out = append(out, "²"+string(prev)+string(r))
		}
		prev = r
	}
	return out
}

// isContent reports whether a word carries topic: not a stop word, not
// punctuation or space.
func isContent(w string) bool {
	if w == "" || zh.IsStopWord(w) {
		return false
	}
	for _, r := range w {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// Empty reports whether the analysis found nothing to search for.
func (a *Analysis) Empty() bool { return len(a.Chars) == 0 }

// termSet returns the standard terms asserted (not denied) in a.
func (a *Analysis) termSet() map[string]string {
	m := make(map[string]string, len(a.Terms))
	for _, t := range a.Terms {
		if t.Polarity != zh.Absent {
			m[t.Term] = t.Type
		}
	}
	return m
}

// hasNegation reports whether a medical term is denied ("没有发烧"). Bare
// negation characters are not enough: 要不要, 找不到 and 能不能 deny nothing.
func (a *Analysis) hasNegation() bool {
	for _, t := range a.Terms {
		if t.Polarity == zh.Absent {
			return true
		}
	}
	return false
}
