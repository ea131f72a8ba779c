package e2e_test

import (
	"context"
	"encoding/base64"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/internal/testenv"
)

// TestWebAppJourney walks the whole product in headless Chromium against the local
// stack, e-mails included, once in English and once in French (the browser's
// language): sign up, verify from the e-mail, sign in, create an association with two
// members and their roles, write minutes, plan an event and receive its invitations,
// edit it and delete it; then a non-member is refused.
func TestWebAppJourney(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"en", "fr"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			webAppJourney(t, lang)
		})
	}
}

// webAppJourney is the journey of TestWebAppJourney in a browser speaking lang.
// Whatever the page shows is checked in that language (b.say); the people and
// their association have names of that language too.
func webAppJourney(t *testing.T, lang string) {
	s := newMailStack(t)
	b := newBrowserIn(t, s.url, lang)
	say := b.say
	alice, bob, carol := s.addr("alice"), s.addr("bob"), s.addr("carol")
	const password = "a long cat password"
	bobUser := s.person("Bob", "Marley", bob, password)
	carolUser := s.person("Carol", "Singer", carol, password)
	// Bob and Carol speak the language of the journey too: its pages open in it
	// when they sign in.
	for _, u := range []asso.User{bobUser, carolUser} {
		s.request("PUT", "/api/users/"+itoa(u.ID), s.login(u.Email, password), map[string]any{"locale": lang}).want(t, 200)
	}
	club := say("Cat Lovers of Rennes", "Les Amis des Chats de Rennes")
	picnic, picnicMoved, party := say("Autumn picnic", "Pique-nique au parc"),
		say("Autumn picnic by the river", "Pique-nique au bord du lac"), say("Bob's party", "La fête de Bob")
	// The mailer, fed by the queue as Lambda's trigger would.
	ctx, stopMailer := context.WithCancel(context.Background())
	t.Cleanup(stopMailer)
	go s.poller.Run(ctx)

	// Signed out, the app asks to sign in, in the browser's language; sign-up is one link away.
	b.open("/associations")
	b.waitText(say("Please sign in first.", "Veuillez d’abord vous connecter."))
	var pageLang string
	b.eval(`document.documentElement.lang`, &pageLang)
	if pageLang != lang {
		t.Errorf("the page's lang is %q, want %q", pageLang, lang)
	}
	b.checkPage("sign-in")
	b.click(`a[href="/signup"]`)
	b.waitText(say("Create your account", "Créer votre compte"))
	b.checkPage("sign-up")

	b.submitSignUp("Alice", "Martin", "34", alice, password)
	b.waitText(say("Check your inbox", "Consultez votre boîte de réception"))

	// The verification link, from the e-mail the mailer sent through SES.
	mail := s.mailWhere(alice, "the verification e-mail", func(m testenv.SESEmail) bool { return verifyLink.MatchString(m.Body.Text) })
	verify, err := url.Parse(verifyLink.FindString(mail.Body.Text))
	if err != nil {
		t.Fatal(err)
	}
	b.open(verify.RequestURI())
	b.waitText(say("Thank you, Alice: your address is verified.", "Merci, Alice\u00a0: votre adresse est vérifiée."))
	b.checkPage("verified")
	b.open(verify.RequestURI()) // opened again, from the e-mail
	b.waitText(say("Your address is already verified.", "Votre adresse est déjà vérifiée."))
	b.open("/verify?t=" + strings.Repeat("x", 43))
	b.waitText(say("This link is invalid or has expired.", "Ce lien n’est pas valide ou a expiré."))

	// Sign in: a wrong password first.
	b.open("/signin?email=" + url.QueryEscape(alice))
	b.fill(`input[name=password]`, "not my password")
	b.clickButton(say("Sign in", "Se connecter"))
	b.waitText(say("Wrong e-mail address or password.", "Adresse e-mail ou mot de passe incorrect."))
	b.fill(`input[name=password]`, password)
	b.clickButton(say("Sign in", "Se connecter"))
	b.waitText(say("Welcome back!", "Bon retour parmi nous\u202f!"))
	b.waitText(say("There is no association yet.", "Il n’y a encore aucune association."))

	// Create an association: Alice presides, Bob keeps the money.
	president, treasurer := say("president", "présidente"), say("treasurer", "trésorier")
	b.click(`a[href="/associations/new"]`)
	b.waitText(say("Members and their roles", "Membres et leurs rôles"))
	b.fill(`input[name=name]`, club)
	b.typeIn(`.members-edit input`, president)
	b.typeIn(`.picker input[type=search]`, "marley")
	// Bob is told apart by his user number and age (his address is not Alice's to see).
	b.click(`button[aria-label^="` + say("Add Bob Marley (user #", "Ajouter Bob Marley (personne nº ") + itoa(bobUser.ID) + `, "]`)
	b.typeIn(`#role-`+itoa(bobUser.ID), treasurer)
	b.typeIn(`.picker input[type=search]`, "singer")
	b.click(`button[aria-label^="` + say("Add Carol Singer (", "Ajouter Carol Singer (") + `"]`)
	b.checkPage("new-association")
	b.clickButton(say("Create the association", "Créer l’association"))
	b.waitText(say(club+" is created.", "L’association "+club+" est créée."))
	b.waitText(treasurer)
	b.waitText(president)
	assocID := strings.TrimPrefix(b.location(), "/associations/")
	var roles []asso.Role
	s.request("GET", "/api/associations/"+assocID+"/roles", s.login(alice, password), nil).want(t, 200).decode(t, &roles)
	if len(roles) != 2 {
		t.Fatalf("the association has %d roles, want president and treasurer: %+v", len(roles), roles)
	}

	// Bob and Carol are invited, not members: Bob joins from his e-mail, Carol declines
	// from hers, for good.
	b.waitText(say("1 member, 2 invited", "1 membre, 2 invitations en attente"))
	for _, who := range []struct{ addr, button, done string }{
		{bob, say("Join", "Rejoindre"), say("You are now a member of "+club+".", "Vous êtes désormais membre de "+club+".")},
		{carol, say("Decline, and never invite me again", "Refuser, et ne plus jamais m’inviter"),
			say("You declined to join "+club+". You will not be invited there again.",
				"Vous avez refusé de rejoindre "+club+". Cette association ne pourra plus vous inviter.")},
	} {
		mail := s.mailWhere(who.addr, "the invitation to join", func(m testenv.SESEmail) bool { return invitationLink.MatchString(m.Body.Text) })
		b.open("/invitation?t=" + invitationLink.FindStringSubmatch(mail.Body.Text)[1] + "&a=accept")
		b.waitText(say("You are invited to join an association.", "Une association vous invite à la rejoindre."))
		if who.addr == bob {
			b.checkPage("invitation")
		}
		b.clickButton(who.button)
		b.waitText(who.done)
	}
	b.open("/associations/" + assocID)
	b.waitText(say("2 members", "2 membres"))
	// Bob becomes a manager too.
	b.click(`button[aria-label="` + say("Make manager: Bob Marley", "Nommer gestionnaire\u00a0: Bob Marley") + `"]`)
	b.waitText(say("Bob Marley is now a manager.", "Bob Marley est désormais gestionnaire."))

	// Minutes with voters, listed newest first, then oldest first.
	budget, place := say("We adopted the budget for cat food.", "Nous avons adopté le budget des croquettes."),
		say("We chose the picnic place.", "Nous avons choisi le lieu du pique-nique.")
	for _, m := range []struct{ date, content string }{{"2026-10-02", budget}, {"2026-11-06", place}} {
		b.clickButton(say("Write minutes", "Rédiger un compte rendu"))
		b.fill(`dialog input[name=date]`, m.date)
		b.fill(`dialog textarea[name=content]`, m.content)
		b.click(`dialog input[name=voter][value="` + itoa(bobUser.ID) + `"]`)
		b.clickButton(say("Save the minutes", "Enregistrer le compte rendu"))
		b.waitText(m.content)
	}
	b.waitText(say("Voters: Bob Marley", "Votants\u00a0: Bob Marley"))
	b.waitText(say("Friday, October 2, 2026", "vendredi 2 octobre 2026"))
	if first := b.firstText(`.minute .content`); first != place {
		t.Errorf("newest first: the first minutes are %q", first)
	}
	b.fill(`#minutes-sort`, "date-ASC")
	b.waitFor("the oldest minutes first", func(string) bool { return b.firstText(`.minute .content`) == budget })

	b.click(`button[aria-label^="` + say("Edit the minutes", "Modifier le compte rendu") + `"]`) // the oldest, first now
	budgetAndToys := say("We adopted the budget for cat food and toys.", "Nous avons adopté le budget des croquettes et des jouets.")
	b.fill(`dialog textarea[name=content]`, budgetAndToys)
	b.clickButton(say("Save the minutes", "Enregistrer le compte rendu"))
	b.waitText(budgetAndToys)
	if n := s.count(`SELECT count(*) FROM minute_voters`); n != 2 {
		t.Errorf("%d voters after the edit, want Bob's two votes kept", n)
	}

	// An event tomorrow, 14:00 to 17:30 in Alice's zone (the browser's, Paris).
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Now().In(paris).AddDate(0, 0, 1).Format("2006-01-02")
	b.clickButton(say("New event", "Nouvel événement"))
	b.waitText(say("Times are in your time zone, Europe/Paris.", "Les heures sont celles de votre fuseau horaire, Europe/Paris."))
	b.fill(`dialog input[name=name]`, picnic)
	b.fill(`dialog input[name=start]`, day+"T14:00")
	b.fill(`dialog input[name=end]`, day+"T17:30")
	b.fill(`dialog input[name=place]`, "Parc du Thabor, by the river")
	b.fill(`dialog input[name=capacity]`, "1")
	b.audit("the new event dialog")
	b.clickButton(say("Create the event", "Créer l’événement"))
	b.waitText(say(picnic+" is planned: invitations are on their way to 2 members.",
		"L’événement "+picnic+" est prévu\u00a0: 2 membres vont recevoir leur invitation."))
	b.waitText(say("upcoming", "à venir"))
	// Dates the language's way: a 12-hour clock in English, 24-hour in French.
	b.waitText(say("2:00 – 5:30 PM (3 h 30 min)", "14:00 – 17:30 (3 h 30 min)"))
	b.waitText(say("Place: ", "Lieu\u00a0: ") + "Parc du Thabor, by the river")
	b.waitText(say("0 going of 1 place · 0 waiting · 0 not going · 2 no answer",
		"0 vient sur 1 place · 0 en attente · 0 ne vient pas · 2 sans réponse"))
	b.checkPage("association")

	// The managers' downloads: each button saves its file under the API's name, with
	// the API's bytes (a CSV file's byte order mark included).
	clubFile := strings.ReplaceAll(club, " ", "-")
	for _, d := range []struct{ button, file string }{
		// The files are named in the manager's language too.
		{say("Download (CSV): members", "Télécharger (CSV)\u00a0: membres"), say("members-", "membres-") + clubFile + ".csv"},
		{say("Attendance (CSV): ", "Présences (CSV)\u00a0: ") + picnic, say("attendance-", "présences-") + strings.ReplaceAll(picnic, " ", "-") + ".csv"},
		{say("Download (Markdown): minutes", "Télécharger (Markdown)\u00a0: comptes rendus"), say("minutes-", "comptes-rendus-") + clubFile + ".md"},
	} {
		b.click(`button[aria-label="` + d.button + `"]`)
		b.waitText(say(d.file+" is downloaded.", "Le fichier "+d.file+" est téléchargé."))
	}
	var head []int
	b.eval(`import('/js/api.js').then((api) => api.getFile('/associations/`+assocID+`/members.csv'))
		.then((f) => f.blob.arrayBuffer()).then((bytes) => [...new Uint8Array(bytes, 0, 3)])`, &head)
	if !slices.Equal(head, []int{0xEF, 0xBB, 0xBF}) {
		t.Errorf("the members' file starts with %v, want the byte order mark", head)
	}

	wantStart, _ := time.ParseInLocation("2006-01-02T15:04", day+"T14:00", paris)
	for _, to := range []string{alice, bob} {
		invitation := s.mailWhere(to, "the invitation to "+picnic, eventMail(picnic, "REQUEST"))
		method, ev := parseCalendar(t, calendarOf(t, invitation))
		start, err := ev.GetStartAt()
		if method != "REQUEST" || err != nil || !start.Equal(wantStart) {
			t.Errorf("invitation to %s: method %s, start %v (%v), want %v", to, method, start, err, wantStart.UTC())
		}
	}

	// Bob clicks "I'm coming" in his invitation: the page asks him to confirm, and the
	// organiser then sees one member going; Alice answers in the app.
	going := answerLink(t, s.mailWhere(bob, "the invitation to "+picnic, eventMail(picnic, "REQUEST")).Body.Text, "going")
	picnicPage := b.location()
	b.open("/rsvp?t=" + going + "&a=going")
	b.waitText(say("Answer the invitation", "Répondez à l’invitation"))
	b.checkPage("rsvp")
	b.clickButton(say("I'm coming", "Je viens"))
	b.waitText(say("You are coming to "+picnic+" ("+club+")", "Vous venez à "+picnic+" ("+club+")"))
	b.open(picnicPage)
	b.waitText(say("1 going of 1 place · 0 waiting · 0 not going · 1 no answer",
		"1 vient sur 1 place · 0 en attente · 0 ne vient pas · 1 sans réponse"))
	// The one place is Bob's: Alice waits, then gives up.
	b.click(`button[aria-label="` + say("I'm coming: ", "Je viens\u00a0: ") + picnic + `"]`)
	b.waitText(say("I'm coming: "+picnic+". You are on the waiting list, position 1",
		"Je viens\u00a0: "+picnic+". Vous êtes sur la liste d’attente, en position 1"))
	b.waitText(say("1 going of 1 place · 1 waiting · 0 not going · 0 no answer",
		"1 vient sur 1 place · 1 en attente · 0 ne vient pas · 0 sans réponse"))
	b.click(`details.attendees summary`)
	b.waitText(say("Waiting list", "Liste d’attente"))
	b.click(`button[aria-label="` + say("I can't come: ", "Je ne peux pas venir\u00a0: ") + picnic + `"]`)
	b.waitText(say("I can't come: "+picnic+". You are not coming.", "Je ne peux pas venir\u00a0: "+picnic+". Vous ne venez pas."))
	b.waitText(say("1 going of 1 place · 0 waiting · 1 not going · 0 no answer",
		"1 vient sur 1 place · 0 en attente · 1 ne vient pas · 0 sans réponse"))

	// Edit it: members get the update.
	b.click(`button[aria-label="` + say("Edit ", "Modifier ") + picnic + `"]`)
	b.fill(`dialog input[name=name]`, picnicMoved)
	b.clickButton(say("Save the event", "Enregistrer l’événement"))
	b.waitText(say(picnicMoved+" is saved: members get the update by e-mail.",
		"L’événement "+picnicMoved+" est enregistré\u00a0: les membres reçoivent la mise à jour par e-mail."))
	s.mailWhere(bob, "the update of "+picnicMoved, eventMail(picnicMoved, "REQUEST"))

	// Delete it: members get the cancellation.
	b.click(`button[aria-label="` + say("Delete ", "Supprimer ") + picnicMoved + `"]`)
	b.waitText(say("Members get a cancellation by e-mail.", "Les membres reçoivent une annulation par e-mail."))
	b.clickButton(say("Delete the event", "Supprimer l’événement"))
	b.waitText(say("No events planned.", "Aucun événement prévu."))
	s.mailWhere(alice, "the cancellation of "+picnicMoved, eventMail(picnicMoved, "CANCEL"))

	// The other pages, for the screenshots and their empty and filled states.
	b.click(`a[href="/associations"]`)
	b.waitText(say("1 of 1 associations.", "1 association sur 1."))
	b.checkPage("associations")
	// The search asks the API (?q=), accents and case aside; "Only mine" shows one's own.
	b.typeIn(`#association-search`, "chess")
	b.waitText(say("No association matches your search.", "Aucune association ne correspond à votre recherche."))
	b.click(`#association-search`)
	b.eval(`(() => { const s = document.querySelector('#association-search'); s.value = ''; return true; })()`, new(bool))
	b.typeIn(`#association-search`, say("LOVERS rénnes", "CHATS rénnes"))
	b.waitText(say("1 of 1 associations.", "1 association sur 1."))
	b.click(`#association-mine`)
	b.waitText(say("1 of 1 associations.", "1 association sur 1."))
	b.click(`#nav a[href="/users"]`)
	b.waitText("Carol Singer")
	b.typeIn(`#people-search`, "bob")
	b.waitText(say(`1 of 4 people match “bob”.`, "1 personne sur 4 correspond à «\u00a0bob\u00a0»."))
	b.checkPage("people")
	b.click(`a[href="/users/` + itoa(bobUser.ID) + `"]`)
	b.waitText(club)
	b.waitText(treasurer)
	b.waitText(say("36 years old", "36 ans"))
	b.checkPage("person")
	b.click(`#nav a[href="/profile"]`)
	b.waitText(say("Change your password", "Changer votre mot de passe"))
	// Her language, and her zone: the browser's, as none was chosen.
	for field, want := range map[string]string{"#locale": lang, "#time-zone": "Europe/Paris"} {
		var got string
		b.eval(`document.querySelector('`+field+`').value`, &got)
		if got != want {
			t.Errorf("the profile's %s is %q, want %q", field, got, want)
		}
	}
	// Alice's calendar: a webcal:// address whose feed holds the picnic's changes.
	b.clickButton(say("Make my calendar address", "Créer l’adresse de mon agenda"))
	b.waitText(say("Your calendar address", "L’adresse de votre agenda"))
	b.checkPage("profile")
	var webcal string
	b.eval(`document.querySelector('#calendar-address').value`, &webcal)
	feedPath, ok := strings.CutPrefix(webcal, "webcal://"+strings.TrimPrefix(webOrigin, "http://"))
	if !ok {
		t.Fatalf("calendar address %q", webcal)
	}
	if status, body, _ := fetchFeed(t, s.url+feedPath, ""); status != 200 || !strings.Contains(string(body), "BEGIN:VCALENDAR") {
		t.Errorf("Alice's feed: %d %s", status, body)
	}
	b.open("/associations/999999")
	b.waitText(say("Association 999999 not found.", "L’association 999999 est introuvable."))

	// Carol is no member: she may look, and gets no controls.
	b.clickButton(say("Sign out", "Se déconnecter"))
	b.waitText(say("You are signed out.", "Déconnexion effectuée. À bientôt\u202f!"))
	b.signIn(carol, password)
	b.open("/associations/" + assocID)
	b.waitText(say("You are not a member of this association", "Vous n’êtes pas membre de cette association"))
	if n := b.count(`main button`); n != 0 {
		t.Errorf("a non-member sees %d buttons on the association page", n)
	}

	// Bob is removed while his page is open: the API refuses his event, and he is told why.
	b.clickButton(say("Sign out", "Se déconnecter"))
	b.signIn(bob, password)
	b.open("/associations/" + assocID)
	b.waitText(say("No events planned.", "Aucun événement prévu."))
	aliceID := s.count(`SELECT id FROM users WHERE email = $1`, alice)
	s.request("PUT", "/api/associations/"+assocID, s.login(alice, password), map[string]any{"idUsers": []int{aliceID}}).want(t, 200)
	b.clickButton(say("New event", "Nouvel événement"))
	b.fill(`dialog input[name=name]`, party)
	b.fill(`dialog input[name=start]`, day+"T20:00")
	b.fill(`dialog input[name=end]`, day+"T23:00")
	b.clickButton(say("Create the event", "Créer l’événement"))
	b.waitText(say("You are not a member of this association.", "Vous n’êtes pas membre de cette association."))
	if n := s.count(`SELECT count(*) FROM events`); n != 0 {
		t.Errorf("%d events after the refusal", n)
	}
	b.checkConsole()
}

// eventMail matches the e-mails of an event whose calendar part has method.
func eventMail(event, method string) func(testenv.SESEmail) bool {
	return func(e testenv.SESEmail) bool {
		if !strings.Contains(e.Subject, event) {
			return false
		}
		for _, a := range e.Attachments {
			data, err := base64.StdEncoding.DecodeString(a.Content)
			if a.Filename == "event.ics" && err == nil && strings.Contains(string(data), "METHOD:"+method+"\r\n") {
				return true
			}
		}
		return false
	}
}

// TestWebAppMembersAndAccount covers the rest of the app: a member added, given a
// role, demoted and removed; the association renamed and deleted; the profile,
// the password and the account; throttled sign-ins and a session that ends.
func TestWebAppMembersAndAccount(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	b := newBrowser(t, s.url)
	const password = "a long cat password"
	alice := s.person("Alice", "Martin", "alice@example.org", password)
	s.person("Bob", "Marley", "bob@example.org", password)
	var club struct{ ID int64 }
	s.request("POST", "/api/associations", s.login("alice@example.org", password),
		map[string]any{"name": "Chess Club", "idUsers": []int64{}}).want(t, 201).decode(t, &club)
	clubPath := "/associations/" + itoa(club.ID)

	// By keyboard alone: after a navigation the focus is on the new page's heading,
	// the next Tab reaches the first field, Enter sends the form.
	b.open("/signup")
	b.click(`main a[href="/signin"]`)
	b.waitText("New here?")
	if got := b.focused(); got != "H1" {
		t.Errorf("after navigating, the focus is on %s, want the page's heading", got)
	}
	b.keys(kb.Tab)
	if got := b.focused(); got != "INPUT email" {
		t.Errorf("Tab from the heading reaches %s, want the e-mail field", got)
	}
	b.keys("alice@example.org" + kb.Tab + password + kb.Enter)
	b.waitText("Welcome back!")

	b.open(clubPath)
	b.waitText("1 member")
	b.clickButton("Invite a member")
	b.waitText("No one chosen yet.")
	b.keys(kb.Escape) // closes the dialog
	if n := b.count(`dialog[open]`); n != 0 {
		t.Error("Escape leaves the dialog open")
	}

	b.clickButton("Invite a member")
	b.typeIn(`dialog input[type=search]`, "bob")
	b.click(`dialog button[aria-label^="Add Bob Marley ("]`)
	b.waitText("Chosen: Bob Marley (")
	b.fill(`dialog input[name=role]`, "secretary")
	b.clickButton("Invite")
	b.waitText("Bob Marley is invited as secretary.")
	b.waitText("1 member, 1 invited")

	b.click(`button[aria-label="Change the role of Bob Marley"]`)
	b.fill(`dialog input[name=role]`, "")
	b.click(`dialog button[type=submit]`)
	b.waitText("Bob Marley is now a member.")
	if n := s.count(`SELECT count(*) FROM roles WHERE association_id = $1`, club.ID); n != 0 {
		t.Errorf("%d roles left after Bob became a plain member", n)
	}

	b.click(`button[aria-label="Remove Bob Marley"]`)
	b.click(`dialog button[type=submit]`)
	b.waitText("Bob Marley is no longer invited.")
	b.waitText("1 member")

	// What people type is shown as text, never run as markup.
	b.clickButton("Rename")
	b.fill(`dialog input[name=name]`, `Chess <img src=x onerror="document.title='owned'"> Club`)
	b.click(`dialog button[type=submit]`)
	b.waitText(`The association is now called Chess <img src=x onerror="document.title='owned'"> Club.`)
	b.waitText("No minutes written yet.")
	if n := b.count(`main img, #flash img`); n != 0 {
		t.Errorf("a name became %d img elements", n)
	}

	b.clickButton("Rename")
	b.fill(`dialog input[name=name]`, "Chess Club of Brest")
	b.click(`dialog button[type=submit]`)
	b.waitText("The association is now called Chess Club of Brest.")
	b.waitText("No minutes written yet.") // the page has loaded again

	// A session past its expiry ends at the next request; signing in brings you back.
	b.eval(`(() => { const k = 'kittenasso.session', s = JSON.parse(localStorage.getItem(k));
		s.expiresAt = Date.now() - 1; localStorage.setItem(k, JSON.stringify(s)); return true })()`, new(bool))
	b.clickButton("Rename")
	b.click(`dialog button[type=submit]`)
	b.waitText("Your session has ended. Please sign in again.")
	b.submitSignIn("alice@example.org", password)
	b.waitText("Welcome back!")
	if loc := b.location(); loc != clubPath {
		t.Errorf("signed in again, the page is %s, want %s", loc, clubPath)
	}

	// The profile: details; the e-mail and the password, each behind the current
	// password; a taken e-mail; a new one that applies once its link is opened.
	b.open("/profile")
	b.fill(`input[name=firstname]`, "Alicia")
	b.clickButton("Save my details")
	b.waitText("Your details are saved.")
	b.fill(`input[name=email]`, "bob@example.org")
	b.fill(`form[aria-labelledby=email-title] input[name=currentPassword]`, password)
	b.clickButton("Change my e-mail address")
	b.waitText("An account already uses this e-mail address.")
	b.fill(`input[name=email]`, "alicia@example.org")
	b.fill(`form[aria-labelledby=email-title] input[name=currentPassword]`, "not my password")
	b.clickButton("Change my e-mail address")
	b.waitText("Your current password is not right.")
	b.fill(`form[aria-labelledby=email-title] input[name=currentPassword]`, password)
	b.clickButton("Change my e-mail address")
	b.waitText("We sent a link to alicia@example.org. Your address changes when you open it.")
	b.waitText("Your address now: alice@example.org")
	b.fill(`form[aria-labelledby=password-title] input[name=currentPassword]`, password)
	b.fill(`input[name=password]`, "a new cat password")
	b.fill(`input[name=again]`, "another cat password")
	b.clickButton("Change my password")
	b.waitText("The two passwords are not the same.")
	b.fill(`input[name=again]`, "a new cat password")
	b.clickButton("Change my password")
	b.waitText("Your password is changed. Your other sessions are signed out.")
	b.waitText("Your address now: alice@example.org") // still signed in, on a new token
	b.open("/verify?t=" + s.mailedToken("alicia@example.org"))
	b.waitText("your address is verified.")
	b.signIn("alicia@example.org", "a new cat password")

	// The header's switch: the app speaks French at once, and after a reload; signed
	// in, the choice goes to the profile (which the e-mails follow) too.
	token := s.login("alicia@example.org", "a new cat password")
	b.open("/profile")
	b.fill(`#language-select`, "fr")
	b.waitText("Langue et fuseau horaire")
	b.open("/profile")
	b.waitText("Enregistrer ma langue et mon fuseau horaire")
	var pageLang string
	b.eval(`document.documentElement.lang`, &pageLang)
	if pageLang != "fr" {
		t.Errorf("after choosing French, the page's lang is %q", pageLang)
	}
	b.waitFor("the profile to speak French", func(string) bool { return profileField(t, s, token, alice.ID, "locale") != "en" })
	if got := profileField(t, s, token, alice.ID, "locale"); got != "" && got != "fr" {
		t.Errorf("after choosing French in the header, the profile's locale is %q", got)
	}

	// The profile's language and time zone: English again, and Tokyo, where the dates
	// are shown and entered from then on (here 09:00 in Tokyo is midnight UTC).
	b.fill(`#locale`, "en")
	b.fill(`#time-zone`, "Asia/Tokyo")
	b.clickButton("Enregistrer ma langue et mon fuseau horaire")
	b.waitText("Your language and time zone are saved.")
	if got := profileField(t, s, token, alice.ID, "timeZone"); got != "" && got != "Asia/Tokyo" {
		t.Errorf("the profile's time zone is %q, want Asia/Tokyo", got)
	}
	tokyo, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Now().In(tokyo).AddDate(0, 0, 2)
	b.open(clubPath)
	b.clickButton("New event")
	b.waitText("Times are in your time zone, Asia/Tokyo.")
	b.fill(`dialog input[name=name]`, "Tokyo meetup")
	b.fill(`dialog input[name=start]`, day.Format("2006-01-02")+"T09:00")
	b.fill(`dialog input[name=end]`, day.Format("2006-01-02")+"T11:00")
	b.clickButton("Create the event")
	b.waitText("Tokyo meetup is planned: invitations are on their way to 1 member.")
	b.waitText("9:00 – 11:00 AM (2 h)")
	var events []asso.Event
	s.request("GET", "/api/events/association/"+itoa(club.ID), token, nil).want(t, 200).decode(t, &events)
	if want := day.Format("2006-01-02") + "T00:00:00Z"; len(events) != 1 || events[0].Start != want {
		t.Errorf("the event entered at 09:00 in Tokyo: %+v, want it to start at %s", events, want)
	}

	b.open(clubPath)
	b.clickButton("Delete")
	b.click(`dialog button[type=submit]`)
	b.waitText("Chess Club of Brest is deleted.")
	b.waitText("There is no association yet.")

	b.open("/profile")
	b.clickButton("Delete my account")
	b.click(`dialog button[type=submit]`)
	b.waitText("Your account is deleted. Goodbye!")
	if n := s.count(`SELECT count(*) FROM users WHERE id = $1`, alice.ID); n != 0 {
		t.Error("the account is still there")
	}

	// Guessing passwords: the sixth try is throttled, and the page says for how long.
	for range 6 {
		b.open("/signin")
		b.submitSignIn("nobody@example.org", "a wrong guess")
		b.waitFor("the answer to the sign-in", func(page string) bool {
			return strings.Contains(page, "Wrong e-mail address or password.") || strings.Contains(page, "Too many attempts")
		})
	}
	b.waitText("Too many attempts. Please try again in 15 minutes.")

	// An account not yet verified is told so at sign-in, and may ask for a new link.
	b.open("/signup")
	b.submitSignUp("Dan", "Brown", "51", "dan@example.org", password)
	b.waitText("Check your inbox")
	b.open("/signin")
	b.submitSignIn("dan@example.org", password)
	b.waitText("Your e-mail address is not verified yet.")
	b.clickButton("Send me a new link")
	b.waitText("If dan@example.org is waiting for verification, a new link is on its way.")
	if n := s.count(`SELECT count(*) FROM mail_outbox WHERE kind = 'verification' AND recipient = 'dan@example.org'`); n != 2 {
		t.Errorf("%d verification e-mails for Dan, want the first and the new one", n)
	}

	// A large directory (1500 more people, Bob, Dan and the admin): the first 200 cards, and a search finds the others.
	s.exec(`INSERT INTO users (email, firstname, lastname, age, password_hash, verified_at)
		SELECT 'member' || n || '@example.org', 'Member', 'Number ' || n, 20, 'x', now() FROM generate_series(1, 1500) AS n`)
	b.signIn("bob@example.org", password)
	b.click(`#nav a[href="/users"]`)
	b.waitText("1,503 people. The first 200 are shown: search to find the others.")
	if n := b.count(`main .cards > li`); n != 200 {
		t.Errorf("%d cards for 1503 people, want the first 200", n)
	}
	b.typeIn(`#people-search`, "number 1499")
	b.waitText(`1 of 1,503 people match “number 1499”.`)

	// A session whose account is deleted meanwhile ends at the next request.
	bob := s.count(`SELECT id FROM users WHERE email = 'bob@example.org'`)
	s.request("DELETE", "/api/users/"+itoa(int64(bob)), s.login(adminEmail, adminPassword), nil).want(t, 200)
	b.click(`#nav a[href="/associations"]`)
	b.waitText("Your session has ended. Please sign in again.")
	if loc := b.location(); loc != "/signin?next=%2Fassociations" {
		t.Errorf("after the session ended the page is %s", loc)
	}
	b.checkConsole()
}

// profileField is a field of a user's own document (GET /api/users/{id} with their
// token), or "" when the API does not give it.
func profileField(t *testing.T, s *stack, token string, id int64, field string) string {
	t.Helper()
	var user map[string]any
	s.request("GET", "/api/users/"+itoa(id), token, nil).want(t, 200).decode(t, &user)
	v, _ := user[field].(string)
	return v
}
