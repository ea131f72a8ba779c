package mail

import (
	"encoding/json"
	"iter"
	"maps"
	"mime"
	"strings"
	"testing"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// TestTranslationsAgree: every message of the e-mails exists in each language the
// product speaks, and takes the same arguments in each.
func TestTranslationsAgree(t *testing.T) {
	for _, problem := range catalogue.Problems() {
		t.Error(problem)
	}
}

// rendered renders an outbox row and reads its MIME message back.
func rendered(t *testing.T, kind string, payload any) parsed {
	t.Helper()
	data, _ := json.Marshal(payload)
	m, err := testRenderer().Render(kind, "reader@example.org", data)
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	raw, err := BuildMIME("events@kittenasso.test", m, stamp, "3@kittenasso.test")
	if err != nil {
		t.Fatal(err)
	}
	return parseMIME(t, raw)
}

// TestEmailsFollowTheReader: every e-mail is written in its recipient's language, its
// dates in their time zone and with their language's conventions; no message key is
// left untranslated; each has an HTML part in that language.
func TestEmailsFollowTheReader(t *testing.T) {
	french := asso.Reader{Locale: "fr", TimeZone: "Europe/Paris"}
	english := asso.Reader{Locale: "en", TimeZone: "America/New_York"}
	// 14:51 UTC is 15:51 in Paris and 9:51 in New York.
	event := func(r asso.Reader) asso.EventEmail {
		return asso.EventEmail{EventID: 7, Name: "Tournoi", Start: "2026-12-06T14:51:00Z", End: "2026-12-06T18:00:00Z",
			AssociationName: "Club d'échecs", Unsubscribe: testUnsubscribe, RSVP: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJw", Reader: r}
	}
	join := func(r asso.Reader) asso.JoinEmail {
		return asso.JoinEmail{AssociationName: "Club d'échecs", InviterFirstname: "Ada", InviterLastname: "L", Firstname: "Bob",
			Token: "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJw", Reader: r}
	}
	verification := func(r asso.Reader) asso.VerificationEmail {
		return asso.VerificationEmail{Firstname: "Bob", Lastname: "B", Link: "https://app.kittenasso.test/verify?t=x", Reader: r}
	}
	for _, tc := range []struct {
		kind    string
		payload any
		subject string
		says    []string // in the text part and, escaped, in the HTML part (a label's value only: it is a table there)
	}{
		{asso.MailInvitation, event(french), "Invitation\u00a0: Tournoi (Club d'échecs)",
			[]string{"Vous avez reçu une invitation", "Début\u00a0: dimanche 6 décembre 2026 à 15:51 (Europe/Paris)",
				"Fin\u00a0: dimanche 6 décembre 2026 à 19:00 (Europe/Paris)", "Venez-vous\u202f?", "Je viens"}},
		{asso.MailUpdate, event(french), "Modifié\u00a0: Tournoi (Club d'échecs)", []string{"a changé", "Je ne peux pas venir"}},
		{asso.MailReminder, event(french), "Rappel\u00a0: Tournoi (Club d'échecs)", []string{"commence bientôt", "15:51"}},
		{asso.MailCancellation, event(french), "Annulé\u00a0: Tournoi (Club d'échecs)", []string{"a été annulé", "plus recevoir les e-mails des événements de Club d'échecs"}},
		{asso.MailInvitation, event(english), "Invitation: Tournoi from Club d'échecs",
			[]string{"You have been invited", "Start: Sunday, December 6, 2026 at 9:51 am (America/New_York)", "I'm coming"}},
		{asso.MailReminder, event(english), "Reminder: Tournoi from Club d'échecs", []string{"starts soon", "1:00 pm"}},
		{asso.MailJoin, join(french), "Ada L vous invite à rejoindre Club d'échecs",
			[]string{"Bonjour Bob,", "L’invitation expire dans 30 jours.", "Rejoindre Club d'échecs", "Refuser"}},
		{asso.MailJoin, join(english), "Ada L invites you to join Club d'échecs", []string{"lapses in 30 days."}},
		{asso.MailVerification, verification(french), "❤️ Bienvenue chez KittenAsso's",
			[]string{"Bonjour Bob B\u202f!", "Il est valable 24 heures."}},
		{asso.MailVerification, verification(asso.Reader{}), VerificationSubject, []string{"Hi Bob B !", "It works for 24 hours."}},
	} {
		msg := rendered(t, tc.kind, tc.payload)
		subject := decodedSubject(t, msg)
		text, page := string(msg.parts["text/plain"]), string(msg.parts["text/html"])
		if subject != tc.subject {
			t.Errorf("%s: subject %q, want %q", tc.kind, subject, tc.subject)
		}
		for _, want := range tc.says {
			shown := want
			if _, value, labelled := strings.Cut(want, ": "); labelled && strings.Contains(want, " (") {
				shown = value
			}
			if !strings.Contains(text, want) || !strings.Contains(page, htmlEscaped(shown)) {
				t.Errorf("%s %s: %q missing from\n%s\n%s", tc.kind, subject, want, text, page)
			}
		}
		for _, keys := range []iter.Seq[string]{maps.Keys(messages), maps.Keys(pluralMessages)} {
			for key := range keys {
				if strings.Contains(text, key) || strings.Contains(page, key) {
					t.Errorf("%s: the message key %q was left in the e-mail", tc.kind, key)
				}
			}
		}
		lang := "en"
		if strings.Contains(tc.subject, "Bienvenue") || strings.Contains(tc.subject, "\u00a0: ") || strings.Contains(tc.subject, "vous invite") {
			lang = "fr"
		}
		if !strings.Contains(page, `<html lang="`+lang+`">`) || !strings.Contains(page, `content="light dark"`) {
			t.Errorf("%s: the HTML part is not a %s page for light and dark mode:\n%s", tc.kind, lang, page)
		}
	}
}

func htmlEscaped(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&#34;", "'", "&#39;").Replace(s)
}

func decodedSubject(t *testing.T, msg parsed) string {
	t.Helper()
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	return subject
}
