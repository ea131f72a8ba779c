package asso

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. The HTTP layer maps each to a status in one table (httpapi.statusOf).
const (
	EINVALID      = "invalid"      // the request is malformed or fails validation
	EUNAUTHORIZED = "unauthorized" // no valid credentials
	EFORBIDDEN    = "forbidden"    // valid credentials, not allowed
	ENOTFOUND     = "not_found"    // the object does not exist
	ECONFLICT     = "conflict"     // the write would break a uniqueness rule
	ETOOMANY      = "too_many"     // throttled; RetryAfter says for how long
	ETOOLARGE     = "too_large"    // the request body is over the limit
	EUNSUPPORTED  = "unsupported"  // the request body is not JSON
	EUNAVAILABLE  = "unavailable"  // a dependency (the database) is down
	EINTERNAL     = "internal"     // a bug or an unexpected failure; details are logged, never shown
)

// Error is an application error whose Message is safe to show to the caller.
// Validation failures carry every problem in Messages, in the original API's wording.
type Error struct {
	Code       string
	Message    string
	Messages   []string
	RetryAfter time.Duration
	// Reason is a stable, machine-readable name of this particular error for clients
	// to key on (the body's "code", e.g. "not_member"). Without one, the body's code
	// names the error's class (httpapi's table).
	Reason string
}

// Reasoned returns an *Error of code with a stable Reason and a caller-safe message.
func Reasoned(code, reason, message string) *Error {
	return &Error{Code: code, Reason: reason, Message: message}
}

func (e *Error) Error() string {
	if len(e.Messages) > 0 {
		return fmt.Sprintf("%s: %v", e.Code, e.Messages)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Errorf returns an *Error with a formatted, caller-safe message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a validation error listing every problem found.
func Invalid(messages ...string) *Error {
	return &Error{Code: EINVALID, Messages: messages}
}

// ErrorCode returns the code of err, EINTERNAL for errors that are not *Error.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}
