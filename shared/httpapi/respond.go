package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// httpErrors maps each error class to its HTTP status and to the body's code when
// the error has no Reason of its own: the one table of the API.
var httpErrors = map[string]struct {
	status int
	code   string
}{
	asso.EINVALID:      {http.StatusBadRequest, "invalid"},
	asso.EUNAUTHORIZED: {http.StatusUnauthorized, "unauthorized"},
	asso.EFORBIDDEN:    {http.StatusForbidden, "forbidden"},
	asso.ENOTFOUND:     {http.StatusNotFound, "not_found"},
	asso.ECONFLICT:     {http.StatusConflict, "conflict"},
	asso.ETOOLARGE:     {http.StatusRequestEntityTooLarge, "too_large"},
	asso.EUNSUPPORTED:  {http.StatusUnsupportedMediaType, "unsupported_media_type"},
	asso.ETOOMANY:      {http.StatusTooManyRequests, "throttled"},
	asso.EUNAVAILABLE:  {http.StatusServiceUnavailable, "unavailable"},
	asso.EINTERNAL:     {http.StatusInternalServerError, "internal"},
}

// errorBody is the API's error shape (docs/api.md). Message is a string, or an array
// of strings for validation errors; Code is a stable name for clients to key on.
type errorBody struct {
	StatusCode int    `json:"statusCode"`
	Message    any    `json:"message"`
	Error      string `json:"error"`
	Code       string `json:"code"`
}

// writeJSON writes v as the JSON response body with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		// Only a programming error gets here (an unmarshalable type): no details out.
		status, body = http.StatusInternalServerError, InternalErrorBody
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(body)
}

// InternalErrorBody is the whole body of every 500: nothing about the failure.
var InternalErrorBody, _ = json.Marshal(errorBody{
	StatusCode: http.StatusInternalServerError, Message: "Internal server error", Error: "Internal Server Error",
	Code: "internal",
})

// WriteStatus writes the standard error body for status with its code and message
// (a string or a list of strings).
func WriteStatus(w http.ResponseWriter, status int, code string, message any) {
	writeJSON(w, status, errorBody{StatusCode: status, Message: message, Error: http.StatusText(status), Code: code})
}

// writeError renders err. Application errors show their message; a database that
// cannot serve is a 503 with Retry-After; a request whose client went away is a 499;
// anything else is logged with the request id and answered with a bare 500.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if errors.Is(r.Context().Err(), context.Canceled) {
		// The client hung up, and the work it asked for stopped with it: nothing failed
		// here, so no ERROR line for an alarm to fire on and no 5xx in the metrics.
		log.InfoContext(r.Context(), "client went away", append(logAttrs(r), "error", err.Error())...)
		w.WriteHeader(statusClientClosedRequest)
		return
	}
	var e *asso.Error
	if !errors.As(err, &e) && postgres.Unavailable(err) {
		log.WarnContext(r.Context(), "database unavailable", append(logAttrs(r), "error", err.Error())...)
		e = &asso.Error{Code: asso.EUNAVAILABLE, Message: "the service is busy or down for a moment; try again shortly",
			RetryAfter: unavailableRetryAfter}
	}
	if e == nil || e.Code == asso.EINTERNAL {
		log.ErrorContext(r.Context(), "request failed", append(logAttrs(r), "error", err.Error())...)
		writeRaw(w, http.StatusInternalServerError, InternalErrorBody)
		return
	}
	if e.RetryAfter > 0 {
		setRetryAfter(w, e.RetryAfter)
	}
	class := httpErrors[e.Code]
	body := errorBody{StatusCode: class.status, Message: e.Message, Error: http.StatusText(class.status), Code: e.Reason}
	if len(e.Messages) > 0 {
		body.Message = e.Messages
	}
	if body.Code == "" {
		body.Code = class.code
	}
	writeJSON(w, class.status, body)
}

// statusClientClosedRequest is what the access log and the metrics say of a request
// whose client hung up before its answer (nginx's 499): no client ever sees it.
const statusClientClosedRequest = 499

// unavailableRetryAfter is what a 503 asks a client to wait: long enough for a
// failover or a restart of the database to finish.
const unavailableRetryAfter = 5 * time.Second

// setRetryAfter tells the client how long to wait before trying again, in seconds.
func setRetryAfter(w http.ResponseWriter, d time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(d.Seconds())))
}

// writeRaw writes a JSON document built by the database as it is.
func writeRaw(w http.ResponseWriter, status int, doc []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(doc)
}
