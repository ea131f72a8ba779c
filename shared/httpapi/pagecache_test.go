package httpapi

import (
	"fmt"
	"net/http"
	"testing"
)

// TestPageCache: an answer is found only at the version it was stored at; one at
// another version is dropped; the bytes held never pass the bound, the least
// recently used answer leaving first; an answer too large for the cache is not kept.
func TestPageCache(t *testing.T) {
	page := func(n int) *renderedPage {
		return &renderedPage{status: http.StatusOK, header: http.Header{}, body: make([]byte, n)}
	}
	c := NewPageCache(8 * (1000 + entryOverhead + 1))
	c.put("a", 1, page(1000))
	if c.get("a", 1) == nil {
		t.Fatal("a stored answer is not found")
	}
	if c.get("a", 2) != nil {
		t.Fatal("an answer is found at another data version")
	}
	if c.get("a", 1) != nil {
		t.Fatal("an answer from an older version is still held")
	}

	for i := range 8 {
		c.put(fmt.Sprint(i), 1, page(1000))
	}
	c.get("0", 1) // 0 is now the most recently used; 1 is the least
	c.put("8", 1, page(1000))
	if _, _, held := c.Stats(); held > c.maxBytes {
		t.Errorf("holds %d bytes, bound %d", held, c.maxBytes)
	}
	if c.get("1", 1) != nil || c.get("0", 1) == nil || c.get("8", 1) == nil {
		t.Error("the least recently used answer was not the one that left")
	}

	c.put("large", 1, page(c.maxBytes/8))
	if c.get("large", 1) != nil {
		t.Error("an answer larger than an eighth of the cache was kept")
	}
	hits, misses, _ := c.Stats()
	if hits != 4 || misses != 4 {
		t.Errorf("hits %d, misses %d; want 4, 4", hits, misses)
	}
}
