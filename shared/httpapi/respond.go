package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// statusOf maps each error code to its HTTP status: the one table of the API.
var statusOf = map[string]int{
	asso.EINVALID:      http.StatusBadRequest,
	asso.EUNAUTHORIZED: http.StatusUnauthorized,
	asso.EFORBIDDEN:    http.StatusForbidden,
	asso.ENOTFOUND:     http.StatusNotFound,
	asso.ECONFLICT:     http.StatusConflict,
	asso.ETOOLARGE:     http.StatusRequestEntityTooLarge,
	asso.EUNSUPPORTED:  http.StatusUnsupportedMediaType,
	asso.ETOOMANY:      http.StatusTooManyRequests,
	asso.EUNAVAILABLE:  http.StatusServiceUnavailable,
	asso.EINTERNAL:     http.StatusInternalServerError,
}

// errorBody is the error shape of contract.md §1. Message is a string, or an array of
// strings for validation errors.
type errorBody struct {
	StatusCode int    `json:"statusCode"`
	Message    any    `json:"message"`
	Error      string `json:"error"`
	Code       string `json:"code,omitempty"`
}

// defaultReasons name the errors of a code that carry no Reason of their own.
var defaultReasons = map[string]string{
	asso.ETOOMANY:     "throttled",
	asso.EUNAVAILABLE: "unavailable",
	asso.EUNSUPPORTED: "unsupported_media_type",
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
})

// WriteStatus writes the standard error body for status with message (a string or a
// list of strings).
func WriteStatus(w http.ResponseWriter, status int, message any) {
	writeJSON(w, status, errorBody{StatusCode: status, Message: message, Error: http.StatusText(status)})
}

// writeError renders err. Application errors show their message; a database that
// cannot serve is a 503 with Retry-After; anything else is logged with the request id
// and answered with a bare 500.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var e *asso.Error
	if !errors.As(err, &e) && postgres.Unavailable(err) {
		log.WarnContext(r.Context(), "database unavailable", append(logAttrs(r), "error", err.Error())...)
		e = &asso.Error{Code: asso.EUNAVAILABLE, Message: "the service is busy or down for a moment; try again shortly",
			RetryAfter: unavailableRetryAfter}
	}
	if e == nil || e.Code == asso.EINTERNAL {
		log.ErrorContext(r.Context(), "request failed", append(logAttrs(r), "error", err.Error())...)
		WriteStatus(w, http.StatusInternalServerError, "Internal server error")
		return
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
	}
	status := statusOf[e.Code]
	body := errorBody{StatusCode: status, Message: e.Message, Error: http.StatusText(status), Code: e.Reason}
	if len(e.Messages) > 0 {
		body.Message = e.Messages
	}
	if body.Code == "" {
		body.Code = defaultReasons[e.Code]
	}
	writeJSON(w, status, body)
}

// unavailableRetryAfter is what a 503 asks a client to wait: long enough for a
// failover or a restart of the database to finish.
const unavailableRetryAfter = 5 * time.Second

// writeRaw writes a JSON document built by the database as it is.
func writeRaw(w http.ResponseWriter, status int, doc []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(doc)
}
