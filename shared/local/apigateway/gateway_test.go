package apigateway_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"

	"github.com/kittenasso/kittenasso/shared/httpapi"
	"github.com/kittenasso/kittenasso/shared/local/apigateway"
)

// recordingInvoker is a stand-in function for the gateway's own unit tests: it keeps
// the event it was sent and answers what it is told.
type recordingInvoker struct {
	event events.APIGatewayV2HTTPRequest
	reply []byte
	err   error
}

func (f *recordingInvoker) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	if err := json.Unmarshal(payload, &f.event); err != nil {
		return nil, err
	}
	return f.reply, f.err
}

func newTestGateway(t *testing.T, fn *recordingInvoker) http.Handler {
	t.Helper()
	tmpl := apigateway.Template{Functions: []apigateway.Function{
		{Name: "things", Routes: []apigateway.Route{{Method: "POST", Path: "/api/things/{id}/parts/{part}"}}},
		{Name: "files", Routes: []apigateway.Route{{Method: "GET", Path: "/api/files/{path+}"}}},
	}}
	gw, err := apigateway.New(tmpl, map[string]apigateway.Invoker{"things": fn, "files": fn}, httpapi.CORS{},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return gw
}

func TestEventFromRequest(t *testing.T) {
	fn := &recordingInvoker{reply: []byte(`{"statusCode":202,"headers":{"X-A":"b"},"cookies":["c=d"],"body":"aGk=","isBase64Encoded":true}`)}
	gw := newTestGateway(t, fn)
	req := httptest.NewRequest("POST", "/api/things/7/parts/wheel?x=1&x=2&y=3", strings.NewReader("\xff\xfe"))
	req.Header.Add("Cookie", "a=1; b=2")
	req.Header.Add("X-Multi", "one")
	req.Header.Add("X-Multi", "two")
	req.RemoteAddr = "192.0.2.1:5555"
	rec := httptest.NewRecorder()
	gw.ServeHTTP(rec, req)

	ev := fn.event
	if ev.Version != "2.0" || ev.RouteKey != "POST /api/things/{id}/parts/{part}" || ev.RawPath != "/api/things/7/parts/wheel" ||
		ev.RawQueryString != "x=1&x=2&y=3" || ev.QueryStringParameters["x"] != "1,2" ||
		ev.PathParameters["id"] != "7" || ev.PathParameters["part"] != "wheel" ||
		ev.Headers["x-multi"] != "one,two" || strings.Join(ev.Cookies, ";") != "a=1;b=2" ||
		ev.RequestContext.HTTP.SourceIP != "192.0.2.1" || ev.RequestContext.Stage != "$default" ||
		ev.RequestContext.RequestID == "" || !ev.IsBase64Encoded || ev.Body != "//4=" {
		t.Errorf("event %+v", ev)
	}
	if rec.Code != 202 || rec.Body.String() != "hi" || rec.Header().Get("X-A") != "b" || rec.Header().Get("Set-Cookie") != "c=d" ||
		rec.Header().Get("X-Request-Id") != ev.RequestContext.RequestID {
		t.Errorf("response %d %q %v", rec.Code, rec.Body, rec.Header())
	}

	gw.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/files/a/b/c.txt", nil))
	if fn.event.PathParameters["path"] != "a/b/c.txt" {
		t.Errorf("greedy path parameter %q", fn.event.PathParameters["path"])
	}
}

func TestGatewayFailures(t *testing.T) {
	for name, tc := range map[string]struct {
		fn     *recordingInvoker
		body   string
		status int
	}{
		"function error":    {&recordingInvoker{err: errors.New("crashed")}, "", 502},
		"not a response":    {&recordingInvoker{reply: []byte(`"hello"`)}, "", 502},
		"no status":         {&recordingInvoker{reply: []byte(`{"body":"x"}`)}, "", 502},
		"over API GW limit": {&recordingInvoker{reply: []byte(`{"statusCode":200}`)}, strings.Repeat("x", 10<<20+1), 413},
	} {
		rec := httptest.NewRecorder()
		newTestGateway(t, tc.fn).ServeHTTP(rec, httptest.NewRequest("POST", "/api/things/1/parts/2", strings.NewReader(tc.body)))
		var body struct {
			StatusCode int `json:"statusCode"`
		}
		if rec.Code != tc.status || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.StatusCode != tc.status {
			t.Errorf("%s: %d %s, want %d JSON", name, rec.Code, rec.Body, tc.status)
		}
		if rec.Header().Get("X-Request-Id") == "" {
			t.Errorf("%s: no X-Request-Id", name)
		}
	}
}

func TestNewRefusesAFunctionWithoutInvoker(t *testing.T) {
	tmpl := apigateway.Template{Functions: []apigateway.Function{{Name: "lost", Routes: []apigateway.Route{{Method: "GET", Path: "/x"}}}}}
	if _, err := apigateway.New(tmpl, nil, httpapi.CORS{}, slog.Default()); err == nil {
		t.Error("New accepted a route with no function behind it")
	}
}
