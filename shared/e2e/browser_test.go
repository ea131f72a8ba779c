package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/kittenasso/kittenasso/shared/internal/testenv"
)

// chromiumPath is Debian's chromium package; .ci/run installs it.
const chromiumPath = "/usr/bin/chromium"

// browser is one headless Chromium tab on the stack's web app. Its helpers fail the
// test with what the page showed when a step does not happen in time.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	lang string // the browser's language: "en" or "fr"

	axeSource string // axe-core, injected into the page for audits

	mu       sync.Mutex
	problems []string // uncaught exceptions and console errors of the page
}

func newBrowser(t *testing.T, base string) *browser {
	t.Helper()
	return newBrowserIn(t, base, "en")
}

// browserLanguages are the languages (navigator.languages) of a browser whose
// language is "en" or "fr": what a person in the US or in France would have.
var browserLanguages = map[string]string{"en": "en-US,en", "fr": "fr-FR,fr"}

// newBrowserIn starts a browser whose language is lang: "en" or "fr".
func newBrowserIn(t *testing.T, base, lang string) *browser {
	t.Helper()
	if _, err := exec.LookPath(chromiumPath); err != nil {
		testenv.Missing(t, chromiumPath+" is missing", "apt-get install chromium; .ci/run does")
	}
	// The flags a root CI machine with a closed network needs: no sandbox, and no
	// background connections to Google, which would be refused.
	alloc, cancelAlloc := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("accept-lang", browserLanguages[lang]))
	axe, err := os.ReadFile(axeCore)
	if err != nil {
		testenv.Missing(t, "axe-core is missing", "`make test` installs it with the emulators")
	}
	b := &browser{t: t, base: base, lang: lang, axeSource: string(axe)}
	ctx, cancel := chromedp.NewContext(alloc, chromedp.WithListener(b.listen))
	t.Cleanup(func() { cancel(); cancelAlloc() })
	b.ctx = ctx
	// The browser lives as long as the context of the first run: start it here,
	// not under the time limit of a step.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("starting %s: %v", chromiumPath, err)
	}
	// A zone away from UTC, so that the test sees the app convert local times.
	b.setTimezone("Europe/Paris")
	b.do(chromedp.EmulateViewport(screenWidths[1].width, screenWidths[1].height))
	return b
}

// setTimezone makes the browser live in a time zone (an IANA name).
func (b *browser) setTimezone(zone string) {
	b.t.Helper()
	b.do(chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetTimezoneOverride, emulation.SetTimezoneOverrideParams{TimezoneID: zone})
		return err
	}))
}

// listen records what would show in the console as an error.
func (b *browser) listen(ev any) {
	var problem string
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		problem = "uncaught: " + e.ExceptionDetails.Text
		if ex := e.ExceptionDetails.Exception; ex != nil {
			problem += " " + ex.Description
		}
	case *runtime.EventConsoleAPICalled:
		if e.Type == runtime.ConsoleAPICalledTypeError {
			var args []string
			for _, a := range e.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			problem = "console.error: " + strings.Join(args, " ")
		}
	}
	if problem != "" {
		b.mu.Lock()
		b.problems = append(b.problems, problem)
		b.mu.Unlock()
	}
}

// checkConsole fails the test if the page threw or logged an error.
func (b *browser) checkConsole() {
	b.t.Helper()
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, p := range b.problems {
		b.t.Errorf("in the page: %s", p)
	}
	b.problems = nil
}

// do runs actions with a time limit, failing the test with the page's text.
func (b *browser) do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v\npage %s shows:\n%s", err, b.location(), b.pageText())
	}
}

func (b *browser) open(path string) { b.t.Helper(); b.do(chromedp.Navigate(b.base + path)) }

// click clicks the first element a CSS selector finds, once it is visible.
func (b *browser) click(css string) {
	b.t.Helper()
	b.do(chromedp.Click(chromedp.CSS(css), chromedp.NodeVisible))
}

// clickButton clicks the visible button whose text is label.
func (b *browser) clickButton(label string) {
	b.t.Helper()
	b.do(chromedp.Click(fmt.Sprintf(`//button[normalize-space()=%q]`, label), chromedp.NodeVisible))
}

// fill sets a form field's value (an input, a textarea or a select) and tells the
// page, as a browser's autofill does.
func (b *browser) fill(css, value string) {
	b.t.Helper()
	b.do(chromedp.WaitVisible(chromedp.CSS(css)))
	sel, _ := json.Marshal(css)
	val, _ := json.Marshal(value)
	var ok bool
	b.eval(fmt.Sprintf(`(() => { const el = document.querySelector(%s); el.value = %s;
		el.dispatchEvent(new Event('input', {bubbles: true})); el.dispatchEvent(new Event('change', {bubbles: true}));
		return el.value === %[2]s })()`, sel, val), &ok)
	if !ok {
		b.t.Fatalf("%s does not take the value %q", css, value)
	}
}

// typeIn types into a field key by key, for fields that react as you type.
func (b *browser) typeIn(css, text string) {
	b.t.Helper()
	b.do(chromedp.SendKeys(chromedp.CSS(css), text, chromedp.NodeVisible))
}

func (b *browser) eval(js string, out any) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](js, chromedp.EvalAwaitPromise))
	if err == nil {
		err = json.Unmarshal(raw, out)
	}
	if err != nil {
		b.t.Fatalf("browser: evaluating %s: %v", js, err)
	}
}

// waitText waits until the page shows text.
// Every wait also checks that the page shows no stray value of a template slip.
func (b *browser) waitText(text string) {
	b.t.Helper()
	page := b.waitFor("the page to show "+text, func(page string) bool { return strings.Contains(page, text) })
	if slip := straySlip.FindString(page); slip != "" {
		b.t.Errorf("page %s shows %q:\n%s", b.location(), slip, page)
	}
}

// straySlip is what a page shows when code prints a value instead of text.
var straySlip = regexp.MustCompile(`(?m)\b(undefined|NaN)\b|\[object \w+\]|^(false|true|null)$|\bfalse\b$`)

// waitFor waits until done accepts the page's text, and returns that text.
func (b *browser) waitFor(what string, done func(page string) bool) string {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		page := b.pageText()
		if done(page) {
			return page
		}
		if time.Now().After(deadline) {
			b.t.Fatalf("waiting for %s; page %s shows:\n%s", what, b.location(), page)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// pageText is what the page shows: the body's text and any open dialog.
func (b *browser) pageText() string {
	return b.peek(`document.body ? document.body.innerText : ''`, "(unreadable)")
}

func (b *browser) location() string {
	return b.peek(`location.pathname + location.search`, "(unknown)")
}

// peek evaluates a string in the page, or gives fallback: it serves failure
// messages, which must not fail themselves.
func (b *browser) peek(js, fallback string) string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		return fallback + ": " + err.Error()
	}
	return v
}

// firstText is the text of the first element a CSS selector finds now, or "".
func (b *browser) firstText(css string) string {
	b.t.Helper()
	var text string
	b.eval(fmt.Sprintf(`document.querySelector(%q)?.innerText ?? ""`, css), &text)
	return text
}

// say is the English or the French of a text, in the browser's language.
func (b *browser) say(en, fr string) string {
	if b.lang == "fr" {
		return fr
	}
	return en
}

// signIn signs in through the sign-in page.
func (b *browser) signIn(email, password string) {
	b.t.Helper()
	b.open("/signin")
	b.submitSignIn(email, password)
	b.waitText(b.say("Welcome back!", "Bon retour parmi nous\u202f!"))
}

// submitSignIn fills in and sends the sign-in form on the page.
func (b *browser) submitSignIn(email, password string) {
	b.t.Helper()
	b.fill(`input[name=email]`, email)
	b.fill(`input[name=password]`, password)
	b.clickButton(b.say("Sign in", "Se connecter"))
}

// submitSignUp fills in and sends the sign-up form on the page.
func (b *browser) submitSignUp(first, last, age, email, password string) {
	b.t.Helper()
	b.fill(`input[name=firstname]`, first)
	b.fill(`input[name=lastname]`, last)
	b.fill(`input[name=age]`, age)
	b.fill(`input[name=email]`, email)
	b.fill(`input[name=password]`, password)
	b.clickButton(b.say("Create my account", "Créer mon compte"))
}

// keys types keys into whatever has the focus, as a keyboard does.
func (b *browser) keys(keys string) {
	b.t.Helper()
	b.do(chromedp.KeyEvent(keys))
}

// focused names the element with the focus: its tag, and its name if it has one.
func (b *browser) focused() string {
	b.t.Helper()
	var name string
	b.eval(`(() => { const el = document.activeElement; return el.tagName + (el.name ? ' ' + el.name : '') })()`, &name)
	return name
}

// count is the number of elements a CSS selector finds now.
func (b *browser) count(css string) int {
	b.t.Helper()
	var n int
	b.eval(fmt.Sprintf(`document.querySelectorAll(%q).length`, css), &n)
	return n
}

// axeCore is the accessibility engine the audit runs in the page; make test
// installs it with the emulators (infra/local/package.json).
const axeCore = "../../infra/local/node_modules/axe-core/axe.min.js"

// audit runs axe-core's WCAG 2.1 A and AA rules (labels, names, contrast, landmarks,
// ARIA, ...) on the page as it is now, and fails the test on any violation.
func (b *browser) audit(what string) {
	b.t.Helper()
	var loaded bool
	b.eval(`typeof axe !== 'undefined'`, &loaded)
	if !loaded {
		var ignored any
		b.eval(b.axeSource+`; true`, &ignored)
	}
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	raw, err := chromedp.Run(ctx, chromedp.Evaluate[json.RawMessage](`axe.run(document, {
			runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
		.then((r) => r.violations.map((v) => ({rule: v.id, impact: v.impact, help: v.help,
			where: v.nodes.slice(0, 3).map((n) => n.target.join(' '))})))`, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("accessibility audit of %s: %v", what, err)
	}
	var violations []struct {
		Rule, Impact, Help string
		Where              []string
	}
	if err := json.Unmarshal(raw, &violations); err != nil {
		b.t.Fatalf("accessibility audit of %s: %v", what, err)
	}
	for _, v := range violations {
		b.t.Errorf("accessibility of %s (%s): %s [%s] at %v", what, b.location(), v.Help, v.Rule, v.Where)
	}
}

// checkPage audits a page's accessibility and screenshots it (see screenshot).
func (b *browser) checkPage(name string) {
	b.t.Helper()
	b.audit(name)
	b.screenshot(name)
}

// screenWidths are the widths the screenshots show: a phone and a laptop.
var screenWidths = []struct {
	name          string
	width, height int64
}{{"phone", 390, 844}, {"laptop", 1366, 900}}

// screenshot saves the whole page at each screen width, as docs/screenshots/<name>-<language>-<width>.png
// when WEB_SCREENSHOTS names that folder (make screenshots), else in a temporary one;
// either way each must be a PNG of that width.
func (b *browser) screenshot(name string) {
	b.t.Helper()
	dir := os.Getenv("WEB_SCREENSHOTS")
	if dir == "" {
		dir = b.t.TempDir()
	}
	for _, w := range screenWidths {
		b.do(chromedp.EmulateViewport(w.width, w.height))
		time.Sleep(100 * time.Millisecond) // let the layout settle at the new width
		ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
		shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		cancel()
		if err != nil {
			b.t.Fatalf("screenshot %s at %s width: %v", name, w.name, err)
		}
		img, err := png.Decode(bytes.NewReader(shot))
		if err != nil || int64(img.Bounds().Dx()) != w.width {
			b.t.Fatalf("screenshot %s at %s width: not a %d px wide PNG (%v)", name, w.name, w.width, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+"-"+b.lang+"-"+w.name+".png"), shot, 0o644); err != nil {
			b.t.Fatal(err)
		}
	}
	b.do(chromedp.EmulateViewport(screenWidths[1].width, screenWidths[1].height))
}
