package e2e_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// TestWebAppJourney walks the whole product in headless Chromium against the local
// stack, e-mails included: sign up, verify from the e-mail, sign in, create an
// association with two members and their roles, write minutes, plan an event and
// receive its invitations, edit it and delete it; then a non-member is refused.
func TestWebAppJourney(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	b := newBrowser(t, s.url)
	alice, bob, carol := s.addr("alice"), s.addr("bob"), s.addr("carol")
	const password = "a long cat password"
	bobUser := s.person("Bob", "Marley", bob, password)
	s.person("Carol", "Singer", carol, password)
	// The mailer, fed by the queue as Lambda's trigger would.
	ctx, stopMailer := context.WithCancel(context.Background())
	t.Cleanup(stopMailer)
	go s.poller.Run(ctx)

	// Signed out, the app asks to sign in; sign-up is one link away.
	b.open("/associations")
	b.waitText("Please sign in first.")
	b.checkPage("sign-in")
	b.click(`a[href="/signup"]`)
	b.waitText("Create your account")
	b.checkPage("sign-up")

	b.submitSignUp("Alice", "Martin", "34", alice, password)
	b.waitText("Check your inbox")

	// The verification link, from the e-mail the mailer sent through SES.
	mail := s.waitMail(alice, "❤️ A big welcome from KittenAsso's")
	link := verifyLink.FindString(mail.Body.Text)
	if link == "" {
		t.Fatalf("no verification link in %q", mail.Body.Text)
	}
	verify, err := url.Parse(link)
	if err != nil {
		t.Fatal(err)
	}
	b.open(verify.RequestURI())
	b.waitText("Thank you, Alice: your address is verified.")
	b.checkPage("verified")
	b.open(verify.RequestURI()) // opened again, from the e-mail
	b.waitText("Your address is already verified.")
	b.open("/verify?t=" + strings.Repeat("x", 43))
	b.waitText("This link is invalid or has expired.")

	// Sign in: a wrong password first.
	b.open("/signin?email=" + url.QueryEscape(alice))
	b.fill(`input[name=password]`, "not my password")
	b.clickButton("Sign in")
	b.waitText("Wrong e-mail address or password.")
	b.fill(`input[name=password]`, password)
	b.clickButton("Sign in")
	b.waitText("Welcome back!")
	b.waitText("There is no association yet.")

	// Create an association: Alice presides, Bob keeps the money.
	b.click(`a[href="/associations/new"]`)
	b.waitText("Members and their roles")
	b.fill(`input[name=name]`, "Cat Lovers of Rennes")
	b.typeIn(`.members-edit input`, "president")
	b.typeIn(`.picker input[type=search]`, "marley")
	b.click(`button[aria-label="Add Bob Marley"]`)
	b.typeIn(`#role-`+itoa(bobUser.ID), "treasurer")
	b.typeIn(`.picker input[type=search]`, "singer")
	b.click(`button[aria-label="Add Carol Singer"]`)
	b.checkPage("new-association")
	b.clickButton("Create the association")
	b.waitText("Cat Lovers of Rennes is created.")
	b.waitText("treasurer")
	b.waitText("president")
	assocID := strings.TrimPrefix(b.location(), "/associations/")
	var roles []asso.Role
	s.request("GET", "/api/associations/"+assocID+"/roles", s.login(alice, password), nil).want(t, 200).decode(t, &roles)
	if len(roles) != 2 {
		t.Fatalf("the association has %d roles, want president and treasurer: %+v", len(roles), roles)
	}

	// Bob and Carol are invited, not members: Bob joins from his e-mail, Carol declines
	// from hers, for good.
	b.waitText("1 member, 2 invited")
	for _, who := range []struct{ addr, button, done string }{
		{bob, "Join", "You are now a member of Cat Lovers of Rennes."},
		{carol, "Decline, and never invite me again", "You declined to join Cat Lovers of Rennes. You will not be invited there again."},
	} {
		mail := s.waitMail(who.addr, "Alice Martin invites you to join Cat Lovers of Rennes")
		link := invitationLink.FindStringSubmatch(mail.Body.Text)
		if link == nil {
			t.Fatalf("no invitation link in %q", mail.Body.Text)
		}
		b.open("/invitation?t=" + link[1] + "&a=accept")
		b.waitText("You are invited to join an association.")
		if who.addr == bob {
			b.checkPage("invitation")
		}
		b.clickButton(who.button)
		b.waitText(who.done)
	}
	b.open("/associations/" + assocID)
	b.waitText("2 members")
	// Bob becomes a manager too.
	b.click(`button[aria-label="Make manager: Bob Marley"]`)
	b.waitText("Bob Marley is now a manager.")

	// Minutes with voters, listed newest first, then oldest first.
	for _, m := range []struct{ date, content string }{
		{"2026-10-02", "We adopted the budget for cat food."},
		{"2026-11-06", "We chose the picnic place."},
	} {
		b.clickButton("Write minutes")
		b.fill(`dialog input[name=date]`, m.date)
		b.fill(`dialog textarea[name=content]`, m.content)
		b.click(`dialog input[name=voter][value="` + itoa(bobUser.ID) + `"]`)
		b.clickButton("Save the minutes")
		b.waitText(m.content)
	}
	b.waitText("Voters: Bob Marley")
	if first := b.firstText(`.minute .content`); first != "We chose the picnic place." {
		t.Errorf("newest first: the first minutes are %q", first)
	}
	b.fill(`#minutes-sort`, "date-ASC")
	b.waitFor("the oldest minutes first", func(string) bool {
		return b.firstText(`.minute .content`) == "We adopted the budget for cat food."
	})

	b.click(`button[aria-label^="Edit the minutes"]`) // the oldest, first now
	b.fill(`dialog textarea[name=content]`, "We adopted the budget for cat food and toys.")
	b.clickButton("Save the minutes")
	b.waitText("We adopted the budget for cat food and toys.")
	if n := s.count(`SELECT count(*) FROM minute_voters`); n != 2 {
		t.Errorf("%d voters after the edit, want Bob's two votes kept", n)
	}

	// An event tomorrow, 14:00 to 17:30 in the browser's zone (Paris).
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		t.Fatal(err)
	}
	day := time.Now().In(paris).AddDate(0, 0, 1).Format("2006-01-02")
	b.clickButton("New event")
	b.fill(`dialog input[name=name]`, "Autumn picnic")
	b.fill(`dialog input[name=start]`, day+"T14:00")
	b.fill(`dialog input[name=end]`, day+"T17:30")
	b.fill(`dialog input[name=place]`, "Parc du Thabor, by the river")
	b.fill(`dialog input[name=capacity]`, "1")
	b.audit("the new event dialog")
	b.clickButton("Create the event")
	b.waitText("Autumn picnic is planned: invitations are on their way to 2 members.")
	b.waitText("upcoming")
	b.waitText("3 h 30 min")
	b.waitText("Place: Parc du Thabor, by the river")
	b.waitText("0 going of 1 place · 0 waiting · 0 not going · 2 no answer")
	b.checkPage("association")

	wantStart, _ := time.ParseInLocation("2006-01-02T15:04", day+"T14:00", paris)
	for _, to := range []string{alice, bob} {
		invitation := s.waitMail(to, "Invitation: Autumn picnic from Cat Lovers of Rennes")
		method, ev := parseCalendar(t, calendarOf(t, invitation))
		start, err := ev.GetStartAt()
		if method != "REQUEST" || err != nil || !start.Equal(wantStart) {
			t.Errorf("invitation to %s: method %s, start %v (%v), want %v", to, method, start, err, wantStart.UTC())
		}
	}

	// Bob clicks "I'm coming" in his invitation: the page asks him to confirm, and the
	// organiser then sees one member going; Alice answers in the app.
	going := answerLink(t, s.waitMail(bob, "Invitation: Autumn picnic from Cat Lovers of Rennes").Body.Text, "going")
	picnicPage := b.location()
	b.open("/rsvp?t=" + going + "&a=going")
	b.waitText("Answer the invitation")
	b.checkPage("rsvp")
	b.clickButton("I'm coming")
	b.waitText("You are coming to Autumn picnic (Cat Lovers of Rennes)")
	b.open(picnicPage)
	b.waitText("1 going of 1 place · 0 waiting · 0 not going · 1 no answer")
	// The one place is Bob's: Alice waits, then gives up.
	b.click(`button[aria-label="I'm coming: Autumn picnic"]`)
	b.waitText("I'm coming: Autumn picnic. You are on the waiting list, position 1")
	b.waitText("1 going of 1 place · 1 waiting · 0 not going · 0 no answer")
	b.click(`details.attendees summary`)
	b.waitText("Waiting list")
	b.click(`button[aria-label="I can't come: Autumn picnic"]`)
	b.waitText("I can't come: Autumn picnic. You are not coming.")
	b.waitText("1 going of 1 place · 0 waiting · 1 not going · 0 no answer")

	// Edit it: members get the update.
	b.click(`button[aria-label="Edit Autumn picnic"]`)
	b.fill(`dialog input[name=name]`, "Autumn picnic by the river")
	b.clickButton("Save the event")
	b.waitText("Autumn picnic by the river is saved: members get the update by e-mail.")
	s.waitMail(bob, "Updated: Autumn picnic by the river from Cat Lovers of Rennes")

	// Delete it: members get the cancellation.
	b.click(`button[aria-label="Delete Autumn picnic by the river"]`)
	b.waitText("Members get a cancellation by e-mail.")
	b.clickButton("Delete the event")
	b.waitText("No events planned.")
	s.waitMail(alice, "Cancelled: Autumn picnic by the river from Cat Lovers of Rennes")

	// The other pages, for the screenshots and their empty and filled states.
	b.click(`a[href="/associations"]`)
	b.waitText("1 of 1 associations.")
	b.checkPage("associations")
	// The search asks the API (?q=), accents and case aside; "Only mine" shows one's own.
	b.typeIn(`#association-search`, "chess")
	b.waitText("No association matches your search.")
	b.click(`#association-search`)
	b.eval(`(() => { const s = document.querySelector('#association-search'); s.value = ''; return true; })()`, new(bool))
	b.typeIn(`#association-search`, "LOVERS rénnes")
	b.waitText("1 of 1 associations.")
	b.click(`#association-mine`)
	b.waitText("1 of 1 associations.")
	b.click(`#nav a[href="/users"]`)
	b.waitText("Carol Singer")
	b.typeIn(`#people-search`, "bob")
	b.waitText(`1 of 4 people match “bob”.`)
	b.checkPage("people")
	b.click(`a[href="/users/` + itoa(bobUser.ID) + `"]`)
	b.waitText("Cat Lovers of Rennes")
	b.waitText("treasurer")
	b.checkPage("person")
	b.click(`#nav a[href="/profile"]`)
	b.waitText("Change your password")
	// Alice's calendar: a webcal:// address whose feed holds the picnic's changes.
	b.clickButton("Make my calendar address")
	b.waitText("Your calendar address")
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
	b.waitText("Association 999999 not found.")

	// Carol is no member: she may look, and gets no controls.
	b.clickButton("Sign out")
	b.waitText("You are signed out.")
	b.signIn(carol, password)
	b.open("/associations/" + assocID)
	b.waitText("You are not a member of this association")
	if n := b.count(`main button`); n != 0 {
		t.Errorf("a non-member sees %d buttons on the association page", n)
	}

	// Bob is removed while his page is open: the API refuses his event, and he is told why.
	b.clickButton("Sign out")
	b.signIn(bob, password)
	b.open("/associations/" + assocID)
	b.waitText("No events planned.")
	aliceID := s.count(`SELECT id FROM users WHERE email = $1`, alice)
	s.request("PUT", "/api/associations/"+assocID, s.login(alice, password), map[string]any{"idUsers": []int{aliceID}}).want(t, 200)
	b.clickButton("New event")
	b.fill(`dialog input[name=name]`, "Bob's party")
	b.fill(`dialog input[name=start]`, day+"T20:00")
	b.fill(`dialog input[name=end]`, day+"T23:00")
	b.clickButton("Create the event")
	b.waitText("You are not a member of association " + assocID + ".")
	if n := s.count(`SELECT count(*) FROM events`); n != 0 {
		t.Errorf("%d events after the refusal", n)
	}
	b.checkConsole()
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
	b.click(`dialog button[aria-label="Add Bob Marley"]`)
	b.waitText("Chosen: Bob Marley")
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
	b.waitText("1503 people. The first 200 are shown: search to find the others.")
	if n := b.count(`main .cards > li`); n != 200 {
		t.Errorf("%d cards for 1503 people, want the first 200", n)
	}
	b.typeIn(`#people-search`, "number 1499")
	b.waitText(`1 of 1503 people match “number 1499”.`)

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
