package knowledge

import (
	"context"
	"errors"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/daoyi-health/daoyi"
	"github.com/daoyi-health/daoyi/internal/lru"
	"github.com/daoyi-health/daoyi/zh"
)

// Decision is what the retriever advises doing with a question.
type Decision string

// The three tiers of an answer.
const (
	Answer  Decision = "answer"  // a confident match: return its approved answer word for word
	Suggest Decision = "suggest" // a weak match: offer the closest questions as choices
	Decline Decision = "decline" // nothing close: say so honestly and offer staff
)

// Hit is a QA pair found for a question.
type Hit struct {
	QA      *QAPair
	Matched string  // the stored question that matched best
	Score   float64 // calibrated probability that this pair answers the question
}

// Result is the retriever's answer to one question.
type Result struct {
	Decision   Decision
	Confidence float64 // probability that Hits[0] answers the question
	Known      float64 // probability that some pair answers the question
	Hits       []Hit   // best first, at most Config.MaxHits
}

// Config tunes retrieval. Zero values take the defaults.
type Config struct {
	Candidates   int     // entries taken from each index before fusion (30)
	RRFK         float64 // reciprocal-rank-fusion constant (60)
	TextWeight   float64 // weight of the BM25 ranking in fusion (1)
	VectorWeight float64 // weight of the vector ranking in fusion (1)
	AnswerWeight float64 // weight of the answer-text BM25 ranking in fusion (0.5)
	CentreWeight float64 // weight of the pair-centroid ranking in fusion (1)
	Rerank       int     // fused entries scored by the match model (20)
	MaxHits      int     // pairs returned (5)
	AnswerAt     float64 // confidence at or above which the answer is given (0.5)
	KnownAt      float64 // P(the knowledge base can answer) below which the assistant declines (0.5)
	CacheSize    int     // results remembered by normalised question (4096; <0 disables)
	VectorDim    int     // dimension of the lexical embedder (1024)
	// The semantic channel, when an embedding model is configured
	// (UseSemantic): its weight in fusion (1) and how long a question
	// waits for its embedding before being answered without it (1s).
	SemanticWeight  float64
	SemanticTimeout time.Duration
}

func (c *Config) defaults() {
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	defi := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defi(&c.Candidates, 30)
	def(&c.RRFK, 60)
	def(&c.TextWeight, 1)
	def(&c.VectorWeight, 1)
	def(&c.AnswerWeight, 0.5)
	def(&c.CentreWeight, 1)
	defi(&c.Rerank, 20)
	defi(&c.MaxHits, 5)
	def(&c.AnswerAt, 0.5)
	def(&c.KnownAt, 0.5)
	defi(&c.CacheSize, 4096)
	defi(&c.VectorDim, 1024)
	def(&c.SemanticWeight, 1)
	if c.SemanticTimeout == 0 {
		c.SemanticTimeout = time.Second
	}
}

// maxQueryRunes caps the analysed part of a question: the matcher compares
// questions, and no stored question is this long.
const maxQueryRunes = 256

// Retriever answers questions from QA pairs with hybrid retrieval (BM25 and
// lexical vectors fused by reciprocal rank) and a trained match model.
// Safe for concurrent use; Load swaps the knowledge atomically.
type Retriever struct {
	cfg  Config
	an   *Analyzer
	emb  *LexicalEmbedder
	text TextIndex

	mu       sync.RWMutex
	state    *state
	analysed map[string]analysedText     // the loaded entries' analyses, by text
	cache    *lru.Cache[string, *Result] // nil: disabled

	sem *semanticChannel // nil without an embedding model
}

// analysedText is an entry's analysis and its embedding features, kept
// from one load to the next.
type analysedText struct {
	a *Analysis
	f featureList
}

// state is one loaded version of the knowledge.
type state struct {
	version string
	qas     map[string]*QAPair
	entries map[string]*entry    // question entries by id
	byQA    map[string][]string  // question entry ids of each pair, in order
	answers map[string]*prepared // each pair's answer, analysed
	vecs    *MemVectors
	cent    *centroids
	emb     *LexicalEmbedder // fitted to these questions
	idf     wordIDF          // of the questions' words
	model   *Matcher
}

type entry struct {
	Entry
	p *prepared
}

// NewRetriever returns a retriever over a full-text index. Call Load before
// searching.
func NewRetriever(cfg Config, an *Analyzer, text TextIndex) *Retriever {
	cfg.defaults()
	r := &Retriever{cfg: cfg, an: an, emb: NewLexicalEmbedder(an, cfg.VectorDim), text: text}
	if cfg.CacheSize > 0 {
		r.cache = lru.New[string, *Result](cfg.CacheSize)
	}
	return r
}

// Config returns the effective configuration.
func (r *Retriever) Config() Config { return r.cfg }

// Analyzer returns the analyzer in use.
func (r *Retriever) Analyzer() *Analyzer { return r.an }

// Version returns the loaded knowledge version, or "".
func (r *Retriever) Version() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.state == nil {
		return ""
	}
	return r.state.version
}

// Load makes qas the knowledge answered from: it rebuilds the full-text
// index when its version differs and rebuilds the vectors. It uses model
// when it was trained on the same features — even on other knowledge: its
// features are relative, so a model stays good while editors add pairs —
// and trains a new one only when there is none. It returns the model in
// effect; Stale tells whether it was trained on other knowledge (see
// Retrain).
func (r *Retriever) Load(ctx context.Context, qas []QAPair, model *Matcher) (*Matcher, error) {
	const op = daoyi.Op("knowledge.Load")
	version := Version(qas)
	entries := Entries(qas)
	// The full-text index is rebuilt while the vectors are built: the two
	// share nothing but the entries.
	rebuilt := make(chan error, 1)
	if r.text.Version() != version {
		go func() { rebuilt <- r.text.Rebuild(ctx, version, entries) }()
	} else {
		rebuilt <- nil
	}
	waitIndex := func() error {
		if rebuilt == nil {
			return nil
		}
		err := <-rebuilt
		rebuilt = nil
		return err
	}
	defer waitIndex() // never return with a rebuild still running
	st := &state{version: version, qas: map[string]*QAPair{}, entries: map[string]*entry{},
		byQA: map[string][]string{}, answers: map[string]*prepared{}, vecs: NewMemVectors(r.emb.Dim())}
	for i := range qas {
		q := qas[i]
		st.qas[q.ID] = &q
	}
	var ids []string
	var vecs []SparseVec
	df := map[string]int{}
	// Entries unchanged since the last load keep their analysis: an
	// editor's change re-analyses only what changed.
	r.mu.RLock()
	prev := r.analysed
	r.mu.RUnlock()
	analyses := make([]analysedText, len(entries))
	analysed := make(map[string]analysedText, len(entries))
	var questions []featureList
	// Analysis (segmentation above all) is most of a load: spread the texts
	// not analysed before over the cores.
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				x, ok := prev[entries[i].Text]
				if !ok {
					x.a = r.an.Analyze(entries[i].Text)
					x.f = r.emb.featureList(x.a)
				}
				analyses[i] = x
			}
		}()
	}
	for i := range entries {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, e := range entries {
		analysed[e.Text] = analyses[i]
		if !e.Answer {
			questions = append(questions, analyses[i].f)
		}
	}
	st.emb = r.emb.fit(questions)
	for i, e := range entries {
		a := analyses[i].a
		sv := st.emb.sparse(analyses[i].f)
		if e.Answer {
			st.answers[e.QAID] = prepare(a, sv)
			continue
		}
		st.entries[e.ID] = &entry{Entry: e, p: prepare(a, sv)}
		st.byQA[e.QAID] = append(st.byQA[e.QAID], e.ID)
		ids, vecs = append(ids, e.ID), append(vecs, sv)
		for _, w := range uniqueWords(a.Words) {
			df[w]++
		}
	}
	st.vecs.Reset(ids, vecs)
	st.cent = buildCentroids(st, r.emb.Dim())
	st.idf = newWordIDF(df, len(ids))
	if err := waitIndex(); err != nil {
		return nil, daoyi.E(op, err)
	}
	if model == nil || model.Features != featureVersion {
		m, err := r.train(ctx, st)
		if err != nil {
			return nil, daoyi.E(op, err)
		}
		model = m
	}
	st.model = model
	r.mu.Lock()
	r.state, r.analysed = st, analysed
	r.mu.Unlock()
	r.cache.Clear()
	return model, nil
}

func uniqueWords(ws []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range ws {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}

// wordIDF weighs words by inverse document frequency over a set of texts;
// a word none of them uses weighs most.
type wordIDF struct {
	idf map[string]float64
	max float64
}

// newWordIDF weighs the words of df (word → texts using it) among n texts.
func newWordIDF(df map[string]int, n int) wordIDF {
	w := wordIDF{idf: make(map[string]float64, len(df)), max: math.Log((float64(n) + 1) / 0.5)}
	for word, c := range df {
		w.idf[word] = math.Log((float64(n) + 1) / (float64(c) + 0.5))
	}
	return w
}

func (w wordIDF) of(word string) float64 {
	if v, ok := w.idf[word]; ok {
		return v
	}
	return w.max
}

// LoadedVersion returns the version (Version) of the knowledge loaded, or
// "" before Load.
func (r *Retriever) LoadedVersion() string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.state == nil {
		return ""
	}
	return r.state.version
}

// Stale reports whether the model in effect was trained on knowledge other
// than the loaded one.
func (r *Retriever) Stale() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.state != nil && r.state.model.Version != r.state.version
}

// Retrain trains a new model on the loaded knowledge and puts it in effect
// (if the knowledge has not changed meanwhile). It takes seconds and may
// run in the background while Search serves with the old model.
func (r *Retriever) Retrain(ctx context.Context) (*Matcher, error) {
	r.mu.RLock()
	st := r.state
	r.mu.RUnlock()
	if st == nil {
		return nil, ErrNotLoaded
	}
	m, err := r.train(ctx, st)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.state.version != st.version {
		return nil, daoyi.E(daoyi.Conflict, "the knowledge changed during training")
	}
	next := *r.state
	next.model = m
	r.state = &next
	r.cache.Clear()
	return m, nil
}

// ErrNotLoaded is returned by Search before the first Load.
var ErrNotLoaded = errors.New("knowledge: not loaded")

// Search finds the QA pairs that answer text and decides how to use them.
func (r *Retriever) Search(ctx context.Context, text string) (*Result, error) {
	r.mu.RLock()
	st := r.state
	r.mu.RUnlock()
	if st == nil {
		return nil, daoyi.E(daoyi.Op("knowledge.Search"), daoyi.Unavailable, ErrNotLoaded)
	}
	text = zh.Truncate(text, maxQueryRunes)
	// The cache is keyed by the normalised text, checked before the
	// (much dearer) segmentation and analysis.
	// Trailing punctuation changes nothing ("挂号?" is "挂号").
	key := st.version + "\x00" + strings.TrimRightFunc(zh.Normalize(text), zh.IsPunct)
	if res, ok := r.cache.Get(key); ok {
		return res, nil
	}
	a := r.an.Analyze(text)
	if a.Empty() {
		return &Result{Decision: Decline}, nil
	}
	sem := r.startSemantic(ctx, text, r.cfg.Candidates)
	q := prepare(a, st.emb.Sparse(a))
	cands, err := r.candidates(ctx, st, q, nil, sem)
	if err != nil {
		return nil, err
	}
	res := st.decide(r.cfg, q, cands)
	r.cache.Put(key, res)
	return res, nil
}

// candidate is a fused retrieval result with its retrieval signals.
type candidate struct {
	e        *entry
	bm25     float64 // raw BM25 score, 0 if not found by full text
	bm25Rank int     // 0-based; -1 if absent
	cos      float64
	vecRank  int
	ansScore float64 // BM25 of the pair's answer, 0 if not found
	ansRank  int     // -1 if absent
	ansCos   float64 // cosine between the question and the pair's answer
	centCos  float64 // cosine between the question and the pair's centroid
	centRank int     // the pair's rank by centroid cosine
	fused    float64
}

// candidates runs the searches — BM25 over questions, lexical vectors over
// questions, BM25 over answers, pair centroids, and the semantic channel
// when sem gives hits — and fuses them by weighted reciprocal rank.
// Entries in skip are left out (used when training on the corpus itself;
// an answer is skipped as QAID+"#a"). sem may be nil.
func (r *Retriever) candidates(ctx context.Context, st *state, q *prepared, skip map[string]bool, sem func() []Scored) ([]candidate, error) {
	k := r.cfg.Candidates
	textHits, err := r.text.Search(ctx, q.a.Tokens, k+len(skip), false)
	if err != nil {
		return nil, daoyi.E(daoyi.Op("knowledge.Search"), err)
	}
	ansHits, err := r.text.Search(ctx, q.a.Tokens, k+len(skip), true)
	if err != nil {
		return nil, daoyi.E(daoyi.Op("knowledge.Search"), err)
	}
	var skipFn func(string) bool
	if len(skip) > 0 {
		skipFn = func(id string) bool { return skip[id] }
	}
	vecHits := st.vecs.Search(q.vec, k, skipFn)
	byID := map[string]*candidate{}
	var order []*candidate
	get := func(id string) *candidate {
		if c, ok := byID[id]; ok {
			return c
		}
		e := st.entries[id]
		if e == nil || skip[id] {
			return nil
		}
		c := &candidate{e: e, bm25Rank: -1, vecRank: -1, ansRank: -1}
		byID[id] = c
		order = append(order, c)
		return c
	}
	// bringIn makes a pair found through its answer or its centroid a
	// candidate by its first question not skipped, unless one of its
	// questions is a candidate already.
	bringIn := func(qa string) {
		for _, c := range order {
			if c.e.QAID == qa {
				return
			}
		}
		for _, id := range st.byQA[qa] {
			if get(id) != nil {
				return
			}
		}
	}
	rank := 0
	for _, h := range textHits {
		c := get(h.ID)
		if c == nil {
			continue // skipped, or the index is ahead of or behind the loaded state
		}
		c.bm25, c.bm25Rank = h.Score, rank
		c.fused += r.cfg.TextWeight / (r.cfg.RRFK + float64(rank+1))
		rank++
		if rank == k {
			break
		}
	}
	for i, h := range vecHits {
		c := get(h.ID)
		if c == nil {
			continue
		}
		c.vecRank, c.cos = i, h.Score
		c.fused += r.cfg.VectorWeight / (r.cfg.RRFK + float64(i+1))
	}
	if sem != nil {
		rank = 0
		for _, h := range sem() {
			c := get(h.ID)
			if c == nil {
				continue // an entry this replica has not loaded (yet)
			}
			c.fused += r.cfg.SemanticWeight / (r.cfg.RRFK + float64(rank+1))
			rank++
		}
	}
	// An answer hit votes for every candidate question of its pair, and
	// brings in the pair's first question when none is a candidate yet.
	type ans struct {
		score float64
		rank  int
	}
	answered := map[string]ans{}
	rank = 0
	for _, h := range ansHits {
		if skip[h.ID] {
			continue
		}
		qa := strings.TrimSuffix(h.ID, "#a")
		answered[qa] = ans{h.Score, rank}
		bringIn(qa)
		rank++
		if rank == k {
			break
		}
	}
	// Pair centroids: rank every pair, bring in the top ones.
	cent := st.cent.scores(q.vec, st, skip)
	qas := make([]string, 0, len(cent))
	for qa := range cent {
		qas = append(qas, qa)
	}
	sort.Slice(qas, func(i, j int) bool {
		if cent[qas[i]] != cent[qas[j]] {
			return cent[qas[i]] > cent[qas[j]]
		}
		return qas[i] < qas[j]
	})
	centRank := make(map[string]int, k)
	for i, qa := range qas {
		if i == k {
			break
		}
		centRank[qa] = i
		bringIn(qa)
	}
	for _, c := range order {
		if c.vecRank < 0 {
			c.cos = sparseDot(q.vec, c.e.p.vec)
		}
		c.centCos, c.centRank = cent[c.e.QAID], -1
		if cr, ok := centRank[c.e.QAID]; ok {
			c.centRank = cr
			c.fused += r.cfg.CentreWeight / (r.cfg.RRFK + float64(cr+1))
		}
		if a, ok := answered[c.e.QAID]; ok {
			c.ansScore, c.ansRank = a.score, a.rank
			c.fused += r.cfg.AnswerWeight / (r.cfg.RRFK + float64(a.rank+1))
		}
		if ap := st.answers[c.e.QAID]; ap != nil {
			c.ansCos = sparseDot(q.vec, ap.vec)
		}
	}
	sort.SliceStable(order, func(i, j int) bool {
		if order[i].fused != order[j].fused {
			return order[i].fused > order[j].fused
		}
		return order[i].e.ID < order[j].e.ID
	})
	if len(order) > r.cfg.Rerank {
		order = order[:r.cfg.Rerank]
	}
	out := make([]candidate, len(order))
	for i, c := range order {
		out[i] = *c
	}
	return out, nil
}

// scoredQA is a pair, its features against the question and its match
// probability.
type scoredQA struct {
	qa      *QAPair
	matched string
	p       float64
	feats   []float64
	n       int // how many of its questions were candidates
}

// groupByQA gathers candidates by pair, pairs in order of their best
// fused candidate.
func groupByQA(cands []candidate) [][]candidate {
	idx := map[string]int{}
	var out [][]candidate
	for _, c := range cands {
		i, ok := idx[c.e.QAID]
		if !ok {
			i = len(out)
			idx[c.e.QAID] = i
			out = append(out, nil)
		}
		out[i] = append(out[i], c)
	}
	return out
}

// rank scores every candidate pair with the match model, best first.
func (st *state) rank(q *prepared, cands []candidate) []scoredQA {
	if len(cands) == 0 {
		return nil
	}
	mx := maxima(cands)
	var out []scoredQA
	for _, g := range groupByQA(cands) {
		f, matched := qaFeatures(q, g, mx, st)
		out = append(out, scoredQA{qa: st.qas[g[0].e.QAID], matched: matched, p: st.model.Candidate.Prob(f), feats: f, n: len(g)})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].p > out[j].p })
	return out
}

// decide turns ranked pairs into a tiered result.
func (st *state) decide(cfg Config, q *prepared, cands []candidate) *Result {
	ranked := st.rank(q, cands)
	res := &Result{Decision: Decline}
	if len(ranked) == 0 {
		return res
	}
	df := decisionFeatures(q, ranked)
	res.Confidence = st.model.Decision.Prob(df)
	res.Known = st.model.Known.Prob(df)
	// A question asked exactly as stored (ignoring punctuation and spaces)
	// is its pair's, whatever the models say.
	if exact := exactMatch(q, cands); exact != "" {
		for i, r := range ranked {
			if r.qa.ID == exact {
				copy(ranked[1:i+1], ranked[:i])
				ranked[0] = r
				break
			}
		}
		res.Confidence, res.Known = 1, 1
	}
	for i := 0; i < len(ranked) && i < cfg.MaxHits; i++ {
		res.Hits = append(res.Hits, Hit{QA: ranked[i].qa, Matched: ranked[i].matched, Score: ranked[i].p})
	}
	switch {
	case res.Confidence >= cfg.AnswerAt:
		res.Decision = Answer
	case res.Known >= cfg.KnownAt:
		res.Decision = Suggest
	}
	return res
}

// exactMatch returns the pair of a candidate question that is the query
// itself, punctuation and spaces aside, or "".
func exactMatch(q *prepared, cands []candidate) string {
	k := zh.Compact(q.a.Text)
	for _, c := range cands {
		if zh.Compact(c.e.p.a.Text) == k {
			return c.e.QAID
		}
	}
	return ""
}

// Explanation shows why a pair was ranked where it is: its match
// probability and the features behind it, by name.
type Explanation struct {
	QAID     string
	Matched  string
	P        float64
	Features map[string]float64
}

// Explain scores text like Search (bypassing the cache) and returns the
// ranked pairs with their features, and the decision features: for
// `daoyi eval faq --explain` and for tuning.
func (r *Retriever) Explain(ctx context.Context, text string) ([]Explanation, map[string]float64, error) {
	r.mu.RLock()
	st := r.state
	r.mu.RUnlock()
	if st == nil {
		return nil, nil, ErrNotLoaded
	}
	a := r.an.Analyze(zh.Truncate(text, maxQueryRunes))
	q := prepare(a, st.emb.Sparse(a))
	cands, err := r.candidates(ctx, st, q, nil, r.startSemantic(ctx, text, r.cfg.Candidates))
	if err != nil {
		return nil, nil, err
	}
	ranked := st.rank(q, cands)
	var out []Explanation
	for _, s := range ranked {
		e := Explanation{QAID: s.qa.ID, Matched: s.matched, P: s.p, Features: map[string]float64{}}
		for i, v := range s.feats {
			e.Features[candidateFeatureNames[i]] = v
		}
		out = append(out, e)
	}
	dec := map[string]float64{}
	if len(ranked) > 0 {
		for i, v := range decisionFeatures(q, ranked) {
			dec[decisionFeatureNames[i]] = v
		}
	}
	return out, dec, nil
}
