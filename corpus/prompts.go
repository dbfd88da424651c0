package corpus

import "fmt"

// ---- Prompts ----

// Prompts are the instructions given to a language model when one is
// configured (corpus/prompts.yaml), by name: router, answer.
type Prompts map[string]string

// LoadPrompts loads the embedded prompts and checks the ones the code uses
// are there.
func LoadPrompts() (Prompts, error) {
	b, err := files.ReadFile("prompts.yaml")
	if err != nil {
		return nil, err
	}
	var p Prompts
	if err := decode("prompts.yaml", b, &p); err != nil {
		return nil, err
	}
	for _, name := range []string{"router", "answer", "polish"} {
		if p[name] == "" {
			return nil, fmt.Errorf("corpus: prompts: %q is missing", name)
		}
	}
	return p, nil
}
