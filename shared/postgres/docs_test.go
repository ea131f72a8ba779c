package postgres_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// TestDocumentsHaveTheDomainShapes: every JSON document the store builds in SQL
// decodes into its domain type with no field the type lacks, and encodes back to the
// same JSON, so no field the type has is missing either: the SQL of docs.go and the
// types of asso define one shape.
func TestDocumentsHaveTheDomainShapes(t *testing.T) {
	f := newFixture(t)
	ada, bob, cyd := f.user("ada", true), f.user("bob", true), f.user("cyd", true)
	admin := asso.User{ID: -1, IsAdmin: true}
	aID := f.association(ada, bob)
	f.association(cyd) // a stranger's association: ada does not see cyd's e-mail
	key := asso.RoleKey{UserID: bob.ID, AssociationID: aID}
	content, date := "We met.", mustTime(t, "2030-01-02T03:04:05Z")
	voters := []int64{ada.ID, bob.ID}
	minute, err := f.db.CreateMinute(f.ctx, ada, asso.MinuteInput{Content: &content, Date: &date, AssociationID: &aID, VoterIDs: &voters})
	if err != nil {
		t.Fatal(err)
	}
	name, start, end := "Tournament", mustTime(t, "2030-05-01T08:00:00Z"), mustTime(t, "2030-05-01T18:00:00Z")
	place, capacity := "Town hall", 1
	event, err := f.db.CreateEvent(f.ctx, ada, asso.EventInput{Name: &name, Start: &start, End: &end, AssociationID: &aID,
		Place: &place, Capacity: &capacity})
	if err != nil {
		t.Fatal(err)
	}
	var m asso.Minute
	var e asso.Event
	decodeStrictly(t, "CreateMinute", minute, &m)
	decodeStrictly(t, "CreateEvent", event, &e)
	// The invitation's payload, built by SQL for the mailer, is asso.EventEmail.
	var payload json.RawMessage
	f.scan(`SELECT payload FROM mail_outbox WHERE kind = 'invitation' AND event_id = $1 LIMIT 1`, []any{e.ID}, &payload)
	var invitation asso.EventEmail
	decodeStrictly(t, "the invitation's payload", payload, &invitation)
	if invitation.EventID != e.ID || invitation.Start != e.Start || invitation.AssociationName != e.Association.Name ||
		invitation.Place != place || invitation.Description != "" {
		t.Errorf("invitation %+v for event %+v", invitation, e)
	}
	// One place, two coming: someone waits, so every part of the attendees shows.
	for _, u := range []asso.User{ada, bob} {
		if _, err := f.db.AnswerEvent(f.ctx, u, e.ID, asso.Going); err != nil {
			t.Fatal(err)
		}
	}
	page := asso.Page{Limit: 100}
	// What the viewer may not see is left out, not sent empty.
	if len(m.Voters) != 2 || m.Voters[0].Email == "" || m.Association.Users[0].Email == "" {
		t.Errorf("a member does not see the other members' e-mails: %+v", m)
	}
	stranger, err := f.db.Minute(f.ctx, cyd, m.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stranger, []byte(`"email"`)) {
		t.Errorf("a stranger sees e-mails: %s", stranger)
	}

	for _, tc := range []struct {
		name string
		doc  func() (json.RawMessage, error)
		into any
	}{
		{"Association", func() (json.RawMessage, error) { return f.db.Association(f.ctx, aID) }, &asso.Association{}},
		{"Associations", listed(func() (json.RawMessage, asso.Listed, error) { return f.db.Associations(f.ctx, asso.Search{}, page) }), &[]asso.Association{}},
		{"AssociationMembers", listed(func() (json.RawMessage, asso.Listed, error) { return f.db.AssociationMembers(f.ctx, aID, page) }), &[]asso.Member{}},
		{"SetRole", func() (json.RawMessage, error) { return f.db.SetRole(f.ctx, ada, key, "Treasurer") }, &asso.Role{}},
		{"Role", func() (json.RawMessage, error) { return f.db.Role(f.ctx, key) }, &asso.Role{}},
		{"Roles", listed(func() (json.RawMessage, asso.Listed, error) { return f.db.Roles(f.ctx, page) }), &[]asso.Role{}},
		{"AssociationRoles", listed(func() (json.RawMessage, asso.Listed, error) { return f.db.AssociationRoles(f.ctx, ada, aID, page) }), &[]asso.Role{}},
		{"UsersWithRole", listed(func() (json.RawMessage, asso.Listed, error) { return f.db.UsersWithRole(f.ctx, cyd, "Treasurer", page) }), &[]asso.User{}},
		{"RenameRole", func() (json.RawMessage, error) { return f.db.RenameRole(f.ctx, ada, key, "Captain") }, &asso.Role{}},
		{"UserRoles", func() (json.RawMessage, error) { return encoded(f.db.UserRoles(f.ctx, bob.ID)) }, &[]asso.Role{}},
		{"Minute", func() (json.RawMessage, error) { return f.db.Minute(f.ctx, ada, m.ID) }, &asso.Minute{}},
		{"Minutes", listed(func() (json.RawMessage, asso.Listed, error) { return f.db.Minutes(f.ctx, cyd, page) }), &[]asso.Minute{}},
		{"Event", func() (json.RawMessage, error) { return f.db.Event(f.ctx, admin, e.ID) }, &asso.Event{}},
		{"Event, seen by one waiting", func() (json.RawMessage, error) { return f.db.Event(f.ctx, bob, e.ID) }, &asso.Event{}},
		{"EventAttendees", func() (json.RawMessage, error) { return f.db.EventAttendees(f.ctx, ada, e.ID) }, &asso.Attendees{}},
		{"Events", listed(func() (json.RawMessage, asso.Listed, error) { return f.db.Events(f.ctx, cyd, page) }), &[]asso.Event{}},
		{"DeleteEvent", func() (json.RawMessage, error) { return f.db.DeleteEvent(f.ctx, ada, e.ID) }, &asso.Event{}},
		{"DeleteMinute", func() (json.RawMessage, error) { return f.db.DeleteMinute(f.ctx, ada, m.ID) }, &asso.Minute{}},
		{"DeleteRole", func() (json.RawMessage, error) { return f.db.DeleteRole(f.ctx, ada, key) }, &asso.Role{}},
		{"DeleteAssociation", func() (json.RawMessage, error) { return f.db.DeleteAssociation(f.ctx, ada, aID) }, &asso.Association{}},
	} {
		doc, err := tc.doc()
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		decodeStrictly(t, tc.name, doc, tc.into)
		if reflect.ValueOf(tc.into).Elem().IsZero() {
			t.Errorf("%s: %s decodes to nothing", tc.name, doc)
		}
	}
}

// mustTime is the instant RFC 3339 text s names.
func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	at, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return at
}

// encoded is what the API sends of a value the store builds in Go.
func encoded[T any](v T, err error) (json.RawMessage, error) {
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// listed adapts a list query to the document it answers.
func listed(query func() (json.RawMessage, asso.Listed, error)) func() (json.RawMessage, error) {
	return func() (json.RawMessage, error) {
		doc, _, err := query()
		return doc, err
	}
}

// decodeStrictly decodes doc into v, refusing a field v's type lacks, and checks that
// v encodes back to the same JSON (no field of the type is missing from doc).
func decodeStrictly(t *testing.T, name string, doc json.RawMessage, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %s does not decode strictly: %v", name, doc, err)
	}
	again, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var want, got any
	if err := json.Unmarshal(doc, &want); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(again, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(want, got) {
		t.Errorf("%s: the document and its type differ:\n  SQL:  %s\n  type: %s", name, doc, again)
	}
}

// TestPagesBuildOnlyWhatFits: a page of large minutes builds the documents of the
// rows that may fit in the byte budget, not of every row its limit lists. The work
// is counted as the scans of the voters the documents read (one per minute built),
// in the plan PostgreSQL ran: no clock, so no flake on a busy machine.
func TestPagesBuildOnlyWhatFits(t *testing.T) {
	f := newFixture(t)
	ada := f.user("ada", true)
	f.exec(`INSERT INTO users (email, firstname, lastname, age, password_hash, verified_at)
		SELECT 'member' || n || '@example.org', 'Member', 'Number ' || n, 30, 'x', now() FROM generate_series(1, 49) AS n`)
	f.exec(`INSERT INTO associations (name) VALUES ('Club')`)
	f.exec(`INSERT INTO memberships (association_id, user_id) SELECT a.id, u.id FROM associations a CROSS JOIN users u`)
	f.exec(`INSERT INTO minutes (association_id, content, date) SELECT a.id, 'Minutes ' || n, now() FROM associations a, generate_series(1, 20) AS n`)
	f.exec(`INSERT INTO minute_voters (minute_id, user_id) SELECT m.id, u.id FROM minutes m CROSS JOIN users u`)

	// 20 minutes of 50 voters in an association of 50: each takes some 13 kB, and
	// at least 100 nested users of 76 bytes, so a 40 kB budget builds at most 6.
	const budget, minutes = 40000, 20
	var plan []map[string]any
	f.scan(`EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) `+postgres.AllMinutesQuery, []any{ada.ID, false, 100, 0, budget}, &plan)
	built := voterScans(plan[0]["Plan"].(map[string]any))
	var total, count int
	var doc json.RawMessage
	f.scan(postgres.AllMinutesQuery, []any{ada.ID, false, 100, 0, budget}, &total, &count, &doc)
	if total != minutes || count < 2 || len(doc) > budget {
		t.Fatalf("total %d, count %d, %d bytes", total, count, len(doc))
	}
	if most := budget/(100*76) + 1; built < count || built > most {
		t.Errorf("%d minutes built for a page of %d, want at most %d (the limit lists %d)", built, count, most, minutes)
	}
}

// voterScans is how many times the plan read the voters of a minute's document (the
// scans of minute_voters aliased vt, docs.go).
func voterScans(node map[string]any) int {
	n := 0
	if node["Relation Name"] == "minute_voters" && node["Alias"] == "vt" {
		n += int(node["Actual Loops"].(float64))
	}
	children, _ := node["Plans"].([]any)
	for _, c := range children {
		n += voterScans(c.(map[string]any))
	}
	return n
}

// TestEstimatesAreLowerBounds: the estimated size of every kind of document never
// exceeds the document, so a page chosen by the estimates holds every row that fits;
// and the shortest documents (one-character texts, one-digit numbers) are exactly
// their estimates, so the estimates are not loose either.
func TestEstimatesAreLowerBounds(t *testing.T) {
	f := newFixture(t)
	// The shortest: A B, aged 0, the admin, manager of C with the role F; minutes D
	// and event E, with one voter and one member. Then longer ones, in a club of 20.
	f.exec(`INSERT INTO users (email, firstname, lastname, age, password_hash, is_admin) VALUES ('a@b.c', 'A', 'B', 0, 'x', true)`)
	f.exec(`INSERT INTO associations (name) VALUES ('C')`)
	f.exec(`INSERT INTO memberships (association_id, user_id, manager) VALUES (1, 1, true)`)
	f.exec(`INSERT INTO roles (association_id, user_id, name) VALUES (1, 1, 'F')`)
	f.exec(`INSERT INTO minutes (association_id, content, date) VALUES (1, 'D', now())`)
	f.exec(`INSERT INTO minute_voters (minute_id, user_id) VALUES (1, 1)`)
	f.exec(`INSERT INTO events (association_id, name, starts_at, ends_at) VALUES (1, 'E', now(), now())`)
	f.exec(`INSERT INTO users (email, firstname, lastname, age, password_hash)
		SELECT 'member' || n || '@example.org', 'Zoë "' || n || '"', 'Næss\' || n, 42, 'x' FROM generate_series(1, 20) AS n`)
	f.exec(`INSERT INTO associations (name) VALUES ('The "long" club: ünïcode')`)
	f.exec(`INSERT INTO memberships (association_id, user_id, status) SELECT 2, id, CASE WHEN id % 3 = 0 THEN 'invited' ELSE 'member' END FROM users`)
	f.exec(`INSERT INTO minutes (association_id, content, date) VALUES (2, 'Long "minutes"' || E'\n' || 'ünïcode', now())`)
	f.exec(`INSERT INTO minute_voters (minute_id, user_id) SELECT 2, id FROM users`)
	f.exec(`INSERT INTO events (association_id, name, starts_at, ends_at, place, description, capacity)
		VALUES (2, 'Fête "annuelle"', now(), now(), 'Salle "A"', 'Tout le monde\' || E'\n' || 'est invité', 12)`)

	for _, tc := range []struct {
		name  string
		query string
		args  []any
		exact bool // the shortest document is its estimate (no e-mail seen)
	}{
		{"minutes, seen by A", postgres.MinuteEstimates, []any{1, true}, false},
		{"minutes, seen by a stranger", postgres.MinuteEstimates, []any{99, false}, true},
		{"events", postgres.EventEstimates, []any{99, false}, true},
		{"events, seen by a member", postgres.EventEstimates, []any{1, true}, false},
		{"associations", postgres.AssociationEstimates, nil, true},
		{"a user's associations", postgres.UserAssociationEstimates, []any{99, false}, true},
	} {
		rows, err := f.sql.Query(f.ctx, tc.query, tc.args...)
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for rows.Next() {
			var id, estimate, size int
			if err := rows.Scan(&id, &estimate, &size); err != nil {
				t.Fatal(err)
			}
			n++
			if estimate > size || (id == 1 && tc.exact && estimate != size) {
				t.Errorf("%s: %d estimated at %d bytes for a %d-byte document", tc.name, id, estimate, size)
			}
		}
		if rows.Err() != nil || n != 2 {
			t.Errorf("%s: %d rows, %v", tc.name, n, rows.Err())
		}
	}
}
