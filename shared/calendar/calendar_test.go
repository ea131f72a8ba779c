package calendar

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
)

// TestLocationAndDescription: an event's place and description reach its calendar
// file escaped and folded as RFC 5545 says, and read back as they were (line breaks
// as line feeds, the place on one line); an event without them has neither property.
func TestLocationAndDescription(t *testing.T) {
	at := time.Date(2030, 5, 1, 8, 0, 0, 0, time.UTC)
	place := "Salle des fêtes, 2 rue Haute; Bâtiment \\B\\"
	description := "Bring a board, a clock; and snacks.\r\nDoors open at 9.\rSecond floor: " + strings.Repeat("très long ", 20)
	ev := Event{ID: 7, Summary: "Tournament", Location: place, Description: description, Start: at, End: at, Stamp: at,
		Organizer: "events@kittenasso.test", Attendee: "bob@example.org"}
	w := Writer{Domain: "kittenasso.test"}
	for name, data := range map[string][]byte{"invitation": w.Invitation(ev), "feed": w.Feed("KittenAsso's", []Event{ev})} {
		for i, line := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
			if len(line) > 75 || strings.ContainsAny(line, "\r\n") {
				t.Errorf("%s: line %d is not a folded content line: %q", name, i+1, line)
			}
		}
		if !bytes.Contains(data, []byte(`LOCATION:Salle des fêtes\, 2 rue Haute\; Bâtiment \\B\\`)) {
			t.Errorf("%s: LOCATION not escaped:\n%s", name, data)
		}
		cal, err := ics.ParseCalendar(bytes.NewReader(data))
		if err != nil || len(cal.Events()) != 1 {
			t.Fatalf("%s: does not parse back: %v\n%s", name, err, data)
		}
		vevent := cal.Events()[0]
		want := "Bring a board, a clock; and snacks.\nDoors open at 9.\nSecond floor: " + strings.Repeat("très long ", 20)
		if got := vevent.GetProperty(ics.ComponentPropertyDescription); got == nil || got.Value != want {
			t.Errorf("%s: DESCRIPTION %+v, want %q", name, got, want)
		}
		if got := vevent.GetProperty(ics.ComponentPropertyLocation); got == nil || got.Value != place {
			t.Errorf("%s: LOCATION %+v, want %q", name, got, place)
		}
	}

	ev.Location, ev.Description = "", ""
	if data := w.Invitation(ev); bytes.Contains(data, []byte("LOCATION")) || bytes.Contains(data, []byte("DESCRIPTION")) {
		t.Errorf("an event without place nor description:\n%s", data)
	}
}
