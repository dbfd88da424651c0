package eval

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/daoyi-health/daoyi/knowledge"
	"github.com/daoyi-health/daoyi/zh"
)

// textFields are the fields holding a question or a title in the public
// datasets (CBLUE's JSON arrays, the triage sets' JSONL).
var textFields = []string{"text1", "text2", "query1", "query2", "query", "title", "question", "ask"}

// LoadTexts reads every question-like text (textFields) from the given
// files, JSON arrays or JSONL, and adds each text's clauses (split at
// Chinese and Western punctuation, at least minClause characters), so
// that a few public files give a realistic population of medical
// questions for vector search. Texts are de-duplicated, in file order.
func LoadTexts(paths []string) ([]string, error) {
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		s = strings.TrimSpace(s)
		if utf8.RuneCountInString(s) < minClause || seen[s] {
			return
		}
		seen[s] = true
		out = append(out, s)
	}
	for _, p := range paths {
		rows, err := readRecords(p)
		if err != nil {
			return nil, err
		}
		for _, r := range rows {
			for _, f := range textFields {
				s, _ := r[f].(string)
				if s == "" {
					continue
				}
				s = zh.Truncate(s, 200)
				add(s)
				for _, c := range strings.FieldsFunc(s, isClauseEnd) {
					add(c)
				}
			}
		}
	}
	return out, nil
}

const minClause = 5

func isClauseEnd(r rune) bool { return strings.ContainsRune("，。？！；,.?!;\n", r) }

// readRecords reads a JSON array of objects or JSONL (with "//" comment
// lines).
func readRecords(path string) ([]map[string]any, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	br := bufio.NewReader(f)
	first, err := br.Peek(1)
	for err == nil && (first[0] == ' ' || first[0] == '\n' || first[0] == '\r' || first[0] == '\t' || first[0] == 0xef) {
		if first[0] == 0xef { // a UTF-8 byte order mark
			br.Discard(3)
		} else {
			br.Discard(1)
		}
		first, err = br.Peek(1)
	}
	if err != nil {
		return nil, fmt.Errorf("eval: %s: empty or unreadable: %w", path, err)
	}
	var rows []map[string]any
	if first[0] == '[' {
		if err := json.NewDecoder(br).Decode(&rows); err != nil {
			return nil, fmt.Errorf("eval: %s: not a JSON array of objects: %w", path, err)
		}
		return rows, nil
	}
	return readJSONL[map[string]any](br, path)
}

// VectorIndexUnderTest is one vector index configuration to measure.
type VectorIndexUnderTest struct {
	Name string
	// Open returns the index for a run over n vectors; the embedder's
	// name already differs between sizes, so a persistent index starts
	// a table of its own for each.
	Open func(ctx context.Context, n int) (knowledge.VectorIndex, error)
}

// VectorRun is the measurement of one index at one size.
type VectorRun struct {
	Index     string
	Size      int
	SyncTime  time.Duration // embedding (precomputed: ~0) + storing + index build
	P50, P99  time.Duration // search latency per query, embedding excluded
	RecallAtK float64       // mean share of the exact top k found
}

// VectorReport is the result of RunVectors.
type VectorReport struct {
	Model   string
	Dim     int
	K       int
	Queries int
	Runs    []VectorRun
}

// RunVectors measures vector indexes at each size: the first size texts
// are indexed, and held-out texts (never indexed) are the queries. The
// exact top k, by a full scan in memory, is the reference for recall.
// All texts are embedded once, before any index is timed.
func RunVectors(ctx context.Context, texts []string, emb knowledge.Embedder, sizes []int, queries, k int, indexes []VectorIndexUnderTest) (*VectorReport, error) {
	sort.Ints(sizes)
	if len(sizes) == 0 || sizes[0] <= 0 {
		return nil, fmt.Errorf("eval: no sizes")
	}
	largest := sizes[len(sizes)-1]
	if len(texts) < largest+queries {
		return nil, fmt.Errorf("eval: %d texts, need %d (the largest size) plus %d queries", len(texts), largest, queries)
	}
	rng := rand.New(rand.NewPCG(7, 11))
	texts = append([]string(nil), texts...)
	rng.Shuffle(len(texts), func(i, j int) { texts[i], texts[j] = texts[j], texts[i] })
	pre, err := precompute(ctx, emb, texts[:largest+queries])
	if err != nil {
		return nil, err
	}
	qs := texts[largest : largest+queries]
	rep := &VectorReport{Model: emb.Name(), Dim: emb.Dim(), K: k, Queries: queries}
	for _, n := range sizes {
		entries := make([]knowledge.Entry, n)
		for i := range entries {
			entries[i] = knowledge.Entry{ID: fmt.Sprintf("e%06d#0", i), QAID: fmt.Sprintf("e%06d", i), Text: texts[i]}
		}
		exact := knowledge.NewDenseVectors(emb.Dim())
		ids, vecs := make([]string, n), make([][]float32, n)
		for i, e := range entries {
			ids[i], vecs[i] = e.ID, pre.vecs[e.Text]
		}
		if err := exact.Put(ids, vecs); err != nil {
			return nil, err
		}
		truth := make([]map[string]bool, len(qs))
		for i, q := range qs {
			truth[i] = map[string]bool{}
			for _, h := range exact.Search(pre.vecs[q], k) {
				truth[i][h.ID] = true
			}
		}
		sized := &sizedEmbedder{precomputed: pre, n: n}
		for _, ix := range indexes {
			idx, err := ix.Open(ctx, n)
			if err != nil {
				return nil, fmt.Errorf("eval: %s: %w", ix.Name, err)
			}
			start := time.Now()
			if _, err := idx.Sync(ctx, sized, entries); err != nil {
				return nil, fmt.Errorf("eval: %s at %d: %w", ix.Name, n, err)
			}
			run := VectorRun{Index: ix.Name, Size: n, SyncTime: time.Since(start)}
			lat := make([]time.Duration, len(qs))
			var recall float64
			for i, q := range qs {
				t0 := time.Now()
				hits, err := idx.Search(ctx, pre.vecs[q], k)
				lat[i] = time.Since(t0)
				if err != nil {
					return nil, fmt.Errorf("eval: %s search: %w", ix.Name, err)
				}
				found := 0
				for _, h := range hits {
					if truth[i][h.ID] {
						found++
					}
				}
				recall += float64(found) / float64(len(truth[i]))
			}
			sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
			run.P50, run.P99 = lat[len(lat)/2], lat[min(len(lat)-1, int(math.Ceil(0.99*float64(len(lat))))-1)]
			run.RecallAtK = recall / float64(len(qs))
			rep.Runs = append(rep.Runs, run)
		}
	}
	return rep, nil
}

// precomputed holds every text's vector, embedded once.
type precomputed struct {
	name string
	dim  int
	vecs map[string][]float32
}

func precompute(ctx context.Context, emb knowledge.Embedder, texts []string) (*precomputed, error) {
	p := &precomputed{name: emb.Name(), dim: emb.Dim(), vecs: make(map[string][]float32, len(texts))}
	const batch = 1024
	for i := 0; i < len(texts); i += batch {
		chunk := texts[i:min(i+batch, len(texts))]
		vs, err := emb.Embed(ctx, chunk)
		if err != nil {
			return nil, err
		}
		for j, t := range chunk {
			p.vecs[t] = knowledge.Unit(vs[j])
		}
	}
	return p, nil
}

// sizedEmbedder serves precomputed vectors under a name that includes the
// run's size, so that each size gets a fresh persistent index.
type sizedEmbedder struct {
	*precomputed
	n int
}

func (s *sizedEmbedder) Name() string { return fmt.Sprintf("%s@%d", s.name, s.n) }
func (s *sizedEmbedder) Dim() int     { return s.dim }
func (s *sizedEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		v, ok := s.vecs[t]
		if !ok {
			return nil, fmt.Errorf("eval: text not precomputed")
		}
		out[i] = v
	}
	return out, nil
}

// WriteText prints the report as a table.
func (r *VectorReport) WriteText(w io.Writer) {
	fmt.Fprintf(w, "vectors: %s (%d dimensions), %d held-out queries, recall@%d against an exact scan\n\n", r.Model, r.Dim, r.Queries, r.K)
	fmt.Fprintf(w, "%-28s %9s %12s %10s %10s %10s\n", "index", "vectors", "sync", "p50", "p99", "recall")
	for _, x := range r.Runs {
		fmt.Fprintf(w, "%-28s %9d %12s %10s %10s %10.4f\n", x.Index, x.Size, x.SyncTime.Round(time.Millisecond),
			x.P50.Round(time.Microsecond), x.P99.Round(time.Microsecond), x.RecallAtK)
	}
}

// Metrics flattens the report for --json.
func (r *VectorReport) Metrics() map[string]float64 {
	m := map[string]float64{}
	for _, x := range r.Runs {
		key := fmt.Sprintf("%s@%d.", x.Index, x.Size)
		m[key+"recall"] = x.RecallAtK
		m[key+"p50_ms"] = float64(x.P50.Microseconds()) / 1000
		m[key+"p99_ms"] = float64(x.P99.Microseconds()) / 1000
		m[key+"sync_s"] = x.SyncTime.Seconds()
	}
	return m
}

// LexicalVectors returns the built-in lexical embedder fitted to texts
// and, when project > 0, followed by a fixed random Gaussian projection to
// that many dimensions: dense vectors like a neural model's, keeping the
// lexical neighbourhoods (Johnson–Lindenstrauss). No neural model can be
// installed where daoyi is built; these stand in for one in index
// benchmarks, where what matters is the vectors' shape, not their meaning.
func LexicalVectors(an *knowledge.Analyzer, texts []string, dim, project int) knowledge.Embedder {
	as := make([]*knowledge.Analysis, len(texts))
	for i, t := range texts {
		as[i] = an.Analyze(t)
	}
	e := &lexicalVectors{an: an, lex: knowledge.NewLexicalEmbedder(an, dim).Fit(as), project: project}
	if project > 0 {
		rng := rand.New(rand.NewPCG(3, 5))
		e.matrix = make([]float32, dim*project)
		scale := 1 / math.Sqrt(float64(project))
		for i := range e.matrix {
			e.matrix[i] = float32(rng.NormFloat64() * scale)
		}
	}
	return e
}

type lexicalVectors struct {
	an      *knowledge.Analyzer
	lex     *knowledge.LexicalEmbedder
	project int
	matrix  []float32 // lex.Dim() rows of project columns
}

func (e *lexicalVectors) Name() string {
	if e.project > 0 {
		return fmt.Sprintf("%s-proj%d", e.lex.Name(), e.project)
	}
	return e.lex.Name()
}

func (e *lexicalVectors) Dim() int {
	if e.project > 0 {
		return e.project
	}
	return e.lex.Dim()
}

func (e *lexicalVectors) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		s := e.lex.Sparse(e.an.Analyze(t))
		if e.project == 0 {
			out[i] = e.lex.Dense(s)
			continue
		}
		v := make([]float32, e.project)
		for j, d := range s.Idx {
			row := e.matrix[int(d)*e.project : (int(d)+1)*e.project]
			x := s.Val[j]
			for c := range v {
				v[c] += x * row[c]
			}
		}
		out[i] = knowledge.Unit(v)
	}
	return out, nil
}
