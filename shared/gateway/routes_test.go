package gateway_test

import (
	"encoding/json"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kittenasso/kittenasso/shared/gateway"
	"github.com/kittenasso/kittenasso/shared/httpapi"
)

// nonRouteFunctions are the template's functions that serve no HTTP route.
var nonRouteFunctions = []string{"migrate", "mailer", "mail-relay"}

// TestRoutesAgree proves that the Go route table, template.yaml, the functions/ folders
// and the OpenAPI document list exactly the same routes.
func TestRoutesAgree(t *testing.T) {
	var goRoutes []string
	for _, rt := range httpapi.Routes {
		goRoutes = append(goRoutes, rt.Name+" "+rt.Method+" "+rt.Path)
	}

	tmpl, err := gateway.LoadTemplate("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var templateRoutes, templateFunctions []string
	for _, f := range tmpl.Functions {
		templateFunctions = append(templateFunctions, f.Name)
		if len(f.Routes) == 0 && !slices.Contains(nonRouteFunctions, f.Name) {
			t.Errorf("template function %s has no HttpApi event", f.Name)
		}
		for _, r := range f.Routes {
			templateRoutes = append(templateRoutes, f.Name+" "+r.Method+" "+r.Path)
		}
		if want := logicalID(f.Name); f.LogicalID != want {
			t.Errorf("function %s has logical id %s, want %s", f.Name, f.LogicalID, want)
		}
	}
	sameSet(t, "Go route table", goRoutes, "template.yaml", templateRoutes)

	dirs, err := os.ReadDir("../../functions")
	if err != nil {
		t.Fatal(err)
	}
	var folders []string
	for _, d := range dirs {
		if d.IsDir() {
			folders = append(folders, d.Name())
			checkMain(t, d.Name())
		}
	}
	sameSet(t, "functions/ folders", folders, "template.yaml functions", templateFunctions)

	var doc struct {
		Info  struct{ Version string }
		Paths map[string]map[string]json.RawMessage
	}
	data, err := os.ReadFile("../httpapi/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Info.Version != httpapi.APIVersion {
		t.Errorf("OpenAPI info.version %q, API version %q", doc.Info.Version, httpapi.APIVersion)
	}
	var docRoutes, goMethodPaths []string
	for path, ops := range doc.Paths {
		for method := range ops {
			if method != "parameters" {
				docRoutes = append(docRoutes, strings.ToUpper(method)+" "+path)
			}
		}
	}
	for _, rt := range httpapi.Routes {
		goMethodPaths = append(goMethodPaths, rt.Method+" "+rt.Path)
	}
	sameSet(t, "Go route table", goMethodPaths, "openapi.json", docRoutes)
}

// logicalID is the template's naming rule: users-create → UsersCreateFunction.
func logicalID(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "-") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String() + "Function"
}

// checkMain verifies that functions/<name>/main.go starts the function called name:
// a copied folder that still starts its original's route would serve the wrong route.
func checkMain(t *testing.T, name string) {
	t.Helper()
	file := filepath.Join("../../functions", name, "main.go")
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Errorf("%s: %v", file, err)
		return
	}
	if slices.Contains(nonRouteFunctions, name) {
		return // they start their own handler (setup.Start, mailer.StartMailer, ...)
	}
	var started []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok || len(call.Args) != 1 {
			return true
		}
		if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Start" {
			if lit, ok := call.Args[0].(*ast.BasicLit); ok {
				s, _ := strconv.Unquote(lit.Value)
				started = append(started, s)
			}
		}
		return true
	})
	if len(started) != 1 || started[0] != name {
		t.Errorf("%s starts %v, want lambdahttp.Start(%q)", file, started, name)
	}
}

func sameSet(t *testing.T, aName string, a []string, bName string, b []string) {
	t.Helper()
	for _, x := range a {
		if !slices.Contains(b, x) {
			t.Errorf("%s has %q, %s does not", aName, x, bName)
		}
	}
	for _, x := range b {
		if !slices.Contains(a, x) {
			t.Errorf("%s has %q, %s does not", bName, x, aName)
		}
	}
	if len(a) != len(b) {
		t.Errorf("%s lists %d, %s lists %d (duplicates?)", aName, len(a), bName, len(b))
	}
}
