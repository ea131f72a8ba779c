package e2e_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/kittenasso/kittenasso/shared/httpapi"
)

// The OpenAPI document, checked against every live response the integration tests
// see: the route's documented status must exist, and the body must fit its schema.
// The checker knows only the JSON Schema keywords openapi.json uses.

var (
	openAPIOnce sync.Once
	openAPIDoc  map[string]any
	routeMux    *http.ServeMux
)

func loadOpenAPI() {
	data, err := os.ReadFile("../httpapi/openapi.json")
	if err != nil {
		panic(err)
	}
	if err := json.Unmarshal(data, &openAPIDoc); err != nil {
		panic(err)
	}
	routeMux = http.NewServeMux()
	for _, rt := range httpapi.Routes {
		routeMux.HandleFunc(rt.Pattern(), func(http.ResponseWriter, *http.Request) {})
	}
}

// checkAgainstOpenAPI returns what is wrong with a response to method path, or "".
func checkAgainstOpenAPI(method, path string, status int, body []byte) string {
	openAPIOnce.Do(loadOpenAPI)
	_, pattern := routeMux.Handler(httptest.NewRequest(method, path, nil))
	if pattern == "" || status == http.StatusInternalServerError {
		return "" // not a route (the gateway's 404/405), or a failure checked elsewhere
	}
	routePath := strings.SplitN(pattern, " ", 2)[1]
	op, _ := get(openAPIDoc, "paths", routePath, strings.ToLower(method)).(map[string]any)
	if op == nil {
		return "no operation " + pattern + " in openapi.json"
	}
	resp, _ := get(op, "responses", strconv.Itoa(status)).(map[string]any)
	if resp == nil {
		return fmt.Sprintf("status %d of %s is not documented", status, pattern)
	}
	resp = resolve(resp)
	schema, _ := get(resp, "content", "application/json", "schema").(map[string]any)
	if schema == nil {
		return ""
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		return "body is not JSON"
	}
	if problem := validate(v, schema, "$"); problem != "" {
		return fmt.Sprintf("%s %d: %s", pattern, status, problem)
	}
	return ""
}

func get(v any, keys ...string) any {
	for _, k := range keys {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[k]
	}
	return v
}

// resolve follows a local $ref.
func resolve(s map[string]any) map[string]any {
	for {
		ref, ok := s["$ref"].(string)
		if !ok {
			return s
		}
		parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
		s, _ = get(openAPIDoc, parts...).(map[string]any)
	}
}

func validate(v any, schema map[string]any, at string) string {
	schema = resolve(schema)
	if alts, ok := schema["oneOf"].([]any); ok {
		for _, alt := range alts {
			if validate(v, alt.(map[string]any), at) == "" {
				return ""
			}
		}
		return at + ": matches no oneOf alternative"
	}
	if enum, ok := schema["enum"].([]any); ok && !slices.Contains(enum, v) {
		return fmt.Sprintf("%s: %v is not one of %v", at, v, enum)
	}
	switch schema["type"] {
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return at + ": not an object"
		}
		props, _ := schema["properties"].(map[string]any)
		for _, req := range asStrings(schema["required"]) {
			if _, ok := obj[req]; !ok {
				return at + ": missing " + req
			}
		}
		for k, child := range obj {
			sub, ok := props[k].(map[string]any)
			if !ok {
				if schema["additionalProperties"] == false {
					return at + ": unexpected property " + k
				}
				continue
			}
			if p := validate(child, sub, at+"."+k); p != "" {
				return p
			}
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return at + ": not an array"
		}
		if max, ok := schema["maxItems"].(float64); ok && float64(len(arr)) > max {
			return at + ": too many items"
		}
		items, _ := schema["items"].(map[string]any)
		for i, child := range arr {
			if p := validate(child, items, fmt.Sprintf("%s[%d]", at, i)); p != "" {
				return p
			}
		}
	case "string":
		s, ok := v.(string)
		if !ok {
			return at + ": not a string"
		}
		if min, ok := schema["minLength"].(float64); ok && float64(utf8.RuneCountInString(s)) < min {
			return at + ": too short"
		}
		if max, ok := schema["maxLength"].(float64); ok && float64(utf8.RuneCountInString(s)) > max {
			return at + ": too long"
		}
		if pattern, ok := schema["pattern"].(string); ok && !regexp.MustCompile(pattern).MatchString(s) {
			return fmt.Sprintf("%s: %q does not match %s", at, s, pattern)
		}
	case "integer", "number":
		n, ok := v.(float64)
		if !ok || (schema["type"] == "integer" && n != float64(int64(n))) {
			return at + ": not an " + schema["type"].(string)
		}
		if min, ok := schema["minimum"].(float64); ok && n < min {
			return at + ": below minimum"
		}
		if max, ok := schema["maximum"].(float64); ok && n > max {
			return at + ": above maximum"
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return at + ": not a boolean"
		}
	case "null":
		if v != nil {
			return at + ": not null"
		}
	}
	return ""
}

func asStrings(v any) []string {
	var out []string
	for _, x := range asSlice(v) {
		out = append(out, x.(string))
	}
	return out
}

func asSlice(v any) []any { s, _ := v.([]any); return s }
