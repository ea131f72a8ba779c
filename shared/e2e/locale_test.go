package e2e_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// frenchWhen writes t as a French reader in Paris reads it in their e-mails. The names
// are written out here, apart from the product's own formatting, as the test's oracle.
func frenchWhen(t time.Time) string {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		panic(err)
	}
	t = t.In(paris)
	days := []string{"dimanche", "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi"}
	months := []string{"janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"}
	return fmt.Sprintf("%s %d %s %d à %02d:%02d (Europe/Paris)", days[t.Weekday()], t.Day(), months[t.Month()-1], t.Year(), t.Hour(), t.Minute())
}

// englishWhen writes t as an English reader in New York reads it.
func englishWhen(t time.Time) string {
	newYork, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	t = t.In(newYork)
	return t.Format("Monday, January 2, 2006 at 3:04 ") + strings.ToLower(t.Format("PM")) + " (America/New_York)"
}

// TestPreferences: a user's language and time zone are set at sign-up or in the
// profile, checked, and shown to nobody else.
func TestPreferences(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	var bob asso.User
	s.request("POST", "/api/users", "", map[string]any{"firstname": "Bob", "lastname": "Durand", "age": 30,
		"email": "bob.prefs@example.org", "password": "password123", "locale": "fr"}).want(t, 201).decode(t, &bob)
	if bob.Locale != "fr" || bob.TimeZone != "Europe/Paris" {
		t.Errorf("a French sign-up without a zone has %q %q, want fr Europe/Paris", bob.Locale, bob.TimeZone)
	}
	s.request("POST", "/api/verification", "", map[string]string{"token": s.mailedToken("bob.prefs@example.org")}).want(t, 201)
	bobToken := s.login("bob.prefs@example.org", "password123")
	_, adaToken := s.member("ada.prefs@example.org")

	for _, body := range []map[string]any{{"locale": "de"}, {"locale": 1}, {"timeZone": "Mars/Olympus"},
		{"timeZone": "Local"}, {"timeZone": ""}, {"timeZone": strings.Repeat("A", 100)}} {
		if got := s.request("PUT", "/api/users/"+itoa(bob.ID), bobToken, body).want(t, 400).code(t); got != "invalid" {
			t.Errorf("PUT %v: code %q", body, got)
		}
	}
	var changed asso.User
	s.request("PUT", "/api/users/"+itoa(bob.ID), bobToken, map[string]any{"locale": "en", "timeZone": "America/New_York"}).
		want(t, 200).decode(t, &changed)
	if changed.Locale != "en" || changed.TimeZone != "America/New_York" {
		t.Errorf("after the change: %q %q", changed.Locale, changed.TimeZone)
	}
	var own, seen asso.UserWithAssociations
	s.request("GET", "/api/users/"+itoa(bob.ID), bobToken, nil).want(t, 200).decode(t, &own)
	s.request("GET", "/api/users/"+itoa(bob.ID), adaToken, nil).want(t, 200).decode(t, &seen)
	if own.Locale != "en" || own.TimeZone != "America/New_York" || seen.Locale != "" || seen.TimeZone != "" {
		t.Errorf("bob sees %q %q, ada sees %q %q; want his own only to him", own.Locale, own.TimeZone, seen.Locale, seen.TimeZone)
	}

	// The old client sends neither: nothing is chosen (its e-mails read in English, in
	// UTC, and the web app follows the browser); English alone chooses no zone.
	for _, tc := range []struct{ email, locale, wantLocale string }{
		{"old.prefs@example.org", "", ""}, {"en.prefs@example.org", "en", "en"}} {
		body := map[string]any{"firstname": "Old", "lastname": "Client", "age": 30, "email": tc.email, "password": "password123"}
		if tc.locale != "" {
			body["locale"] = tc.locale
		}
		var u asso.User
		s.request("POST", "/api/users", "", body).want(t, 201).decode(t, &u)
		if u.Locale != tc.wantLocale || u.TimeZone != "" {
			t.Errorf("a sign-up with locale %q has %q %q", tc.locale, u.Locale, u.TimeZone)
		}
	}
}

// TestMailInTheReadersLanguage: through the SES inbox, a French member's invitation,
// update, reminder and cancellation are in French with the dates of Paris; an English
// member's in English with the dates of their own zone; each with its HTML part.
func TestMailInTheReadersLanguage(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	adaAddress, bob, cy := s.addr("ada"), s.addr("bob"), s.addr("cy")
	ada, adaToken := s.member(adaAddress)
	var b asso.User
	s.request("POST", "/api/users", "", map[string]any{"firstname": "Bob", "lastname": "Durand", "age": 30,
		"email": bob, "password": "password123", "locale": "fr"}).want(t, 201).decode(t, &b)
	verify := s.mailedToken(bob)
	verification := s.pumpMail(bob, "❤️ Bienvenue chez KittenAsso's")
	if !strings.Contains(verification.Body.Text, "Bonjour Bob Durand\u202f!") || !strings.Contains(verification.Body.HTML, `lang="fr"`) {
		t.Errorf("French verification e-mail: %q", verification.Body.Text)
	}
	s.request("POST", "/api/verification", "", map[string]string{"token": verify}).want(t, 201)
	c := s.person("Cy", "Young", cy, "password123")
	s.request("PUT", "/api/users/"+itoa(c.ID), s.login(cy, "password123"), map[string]any{"timeZone": "America/New_York"}).want(t, 200)
	club := s.createAssociation(adaToken, "Club d'échecs", b.ID, c.ID)

	start := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Minute)
	end := start.Add(90 * time.Minute)
	var e asso.Event
	s.request("POST", "/api/events", adaToken, map[string]any{"name": "Blitz", "start": start.Format(time.RFC3339),
		"end": end.Format(time.RFC3339), "association": club.ID}).want(t, 201).decode(t, &e)

	check := func(to, subject string, says ...string) {
		t.Helper()
		m := s.pumpMail(to, subject)
		for _, want := range says {
			if !strings.Contains(m.Body.Text, want) {
				t.Errorf("%q to %s: %q missing from the text part:\n%s", subject, to, want, m.Body.Text)
			}
		}
		lang := map[string]string{bob: "fr", cy: "en"}[to]
		if !strings.Contains(m.Body.HTML, `<html lang="`+lang+`">`) || !strings.Contains(m.Body.HTML, "Blitz") {
			t.Errorf("%q to %s: no %s HTML part:\n%s", subject, to, lang, m.Body.HTML)
		}
		if len(calendarOf(t, m)) == 0 {
			t.Errorf("%q to %s: no calendar", subject, to)
		}
	}
	check(bob, "Invitation\u00a0: Blitz (Club d'échecs)", "Vous avez reçu une invitation à un événement.",
		"Début\u00a0: "+frenchWhen(start), "Fin\u00a0: "+frenchWhen(end), "Je viens\u00a0: ")
	check(cy, "Invitation: Blitz from Club d'échecs", "You have been invited to an event.",
		"Start: "+englishWhen(start), "End: "+englishWhen(end), "I'm coming: ")

	moved := start.Add(30 * time.Minute)
	s.request("PATCH", "/api/events/"+itoa(e.ID), adaToken, map[string]any{"start": moved.Format(time.RFC3339)}).want(t, 200)
	check(bob, "Modifié\u00a0: Blitz (Club d'échecs)", "Un événement qui vous concerne a changé.", "Début\u00a0: "+frenchWhen(moved))
	check(cy, "Updated: Blitz from Club d'échecs", "Start: "+englishWhen(moved))

	if _, err := s.built.Relay.Run(context.Background()); err != nil { // queues the reminders
		t.Fatal(err)
	}
	check(bob, "Rappel\u00a0: Blitz (Club d'échecs)", "commence bientôt", "Début\u00a0: "+frenchWhen(moved))
	check(cy, "Reminder: Blitz from Club d'échecs", "starts soon", "Start: "+englishWhen(moved))

	s.request("DELETE", "/api/events/"+itoa(e.ID), adaToken, nil).want(t, 200)
	check(bob, "Annulé\u00a0: Blitz (Club d'échecs)", "Un événement qui vous concernait a été annulé.",
		"Pour ne plus recevoir les e-mails des événements de Club d'échecs")
	check(cy, "Cancelled: Blitz from Club d'échecs", "An event you were invited to has been cancelled.")

	// An invitation to join reaches an account in its own language, whatever the
	// inviter's: Ada chose none, and reads English.
	bobToken := s.login(bob, "password123")
	var board asso.Association
	s.request("POST", "/api/associations", bobToken, map[string]any{"name": "Bureau", "idUsers": []int64{ada.ID}}).want(t, 201).decode(t, &board)
	if join := s.pumpMail(adaAddress, "Bob Durand invites you to join Bureau"); !strings.Contains(join.Body.Text, "Hi Ada,") {
		t.Errorf("the invitation to join, to an account with no language: %q", join.Body.Text)
	}
	// The link that confirms a new address is in the reader's language too.
	newAddress := s.addr("bob.new")
	s.request("PUT", "/api/users/"+itoa(b.ID), bobToken, map[string]any{"email": newAddress, "currentPassword": "password123"}).want(t, 200)
	if m := s.pumpMail(newAddress, "❤️ Bienvenue chez KittenAsso's"); !strings.Contains(m.Body.Text, "Voici votre lien de vérification") {
		t.Errorf("the new address's link: %q", m.Body.Text)
	}
}
