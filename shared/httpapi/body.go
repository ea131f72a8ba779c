package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// minCompressBytes: below it, gzip saves too little to be worth its time.
const minCompressBytes = 1024

// finishBody sees each response whole before it goes, to do two things:
//
//   - Conditional GETs. Every successful GET gets a weak ETag (a hash of its body), and
//     a GET whose If-None-Match names it is answered 304 with no body: browsers and
//     calendar apps read the same lists again and again, and most of the time nothing
//     changed. Cache-Control private, no-cache lets the browser keep its copy but
//     never use it without asking, so a read after a write is never stale.
//   - Compression. Bodies of at least minCompressBytes are gzipped for clients that
//     accept it: the large pages (up to the 4 MB budget) shrink many times over, far
//     under Lambda's 6 MB response limit even in base64. Lambda's adapter sends the
//     gzipped bytes base64-encoded, and API Gateway decodes them.
//
// Holding the body costs at most the page budget, and Lambda buffers it anyway.
func finishBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		r, slot := withPageSlot(r)
		buf := &bufferedResponse{header: w.Header(), status: http.StatusOK}
		next.ServeHTTP(buf, r)
		page := slot.found
		if page == nil {
			if !buf.wrote {
				return // nothing to answer: the envelope turns that into a 500
			}
			page = render(r, buf, slot.cache != nil)
			slot.keep(page)
		}
		page.writeTo(w, r)
	})
}

// renderedPage is a response as it leaves: its body compressed when that is worth it,
// and the headers that describe the body.
type renderedPage struct {
	status int
	header http.Header // only the ones describing the body: see bodyHeaders
	body   []byte
}

// bodyHeaders are the headers a rendered answer keeps: what the handler said about the
// body, and what rendering added.
var bodyHeaders = []string{"Content-Type", "Content-Disposition", "X-Total-Count", "Link", "ETag", "Cache-Control", "Content-Encoding"}

// gzipWriters are reused: a new writer allocates and clears about 1 MB, which was a
// fifth of a cached route's CPU.
var gzipWriters = sync.Pool{New: func() any {
	zw, _ := gzip.NewWriterLevel(nil, gzip.BestSpeed) // a valid level: no error
	return zw
}}

// render finishes a handler's response: an ETag for a successful GET, and gzip. The
// body is not compressed for a 304 that nothing keeps (a calendar app polling its
// feed, say): no one would read it.
func render(r *http.Request, buf *bufferedResponse, kept bool) *renderedPage {
	body := buf.body.Bytes()
	notModified := false
	if r.Method == http.MethodGet && buf.status == http.StatusOK {
		sum := sha256.Sum256(body)
		// Weak: one content is sent in two encodings, gzipped or not.
		etag := `W/"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
		buf.header.Set("ETag", etag)
		buf.header.Set("Cache-Control", "private, no-cache")
		notModified = matches(headerList(r, "If-None-Match"), etag)
	}
	if (kept || !notModified) && len(body) >= minCompressBytes && acceptsGzip(headerList(r, "Accept-Encoding")) {
		var zipped bytes.Buffer
		zw := gzipWriters.Get().(*gzip.Writer)
		zw.Reset(&zipped)
		zw.Write(body)
		zw.Close()
		gzipWriters.Put(zw)
		buf.header.Set("Content-Encoding", "gzip")
		body = zipped.Bytes()
	}
	page := &renderedPage{status: buf.status, header: http.Header{}, body: body}
	for _, name := range bodyHeaders {
		if v := buf.header.Values(name); len(v) > 0 {
			page.header[http.CanonicalHeaderKey(name)] = v
		}
	}
	return page
}

// writeTo sends page, or 304 with no body when the request's If-None-Match names its
// ETag.
func (page *renderedPage) writeTo(w http.ResponseWriter, r *http.Request) {
	for name, v := range page.header {
		w.Header()[name] = slices.Clone(v) // the stored page's own stay as they are
	}
	if etag := page.header.Get("ETag"); etag != "" && matches(headerList(r, "If-None-Match"), etag) {
		w.Header().Del("Content-Type")
		w.Header().Del("Content-Encoding")
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.WriteHeader(page.status)
	w.Write(page.body)
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

// acceptsGzip reports whether an Accept-Encoding value accepts gzip (or anything),
// unless it gives it a quality of zero.
func acceptsGzip(acceptEncoding string) bool {
	for _, item := range strings.Split(acceptEncoding, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(item), ";")
		if coding = strings.ToLower(strings.TrimSpace(coding)); coding != "gzip" && coding != "*" {
			continue
		}
		q := strings.ReplaceAll(params, " ", "")
		return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
	}
	return false
}

// headerList is a comma-separated header whole: Lambda's adapter splits such a header
// into one value per item, and Header.Get would give only the first.
func headerList(r *http.Request, name string) string {
	return strings.Join(r.Header.Values(name), ",")
}

// bufferedResponse holds a response until finishBody has seen it whole.
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
