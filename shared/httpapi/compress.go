package httpapi

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"strings"
)

// minCompressBytes: below it, gzip saves too little to be worth its time.
const minCompressBytes = 1024

// compress gzips bodies of at least minCompressBytes for clients that accept gzip.
// The large pages (up to the 4 MB budget) shrink several times over, far under
// Lambda's 6 MB response limit even in base64, and travel faster. Lambda's adapter
// sends the compressed bytes base64-encoded, and API Gateway decodes them.
func compress(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Add("Vary", "Accept-Encoding")
		if !acceptsGzip(headerList(r, "Accept-Encoding")) {
			next.ServeHTTP(w, r)
			return
		}
		buf := &bufferedResponse{header: w.Header(), status: http.StatusOK}
		next.ServeHTTP(buf, r)
		if !buf.wrote {
			return // nothing to answer: the envelope turns that into a 500
		}
		body := buf.body.Bytes()
		if len(body) >= minCompressBytes && w.Header().Get("Content-Encoding") == "" {
			var zipped bytes.Buffer
			zw, _ := gzip.NewWriterLevel(&zipped, gzip.BestSpeed) // the level is valid: no error
			zw.Write(body)
			zw.Close()
			w.Header().Set("Content-Encoding", "gzip")
			body = zipped.Bytes()
		}
		w.WriteHeader(buf.status)
		w.Write(body)
	})
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
