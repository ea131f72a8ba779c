package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"path"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/auth"
	"github.com/kittenasso/kittenasso/shared/secrets"
)

type ctxKey int

const (
	requestIDKey ctxKey = iota
	callerKey
	requestInfoKey
	viewerIPKey
)

// requestInfo is what every log line of a request says about it: its route, and the
// signed-in user once authentication has run.
type requestInfo struct {
	route  string
	userID int64
}

// logAttrs are the attributes every log line of a request carries.
func logAttrs(r *http.Request) []any {
	attrs := []any{"request_id", RequestID(r.Context()), "method", r.Method, "path", r.URL.Path}
	if info, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
		attrs = append(attrs, "route", info.route, "user_id", info.userID)
	}
	if lc, ok := lambdacontext.FromContext(r.Context()); ok { // in Lambda: its own invocation id too
		attrs = append(attrs, "lambda_request_id", lc.AwsRequestID)
	}
	return attrs
}

// RequestID returns the id of the request being served.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// caller returns the signed-in user; only SignedIn routes have one.
func caller(r *http.Request) asso.User {
	u, _ := r.Context().Value(callerKey).(asso.User)
	return u
}

var validRequestID = regexp.MustCompile(`^[A-Za-z0-9._=-]{1,128}$`)

// withRequestID takes the request id that API Gateway (through lambdahttp) or the
// local gateway put in X-Request-Id, or makes one, and echoes it on the response.
func withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID.MatchString(id) {
			id = NewRequestID()
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), requestIDKey, id)))
	})
}

// NewRequestID returns a random request id.
func NewRequestID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// SecurityHeaders sets the headers every API response carries: JSON is never sniffed, framed or
// allowed to load anything.
func SecurityHeaders(h http.Header) {
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'")
	h.Set("Cache-Control", "no-store")
}

// CORS answers browsers from the configured web origins only.
type CORS struct {
	Origins []string
}

const (
	corsMethods = "GET, POST, PUT, PATCH, DELETE, OPTIONS"
	corsHeaders = "Authorization, Content-Type"
	corsExposed = "X-Total-Count, X-Request-Id, Retry-After, Link, ETag, Content-Disposition"
)

func (c CORS) allowed(origin string) bool {
	return origin != "" && slices.Contains(c.Origins, origin)
}

// Apply sets the CORS headers of an actual (non-preflight) response.
func (c CORS) Apply(w http.ResponseWriter, r *http.Request) {
	w.Header().Add("Vary", "Origin")
	if origin := r.Header.Get("Origin"); c.allowed(origin) {
		w.Header().Set("Access-Control-Allow-Origin", origin)
		w.Header().Set("Access-Control-Expose-Headers", corsExposed)
	}
}

// Preflight answers an OPTIONS preflight: 204 with the allowed methods and headers
// for an allowed origin, 403 otherwise. In AWS, API Gateway's CORS settings (from the
// same list) answer preflights before any function runs.
func (c CORS) Preflight(w http.ResponseWriter, r *http.Request) {
	SecurityHeaders(w.Header())
	w.Header().Add("Vary", "Origin")
	origin := r.Header.Get("Origin")
	if !c.allowed(origin) {
		WriteStatus(w, http.StatusForbidden, "origin_not_allowed", "origin not allowed")
		return
	}
	w.Header().Set("Access-Control-Allow-Origin", origin)
	w.Header().Set("Access-Control-Allow-Methods", corsMethods)
	w.Header().Set("Access-Control-Allow-Headers", corsHeaders)
	w.Header().Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

// trackingWriter remembers whether a status was written.
type trackingWriter struct {
	http.ResponseWriter
	status int
}

func (t *trackingWriter) WriteHeader(status int) {
	if t.status == 0 {
		t.status = status
	}
	t.ResponseWriter.WriteHeader(status)
}

func (t *trackingWriter) Write(b []byte) (int, error) {
	if t.status == 0 {
		t.status = http.StatusOK
	}
	return t.ResponseWriter.Write(b)
}

// envelope is the outer middleware of every route: request id, security and CORS
// headers, metrics and an access log line (with the route pattern, never the raw path,
// as the metric label), panic recovery into a JSON 500, and a guaranteed status (a
// handler that writes nothing would become a 504 behind API Gateway).
func (s *Server) envelope(route string, next http.Handler) http.Handler {
	return withRequestID(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		SecurityHeaders(w.Header())
		s.CORS.Apply(w, r)
		tw := &trackingWriter{ResponseWriter: w}
		info := &requestInfo{route: route}
		r = r.WithContext(context.WithValue(r.Context(), requestInfoKey, info))
		defer func() {
			if p := recover(); p != nil {
				s.Log.ErrorContext(r.Context(), "panic", append(logAttrs(r), "panic", fmt.Sprint(p), "stack", string(debug.Stack()))...)
				if tw.status == 0 {
					writeRaw(tw, http.StatusInternalServerError, InternalErrorBody)
				}
			}
			if tw.status == 0 {
				s.Log.ErrorContext(r.Context(), "handler wrote no response", logAttrs(r)...)
				writeRaw(tw, http.StatusInternalServerError, InternalErrorBody)
			}
			elapsed := time.Since(start)
			s.Metrics.ObserveRequest(route, tw.status, elapsed)
			s.Log.InfoContext(r.Context(), "request", append(logAttrs(r),
				"status", tw.status, "duration_ms", float64(elapsed.Microseconds())/1000)...)
		}()
		next.ServeHTTP(tw, r)
	}))
}

var errUnauthorized = asso.Errorf(asso.EUNAUTHORIZED, "Unauthorized")

// authenticate returns the user of the request's bearer token (the scheme's case does
// not matter, RFC 7235), and the data version (postgres.DB.Authenticate). A token that
// is missing, malformed, badly signed, expired, older than the account's last password
// or e-mail change, or whose user is gone is a 401; the version is checked in the same
// query that reads the user.
func (s *Server) authenticate(r *http.Request) (u asso.User, dataVersion int64, err error) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || len(token) > 4096 {
		return u, 0, errUnauthorized
	}
	id, version, err := s.parseToken(r.Context(), strings.TrimSpace(token))
	switch {
	case errors.Is(err, auth.ErrInvalidToken):
		return u, 0, errUnauthorized
	case err != nil: // the signing key could not be read
		return u, 0, s.keyUnavailable(r, err)
	}
	u, dataVersion, err = s.DB.Authenticate(r.Context(), id, version)
	if asso.ErrorCode(err) == asso.ENOTFOUND {
		return u, 0, errUnauthorized
	}
	return u, dataVersion, err
}

// keyUnavailable logs why the signing key could not be read (Secrets Manager is
// unreachable) and answers a 503.
func (s *Server) keyUnavailable(r *http.Request, cause error) error {
	s.Log.ErrorContext(r.Context(), "signing key unavailable", append(logAttrs(r), "error", cause.Error())...)
	return &asso.Error{Code: asso.EUNAVAILABLE, Message: "the service is busy or down for a moment; try again shortly",
		RetryAfter: unavailableRetryAfter}
}

// parseToken checks a token with the current signing key, and once more with the key
// read again when that fails: the key may have been rotated since it was read.
func (s *Server) parseToken(ctx context.Context, token string) (id int64, version int, err error) {
	if s.JWTKey == nil {
		return s.Tokens.Parse(token)
	}
	err = secrets.WithRotation(ctx, s.JWTKey, func(key string) error {
		tokens := s.Tokens
		tokens.Secret = []byte(key)
		id, version, err = tokens.Parse(token)
		return err
	})
	return id, version, err
}

// statusCapture records what a ServeMux's own 404/405 handler would answer.
type statusCapture struct {
	header http.Header
	status int
}

func (c *statusCapture) Header() http.Header         { return c.header }
func (c *statusCapture) Write(b []byte) (int, error) { return len(b), nil }
func (c *statusCapture) WriteHeader(status int)      { c.status = status }

// JSONMux serves mux, but answers unknown routes (404) and known paths with a wrong
// method (405, with Allow) in the API's JSON error shape instead of ServeMux's text.
func JSONMux(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// ServeMux would redirect a path with //, . or .. to its clean form, in HTML:
		// such a path names no route of the API.
		if !isClean(r.URL.Path) {
			WriteStatus(w, http.StatusNotFound, "no_route", "Cannot "+r.Method+" "+r.URL.Path)
			return
		}
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		c := &statusCapture{header: http.Header{}}
		h.ServeHTTP(c, r)
		if c.status == http.StatusMethodNotAllowed {
			w.Header().Set("Allow", c.header.Get("Allow"))
			WriteStatus(w, http.StatusMethodNotAllowed, "method_not_allowed", "Cannot "+r.Method+" "+r.URL.Path)
			return
		}
		// Everything else, ServeMux's redirects to a cleaned path included, is an unknown route.
		WriteStatus(w, http.StatusNotFound, "no_route", "Cannot "+r.Method+" "+r.URL.Path)
	})
}

// isClean reports whether p is its own clean form (a trailing slash aside).
func isClean(p string) bool {
	clean := path.Clean(p)
	return p == clean || p == clean+"/"
}
