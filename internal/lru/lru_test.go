package lru

import "testing"

func TestCache(t *testing.T) {
	c := New[string, int](2)
	c.Put("a", 1)
	c.Put("b", 2)
	if v, ok := c.Get("a"); !ok || v != 1 { // a is now the most recent
		t.Fatalf("Get(a) = %d, %v", v, ok)
	}
	c.Put("c", 3) // evicts b, the least recent
	if _, ok := c.Get("b"); ok {
		t.Fatal("b survived eviction")
	}
	c.Put("a", 10)
	if v, _ := c.Get("a"); v != 10 || c.Len() != 2 {
		t.Fatalf("after replacing a: Get = %d, Len = %d", v, c.Len())
	}
	c.Clear()
	if _, ok := c.Get("c"); ok || c.Len() != 0 {
		t.Fatal("Clear kept entries")
	}
	var none *Cache[string, int]
	none.Put("x", 1)
	if _, ok := none.Get("x"); ok || none.Len() != 0 {
		t.Fatal("a nil cache remembered something")
	}
}
