package llm

import "crypto/sha256"

// cacheKey is the sha256 of the model's name, a zero byte and the text.
type cacheKey [sha256.Size]byte

func (e *Embedder) key(text string) cacheKey {
	b := make([]byte, 0, len(e.cfg.Model)+1+len(text))
	b = append(b, e.cfg.Model...)
	b = append(b, 0)
	b = append(b, text...)
	return sha256.Sum256(b)
}
