package mail

import (
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// TestEventPlaceAndPromotion: an event's place and description show in the text and
// HTML parts of its e-mails (nothing when the event has none) and in the .ics, whose
// description also names the association in the reader's language; a promotion says
// the place is the recipient's, with the event's .ics.
func TestEventPlaceAndPromotion(t *testing.T) {
	ev := asso.EventEmail{EventID: 7, Name: "Tournament", Start: "2030-05-01T08:00:00Z", End: "2030-05-01T18:00:00Z",
		AssociationID: 3, AssociationName: "Chess club", Unsubscribe: testUnsubscribe,
		Place: "Town hall, room 2", Description: "Bring a board.\nAnd a clock."}
	msg, vevent, _, _ := eventCalendar(t, asso.MailPromotion, ev, "bob@example.org")
	text := strings.ReplaceAll(string(msg.parts["text/plain"]), "\r\n", "\n") // MIME lines end in CRLF
	if got := msg.header.Get("Subject"); got != "You have a place: Tournament from Chess club" {
		t.Errorf("subject %q", got)
	}
	for _, want := range []string{"A place has become free: you were on the waiting list, and you are now coming.",
		"\nPlace: Town hall, room 2\n", "\n\nBring a board.\nAnd a clock.\n\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	page := strings.ReplaceAll(string(msg.parts["text/html"]), "\r\n", "\n")
	if !strings.Contains(page, ">Town hall, room 2</td>") || !strings.Contains(page, ">Bring a board.\nAnd a clock.</p>") {
		t.Errorf("the HTML part has no place or description:\n%s", page)
	}
	if prop(t, vevent, ics.ComponentPropertyLocation).Value != ev.Place ||
		prop(t, vevent, ics.ComponentPropertyDescription).Value != ev.Description+"\n\nChess club, on KittenAsso's" {
		t.Errorf("the .ics's place and description: %+v", vevent.Properties)
	}

	ev.Place, ev.Description = "", ""
	msg, _, _, _ = eventCalendar(t, asso.MailInvitation, ev, "bob@example.org")
	if text := string(msg.parts["text/plain"]); strings.Contains(text, "Place:") || strings.Contains(text, "Bring") {
		t.Errorf("an event without place nor description:\n%s", text)
	}
}
