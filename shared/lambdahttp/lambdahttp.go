// Package lambdahttp runs an API route as a Lambda function behind an API Gateway HTTP
// API (payload format 2.0).
package lambdahttp

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/kittenasso/kittenasso/shared/httpapi"
	"github.com/kittenasso/kittenasso/shared/metrics"
)

// HandlerFunc is the Lambda handler signature of an HTTP API route.
type HandlerFunc func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error)

// Handler adapts h to a Lambda handler. API Gateway's request id becomes the request's
// X-Request-Id (whatever the client sent). It never returns an error: API Gateway would
// turn that into a bare 502, so failures are rendered as the API's JSON 500.
func Handler(h http.Handler, log *slog.Logger) HandlerFunc {
	adapter := httpadapter.NewV2(h)
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		if ev.Headers == nil {
			ev.Headers = map[string]string{}
		}
		if id := ev.RequestContext.RequestID; id != "" {
			ev.Headers["x-request-id"] = id
		}
		resp, err := adapter.ProxyWithContext(ctx, ev)
		if err != nil {
			log.ErrorContext(ctx, "proxy failed", "error", err.Error(), "request_id", ev.RequestContext.RequestID)
			return internalError(ev.RequestContext.RequestID), nil
		}
		return resp, nil
	}
}

func internalError(requestID string) events.APIGatewayV2HTTPResponse {
	return events.APIGatewayV2HTTPResponse{
		StatusCode: http.StatusInternalServerError,
		Headers: map[string]string{
			"Content-Type": "application/json; charset=utf-8", "X-Request-Id": requestID,
			"X-Content-Type-Options": "nosniff",
		},
		Body: string(httpapi.InternalErrorBody),
	}
}

// WithEMF writes one CloudWatch Embedded Metric Format line per invocation to w (the
// function's log): its route, status class and duration.
func WithEMF(function, route string, w io.Writer, next HandlerFunc) HandlerFunc {
	return func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		start := time.Now()
		resp, err := next(ctx, ev)
		w.Write(append(metrics.EMFRequest(function, route, resp.StatusCode, time.Since(start), start), '\n'))
		return resp, err
	}
}
