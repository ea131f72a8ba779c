package httpapi

import "github.com/kittenasso/kittenasso/shared/i18n"

// messages is what the API itself writes for people to read: the exports, in the
// caller's language. Error bodies are not here: they keep a stable code, which the
// web app words in its own language (docs/api.md §6).
var messages = map[string]i18n.Text{
	"export.members":    {"members", "membres"},
	"export.attendance": {"attendance", "présences"},
	"export.minutes":    {"minutes", "comptes-rendus"},

	"column.firstname":  {"First name", "Prénom"},
	"column.lastname":   {"Last name", "Nom"},
	"column.email":      {"E-mail", "E-mail"},
	"column.role":       {"Role", "Rôle"},
	"column.status":     {"Status", "Statut"},
	"column.manager":    {"Manager", "Gestionnaire"},
	"column.joinedAt":   {"Joined", "Adhésion"},
	"column.answer":     {"Answer", "Réponse"},
	"column.answeredAt": {"Answered", "Réponse le"},

	"yes":              {"yes", "oui"},
	"no":               {"no", "non"},
	"role.none":        {"member", "membre"}, // a member who holds no role
	"status.member":    {"member", "membre"},
	"status.invited":   {"invited", "invité"},
	"answer.going":     {"going", "vient"},
	"answer.not_going": {"not going", "ne vient pas"},
	"answer.no_answer": {"no answer", "pas de réponse"},
	"answer.waiting":   {"waiting list", "liste d’attente"},
	"minutes.title":    {"Minutes of %s", "Comptes rendus de %s"},
	"minutes.voters":   {"Voters: %s.", "Votants : %s."},
	"minutes.noVoters": {"none recorded", "aucun enregistré"},
}

var catalogue = i18n.NewCatalogue(messages, nil)
