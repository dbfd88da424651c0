package knowledge

import (
	"errors"
	"slices"
	"strings"

	"github.com/daoyi-health/daoyi/ml"
	"github.com/daoyi-health/daoyi/zh"
)

// LabeledPair is two questions and whether they ask the same thing.
type LabeledPair struct {
	A, B string
	Same bool
}

// PairModel decides whether two questions ask the same thing, trained on
// labelled question pairs of a domain (a hospital's own paraphrase
// records, or a public benchmark's training split in an evaluation). It
// adds to the knowledge base's pair features what only labelled pairs can
// teach: which words may differ without changing the question (患者/病人,
// 请问, 能否/可以) and which always change it (西瓜/香蕉, 症状/治疗), learned
// as a sparse logistic regression over the words, characters and question
// types the two questions do not share; and which words play the same
// part (抽烟/喝酒 in "can a diabetic …"), learned as short word vectors
// (ml.Bilinear). No neural network: both are linear in their parameters
// per side. Their out-of-fold scores are stacked with the dense pair
// features in a monotone boosted model, so the output is a probability.
type PairModel struct {
	an    *Analyzer
	emb   *LexicalEmbedder
	idf   wordIDF
	diff  *ml.SparseLogistic
	bil   *ml.Bilinear
	final *ml.Boosted
}

// PairModelOptions tunes TrainPairModel.
type PairModelOptions struct {
	// Folds is how many parts the training pairs are cut into to give the
	// boosted model out-of-fold difference scores (default 5): scores on
	// pairs the difference model was trained on would be overconfident.
	Folds int
	// Boost, Sparse and Bilinear tune the three learners; zero values
	// take the defaults of TrainPairModel.
	Boost    ml.BoostOptions
	Sparse   ml.SparseOptions
	Bilinear ml.BilinearOptions
}

// pairModelFeatureNames are the boosted model's inputs: the pair features
// and the difference model's log-odds.
var pairModelFeatureNames = append(append([]string{}, pairFeatureNames...), "difference_logit", "bilinear_logit")

// TrainPairModel trains a pair model. It needs both same and different
// pairs.
func TrainPairModel(an *Analyzer, pairs []LabeledPair, o PairModelOptions) (*PairModel, error) {
	if o.Folds <= 1 {
		o.Folds = 5
	}
	same := 0
	for _, p := range pairs {
		if p.Same {
			same++
		}
	}
	if len(pairs) < 2*o.Folds || same == 0 || same == len(pairs) {
		return nil, errors.New("knowledge: a pair model needs labelled pairs of both kinds")
	}
	// Analyse every distinct text once; fit word and feature weights to
	// the training texts, as the retriever fits them to its questions.
	analysed := map[string]*Analysis{}
	var all []*Analysis
	for _, p := range pairs {
		for _, t := range []string{p.A, p.B} {
			if _, ok := analysed[t]; !ok {
				a := an.Analyze(zh.Truncate(t, maxQueryRunes))
				analysed[t] = a
				all = append(all, a)
			}
		}
	}
	m := &PairModel{an: an, emb: NewLexicalEmbedder(an, 0).Fit(all)}
	df := map[string]int{}
	for _, a := range all {
		for _, w := range a.Words {
			df[w]++
		}
	}
	m.idf = newWordIDF(df, len(all))

	prep := map[string]*prepared{}
	for t, a := range analysed {
		prep[t] = prepare(a, m.emb.Sparse(a))
	}
	sparse := make([][]ml.Feature, len(pairs))
	dense := make([][]float64, len(pairs))
	y := make([]float64, len(pairs))
	for i, p := range pairs {
		a, b := prep[p.A], prep[p.B]
		sparse[i] = differenceFeatures(a, b)
		dense[i] = pairFeatures(a, b, m.idf.of)
		if p.Same {
			y[i] = 1
		}
	}
	// Defaults measured by 5-fold cross-validation on a public
	// question-pair set (docs/quality.md): a slow sparse learner (its
	// words are many and each is seen rarely) and 32-long word vectors.
	so := o.Sparse
	if so.Seed == 0 {
		so.Seed = 1
	}
	if so.Rate == 0 {
		so.Rate = 0.05
	}
	if o.Bilinear.Seed == 0 {
		o.Bilinear.Seed = 1
	}
	if o.Bilinear.Rate == 0 {
		o.Bilinear.Rate = 0.1
	}
	if o.Bilinear.Dim == 0 {
		o.Bilinear.Dim = 32
	}
	bx := make([]ml.BilinearExample, len(pairs))
	for i, p := range pairs {
		bx[i] = bilinearExample(prep[p.A], prep[p.B])
	}
	// Out-of-fold scores of the two word models for the boosted model.
	for k := range o.Folds {
		var tx [][]ml.Feature
		var tb []ml.BilinearExample
		var ty []float64
		for i := range pairs {
			if i%o.Folds != k {
				tx, tb, ty = append(tx, sparse[i]), append(tb, bx[i]), append(ty, y[i])
			}
		}
		lr, err := ml.TrainSparseLogistic(tx, ty, so)
		if err != nil {
			return nil, err
		}
		bl, err := ml.TrainBilinear(tb, ty, o.Bilinear)
		if err != nil {
			return nil, err
		}
		for i := k; i < len(pairs); i += o.Folds {
			dense[i] = append(dense[i], lr.Score(sparse[i]), bl.Score(bx[i]))
		}
	}
	var err error
	if m.diff, err = ml.TrainSparseLogistic(sparse, y, so); err != nil {
		return nil, err
	}
	if m.bil, err = ml.TrainBilinear(bx, y, o.Bilinear); err != nil {
		return nil, err
	}
	mono := monotone(pairModelFeatureNames)
	mono[len(mono)-1], mono[len(mono)-2] = 1, 1
	bo := o.Boost
	if bo.Trees == 0 {
		bo.Trees = 200
	}
	bo.Names, bo.Monotone = pairModelFeatureNames, mono
	m.final, err = ml.TrainBoosted(dense, y, bo)
	if err != nil {
		return nil, err
	}
	return m, nil
}

// Similarity returns the probability that two questions ask the same
// thing.
func (m *PairModel) Similarity(a, b string) (float64, error) {
	pa := m.an.Analyze(zh.Truncate(a, maxQueryRunes))
	pb := m.an.Analyze(zh.Truncate(b, maxQueryRunes))
	qa, qb := prepare(pa, m.emb.Sparse(pa)), prepare(pb, m.emb.Sparse(pb))
	f := append(pairFeatures(qa, qb, m.idf.of), m.diff.Score(differenceFeatures(qa, qb)), m.bil.Score(bilinearExample(qa, qb)))
	return m.final.Prob(f), nil
}

func bilinearExample(a, b *prepared) ml.BilinearExample {
	return ml.BilinearExample{A: bag(a), B: bag(b)}
}

// bag is a question's words and characters, sorted: characters carry the
// meaning where segmentation splits a word badly (做人|流么).
func bag(p *prepared) []string {
	out := append([]string(nil), p.wordSeq...)
	for r := range p.chars {
		out = append(out, "c:"+string(r))
	}
	slices.Sort(out)
	return out
}

// maxCross bounds the word pairs taken from two questions' differences.
const maxCross = 8

// differenceFeatures describe what two questions do not share, symmetric
// in the two: each word and character found in only one ("d:西瓜"), each
// pair of such words across the two ("x:患者|病人"), the shared words
// ("s:症状"), and the question types of each side ("t:can|how").
func differenceFeatures(a, b *prepared) []ml.Feature {
	var f []ml.Feature
	add := func(name string) { f = append(f, ml.Feature{Name: name, Value: 1}) }
	onlyA, onlyB := minus(a.wordSeq, b.words), minus(b.wordSeq, a.words)
	for _, w := range onlyA {
		add("d:" + w)
	}
	for _, w := range onlyB {
		add("d:" + w)
	}
	for _, w := range a.wordSeq {
		if b.words[w] {
			add("s:" + w)
		}
	}
	for i, x := range onlyA {
		for j, z := range onlyB {
			if i >= maxCross || j >= maxCross {
				break
			}
			if x > z {
				x, z = z, x
			}
			add("x:" + x + "|" + z)
		}
	}
	for r := range a.chars {
		if !b.chars[r] {
			add("c:" + string(r))
		}
	}
	for r := range b.chars {
		if !a.chars[r] {
			add("c:" + string(r))
		}
	}
	for _, t := range a.a.QTypes {
		add("ta:" + t)
	}
	for _, t := range b.a.QTypes {
		add("ta:" + t)
	}
	for _, x := range a.a.QTypes {
		for _, z := range b.a.QTypes {
			if x > z {
				x, z = z, x
			}
			add("tx:" + x + "|" + z)
		}
	}
	ta, tb := strings.Join(a.a.QTypes, ","), strings.Join(b.a.QTypes, ",")
	if ta > tb {
		ta, tb = tb, ta
	}
	add("t:" + ta + "|" + tb)
	if len(onlyA) == 0 && len(onlyB) == 0 {
		add("same_words")
	} else if len(onlyA) == 0 || len(onlyB) == 0 {
		add("subset_words")
	}
	if a.neg != b.neg {
		add("negation_mismatch")
	}
	// Map iteration put the characters in random order; sort for
	// deterministic training.
	slices.SortFunc(f, func(x, z ml.Feature) int { return strings.Compare(x.Name, z.Name) })
	return f
}

// minus returns the words of seq not in set, in order.
func minus(seq []string, set map[string]bool) []string {
	var out []string
	for _, w := range seq {
		if !set[w] {
			out = append(out, w)
		}
	}
	return out
}
