package httpapi

import (
	"container/list"
	"context"
	"net/http"
	"strconv"
	"sync"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// PageCache keeps the finished answers (compressed, with their ETag) of signed-in GET
// requests, in one process (a Lambda environment, or the local gateway), in bounded
// memory, least recently used first out.
//
// An answer is served again only to the same caller, for the same URL and encoding,
// and only while the data version read by the query that authenticated the request
// is the one it was rendered at. Every committed write to a table the documents read
// from increases that version in its own transaction, as it commits (migrations 0006
// and 0013), so an answer is never older than what the database holds when the
// request reads the version:
// a page rendered after a write was stored under the version from before it can only
// be newer than that version says, never older.
type PageCache struct {
	maxBytes int

	mu      sync.Mutex
	bytes   int
	byKey   map[string]*list.Element // of *cachedPage
	recency list.List                // front: most recently used
	hits    int64
	misses  int64
}

// NewPageCache returns a cache holding at most maxBytes of answers and keys.
func NewPageCache(maxBytes int) *PageCache {
	return &PageCache{maxBytes: maxBytes, byKey: map[string]*list.Element{}}
}

// cachedPage is one stored answer.
type cachedPage struct {
	key     string
	version int64
	page    *renderedPage
}

// entryOverhead is what an entry costs besides its key and body: the list element,
// the map slot, the headers.
const entryOverhead = 512

func (e *cachedPage) size() int { return len(e.key) + len(e.page.body) + entryOverhead }

// get returns the answer stored under key at version, if any. One at another version
// is dropped: it can never be served again.
func (c *PageCache) get(key string, version int64) *renderedPage {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.byKey[key]
	if ok && el.Value.(*cachedPage).version == version {
		c.recency.MoveToFront(el)
		c.hits++
		return el.Value.(*cachedPage).page
	}
	if ok {
		c.remove(el)
	}
	c.misses++
	return nil
}

// put stores page under key at version, making room by dropping the least recently
// used answers. An answer larger than an eighth of the cache is not kept: it would
// push out many others.
func (c *PageCache) put(key string, version int64, page *renderedPage) {
	e := &cachedPage{key: key, version: version, page: page}
	if e.size() > c.maxBytes/8 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.byKey[key]; ok {
		c.remove(el)
	}
	for c.bytes+e.size() > c.maxBytes {
		c.remove(c.recency.Back())
	}
	c.byKey[key] = c.recency.PushFront(e)
	c.bytes += e.size()
}

func (c *PageCache) remove(el *list.Element) {
	e := c.recency.Remove(el).(*cachedPage)
	delete(c.byKey, e.key)
	c.bytes -= e.size()
}

// Stats returns how many lookups found an answer, how many did not, and the bytes
// held.
func (c *PageCache) Stats() (hits, misses int64, bytes int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.hits, c.misses, c.bytes
}

// pageSlot is how routeHandler, which knows the caller and the data version, and
// finishBody, which renders the answer, share one request's use of the cache: either
// the answer found, or where to store the one about to be rendered.
type pageSlot struct {
	found   *renderedPage
	cache   *PageCache
	key     string
	version int64
}

type pageSlotKey struct{}

func withPageSlot(r *http.Request) (*http.Request, *pageSlot) {
	slot := &pageSlot{}
	return r.WithContext(context.WithValue(r.Context(), pageSlotKey{}, slot)), slot
}

// lookUp serves a signed-in GET from the cache when it can: it reports whether the
// answer was found (finishBody then writes it). When it was not, the answer rendered
// next is stored.
func (c *PageCache) lookUp(r *http.Request, caller asso.User, dataVersion int64) bool {
	slot, ok := r.Context().Value(pageSlotKey{}).(*pageSlot)
	if c == nil || !ok || r.Method != http.MethodGet {
		return false
	}
	// Everything the answer depends on besides the data: who asks (what they may
	// see), the URL (the query in a canonical order), and the encoding.
	key := strconv.FormatInt(caller.ID, 10) + " " + strconv.FormatBool(acceptsGzip(headerList(r, "Accept-Encoding"))) +
		" " + r.URL.Path + "?" + r.URL.Query().Encode()
	if slot.found = c.get(key, dataVersion); slot.found != nil {
		return true
	}
	slot.cache, slot.key, slot.version = c, key, dataVersion
	return false
}

// keep stores page when the request's slot asks for it.
func (slot *pageSlot) keep(page *renderedPage) {
	if slot.cache != nil && page.status == http.StatusOK {
		slot.cache.put(slot.key, slot.version, page)
	}
}
