package e2e_test

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kittenasso/kittenasso/shared/httpapi"
	"github.com/kittenasso/kittenasso/shared/local/apigateway"
)

// nonRouteFunctions are the template's functions that serve no HTTP route.
var nonRouteFunctions = []string{"migrate", "mailer", "mail-relay", "mail-feedback"}

// TestRoutesAgree proves that the Go route table, template.yaml, the functions/ folders
// and the OpenAPI document list exactly the same routes.
func TestRoutesAgree(t *testing.T) {
	var goRoutes []string
	for _, rt := range httpapi.Routes {
		goRoutes = append(goRoutes, rt.Name+" "+rt.Method+" "+rt.Path)
	}

	tmpl, err := apigateway.LoadTemplate("../../template.yaml")
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
	routeVars := routeVariables(t)
	for _, d := range dirs {
		if d.IsDir() {
			folders = append(folders, d.Name())
			checkMain(t, d.Name(), routeVars)
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

// nonRouteMains are what the functions that serve no route call from their main.
var nonRouteMains = map[string]string{"migrate": "migratefn.Serve", "mailer": "mailerfn.Serve", "mail-relay": "relayfn.Serve",
	"mail-feedback": "feedbackfn.Serve"}

// checkMain verifies that functions/<name>/main.go serves the function called name,
// naming its route by symbol: apifn.ServeRoute(httpapi.X), where the route variable X
// is the route called name. A copied folder that still serves its original's route
// would serve the wrong route.
func checkMain(t *testing.T, name string, routeVars map[string]string) {
	t.Helper()
	file := filepath.Join("../../functions", name, "main.go")
	f, err := parser.ParseFile(token.NewFileSet(), file, nil, 0)
	if err != nil {
		t.Errorf("%s: %v", file, err)
		return
	}
	var calls []string
	ast.Inspect(f, func(n ast.Node) bool {
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		if fn, ok := call.Fun.(*ast.SelectorExpr); ok && strings.HasSuffix(fmt.Sprint(fn.X), "fn") {
			called := fmt.Sprint(fn.X) + "." + fn.Sel.Name
			for _, arg := range call.Args {
				if sel, ok := arg.(*ast.SelectorExpr); ok && fmt.Sprint(sel.X) == "httpapi" {
					called += " " + routeVars[sel.Sel.Name]
				}
			}
			calls = append(calls, called)
		}
		return true
	})
	want := "apifn.ServeRoute " + name
	if serve, ok := nonRouteMains[name]; ok {
		want = serve
	}
	if len(calls) != 1 || calls[0] != want {
		t.Errorf("%s calls %q, want the one call %s", file, calls, want)
	}
}

// routeVariables maps each route variable of httpapi/routes.go to the name of its route.
func routeVariables(t *testing.T) map[string]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "../httpapi/routes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		spec, ok := n.(*ast.ValueSpec)
		if !ok || len(spec.Names) != 1 || len(spec.Values) != 1 {
			return true
		}
		if lit, ok := spec.Values[0].(*ast.CompositeLit); ok && fmt.Sprint(lit.Type) == "Route" && len(lit.Elts) > 0 {
			if name, ok := lit.Elts[0].(*ast.BasicLit); ok {
				vars[spec.Names[0].Name], _ = strconv.Unquote(name.Value)
			}
		}
		return true
	})
	if len(vars) != len(httpapi.Routes) {
		t.Errorf("routes.go has %d route variables, the table %d routes", len(vars), len(httpapi.Routes))
	}
	return vars
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
