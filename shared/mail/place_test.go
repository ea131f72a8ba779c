package mail

import (
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// TestEventPlaceAndPromotion: an event's place and description show in the text of
// its e-mails (a line each, none when the event has none) and in the .ics; a promotion
// says the place is the recipient's, with the event's .ics.
func TestEventPlaceAndPromotion(t *testing.T) {
	ev := asso.EventEmail{EventID: 7, Name: "Tournament", Start: "2030-05-01T08:00:00Z", End: "2030-05-01T18:00:00Z",
		AssociationID: 3, AssociationName: "Chess club", Unsubscribe: testUnsubscribe,
		Place: "Town hall, room 2", Description: "Bring a board.\nAnd a clock."}
	msg, vevent, _, _ := eventCalendar(t, asso.MailPromotion, ev, "bob@example.org")
	text := strings.ReplaceAll(string(msg.parts["text/plain"]), "\r\n", "\n") // MIME lines end in CRLF
	if got := msg.header.Get("Subject"); got != "You have a place: Tournament from Chess club" {
		t.Errorf("subject %q", got)
	}
	for _, want := range []string{"A place has freed up: you are off the waiting list and coming to this event.",
		"\nPlace: Town hall, room 2\n", "\nDescription: Bring a board.\nAnd a clock.\n"} {
		if !strings.Contains(text, want) {
			t.Errorf("no %q in:\n%s", want, text)
		}
	}
	if prop(t, vevent, ics.ComponentPropertyLocation).Value != ev.Place || prop(t, vevent, ics.ComponentPropertyDescription).Value != ev.Description {
		t.Errorf("the .ics's place and description: %+v", vevent.Properties)
	}

	ev.Place, ev.Description = "", ""
	msg, _, _, _ = eventCalendar(t, asso.MailInvitation, ev, "bob@example.org")
	if text := string(msg.parts["text/plain"]); strings.Contains(text, "Place:") || strings.Contains(text, "Description:") {
		t.Errorf("an event without place nor description:\n%s", text)
	}
}
