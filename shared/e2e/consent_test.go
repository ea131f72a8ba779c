package e2e_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// invitationLink finds an invitation e-mail's link to the web app's page (its token
// is 40 bytes in base64url).
var invitationLink = regexp.MustCompile(`http://localhost:3000/invitation\?t=([A-Za-z0-9_-]{54})`)

// TestConsentThroughTheInbox: people added to an association get one invitation
// through SES and nothing else; one joins from the link, one declines for good, an
// address with no account is led to sign up and finds the invitation once verified;
// only members get the event's mail; a member leaves, the last manager cannot.
func TestConsentThroughTheInbox(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	ada, bob, cy, dan := s.addr("ada"), s.addr("bob"), s.addr("cy"), s.addr("dan")
	_, adaToken := s.member(ada)
	b := s.person("Bob", "Marley", bob, "password123")
	c := s.person("Cy", "Twombly", cy, "password123")
	var club asso.Association
	s.request("POST", "/api/associations", adaToken, map[string]any{"name": "Chess club", "idUsers": []int64{b.ID, c.ID}}).
		want(t, 201).decode(t, &club)
	for _, m := range club.Members {
		if want := m.ID != b.ID && m.ID != c.ID; (m.Status == asso.StatusMember) != want || m.Manager != want {
			t.Errorf("member %+v right after creation", m)
		}
	}
	s.request("POST", fmt.Sprintf("/api/associations/%d/invitations", club.ID), adaToken, map[string]string{"email": dan}).
		want(t, 202)
	subject := "Ada Lovelace invites you to join Chess club"
	links := map[string]string{}
	for _, to := range []string{bob, cy} {
		m := invitationLink.FindStringSubmatch(s.pumpMail(to, subject).Body.Text)
		if m == nil {
			t.Fatalf("no invitation link in the e-mail to %s", to)
		}
		links[to] = m[1]
	}
	signUp := s.pumpMail(dan, "You are invited to join an association on KittenAsso's") // nothing the inviter wrote
	if !strings.Contains(signUp.Body.Text, "/signup?email="+strings.ReplaceAll(dan, "@", "%40")) || invitationLink.MatchString(signUp.Body.Text) {
		t.Errorf("the e-mail to an address with no account: %q", signUp.Body.Text)
	}

	// Bob joins from his link; Cy declines from hers, for good.
	s.request("POST", "/api/invitations/answer", "", map[string]any{"token": links[bob], "answer": "accept"}).want(t, 200)
	s.request("POST", "/api/invitations/answer", "", map[string]any{"token": links[cy], "answer": "decline", "never": true}).want(t, 200)
	if msg := s.request("POST", "/api/invitations/answer", "", map[string]any{"token": links[cy], "answer": "accept"}).
		want(t, 404).code(t); msg != "invalid_token" {
		t.Errorf("the link of a declined invitation: %s", msg)
	}
	// Invited again, Cy gets nothing, and Ada is told nothing.
	s.request("PUT", fmt.Sprintf("/api/associations/%d", club.ID), adaToken,
		map[string]any{"idUsers": []int64{club.Members[0].ID, b.ID, c.ID}}).want(t, 200)

	// Only members get the event's mail.
	s.request("POST", "/api/events", adaToken, map[string]any{"name": "Match", "start": "2099-01-01T10:00:00Z",
		"end": "2099-01-01T12:00:00Z", "association": club.ID}).want(t, 201)
	s.pumpMail(bob, "Invitation: Match from Chess club")
	s.pumpMail(ada, "Invitation: Match from Chess club")
	s.pump(20*time.Second, "the queue to drain", func() bool { return s.queueDepth(s.queue.URL) == 0 })
	if got := len(s.inbox(cy)); got != 2 {
		t.Errorf("cy, who declined, got %d e-mails, want her verification and the one invitation", got)
	}

	// Dan signs up with the invited address: once verified, the invitation waits in the app.
	s.person("Dan", "Brown", dan, "password123")
	danToken := s.login(dan, "password123")
	var pending []struct {
		Association asso.AssociationName `json:"association"`
	}
	s.request("GET", "/api/invitations", danToken, nil).want(t, 200).decode(t, &pending)
	if len(pending) != 1 || pending[0].Association.ID != club.ID {
		t.Fatalf("dan's invitations: %+v", pending)
	}
	s.request("PUT", fmt.Sprintf("/api/invitations/%d", club.ID), danToken, map[string]string{"answer": "accept"}).want(t, 200)
	var members []asso.Member
	s.request("GET", fmt.Sprintf("/api/associations/%d/members", club.ID), adaToken, nil).want(t, 200).decode(t, &members)
	statuses := map[string]string{}
	for _, m := range members {
		statuses[m.Firstname] = m.Status
	}
	if fmt.Sprint(statuses) != "map[Ada:member Bob:member Dan:member]" {
		t.Errorf("members after the answers: %v", statuses)
	}
	s.pump(20*time.Second, "dan's verification", func() bool { return s.queueDepth(s.queue.URL) == 0 && len(s.inbox(dan)) >= 2 })
	if n := len(s.inbox(dan)); n != 2 { // the invitation and the verification
		t.Errorf("dan got %d e-mails, want 2", n)
	}

	// A member who is not a manager reads, answers, but changes nothing; he may leave.
	bobToken := s.login(bob, "password123")
	if code := s.request("PUT", fmt.Sprintf("/api/associations/%d", club.ID), bobToken, map[string]any{"name": "Mine"}).
		want(t, 403).code(t); code != "not_manager" {
		t.Errorf("a member renames: %s, want not_manager", code)
	}
	s.request("DELETE", fmt.Sprintf("/api/associations/%d/membership", club.ID), bobToken, nil).want(t, 200)
	if code := s.request("DELETE", fmt.Sprintf("/api/associations/%d/membership", club.ID), adaToken, nil).
		want(t, 409).code(t); code != "last_manager" {
		t.Errorf("the last manager leaves: %s, want last_manager", code)
	}
}

// TestReminderCannonAndHarvestingAreDisarmed replays the two attacks of the issue:
// an empty association with five events about to start, then 999 people added at
// once (the reminders went to all of them); and an association made of 999 people to
// read their addresses. Neither reaches anyone who did not accept.
func TestReminderCannonAndHarvestingAreDisarmed(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	attacker, token := s.member("attacker@example.org")
	s.exec(`INSERT INTO users (email, firstname, lastname, age, password_hash, verified_at)
		SELECT 'victim' || n || '@example.org', 'Victim', 'V' || n, 30, 'x', now() FROM generate_series(1, 999) AS n`)
	victims := s.idsOf("Victim")

	club := s.createAssociation(token, "Cannon")
	for i := range 5 {
		start := time.Now().Add(time.Duration(i+1) * time.Hour).UTC().Format(time.RFC3339)
		s.request("POST", "/api/events", token, map[string]any{"name": fmt.Sprintf("Storm %d", i), "start": start,
			"end": start, "association": club.ID}).want(t, 201)
	}
	s.request("PUT", fmt.Sprintf("/api/associations/%d", club.ID), token,
		map[string]any{"idUsers": append([]int64{attacker.ID}, victims...)}).want(t, 200)
	reminders, err := s.server.DB.QueueReminders(context.Background(), 24*time.Hour, 5000)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(reminders.Queued); n != 5 {
		t.Errorf("%d reminders queued, want the attacker's own 5", n)
	}
	if n := s.count(`SELECT count(*) FROM mail_outbox WHERE recipient LIKE 'victim%' AND kind <> 'join'`); n != 0 {
		t.Errorf("%d event e-mails to people who did not accept", n)
	}
	if n := s.count(`SELECT count(*) FROM mail_outbox WHERE recipient LIKE 'victim%' AND kind = 'join'`); n != 999 {
		t.Errorf("%d invitations to join, want one each", n)
	}

	// Harvesting: an association of 999 people shows the attacker no address. (An hour
	// later: 999 more invitations would not fit in the attacker's budget before.)
	s.exec(`UPDATE mail_outbox SET created_at = created_at - interval '61 minutes'`)
	s.request("POST", "/api/associations", token, map[string]any{"name": "Harvest", "idUsers": victims}).want(t, 201)
	var users []asso.User
	s.request("GET", "/api/users?limit=1000", token, nil).want(t, 200).decode(t, &users)
	for _, u := range users {
		if u.Email != "" && u.ID != attacker.ID {
			t.Fatalf("the attacker sees %s", u.Email)
		}
	}
	var found []asso.User
	s.request("GET", "/api/users?q=example.org", token, nil).want(t, 200).decode(t, &found)
	if len(found) != 1 {
		t.Errorf("a search by address found %d users, want only the attacker", len(found))
	}
}
