// Package bleve is the full-text index of the knowledge base: Bleve with
// BM25 scoring and a Chinese tokenizer (gse words plus the lexicon's
// standard terms) registered in Bleve's registry. It implements
// knowledge.TextIndex.
package bleve

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"sync"

	blevesearch "github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	_ "github.com/blevesearch/bleve/v2/analysis/analyzer/custom" // the "custom" analyzer type
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/registry"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/knowledge"
)

// TokenizerName and AnalyzerName are registered with Bleve.
const (
	TokenizerName = "daoyi_zh"
	AnalyzerName  = "daoyi_zh"
)

// formatVersion changes when the mapping or the tokenizer changes; an index
// of another format is rebuilt.
const formatVersion = "daoyi-bleve-5"

func init() {
	if err := registry.RegisterTokenizer(TokenizerName, newTokenizer); err != nil {
		panic(err)
	}
}

func newTokenizer(map[string]any, *registry.Cache) (analysis.Tokenizer, error) {
	an, err := knowledge.DefaultAnalyzer()
	if err != nil {
		return nil, err
	}
	return tokenizer{an}, nil
}

// tokenizer emits the analyzer's index tokens. Offsets are not used (no
// highlighting), so each token spans its position.
type tokenizer struct{ an *knowledge.Analyzer }

func (t tokenizer) Tokenize(input []byte) analysis.TokenStream {
	words := memo.tokens(t.an, string(input))
	ts := make(analysis.TokenStream, len(words))
	for i, w := range words {
		ts[i] = &analysis.Token{Term: []byte(w), Start: i, End: i + 1, Position: i + 1, Type: analysis.Ideographic}
	}
	return ts
}

// tokenMemo remembers the tokens of the texts indexed lately: a rebuild
// after an editor's change re-tokenizes only the entries that changed. Two
// generations of at most memoSize texts bound its memory; a text used in
// the current generation survives the next rotation.
type tokenMemo struct {
	mu        sync.Mutex
	cur, prev map[string][]string
}

var memo = &tokenMemo{cur: map[string][]string{}}

func (m *tokenMemo) tokens(an *knowledge.Analyzer, text string) []string {
	m.mu.Lock()
	if ts, ok := m.cur[text]; ok {
		m.mu.Unlock()
		return ts
	}
	ts, ok := m.prev[text]
	m.mu.Unlock()
	if !ok {
		ts = an.IndexTokens(text)
	}
	m.mu.Lock()
	if len(m.cur) >= memoSize {
		m.prev, m.cur = m.cur, map[string][]string{}
	}
	m.cur[text] = ts
	m.mu.Unlock()
	return ts
}

// memoSize is a generation's size in texts: a few knowledge bases' worth.
const memoSize = 50000

func newMapping() (mapping.IndexMapping, error) {
	im := blevesearch.NewIndexMapping()
	if err := im.AddCustomAnalyzer(AnalyzerName, map[string]any{
		"type":      "custom",
		"tokenizer": TokenizerName,
	}); err != nil {
		return nil, err
	}
	im.DefaultAnalyzer = AnalyzerName
	im.ScoringModel = index.BM25Scoring
	im.StoreDynamic = false
	im.IndexDynamic = false
	im.DocValuesDynamic = false

	text := blevesearch.NewTextFieldMapping()
	text.Analyzer = AnalyzerName
	text.Store = false
	text.IncludeInAll = false
	text.IncludeTermVectors = false
	text.DocValues = false

	doc := blevesearch.NewDocumentStaticMapping()
	doc.AddFieldMappingsAt(questionField, text)
	doc.AddFieldMappingsAt(answerField, text)
	im.DefaultMapping = doc
	return im, nil
}

// Index is a Bleve index in a directory, or in memory when the directory is
// empty. Safe for concurrent use; Rebuild swaps in a new index atomically.
type Index struct {
	dir string

	mu      sync.RWMutex
	idx     blevesearch.Index
	version string
}

var _ knowledge.TextIndex = (*Index)(nil)

const versionKey = "daoyi_version"

// tieSlack is how many extra hits are fetched to order ties by id.
const tieSlack = 10

// maxBatch is the most entries indexed in one batch (one segment).
const maxBatch = 20000

// Questions and answers are separate fields, so that each has its own term
// statistics and is searched on its own.
const (
	questionField = "q"
	answerField   = "a"
)

// Open opens the index in dir, creating an empty one when there is none or
// when the one there cannot be opened or has another format (it will be
// rebuilt). dir "" keeps the index in memory.
func Open(dir string) (*Index, error) {
	const op = daoyi.Op("bleve.Open")
	x := &Index{dir: dir}
	if dir == "" {
		idx, err := newIndex("")
		if err != nil {
			return nil, daoyi.E(op, err)
		}
		x.idx = idx
		return x, nil
	}
	idx, err := blevesearch.Open(dir)
	if err == nil {
		v, _ := idx.GetInternal([]byte(versionKey))
		if fv, kv, ok := splitVersion(string(v)); ok && fv == formatVersion {
			x.idx, x.version = idx, kv
			return x, nil
		}
		_ = idx.Close()
	}
	// Missing, damaged or of another format: start empty.
	if err := os.RemoveAll(dir); err != nil {
		return nil, daoyi.E(op, err)
	}
	idx, err = newIndex(dir)
	if err != nil {
		return nil, daoyi.E(op, err)
	}
	x.idx = idx
	return x, nil
}

func newIndex(dir string) (blevesearch.Index, error) {
	m, err := newMapping()
	if err != nil {
		return nil, err
	}
	if dir == "" {
		// Scorch without a path keeps its segments in memory; it searches
		// several times faster than NewMemOnly's upsidedown store.
		return blevesearch.NewUsing("", m, scorch.Name, scorch.Name, nil)
	}
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return nil, err
	}
	return blevesearch.New(dir, m)
}

func splitVersion(v string) (format, knowledgeVersion string, ok bool) {
	for i := len(v) - 1; i >= 0; i-- {
		if v[i] == '/' {
			return v[:i], v[i+1:], true
		}
	}
	return "", "", false
}

// Version implements knowledge.TextIndex.
func (x *Index) Version() string {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.version
}

// Rebuild implements knowledge.TextIndex: it builds a new index beside the
// current one and swaps it in, so searches never see a half-built index.
func (x *Index) Rebuild(ctx context.Context, version string, entries []knowledge.Entry) error {
	const op = daoyi.Op("bleve.Rebuild")
	tmp := ""
	if x.dir != "" {
		tmp = x.dir + ".new"
		if err := os.RemoveAll(tmp); err != nil {
			return daoyi.E(op, err)
		}
	}
	idx, err := newIndex(tmp)
	if err != nil {
		return daoyi.E(op, err)
	}
	b := idx.NewBatch()
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			idx.Close()
			return err
		}
		field := questionField
		if e.Answer {
			field = answerField
		}
		if err := b.Index(e.ID, map[string]any{field: e.Text}); err != nil {
			idx.Close()
			return daoyi.E(op, err)
		}
		if b.Size() >= maxBatch {
			if err := idx.Batch(b); err != nil {
				idx.Close()
				return daoyi.E(op, err)
			}
			b.Reset()
		}
	}
	if err := idx.Batch(b); err != nil {
		idx.Close()
		return daoyi.E(op, err)
	}
	// BM25 in Bleve estimates field statistics per segment, so scores
	// depend on how the index happens to be segmented. One segment makes
	// them deterministic: one batch does it for a normal knowledge base,
	// a forced merge for a larger one.
	if len(entries) > maxBatch && tmp != "" {
		if s, ok := idx.Advanced(); ok == nil {
			if sc, ok := s.(*scorch.Scorch); ok {
				if err := sc.ForceMerge(ctx, nil); err != nil {
					idx.Close()
					return daoyi.E(op, err)
				}
			}
		}
	}
	if err := idx.SetInternal([]byte(versionKey), []byte(formatVersion+"/"+version)); err != nil {
		idx.Close()
		return daoyi.E(op, err)
	}

	x.mu.Lock()
	defer x.mu.Unlock()
	if x.dir != "" {
		// Swap directories: close the index in use, move the new one in.
		if err := idx.Close(); err != nil {
			return daoyi.E(op, err)
		}
		if err := x.idx.Close(); err != nil {
			return daoyi.E(op, err)
		}
		old := x.dir + ".old"
		_ = os.RemoveAll(old)
		if err := os.Rename(x.dir, old); err != nil && !errors.Is(err, os.ErrNotExist) {
			return daoyi.E(op, err)
		}
		if err := os.Rename(tmp, x.dir); err != nil {
			return daoyi.E(op, err)
		}
		_ = os.RemoveAll(old)
		idx, err = blevesearch.Open(x.dir)
		if err != nil {
			return daoyi.E(op, err)
		}
	} else if x.idx != nil {
		_ = x.idx.Close()
	}
	x.idx, x.version = idx, version
	return nil
}

// Search implements knowledge.TextIndex.
func (x *Index) Search(ctx context.Context, tokens []string, k int, answers bool) ([]knowledge.Scored, error) {
	field := questionField
	if answers {
		field = answerField
	}
	// The query is the tokens' disjunction, as Bleve's match query would
	// build from the same text, without analysing the text a second time;
	// a token that occurs n times counts n times.
	count := map[string]int{}
	var order []string
	for _, t := range tokens {
		if count[t] == 0 {
			order = append(order, t)
		}
		count[t]++
	}
	if len(order) == 0 {
		return nil, nil
	}
	terms := make([]query.Query, len(order))
	for i, t := range order {
		tq := blevesearch.NewTermQuery(t)
		tq.SetField(field)
		tq.SetBoost(float64(count[t]))
		terms[i] = tq
	}
	q := blevesearch.NewDisjunctionQuery(terms...)
	// Bleve orders equal scores by internal document number, which depends
	// on indexing order, and sums term scores in an order that can change
	// the last bits. Rounding, ordering ties by id, and dropping the last
	// group of equal scores when the request limit may have cut it, makes
	// results the same on every build of the same entries.
	limit := k + tieSlack
	req := blevesearch.NewSearchRequestOptions(q, limit, 0, false)
	x.mu.RLock()
	res, err := x.idx.SearchInContext(ctx, req)
	x.mu.RUnlock()
	if err != nil {
		return nil, daoyi.E(daoyi.Op("bleve.Search"), err)
	}
	out := make([]knowledge.Scored, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = knowledge.Scored{ID: h.ID, Score: math.Round(h.Score*1e9) / 1e9}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Score != out[j].Score {
			return out[i].Score > out[j].Score
		}
		return out[i].ID < out[j].ID
	})
	if len(out) == limit && len(out) > k {
		last := out[len(out)-1].Score
		for len(out) > 0 && out[len(out)-1].Score == last {
			out = out[:len(out)-1]
		}
	}
	if len(out) > k {
		out = out[:k]
	}
	return out, nil
}

// Count returns the number of indexed entries.
func (x *Index) Count() (uint64, error) {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return x.idx.DocCount()
}

// Close implements knowledge.TextIndex.
func (x *Index) Close() error {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.idx == nil {
		return nil
	}
	err := x.idx.Close()
	x.idx = nil
	if err != nil {
		return fmt.Errorf("bleve: close: %w", err)
	}
	return nil
}
