package httpapi

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
)

// conditional gives every successful GET an ETag (a hash of its body) and answers a
// GET whose If-None-Match names the current one with 304 and no body: browsers and
// calendar apps read the same lists again and again, and most of the time nothing
// changed. Cache-Control private, no-cache lets the browser keep its copy but never
// use it without asking, so a read after a write is never stale. The body is needed
// whole to hash it; it is at most the page budget, and Lambda buffers it anyway.
func conditional(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		buf := &bufferedResponse{header: w.Header(), status: http.StatusOK}
		next.ServeHTTP(buf, r)
		if !buf.wrote {
			return // nothing to answer: the envelope turns that into a 500
		}
		if buf.status == http.StatusOK {
			sum := sha256.Sum256(buf.body.Bytes())
			// Weak: the same content may be sent gzipped or not (compress).
			etag := `W/"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
			w.Header().Set("ETag", etag)
			w.Header().Set("Cache-Control", "private, no-cache")
			if matches(headerList(r, "If-None-Match"), etag) {
				w.Header().Del("Content-Type")
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		w.WriteHeader(buf.status)
		w.Write(buf.body.Bytes())
	})
}

// matches reports whether an If-None-Match value names etag, or is *. The comparison
// is weak (RFC 9110 13.1.2): W/ prefixes do not count.
func matches(ifNoneMatch, etag string) bool {
	etag = strings.TrimPrefix(etag, "W/")
	for _, candidate := range strings.Split(ifNoneMatch, ",") {
		candidate = strings.TrimPrefix(strings.TrimSpace(candidate), "W/")
		if candidate == etag || candidate == "*" {
			return true
		}
	}
	return false
}

// bufferedResponse holds a response until conditional has seen it whole.
type bufferedResponse struct {
	header http.Header
	status int
	wrote  bool
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.wrote = true
	return b.body.Write(p)
}

func (b *bufferedResponse) WriteHeader(status int) {
	if !b.wrote {
		b.status, b.wrote = status, true
	}
}
