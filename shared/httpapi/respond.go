package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// statusOf maps each error code to its HTTP status: the one table of the API.
var statusOf = map[string]int{
	asso.EINVALID:      http.StatusBadRequest,
	asso.EUNAUTHORIZED: http.StatusUnauthorized,
	asso.EFORBIDDEN:    http.StatusForbidden,
	asso.ENOTFOUND:     http.StatusNotFound,
	asso.ECONFLICT:     http.StatusConflict,
	asso.ETOOLARGE:     http.StatusRequestEntityTooLarge,
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

// writeError renders err. Application errors show their message; anything else is
// logged with the request id and answered with a bare 500.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var e *asso.Error
	if !errors.As(err, &e) || e.Code == asso.EINTERNAL {
		log.ErrorContext(r.Context(), "request failed", append(logAttrs(r), "error", err.Error())...)
		WriteStatus(w, http.StatusInternalServerError, "Internal server error")
		return
	}
	if e.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int(e.RetryAfter.Seconds())))
	}
	if len(e.Messages) > 0 {
		WriteStatus(w, statusOf[e.Code], e.Messages)
		return
	}
	WriteStatus(w, statusOf[e.Code], e.Message)
}

// writeRaw writes a JSON document built by the database as it is.
func writeRaw(w http.ResponseWriter, status int, doc []byte) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	w.Write(doc)
}
