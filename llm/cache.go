package llm

import (
	"container/list"
	"crypto/sha256"
	"sync"
)

// cacheKey is the sha256 of the model's name, a zero byte and the text.
type cacheKey [sha256.Size]byte

func (e *Embedder) key(text string) cacheKey {
	b := make([]byte, 0, len(e.cfg.Model)+1+len(text))
	b = append(b, e.cfg.Model...)
	b = append(b, 0)
	b = append(b, text...)
	return sha256.Sum256(b)
}

// lru remembers vectors by key, the least recently used going first. It is
// safe for concurrent use; a nil *lru remembers nothing. The vectors it
// holds are never modified.
type lru struct {
	mu    sync.Mutex
	max   int
	ll    *list.List // of *lruItem, most recent first
	items map[cacheKey]*list.Element
}

type lruItem struct {
	key cacheKey
	vec []float32
}

func newLRU(max int) *lru {
	return &lru{max: max, ll: list.New(), items: make(map[cacheKey]*list.Element)}
}

func (c *lru) get(k cacheKey) ([]float32, bool) {
	if c == nil {
		return nil, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		return nil, false
	}
	c.ll.MoveToFront(el)
	return el.Value.(*lruItem).vec, true
}

func (c *lru) put(k cacheKey, v []float32) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		el.Value.(*lruItem).vec = v
		c.ll.MoveToFront(el)
		return
	}
	c.items[k] = c.ll.PushFront(&lruItem{key: k, vec: v})
	if c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.items, old.Value.(*lruItem).key)
	}
}

func (c *lru) len() int {
	if c == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}
