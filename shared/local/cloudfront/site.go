// Package cloudfront is the local stand-in for the CloudFront distribution: the web
// app's files served as the bucket behind it serves them, and /api sent to the API.
package cloudfront

import (
	"io"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// Site serves the web app's files the way CloudFront serves them from the bucket:
// a path without a dot is a page of the app and gets index.html (the template's
// SpaRewriteFunction), any other path is a file or a 404. Every answer carries
// headers, the template's ResponseHeadersPolicy. Files are revalidated on each
// load (no-cache with Last-Modified), so an edit under web/ shows on reload.
func Site(files fs.FS, headers http.Header) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, vs := range headers {
			w.Header()[k] = vs
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		name := "index.html"
		if strings.Contains(r.URL.Path, ".") {
			name = strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		}
		f, err := files.Open(name)
		if err != nil {
			http.NotFound(w, r)
			return
		}
		defer f.Close()
		info, err := f.Stat()
		content, seekable := f.(io.ReadSeeker)
		if err != nil || info.IsDir() || !seekable {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		http.ServeContent(w, r, name, info.ModTime(), content)
	})
}

// Distribution sends /api and everything under it to the API and the rest to the
// web app, as the CloudFront distribution's cache behaviours do.
// A path that only cleaning brings under /api (//api/users) goes to the API too, which
// answers it with its JSON 404.
func Distribution(api, web http.Handler) http.Handler {
	isAPI := func(p string) bool { return p == "/api" || strings.HasPrefix(p, "/api/") }
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isAPI(r.URL.Path) || isAPI(path.Clean(r.URL.Path)) {
			api.ServeHTTP(w, r)
			return
		}
		web.ServeHTTP(w, r)
	})
}
