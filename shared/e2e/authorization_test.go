package e2e_test

import (
	"fmt"
	"github.com/kittenasso/kittenasso/shared/asso"
	"testing"
)

// writeCase is one write route, prepared afresh for each caller so that every caller
// meets the same object.
type writeCase struct {
	name    string
	success int
	prepare func() (method, path string, body any)
}

// TestMembersOnlyMatrix: for every write route in an association, a member and the
// admin succeed, a signed-in non-member gets 403, and an anonymous caller 401.
func TestMembersOnlyMatrix(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	mem, memToken := s.member("member@example.org")
	_, outsiderToken := s.member("outsider@example.org")
	admin := s.login(adminEmail, adminPassword)
	other, _ := s.signUp("other@example.org", "password123")
	a := s.createAssociation(memToken, "Club", other.ID)

	newMinute := func() int64 {
		var m asso.Minute
		s.request("POST", "/api/minutes", memToken, map[string]any{"content": "c", "date": "2024-01-01", "idAssociation": a.ID, "idVoters": []int64{}}).want(t, 201).decode(t, &m)
		return m.ID
	}
	newEvent := func() int64 {
		var e asso.Event
		s.request("POST", "/api/events", memToken, map[string]any{"name": "e", "start": "2030-01-01", "end": "2030-01-01", "association": a.ID}).want(t, 201).decode(t, &e)
		return e.ID
	}
	rolePath := fmt.Sprintf("/api/roles/%d/%d", other.ID, a.ID)
	giveRole := func() {
		s.request("POST", "/api/roles", memToken, map[string]any{"name": "r", "idUser": other.ID, "idAssociation": a.ID}).want(t, 201)
	}

	cases := []writeCase{
		{"associations-update", 200, func() (string, string, any) {
			return "PUT", "/api/associations/" + itoa(a.ID), map[string]any{"name": "Renamed"}
		}},
		{"associations-delete", 200, func() (string, string, any) {
			return "DELETE", "/api/associations/" + itoa(s.createAssociation(memToken, "Doomed").ID), nil
		}},
		{"roles-create", 201, func() (string, string, any) {
			return "POST", "/api/roles", map[string]any{"name": "r", "idUser": other.ID, "idAssociation": a.ID}
		}},
		{"roles-update", 200, func() (string, string, any) { giveRole(); return "PUT", rolePath, map[string]any{"name": "r2"} }},
		{"roles-delete", 200, func() (string, string, any) { giveRole(); return "DELETE", rolePath, nil }},
		{"minutes-create", 201, func() (string, string, any) {
			return "POST", "/api/minutes", map[string]any{"content": "c", "date": "2024-01-01", "idAssociation": a.ID, "idVoters": []int64{mem.ID}}
		}},
		{"minutes-update", 200, func() (string, string, any) {
			return "PUT", "/api/minutes/" + itoa(newMinute()), map[string]any{"content": "changed"}
		}},
		{"minutes-delete", 200, func() (string, string, any) { return "DELETE", "/api/minutes/" + itoa(newMinute()), nil }},
		{"events-create", 201, func() (string, string, any) {
			return "POST", "/api/events", map[string]any{"name": "e", "start": "2030-01-01", "end": "2030-01-02", "association": a.ID}
		}},
		{"events-update", 200, func() (string, string, any) {
			return "PATCH", "/api/events/" + itoa(newEvent()), map[string]any{"name": "changed"}
		}},
		{"events-delete", 200, func() (string, string, any) { return "DELETE", "/api/events/" + itoa(newEvent()), nil }},
	}
	for _, c := range cases {
		for _, caller := range []struct {
			name, token string
			want        int
		}{
			{"anonymous", "", 401},
			{"non-member", outsiderToken, 403},
			{"member", memToken, c.success},
			{"admin", admin, c.success},
		} {
			method, path, body := c.prepare()
			r := s.request(method, path, caller.token, body)
			if r.status != caller.want {
				t.Errorf("%s as %s: %d %s, want %d", c.name, caller.name, r.status, r.body, caller.want)
				continue
			}
			if caller.want == 403 {
				if m := r.message(t); m != fmt.Sprintf("you are not a member of association %d", a.ID) && c.name != "associations-delete" {
					t.Errorf("%s as non-member: %q", c.name, m)
				}
			}
		}
	}
}

// TestCraftedIDsCannotReachAnotherAssociation: a member of one association cannot
// change another's roles, minutes or events through ids in paths or bodies.
func TestCraftedIDsCannotReachAnotherAssociation(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	_, aliceToken := s.member("alice@example.org")
	bob, bobToken := s.member("bob@example.org")
	mine := s.createAssociation(aliceToken, "Alice's club")
	theirs := s.createAssociation(bobToken, "Bob's club")

	var theirMinute, myMinute asso.Minute
	s.request("POST", "/api/minutes", bobToken, map[string]any{"content": "secret", "date": "2024-01-01", "idAssociation": theirs.ID, "idVoters": []int64{}}).want(t, 201).decode(t, &theirMinute)
	s.request("POST", "/api/minutes", aliceToken, map[string]any{"content": "mine", "date": "2024-01-01", "idAssociation": mine.ID, "idVoters": []int64{}}).want(t, 201).decode(t, &myMinute)
	var theirEvent, myEvent asso.Event
	s.request("POST", "/api/events", bobToken, map[string]any{"name": "theirs", "start": "2030-01-01", "end": "2030-01-01", "association": theirs.ID}).want(t, 201).decode(t, &theirEvent)
	s.request("POST", "/api/events", aliceToken, map[string]any{"name": "mine", "start": "2030-01-01", "end": "2030-01-01", "association": mine.ID}).want(t, 201).decode(t, &myEvent)
	s.request("POST", "/api/roles", bobToken, map[string]any{"name": "Boss", "idUser": bob.ID, "idAssociation": theirs.ID}).want(t, 201)

	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"PUT", fmt.Sprintf("/api/roles/%d/%d", bob.ID, theirs.ID), map[string]any{"name": "Demoted"}},
		{"DELETE", fmt.Sprintf("/api/roles/%d/%d", bob.ID, theirs.ID), nil},
		{"POST", "/api/roles", map[string]any{"name": "Spy", "idUser": bob.ID, "idAssociation": theirs.ID}},
		{"PUT", "/api/minutes/" + itoa(theirMinute.ID), map[string]any{"content": "defaced"}},
		{"DELETE", "/api/minutes/" + itoa(theirMinute.ID), nil},
		{"PUT", "/api/minutes/" + itoa(myMinute.ID), map[string]any{"idAssociation": theirs.ID}},
		{"POST", "/api/minutes", map[string]any{"content": "x", "date": "2024-01-01", "idAssociation": theirs.ID, "idVoters": []int64{}}},
		{"PATCH", "/api/events/" + itoa(theirEvent.ID), map[string]any{"name": "defaced"}},
		{"DELETE", "/api/events/" + itoa(theirEvent.ID), nil},
		{"PATCH", "/api/events/" + itoa(myEvent.ID), map[string]any{"association": theirs.ID}},
		{"POST", "/api/events", map[string]any{"name": "x", "start": "2030-01-01", "end": "2030-01-01", "association": theirs.ID}},
		{"PUT", "/api/associations/" + itoa(theirs.ID), map[string]any{"idUsers": []int64{}}},
		{"DELETE", "/api/associations/" + itoa(theirs.ID), nil},
	} {
		r := s.request(c.method, c.path, aliceToken, c.body)
		if r.status != 403 {
			t.Errorf("%s %s: %d %s, want 403", c.method, c.path, r.status, r.body)
		}
	}
	// Nothing changed on Bob's side, nor moved from Alice's.
	var m asso.Minute
	s.request("GET", "/api/minutes/"+itoa(theirMinute.ID), bobToken, nil).want(t, 200).decode(t, &m)
	var e asso.Event
	s.request("GET", "/api/events/"+itoa(theirEvent.ID), bobToken, nil).want(t, 200).decode(t, &e)
	var mm asso.Minute
	s.request("GET", "/api/minutes/"+itoa(myMinute.ID), aliceToken, nil).want(t, 200).decode(t, &mm)
	var a asso.Association
	s.request("GET", "/api/associations/"+itoa(theirs.ID), bobToken, nil).want(t, 200).decode(t, &a)
	if m.Content != "secret" || e.Name != "theirs" || mm.Association.ID != mine.ID || len(a.Members) != 1 || a.Members[0].Role != "Boss" {
		t.Errorf("something changed: minute %q, event %q, my minute in %d, members %+v", m.Content, e.Name, mm.Association.ID, a.Members)
	}
	if n := s.count(`SELECT count(*) FROM mail_outbox WHERE kind <> 'verification' AND payload->>'associationId' = $1`, itoa(theirs.ID)); n != 1 {
		t.Errorf("%d e-mails about Bob's club, want only the invitation", n)
	}
}
