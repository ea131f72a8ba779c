package httpapi

import (
	"bytes"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/secrets"
)

// MaxBodyBytes is the largest request body accepted (docs/api.md §1).
const MaxBodyBytes = 1 << 20

// Pagination bounds (docs/api.md §1).
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
func page(r *http.Request) (asso.Page, error) { return pageWithLimit(r, defaultLimit) }

// pageWithLimit reads limit and offset from the query string, limit defaulting to
// limit.
func pageWithLimit(r *http.Request, limit int) (asso.Page, error) {
	p := asso.Page{Limit: limit}
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

// clientIP is the caller's address: the viewer's, behind CloudFront (throughCloudFront);
// else API Gateway's sourceIp in Lambda, the TCP peer locally.
func clientIP(r *http.Request) string {
	if viewer, ok := r.Context().Value(viewerIPKey).(string); ok && viewer != "" {
		return viewer
	}
	return peerIP(r)
}

// peerIP is the address the request came from: API Gateway's sourceIp, or the TCP peer.
func peerIP(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

// throughCloudFront checks that the request came through our CloudFront distribution
// (it carries the origin secret; 403 otherwise, so nobody bypasses the site through
// the execute-api URL) and returns the viewer's address: CloudFront-Viewer-Address
// when CloudFront sends it, else the X-Forwarded-For entry CloudFront appended, the
// last one before API Gateway's own (the sourceIp, CloudFront's edge). Entries before
// it are whatever the client sent, and are not believed.
func (s *Server) throughCloudFront(r *http.Request) (string, error) {
	sent := []byte(r.Header.Get("X-Origin-Verify"))
	err := secrets.WithRotation(r.Context(), s.OriginSecret, func(secret string) error {
		if secret == "" || subtle.ConstantTimeCompare(sent, []byte(secret)) != 1 {
			return errDirectAccess
		}
		return nil
	})
	switch {
	case errors.Is(err, errDirectAccess):
		return "", err
	case err != nil:
		return "", s.keyUnavailable(r, err)
	}
	return viewerAddress(r), nil
}

var errDirectAccess = asso.Reasoned(asso.EFORBIDDEN, "direct_access", "requests must come through the site")

// viewerAddress reads the viewer's address out of what CloudFront forwards.
func viewerAddress(r *http.Request) string {
	if v := r.Header.Get("CloudFront-Viewer-Address"); v != "" { // ip:port, the IPv6 ip unbracketed
		if i := strings.LastIndex(v, ":"); i > 0 {
			return v[:i]
		}
	}
	hops := strings.Split(headerList(r, "X-Forwarded-For"), ",")
	edge := peerIP(r)
	for i := len(hops) - 1; i >= 0; i-- {
		if hop := strings.TrimSpace(hops[i]); hop != "" && hop != edge {
			return hop
		}
	}
	return edge
}

// form is a JSON object body being validated field by field. It collects every problem
// in the original API's wording, so one 400 lists them all.
type form struct {
	fields   map[string]json.RawMessage
	problems []string
}

// readForm reads a JSON object body of at most MaxBodyBytes. The body must be sent
// as JSON (415 otherwise), be valid UTF-8 with no lone surrogate escapes, and name no
// key twice (400 otherwise): what a decoder would silently repair or pick is refused.
func readForm(w http.ResponseWriter, r *http.Request) (*form, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBodyBytes))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		return nil, asso.Errorf(asso.ETOOLARGE, "request body is larger than 1 MiB")
	}
	if err != nil {
		return nil, asso.Errorf(asso.EINVALID, "could not read the request body")
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return &form{fields: map[string]json.RawMessage{}}, nil
	}
	if !isJSONMediaType(r.Header.Get("Content-Type")) {
		return nil, asso.Errorf(asso.EUNSUPPORTED, "the request body must be sent as application/json")
	}
	if !utf8.Valid(body) || !validEscapes(body) {
		return nil, asso.Errorf(asso.EINVALID, "the request body must be valid UTF-8")
	}
	f := &form{}
	if err := json.Unmarshal(body, &f.fields); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return nil, asso.Errorf(asso.EINVALID, "the request body must be a JSON object")
		}
		return nil, asso.Errorf(asso.EINVALID, "malformed JSON in the request body")
	}
	if key, dup := duplicateKey(body); dup {
		return nil, asso.Invalid("duplicate key " + strconv.Quote(key) + " in the request body")
	}
	if f.fields == nil { // the body was `null`
		f.fields = map[string]json.RawMessage{}
	}
	return f, nil
}

// isJSONMediaType accepts application/json and any application/*+json type.
func isJSONMediaType(contentType string) bool {
	mediaType, _, err := mime.ParseMediaType(contentType)
	return err == nil && (mediaType == "application/json" ||
		strings.HasPrefix(mediaType, "application/") && strings.HasSuffix(mediaType, "+json"))
}

// validEscapes reports whether every \u escape in the JSON text's strings that
// names a UTF-16 surrogate is part of a high-low pair: encoding/json would turn a
// lone one into U+FFFD without a word.
func validEscapes(body []byte) bool {
	inString := false
	for i := 0; i < len(body); i++ {
		switch c := body[i]; {
		case c == '"':
			inString = !inString
		case c == '\\' && inString && i+1 < len(body):
			if body[i+1] != 'u' {
				i++ // an ordinary escape: skip the escaped byte
				continue
			}
			r, ok := hexRune(body, i+2)
			if !ok {
				return true // malformed: json.Unmarshal will say so
			}
			i += 5
			switch {
			case utf16.IsSurrogate(r) && r < 0xDC00: // high: a low must follow
				low, ok := hexRune(body, i+3)
				if i+2 >= len(body) || body[i+1] != '\\' || body[i+2] != 'u' || !ok || low < 0xDC00 || low > 0xDFFF {
					return false
				}
				i += 6
			case utf16.IsSurrogate(r): // a low surrogate alone
				return false
			}
		}
	}
	return true
}

// hexRune reads the four hex digits at body[at:].
func hexRune(body []byte, at int) (rune, bool) {
	if at+4 > len(body) {
		return 0, false
	}
	n, err := strconv.ParseUint(string(body[at:at+4]), 16, 32)
	return rune(n), err == nil
}

// duplicateKey reports the first key that some object of the JSON text names twice.
// The text is already known to be valid JSON.
func duplicateKey(body []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(body))
	type object struct{ keys map[string]bool }
	var stack []*object // nil entries stand for arrays
	expectKey := func() bool { return len(stack) > 0 && stack[len(stack)-1] != nil }
	afterValue := true // in an object, true when the next string token is a key
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", false
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				stack = append(stack, &object{keys: map[string]bool{}})
				afterValue = true
				continue
			case '[':
				stack = append(stack, nil)
			case '}', ']':
				stack = stack[:len(stack)-1]
			}
			afterValue = true
		case string:
			if expectKey() && afterValue {
				o := stack[len(stack)-1]
				if o.keys[t] {
					return t, true
				}
				o.keys[t] = true
				afterValue = false
				continue
			}
			afterValue = true
		default:
			afterValue = true
		}
	}
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

// text reads a one-line string field of at most maxLen characters. A required field
// must be present and non-blank; it is trimmed of surrounding spaces. Control
// characters are refused: they break logs, e-mail headers and PostgreSQL (NUL).
func (f *form) text(name string, required bool, maxLen int) *string {
	return f.checkedText(name, required, maxLen, "")
}

// longText is text that may also hold tabs and line breaks (minutes).
func (f *form) longText(name string, required bool, maxLen int) *string {
	return f.checkedText(name, required, maxLen, "\t\n\r")
}

func (f *form) checkedText(name string, required bool, maxLen int, allowedControls string) *string {
	s, ok := f.str(name, required)
	if !ok {
		return nil
	}
	if hasControl(s, allowedControls) {
		f.problem(name + " must not contain control characters")
		return nil
	}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		f.problem(name + " should not be empty")
		return nil
	case utf8.RuneCountInString(s) > maxLen:
		f.problem(name + " must be shorter than or equal to " + strconv.Itoa(maxLen) + " characters")
		return nil
	}
	return &s
}

// clearable reads an optional text field that a change may clear: absent, it is nil
// (unchanged); null, or blank once trimmed, it is "" (none); otherwise as text reads
// it (longText when multiline), with its line breaks written as line feeds.
func (f *form) clearable(name string, maxLen int, multiline bool) *string {
	if _, sent := f.fields[name]; !sent {
		return nil
	}
	none := ""
	if !f.present(name) {
		return &none // null
	}
	s, ok := f.str(name, false)
	if !ok {
		return nil // not a string: str said so
	}
	if strings.TrimSpace(s) == "" {
		return &none
	}
	allowed := ""
	if multiline {
		allowed = "\t\n\r"
	}
	text := f.checkedText(name, false, maxLen, allowed)
	if text != nil && multiline {
		*text = strings.NewReplacer("\r\n", "\n", "\r", "\n").Replace(*text)
	}
	return text
}

// clearableInteger reads an optional integer field within [lo, hi] that a change may
// clear: absent, it is nil (unchanged); null, it is 0 (none).
func (f *form) clearableInteger(name string, lo, hi int) *int {
	if raw, sent := f.fields[name]; sent && string(raw) == "null" {
		none := 0
		return &none
	}
	return f.integer(name, false, lo, hi)
}

// hasControl reports whether s holds a control character (C0, DEL or C1) other than
// those in allowed.
func hasControl(s, allowed string) bool {
	for _, r := range s {
		if unicode.IsControl(r) && !strings.ContainsRune(allowed, r) {
			return true
		}
	}
	return false
}

// locale reads one of the languages the product speaks (asso.Locales).
func (f *form) locale(name string) *string {
	s := f.text(name, false, 8)
	if s != nil && !asso.IsLocale(*s) {
		f.problem(name + " must be one of the following values: " + strings.Join(asso.Locales, ", "))
		return nil
	}
	return s
}

// timeZone reads the name of an IANA time zone ("Europe/Paris").
func (f *form) timeZone(name string) *string {
	s := f.text(name, false, asso.MaxTimeZoneLen)
	if s == nil {
		return nil
	}
	if _, err := asso.LoadTimeZone(*s); err != nil {
		f.problem(name + " must be an IANA time zone such as Europe/Paris")
		return nil
	}
	return s
}

// email reads an e-mail address: one plain address, no display name, no line breaks,
// and a domain name of ASCII labels (internationalised domains IDNA-encoded, no IP
// literal), which is what SES and every mail server accept.
func (f *form) email(name string, required bool) *string {
	s := f.text(name, required, 254)
	if s == nil {
		return nil
	}
	if !asso.IsPlainAddress(*s) || !isMailDomain(asso.MailDomain(*s)) {
		f.problem(name + " must be an email")
		return nil
	}
	return s
}

var mailDomain = regexp.MustCompile(`^([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+([A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})$`)

// isMailDomain accepts host names of two or more ASCII labels whose last is
// alphabetic or an IDNA label: no IP literal, no bare host, no raw Unicode.
func isMailDomain(domain string) bool {
	return len(domain) <= 253 && mailDomain.MatchString(domain)
}

// password reads a new password of minLen to 72 bytes (bcrypt's limit), kept exactly
// as typed: passwords are never trimmed, here, at sign-in or anywhere.
func (f *form) password(name string, required bool, minLen int) *string {
	s := f.secret(name, required, 72)
	switch {
	case s == nil:
	case len(*s) < minLen:
		f.problem(name + " must be longer than or equal to " + strconv.Itoa(minLen) + " characters")
	default:
		return s
	}
	return nil
}

// secret reads a password as typed, up to maxBytes: not trimmed, no control characters.
func (f *form) secret(name string, required bool, maxBytes int) *string {
	s, ok := f.str(name, required)
	switch {
	case !ok:
	case s == "":
		f.problem(name + " should not be empty")
	case hasControl(s, ""):
		f.problem(name + " must not contain control characters")
	case len(s) > maxBytes:
		f.problem(name + " must be shorter than or equal to " + strconv.Itoa(maxBytes) + " bytes")
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

// boolean reads a JSON true or false; absent, it is false unless required.
func (f *form) boolean(name string, required bool) bool {
	if !f.present(name) {
		if required {
			f.problem(name + " should not be empty")
		}
		return false
	}
	var b bool
	if err := json.Unmarshal(f.fields[name], &b); err != nil {
		f.problem(name + " must be a boolean value")
	}
	return b
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

// Search bounds (docs/api.md §4): a name is looked up by a few words.
const (
	maxSearchRunes = 100
	maxSearchWords = 5
)

// searchOf reads the q of a list: words that must all appear in a name.
func searchOf(r *http.Request) (asso.Search, error) {
	q := r.URL.Query().Get("q")
	switch {
	case !utf8.ValidString(q) || hasControl(q, ""):
		return asso.Search{}, asso.Invalid("q must be valid UTF-8 text without control characters")
	case utf8.RuneCountInString(q) > maxSearchRunes:
		return asso.Search{}, asso.Invalid("q must be shorter than or equal to " + strconv.Itoa(maxSearchRunes) + " characters")
	}
	words := strings.Fields(q)
	if len(words) > maxSearchWords {
		return asso.Search{}, asso.Invalid("q must have at most " + strconv.Itoa(maxSearchWords) + " words")
	}
	return asso.Search{Words: words}, nil
}
