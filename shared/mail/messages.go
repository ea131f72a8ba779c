package mail

import (
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

// translation is one message in each language the product speaks (asso.Locales).
// Keeping both in one literal makes a message that exists in one language only
// impossible to write; TestTranslationsAgree checks that neither is empty and that
// both take the same arguments.
type translation struct{ en, fr string }

// messages is the e-mails' catalogue, by key. Formats follow fmt, with explicit
// argument indexes where there are several, so that a language may reorder them.
var messages = map[string]translation{
	// A label and its value: French puts a space before the colon.
	"label":          {"%[1]s: %[2]s", "%[1]s : %[2]s"},
	"footer.tagline": {"The best way to manage your associations", "La meilleure façon de gérer vos associations"},

	"verify.subject": {VerificationSubject, "❤️ Bienvenue chez KittenAsso's"},
	"verify.title":   {"Welcome !", "Bienvenue !"},
	"verify.hi":      {"Hi %s !", "Bonjour %s !"},
	"verify.link":    {"Here is your verification link :", "Voici votre lien de vérification :"},
	"verify.button":  {"Verify my e-mail address", "Vérifier mon adresse e-mail"},
	"verify.kitten": {"We wanted to celebrate your new account by sending you a kitten.",
		"Pour fêter votre nouveau compte, nous vous envoyons un chaton."},
	"verify.fun": {"Have fun using our service !", "Amusez-vous bien avec notre service !"},

	"event.subject.invitation":   {"Invitation: %[1]s from %[2]s", "Invitation : %[1]s (%[2]s)"},
	"event.subject.update":       {"Updated: %[1]s from %[2]s", "Modifié : %[1]s (%[2]s)"},
	"event.subject.cancellation": {"Cancelled: %[1]s from %[2]s", "Annulé : %[1]s (%[2]s)"},
	"event.subject.reminder":     {"Reminder: %[1]s from %[2]s", "Rappel : %[1]s (%[2]s)"},
	"event.subject.promotion":    {"You have a place: %[1]s from %[2]s", "Une place pour vous : %[1]s (%[2]s)"},
	"event.intro.invitation":     {"You have been invited to an event.", "Vous avez reçu une invitation à un évènement."},
	"event.intro.update":         {"An event you are invited to has changed.", "Un évènement qui vous concerne a changé."},
	"event.intro.cancellation": {"An event you were invited to has been cancelled.",
		"Un évènement qui vous concernait a été annulé."},
	"event.intro.reminder": {"An event you are invited to starts soon.", "Un évènement qui vous concerne commence bientôt."},
	"event.intro.promotion": {"A place has become free: you were on the waiting list, and you are now coming.",
		"Une place s'est libérée : vous étiez sur la liste d'attente, et votre venue est maintenant confirmée."},
	"event.name":        {"Name", "Nom"},
	"event.start":       {"Start", "Début"},
	"event.end":         {"End", "Fin"},
	"event.place":       {"Place", "Lieu"},
	"event.association": {"Association", "Association"},
	"event.wasGoing":    {"You had said you were coming.", "Vous aviez dit que vous veniez."},
	"event.ask":         {"Are you coming? Answer in one click:", "Venez-vous ? Répondez en un clic :"},
	"event.going":       {"I'm coming", "Je viens"},
	"event.notGoing":    {"I can't come", "Je ne peux pas venir"},
	"event.unsubscribe": {"To stop receiving e-mails about the events of %[1]s, open %[2]s",
		"Pour ne plus recevoir les e-mails des évènements de %[1]s, ouvrez %[2]s"},
	"event.unsubscribeLink": {"Stop e-mails about the events of %s", "Ne plus recevoir les e-mails des évènements de %s"},
	"event.calendar":        {"%s, on KittenAsso's", "%s, sur KittenAsso's"},
	// A date and time in the reader's time zone, which is named.
	"date.at": {"%[1]s at %[2]s (%[3]s)", "%[1]s à %[2]s (%[3]s)"},

	"join.title":     {"Invitation", "Invitation"},
	"join.hello":     {"Hello,", "Bonjour,"},
	"join.hi":        {"Hi %s,", "Bonjour %s,"},
	"join.intro":     {"%[1]s invites you to join %[2]s on KittenAsso's.", "%[1]s vous invite à rejoindre %[2]s sur KittenAsso's."},
	"join.accept":    {"Join %s", "Rejoindre %s"},
	"join.decline":   {"Decline", "Refuser"},
	"join.signUp":    {"Sign up to join", "S'inscrire pour rejoindre"},
	"join.subject":   {"%[1]s invites you to join %[2]s", "%[1]s vous invite à rejoindre %[2]s"},
	"join.anonymous": {"You are invited to join an association on KittenAsso's", "Une invitation à rejoindre une association sur KittenAsso's"},
	"join.consent": {"Nothing happens unless you answer: you will not be a member, nor get its e-mails, until you accept.",
		"Rien ne se passe sans votre réponse : vous ne serez pas membre et ne recevrez aucun de ses e-mails tant que vous n'aurez pas accepté."},
}

// pluralMessages are messages with a count, one form per plural category of each
// language (CLDR rules: French says "1 jour" and "0 jour", English "0 days").
var pluralMessages = map[string]struct{ en, fr pluralForms }{
	"verify.lasts": {
		pluralForms{"It works for %d hour.", "It works for %d hours."},
		pluralForms{"Il est valable %d heure.", "Il est valable %d heures."}},
	"join.lapses": {
		pluralForms{"The invitation lapses in %d day.", "The invitation lapses in %d days."},
		pluralForms{"L'invitation expire dans %d jour.", "L'invitation expire dans %d jours."}},
}

// pluralForms are a message's forms for one count and for others.
type pluralForms struct{ one, other string }

// catalogue holds messages and pluralMessages for golang.org/x/text/message.
var catalogue = func() catalog.Catalog {
	b := catalog.NewBuilder(catalog.Fallback(language.English))
	for key, m := range messages {
		must(b.SetString(language.English, key, m.en))
		must(b.SetString(language.French, key, m.fr))
	}
	for key, m := range pluralMessages {
		for tag, forms := range map[language.Tag]pluralForms{language.English: m.en, language.French: m.fr} {
			must(b.Set(tag, key, plural.Selectf(1, "%d", plural.One, forms.one, plural.Other, forms.other)))
		}
	}
	return b
}()

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// reader writes for one recipient: in their language, with dates in their time zone.
type reader struct {
	printer *message.Printer
	dates   locales.Translator // CLDR's date and time formats of the language
	zone    *time.Location
	lang    string // the HTML lang attribute
}

// readerFor is the reader of r. A payload without a locale reads in English, one
// without a time zone (or with a zone this build does not know) in UTC.
func readerFor(r asso.Reader) reader {
	zone, err := asso.LoadTimeZone(r.TimeZone)
	if err != nil {
		zone = time.UTC
	}
	if r.Locale == asso.LocaleFrench {
		return reader{message.NewPrinter(language.French, message.Catalog(catalogue)), fr.New(), zone, "fr"}
	}
	return reader{message.NewPrinter(language.English, message.Catalog(catalogue)), en.New(), zone, "en"}
}

// t is the message key in the reader's language, formatted with args.
func (r reader) t(key string, args ...any) string { return r.printer.Sprintf(key, args...) }

// when writes t as the reader reads dates: "Sunday, December 6, 2026 at 3:51 pm (UTC)",
// "dimanche 6 décembre 2026 à 15:51 (Europe/Paris)".
func (r reader) when(t time.Time) string {
	t = t.In(r.zone)
	return r.t("date.at", r.dates.FmtDateFull(t), r.dates.FmtTimeShort(t), r.zone.String())
}
