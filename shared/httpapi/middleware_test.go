package httpapi

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/kittenasso/kittenasso/shared/metrics"
)

func testServer(logs *bytes.Buffer) *Server {
	return &Server{Log: slog.New(slog.NewJSONHandler(logs, nil)), CORS: CORS{Origins: []string{"http://app"}}, Metrics: metrics.Discard{}}
}

func TestEnvelopeTurnsFailuresIntoJSON500(t *testing.T) {
	for name, handle := range map[string]func(*Server, http.ResponseWriter, *http.Request) error{
		"panic":          func(*Server, http.ResponseWriter, *http.Request) error { panic("database exploded: secret detail") },
		"writes nothing": func(*Server, http.ResponseWriter, *http.Request) error { return nil },
		"plain error":    func(*Server, http.ResponseWriter, *http.Request) error { return errorString("pq: secret detail") },
	} {
		var logs bytes.Buffer
		s := testServer(&logs)
		h := s.Handler(Route{Name: "boom", Method: "GET", Path: "/boom", handle: handle})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/boom", nil))

		if rec.Code != 500 || rec.Body.String() != string(InternalErrorBody) {
			t.Errorf("%s: %d %s, want the bare JSON 500", name, rec.Code, rec.Body)
		}
		id := rec.Header().Get("X-Request-Id")
		if id == "" || rec.Header().Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: headers %v", name, rec.Header())
		}
		// The log has the detail and the request id, at ERROR.
		var found bool
		for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
			var entry map[string]any
			if err := json.Unmarshal([]byte(line), &entry); err != nil {
				t.Fatalf("%s: log line is not JSON: %q", name, line)
			}
			if entry["level"] == "ERROR" && entry["request_id"] == id && entry["route"] == "GET /boom" {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no ERROR log line with request id %s:\n%s", name, id, logs.String())
		}
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestPathIDAndPage(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{{"1", true}, {"42", true}, {"999999999999999999", true}, {"0", false}, {"01", false}, {"-1", false},
		{"1abc", false}, {"1e3", false}, {" 1", false}, {"9999999999999999999", false}, {"", false}} {
		r := httptest.NewRequest("GET", "/x", nil)
		r.SetPathValue("id", tc.id)
		_, err := pathID(r, "id")
		if (err == nil) != tc.ok {
			t.Errorf("pathID(%q) error %v, want ok=%v", tc.id, err, tc.ok)
		}
	}
	p, err := page(httptest.NewRequest("GET", "/x", nil))
	if err != nil || p.Limit != 100 || p.Offset != 0 {
		t.Errorf("default page %+v, %v", p, err)
	}
	p, err = page(httptest.NewRequest("GET", "/x?limit=1000&offset=5", nil))
	if err != nil || p.Limit != 1000 || p.Offset != 5 {
		t.Errorf("page %+v, %v", p, err)
	}
}
