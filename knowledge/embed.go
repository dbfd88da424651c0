package knowledge

import (
	"context"
	"fmt"
	"hash/fnv"
	"math"
	"slices"

	"github.com/daoyi-health/daoyi/zh"
)

// Embedder turns texts into vectors for similarity search.
type Embedder interface {
	// Name identifies the model and its dimension; vectors from different
	// names are not comparable.
	Name() string
	Dim() int
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// LexicalEmbedder is the built-in embedder. It is lexical, not semantic:
// it hashes character unigrams, bigrams and trigrams, segmented words and
// the lexicon's standard terms (so 拉肚子 and 腹泻 share a feature) into a
// fixed number of dimensions, weights them, and normalises the vector. It
// finds questions that share characters and medical terms, tolerates typos
// and word-order changes, and knows nothing of meaning beyond the lexicon.
type LexicalEmbedder struct {
	an  *Analyzer
	dim int
	idf map[string]float64 // feature -> inverse document frequency; nil: all 1
	max float64            // idf of an unseen feature
}

// NewLexicalEmbedder returns a lexical embedder of the given dimension.
func NewLexicalEmbedder(an *Analyzer, dim int) *LexicalEmbedder {
	if dim <= 0 {
		dim = 1024
	}
	return &LexicalEmbedder{an: an, dim: dim}
}

// Fit returns a copy of the embedder that weights each feature by its
// inverse document frequency over the given texts, so that characters and
// words every question shares (怎么, 医院, 可以) count less than the ones
// that tell questions apart. The texts are the indexed questions.
func (e *LexicalEmbedder) Fit(as []*Analysis) *LexicalEmbedder {
	fs := make([]featureList, len(as))
	for i, a := range as {
		fs[i] = e.featureList(a)
	}
	return e.fit(fs)
}

func (e *LexicalEmbedder) fit(fs []featureList) *LexicalEmbedder {
	df := map[string]int{}
	seen := map[string]bool{}
	for _, f := range fs {
		clear(seen)
		for _, x := range f {
			if !seen[x.key] {
				seen[x.key] = true
				df[x.key]++
			}
		}
	}
	n := float64(len(fs))
	f := &LexicalEmbedder{an: e.an, dim: e.dim, idf: make(map[string]float64, len(df)), max: math.Log(1 + n/0.5)}
	for k, c := range df {
		f.idf[k] = math.Log(1 + n/float64(c))
	}
	return f
}

// Name implements Embedder. A fitted embedder's name says so: its vectors
// are only comparable with those of the same fit.
func (e *LexicalEmbedder) Name() string {
	if e.idf != nil {
		return fmt.Sprintf("daoyi-lexical-v2-idf%d-%d", len(e.idf), e.dim)
	}
	return fmt.Sprintf("daoyi-lexical-v2-%d", e.dim)
}

// Dim implements Embedder.
func (e *LexicalEmbedder) Dim() int { return e.dim }

// Embed implements Embedder.
func (e *LexicalEmbedder) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = e.Dense(e.Sparse(e.an.Analyze(t)))
	}
	return out, nil
}

// Feature weights by kind. Bigrams carry most of the signal in Chinese;
// standard terms bridge colloquial and clinical words.
const (
	wUnigram = 0.35
	wBigram  = 1.0
	wTrigram = 0.6
	wWord    = 0.8
	wTerm    = 1.6
	wStop    = 0.15 // multiplier for stop characters and words
)

// SparseVec is a normalised sparse vector: dimension indices, ascending,
// and their values.
type SparseVec struct {
	Idx []int32
	Val []float32
}

// features calls add with every feature of an analysis and its weight
// before idf: character unigrams, bigrams and trigrams, words, and the
// standard terms of lexicon words.
func (e *LexicalEmbedder) features(a *Analysis, add func(key string, w float64)) {
	c := a.Chars
	for i, r := range c {
		w := wUnigram
		if zh.IsStopWord(string(r)) {
			w *= wStop
		}
		add("u"+string(r), w)
		if i+1 < len(c) {
			add("b"+string(c[i:i+2]), wBigram)
		}
		if i+2 < len(c) {
			add("t"+string(c[i:i+3]), wTrigram)
		}
	}
	for _, w := range a.Words {
		add("w"+w, wWord)
	}
	for _, t := range a.Terms {
		if t.Polarity != zh.Absent {
			add("s"+t.Term, wTerm)
		}
	}
}

// feature is one feature of an analysis: its key, weight before idf, and
// the key's hash (which picks the dimension and the sign).
type feature struct {
	key string
	w   float64
	h   uint64
}

type featureList []feature

// featureList lists an analysis's features, hashed once: a knowledge base
// reloaded after a change reuses the lists of the entries that did not
// change.
func (e *LexicalEmbedder) featureList(a *Analysis) featureList {
	var out featureList
	e.features(a, func(key string, w float64) {
		h := fnv.New64a()
		h.Write([]byte(key))
		out = append(out, feature{key: key, w: w, h: h.Sum64()})
	})
	return out
}

// Sparse embeds an analysis as a sparse normalised vector.
func (e *LexicalEmbedder) Sparse(a *Analysis) SparseVec {
	return e.sparse(e.featureList(a))
}

func (e *LexicalEmbedder) sparse(f featureList) SparseVec {
	acc := make(map[int32]float64, len(f))
	for _, x := range f {
		w := x.w
		if e.idf != nil {
			if v, ok := e.idf[x.key]; ok {
				w *= v
			} else {
				w *= e.max
			}
		}
		i := int32(x.h % uint64(e.dim))
		if x.h>>63 == 1 {
			w = -w
		}
		acc[i] += w
	}
	sv := SparseVec{Idx: make([]int32, 0, len(acc)), Val: make([]float32, 0, len(acc))}
	for i := range acc {
		sv.Idx = append(sv.Idx, i)
	}
	slices.Sort(sv.Idx) // in index order, so the norm sums reproducibly
	var norm float64
	for _, i := range sv.Idx {
		norm += acc[i] * acc[i]
	}
	if norm == 0 {
		return SparseVec{}
	}
	norm = math.Sqrt(norm)
	for _, i := range sv.Idx {
		sv.Val = append(sv.Val, float32(acc[i]/norm))
	}
	return sv
}

// Dense expands a sparse vector.
func (e *LexicalEmbedder) Dense(s SparseVec) []float32 {
	d := make([]float32, e.dim)
	for k, i := range s.Idx {
		d[i] = s.Val[k]
	}
	return d
}
