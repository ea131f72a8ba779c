package e2e_test

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// createAssociation creates an association as token's user, with the given other
// members: they are invited, and (arranged in the database, as if they had clicked
// their links) have accepted. The consent tests go through the links themselves.
func (s *stack) createAssociation(token, name string, ids ...int64) asso.Association {
	s.t.Helper()
	if ids == nil {
		ids = []int64{}
	}
	var a asso.Association
	s.request("POST", "/api/associations", token, map[string]any{"name": name, "idUsers": ids}).want(s.t, 201).decode(s.t, &a)
	s.accept(a.ID, ids...)
	for i := range a.Members {
		a.Members[i].Status = asso.StatusMember
	}
	return a
}

// accept makes the people invited to association id members, as their answer would.
func (s *stack) accept(id int64, ids ...int64) {
	s.t.Helper()
	s.exec(`UPDATE memberships SET status = 'member', joined_at = now() WHERE association_id = $1 AND user_id = ANY($2)`, id, ids)
}

func memberIDs(a asso.Association) []int64 {
	var ids []int64
	for _, m := range a.Members {
		ids = append(ids, m.ID)
	}
	return ids
}

func TestAssociations(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, adaToken := s.member("ada@example.org")
	bob, _ := s.signUp("bob@example.org", "password123")
	cy, _ := s.signUp("cy@example.org", "password123")

	// The creator is always a member; duplicates and numeric strings are fine.
	var a asso.Association
	s.request("POST", "/api/associations", adaToken, map[string]any{
		"name": "Chess club", "idUsers": []any{bob.ID, fmt.Sprint(bob.ID)},
	}).want(t, 201).decode(t, &a)
	if a.Name != "Chess club" || fmt.Sprint(memberIDs(a)) != fmt.Sprint([]int64{ada.ID, bob.ID}) {
		t.Fatalf("created %+v", a)
	}
	for _, m := range a.Members {
		if m.Role != "member" {
			t.Errorf("new member %+v has role %q, want member", m, m.Role)
		}
	}

	// Each member shows their own role (the original gave everyone the first role).
	s.request("POST", "/api/roles", adaToken, map[string]any{"name": "President", "idUser": ada.ID, "idAssociation": a.ID}).want(t, 201)
	s.request("POST", "/api/roles", adaToken, map[string]any{"name": "Treasurer", "idUser": bob.ID, "idAssociation": a.ID}).want(t, 201)
	var got asso.Association
	s.request("GET", "/api/associations/"+itoa(a.ID), adaToken, nil).want(t, 200).decode(t, &got)
	var members []asso.Member
	s.request("GET", "/api/associations/"+itoa(a.ID)+"/members", adaToken, nil).want(t, 200).decode(t, &members)
	for _, list := range [][]asso.Member{got.Members, members} {
		if len(list) != 2 || list[0].Role != "President" || list[1].Role != "Treasurer" {
			t.Errorf("members %+v", list)
		}
	}

	// Replacing the members removes the roles of those who left.
	s.request("PUT", "/api/associations/"+itoa(a.ID), adaToken, map[string]any{"name": "Chess & Go", "idUsers": []int64{ada.ID, cy.ID}}).
		want(t, 200).decode(t, &got)
	if got.Name != "Chess & Go" || fmt.Sprint(memberIDs(got)) != fmt.Sprint([]int64{ada.ID, cy.ID}) ||
		got.Members[0].Role != "President" || got.Members[1].Role != "member" {
		t.Errorf("updated %+v", got)
	}
	if n := s.count(`SELECT count(*) FROM roles WHERE user_id = $1`, bob.ID); n != 0 {
		t.Errorf("bob kept %d roles after leaving", n)
	}
	// A PUT with only a name keeps the members.
	s.request("PUT", "/api/associations/"+itoa(a.ID), adaToken, map[string]any{"name": "Chess"}).want(t, 200).decode(t, &got)
	if len(got.Members) != 2 {
		t.Errorf("members after rename: %+v", got.Members)
	}

	// Lists: pagination and total.
	s.createAssociation(adaToken, "Choir")
	var list []asso.Association
	r := s.request("GET", "/api/associations?limit=1&offset=1", adaToken, nil).want(t, 200)
	r.decode(t, &list)
	if len(list) != 1 || list[0].Name != "Choir" || r.header.Get("X-Total-Count") != "2" {
		t.Errorf("page %+v total %q", list, r.header.Get("X-Total-Count"))
	}

	// Errors.
	for path, want := range map[string]string{
		"/api/associations/999":         "Association 999 not found",
		"/api/associations/999/members": "Association 999 not found",
		"/api/associations/999/minutes": "Association 999 not found",
		"/api/associations/999/roles":   "Association 999 not found",
		"/api/events/association/999":   "Association 999 not found",
	} {
		if m := s.request("GET", path, adaToken, nil).want(t, 404).message(t); m != want {
			t.Errorf("%s: %q", path, m)
		}
	}
	for _, id := range []string{"abc", "0", "1abc"} {
		s.request("GET", "/api/associations/"+id, adaToken, nil).want(t, 400)
		s.request("GET", "/api/associations/"+id+"/members", adaToken, nil).want(t, 400)
		s.request("PUT", "/api/associations/"+id, adaToken, map[string]any{}).want(t, 400)
		s.request("DELETE", "/api/associations/"+id, adaToken, nil).want(t, 400)
	}
	for body, want := range map[string]string{
		`{}`:                            "name should not be empty | idUsers must be an array",
		`{"name":"","idUsers":[]}`:      "name should not be empty",
		`{"name":"X","idUsers":"1,2"}`:  "idUsers must be an array",
		`{"name":"X","idUsers":[1,-2]}`: "each value in idUsers must be a positive integer",
		`{"name":"X","idUsers":[1.5]}`:  "each value in idUsers must be a positive integer",
	} {
		if m := s.request("POST", "/api/associations", adaToken, body).want(t, 400).message(t); m != want {
			t.Errorf("%s: %q, want %q", body, m, want)
		}
	}
	tooMany := make([]int64, 1001)
	s.request("POST", "/api/associations", adaToken, map[string]any{"name": "X", "idUsers": tooMany}).want(t, 400)
	if m := s.request("POST", "/api/associations", adaToken, map[string]any{"name": "X", "idUsers": []int64{999}}).want(t, 404).message(t); m != "Some users not found" {
		t.Errorf("unknown member: %q", m)
	}
	if m := s.request("PUT", "/api/associations/"+itoa(a.ID), adaToken, map[string]any{"idUsers": []int64{999}}).want(t, 404).message(t); m != "Some users not found" {
		t.Errorf("unknown member: %q", m)
	}
	s.request("PUT", "/api/associations/"+itoa(a.ID), adaToken, map[string]any{"name": ""}).want(t, 400)
	s.request("PUT", "/api/associations/999", adaToken, map[string]any{"name": "X"}).want(t, 404)
	s.request("GET", "/api/associations", "", nil).want(t, 401)
}

func TestDeleteAssociationCascadesAndCancelsFutureEvents(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, adaToken := s.member("ada@example.org")
	bob := s.person("Ada", "Lovelace", "bob@example.org", "password123")
	a := s.createAssociation(adaToken, "Chess club", bob.ID)
	other := s.createAssociation(adaToken, "Choir", bob.ID)
	s.request("POST", "/api/roles", adaToken, map[string]any{"name": "President", "idUser": ada.ID, "idAssociation": a.ID}).want(t, 201)
	s.request("POST", "/api/minutes", adaToken, map[string]any{"content": "AGM", "date": "2024-01-10", "idAssociation": a.ID, "idVoters": []int64{ada.ID, bob.ID}}).want(t, 201)
	s.request("POST", "/api/events", adaToken, map[string]any{"name": "Past", "start": "2020-01-01T10:00", "end": "2020-01-01T12:00", "association": a.ID}).want(t, 201)
	s.request("POST", "/api/events", adaToken, map[string]any{"name": "Future", "start": "2099-01-01T10:00", "end": "2099-01-01T12:00", "association": a.ID}).want(t, 201)
	s.request("POST", "/api/events", adaToken, map[string]any{"name": "Elsewhere", "start": "2099-01-01T10:00", "end": "2099-01-01T12:00", "association": other.ID}).want(t, 201)
	s.exec(`DELETE FROM mail_outbox WHERE kind <> 'verification'`)

	var deleted asso.Association
	s.request("DELETE", "/api/associations/"+itoa(a.ID), adaToken, nil).want(t, 200).decode(t, &deleted)
	if deleted.ID != a.ID || deleted.Name != "Chess club" || len(deleted.Members) != 2 || deleted.Members[0].Role != "President" {
		t.Errorf("deleted %+v", deleted)
	}
	s.request("GET", "/api/associations/"+itoa(a.ID), adaToken, nil).want(t, 404)
	for _, q := range []string{
		`SELECT count(*) FROM memberships WHERE association_id = $1`,
		`SELECT count(*) FROM roles WHERE association_id = $1`,
		`SELECT count(*) FROM minutes WHERE association_id = $1`,
		`SELECT count(*) FROM events WHERE association_id = $1`,
	} {
		if n := s.count(q, a.ID); n != 0 {
			t.Errorf("%s: %d orphans", q, n)
		}
	}
	if n := s.count(`SELECT count(*) FROM minute_voters`); n != 0 {
		t.Errorf("%d orphan votes", n)
	}
	// One cancellation per member for the future event only.
	var recipients []string
	rows, err := s.sql.Query(t.Context(), `SELECT recipient || ':' || (payload->>'name') || ':' || kind FROM mail_outbox WHERE kind <> 'verification' ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var r string
		rows.Scan(&r)
		recipients = append(recipients, r)
	}
	want := "ada@example.org:Future:cancellation bob@example.org:Future:cancellation"
	if got := strings.Join(recipients, " "); got != want {
		t.Errorf("e-mails %q, want %q", got, want)
	}
	// The other association is untouched.
	var events []asso.Event
	s.request("GET", "/api/events", adaToken, nil).want(t, 200).decode(t, &events)
	if len(events) != 1 || events[0].Name != "Elsewhere" {
		t.Errorf("events left %+v", events)
	}
}

func TestRoles(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, adaToken := s.member("ada@example.org")
	bob, _ := s.signUp("bob@example.org", "password123")
	cy, _ := s.signUp("cy@example.org", "password123")
	a := s.createAssociation(adaToken, "Chess club", bob.ID)

	var role asso.Role
	s.request("POST", "/api/roles", adaToken, map[string]any{"name": "Secretary", "idUser": fmt.Sprint(bob.ID), "idAssociation": fmt.Sprint(a.ID)}).
		want(t, 201).decode(t, &role)
	if role.Name != "Secretary" || role.UserID != bob.ID || role.AssociationID != a.ID || role.User == nil || *role.User != bob ||
		role.Association == nil || role.Association.Name != "Chess club" {
		t.Errorf("role %+v", role)
	}
	// A second POST for the pair renames it.
	s.request("POST", "/api/roles", adaToken, map[string]any{"name": "Treasurer", "idUser": bob.ID, "idAssociation": a.ID}).want(t, 201)
	var plain asso.Role
	s.request("GET", fmt.Sprintf("/api/roles/%d/%d", bob.ID, a.ID), adaToken, nil).want(t, 200).decode(t, &plain)
	if plain != (asso.Role{Name: "Treasurer", UserID: bob.ID, AssociationID: a.ID}) {
		t.Errorf("role %+v", plain)
	}
	if n := s.count(`SELECT count(*) FROM roles`); n != 1 {
		t.Errorf("%d role rows, want 1", n)
	}
	// Roles only for members; unknown users and associations are 404.
	r := s.request("POST", "/api/roles", adaToken, map[string]any{"name": "X", "idUser": cy.ID, "idAssociation": a.ID}).want(t, 400)
	if m := r.message(t); m != fmt.Sprintf("user %d is not a member of association %d", cy.ID, a.ID) {
		t.Errorf("message %q", m)
	}
	s.request("POST", "/api/roles", adaToken, map[string]any{"name": "X", "idUser": 999, "idAssociation": a.ID}).want(t, 404)
	s.request("POST", "/api/roles", adaToken, map[string]any{"name": "X", "idUser": bob.ID, "idAssociation": 999}).want(t, 404)
	if m := s.request("POST", "/api/roles", adaToken, map[string]any{}).want(t, 400).message(t); m != "name should not be empty | idUser should not be empty | idAssociation should not be empty" {
		t.Errorf("message %q", m)
	}
	s.request("POST", "/api/roles", adaToken, map[string]any{"name": "X", "idUser": "one", "idAssociation": a.ID}).want(t, 400)

	s.request("POST", "/api/roles", adaToken, map[string]any{"name": "Treasurer", "idUser": ada.ID, "idAssociation": a.ID}).want(t, 201)
	var holders []asso.User
	s.request("GET", "/api/roles/users/Treasurer", adaToken, nil).want(t, 200).decode(t, &holders)
	if len(holders) != 2 || holders[0].ID != ada.ID || holders[1].ID != bob.ID {
		t.Errorf("holders %+v", holders)
	}
	r = s.request("GET", "/api/roles/users/Nobody%20here", adaToken, nil).want(t, 200)
	if string(r.body) != "[]" {
		t.Errorf("no holders: %s", r.body)
	}
	var all []asso.Role
	r = s.request("GET", "/api/roles", adaToken, nil).want(t, 200)
	r.decode(t, &all)
	if len(all) != 2 || r.header.Get("X-Total-Count") != "2" {
		t.Errorf("roles %+v", all)
	}
	var withRelations []struct {
		asso.Role
		User asso.User `json:"user"`
	}
	s.request("GET", "/api/associations/"+itoa(a.ID)+"/roles", adaToken, nil).want(t, 200).decode(t, &withRelations)
	if len(withRelations) != 2 || withRelations[0].User.ID != ada.ID || withRelations[1].User != bob {
		t.Errorf("association roles %+v", withRelations)
	}

	s.request("PUT", fmt.Sprintf("/api/roles/%d/%d", bob.ID, a.ID), adaToken, map[string]any{"name": "Captain"}).want(t, 200).decode(t, &plain)
	if plain.Name != "Captain" {
		t.Errorf("renamed %+v", plain)
	}
	s.request("PUT", fmt.Sprintf("/api/roles/%d/%d", bob.ID, a.ID), adaToken, map[string]any{"name": ""}).want(t, 400)
	s.request("DELETE", fmt.Sprintf("/api/roles/%d/%d", bob.ID, a.ID), adaToken, nil).want(t, 200).decode(t, &plain)
	if plain.Name != "Captain" {
		t.Errorf("deleted %+v", plain)
	}
	// A member without a role row (Bob's was deleted) gets one from PUT: the old web
	// client renames the creator, who has none, this way.
	s.request("PUT", fmt.Sprintf("/api/roles/%d/%d", bob.ID, a.ID), adaToken, map[string]any{"name": "Bosun"}).want(t, 200).decode(t, &plain)
	if plain != (asso.Role{Name: "Bosun", UserID: bob.ID, AssociationID: a.ID}) {
		t.Errorf("PUT on a member without a role = %+v", plain)
	}
	s.request("DELETE", fmt.Sprintf("/api/roles/%d/%d", bob.ID, a.ID), adaToken, nil).want(t, 200)
	for _, method := range []string{"GET", "DELETE"} {
		for _, path := range []string{fmt.Sprintf("/api/roles/%d/%d", bob.ID, a.ID), "/api/roles/1/999"} {
			if m := s.request(method, path, adaToken, map[string]any{"name": "X"}).want(t, 404).message(t); m != "Role not found" {
				t.Errorf("%s %s: %q", method, path, m)
			}
		}
	}
	// PUT answers 404 only for someone who is not a member.
	for _, path := range []string{fmt.Sprintf("/api/roles/%d/%d", cy.ID, a.ID), "/api/roles/1/999"} {
		if m := s.request("PUT", path, adaToken, map[string]any{"name": "X"}).want(t, 404).message(t); m != "Role not found" {
			t.Errorf("PUT %s: %q", path, m)
		}
	}
	for _, method := range []string{"GET", "PUT", "DELETE"} {
		if m := s.request(method, "/api/roles/x/0", adaToken, map[string]any{"name": "X"}).want(t, 400).message(t); m != "userId must be a positive integer | associationId must be a positive integer" {
			t.Errorf("%s bad ids: %q", method, m)
		}
	}
	// The user is still a member after losing the role.
	if n := s.count(`SELECT count(*) FROM memberships WHERE user_id = $1 AND association_id = $2`, bob.ID, a.ID); n != 1 {
		t.Error("deleting the role removed the membership")
	}
}

func TestMinutes(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, adaToken := s.member("ada@example.org")
	bob, _ := s.signUp("bob@example.org", "password123")
	a := s.createAssociation(adaToken, "Chess club", bob.ID)

	var m asso.Minute
	s.request("POST", "/api/minutes", adaToken, map[string]any{
		"content": "Remember: scraped sausages", "date": "2000-01-01", "idAssociation": fmt.Sprint(a.ID), "idVoters": []int64{ada.ID, bob.ID},
	}).want(t, 201).decode(t, &m)
	if m.Content != "Remember: scraped sausages" || m.Date != "2000-01-01T00:00:00Z" || len(m.Voters) != 2 ||
		m.Association.ID != a.ID || len(m.Association.Users) != 2 {
		t.Errorf("minute %+v", m)
	}
	for i, date := range []string{"2024-03-10T14:30:00+02:00", "2023-06-01T09:00", "2022-01-01T00:00:00.000Z"} {
		s.request("POST", "/api/minutes", adaToken, map[string]any{
			"content": fmt.Sprint("item ", string(rune('a'+i))), "date": date, "idAssociation": a.ID, "idVoters": []int64{},
		}).want(t, 201)
	}
	var list []asso.Minute
	s.request("GET", "/api/associations/"+itoa(a.ID)+"/minutes", adaToken, nil).want(t, 200).decode(t, &list)
	var dates []string
	for _, x := range list {
		dates = append(dates, x.Date)
	}
	if strings.Join(dates, " ") != "2024-03-10T12:30:00Z 2023-06-01T09:00:00Z 2022-01-01T00:00:00Z 2000-01-01T00:00:00Z" {
		t.Errorf("default order (date DESC): %v", dates)
	}
	s.request("GET", "/api/associations/"+itoa(a.ID)+"/minutes?sort=content&order=asc", adaToken, nil).want(t, 200).decode(t, &list)
	if list[0].Content != "Remember: scraped sausages" || list[1].Content != "item a" || list[3].Content != "item c" {
		t.Errorf("content asc: %+v", list)
	}
	if msg := s.request("GET", "/api/associations/"+itoa(a.ID)+"/minutes?sort=foo", adaToken, nil).want(t, 400).message(t); msg != "sort must be one of the following values: date, content" {
		t.Errorf("%q", msg)
	}
	if msg := s.request("GET", "/api/associations/"+itoa(a.ID)+"/minutes?order=up", adaToken, nil).want(t, 400).message(t); msg != "order must be one of the following values: ASC, DESC, asc, desc" {
		t.Errorf("%q", msg)
	}

	for body, want := range map[string]string{
		`{}`: "content should not be empty | date should not be empty | idAssociation should not be empty | idVoters must be an array",
		`{"content":"x","date":"01/01/2000","idAssociation":"1","idVoters":[]}`:    "date must be a valid ISO 8601 date string",
		`{"content":"x","date":"0000-01-01","idAssociation":"1","idVoters":[]}`:    "date must be a valid ISO 8601 date string",
		`{"content":"x","date":"2000-01-01","idAssociation":"one","idVoters":[]}`:  "idAssociation must be a positive integer or a numeric string",
		`{"content":"x","date":"2000-01-01","idAssociation":1,"idVoters":{"a":1}}`: "idVoters must be an array",
	} {
		if msg := s.request("POST", "/api/minutes", adaToken, body).want(t, 400).message(t); msg != want {
			t.Errorf("%s: %q, want %q", body, msg, want)
		}
	}
	if msg := s.request("POST", "/api/minutes", adaToken, map[string]any{"content": "x", "date": "2000-01-01", "idAssociation": a.ID, "idVoters": []int64{999}}).want(t, 404).message(t); msg != "Some users not found" {
		t.Errorf("%q", msg)
	}
	if msg := s.request("POST", "/api/minutes", adaToken, map[string]any{"content": "x", "date": "2000-01-01", "idAssociation": 999, "idVoters": []int64{}}).want(t, 404).message(t); msg != "Association 999 not found" {
		t.Errorf("%q", msg)
	}

	var updated asso.Minute
	s.request("PUT", "/api/minutes/"+itoa(m.ID), adaToken, map[string]any{"content": "Sausages, scraped", "idVoters": []int64{bob.ID}}).want(t, 200).decode(t, &updated)
	if updated.Content != "Sausages, scraped" || updated.Date != m.Date || len(updated.Voters) != 1 || updated.Voters[0].ID != bob.ID {
		t.Errorf("updated %+v", updated)
	}
	var got asso.Minute
	s.request("GET", "/api/minutes/"+itoa(m.ID), adaToken, nil).want(t, 200).decode(t, &got)
	if got.Content != updated.Content {
		t.Errorf("get %+v", got)
	}
	var all []asso.Minute
	r := s.request("GET", "/api/minutes?limit=2", adaToken, nil).want(t, 200)
	r.decode(t, &all)
	if len(all) != 2 || r.header.Get("X-Total-Count") != "4" {
		t.Errorf("list %d, total %q", len(all), r.header.Get("X-Total-Count"))
	}
	s.request("DELETE", "/api/minutes/"+itoa(m.ID), adaToken, nil).want(t, 200).decode(t, &got)
	if got.ID != m.ID {
		t.Errorf("deleted %+v", got)
	}
	for _, method := range []string{"GET", "PUT", "DELETE"} {
		if msg := s.request(method, "/api/minutes/"+itoa(m.ID), adaToken, map[string]any{}).want(t, 404).message(t); msg != "Minute not found" {
			t.Errorf("%s: %q", method, msg)
		}
	}
	if n := s.count(`SELECT count(*) FROM minute_voters WHERE minute_id = $1`, m.ID); n != 0 {
		t.Errorf("%d orphan votes", n)
	}
}

// outbox returns the event e-mails as "kind recipient sequence", in order.
func (s *stack) outbox() []string {
	s.t.Helper()
	rows, err := s.sql.Query(s.t.Context(), `
		SELECT kind || ' ' || recipient || ' ' || (payload->>'sequence') FROM mail_outbox
		WHERE kind NOT IN ('verification', 'join') ORDER BY id`)
	if err != nil {
		s.t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			s.t.Fatal(err)
		}
		out = append(out, line)
	}
	return out
}

func TestEvents(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	_, adaToken := s.member("ada@example.org")
	bob := s.person("Ada", "Lovelace", "bob@example.org", "password123")
	cy := s.person("Ada", "Lovelace", "cy@example.org", "password123")
	a := s.createAssociation(adaToken, "Chess club", bob.ID, cy.ID)

	var e asso.Event
	s.request("POST", "/api/events", adaToken, map[string]any{
		"name": "Tournament", "start": "2030-05-01T10:00:00+02:00", "end": "2030-05-01T18:00", "association": a.ID,
	}).want(t, 201).decode(t, &e)
	if e.Name != "Tournament" || e.Start != "2030-05-01T08:00:00Z" || e.End != "2030-05-01T18:00:00Z" || e.Association.ID != a.ID || len(e.Association.Users) != 3 {
		t.Errorf("event %+v", e)
	}
	want := []string{"invitation ada@example.org 0", "invitation bob@example.org 0", "invitation cy@example.org 0"}
	if got := s.outbox(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outbox %v, want %v", got, want)
	}
	var payload asso.EventEmail
	if err := s.sql.QueryRow(t.Context(), `SELECT payload FROM mail_outbox WHERE kind = 'invitation' AND recipient = 'bob@example.org'`).Scan(&payload); err != nil {
		t.Fatal(err)
	}
	if payload != (asso.EventEmail{EventID: e.ID, Name: "Tournament", Start: e.Start, End: e.End, AssociationID: a.ID,
		AssociationName: "Chess club", Firstname: "Ada", Lastname: "Lovelace", Unsubscribe: payload.Unsubscribe,
		RSVP: payload.RSVP}) || payload.Unsubscribe == "" || !asso.IsRSVPTokenShape(payload.RSVP) {
		t.Errorf("payload %+v", payload)
	}

	s.request("PATCH", "/api/events/"+itoa(e.ID), adaToken, map[string]any{"name": "Grand tournament"}).want(t, 200).decode(t, &e)
	if e.Name != "Grand tournament" || e.Start != "2030-05-01T08:00:00Z" {
		t.Errorf("patched %+v", e)
	}
	// An end before the (unchanged) start is refused, and nothing is mailed.
	if msg := s.request("PATCH", "/api/events/"+itoa(e.ID), adaToken, map[string]any{"end": "2030-05-01T07:00:00Z"}).want(t, 400).message(t); msg != "end must not be before start" {
		t.Errorf("%q", msg)
	}
	updated := append(slices.Clone(want), "update ada@example.org 1", "update bob@example.org 1", "update cy@example.org 1")
	if got := s.outbox(); fmt.Sprint(got) != fmt.Sprint(updated) {
		t.Errorf("outbox %v, want %v", got, updated)
	}
	// The cancellation leaves at once and supersedes the updates not sent yet.
	s.request("DELETE", "/api/events/"+itoa(e.ID), adaToken, nil).want(t, 200)
	want = append(want, "cancellation ada@example.org 2", "cancellation bob@example.org 2", "cancellation cy@example.org 2")
	if got := s.outbox(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("outbox %v, want %v", got, want)
	}
	for _, method := range []string{"GET", "PATCH", "DELETE"} {
		if msg := s.request(method, "/api/events/"+itoa(e.ID), adaToken, map[string]any{}).want(t, 404).message(t); msg != "Event not found" {
			t.Errorf("%s: %q", method, msg)
		}
	}

	for body, want := range map[string]string{
		`{}`: "name should not be empty | start should not be empty | end should not be empty | association should not be empty",
		`{"name":"x","start":"2030-01-02","end":"2030-01-01","association":1}`:       "end must not be before start",
		`{"name":"x","start":"2030-01-01","end":"2030-01-02","association":"1"}`:     "association must be a number conforming to the specified constraints",
		`{"name":"x","start":"tomorrow","end":"2030-01-02","association":1}`:         "start must be a valid ISO 8601 date string",
		`{"name":"x","start":"2030-01-01","end":"2030-01-02T25:00","association":1}`: "end must be a valid ISO 8601 date string",
	} {
		if msg := s.request("POST", "/api/events", adaToken, body).want(t, 400).message(t); msg != want {
			t.Errorf("%s: %q, want %q", body, msg, want)
		}
	}
	s.request("POST", "/api/events", adaToken, map[string]any{"name": "x", "start": "2030-01-01", "end": "2030-01-01", "association": 999}).want(t, 404)

	// Lists, newest association list by start.
	for _, start := range []string{"2031-01-01", "2030-01-01"} {
		s.request("POST", "/api/events", adaToken, map[string]any{"name": start, "start": start, "end": start, "association": a.ID}).want(t, 201)
	}
	var events []asso.Event
	s.request("GET", "/api/events/association/"+itoa(a.ID), adaToken, nil).want(t, 200).decode(t, &events)
	if len(events) != 2 || events[0].Name != "2030-01-01" {
		t.Errorf("by association %+v", events)
	}
	r := s.request("GET", "/api/events", adaToken, nil).want(t, 200)
	r.decode(t, &events)
	if len(events) != 2 || r.header.Get("X-Total-Count") != "2" {
		t.Errorf("events %+v", events)
	}
	s.request("GET", "/api/events/"+itoa(events[0].ID), adaToken, nil).want(t, 200)
}

func TestEventInAssociationWithoutMembersSendsNothing(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	admin := s.login(adminEmail, adminPassword)
	a := s.createAssociation(admin, "Empty")
	s.request("PUT", "/api/associations/"+itoa(a.ID), admin, map[string]any{"idUsers": []int64{}}).want(t, 200)
	var e asso.Event
	s.request("POST", "/api/events", admin, map[string]any{"name": "Alone", "start": "2030-01-01", "end": "2030-01-01", "association": a.ID}).want(t, 201).decode(t, &e)
	s.request("PATCH", "/api/events/"+itoa(e.ID), admin, map[string]any{"name": "Still alone"}).want(t, 200)
	s.request("DELETE", "/api/events/"+itoa(e.ID), admin, nil).want(t, 200)
	if got := s.outbox(); len(got) != 0 {
		t.Errorf("e-mails %v, want none", got)
	}
}

func TestConcurrentMembershipAndRoleWrites(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, adaToken := s.member("ada@example.org")
	var others []int64
	for i := range 6 {
		u, _ := s.signUp(fmt.Sprintf("u%d@example.org", i), "password123")
		others = append(others, u.ID)
	}
	a := s.createAssociation(adaToken, "Busy", others...)

	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	record := func(st int) { mu.Lock(); statuses[st]++; mu.Unlock() }
	for i := range 12 {
		wg.Add(2)
		go func() { // the same role, many times over: one row
			defer wg.Done()
			record(s.request("POST", "/api/roles", adaToken, map[string]any{"name": fmt.Sprint("r", i%3), "idUser": others[0], "idAssociation": a.ID}).status)
		}()
		go func() { // members leaving and coming back while roles are given
			defer wg.Done()
			ids := append([]int64{ada.ID}, others[:1+i%len(others)]...)
			record(s.request("PUT", "/api/associations/"+itoa(a.ID), adaToken, map[string]any{"idUsers": ids}).status)
			record(s.request("POST", "/api/roles", adaToken, map[string]any{"name": "late", "idUser": others[len(ids)-2], "idAssociation": a.ID}).status)
		}()
	}
	wg.Wait()
	for st := range statuses {
		if st != 200 && st != 201 && st != 400 {
			t.Errorf("status %d (%v)", st, statuses)
		}
	}
	if n := s.count(`SELECT count(*) FROM (SELECT user_id FROM roles GROUP BY association_id, user_id HAVING count(*) > 1) d`); n != 0 {
		t.Errorf("%d duplicated roles", n)
	}
	if n := s.count(`SELECT count(*) FROM roles r WHERE NOT EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = r.user_id AND m.association_id = r.association_id)`); n != 0 {
		t.Errorf("%d roles of non-members", n)
	}
	var got asso.Association
	s.request("GET", "/api/associations/"+itoa(a.ID), adaToken, nil).want(t, 200).decode(t, &got)
	ids := memberIDs(got)
	if !sort.SliceIsSorted(ids, func(i, j int) bool { return ids[i] < ids[j] }) || len(ids) < 2 {
		t.Errorf("members %v", ids)
	}
}
