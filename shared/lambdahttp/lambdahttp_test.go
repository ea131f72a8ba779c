package lambdahttp

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/kittenasso/kittenasso/shared/httpapi"
	"github.com/kittenasso/kittenasso/shared/metrics"
)

// invoke runs h through the Lambda JSON path, as the runtime does.
func invoke(t *testing.T, h http.Handler, ev events.APIGatewayV2HTTPRequest) events.APIGatewayV2HTTPResponse {
	t.Helper()
	payload, _ := json.Marshal(ev)
	out, err := lambda.NewHandler(Handler(h, slog.New(slog.NewTextHandler(io.Discard, nil)))).Invoke(context.Background(), payload)
	if err != nil {
		t.Fatalf("the handler returned an error (API Gateway would answer 502): %v", err)
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatal(err)
	}
	return resp
}

func TestHandlerCarriesRequestAndResponse(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Seen", r.Header.Get("X-Request-Id")+"|"+r.RemoteAddr+"|"+r.URL.RawQuery+"|"+string(body))
		w.WriteHeader(http.StatusCreated)
	})
	resp := invoke(t, h, events.APIGatewayV2HTTPRequest{
		RawPath: "/api/x", RawQueryString: "a=1",
		Headers: map[string]string{"x-request-id": "spoofed"},
		Body:    "aGVsbG8=", IsBase64Encoded: true,
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "gw-id",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "POST", SourceIP: "203.0.113.9"}},
	})
	if resp.StatusCode != 201 || resp.Headers["X-Seen"] != "gw-id|203.0.113.9|a=1|hello" {
		t.Errorf("response %+v", resp)
	}
}

func TestHandlerNeverReturnsAnError(t *testing.T) {
	// A handler that writes nothing makes the adapter fail; the function still
	// answers a JSON 500, not an error.
	resp := invoke(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}), events.APIGatewayV2HTTPRequest{
		RawPath: "/", RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "id-1",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}},
	})
	if resp.StatusCode != 500 || resp.Headers["X-Request-Id"] != "id-1" ||
		resp.Body != `{"statusCode":500,"message":"Internal server error","error":"Internal Server Error","code":"internal"}` {
		t.Errorf("response %+v", resp)
	}
}

func TestWithEMFWritesOneLinePerInvocation(t *testing.T) {
	var out bytes.Buffer
	h := WithEMF("health", "GET /api/health", &out, Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}), slog.New(slog.NewTextHandler(io.Discard, nil))))
	for range 2 {
		if _, err := h(context.Background(), events.APIGatewayV2HTTPRequest{RawPath: "/api/health",
			RequestContext: events.APIGatewayV2HTTPRequestContext{HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}}}); err != nil {
			t.Fatal(err)
		}
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines for 2 invocations", len(lines))
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &doc); err != nil || doc["Function"] != "health" || doc["StatusClass"] != "5xx" {
		t.Errorf("EMF line %s (%v)", lines[0], err)
	}
}

// TestAccessLogCarriesBothRequestIDs: in Lambda, the access line has API Gateway's
// request id and Lambda's invocation id, and is valid JSON.
func TestAccessLogCarriesBothRequestIDs(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, nil))
	srv := &httpapi.Server{Log: log, Metrics: metrics.Discard{}}
	rt, _ := httpapi.RouteByName("api-info")
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "lambda-42"})
	_, err := Handler(srv.Handler(rt), log)(ctx, events.APIGatewayV2HTTPRequest{RawPath: "/api",
		RequestContext: events.APIGatewayV2HTTPRequestContext{RequestID: "apigw-7",
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET"}}})
	if err != nil {
		t.Fatal(err)
	}
	var line map[string]any
	if err := json.Unmarshal(logs.Bytes(), &line); err != nil {
		t.Fatalf("log line %q is not JSON: %v", logs.String(), err)
	}
	if line["request_id"] != "apigw-7" || line["lambda_request_id"] != "lambda-42" || line["route"] != "GET /api" {
		t.Errorf("access line %v", line)
	}
}
