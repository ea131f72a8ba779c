package apigateway_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/kittenasso/kittenasso/shared/httpapi"
	"github.com/kittenasso/kittenasso/shared/local/apigateway"
	"github.com/kittenasso/kittenasso/shared/metrics"
)

// The gateway's overhead is BenchmarkGatewayPath minus BenchmarkDirectHandler: the
// same route (GET /api, which touches no database), called once through the local
// gateway (request → event JSON → Lambda handler → response JSON → HTTP) and once
// straight on its http.Handler. `make bench` runs both; docs/benchmarks.md has figures.

func benchServer() *httpapi.Server {
	return &httpapi.Server{Log: slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelError})),
		Metrics: metrics.Discard{}}
}

func runBench(b *testing.B, h http.Handler) {
	req := httptest.NewRequest("GET", "/api", nil)
	req.Header.Set("User-Agent", "bench")
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

func BenchmarkDirectHandler(b *testing.B) {
	rt, _ := httpapi.RouteByName("api-info")
	runBench(b, benchServer().Handler(rt))
}

func BenchmarkGatewayPath(b *testing.B) {
	srv := benchServer()
	tmpl, err := apigateway.LoadTemplate("../../../template.yaml")
	if err != nil {
		b.Fatal(err)
	}
	gw, err := apigateway.New(tmpl, apigateway.InProcess(srv), srv.CORS, srv.Log)
	if err != nil {
		b.Fatal(err)
	}
	runBench(b, gw)
}
