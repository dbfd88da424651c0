package bot

import (
	"container/list"
	"sync"
)

// sessionCache keeps recently active sessions in memory so that a turn
// does not reload the event log. It is only a cache: the store is the truth.
type sessionCache struct {
	mu    sync.Mutex
	max   int
	ll    *list.List
	items map[string]*list.Element
}

func newSessionCache(max int) *sessionCache {
	return &sessionCache{max: max, ll: list.New(), items: map[string]*list.Element{}}
}

func (c *sessionCache) get(id string) *Session {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[id]; ok {
		c.ll.MoveToFront(el)
		return el.Value.(*Session)
	}
	return nil
}

func (c *sessionCache) put(s *Session) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[s.ID]; ok {
		el.Value = s
		c.ll.MoveToFront(el)
		return
	}
	c.items[s.ID] = c.ll.PushFront(s)
	for c.ll.Len() > c.max {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.items, old.Value.(*Session).ID)
	}
}

func (c *sessionCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[id]; ok {
		c.ll.Remove(el)
		delete(c.items, id)
	}
}
