package apigateway

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/kittenasso/kittenasso/shared/httpapi"
	"github.com/kittenasso/kittenasso/shared/lambdahttp"
)

// Invoker runs one function through the Lambda JSON path: an event in, a response out.
// lambda.Handler is one (in-process); a runtime emulator client is another.
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// maxPayloadBytes is API Gateway's own request size limit; the API enforces 1 MiB itself.
const maxPayloadBytes = 10 << 20

// Gateway serves the template's routes.
type Gateway struct {
	handler http.Handler
	cors    httpapi.CORS
	log     *slog.Logger
}

// New builds a gateway that sends each template route to its function's invoker.
func New(t Template, invokers map[string]Invoker, cors httpapi.CORS, log *slog.Logger) (*Gateway, error) {
	mux := http.NewServeMux()
	g := &Gateway{cors: cors, log: log}
	for _, f := range t.Functions {
		if len(f.Routes) == 0 {
			continue // not an API function (migrate, mailer, ...)
		}
		inv, ok := invokers[f.Name]
		if !ok {
			return nil, fmt.Errorf("gateway: no invoker for function %s", f.Name)
		}
		for _, r := range f.Routes {
			mux.Handle(r.Method+" "+muxPath(r.Path), g.route(r, inv))
		}
	}
	g.handler = httpapi.JSONMux(mux)
	return g, nil
}

// InProcess returns an invoker per API route that runs srv's handler for that route
// in this process, through the same Lambda JSON path and adapter as a deployed function.
func InProcess(srv *httpapi.Server) map[string]Invoker {
	invokers := map[string]Invoker{}
	for _, rt := range httpapi.Routes {
		invokers[rt.Name] = inProcess{lambdahttp.Handler(srv.Handler(rt), srv.Log)}
	}
	return invokers
}

// greedy matches API Gateway's greedy path variable, {name+}.
var greedy = regexp.MustCompile(`\{([A-Za-z0-9_]+)\+\}`)

// muxPath turns an API Gateway route path into a ServeMux pattern path.
func muxPath(p string) string { return greedy.ReplaceAllString(p, "{$1...}") }

// pathParams lists the parameter names of an API Gateway route path.
var pathParam = regexp.MustCompile(`\{([A-Za-z0-9_]+)\+?\}`)

// ServeHTTP gives the request its id (API Gateway's requestId, echoed as X-Request-Id
// on every answer, the gateway's own 404/405/413/502 included) and routes it.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := httpapi.NewRequestID()
	r.Header.Set("X-Request-Id", id)
	w.Header().Set("X-Request-Id", id)
	httpapi.SecurityHeaders(w.Header())
	if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
		g.cors.Preflight(w, r)
		return
	}
	g.handler.ServeHTTP(w, r)
}

// route handles one template route: request to event, invoke, response back.
func (g *Gateway) route(rt Route, inv Invoker) http.Handler {
	names := pathParam.FindAllStringSubmatch(rt.Path, -1)
	routeKey := rt.Method + " " + rt.Path
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, maxPayloadBytes+1))
		if err != nil {
			httpapi.WriteStatus(w, http.StatusBadRequest, "invalid", "could not read the request body")
			return
		}
		if len(body) > maxPayloadBytes {
			httpapi.WriteStatus(w, http.StatusRequestEntityTooLarge, "too_large", "request body is too large")
			return
		}
		ev := Event(r, routeKey, body)
		for _, m := range names {
			if ev.PathParameters == nil {
				ev.PathParameters = map[string]string{}
			}
			ev.PathParameters[m[1]] = r.PathValue(m[1])
		}
		resp, err := invoke(r.Context(), inv, ev)
		if err != nil {
			g.log.ErrorContext(r.Context(), "gateway: invoke failed", "route", routeKey, "error", err.Error(),
				"request_id", ev.RequestContext.RequestID)
			httpapi.WriteStatus(w, http.StatusBadGateway, "bad_gateway", "the function failed")
			return
		}
		writeResponse(w, resp)
	})
}

// Event builds the HTTP API payload 2.0 event API Gateway would send for r.
func Event(r *http.Request, routeKey string, body []byte) events.APIGatewayV2HTTPRequest {
	now := time.Now()
	headers := map[string]string{}
	var cookies []string
	for k, vs := range r.Header {
		if strings.EqualFold(k, "Cookie") {
			for _, v := range vs {
				for _, c := range strings.Split(v, ";") {
					cookies = append(cookies, strings.TrimSpace(c))
				}
			}
			continue
		}
		headers[strings.ToLower(k)] = strings.Join(vs, ",")
	}
	if r.Host != "" {
		headers["host"] = r.Host
	}
	var query map[string]string
	for k, vs := range r.URL.Query() {
		if query == nil {
			query = map[string]string{}
		}
		query[k] = strings.Join(vs, ",")
	}
	sourceIP, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		sourceIP = r.RemoteAddr
	}
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              routeKey,
		RawPath:               r.URL.EscapedPath(),
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies,
		Headers:               headers,
		QueryStringParameters: query,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:   routeKey,
			AccountID:  "000000000000",
			Stage:      "$default",
			RequestID:  r.Header.Get("X-Request-Id"),
			APIID:      "local",
			DomainName: r.Host,
			Time:       now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			TimeEpoch:  now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      r.URL.Path,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if utf8.Valid(body) {
		ev.Body = string(body)
	} else {
		ev.Body, ev.IsBase64Encoded = base64.StdEncoding.EncodeToString(body), true
	}
	return ev
}

func invoke(ctx context.Context, inv Invoker, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	var resp events.APIGatewayV2HTTPResponse
	payload, err := json.Marshal(ev)
	if err != nil {
		return resp, err
	}
	out, err := inv.Invoke(ctx, payload)
	if err != nil {
		return resp, err
	}
	if err := json.Unmarshal(out, &resp); err != nil {
		return resp, fmt.Errorf("function response is not an HTTP API response: %w", err)
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return resp, errors.New("function response has no valid statusCode: " + strconv.Itoa(resp.StatusCode))
	}
	return resp, nil
}

func writeResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse) {
	for k, v := range resp.Headers {
		w.Header().Set(k, v)
	}
	for k, vs := range resp.MultiValueHeaders {
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		w.Header().Add("Set-Cookie", c)
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		if decoded, err := base64.StdEncoding.DecodeString(resp.Body); err == nil {
			body = decoded
		}
	}
	w.WriteHeader(resp.StatusCode)
	w.Write(body)
}

// inProcess invokes handler (as lambda.Start takes one) the way Lambda does, one
// invocation to each environment: aws-lambda-go's Invoke returns the bytes of a buffer
// that it has already put back in its handler's pool, safe in Lambda, where an
// environment runs one invocation at a time, but not when the gateway invokes one
// route from many requests at once (another invocation could write its answer into
// the bytes being sent). Each invocation gets a handler, and a pool, of its own.
type inProcess struct{ handler any }

func (p inProcess) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return lambda.NewHandler(p.handler).Invoke(ctx, payload)
}
