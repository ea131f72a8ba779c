package i18n

import (
	"slices"
	"testing"
	"time"
)

// TestProblems: a message missing in a language, or whose languages take different
// arguments, is found.
func TestProblems(t *testing.T) {
	c := NewCatalogue(map[string]Text{
		"ok":        {"Hi %[1]s, %[2]d", "Salut %[2]d, %[1]s"},
		"no.french": {"Hello", ""},
		"args":      {"Join %s", "Rejoindre"},
		"both":      {"x", "y"},
	}, map[string]Plural{
		"days": {EN: Forms{One: "%d day", Other: "%d days"}, FR: Forms{One: "%d jour", Other: "%d jours"}},
		"both": {EN: Forms{One: "%d", Other: "%d"}, FR: Forms{One: "%d", Other: "%d"}},
		"odd":  {EN: Forms{One: "%d day", Other: "%d days"}, FR: Forms{One: "jour", Other: "%d jours"}},
	})
	want := []string{
		`args: English takes [%s], French []`,
		`both is both a text and a plural`,
		`no.french: a language has no text (en "Hello", fr "")`,
		`odd (one): English takes [%d], French []`,
	}
	if got := c.Problems(); !slices.Equal(got, want) {
		t.Errorf("problems\n%q\nwant\n%q", got, want)
	}
}

func TestReader(t *testing.T) {
	c := NewCatalogue(map[string]Text{"hi": {"Hi %s", "Bonjour %s"}},
		map[string]Plural{"days": {EN: Forms{One: "%d day", Other: "%d days"}, FR: Forms{One: "%d jour", Other: "%d jours"}}})
	at := time.Date(2026, 12, 6, 14, 51, 0, 0, time.UTC)
	for _, tc := range []struct {
		locale, zone                  string
		hi, zero, one, two, when, day string
	}{
		{"fr", "Europe/Paris", "Bonjour Ada", "0 jour", "1 jour", "2 jours",
			"dimanche 6 décembre 2026 à 15:51 (Europe/Paris)", "6 décembre 2026"},
		{"en", "America/New_York", "Hi Ada", "0 days", "1 day", "2 days",
			"Sunday, December 6, 2026 at 9:51 am (America/New_York)", "December 6, 2026"},
		{"", "Local", "Hi Ada", "0 days", "1 day", "2 days", "Sunday, December 6, 2026 at 2:51 pm (UTC)", "December 6, 2026"},
	} {
		r := c.For(tc.locale, tc.zone)
		got := []string{r.T("hi", "Ada"), r.T("days", 0), r.T("days", 1), r.T("days", 2), r.When(at), r.Day(at)}
		if want := []string{tc.hi, tc.zero, tc.one, tc.two, tc.when, tc.day}; !slices.Equal(got, want) {
			t.Errorf("%s in %s: %q, want %q", tc.locale, tc.zone, got, want)
		}
	}
}
