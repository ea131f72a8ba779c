package mail

import (
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// CalendarEvent is what an invitation's calendar file says, for one attendee.
type CalendarEvent struct {
	UID        string
	Sequence   int
	Summary    string
	Start, End time.Time
	Stamp      time.Time // DTSTAMP: when this version was written
	Organizer  string    // an e-mail address
	Attendee   string    // an e-mail address
	Cancelled  bool      // METHOD:CANCEL and STATUS:CANCELLED
}

// CalendarWriter writes RFC 5545 calendar files. It is ours so that the library
// behind it (golang-ical, looking for a maintainer) can be swapped without touching
// the mailer.
type CalendarWriter interface {
	Write(CalendarEvent) []byte
}

// ICal is the golang-ical CalendarWriter.
type ICal struct {
	ProductID string // PRODID, e.g. -//KittenAsso's//Events//EN
}

// Write renders ev with CRLF line endings and lines folded at 75 octets.
func (w ICal) Write(ev CalendarEvent) []byte {
	cal := ics.NewCalendar()
	cal.SetProductId(w.ProductID)
	method, status := ics.MethodRequest, ics.ObjectStatusConfirmed
	if ev.Cancelled {
		method, status = ics.MethodCancel, ics.ObjectStatusCancelled
	}
	cal.SetMethod(method)
	vevent := cal.AddEvent(ev.UID)
	vevent.SetProperty(ics.ComponentPropertySequence, strconv.Itoa(ev.Sequence))
	vevent.SetDtStampTime(ev.Stamp.UTC())
	vevent.SetStartAt(ev.Start.UTC())
	vevent.SetEndAt(ev.End.UTC())
	vevent.SetSummary(oneLine(ev.Summary))
	vevent.SetStatus(status)
	vevent.SetOrganizer("mailto:" + ev.Organizer)
	vevent.AddAttendee("mailto:"+ev.Attendee, ics.ParticipationRoleReqParticipant,
		&ics.KeyValues{Key: string(ics.ParameterRsvp), Value: []string{"TRUE"}}) // docs/api.md §5 spells it TRUE
	return []byte(cal.Serialize(ics.WithNewLineWindows))
}

// oneLine folds every line break and control character into a space: a name is one line.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
