package httpapi

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestAPIDocAgreesWithOpenAPI: the route table of docs/api.md §4 lists exactly the
// routes of openapi.json, each with the success status the document gives it, and
// exactly the routes of the Go route table.
func TestAPIDocAgreesWithOpenAPI(t *testing.T) {
	md, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile(`(?m)^\| (GET|POST|PUT|PATCH|DELETE) \| (/api[^ |]*) \|(?:[^|]*\|){2} ([0-9]{3})\b`)
	documented := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(string(md), -1) {
		route := m[1] + " " + m[2]
		if _, twice := documented[route]; twice {
			t.Errorf("docs/api.md lists %s twice", route)
		}
		documented[route] = m[3]
	}

	var doc struct {
		Paths map[string]map[string]json.RawMessage // a method's operation, or the path's parameters
	}
	if err := json.Unmarshal(openAPIDocument, &doc); err != nil {
		t.Fatal(err)
	}
	specified := map[string]string{}
	for path, ops := range doc.Paths {
		for method, raw := range ops {
			if method == "parameters" {
				continue
			}
			var op struct{ Responses map[string]json.RawMessage }
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			for status := range op.Responses {
				if strings.HasPrefix(status, "2") {
					specified[strings.ToUpper(method)+" "+path] = status
				}
			}
		}
	}
	for route, status := range specified {
		switch got, ok := documented[route]; {
		case !ok:
			t.Errorf("openapi.json has %s, docs/api.md §4 does not", route)
		case got != status:
			t.Errorf("%s: docs/api.md says %s, openapi.json %s", route, got, status)
		}
	}
	for route := range documented {
		if _, ok := specified[route]; !ok {
			t.Errorf("docs/api.md §4 has %s, openapi.json does not", route)
		}
	}
	for _, rt := range Routes {
		if _, ok := documented[rt.Pattern()]; !ok {
			t.Errorf("route %s (%s) is not in docs/api.md §4", rt.Name, rt.Pattern())
		}
	}
	if len(documented) != len(Routes) {
		t.Errorf("docs/api.md §4 lists %d routes, the route table %d", len(documented), len(Routes))
	}
}
