package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// bodyParsers runs every request body type's decoding and validation and checks what a
// successful parse promises. A returned string names a broken promise.
var bodyParsers = map[string]func(*form) (string, error){
	"sign-up": func(f *form) (string, error) {
		in, err := parseSignUp(f)
		if err == nil && (!validName(in.user.Firstname) || !validName(in.user.Lastname) || in.user.Age < 0 ||
			in.user.Age > maxAge || !strings.Contains(in.user.Email, "@") || len(in.password) < 8 || len(in.password) > 72) {
			return "invalid sign-up accepted", nil
		}
		return "", err
	},
	"user patch": func(f *form) (string, error) {
		in, err := parseUserPatch(f)
		if err == nil && ((in.patch.Firstname != nil && !validName(*in.patch.Firstname)) || (in.patch.Age != nil && *in.patch.Age > maxAge)) {
			return "invalid patch accepted", nil
		}
		return "", err
	},
	"login": func(f *form) (string, error) {
		in, err := parseLogin(f)
		if err == nil && (in.email == "" || in.password == "") {
			return "empty credentials accepted", nil
		}
		return "", err
	},
	"verification": func(f *form) (string, error) { _, err := parseToken(f); return "", err },
	"invitation answer": func(f *form) (string, error) {
		in, err := parseInvitationAnswer(f)
		if err == nil && in.Accept && in.Never {
			return "an acceptance that refuses for good accepted", nil
		}
		return "", err
	},
	"invitation link": func(f *form) (string, error) {
		in, err := parseInvitationLink(f)
		if err == nil && (in.token.AssociationID <= 0 || in.token.UserID <= 0 || !in.token.Expires.After(time.Now())) {
			return "a malformed or expired invitation token accepted", nil
		}
		return "", err
	},
	"invite by e-mail": func(f *form) (string, error) {
		email, err := parseInviteEmail(f)
		if err == nil && !asso.IsPlainAddress(email) {
			return "an invalid address accepted", nil
		}
		return "", err
	},
	"manager": func(f *form) (string, error) { _, err := parseManager(f); return "", err },
	"answer link": func(f *form) (string, error) {
		in, err := parseRSVPLink(f)
		if err == nil && (in.token.EventID <= 0 || in.token.UserID <= 0 || (in.answer != asso.Going && in.answer != asso.NotGoing)) {
			return "a malformed answer link accepted", nil
		}
		return "", err
	},
	"resend": func(f *form) (string, error) { _, err := parseEmail(f); return "", err },
	"association": func(f *form) (string, error) {
		in, err := parseAssociation(f, true)
		if err == nil && (in.Name == nil || in.UserIDs == nil || !positive(*in.UserIDs)) {
			return "invalid association accepted", nil
		}
		return "", err
	},
	"association update": func(f *form) (string, error) { _, err := parseAssociation(f, false); return "", err },
	"role": func(f *form) (string, error) {
		in, err := parseRole(f)
		if err == nil && (in.Key.UserID < 1 || in.Key.AssociationID < 1 || in.Name == "") {
			return "invalid role accepted", nil
		}
		return "", err
	},
	"role name": func(f *form) (string, error) { _, err := parseRoleName(f); return "", err },
	"minute": func(f *form) (string, error) {
		in, err := parseMinute(f, true)
		if err == nil && (in.Content == nil || in.Date == nil || in.Date.Year() < 1 || in.Date.Year() > 9999 ||
			*in.AssociationID < 1 || !positive(*in.VoterIDs)) {
			return "invalid minute accepted", nil
		}
		return "", err
	},
	"minute update": func(f *form) (string, error) { _, err := parseMinute(f, false); return "", err },
	"event": func(f *form) (string, error) {
		in, err := parseEvent(f, true)
		if err == nil && (in.End.Before(*in.Start) || *in.AssociationID < 1 || !validName(*in.Name) || !validEventDetails(in)) {
			return "invalid event accepted", nil
		}
		return "", err
	},
	"event update": func(f *form) (string, error) {
		in, err := parseEvent(f, false)
		if err == nil && (in.Start != nil && in.End != nil && in.End.Before(*in.Start) || !validEventDetails(in)) {
			return "invalid event change accepted", nil
		}
		return "", err
	},
}

func validName(s string) bool { return strings.TrimSpace(s) != "" && utf8.ValidString(s) }

// validEventDetails: a place of one line and a description of line feeds, each
// trimmed and within its bound ("" for none), and a capacity within its bounds (0 for
// none).
func validEventDetails(in asso.EventInput) bool {
	valid := func(s *string, maxLen int, allowed string) bool {
		return s == nil || *s == strings.TrimSpace(*s) && utf8.RuneCountInString(*s) <= maxLen && !hasControl(*s, allowed)
	}
	return valid(in.Place, maxEventPlace, "") && valid(in.Description, maxEventDescription, "\t\n") &&
		(in.Capacity == nil || *in.Capacity >= 0 && *in.Capacity <= maxEventCapacity)
}

func positive(ids []int64) bool {
	for _, id := range ids {
		if id < 1 {
			return false
		}
	}
	return len(ids) <= maxIDs
}

// FuzzRequestBodies feeds every input to every body type: each either parses into a
// value that keeps its promises, or answers a 4xx JSON error; never a panic or a 500.
func FuzzRequestBodies(f *testing.F) {
	for _, seed := range []string{
		``, `null`, `[]`, `"x"`, `{`, `{}`, `{"a":1} x`,
		`{"firstname":"Ada","lastname":"L","age":"36","email":"ada@example.org","password":"password123"}`,
		`{"username":"ada@example.org","password":"x"}`, `{"email":"a@b.co","password":"x"}`,
		`{"token":"abc"}`, `{"name":"Club","idUsers":[1,"2"]}`, `{"name":"R","idUser":"1","idAssociation":2}`,
		`{"content":"c","date":"2024-01-01","idAssociation":"1","idVoters":[1]}`,
		`{"name":"E","start":"2030-01-01T10:00:00+02:00","end":"2030-01-01T12:00","association":1}`,
		`{"place":" Hall ","description":"a\r\nb\rc","capacity":"10"}`, `{"place":null,"description":"","capacity":null}`,
		`{"age":1e400,"idUsers":[9223372036854775808],"date":"9999-12-31T23:59:59-23:59"}`,
		"{\"firstname\":\"\\u0000\\r\\nBcc: x\",\"email\":\"a@b.co\\r\\nBcc: c@d.ef\"}",
	} {
		f.Add([]byte(seed))
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.Fuzz(func(t *testing.T, body []byte) {
		for name, parse := range bodyParsers {
			rec := httptest.NewRecorder()
			req := jsonRequest(bytes.NewReader(body))
			form, err := readForm(rec, req)
			broken := ""
			if err == nil {
				broken, err = parse(form)
			}
			if broken != "" {
				t.Fatalf("%s: %s for %q", name, broken, body)
			}
			if err == nil {
				continue
			}
			writeError(rec, req, quiet, err)
			var e errorBody
			if rec.Code < 400 || rec.Code > 499 || json.Unmarshal(rec.Body.Bytes(), &e) != nil || e.StatusCode != rec.Code {
				t.Fatalf("%s: %q answered %d %s", name, body, rec.Code, rec.Body)
			}
			if asso.ErrorCode(err) == asso.EINTERNAL {
				t.Fatalf("%s: internal error for %q", name, body)
			}
		}
	})
}

// TestRequestBodyLimit: the largest accepted body is MaxBodyBytes, and one more byte is a 413.
func TestRequestBodyLimit(t *testing.T) {
	ok := `{"x":"` + strings.Repeat("a", MaxBodyBytes-8) + `"}`
	if _, err := readForm(httptest.NewRecorder(), jsonRequest(strings.NewReader(ok))); err != nil {
		t.Fatalf("a %d-byte body: %v", len(ok), err)
	}
	over := ok + " "
	_, err := readForm(httptest.NewRecorder(), jsonRequest(strings.NewReader(over)))
	if asso.ErrorCode(err) != asso.ETOOLARGE || httpErrors[asso.ETOOLARGE].status != http.StatusRequestEntityTooLarge {
		t.Errorf("a %d-byte body: %v, want 413", len(over), err)
	}
}

// jsonRequest is a POST of body sent as JSON.
func jsonRequest(body io.Reader) *http.Request {
	req := httptest.NewRequest("POST", "/", body)
	req.Header.Set("Content-Type", "application/json")
	return req
}

// TestReadFormRefuses: what a JSON decoder would repair or choose silently is refused.
func TestReadFormRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		contentType, body string
		code, message     string
	}{
		"form body":              {"application/x-www-form-urlencoded", `{"a":"b"}`, asso.EUNSUPPORTED, "the request body must be sent as application/json"},
		"text body":              {"text/plain", `{"a":"b"}`, asso.EUNSUPPORTED, "the request body must be sent as application/json"},
		"no content type":        {"", `{"a":"b"}`, asso.EUNSUPPORTED, "the request body must be sent as application/json"},
		"invalid UTF-8":          {"application/json", "{\"a\":\"\xff\"}", asso.EINVALID, "the request body must be valid UTF-8"},
		"lone high surrogate":    {"application/json", `{"a":"\ud800"}`, asso.EINVALID, "the request body must be valid UTF-8"},
		"lone low surrogate":     {"application/json", `{"a":"x\udc00y"}`, asso.EINVALID, "the request body must be valid UTF-8"},
		"reversed pair":          {"application/json", `{"a":"\udc00\ud800"}`, asso.EINVALID, "the request body must be valid UTF-8"},
		"duplicate key":          {"application/json", `{"a":1,"b":2,"a":3}`, asso.EINVALID, `duplicate key "a" in the request body`},
		"duplicate key, nested":  {"application/json", `{"a":[{"x":1,"x":2}]}`, asso.EINVALID, `duplicate key "x" in the request body`},
		"duplicate key, escaped": {"application/json", `{"a":1,"\u0061":2}`, asso.EINVALID, `duplicate key "a" in the request body`},
	} {
		req := httptest.NewRequest("POST", "/", strings.NewReader(tc.body))
		if tc.contentType != "" {
			req.Header.Set("Content-Type", tc.contentType)
		}
		_, err := readForm(httptest.NewRecorder(), req)
		e, ok := err.(*asso.Error)
		if !ok || e.Code != tc.code || e.Message+strings.Join(e.Messages, "") != tc.message {
			t.Errorf("%s: %v, want %s %q", name, err, tc.code, tc.message)
		}
	}
	for name, body := range map[string]string{
		"a surrogate pair":        `{"a":"\ud83d\udc31"}`,
		"same key in two objects": `{"a":{"x":1},"b":{"x":2}}`,
		"a key equal to a value":  `{"a":"a","b":["a","a"]}`,
		"escaped quote and slash": `{"a":"\\\"\\u0000"}`,
		"problem+json media type": `{"a":1}`,
	} {
		req := httptest.NewRequest("POST", "/", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json; charset=utf-8")
		if name == "problem+json media type" {
			req.Header.Set("Content-Type", "application/merge-patch+json")
		}
		if _, err := readForm(httptest.NewRecorder(), req); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestTextFields: control characters are refused, except tab and line breaks in long
// text; passwords are never trimmed; e-mail domains are plain ASCII host names.
func TestTextFields(t *testing.T) {
	f := &form{fields: map[string]json.RawMessage{
		"nul": json.RawMessage(`"a\u0000b"`), "bell": json.RawMessage(`"a\u0007"`), "c1": json.RawMessage(`"a\u0085"`),
		"lines": json.RawMessage(`"one\ttwo\r\nthree"`), "pw": json.RawMessage(`"  spaced  "`),
	}}
	for _, name := range []string{"nul", "bell", "c1", "lines"} {
		if f.text(name, true, 100) != nil {
			t.Errorf("text %s accepted", name)
		}
	}
	if got := f.longText("lines", true, 100); got == nil || *got != "one\ttwo\r\nthree" {
		t.Errorf("long text with line breaks = %v", got)
	}
	if f.longText("nul", true, 100) != nil {
		t.Error("long text accepted NUL")
	}
	if got := f.secret("pw", true, 72); got == nil || *got != "  spaced  " {
		t.Errorf("password = %q, want it untrimmed", *got)
	}
	for address, ok := range map[string]bool{
		"ada@example.org": true, "ada@xn--bcher-kva.example": true, "a.b+c@sub.example.co.uk": true,
		"ada@[127.0.0.1]": false, "ada@127.0.0.1": false, "ada@bücher.example": false, "ada@localhost": false,
		"ada@-bad.example": false, "ada@example.123": false,
	} {
		f := &form{fields: map[string]json.RawMessage{"email": json.RawMessage(strconv.Quote(address))}}
		if got := f.email("email", true) != nil; got != ok {
			t.Errorf("email %q accepted = %v, want %v", address, got, ok)
		}
	}
}
