// Package zh is daoyi's Chinese text toolkit: normalisation, word
// segmentation with a medical dictionary, lexicon lookup, numbers and
// durations, and negation scope. Everything here is deterministic and safe
// for concurrent use once built.
package zh

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// Normalize puts text into the one form every other step expects:
// NFKC (full-width letters, digits and punctuation become half-width),
// common traditional characters become simplified, ASCII letters are lower
// case, Chinese and ASCII punctuation are unified (the enumeration comma 、
// is kept: it joins list items, which negation scope needs), control and zero-width
// characters are removed and runs of white space become one space. Invalid
// UTF-8 bytes are dropped.
func Normalize(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "")
	}
	s = norm.NFKC.String(s)
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r2, ok := t2s[r]; ok {
			r = r2
		}
		if p, ok := punct[r]; ok {
			r = p
		}
		switch {
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		case r == '\u200b' || r == '\u200c' || r == '\u200d' || r == '\ufeff' || r == '\u00ad':
			continue
		case unicode.IsControl(r) || unicode.Is(unicode.Co, r) || r == utf8.RuneError:
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		if r < utf8.RuneSelf && 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// punct unifies punctuation after NFKC: sentence ends become the ASCII
// forms, pause marks a comma, and the many dashes, quotes and brackets one
// of each.
var punct = map[rune]rune{
	'。': '.', '｡': '.', '？': '?', '！': '!', '，': ',', '；': ';', '：': ':',
	'“': '"', '”': '"', '‘': '\'', '’': '\'', '「': '"', '」': '"', '『': '"', '』': '"',
	'（': '(', '）': ')', '【': '[', '】': ']', '《': '"', '》': '"', '〈': '"', '〉': '"',
	'—': '-', '–': '-', '―': '-', '‐': '-', '～': '~', '〜': '~', '…': '.', '·': ' ', '•': ' ',
}

// IsHan reports whether r is a Chinese character.
func IsHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// HasWords reports whether text contains at least one letter, digit or
// Chinese character — something to read, as opposed to only punctuation,
// symbols or emoji.
func HasWords(text string) bool {
	for _, r := range text {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// IsPunct reports whether r is punctuation or a symbol (emoji included).
func IsPunct(r rune) bool {
	return unicode.IsPunct(r) || unicode.IsSymbol(r) || unicode.IsSpace(r) ||
		unicode.Is(unicode.Mn, r) || r == '\u200d' || r == '\ufe0f'
}

// Compact returns text with all punctuation, symbols and spaces removed —
// the form used to compare two short messages for equality.
func Compact(text string) string {
	var b strings.Builder
	for _, r := range text {
		if !IsPunct(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Truncate returns the first n characters (runes) of s.
func Truncate(s string, n int) string {
	i := 0
	for j := range s {
		if i == n {
			return s[:j]
		}
		i++
	}
	return s
}
