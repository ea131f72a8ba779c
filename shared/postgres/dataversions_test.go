package postgres_test

import (
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// TestDataVersion: every write the API can make to what its documents read from
// increases the data version that Authenticate reads (the page caches depend on
// it), reads leave it alone, and the row counts kept beside it stay the tables'
// counts through inserts, deletes, cascades and TRUNCATE.
func TestDataVersion(t *testing.T) {
	f := newFixture(t)
	ada := f.user("ada", true)
	version := func() int64 {
		t.Helper()
		_, v, err := f.db.Authenticate(f.ctx, ada.ID, 0)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	checkCounts := func(step string) {
		t.Helper()
		rows, err := f.sql.Query(f.ctx, `SELECT name, row_count FROM data_versions`)
		if err != nil {
			t.Fatal(err)
		}
		kept := map[string]int64{}
		for rows.Next() {
			var name string
			var n int64
			if err := rows.Scan(&name, &n); err != nil {
				t.Fatal(err)
			}
			kept[name] = n
		}
		if len(kept) != 8 {
			t.Fatalf("data_versions names %d tables, want 8", len(kept))
		}
		for table, n := range kept {
			var actual int64
			f.scan(`SELECT count(*) FROM `+table, nil, &actual)
			if n != actual {
				t.Errorf("after %s: %s counted %d, holds %d", step, table, n, actual)
			}
		}
	}

	var bob asso.User
	var aID, minuteID, eventID int64
	text, name, day := "Minutes", "Renamed", time.Date(2030, 1, 1, 18, 0, 0, 0, time.UTC)
	key := func() asso.RoleKey { return asso.RoleKey{UserID: bob.ID, AssociationID: aID} }
	steps := []struct {
		name  string
		write func() error
	}{
		{"a sign-up", func() error { bob = f.user("bob", false); return nil }},
		{"a verification", func() error { _, err := f.db.Verify(f.ctx, []byte("bob token hash")); return err }},
		{"a new association", func() error { aID = f.association(ada, bob); return nil }},
		{"a renamed association", func() error {
			_, err := f.db.UpdateAssociation(f.ctx, ada, aID, asso.AssociationInput{Name: &name})
			return err
		}},
		{"a member removed", func() error {
			ids := []int64{ada.ID}
			_, err := f.db.UpdateAssociation(f.ctx, ada, aID, asso.AssociationInput{UserIDs: &ids})
			return err
		}},
		{"a member added", func() error {
			ids := []int64{ada.ID, bob.ID}
			_, err := f.db.UpdateAssociation(f.ctx, ada, aID, asso.AssociationInput{UserIDs: &ids})
			return err
		}},
		{"a role given", func() error { _, err := f.db.SetRole(f.ctx, ada, key(), "Coach"); return err }},
		{"a role renamed", func() error { _, err := f.db.RenameRole(f.ctx, ada, key(), "Captain"); return err }},
		{"minutes written", func() error {
			voters := []int64{ada.ID, bob.ID}
			doc, err := f.db.CreateMinute(f.ctx, ada, asso.MinuteInput{Content: &text, Date: &day, AssociationID: &aID, VoterIDs: &voters})
			minuteID = idOf(t, doc, err)
			return nil
		}},
		{"voters changed", func() error {
			voters := []int64{ada.ID}
			_, err := f.db.UpdateMinute(f.ctx, ada, minuteID, asso.MinuteInput{VoterIDs: &voters})
			return err
		}},
		{"an event planned", func() error { var err error; eventID, err = f.event(ada, aID); return err }},
		{"an event moved", func() error {
			_, err := f.db.UpdateEvent(f.ctx, ada, eventID, asso.EventInput{Start: &day, End: &day})
			return err
		}},
		{"a profile changed", func() error {
			_, err := f.db.UpdateUser(f.ctx, bob, bob.ID, asso.UserPatch{Firstname: &name}, postgres.Verification{}, asso.DefaultLoginThrottle)
			return err
		}},
		{"a role removed", func() error { _, err := f.db.DeleteRole(f.ctx, ada, key()); return err }},
		{"minutes deleted", func() error { _, err := f.db.DeleteMinute(f.ctx, ada, minuteID); return err }},
		{"an event cancelled", func() error { _, err := f.db.DeleteEvent(f.ctx, ada, eventID); return err }},
		{"a user deleted, with their memberships", func() error { _, err := f.db.DeleteUser(f.ctx, bob, bob.ID); return err }},
		{"an association deleted, with all it holds", func() error {
			bob = f.user("bob2", true)
			aID = f.association(ada, bob)
			f.db.SetRole(f.ctx, ada, key(), "Coach")
			voters := []int64{bob.ID}
			f.db.CreateMinute(f.ctx, ada, asso.MinuteInput{Content: &text, Date: &day, AssociationID: &aID, VoterIDs: &voters})
			f.event(ada, aID)
			_, err := f.db.DeleteAssociation(f.ctx, ada, aID)
			return err
		}},
		{"a TRUNCATE", func() error { f.exec(`TRUNCATE minute_voters, event_answers, event_reminders, events`); return nil }},
	}
	checkCounts("the migration")
	for _, step := range steps {
		before := version()
		if err := step.write(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		if after := version(); after <= before {
			t.Errorf("%s: data version %d, then %d: a cached page would be served stale", step.name, before, after)
		}
		checkCounts(step.name)
	}

	before := version()
	if _, _, err := f.db.Users(f.ctx, ada, asso.Search{}, asso.Page{Limit: 10}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.db.Events(f.ctx, ada, asso.Page{Limit: 10}); err != nil {
		t.Fatal(err)
	}
	if after := version(); after != before {
		t.Errorf("reads moved the data version from %d to %d: no cached page would ever be served", before, after)
	}
}
