package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// MaxBodyBytes is the largest request body accepted (contract.md §1).
const MaxBodyBytes = 1 << 20

// Pagination bounds (contract.md §1).
const (
	defaultLimit = 100
	maxLimit     = 1000
)

var positiveInt = regexp.MustCompile(`^[1-9][0-9]{0,17}$`)

// pathID reads the path parameter name as a positive integer; anything else, "1abc"
// included, is a 400.
func pathID(r *http.Request, name string) (int64, error) {
	s := r.PathValue(name)
	if !positiveInt.MatchString(s) {
		return 0, asso.Invalid(name + " must be a positive integer")
	}
	return strconv.ParseInt(s, 10, 64)
}

// page reads limit and offset from the query string.
func page(r *http.Request) (asso.Page, error) {
	p := asso.Page{Limit: defaultLimit}
	var problems []string
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			problems = append(problems, "limit must be an integer from 1 to 1000")
		}
		p.Limit = n
	}
	if s := q.Get("offset"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			problems = append(problems, "offset must be a non-negative integer")
		}
		p.Offset = n
	}
	if len(problems) > 0 {
		return p, asso.Invalid(problems...)
	}
	return p, nil
}

// clientIP is the caller's address: API Gateway's sourceIp in Lambda, the TCP peer locally.
func clientIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// form is a JSON object body being validated field by field. It collects every problem
// in the original API's wording, so one 400 lists them all.
type form struct {
	fields   map[string]json.RawMessage
	problems []string
}

// readForm reads a JSON object body of at most MaxBodyBytes.
func readForm(w http.ResponseWriter, r *http.Request) (*form, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, asso.Errorf(asso.ETOOLARGE, "request body is larger than 1 MiB")
	}
	if err != nil {
		return nil, asso.Errorf(asso.EINVALID, "could not read the request body")
	}
	f := &form{}
	if len(bytes.TrimSpace(body)) == 0 {
		return &form{fields: map[string]json.RawMessage{}}, nil
	}
	if err := json.Unmarshal(body, &f.fields); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, asso.Errorf(asso.EINVALID, "the request body must be a JSON object")
		}
		return nil, asso.Errorf(asso.EINVALID, "malformed JSON in the request body")
	}
	if f.fields == nil { // the body was `null`
		f.fields = map[string]json.RawMessage{}
	}
	return f, nil
}

func (f *form) problem(msg string) { f.problems = append(f.problems, msg) }

// err returns the validation error listing every problem, or nil.
func (f *form) err() error {
	if len(f.problems) > 0 {
		return asso.Invalid(f.problems...)
	}
	return nil
}

// present reports whether name was sent with a non-null value.
func (f *form) present(name string) bool {
	raw, ok := f.fields[name]
	return ok && string(raw) != "null"
}

// str reads a string field. It is false when the field is absent (a problem when
// required) or not a string (always a problem).
func (f *form) str(name string, required bool) (string, bool) {
	if !f.present(name) {
		if required {
			f.problem(name + " should not be empty")
		}
		return "", false
	}
	var s string
	if err := json.Unmarshal(f.fields[name], &s); err != nil {
		f.problem(name + " must be a string")
		return "", false
	}
	return s, true
}

// text reads a string field of at most maxLen characters. A required field must be
// present and non-blank; it is trimmed of surrounding spaces.
func (f *form) text(name string, required bool, maxLen int) *string {
	s, ok := f.str(name, required)
	if !ok {
		return nil
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		f.problem(name + " should not be empty")
		return nil
	case len([]rune(s)) > maxLen:
		f.problem(name + " must be shorter than or equal to " + strconv.Itoa(maxLen) + " characters")
		return nil
	}
	return &s
}

// email reads an e-mail address: one plain address, no display name, no line breaks.
func (f *form) email(name string, required bool) *string {
	s := f.text(name, required, 254)
	if s == nil {
		return nil
	}
	if !asso.IsPlainAddress(*s) || !strings.Contains((*s)[strings.LastIndex(*s, "@")+1:], ".") {
		f.problem(name + " must be an email")
		return nil
	}
	return s
}

// password reads a password of minLen to 72 bytes (bcrypt's limit), kept as sent.
func (f *form) password(name string, required bool, minLen int) *string {
	s, ok := f.str(name, required)
	if !ok {
		return nil
	}
	switch {
	case s == "":
		f.problem(name + " should not be empty")
	case len(s) < minLen:
		f.problem(name + " must be longer than or equal to " + strconv.Itoa(minLen) + " characters")
	case len(s) > 72:
		f.problem(name + " must be shorter than or equal to 72 bytes")
	default:
		return &s
	}
	return nil
}

// integer reads an integer sent as a JSON number or a numeric string (the old web
// client sends "21"), within [lo, hi].
func (f *form) integer(name string, required bool, lo, hi int) *int {
	if !f.present(name) {
		if required {
			f.problem(name + " should not be empty")
		}
		return nil
	}
	raw := f.fields[name]
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		s = string(raw) // not a string: take the JSON number's text
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	switch {
	case err != nil || n < 0 && lo >= 0:
		f.problem(name + " must be a non-negative integer")
	case n < lo:
		f.problem(name + " must not be less than " + strconv.Itoa(lo))
	case n > hi:
		f.problem(name + " must not be greater than " + strconv.Itoa(hi))
	default:
		return &n
	}
	return nil
}

// maxIDs bounds the id arrays of a body (members, voters).
const maxIDs = 1000

// parseID reads a positive integer id from a JSON number, or from a numeric string
// when strings are allowed.
func parseID(raw json.RawMessage, allowString bool) (int64, bool) {
	text := string(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if !allowString {
			return 0, false
		}
		text = strings.TrimSpace(s)
	}
	if !positiveInt.MatchString(text) {
		return 0, false
	}
	n, err := strconv.ParseInt(text, 10, 64)
	return n, err == nil
}

// id reads a positive integer id, as a JSON number (or a numeric string if allowString).
func (f *form) id(name string, required, allowString bool) *int64 {
	if !f.present(name) {
		if required {
			f.problem(name + " should not be empty")
		}
		return nil
	}
	n, ok := parseID(f.fields[name], allowString)
	if !ok {
		if allowString {
			f.problem(name + " must be a positive integer or a numeric string")
		} else {
			f.problem(name + " must be a number conforming to the specified constraints")
		}
		return nil
	}
	return &n
}

// ids reads an array of positive integer ids (numbers or numeric strings).
func (f *form) ids(name string, required bool) *[]int64 {
	if !f.present(name) {
		if required {
			f.problem(name + " must be an array")
		}
		return nil
	}
	var raws []json.RawMessage
	if err := json.Unmarshal(f.fields[name], &raws); err != nil {
		f.problem(name + " must be an array")
		return nil
	}
	if len(raws) > maxIDs {
		f.problem(name + " must contain no more than " + strconv.Itoa(maxIDs) + " elements")
		return nil
	}
	ids := make([]int64, 0, len(raws))
	for _, raw := range raws {
		n, ok := parseID(raw, true)
		if !ok {
			f.problem("each value in " + name + " must be a positive integer")
			return nil
		}
		ids = append(ids, n)
	}
	return &ids
}

// zoneless are the accepted date-time forms without a zone; they are read as UTC.
var zoneless = []string{"2006-01-02T15:04:05.999999999", "2006-01-02T15:04", "2006-01-02"}

// ParseTime reads RFC 3339 with a zone, or a zone-less local date-time or date as UTC.
// Years are bounded to 1-9999, which every layer (Go, PostgreSQL, iCalendar) can hold.
func ParseTime(s string) (time.Time, bool) {
	t, err := time.Parse(time.RFC3339Nano, s)
	for _, layout := range zoneless {
		if err == nil {
			break
		}
		t, err = time.Parse(layout, s)
	}
	t = t.UTC()
	return t, err == nil && t.Year() >= 1 && t.Year() <= 9999
}

// time reads an ISO 8601 date or date-time (see ParseTime).
func (f *form) time(name string, required bool) *time.Time {
	if !f.present(name) {
		if required {
			f.problem(name + " should not be empty")
		}
		return nil
	}
	var s string
	t, ok := time.Time{}, false
	if json.Unmarshal(f.fields[name], &s) == nil {
		t, ok = ParseTime(strings.TrimSpace(s))
	}
	if !ok {
		f.problem(name + " must be a valid ISO 8601 date string")
		return nil
	}
	return &t
}

// oneOf reads an optional query value that must be one of allowed, else def.
func oneOf(q url.Values, name, def string, allowed ...string) (string, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	if !slices.Contains(allowed, v) {
		return "", asso.Invalid(name + " must be one of the following values: " + strings.Join(allowed, ", "))
	}
	return v, nil
}
