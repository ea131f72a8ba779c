package httpapi

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
	"resend":       func(f *form) (string, error) { _, err := parseEmail(f); return "", err },
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
		if err == nil && (in.End.Before(*in.Start) || *in.AssociationID < 1 || !validName(*in.Name)) {
			return "invalid event accepted", nil
		}
		return "", err
	},
	"event update": func(f *form) (string, error) {
		in, err := parseEvent(f, false)
		if err == nil && in.Start != nil && in.End != nil && in.End.Before(*in.Start) {
			return "event ending before its start accepted", nil
		}
		return "", err
	},
}

func validName(s string) bool { return strings.TrimSpace(s) != "" && utf8.ValidString(s) }

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
		`{"age":1e400,"idUsers":[9223372036854775808],"date":"9999-12-31T23:59:59-23:59"}`,
		"{\"firstname\":\"\\u0000\\r\\nBcc: x\",\"email\":\"a@b.co\\r\\nBcc: c@d.ef\"}",
	} {
		f.Add([]byte(seed))
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	f.Fuzz(func(t *testing.T, body []byte) {
		for name, parse := range bodyParsers {
			rec := httptest.NewRecorder()
			req := httptest.NewRequest("POST", "/", bytes.NewReader(body))
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
	if _, err := readForm(httptest.NewRecorder(), httptest.NewRequest("POST", "/", strings.NewReader(ok))); err != nil {
		t.Fatalf("a %d-byte body: %v", len(ok), err)
	}
	over := ok + " "
	_, err := readForm(httptest.NewRecorder(), httptest.NewRequest("POST", "/", strings.NewReader(over)))
	if asso.ErrorCode(err) != asso.ETOOLARGE || statusOf[asso.ETOOLARGE] != http.StatusRequestEntityTooLarge {
		t.Errorf("a %d-byte body: %v, want 413", len(over), err)
	}
}
