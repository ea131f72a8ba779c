package httpapi

import (
	"context"
	_ "embed"
	"net/http"
	"time"
)

// APIVersion is the API's version, also the OpenAPI document's info.version.
const APIVersion = "1.0.0"

//go:embed openapi.json
var openAPIDocument []byte

func (s *Server) apiInfo(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, http.StatusOK, map[string]string{
		"name": "KittenAsso's", "version": APIVersion, "docs": "/api/openapi.json",
	})
	return nil
}

// health answers 503 when the database does not answer within two seconds, and
// "degraded" (still 200: the API serves) when mail is late or the queue unreachable.
func (s *Server) health(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if err := s.DB.Ping(ctx); err != nil {
		s.Log.WarnContext(r.Context(), "health: database unreachable", append(logAttrs(r), "error", err.Error())...)
		// Like every other 503 (writeError): a client or a load balancer knows when to ask again.
		setRetryAfter(w, unavailableRetryAfter)
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{
			"statusCode": http.StatusServiceUnavailable, "message": "database unreachable",
			"error": http.StatusText(http.StatusServiceUnavailable), "code": "unavailable", "status": "error", "database": "unreachable",
		})
		return nil
	}
	report := map[string]any{"status": "ok", "database": "ok", "mail": "ok"}
	degraded := func(part, state string) {
		report["status"], report[part] = "degraded", state
	}
	_, oldest, err := s.DB.OutboxStats(ctx)
	if err != nil {
		return err
	}
	report["oldestMailSeconds"] = int(oldest.Seconds())
	if s.MailMaxDelay > 0 && oldest > s.MailMaxDelay {
		degraded("mail", "delayed")
	}
	if s.MailQueue != nil {
		report["queue"] = "ok"
		if err := s.MailQueue.Reachable(ctx); err != nil {
			s.Log.WarnContext(r.Context(), "health: mail queue unreachable", append(logAttrs(r), "error", err.Error())...)
			degraded("queue", "unreachable")
		}
	}
	writeJSON(w, http.StatusOK, report)
	return nil
}

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPIDocument)
	return nil
}
