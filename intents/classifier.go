package intents

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"

	"github.com/daoyi-health/daoyi/ml"
)

// Example is one labelled message.
type Example struct {
	Text   string `json:"text"`
	Intent string `json:"intent"`
}

// Scored is an intent with its probability.
type Scored struct {
	Intent string  `json:"intent"`
	Prob   float64 `json:"prob"`
}

// TrainOptions tunes Train.
type TrainOptions struct {
	Softmax ml.SoftmaxOptions
	// Folds is the number of cross-validation folds whose held-out scores
	// fit the temperature that calibrates the probabilities (default 3;
	// negative: no calibration, temperature 1).
	Folds int
}

// Classifier is the local intent model: a multinomial logistic regression
// over the Featurizer's features, trained from labelled examples, with
// probabilities calibrated by temperature scaling on held-out folds.
// Immutable; safe for concurrent use.
type Classifier struct {
	feat  *Featurizer
	model *ml.Softmax
}

// Train fits a classifier. The classes are the examples' intents, in order
// of first appearance.
func Train(feat *Featurizer, examples []Example, o TrainOptions) (*Classifier, error) {
	c, _, err := TrainCached(feat, examples, o, nil)
	return c, err
}

// cachedModel is a trained model with the digest of what it was trained
// on: the examples' features and labels and the options.
type cachedModel struct {
	Digest string      `json:"digest"`
	Model  *ml.Softmax `json:"model"`
}

// TrainCached is Train with a cache: cached is a model an earlier call
// returned. When it was trained on exactly the features and labels the
// examples give now (the corpus and the featurizer unchanged), it is used
// as is; otherwise the classifier is trained and returned with the bytes to
// cache (nil when the cached model was used). Training takes about two
// seconds of CPU; checking the cache, the time to featurize the examples.
func TrainCached(feat *Featurizer, examples []Example, o TrainOptions, cached []byte) (*Classifier, []byte, error) {
	if feat == nil {
		return nil, nil, errors.New("intents: no featurizer")
	}
	var classes []string
	index := map[string]int{}
	x := make([][]ml.Feature, len(examples))
	y := make([]int, len(examples))
	for i, ex := range examples {
		if ex.Intent == "" {
			return nil, nil, fmt.Errorf("intents: example %d has no intent", i)
		}
		c, ok := index[ex.Intent]
		if !ok {
			c = len(classes)
			index[ex.Intent] = c
			classes = append(classes, ex.Intent)
		}
		x[i], y[i] = feat.Features(ex.Text), c
	}
	h := sha256.New()
	fmt.Fprintf(h, "%+v\x00%q\x00", o, classes)
	for i := range x {
		fmt.Fprintf(h, "%d", y[i])
		for _, f := range x[i] {
			fmt.Fprintf(h, "\x01%s\x02%g", f.Name, f.Value)
		}
		h.Write([]byte{0})
	}
	digest := hex.EncodeToString(h.Sum(nil))
	var cm cachedModel
	if cached != nil && json.Unmarshal(cached, &cm) == nil && cm.Digest == digest && cm.Model != nil {
		return &Classifier{feat: feat, model: cm.Model}, nil, nil
	}
	cl := &Classifier{feat: feat}
	model, err := ml.TrainSoftmax(x, y, classes, o.Softmax)
	if err != nil {
		return nil, nil, fmt.Errorf("intents: %w", err)
	}
	folds := o.Folds
	if folds == 0 {
		folds = 3
	}
	if folds > 1 && len(examples) >= 2*folds {
		if model.Temperature, err = heldOutTemperature(x, y, classes, folds, o.Softmax); err != nil {
			return nil, nil, err
		}
	}
	cl.model = model
	b, err := json.Marshal(cachedModel{Digest: digest, Model: model})
	if err != nil {
		return nil, nil, err
	}
	return cl, b, nil
}

// heldOutTemperature trains one model per fold on the other folds and fits
// the temperature on the scores of the examples each did not see.
func heldOutTemperature(x [][]ml.Feature, y []int, classes []string, folds int, o ml.SoftmaxOptions) (float64, error) {
	var scores [][]float64
	var labels []int
	for f := range folds {
		var tx [][]ml.Feature
		var ty []int
		var hold []int
		for i := range x {
			if i%folds == f {
				hold = append(hold, i)
			} else {
				tx, ty = append(tx, x[i]), append(ty, y[i])
			}
		}
		m, err := ml.TrainSoftmax(tx, ty, classes, o)
		if err != nil {
			return 0, fmt.Errorf("intents: calibration: %w", err)
		}
		for _, i := range hold {
			scores = append(scores, m.Scores(x[i]))
			labels = append(labels, y[i])
		}
	}
	return ml.FitTemperature(scores, labels), nil
}

// Classes returns the intents the classifier knows.
func (c *Classifier) Classes() []string { return c.model.Classes }

// Temperature returns the fitted calibration temperature.
func (c *Classifier) Temperature() float64 { return c.model.Temperature }

// Predict returns every intent with its probability, most likely first.
func (c *Classifier) Predict(text string) []Scored {
	p := c.model.Probs(c.feat.Features(text))
	out := make([]Scored, len(p))
	for i, v := range p {
		out[i] = Scored{Intent: c.model.Classes[i], Prob: v}
	}
	sort.SliceStable(out, func(a, b int) bool { return out[a].Prob > out[b].Prob })
	return out
}
