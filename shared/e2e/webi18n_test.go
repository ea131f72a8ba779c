package e2e_test

import (
	"bytes"
	"encoding/json"
	"io/fs"
	"maps"
	"os"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The web app's message catalogues: web/locales/<language>.json, one object of
// message keys to a message, or to its plural forms keyed by the categories of
// Intl.PluralRules. web/js/i18n.js reads them.
const (
	webRoot        = "../../web"
	catalogueDir   = "locales"
	sourceLanguage = "en"
	// errorCodePrefix is the one family of keys the code builds at run time: the
	// wording of each error code of docs/api.md (api.js: t('error.code.' + code)).
	errorCodePrefix = "error.code."
)

// pluralCategories are the CLDR plural categories Intl.PluralRules answers.
var pluralCategories = []string{"zero", "one", "two", "few", "many", "other"}

// catalogue is one language's messages: each key's forms ("" for a plain message).
type catalogue map[string]map[string]string

// TestWebCatalogues keeps the web app's languages complete: every key in every
// language, the same parameters in each, plural forms that Intl.PluralRules can pick;
// every key the code uses in the catalogues, and none left unused; a wording for
// every error code of docs/api.md; and French typography.
func TestWebCatalogues(t *testing.T) {
	t.Parallel()
	catalogues := readCatalogues(t)
	source := catalogues[sourceLanguage]
	if source == nil {
		t.Fatalf("no %s.json in web/%s", sourceLanguage, catalogueDir)
	}

	// The same keys, and the same parameters, in every language.
	for lang, c := range catalogues {
		for key := range source {
			if _, ok := c[key]; !ok {
				t.Errorf("%s.json has no %q (%s.json has)", lang, key, sourceLanguage)
			}
		}
		for key, forms := range c {
			if _, ok := source[key]; !ok {
				t.Errorf("%s.json has %q, which %s.json has not", lang, key, sourceLanguage)
				continue
			}
			if got, want := placeholders(forms), placeholders(source[key]); !slices.Equal(got, want) {
				t.Errorf("%s.json %q has the parameters %v, %s.json %v", lang, key, got, sourceLanguage, want)
			}
			checkForms(t, lang, key, forms)
		}
	}

	// Every key the code asks for exists; every key is asked for.
	used, families := usedKeys(t)
	for key, where := range used {
		if _, ok := source[key]; !ok {
			t.Errorf("%s uses the message %q, which is in no catalogue", where, key)
		}
	}
	for _, prefix := range families {
		if prefix != errorCodePrefix {
			t.Errorf("the code builds keys from %q: only %q may be built (TestWebCatalogues checks it against docs/api.md)", prefix, errorCodePrefix)
		}
	}
	for key := range source {
		if _, ok := used[key]; !ok && !strings.HasPrefix(key, errorCodePrefix) {
			t.Errorf("%q is in the catalogues but no code uses it", key)
		}
	}

	// Every error code of the contract has its wording, and only those.
	codes := apiErrorCodes(t)
	for _, code := range codes {
		if _, ok := source[errorCodePrefix+code]; !ok {
			t.Errorf("docs/api.md's error code %s has no wording: add %q to the catalogues", code, errorCodePrefix+code)
		}
	}
	for key := range source {
		if code, ok := strings.CutPrefix(key, errorCodePrefix); ok && !slices.Contains(codes, code) {
			t.Errorf("%q words an error code that docs/api.md does not list", key)
		}
	}

	for key, forms := range catalogues["fr"] {
		for _, m := range forms {
			if problem := frenchTypography(m); problem != "" {
				t.Errorf("fr.json %q: %s in %q", key, problem, m)
			}
		}
	}
}

// readCatalogues reads every web/locales/*.json, refusing duplicate keys (which
// JSON decoders silently resolve) and values that are neither a message nor plural forms.
func readCatalogues(t *testing.T) map[string]catalogue {
	t.Helper()
	files, err := fs.Glob(os.DirFS(webRoot), catalogueDir+"/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no catalogue in web/%s: %v", catalogueDir, err)
	}
	catalogues := map[string]catalogue{}
	for _, file := range files {
		data, err := os.ReadFile(path.Join(webRoot, file))
		if err != nil {
			t.Fatal(err)
		}
		lang := strings.TrimSuffix(path.Base(file), ".json")
		c := catalogue{}
		dec := json.NewDecoder(bytes.NewReader(data))
		if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
			t.Fatalf("%s: not a JSON object (%v)", file, err)
		}
		for dec.More() {
			tok, err := dec.Token()
			if err != nil {
				t.Fatalf("%s: %v", file, err)
			}
			key := tok.(string)
			if _, dup := c[key]; dup {
				t.Errorf("%s: %q twice", file, key)
			}
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				t.Fatalf("%s %q: %v", file, key, err)
			}
			var message string
			var forms map[string]string
			switch {
			case json.Unmarshal(raw, &message) == nil:
				c[key] = map[string]string{"": message}
			case json.Unmarshal(raw, &forms) == nil:
				c[key] = forms
			default:
				t.Errorf("%s %q: a message is a string or an object of plural forms, not %s", file, key, raw)
			}
		}
		catalogues[lang] = c
	}
	return catalogues
}

// checkForms checks a message: not empty, no markup (messages go in as text), and
// plural forms named by Intl.PluralRules' categories, "one" and "other" among them.
func checkForms(t *testing.T, lang, key string, forms map[string]string) {
	t.Helper()
	if _, plain := forms[""]; !plain {
		for _, must := range []string{"one", "other"} {
			if _, ok := forms[must]; !ok {
				t.Errorf("%s.json %q: plural forms without %q", lang, key, must)
			}
		}
	}
	for form, m := range forms {
		if form != "" && !slices.Contains(pluralCategories, form) {
			t.Errorf("%s.json %q: %q is not a plural category of Intl.PluralRules", lang, key, form)
		}
		if strings.TrimSpace(m) == "" {
			t.Errorf("%s.json %q: empty message", lang, key)
		}
		if strings.ContainsAny(m, "<>") {
			t.Errorf("%s.json %q: messages are text, not markup: %q", lang, key, m)
		}
	}
}

var placeholder = regexp.MustCompile(`\{(\w+)\}`)

// placeholders lists the parameters a message's forms use, sorted.
func placeholders(forms map[string]string) []string {
	set := map[string]bool{}
	for _, m := range forms {
		for _, p := range placeholder.FindAllStringSubmatch(m, -1) {
			set[p[1]] = true
		}
	}
	return slices.Sorted(maps.Keys(set))
}

// tCall finds the calls of t() and tParts() in the code, and what their first
// argument starts with: a quoted key, or anything else.
var tCall = regexp.MustCompile(`(function\s+)?\b(t|tParts)\(\s*(?:'([^'\\]*)'(\s*\+)?|"([^"\\]*)"(\s*\+)?|(.))`)

// usedKeys lists the keys web/js uses (each with a file that uses it) and the
// prefixes of the keys it builds ('error.code.' + code). A key must be written out,
// so that this test finds it: any other argument fails the test.
func usedKeys(t *testing.T) (used map[string]string, families []string) {
	t.Helper()
	used = map[string]string{}
	err := fs.WalkDir(os.DirFS(webRoot), "js", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".js" {
			return err
		}
		src, err := os.ReadFile(path.Join(webRoot, p))
		if err != nil {
			return err
		}
		for i, line := range strings.Split(string(src), "\n") {
			if strings.HasPrefix(strings.TrimSpace(line), "//") {
				continue
			}
			for _, m := range tCall.FindAllStringSubmatch(line, -1) {
				key, built := m[3]+m[5], m[4]+m[6] != ""
				switch {
				case m[1] != "": // the definition
				case m[7] != "":
					t.Errorf("web/%s:%d: %s() with a key that is not written out: %s", p, i+1, m[2], strings.TrimSpace(line))
				case built:
					if !slices.Contains(families, key) {
						families = append(families, key)
					}
				default:
					used[key] = "web/" + p
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(used) == 0 {
		t.Fatal("found no t('…') in web/js")
	}
	return used, families
}

// apiErrorCodes reads the codes of docs/api.md's table of error codes.
func apiErrorCodes(t *testing.T) []string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/api.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "### Error codes")
	if !ok {
		t.Fatal("docs/api.md has no Error codes section")
	}
	table, _, _ = strings.Cut(table, "\n#")
	var codes []string
	for _, m := range regexp.MustCompile("(?m)^\\| `(\\w+)` \\| \\d{3} \\|").FindAllStringSubmatch(table, -1) {
		codes = append(codes, m[1])
	}
	if len(codes) < 10 {
		t.Fatalf("found only %d error codes in docs/api.md: %v", len(codes), codes)
	}
	return codes
}

// frenchTypography says what is wrong with a French message, or "". The rules the
// catalogue follows: a no-break space (U+00A0) before a colon and inside « »; a narrow
// no-break space (U+202F) before ; ! and ?; a typographic apostrophe; « » quotes.
func frenchTypography(m string) string {
	m = strings.ReplaceAll(m, "KittenAsso's", "KittenAsso’s") // the product's name is written as it is
	for _, rule := range []struct {
		pattern, problem string
	}{
		{`[^\x{00A0}]:(\s|$)`, "a colon needs a no-break space (U+00A0) before it"},
		{`[^\x{202F}][;!?]`, "; ! and ? need a narrow no-break space (U+202F) before them"},
		{`«[^\x{00A0}]|[^\x{00A0}]»`, "« » need a no-break space (U+00A0) inside"},
		{`'`, "a straight apostrophe (write ’)"},
		{`["“”]`, "quotes other than « »"},
		{`\.\.\.`, "three dots (write …)"},
		{`  `, "two spaces"},
	} {
		if regexp.MustCompile(rule.pattern).MatchString(m) {
			return rule.problem
		}
	}
	return ""
}
