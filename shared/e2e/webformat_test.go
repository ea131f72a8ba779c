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
// midnight UTC shows as the day before if read as a local time), DST, times entered in
// a zone other than the browser's, accents in searches, each kind of API error, and
// all of it again in French.
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
	// In English, the browser's language here (en-US), and its zone.
	b.runCases([]formatCase{
		{`f.eventStatus({start: '2026-11-28T13:00:00Z', end: '2026-11-28T14:00:00Z'}, ` + now + `)`, "upcoming"},
		{`f.eventStatus({start: '2026-11-28T11:00:00Z', end: '2026-11-28T12:00:00Z'}, ` + now + `)`, "ongoing"},
		{`f.eventStatus({start: '2026-11-28T10:00:00Z', end: '2026-11-28T11:59:59Z'}, ` + now + `)`, "ended"},
		{`f.duration({start: '2026-11-28T10:00:00Z', end: '2026-11-28T10:45:00Z'})`, "45 min"},
		{`f.duration({start: '2026-11-28T10:00:00Z', end: '2026-11-28T12:00:00Z'})`, "2 h"},
		{`f.duration({start: '2026-11-28T10:00:00Z', end: '2026-11-28T12:30:00Z'})`, "2 h 30 min"},
		{`f.duration({start: '2026-11-28T10:00:00Z', end: '2026-11-29T10:00:00Z'})`, "1 day"},
		{`f.duration({start: '2026-11-28T10:00:00Z', end: '2026-12-01T10:00:00Z'})`, "3 days"},
		{`i18n.timeZone()`, "America/Los_Angeles"},                     // no user signed in: the browser's
		{`f.toLocalInput('2026-11-29T13:00:00Z')`, "2026-11-29T05:00"}, // PST, UTC-8
		{`f.toLocalInput('2026-07-01T13:00:00Z')`, "2026-07-01T06:00"}, // PDT, UTC-7
		{`f.fromLocalInput('2026-11-29T05:00')`, "2026-11-29T13:00:00.000Z"},
		{`f.fromLocalInput('2026-03-08T02:30') === new Date('2026-03-08T02:30').toISOString()`, true}, // a time that never happens, as the browser reads it
		{`f.fromLocalInput('2026-11-01T01:30') === new Date('2026-11-01T01:30').toISOString()`, true}, // one that happens twice
		// Another zone than the browser's: the user's, from their profile.
		{`f.toLocalInput('2026-11-29T13:00:00Z', 'Europe/Paris')`, "2026-11-29T14:00"},
		{`f.toLocalInput('2026-11-29T00:00:00Z', 'Pacific/Chatham')`, "2026-11-29T13:45"},
		{`f.fromLocalInput('2026-11-29T14:00', 'Asia/Kolkata')`, "2026-11-29T08:30:00.000Z"},
		{`f.fromLocalInput('2026-07-01T14:00', 'Europe/Paris')`, "2026-07-01T12:00:00.000Z"},
		{`f.fromLocalInput('2026-03-29T02:30', 'Europe/Paris')`, "2026-03-29T01:30:00.000Z"}, // never happens: 03:30 CEST
		{`f.fromLocalInput('2026-10-25T02:30', 'Europe/Paris')`, "2026-10-25T00:30:00.000Z"}, // twice: the first, CEST
		{`f.formatDateTime('2026-12-06T14:51:00Z', 'Europe/Paris')`, "Dec 6, 2026, 3:51 PM"},
		{`(i18n.setTimeZone('Asia/Tokyo'), [i18n.timeZone(), f.formatDateTime('2026-12-06T14:51:00Z')])`,
			[]any{"Asia/Tokyo", "Dec 6, 2026, 11:51 PM"}},
		{`(i18n.setTimeZone('Nowhere/Atlantis'), i18n.timeZone())`, "America/Los_Angeles"},
		{`/October 2\b/.test(f.formatDay('2026-10-02T00:00:00Z'))`, true}, // not October 1
		{`f.matches('Émilie Dupont emilie@example.org', 'emilie dup')`, true},
		{`f.matches('Bob Marley', 'marley bob')`, true},
		{`f.matches('Bob Marley', 'alice')`, false},
		{`f.matches('Bob Marley', '')`, true},
		{`[0, 1, 2].map((count) => i18n.t('members.count', {count}))`, []any{"0 members", "1 member", "2 members"}},
		{`[f.tellApart({id: 1234, age: 36}), f.tellApart({id: 1234, age: 36, email: 'bob@example.org'})]`,
			[]any{"user #1234, age 36", "bob@example.org"}},
		{`i18n.t('people.count', {count: 1503})`, "1,503 people."},
		{`api.describe(new api.ApiError(429, ['too many attempts'], {code: 'throttled', retryAfter: 900}))`,
			[]any{"Too many attempts. Please try again in 15 minutes."}},
		{`api.describe(new api.ApiError(429, ['too many attempts'], {retryAfter: 30}))`,
			[]any{"Too many attempts. Please try again in 1 minute."}},
		{`api.describe(new api.ApiError(400, ['name should not be empty', 'date must be a valid ISO 8601 date string', 'idUsers must be an array'], {code: 'invalid'}))`,
			[]any{"Name should not be empty.", "Date must be a date.", "Some of what you entered is not valid. Check the form and try again."}},
		{`api.describe(new api.ApiError(400, ['name must be shorter than or equal to 200 characters'], {code: 'invalid'}))`,
			[]any{"Name must be at most 200 characters long."}},
		{`api.describe(new api.ApiError(400, ['timeZone must be an IANA time zone such as Europe/Paris', 'locale must be one of the following values: en, fr'], {code: 'invalid'}))`,
			[]any{"Time zone must be a time zone such as Europe/Paris.", "Language must be one of: en, fr."}},
		{`api.describe(new api.ApiError(403, ['you are not a member of association 7'], {code: 'not_member'}))`,
			[]any{"You are not a member of this association."}},
		{`api.describe(new api.ApiError(418, ['a teapot'], {code: 'teapot'}))`, []any{"Something went wrong. Please try again."}},
		{`api.describe(new api.ApiError(500, ['Internal server error'], {code: 'internal', requestId: 'abc123'}))`,
			[]any{"Something went wrong on our side. Please try again in a moment. (Reference: abc123)"}},
		{`api.describe(new api.ApiError(503, ['database unavailable'], {code: 'unavailable'}))`,
			[]any{"The service is busy or down for a moment. Please try again shortly."}},
		{`api.describe(new api.ApiError(401, ['Unauthorized'], {code: 'unauthorized'}))`, []any{"Your session has ended. Please sign in again."}},
		{`api.describe(new api.ApiError(401, ['invalid credentials'], {code: 'invalid_credentials'}))`, []any{"Wrong e-mail address or password."}},
		{`api.describe(new api.ApiError(429, ['this association has sent too many e-mails this hour; try again later'], {code: 'mail_budget', retryAfter: 120}))`,
			[]any{"Too many e-mails have gone out this hour, from you or from this association. Please try again in 2 minutes."}},
		{`api.describe(new api.ApiError(413, ['request body is larger than 1 MiB'], {code: 'too_large'}))`, []any{"That is too large to send."}},
		{`api.describe(new api.ApiError(0, ['the server could not be reached']))`,
			[]any{"We could not reach the server. Check your connection and try again."}},
		{`api.describe(new TypeError('x is undefined'))`, []any{"Something went wrong in this page. Please reload it."}},
	})

	// In French: the language's dates, plurals, numbers, typography and errors.
	b.runCases([]formatCase{
		{`i18n.setLanguage('fr').then(() => document.documentElement.lang)`, "fr"},
		{`f.formatDateTime('2026-12-06T14:51:00Z', 'Europe/Paris')`, "6 déc. 2026, 15:51"},
		{`f.formatRange('2026-12-06T13:00:00Z', '2026-12-06T16:30:00Z', 'Europe/Paris')`, "6 déc. 2026, 14:00 – 17:30"},
		{`f.formatDay('2026-10-02T00:00:00Z')`, "vendredi 2 octobre 2026"},
		{`f.duration({start: '2026-11-28T10:00:00Z', end: '2026-11-29T10:00:00Z'})`, "1 jour"},
		{`f.duration({start: '2026-11-28T10:00:00Z', end: '2026-12-01T10:00:00Z'})`, "3 jours"},
		{`f.duration({start: '2026-11-28T10:00:00Z', end: '2026-11-28T12:30:00Z'})`, "2 h 30 min"},
		{`[0, 1, 2].map((count) => i18n.t('members.count', {count}))`, []any{"0 membre", "1 membre", "2 membres"}},
		{`[f.tellApart({id: 1234, age: 1}), f.tellApart({id: 1234, age: 36})]`,
			[]any{"personne nº\u00a01234, 1 an", "personne nº\u00a01234, 36 ans"}},
		{`i18n.t('people.count', {count: 1503})`, "1\u202f503 personnes."},
		{`i18n.t('people.matching', {count: 1, total: 4, query: 'bob'})`, "1 personne sur 4 correspond à «\u00a0bob\u00a0»."},
		{`api.describe(new api.ApiError(429, ['too many attempts'], {code: 'throttled', retryAfter: 900}))`,
			[]any{"Trop de tentatives. Veuillez réessayer dans 15 minutes."}},
		{`api.describe(new api.ApiError(400, ['name should not be empty', 'email must be an email', 'idUsers must be an array'], {code: 'invalid'}))`,
			[]any{"Le champ «\u00a0Nom\u00a0» est obligatoire.", "Le champ «\u00a0Adresse e-mail\u00a0» doit être une adresse e-mail.",
				"Certaines informations saisies ne sont pas valides. Vérifiez le formulaire et réessayez."}},
		{`api.describe(new api.ApiError(401, ['invalid credentials'], {code: 'invalid_credentials'}))`, []any{"Adresse e-mail ou mot de passe incorrect."}},
		{`api.describe(new api.ApiError(409, ['email already used'], {code: 'email_taken'}))`,
			[]any{"Un compte utilise déjà cette adresse e-mail. Voulez-vous plutôt vous connecter\u202f?"}},
		{`api.describe(new api.ApiError(418, ['a teapot'], {code: 'teapot'}))`, []any{"Un problème est survenu. Veuillez réessayer."}},
		{`api.describe(new TypeError('x is undefined'))`, []any{"Un problème est survenu dans cette page. Veuillez la recharger."}},
		{`i18n.setLanguage('en').then(() => document.documentElement.lang)`, "en"},
	})
	b.checkConsole()
}

// formatCase is an expression over the modules f (format.js), api (api.js) and
// i18n (i18n.js), and the value it should give (awaited, if a promise).
type formatCase struct {
	js   string
	want any
}

// runCases evaluates each case in the page and reports those that give another value.
func (b *browser) runCases(cases []formatCase) {
	b.t.Helper()
	for _, c := range cases {
		var got any
		b.eval(fmt.Sprintf(`Promise.all([import('/js/format.js'), import('/js/api.js'), import('/js/i18n.js')])
			.then(([f, api, i18n]) => %s)`, c.js), &got)
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(c.want)
		if string(gotJSON) != string(wantJSON) {
			b.t.Errorf("%s = %+q, want %+q", c.js, gotJSON, wantJSON) // %+q: the spaces of Intl are told apart
		}
	}
}
