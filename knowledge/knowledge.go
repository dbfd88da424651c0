// Package knowledge is the FAQ brain: question-answer pairs, the analysis
// of Chinese questions, full-text and vector retrieval fused together, and
// the calibrated decision whether a stored answer truly answers a
// patient's question. Storage and the full-text engine are adapters
// (sqlite/, knowledge/bleve) behind the interfaces declared here.
package knowledge

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/daoyi-health/daoyi"
)

// Status is where a QA pair stands in review.
type Status string

// Review states. Only approved pairs are answered from.
const (
	Approved Status = "approved"
	Draft    Status = "draft"
	Rejected Status = "rejected"
)

// QAPair is one question with its approved answer.
type QAPair struct {
	ID           string    `json:"id"`
	Question     string    `json:"question"`          // the standard question (标准问)
	Similar      []string  `json:"similar,omitempty"` // paraphrases (相似问法), each indexed on its own
	Answer       string    `json:"answer"`            // returned word for word; may hold {{profile}} placeholders
	Category     string    `json:"category,omitempty"`
	Tags         []string  `json:"tags,omitempty"`
	ArticleID    string    `json:"article_id,omitempty"`
	ArticleTitle string    `json:"article_title,omitempty"`
	Source       string    `json:"source"` // "builtin" for the embedded corpus, "editor" for pairs added later
	Status       Status    `json:"status"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Valid checks what every store requires of a pair: an id, a question
// and an answer.
func (q *QAPair) Valid() error {
	if q.ID == "" || q.Question == "" || q.Answer == "" {
		return daoyi.E(daoyi.Invalid, "a QA pair needs an id, a question and an answer")
	}
	return nil
}

// Questions returns the standard question followed by the similar ones.
func (q *QAPair) Questions() []string {
	return append([]string{q.Question}, q.Similar...)
}

// Store keeps QA pairs. Implementations: sqlite.Store (embedded) and, later,
// postgres.Store.
type Store interface {
	// ListQA returns the approved pairs, ordered by id.
	ListQA(ctx context.Context) ([]QAPair, error)
	// PutQA inserts or replaces pairs by id.
	PutQA(ctx context.Context, qas ...QAPair) error
	// DeleteQA removes pairs by id; missing ids are ignored.
	DeleteQA(ctx context.Context, ids ...string) error
}

// Entry is one indexed text pointing back to its pair: every question of a
// pair, standard or similar, is its own entry, and so is the pair's answer
// (searched separately: a patient's words often appear in the answer
// rather than in any stored question).
type Entry struct {
	ID     string // QAID + "#" + position (0 is the standard question), or QAID + "#a" for the answer
	QAID   string
	Text   string
	Answer bool // the entry is the pair's answer, not a question
}

// Entries lists the entries of the given pairs: questions first, then the
// answer of each pair.
func Entries(qas []QAPair) []Entry {
	var es []Entry
	for i := range qas {
		for j, q := range qas[i].Questions() {
			es = append(es, Entry{ID: fmt.Sprintf("%s#%d", qas[i].ID, j), QAID: qas[i].ID, Text: q})
		}
		es = append(es, Entry{ID: qas[i].ID + "#a", QAID: qas[i].ID, Text: answerDoc(&qas[i]), Answer: true})
	}
	return es
}

// answerDoc is what is indexed as a pair's answer: the article title and
// the tags (an editor's keywords: 押金 for a pair that says 预交金), then
// the answer. The questions are not in it, so that training on the corpus
// can leave one out.
func answerDoc(q *QAPair) string {
	return q.ArticleTitle + "\n" + strings.Join(q.Tags, " ") + "\n" + AnswerText(q.Answer)
}

var placeholderRe = regexp.MustCompile(`\{\{\s*([^{}]*?)\s*\}\}`)

// AnswerText is an answer as indexed: a profile placeholder becomes its
// last key part when that names a place (检验科), and disappears otherwise.
func AnswerText(answer string) string {
	return placeholderRe.ReplaceAllStringFunc(answer, func(m string) string {
		key := placeholderRe.FindStringSubmatch(m)[1]
		last := key[strings.LastIndex(key, ".")+1:]
		for _, r := range last {
			if r > 0x2e80 {
				return last
			}
		}
		return ""
	})
}

// Version is a digest of the pairs' indexed content and answers: an index
// or a trained model built from another version is stale.
func Version(qas []QAPair) string {
	sorted := make([]*QAPair, len(qas))
	for i := range qas {
		sorted[i] = &qas[i]
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].ID < sorted[j].ID })
	h := sha256.New()
	for _, q := range sorted {
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00%s\x00%s\x00%s\x01", q.ID, q.Question,
			strings.Join(q.Similar, "\x02"), q.Answer, q.ArticleTitle, q.Category)
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Scored is an index hit: an entry id and the index's own score.
type Scored struct {
	ID    string
	Score float64
}

// TextIndex is full-text (BM25) search over entries. knowledge/bleve
// implements it.
type TextIndex interface {
	// Version returns the knowledge version the index was built from, or "".
	Version() string
	// Rebuild replaces the whole index with entries and records version.
	Rebuild(ctx context.Context, version string, entries []Entry) error
	// Search returns up to k question entries, or with answers set up to k
	// answer entries, by descending BM25 score, for a query already cut
	// into index tokens (Analysis.Tokens: the same analysis as indexing).
	Search(ctx context.Context, tokens []string, k int, answers bool) ([]Scored, error)
	Close() error
}

// Blobs keeps small named artefacts, such as a trained model, between runs.
type Blobs interface {
	GetBlob(ctx context.Context, key string) ([]byte, error) // nil, nil when absent
	PutBlob(ctx context.Context, key string, value []byte) error
}
