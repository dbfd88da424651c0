package knowledge

import (
	"context"
	"encoding/json"
	"math"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/daoyi-health/daoyi/ml"
	"github.com/daoyi-health/daoyi/zh"
)

// featureVersion changes whenever the features change, so a cached model
// trained on other features is retrained.
const featureVersion = 18

// Matcher is the trained match model. It is learned from the knowledge base
// itself: the similar questions of a pair must match each other
// (positives), and the closest questions of other pairs must not
// (negatives); a question whose own pair is withheld teaches what an
// unanswerable question looks like. No external data is used.
type Matcher struct {
	Version  string `json:"version"`  // knowledge version trained on
	Features int    `json:"features"` // featureVersion
	// Candidate scores one (question, stored question) pair with retrieval
	// signals: P(the stored question's pair answers the question).
	Candidate *ml.Boosted `json:"candidate"`
	// Decision scores the ranked list: P(the top pair answers the question).
	Decision *ml.Logistic `json:"decision"`
	// Known scores the ranked list: P(some pair in the knowledge base
	// answers the question), whether or not it is ranked first. Below its
	// threshold the assistant declines instead of suggesting.
	Known *ml.Logistic `json:"known"`
	// Pair scores two questions alone, without retrieval signals:
	// P(they ask the same thing). Used for question-pair matching.
	Pair *ml.Boosted `json:"pair"`
	// Stats records what the model was trained on.
	Stats TrainStats `json:"stats"`
}

// TrainStats describes a training run.
type TrainStats struct {
	Queries       int     `json:"queries"`
	CandidateRows int     `json:"candidate_rows"`
	Positives     int     `json:"positives"`
	TopAccuracy   float64 `json:"top_accuracy"` // share of answerable training queries ranked right at top
	// Recall is the share of answerable training queries whose pair is
	// among the fused candidates at all; FusedTop the share where fusion
	// alone ranks it first. They bound and baseline TopAccuracy.
	Recall   float64 `json:"recall"`
	FusedTop float64 `json:"fused_top"`
}

// MarshalMatcher and UnmarshalMatcher store a model as JSON.
func MarshalMatcher(m *Matcher) ([]byte, error) { return json.Marshal(m) }

// UnmarshalMatcher reads a model stored by MarshalMatcher.
func UnmarshalMatcher(b []byte) (*Matcher, error) {
	m := &Matcher{}
	if err := json.Unmarshal(b, m); err != nil {
		return nil, err
	}
	if m.Candidate == nil || m.Decision == nil || m.Known == nil || m.Pair == nil {
		return nil, errIncompleteModel
	}
	return m, nil
}

var errIncompleteModel = jsonError("knowledge: stored match model is incomplete")

type jsonError string

func (e jsonError) Error() string { return string(e) }

// candidateFeatureNames name the features of a pair as a candidate answer:
// its best question's features against the query (pairFeatureNames), its
// retrieval signals, its answer's and its centroid's, and how many of its
// questions were found.
var candidateFeatureNames = append(append([]string{}, pairFeatureNames...),
	"bm25_rel", "bm25_found", "bm25_rr", "vec_rr", "cos_rel",
	"ans_rel", "ans_found", "ans_rr", "ans_cos", "ans_cos_rel", "ans_word_recall",
	"max_uncovered_idf", "uncovered_words", "cent_cos", "cent_rel", "cent_rr",
	"focus_recall", "focus_max_uncovered_idf", "focus_uncovered_words", "support")

// featureDirection says how each feature may move the match probability:
// +1 only up (more overlap never makes a match less likely), -1 only down
// (an unmatched medical term never makes it more likely). Features not
// listed are unconstrained.
var featureDirection = map[string]int8{
	"cosine": 1, "char_jaccard": 1, "bigram_dice": 1, "word_recall": 1, "word_precision": 1,
	"term_jaccard": 1, "term_conflict": -1, "qtype_agree": 1, "qtype_disagree": -1, "negation_mismatch": -1,
	"lcs_ratio": 1, "cosine_x_terms": 1, "bm25_rel": 1, "bm25_found": 1, "bm25_rr": 1, "vec_rr": 1, "cos_rel": 1,
	"ans_rel": 1, "ans_found": 1, "ans_rr": 1, "ans_cos": 1, "ans_cos_rel": 1, "ans_word_recall": 1,
	"max_uncovered_idf": -1, "uncovered_words": -1, "cent_cos": 1, "cent_rel": 1, "cent_rr": 1,
	"focus_recall": 1, "focus_max_uncovered_idf": -1, "focus_uncovered_words": -1, "support": 1,
}

func monotone(names []string) []int8 {
	m := make([]int8, len(names))
	for i, n := range names {
		m[i] = featureDirection[n]
	}
	return m
}

// listMax holds the best score of each signal in a candidate list, to
// express each candidate's scores relative to its competitors.
type listMax struct{ bm25, cos, ans, ansCos, cent float64 }

func maxima(cands []candidate) listMax {
	var m listMax
	for _, c := range cands {
		m.bm25 = math.Max(m.bm25, c.bm25)
		m.cos = math.Max(m.cos, c.cos)
		m.ans = math.Max(m.ans, c.ansScore)
		m.ansCos = math.Max(m.ansCos, c.ansCos)
		m.cent = math.Max(m.cent, c.centCos)
	}
	return m
}

// qaFeatures describes a pair from its candidate questions: each feature
// is taken from the question that is best on it (highest for a feature
// that may only raise the match probability, lowest for one that may only
// lower it, from the closest question otherwise). It returns the features
// and the closest question's text.
func qaFeatures(q *prepared, group []candidate, mx listMax, st *state) ([]float64, string) {
	var agg []float64
	closest, best := 0, -1.0
	for i, c := range group {
		f := entryFeatures(q, c, mx, st)
		if f[0] > best {
			closest, best = i, f[0]
		}
		if agg == nil {
			agg = f
			continue
		}
		for k, v := range f {
			switch featureDirection[candidateFeatureNames[k]] {
			case 1:
				agg[k] = math.Max(agg[k], v)
			case -1:
				agg[k] = math.Min(agg[k], v)
			default:
				if i == closest {
					agg[k] = v
				}
			}
		}
	}
	agg = append(agg, math.Min(float64(len(group)), 5))
	return agg, group[closest].e.Text
}

// entryFeatures describes one candidate question (all candidate features
// but the last, support).
func entryFeatures(q *prepared, c candidate, mx listMax, st *state) []float64 {
	f := pairFeatures(q, c.e.p, st.idf.of)
	rel := func(v, m float64) float64 {
		if m <= 0 {
			return 0
		}
		return v / m
	}
	rr := func(rank int) float64 {
		if rank < 0 {
			return 0
		}
		return 1 / float64(1+rank)
	}
	found := func(rank int) float64 {
		if rank < 0 {
			return 0
		}
		return 1
	}
	ansRecall := 0.0
	ap := st.answers[c.e.QAID]
	if ap != nil {
		ansRecall, _ = weightedOverlap(q, ap, st.idf.of)
	}
	// A query word that neither the stored question nor its answer
	// mentions is a topic the pair does not cover (核磁 有辐射吗 against a
	// pair on who cannot have an MRI).
	maxUnc, unc := 0.0, 0
	for _, w := range q.wordSeq {
		if c.e.p.words[w] || (ap != nil && ap.words[w]) {
			continue
		}
		x := st.idf.of(w) / st.idf.max
		maxUnc = math.Max(maxUnc, x)
		if x > 0.5 {
			unc++
		}
	}
	// The same for the question clause alone.
	var fw, fc, fMax float64
	fUnc := 0
	for _, w := range q.focus {
		x := st.idf.of(w) / st.idf.max
		fw += x
		if c.e.p.words[w] || (ap != nil && ap.words[w]) {
			fc += x
			continue
		}
		fMax = math.Max(fMax, x)
		if x > 0.5 {
			fUnc++
		}
	}
	fRecall := 0.0
	if fw > 0 {
		fRecall = fc / fw
	}
	return append(f, rel(c.bm25, mx.bm25), found(c.bm25Rank), rr(c.bm25Rank), rr(c.vecRank), rel(c.cos, mx.cos),
		rel(c.ansScore, mx.ans), found(c.ansRank), rr(c.ansRank), c.ansCos, rel(c.ansCos, mx.ansCos), ansRecall,
		maxUnc, float64(unc), c.centCos, rel(c.centCos, mx.cent), rr(c.centRank),
		fRecall, fMax, float64(fUnc))
}

var decisionFeatureNames = []string{"p1", "p2", "margin", "logit_p1", "top_support",
	"top_query_only_terms", "top_word_recall", "top_cosine", "top_ans_word_recall", "top3_p_sum", "best_word_recall", "query_chars"}

// Indexes into candidateFeatureNames used by the decision features.
var (
	fQueryOnlyTerms = featureIndex("query_only_terms")
	fWordRecall     = featureIndex("word_recall")
	fCosine         = featureIndex("cosine")
	fAnsWordRecall  = featureIndex("ans_word_recall")
)

func featureIndex(name string) int {
	for i, n := range candidateFeatureNames {
		if n == name {
			return i
		}
	}
	panic("knowledge: no feature " + name)
}

// decisionFeatures describe a ranked list for the answer decisions.
func decisionFeatures(q *prepared, ranked []scoredQA) []float64 {
	p1 := ranked[0].p
	p2, sum, bestRecall := 0.0, 0.0, 0.0
	if len(ranked) > 1 {
		p2 = ranked[1].p
	}
	for i, r := range ranked {
		if i < 3 {
			sum += r.p
		}
		bestRecall = math.Max(bestRecall, r.feats[fWordRecall])
	}
	f := ranked[0].feats
	return []float64{p1, p2, p1 - p2, logit(p1), math.Min(float64(ranked[0].n), 5),
		f[fQueryOnlyTerms], f[fWordRecall], f[fCosine], f[fAnsWordRecall], sum, bestRecall,
		math.Log1p(float64(len(q.a.Chars)))}
}

func logit(p float64) float64 {
	p = math.Min(math.Max(p, 1e-6), 1-1e-6)
	return math.Log(p / (1 - p))
}

// trainQuery is one corpus question replayed against the index.
type trainQuery struct {
	qaID     string
	self     string // the entry the query comes from
	answered bool   // the query's own pair was left in (minus the question itself)
	identity bool   // nothing was left out: the query is a stored question
	q        *prepared

	// What the replay found: each candidate pair with its features (in
	// fused order), whether the query's own pair was among the candidates
	// and first by fusion, and a sample of single-question rows for the
	// pair model.
	groups     []scoredQA
	found      bool
	fusedTop   bool
	pairRows   [][]float64
	pairLabels []float64
}

// pairSample keeps the single-question rows of one replay in pairSample:
// the pair model needs far fewer examples than the candidate model.
const pairSample = 2

// replay records a replay's candidates as training rows.
func (j *trainQuery) replay(st *state, cands []candidate, pairRows bool) {
	mx := maxima(cands)
	for i, c := range cands {
		if c.e.QAID == j.qaID {
			j.found, j.fusedTop = true, i == 0
			break
		}
	}
	for _, g := range groupByQA(cands) {
		f, _ := qaFeatures(j.q, g, mx, st)
		j.groups = append(j.groups, scoredQA{qa: st.qas[g[0].e.QAID], feats: f, n: len(g)})
		if !pairRows {
			continue
		}
		label := 0.0
		if g[0].e.QAID == j.qaID {
			label = 1
		}
		for _, c := range g {
			j.pairRows = append(j.pairRows, entryFeatures(j.q, c, mx, st)[:len(pairFeatureNames)])
			j.pairLabels = append(j.pairLabels, label)
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// train learns a Matcher from the loaded knowledge (st, without a model).
func (r *Retriever) train(ctx context.Context, st *state) (*Matcher, error) {
	byQA := st.byQA
	var ids []string
	for id := range st.entries {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	jobs := make([]trainQuery, 0, 3*len(ids))
	for n, id := range ids {
		e := st.entries[id]
		// A stored question asked as is: the models must know an exact
		// match when they see one (leaving one out never shows them one).
		if strings.HasSuffix(id, "#0") {
			jobs = append(jobs, trainQuery{qaID: e.QAID, self: id, answered: true, identity: true, q: e.p})
		}
		jobs = append(jobs, trainQuery{qaID: e.QAID, self: id, answered: true, q: e.p})
		// Withholding every other question's pair gives enough examples of
		// unanswerable questions at half the training time.
		if len(byQA[e.QAID]) > 1 && n%2 == 0 {
			jobs = append(jobs, trainQuery{qaID: e.QAID, self: id, answered: false, q: e.p})
		}
	}
	// Replay every question against the index, in parallel, keeping of
	// each replay only its candidate pairs' features (not the candidates:
	// thousands of replays' candidates would double the memory training
	// needs).
	errs := make([]error, len(jobs))
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w; i < len(jobs); i += workers {
				j := &jobs[i]
				skip := map[string]bool{}
				switch {
				case j.identity:
				case j.answered:
					skip[j.self] = true
				default:
					for _, id := range byQA[j.qaID] {
						skip[id] = true
					}
					skip[j.qaID+"#a"] = true
				}
				cands, err := r.candidates(ctx, st, j.q, skip, nil)
				if err != nil {
					errs[i] = err
					continue
				}
				j.replay(st, cands, i%pairSample == 0)
			}
		}(w)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}

	// Stage 1: the candidate model and the pair model.
	var cx, px [][]float64
	var cy, py []float64
	stats := TrainStats{Queries: len(jobs)}
	for _, j := range jobs {
		for _, g := range j.groups {
			label := 0.0
			if g.qa.ID == j.qaID {
				label = 1
				stats.Positives++
			}
			cx = append(cx, g.feats)
			cy = append(cy, label)
		}
		for k, f := range j.pairRows {
			px = append(px, f)
			py = append(py, j.pairLabels[k])
		}
	}
	stats.CandidateRows = len(cx)
	bo := ml.BoostOptions{Names: candidateFeatureNames, Monotone: monotone(candidateFeatureNames)}
	cand, err := ml.TrainBoosted(cx, cy, bo)
	if err != nil {
		return nil, err
	}
	pair, err := ml.TrainBoosted(px, py, ml.BoostOptions{Trees: 100, Names: pairFeatureNames, Monotone: monotone(pairFeatureNames)})
	if err != nil {
		return nil, err
	}

	// Stage 2: the decision models over the ranked lists.
	var dx [][]float64
	var dy, ky []float64
	answerable, right, found, fusedTop := 0, 0, 0, 0
	for _, j := range jobs {
		if j.answered {
			found += b2i(j.found)
			fusedTop += b2i(j.fusedTop)
		}
		if len(j.groups) == 0 {
			continue
		}
		ranked := make([]scoredQA, len(j.groups))
		for k, g := range j.groups {
			g.p = cand.Prob(g.feats)
			ranked[k] = g
		}
		sort.SliceStable(ranked, func(a, b int) bool { return ranked[a].p > ranked[b].p })
		label := 0.0
		if j.answered && ranked[0].qa.ID == j.qaID {
			label = 1
		}
		if j.answered {
			answerable++
			right += int(label)
		}
		dx = append(dx, decisionFeatures(j.q, ranked))
		dy = append(dy, label)
		known := 0.0
		if j.answered {
			known = 1
		}
		ky = append(ky, known)
	}
	if answerable > 0 {
		stats.TopAccuracy = float64(right) / float64(answerable)
		stats.Recall = float64(found) / float64(answerable)
		stats.FusedTop = float64(fusedTop) / float64(answerable)
	}
	dec, err := ml.TrainLogistic(dx, dy, ml.LogisticOptions{L2: 1, Names: decisionFeatureNames})
	if err != nil {
		return nil, err
	}
	known, err := ml.TrainLogistic(dx, ky, ml.LogisticOptions{L2: 1, Names: decisionFeatureNames})
	if err != nil {
		return nil, err
	}
	return &Matcher{Version: st.version, Features: featureVersion, Candidate: cand, Decision: dec, Known: known, Pair: pair, Stats: stats}, nil
}

// Similarity returns the pair model's probability that two questions ask
// the same thing, using the loaded knowledge's word weights.
func (r *Retriever) Similarity(a, b string) (float64, error) {
	r.mu.RLock()
	st := r.state
	r.mu.RUnlock()
	if st == nil {
		return 0, ErrNotLoaded
	}
	pa := r.an.Analyze(zh.Truncate(a, maxQueryRunes))
	pb := r.an.Analyze(zh.Truncate(b, maxQueryRunes))
	qa, qb := prepare(pa, st.emb.Sparse(pa)), prepare(pb, st.emb.Sparse(pb))
	return st.model.Pair.Prob(pairFeatures(qa, qb, st.idf.of)), nil
}

// Model returns the match model in effect.
func (r *Retriever) Model() *Matcher {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.state == nil {
		return nil
	}
	return r.state.model
}
