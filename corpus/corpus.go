// Package corpus embeds the assistant's data — the hospital profile, the
// knowledge articles, the medical lexicon and the assistant's own sentences —
// and loads it into typed values. It holds no behaviour beyond parsing,
// validating and filling profile placeholders; see docs/corpus.md.
package corpus

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"sort"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed *.yaml knowledge/*.yaml lexicon/*.yaml preconsult/*.yaml
var files embed.FS

// FS returns the embedded files, for tools that list or hash them.
func FS() fs.FS { return files }

// Version is a digest of every embedded file. A data directory built from
// another version of the corpus is re-imported and re-indexed.
func Version() string {
	h := sha256.New()
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", p, len(b))
		h.Write(b)
		return nil
	})
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// decode parses YAML strictly: unknown fields are errors, so a typo in a
// field name cannot silently drop data.
func decode(name string, data []byte, v any) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil && err != io.EOF {
		return fmt.Errorf("corpus: %s: %w", name, err)
	}
	return nil
}

// ---- Knowledge ----

// Article groups question-answer pairs under a title that answers cite.
type Article struct {
	ID       string `yaml:"id"`
	Title    string `yaml:"title"`
	Category string `yaml:"category"`
	QA       []QA   `yaml:"qa"`
}

// QA is one question-answer pair as written in the corpus.
type QA struct {
	ID       string   `yaml:"id"`
	Question string   `yaml:"question"`
	Similar  []string `yaml:"similar"`
	Answer   string   `yaml:"answer"`
	Tags     []string `yaml:"tags"`
	Category string   `yaml:"category"`
}

// Categories lists the allowed QA categories.
var Categories = []string{"诊前", "诊中", "诊后", "医保", "检查", "用药", "住院", "疾病科普", "孕产", "儿科"}

var (
	articleIDRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)
	qaIDRe      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*-[0-9]{2,3}$`)
)

// Knowledge loads every embedded knowledge file in name order. Each QA gets
// its article's category when it has none of its own.
func Knowledge() ([]Article, error) {
	names, err := fs.Glob(files, "knowledge/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var all []Article
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, err
		}
		arts, err := ParseKnowledge(path.Base(n), b)
		if err != nil {
			return nil, err
		}
		all = append(all, arts...)
	}
	return all, ValidateKnowledge(all)
}

// ParseKnowledge parses one knowledge file.
func ParseKnowledge(name string, data []byte) ([]Article, error) {
	var doc struct {
		Articles []Article `yaml:"articles"`
	}
	if err := decode(name, data, &doc); err != nil {
		return nil, err
	}
	for i := range doc.Articles {
		a := &doc.Articles[i]
		for j := range a.QA {
			q := &a.QA[j]
			if q.Category == "" {
				q.Category = a.Category
			}
			q.Question = strings.TrimSpace(q.Question)
			q.Answer = strings.TrimSpace(q.Answer)
		}
	}
	return doc.Articles, nil
}

// ValidateKnowledge checks ids, required fields and categories across all
// articles, and reports every problem at once.
func ValidateKnowledge(arts []Article) error {
	var probs []string
	seenA, seenQ := map[string]bool{}, map[string]bool{}
	cats := map[string]bool{}
	for _, c := range Categories {
		cats[c] = true
	}
	for _, a := range arts {
		if !articleIDRe.MatchString(a.ID) {
			probs = append(probs, fmt.Sprintf("article id %q is not lowercase ascii", a.ID))
		}
		if seenA[a.ID] {
			probs = append(probs, fmt.Sprintf("article %q appears twice", a.ID))
		}
		seenA[a.ID] = true
		if a.Title == "" {
			probs = append(probs, fmt.Sprintf("article %q has no title", a.ID))
		}
		for _, q := range a.QA {
			switch {
			case !qaIDRe.MatchString(q.ID):
				probs = append(probs, fmt.Sprintf("qa id %q is malformed", q.ID))
			case seenQ[q.ID]:
				probs = append(probs, fmt.Sprintf("qa %q appears twice", q.ID))
			case q.Question == "" || q.Answer == "":
				probs = append(probs, fmt.Sprintf("qa %q lacks a question or an answer", q.ID))
			case !cats[q.Category]:
				probs = append(probs, fmt.Sprintf("qa %q has unknown category %q", q.ID, q.Category))
			}
			seenQ[q.ID] = true
		}
	}
	if len(probs) > 0 {
		return fmt.Errorf("corpus: %d problems: %s", len(probs), strings.Join(probs, "; "))
	}
	return nil
}

// ---- Lexicon ----

// Term is one lexicon entry: a standard term and the words patients use for it.
type Term struct {
	Term    string   `yaml:"term"`
	Type    string   `yaml:"type"`
	Aliases []string `yaml:"aliases"`
}

// TermTypes lists the allowed lexicon types.
var TermTypes = []string{"symptom", "disease", "drug", "exam", "department", "body", "service", "other"}

// Lexicon loads the embedded medical lexicon: every file in corpus/lexicon,
// validated together (a term once, an alias owned by one term). A later
// file may list a term of lexicon/core.yaml again, with the same type, to
// add aliases that only triage reads (see CoreLexicon).
//
// The files are embedded, so they are read and checked once; callers share
// the result and must not change it.
func Lexicon() ([]Term, error) {
	lexiconOnce.Do(func() { lexiconAll, lexiconCore, lexiconErr = loadLexicon() })
	return lexiconAll, lexiconErr
}

var (
	lexiconOnce             sync.Once
	lexiconAll, lexiconCore []Term
	lexiconErr              error
)

func loadLexicon() (all, core []Term, err error) {
	names, err := fs.Glob(files, "lexicon/*.yaml")
	if err != nil {
		return nil, nil, err
	}
	sort.Slice(names, func(a, b int) bool { // core first, the rest in name order
		return names[a] == "lexicon/core.yaml" || names[b] != "lexicon/core.yaml" && names[a] < names[b]
	})
	inCore := map[string]int{} // core term → index in all
	for _, n := range names {
		b, err := files.ReadFile(n)
		if err != nil {
			return nil, nil, err
		}
		ts, err := parseLexiconFile(n, b)
		if err != nil {
			return nil, nil, err
		}
		if n == "lexicon/core.yaml" {
			core = ts
		}
		for _, t := range ts {
			i, ok := inCore[t.Term]
			switch {
			case n == "lexicon/core.yaml":
				if !ok {
					inCore[t.Term] = len(all)
				}
			case ok && all[i].Type == t.Type:
				all[i].Aliases = append(append([]string(nil), all[i].Aliases...), t.Aliases...)
				continue
			}
			all = append(all, t)
		}
	}
	if err := ValidateLexicon(all); err != nil {
		return nil, nil, err
	}
	return all, core, nil
}

// CoreLexicon returns the general part of the lexicon (lexicon/core.yaml),
// validated with the rest: the words the segmenter, the knowledge
// analyzer and the intent classifier use. The triage files add a
// long tail of conditions, requests and colloquial forms that only triage
// reads; fed to the segmenter and the FAQ analyzer they made FAQ matching
// worse (hit@1 0.920 → 0.905), so they stay out.
func CoreLexicon() ([]Term, error) {
	if _, err := Lexicon(); err != nil {
		return nil, err
	}
	return lexiconCore, nil
}

// ParseLexicon parses and validates one lexicon file.
func ParseLexicon(data []byte) ([]Term, error) {
	ts, err := parseLexiconFile("lexicon", data)
	if err != nil {
		return nil, err
	}
	return ts, ValidateLexicon(ts)
}

func parseLexiconFile(name string, data []byte) ([]Term, error) {
	var doc struct {
		Entries []Term `yaml:"entries"`
	}
	if err := decode(name, data, &doc); err != nil {
		return nil, err
	}
	return doc.Entries, nil
}

// ValidateLexicon checks known types, each term once, and each alias mapping
// to one term only and never being a term itself.
func ValidateLexicon(entries []Term) error {
	types := map[string]bool{}
	for _, t := range TermTypes {
		types[t] = true
	}
	owner := map[string]string{}
	for _, e := range entries {
		if !types[e.Type] {
			return fmt.Errorf("corpus: lexicon: term %q has unknown type %q", e.Term, e.Type)
		}
		if o, ok := owner[e.Term]; ok {
			return fmt.Errorf("corpus: lexicon: %q is both a term and an alias or a term twice (of %q)", e.Term, o)
		}
		owner[e.Term] = e.Term
	}
	for _, e := range entries {
		for _, a := range e.Aliases {
			if o, ok := owner[a]; ok && o != e.Term {
				return fmt.Errorf("corpus: lexicon: alias %q of %q already belongs to %q", a, e.Term, o)
			}
			owner[a] = e.Term
		}
	}
	return nil
}

// ---- The assistant's sentences ----

// ReplyVars are the placeholders that skills fill themselves (the rest come
// from the hospital profile), with stand-in values for checking replies.
var ReplyVars = map[string]string{"name": "-", "where": "-", "terms": "-", "dept": "-", "age": "-", "n": "-", "reason": "-", "total": "-", "label": "-", "text": "-"}

// Replies maps a key such as "faq.decline" to its variants.
type Replies map[string][]string

// LoadReplies loads the embedded replies.
func LoadReplies() (Replies, error) {
	b, err := files.ReadFile("replies.yaml")
	if err != nil {
		return nil, err
	}
	var r Replies
	if err := decode("replies.yaml", b, &r); err != nil {
		return nil, err
	}
	for k, v := range r {
		if len(v) == 0 {
			return nil, fmt.Errorf("corpus: replies: %q has no text", k)
		}
	}
	return r, nil
}

// Pick returns variant n (modulo the number of variants) of key, or "" when
// the key is missing.
func (r Replies) Pick(key string, n int) string {
	v := r[key]
	if len(v) == 0 {
		return ""
	}
	if n < 0 {
		n = -n
	}
	return v[n%len(v)]
}
