package postgres_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// TestReminders: members coming or who have not answered get one reminder when the
// event starts within the window, not those who said no nor unverified ones; a run
// again (as after a restart mid-run: the reminders and their e-mails commit together)
// queues nothing more, and reminders a stopped run committed but never published are
// published once by the relay's scan; an event moved to a new start gets new reminders.
func TestReminders(t *testing.T) {
	f := newFixture(t)
	ada, bob, cy, dan := f.user("ada", true), f.user("bob", true), f.user("cy", true), f.user("dan", false)
	aID := f.association(ada, bob, cy, dan)
	soon := time.Now().Add(3 * time.Hour).UTC().Truncate(time.Second)
	name := "Match"
	doc, err := f.db.CreateEvent(f.ctx, ada, asso.EventInput{Name: &name, Start: &soon, End: &soon, AssociationID: &aID})
	eventID := idOf(t, doc, err)
	later := time.Now().Add(72 * time.Hour)
	if _, err := f.db.CreateEvent(f.ctx, ada, asso.EventInput{Name: &name, Start: &later, End: &later, AssociationID: &aID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AnswerEvent(f.ctx, ada, eventID, asso.Going); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AnswerEvent(f.ctx, cy, eventID, asso.NotGoing); err != nil {
		t.Fatal(err)
	}
	reminded := func() []string {
		t.Helper()
		return f.outbox("reminder")
	}

	res, err := f.db.QueueReminders(f.ctx, 24*time.Hour, 100)
	ids := res.Queued
	if err != nil || len(ids) != 2 {
		t.Fatalf("first run: %v, %v; want ada's and bob's", ids, err)
	}
	want := reminded()
	for _, who := range []string{"ada@example.org", "bob@example.org"} {
		if !slices.ContainsFunc(want, func(r string) bool { return strings.Contains(r, who) }) {
			t.Errorf("no reminder for %s: %v", who, want)
		}
	}
	if again, err := f.db.QueueReminders(f.ctx, 24*time.Hour, 100); err != nil || len(again.Queued) != 0 {
		t.Errorf("a second run queued %v (%v)", again, err)
	}
	// The run stopped between its commit and its publish (nothing published them): the
	// relay's scan publishes them once, and nothing queues them again.
	f.exec(`UPDATE mail_outbox SET published_at = now() WHERE kind <> 'reminder'`) // the rest went out long ago
	publish := func(_ context.Context, batch []int64) ([]int64, error) { return batch, nil }
	if relayed, err := f.db.RelayUnpublished(f.ctx, 0, time.Hour, 100, publish); err != nil || !slices.Equal(relayed, ids) {
		t.Errorf("after a stop mid-run the relay published %v (%v), want the reminders %v", relayed, err, ids)
	}
	if relayed, _ := f.db.RelayUnpublished(f.ctx, 0, time.Hour, 100, publish); len(relayed) != 0 {
		t.Errorf("published again: %v", relayed)
	}

	moved := soon.Add(time.Hour)
	if _, err := f.db.UpdateEvent(f.ctx, ada, eventID, asso.EventInput{Start: &moved, End: &moved}); err != nil {
		t.Fatal(err)
	}
	if res, err := f.db.QueueReminders(f.ctx, 24*time.Hour, 100); err != nil || len(res.Queued) != 2 {
		t.Errorf("after the move: %v (%v), want two new reminders", res, err)
	}
	if n := len(reminded()); n != 4 {
		t.Errorf("%d reminders in all, want 4", n)
	}
}
