// Package httpapi is the HTTP API: the route table, thin handlers (parse, validate,
// act, respond) and the middleware every route shares. Each Lambda function serves one
// route through Server.Handler; the local gateway serves them all.
package httpapi

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/auth"
	"github.com/kittenasso/kittenasso/shared/metrics"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/secrets"
)

// Server holds what the handlers need. Build it once per process (a Lambda's init).
type Server struct {
	DB          *postgres.DB
	Tokens      auth.Tokens
	CORS        CORS
	Throttle    asso.LoginThrottle
	FrontendURL string
	// MailFrom is the ORGANIZER of the calendar feeds, and its domain that of the
	// events' UIDs, as in the e-mails.
	MailFrom string
	Log      *slog.Logger
	Metrics  metrics.Recorder
	// MailQueue, when set, is checked by /api/health; MailMaxDelay, when set, is how
	// long due mail may wait before health says "degraded".
	MailQueue    interface{ Reachable(context.Context) error }
	MailMaxDelay time.Duration
	// OriginSecret, when set, is the value CloudFront adds to every request it sends to
	// the API (X-Origin-Verify): a request without it did not come through the site
	// and is refused, and only with it is the viewer's address CloudFront forwards
	// believed (the throttles count by it).
	OriginSecret secrets.Source
	// JWTKey, when set, is where Tokens' signing key comes from (a secret, read again
	// after its TTL, or at once when a token fails to verify: it may have rotated).
	JWTKey secrets.Source
	// Pages, when set, keeps the answers of signed-in GETs while the data they were
	// read from is unchanged.
	Pages *PageCache
}

// tokens returns Tokens with the current signing key, to issue a token.
func (s *Server) tokens(ctx context.Context) (auth.Tokens, error) {
	t := s.Tokens
	if s.JWTKey == nil {
		return t, nil
	}
	key, err := s.JWTKey.Value(ctx)
	if err != nil {
		return t, err
	}
	t.Secret = []byte(key)
	return t, nil
}

// Handler serves one route, as its Lambda function does: mounted alone on a ServeMux
// with its pattern (so r.PathValue works), inside the shared middleware.
func (s *Server) Handler(rt Route) http.Handler {
	mux := http.NewServeMux()
	mux.Handle(rt.Pattern(), s.routeHandler(rt))
	return s.envelope(rt.Pattern(), finishBody(JSONMux(mux)))
}

// routeHandler authenticates SignedIn routes, runs the route and renders its error.
func (s *Server) routeHandler(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.OriginSecret != nil {
			viewer, err := s.throughCloudFront(r)
			if err != nil {
				writeError(w, r, s.Log, err)
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), viewerIPKey, viewer))
		}
		if rt.Access == SignedIn {
			u, dataVersion, err := s.authenticate(r)
			if err != nil {
				writeError(w, r, s.Log, err)
				return
			}
			r = r.WithContext(context.WithValue(r.Context(), callerKey, u))
			if info, ok := r.Context().Value(requestInfoKey).(*requestInfo); ok {
				info.userID = u.ID
			}
			if s.Pages.lookUp(r, u, dataVersion) {
				return // finishBody sends the answer found
			}
		}
		if err := rt.handle(s, w, r); err != nil {
			writeError(w, r, s.Log, err)
		}
	})
}

// newVerification makes a fresh verification token and its link to the web app.
func (s *Server) newVerification() (postgres.Verification, error) {
	token, hash, err := auth.NewLinkToken()
	if err != nil {
		return postgres.Verification{}, err
	}
	return postgres.Verification{
		TokenHash: hash,
		Link:      s.FrontendURL + "/verify?t=" + token,
		ExpiresAt: time.Now().Add(asso.VerificationLifetime),
	}, nil
}
