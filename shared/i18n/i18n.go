// Package i18n writes what people read in the languages the product speaks
// (asso.Locales): messages from a catalogue (golang.org/x/text/message, with CLDR's
// plural rules) and dates with each language's conventions (go-playground/locales,
// CLDR's formats), in the reader's time zone. Each package that writes text keeps
// its own catalogue of messages beside its code.
package i18n

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/go-playground/locales"
	"github.com/go-playground/locales/en"
	"github.com/go-playground/locales/fr"
	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
	"golang.org/x/text/message/catalog"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// Text is one message in each language: {English, French}. Keeping both in one
// literal makes a message that exists in one language only impossible to write; Catalogue.Problems finds an
// empty one, or two that do not take the same arguments. Formats follow fmt, with
// explicit argument indexes where there are several, so that a language may reorder
// them.
type Text [2]string

// Plural is a message with a count (its first argument, %d), in each language.
type Plural struct{ EN, FR Forms }

// Forms are a message's forms for the plural categories "one" and "other" (CLDR:
// French says "0 jour" and "1 jour", English "0 days" and "1 day").
type Forms struct{ One, Other string }

// builtIn are the messages every catalogue holds: those of Reader's own methods.
var builtIn = map[string]Text{
	// A date and a time, in the reader's time zone, which is named.
	"i18n.at": {"%[1]s at %[2]s (%[3]s)", "%[1]s à %[2]s (%[3]s)"},
}

// Catalogue is a package's messages in every language.
type Catalogue struct {
	texts   map[string]Text
	plurals map[string]Plural
	catalog catalog.Catalog
}

// NewCatalogue makes the catalogue of texts and plurals. A key must be in one of them
// only.
func NewCatalogue(texts map[string]Text, plurals map[string]Plural) *Catalogue {
	c := &Catalogue{texts: map[string]Text{}, plurals: plurals}
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for _, m := range []map[string]Text{builtIn, texts} {
		for key, t := range m {
			c.texts[key] = t
			must(b.SetString(language.English, key, t[0]))
			must(b.SetString(language.French, key, t[1]))
		}
	}
	for key, p := range plurals {
		for tag, forms := range map[language.Tag]Forms{language.English: p.EN, language.French: p.FR} {
			must(b.Set(tag, key, plural.Selectf(1, "%d", plural.One, forms.One, plural.Other, forms.Other)))
		}
	}
	c.catalog = b
	return c
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// Problems lists the messages missing in a language, those whose languages take
// different arguments, and the keys that are both a text and a plural.
func (c *Catalogue) Problems() []string {
	var problems []string
	agree := func(key, en, fr string) {
		if strings.TrimSpace(en) == "" || strings.TrimSpace(fr) == "" {
			problems = append(problems, fmt.Sprintf("%s: a language has no text (en %q, fr %q)", key, en, fr))
		}
		if !slices.Equal(verbs(en), verbs(fr)) {
			problems = append(problems, fmt.Sprintf("%s: English takes %v, French %v", key, verbs(en), verbs(fr)))
		}
	}
	for key, t := range c.texts {
		agree(key, t[0], t[1])
	}
	for key, p := range c.plurals {
		agree(key+" (one)", p.EN.One, p.FR.One)
		agree(key+" (other)", p.EN.Other, p.FR.Other)
		if _, ok := c.texts[key]; ok {
			problems = append(problems, key+" is both a text and a plural")
		}
	}
	slices.Sort(problems)
	return problems
}

var verb = regexp.MustCompile(`%(\[\d+\])?[a-z]`)

// verbs are a format's fmt verbs, sorted: %s, %[2]s, %d...
func verbs(format string) []string {
	found := verb.FindAllString(format, -1)
	slices.Sort(found)
	return found
}

// Reader writes for one person: in their language, with dates in their time zone.
type Reader struct {
	printer *message.Printer
	dates   locales.Translator
	zone    *time.Location
	// Lang is the language's tag, as HTML's lang attribute takes it.
	Lang string
}

// For is the reader of locale in time zone timeZone. An unknown or empty locale reads
// in English; an unknown or empty zone in UTC.
func (c *Catalogue) For(locale, timeZone string) Reader {
	zone, err := asso.LoadTimeZone(timeZone)
	if err != nil {
		zone = time.UTC
	}
	if locale == asso.LocaleFrench {
		return Reader{message.NewPrinter(language.French, message.Catalog(c.catalog)), fr.New(), zone, asso.LocaleFrench}
	}
	return Reader{message.NewPrinter(language.English, message.Catalog(c.catalog)), en.New(), zone, asso.LocaleEnglish}
}

// T is the message key in the reader's language, formatted with args.
func (r Reader) T(key string, args ...any) string { return r.printer.Sprintf(key, args...) }

// When writes t as the reader reads a moment: "Sunday, December 6, 2026 at 3:51 pm
// (UTC)", "dimanche 6 décembre 2026 à 15:51 (Europe/Paris)".
func (r Reader) When(t time.Time) string {
	t = t.In(r.zone)
	return r.T("i18n.at", r.dates.FmtDateFull(t), r.dates.FmtTimeShort(t), r.zone.String())
}

// Day writes a calendar day, such as a minute's date (midnight UTC): "December 6,
// 2026", "6 décembre 2026".
func (r Reader) Day(t time.Time) string { return r.dates.FmtDateLong(t.UTC()) }
