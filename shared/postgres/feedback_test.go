package postgres_test

import (
	"slices"
	"testing"
)

// TestStopMailTo: a bounce or complaint for an address (in any case) stops the event
// mail of every association to that member, as an unsubscribe does, and only to them.
func TestStopMailTo(t *testing.T) {
	f := newFixture(t)
	ada, cy := f.user("ada", true), f.user("cy", true)
	chess, bridge := f.association(ada, cy), f.association(ada, cy)
	for range 2 { // twice: it is idempotent
		if err := f.db.StopMailTo(f.ctx, "CY@Example.org"); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.db.StopMailTo(f.ctx, "nobody@example.org"); err != nil {
		t.Errorf("an address no user has: %v", err)
	}
	for _, club := range []int64{chess, bridge} {
		if _, err := f.event(ada, club); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"invitation ada@example.org Tournament#0 due", "invitation ada@example.org Tournament#0 due"}
	if got := f.outbox("invitation"); !slices.Equal(got, want) {
		t.Errorf("invitations %v, want %v", got, want)
	}
}
