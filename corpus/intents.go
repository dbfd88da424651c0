package corpus

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// ---- Intents ----

// Intent is one thing a message can want, with the examples the local
// classifier learns it from (corpus/intents.yaml).
type Intent struct {
	Name        string   `yaml:"name"`
	Description string   `yaml:"description"`
	Clarify     *Choice  `yaml:"clarify,omitempty"` // the button offered when unsure between intents
	Examples    []string `yaml:"examples"`
}

// Choice is a quick reply: a short label and the message it sends.
type Choice struct {
	Title string `yaml:"title"`
	Text  string `yaml:"text"`
}

// Intents loads and validates the embedded intent examples.
func Intents() ([]Intent, error) {
	b, err := files.ReadFile("intents.yaml")
	if err != nil {
		return nil, err
	}
	return ParseIntents(b)
}

// ParseIntents parses and validates an intents file: names unique and
// lower_snake, at least two intents, every intent with examples, no example
// under two intents, clarify choices short and complete.
func ParseIntents(data []byte) ([]Intent, error) {
	var f struct {
		Intents []Intent `yaml:"intents"`
	}
	if err := decode("intents.yaml", data, &f); err != nil {
		return nil, err
	}
	if len(f.Intents) < 2 {
		return nil, fmt.Errorf("corpus: intents: %d intents, want at least 2", len(f.Intents))
	}
	seen := map[string]bool{}
	owner := map[string]string{}
	for _, in := range f.Intents {
		if in.Name == "" || strings.Trim(in.Name, "abcdefghijklmnopqrstuvwxyz_") != "" {
			return nil, fmt.Errorf("corpus: intents: bad intent name %q", in.Name)
		}
		if seen[in.Name] {
			return nil, fmt.Errorf("corpus: intents: %q appears twice", in.Name)
		}
		seen[in.Name] = true
		if len(in.Examples) == 0 {
			return nil, fmt.Errorf("corpus: intents: %q has no examples", in.Name)
		}
		if c := in.Clarify; c != nil && (c.Title == "" || c.Text == "" || utf8.RuneCountInString(c.Title) > 8) {
			return nil, fmt.Errorf("corpus: intents: %q: clarify needs a title of at most 8 characters and a text", in.Name)
		}
		for _, ex := range in.Examples {
			k := strings.Join(strings.Fields(ex), "")
			if k == "" {
				return nil, fmt.Errorf("corpus: intents: %q has an empty example", in.Name)
			}
			if o, ok := owner[k]; ok && o != in.Name {
				return nil, fmt.Errorf("corpus: intents: example %q is under both %q and %q", ex, o, in.Name)
			}
			owner[k] = in.Name
		}
	}
	return f.Intents, nil
}
