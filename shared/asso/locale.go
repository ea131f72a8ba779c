package asso

import (
	"slices"
	"strings"
	"time"
	// The Lambda runtime (provided.al2023) is not sure to carry /usr/share/zoneinfo:
	// the time zone database is built in, so that a zone accepted by the API is one the
	// mailer can load.
	_ "time/tzdata"
)

// The languages the product speaks: a user's locale, set at sign-up from the web
// app's language and editable in the profile, chooses the language of their e-mails.
const (
	LocaleEnglish = "en"
	LocaleFrench  = "fr"
)

// Locales lists every locale, the default first.
var Locales = []string{LocaleEnglish, LocaleFrench}

// IsLocale reports whether s is one of Locales.
func IsLocale(s string) bool { return slices.Contains(Locales, s) }

// MaxTimeZoneLen bounds a time zone's name (the longest IANA name has 32 bytes).
const MaxTimeZoneLen = 64

// DefaultTimeZone is the time zone of an account that chose a locale but no zone: the
// product's French users are in France; for anyone else none is chosen ("": UTC).
func DefaultTimeZone(locale string) string {
	if locale == LocaleFrench {
		return "Europe/Paris"
	}
	return ""
}

// LoadTimeZone loads an IANA time zone by name ("Europe/Paris"). It refuses "Local",
// which would be the server's own zone, and anything that is not a zone's name.
func LoadTimeZone(name string) (*time.Location, error) {
	if name == "" || name == "Local" || len(name) > MaxTimeZoneLen || strings.ContainsAny(name, " \\") {
		return nil, Invalid("timeZone should be an IANA time zone such as Europe/Paris")
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, Invalid("timeZone should be an IANA time zone such as Europe/Paris")
	}
	return loc, nil
}
