package triage

import (
	"errors"
	"fmt"

	"github.com/daoyi-health/daoyi/intents"
	"github.com/daoyi-health/daoyi/zh"
)

// Trained is the trainable layer: a classifier over labelled patient
// messages (question → department) whose probabilities add evidence to
// the knowledge's scores. A label may stand for several departments (a
// public set's 内科); each of them gets the label's probability.
type Trained struct {
	clf *intents.Classifier
	ids map[string][]string
}

// Labelled is one training message.
type Labelled struct {
	Text  string
	Label string
}

// Train fits the layer. ids maps every label to the catalogue department
// ids it stands for.
func Train(seg *zh.Segmenter, lex *zh.Lexicon, examples []Labelled, ids map[string][]string) (*Trained, error) {
	if len(examples) == 0 {
		return nil, errors.New("triage: no training examples")
	}
	ex := make([]intents.Example, len(examples))
	for i, e := range examples {
		if len(ids[e.Label]) == 0 {
			return nil, fmt.Errorf("triage: training label %q maps to no department", e.Label)
		}
		ex[i] = intents.Example{Text: e.Text, Intent: e.Label}
	}
	clf, err := intents.Train(intents.NewFeaturizer(seg, lex), ex, intents.TrainOptions{})
	if err != nil {
		return nil, err
	}
	return &Trained{clf: clf, ids: ids}, nil
}

// departments returns each department's probability for a message.
func (t *Trained) departments(text string) map[string]float64 {
	out := map[string]float64{}
	for _, s := range t.clf.Predict(text) {
		for _, id := range t.ids[s.Intent] {
			if s.Prob > out[id] {
				out[id] = s.Prob
			}
		}
	}
	return out
}
