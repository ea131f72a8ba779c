package postgres_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
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
	event, err := f.db.CreateEvent(f.ctx, ada, asso.EventInput{Name: &name, Start: &start, End: &end, AssociationID: &aID})
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
	if invitation.EventID != e.ID || invitation.Start != e.Start || invitation.AssociationName != e.Association.Name {
		t.Errorf("invitation %+v for event %+v", invitation, e)
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
