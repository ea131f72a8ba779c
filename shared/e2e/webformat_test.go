package e2e_test

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/kittenasso/kittenasso/shared/local/apigateway"
	"github.com/kittenasso/kittenasso/shared/local/cloudfront"
)

// TestWebAppFormatting runs the app's own modules in the browser on the cases where
// dates and messages go wrong: a zone west of UTC (where a calendar day stored as
// midnight UTC shows as the day before if read as a local time), DST, accents in
// searches, and each kind of API error.
func TestWebAppFormatting(t *testing.T) {
	t.Parallel()
	tmpl, err := apigateway.LoadTemplate("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	site := httptest.NewServer(cloudfront.Site(os.DirFS("../../web"), tmpl.WebHeaders))
	t.Cleanup(site.Close)
	b := newBrowser(t, site.URL)
	b.setTimezone("America/Los_Angeles")
	b.open("/signin")
	b.waitText("Sign in")

	const now = `new Date('2026-11-28T12:00:00Z')`
	for _, c := range []struct {
		js   string // an expression over the modules f (format.js) and api (api.js)
		want any
	}{
		{`f.eventStatus({start: '2026-11-28T13:00:00Z', end: '2026-11-28T14:00:00Z'}, ` + now + `)`, "upcoming"},
		{`f.eventStatus({start: '2026-11-28T11:00:00Z', end: '2026-11-28T12:00:00Z'}, ` + now + `)`, "ongoing"},
		{`f.eventStatus({start: '2026-11-28T10:00:00Z', end: '2026-11-28T11:59:59Z'}, ` + now + `)`, "ended"},
		{`f.duration({start: '2026-11-28T10:00:00Z', end: '2026-11-28T10:45:00Z'})`, "45 min"},
		{`f.duration({start: '2026-11-28T10:00:00Z', end: '2026-11-28T12:00:00Z'})`, "2 h"},
		{`f.duration({start: '2026-11-28T10:00:00Z', end: '2026-11-28T12:30:00Z'})`, "2 h 30 min"},
		{`f.duration({start: '2026-11-28T10:00:00Z', end: '2026-11-29T10:00:00Z'})`, "1 day"},
		{`f.duration({start: '2026-11-28T10:00:00Z', end: '2026-12-01T10:00:00Z'})`, "3 days"},
		{`f.toLocalInput('2026-11-29T13:00:00Z')`, "2026-11-29T05:00"}, // PST, UTC-8
		{`f.toLocalInput('2026-07-01T13:00:00Z')`, "2026-07-01T06:00"}, // PDT, UTC-7
		{`f.fromLocalInput('2026-11-29T05:00')`, "2026-11-29T13:00:00.000Z"},
		{`/October 2\b/.test(f.formatDay('2026-10-02T00:00:00Z'))`, true}, // not October 1
		{`f.matches('Émilie Dupont emilie@example.org', 'emilie dup')`, true},
		{`f.matches('Bob Marley', 'marley bob')`, true},
		{`f.matches('Bob Marley', 'alice')`, false},
		{`f.matches('Bob Marley', '')`, true},
		{`api.describe(new api.ApiError(429, ['too many attempts'], {retryAfter: 900}))`,
			[]any{"Too many attempts. Please try again in 15 minutes."}},
		{`api.describe(new api.ApiError(429, ['too many attempts'], {retryAfter: 30}))`,
			[]any{"Too many attempts. Please try again in 1 minute."}},
		{`api.describe(new api.ApiError(400, ['name should not be empty', 'date must be a valid ISO 8601 date string']))`,
			[]any{"Name should not be empty.", "Date must be a valid ISO 8601 date string."}},
		{`api.describe(new api.ApiError(403, ['you are not a member of association 7']))`,
			[]any{"You are not a member of association 7."}},
		{`api.describe(new api.ApiError(500, ['Internal server error'], {requestId: 'abc123'}))`,
			[]any{"Something went wrong on our side. Please try again in a moment. (Reference: abc123)"}},
		{`api.describe(new api.ApiError(401, ['Unauthorized']))`, []any{"Your session has ended. Please sign in again."}},
		{`api.describe(new api.ApiError(401, ['invalid credentials'], {code: 'invalid_credentials'}))`, []any{"Wrong e-mail address or password."}},
		{`api.describe(new api.ApiError(429, ['this association has sent too many e-mails this hour; try again later'], {code: 'mail_budget', retryAfter: 120}))`,
			[]any{"This association has sent too many e-mails this hour. Please try again in 2 minutes."}},
		{`api.describe(new api.ApiError(413, ['request body is larger than 1 MiB'], {code: 'too_large'}))`, []any{"That is too large to send."}},
		{`api.describe(new TypeError('x is undefined'))`, []any{"Something went wrong in this page. Please reload it."}},
	} {
		var got any
		b.eval(fmt.Sprintf(`Promise.all([import('/js/format.js'), import('/js/api.js')]).then(([f, api]) => %s)`, c.js), &got)
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(c.want)
		if string(gotJSON) != string(wantJSON) {
			t.Errorf("%s = %s, want %s", c.js, gotJSON, wantJSON)
		}
	}
	b.checkConsole()
}
