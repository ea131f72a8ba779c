package postgres_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// TestAnswers: a member answers an invitation through its link or signed in, and
// may change the answer; the counts show on the event for everyone, the names only to
// members and the admin; a link that is tampered with or forged is refused, and one
// of a member who left works no more; a member who leaves takes their answer along;
// a cancellation tells those who were coming.
func TestAnswers(t *testing.T) {
	f := newFixture(t)
	ada, bob, cy, dan := f.user("ada", true), f.user("bob", true), f.user("cy", true), f.user("dan", true)
	admin := asso.User{ID: -1, IsAdmin: true}
	aID := f.association(ada, bob, cy)
	eventID, err := f.event(ada, aID)
	if err != nil {
		t.Fatal(err)
	}
	link := func(u asso.User) asso.RSVPToken {
		t.Helper()
		var raw string
		f.scan(`SELECT payload->>'rsvp' FROM mail_outbox WHERE kind = 'invitation' AND user_id = $1`, []any{u.ID}, &raw)
		token, err := asso.ParseRSVPToken(raw, time.Now())
		if err != nil || token.EventID != eventID || token.UserID != u.ID {
			t.Fatalf("%s's invitation link %q: %+v, %v", u.Firstname, raw, token, err)
		}
		return token
	}
	attendance := func() asso.Attendance {
		t.Helper()
		doc, err := f.db.Event(f.ctx, dan, eventID) // counts are for everyone
		if err != nil {
			t.Fatal(err)
		}
		var e asso.Event
		json.Unmarshal(doc, &e)
		return e.Attendance
	}

	if got := attendance(); got != (asso.Attendance{NoAnswer: 3}) {
		t.Errorf("before any answer: %+v", got)
	}
	answered, err := f.db.AnswerByLink(f.ctx, link(bob), asso.Going)
	if err != nil {
		t.Fatal(err)
	}
	var about struct{ EventID int64 }
	if json.Unmarshal(answered, &about); about.EventID != eventID {
		t.Errorf("the link's answer is about %s", answered)
	}
	if _, err := f.db.AnswerEvent(f.ctx, cy, eventID, asso.NotGoing); err != nil {
		t.Fatal(err)
	}
	if got := attendance(); got != (asso.Attendance{Going: 1, NotGoing: 1, NoAnswer: 1}) {
		t.Errorf("bob going, cy not: %+v", got)
	}
	doc, err := f.db.AnswerEvent(f.ctx, cy, eventID, asso.Going) // cy changes her mind
	if err != nil {
		t.Fatal(err)
	}
	var changed asso.Event
	if json.Unmarshal(doc, &changed); changed.Attendance != (asso.Attendance{Going: 2, NoAnswer: 1}) {
		t.Errorf("after cy changed her answer: %+v", changed.Attendance)
	}
	for _, viewer := range []asso.User{ada, admin} {
		doc, err := f.db.EventAttendees(f.ctx, viewer, eventID)
		var who asso.Attendees
		if err != nil || json.Unmarshal(doc, &who) != nil || len(who.Going) != 2 || len(who.NotGoing) != 0 ||
			len(who.NoAnswer) != 1 || who.NoAnswer[0].ID != ada.ID {
			t.Errorf("attendees as %d: %s, %v", viewer.ID, doc, err)
		}
	}
	if _, err := f.db.EventAttendees(f.ctx, dan, eventID); reason(err) != "not_member" {
		t.Errorf("attendees for an outsider: %v, want not_member", err)
	}
	if _, err := f.db.AnswerEvent(f.ctx, dan, eventID, asso.Going); reason(err) != "not_member" {
		t.Errorf("an outsider's answer: %v, want not_member", err)
	}

	// Links that are not the store's own.
	tampered := link(bob)
	tampered.Raw = tampered.Raw[:len(tampered.Raw)-2] + "AA"
	forged := link(bob)
	forged.UserID = cy.ID // bob's signature, cy's id
	for name, token := range map[string]asso.RSVPToken{"tampered": tampered, "forged": forged} {
		if _, err := f.db.AnswerByLink(f.ctx, token, asso.NotGoing); reason(err) != "invalid_token" || asso.ErrorCode(err) != asso.ENOTFOUND {
			t.Errorf("a %s link: %v, want 404 invalid_token", name, err)
		}
	}

	// bob leaves: his answer goes, and his link works no more.
	ids := []int64{ada.ID, cy.ID}
	if _, err := f.db.UpdateAssociation(f.ctx, ada, aID, asso.AssociationInput{UserIDs: &ids}); err != nil {
		t.Fatal(err)
	}
	if got := attendance(); got != (asso.Attendance{Going: 1, NoAnswer: 1}) {
		t.Errorf("after bob left: %+v", got)
	}
	if _, err := f.db.AnswerByLink(f.ctx, link(bob), asso.Going); reason(err) != "not_member" {
		t.Errorf("the link of a member who left: %v, want not_member", err)
	}

	// The cancellation tells cy, who was coming, and ada, who had not answered, apart.
	if _, err := f.db.DeleteEvent(f.ctx, ada, eventID); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		user  asso.User
		going bool
	}{{cy, true}, {ada, false}} {
		var going bool
		f.scan(`SELECT (payload->>'going')::boolean FROM mail_outbox WHERE kind = 'cancellation' AND user_id = $1`, []any{tc.user.ID}, &going)
		if going != tc.going {
			t.Errorf("%s's cancellation says going=%t, want %t", tc.user.Firstname, going, tc.going)
		}
	}
	if _, err := f.db.AnswerByLink(f.ctx, link(cy), asso.Going); asso.ErrorCode(err) != asso.ENOTFOUND {
		t.Errorf("a link to a cancelled event: %v, want not found", err)
	}
}

// TestAnswerLinkEndsWithTheEvent: an answer link expires when its event ends, also when
// the event was moved into the past after the invitation went (the token carries the
// end it had then).
func TestAnswerLinkEndsWithTheEvent(t *testing.T) {
	f := newFixture(t)
	ada, bob := f.user("ada", true), f.user("bob", true)
	eventID, err := f.event(ada, f.association(ada, bob))
	if err != nil {
		t.Fatal(err)
	}
	var raw string
	f.scan(`SELECT payload->>'rsvp' FROM mail_outbox WHERE kind = 'invitation' AND user_id = $1`, []any{bob.ID}, &raw)
	token, err := asso.ParseRSVPToken(raw, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AnswerByLink(f.ctx, token, asso.Going); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour).UTC().Truncate(time.Second)
	if _, err := f.db.UpdateEvent(f.ctx, ada, eventID, asso.EventInput{Start: &past, End: &past}); err != nil {
		t.Fatal(err)
	}
	var e *asso.Error
	if _, err := f.db.AnswerByLink(f.ctx, token, asso.NotGoing); !errors.As(err, &e) || e.Reason != "invalid_token" {
		t.Errorf("the link of an event moved into the past: %v, want 404 invalid_token", err)
	}
	var going bool
	f.scan(`SELECT going FROM event_answers WHERE event_id = $1 AND user_id = $2`, []any{eventID, bob.ID}, &going)
	if !going {
		t.Error("the refused answer changed bob's answer")
	}
}

// TestRSVPTokenShape: a link's token is read for its event, member and expiry; a
// malformed or expired one is refused before the store is asked.
func TestRSVPTokenShape(t *testing.T) {
	f := newFixture(t)
	var valid, expired string
	f.scan(`SELECT rsvp_token(7, 9, now() + interval '1 day'), rsvp_token(7, 9, now() - interval '1 second')`, nil, &valid, &expired)
	token, err := asso.ParseRSVPToken(valid, time.Now())
	if err != nil || token.EventID != 7 || token.UserID != 9 || time.Until(token.Expires) < 23*time.Hour {
		t.Errorf("%q: %+v, %v", valid, token, err)
	}
	for _, bad := range []string{expired, "", valid[:20], valid + "A", "!" + valid[1:]} {
		if _, err := asso.ParseRSVPToken(bad, time.Now()); asso.ErrorCode(err) != asso.ENOTFOUND {
			t.Errorf("%q: %v, want refused", bad, err)
		}
	}
}
