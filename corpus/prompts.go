package corpus

import (
	"fmt"
	"sync"
)

// ---- Prompts ----

// Prompts are the instructions given to a language model when one is
// configured (corpus/prompts.yaml), by name: router, answer.
type Prompts map[string]string

var (
	promptsOnce sync.Once
	prompts     Prompts
	promptsErr  error
)

// LoadPrompts loads the embedded prompts once and checks the ones the code
// uses are there. The result is shared: callers must not change it.
func LoadPrompts() (Prompts, error) {
	promptsOnce.Do(func() {
		b, err := files.ReadFile("prompts.yaml")
		if err != nil {
			promptsErr = err
			return
		}
		var p Prompts
		if err := decode("prompts.yaml", b, &p); err != nil {
			promptsErr = err
			return
		}
		for _, name := range []string{"router", "answer", "polish"} {
			if p[name] == "" {
				promptsErr = fmt.Errorf("corpus: prompts: %q is missing", name)
				return
			}
		}
		prompts = p
	})
	return prompts, promptsErr
}
