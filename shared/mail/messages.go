package mail

import (
	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/i18n"
)

// messages is the e-mails' catalogue, by key (i18n.Text: English, French).
var messages = map[string]i18n.Text{
	// A label and its value: French puts a space before the colon.
	"label":          {"%[1]s: %[2]s", "%[1]s : %[2]s"},
	"footer.tagline": {"The best way to manage your associations", "La meilleure façon de gérer vos associations"},

	"verify.subject": {VerificationSubject, "❤️ Bienvenue chez KittenAsso's"},
	"verify.title":   {"Welcome !", "Bienvenue !"},
	"verify.hi":      {"Hi %s !", "Bonjour %s !"},
	"verify.link":    {"Here is your verification link :", "Voici votre lien de vérification :"},
	"verify.button":  {"Verify my e-mail address", "Vérifier mon adresse e-mail"},
	"verify.kitten": {"We wanted to celebrate your new account by sending you a kitten.",
		"Pour fêter votre nouveau compte, nous vous envoyons un chaton."},
	"verify.fun": {"Have fun using our service !", "Amusez-vous bien avec notre service !"},

	"event.subject.invitation":   {"Invitation: %[1]s from %[2]s", "Invitation : %[1]s (%[2]s)"},
	"event.subject.update":       {"Updated: %[1]s from %[2]s", "Modifié : %[1]s (%[2]s)"},
	"event.subject.cancellation": {"Cancelled: %[1]s from %[2]s", "Annulé : %[1]s (%[2]s)"},
	"event.subject.reminder":     {"Reminder: %[1]s from %[2]s", "Rappel : %[1]s (%[2]s)"},
	"event.subject.promotion":    {"You have a place: %[1]s from %[2]s", "Une place pour vous : %[1]s (%[2]s)"},
	"event.intro.invitation":     {"You have been invited to an event.", "Vous avez reçu une invitation à un événement."},
	"event.intro.update":         {"An event you are invited to has changed.", "Un événement qui vous concerne a changé."},
	"event.intro.cancellation": {"An event you were invited to has been cancelled.",
		"Un événement qui vous concernait a été annulé."},
	"event.intro.reminder": {"An event you are invited to starts soon.", "Un événement qui vous concerne commence bientôt."},
	"event.intro.promotion": {"A place has become free: you were on the waiting list, and you are now coming.",
		"Une place s’est libérée : vous étiez sur la liste d’attente, et votre venue est maintenant confirmée."},
	"event.name":        {"Name", "Nom"},
	"event.start":       {"Start", "Début"},
	"event.end":         {"End", "Fin"},
	"event.place":       {"Place", "Lieu"},
	"event.association": {"Association", "Association"},
	"event.wasGoing":    {"You had said you were coming.", "Vous aviez dit que vous veniez."},
	"event.ask":         {"Are you coming? Answer in one click:", "Venez-vous ? Répondez en un clic :"},
	"event.askAgain":    {"Changed your mind? Answer in one click:", "Vous avez changé d’avis\u202f? Répondez en un clic\u00a0:"},
	"event.going":       {"I'm coming", "Je viens"},
	"event.notGoing":    {"I can't come", "Je ne peux pas venir"},
	"event.unsubscribe": {"To stop receiving e-mails about the events of %[1]s, open %[2]s",
		"Pour ne plus recevoir les e-mails des événements de %[1]s, ouvrez %[2]s"},
	"event.unsubscribeLink": {"Stop e-mails about the events of %s", "Ne plus recevoir les e-mails des événements de %s"},
	"event.calendar":        {"%s, on KittenAsso's", "%s, sur KittenAsso's"},

	"join.title":     {"Invitation", "Invitation"},
	"join.hello":     {"Hello,", "Bonjour,"},
	"join.hi":        {"Hi %s,", "Bonjour %s,"},
	"join.intro":     {"%[1]s invites you to join %[2]s on KittenAsso's.", "%[1]s vous invite à rejoindre %[2]s sur KittenAsso's."},
	"join.accept":    {"Join %s", "Rejoindre %s"},
	"join.decline":   {"Decline", "Refuser"},
	"join.signUp":    {"Sign up to join", "S’inscrire pour rejoindre"},
	"join.subject":   {"%[1]s invites you to join %[2]s", "%[1]s vous invite à rejoindre %[2]s"},
	"join.anonymous": {"You are invited to join an association on KittenAsso's", "Une invitation à rejoindre une association sur KittenAsso's"},
	"join.consent": {"Nothing happens unless you answer: you will not be a member, nor get its e-mails, until you accept.",
		"Rien ne se passe sans votre réponse : vous ne serez pas membre et ne recevrez aucun de ses e-mails tant que vous n’aurez pas accepté."},
}

// pluralMessages are the e-mails' messages with a count.
var pluralMessages = map[string]i18n.Plural{
	"verify.lasts": {
		EN: i18n.Forms{One: "It works for %d hour.", Other: "It works for %d hours."},
		FR: i18n.Forms{One: "Il est valable %d heure.", Other: "Il est valable %d heures."}},
	"join.lapses": {
		EN: i18n.Forms{One: "The invitation lapses in %d day.", Other: "The invitation lapses in %d days."},
		FR: i18n.Forms{One: "L’invitation expire dans %d jour.", Other: "L’invitation expire dans %d jours."}},
}

var catalogue = i18n.NewCatalogue(messages, pluralMessages)

// readerFor is the reader of an e-mail: its recipient, as the payload says.
func readerFor(r asso.Reader) i18n.Reader { return catalogue.For(r.Locale, r.TimeZone) }
