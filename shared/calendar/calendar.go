// Package calendar writes RFC 5545 calendar files: the .ics of an event's e-mails, and
// each member's calendar feed. Both name an event by the same UID and SEQUENCE, so
// that calendars merge them. It is ours so that the library behind it (golang-ical,
// looking for a maintainer) can be swapped without touching its users.
package calendar

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	ics "github.com/arran4/golang-ical"
)

// ProductID is the PRODID of every calendar the product writes.
const ProductID = "-//KittenAsso's//Events//EN"

// Event is what a calendar file says about one event. Location and Description are
// left out when empty.
type Event struct {
	ID          int64 // the event's id: its UID is UID(ID, domain)
	Sequence    int
	Summary     string
	Location    string // one line
	Description string // plain text, maybe of several lines
	Start, End  time.Time
	Stamp       time.Time // DTSTAMP: when this version was written
	Organizer   string    // an e-mail address
	Attendee    string    // an e-mail address; none in a feed
	Cancelled   bool      // STATUS:CANCELLED
}

// UID is an event's iCalendar UID, the same in every e-mail and feed.
func UID(eventID int64, domain string) string { return fmt.Sprintf("event-%d@%s", eventID, domain) }

// Writer writes calendar files for the events of one mail domain (their UIDs').
type Writer struct {
	Domain string
}

// Invitation renders an e-mail's calendar: one event, for one attendee, METHOD
// REQUEST, or CANCEL when it is cancelled.
func (w Writer) Invitation(ev Event) []byte {
	cal := ics.NewCalendar()
	cal.SetProductId(ProductID)
	if ev.Cancelled {
		cal.SetMethod(ics.MethodCancel)
	} else {
		cal.SetMethod(ics.MethodRequest)
	}
	w.add(cal, ev)
	return []byte(cal.Serialize(ics.WithNewLineWindows))
}

// Feed renders a subscribed calendar: the events as they stand, no METHOD.
func (w Writer) Feed(name string, events []Event) []byte {
	cal := ics.NewCalendar()
	cal.SetProductId(ProductID)
	cal.SetXWRCalName(OneLine(name))
	for _, ev := range events {
		w.add(cal, ev)
	}
	return []byte(cal.Serialize(ics.WithNewLineWindows))
}

// add writes ev into cal, with CRLF line endings and lines folded at 75 octets.
func (w Writer) add(cal *ics.Calendar, ev Event) {
	status := ics.ObjectStatusConfirmed
	if ev.Cancelled {
		status = ics.ObjectStatusCancelled
	}
	vevent := cal.AddEvent(UID(ev.ID, w.Domain))
	vevent.SetProperty(ics.ComponentPropertySequence, strconv.Itoa(ev.Sequence))
	vevent.SetDtStampTime(ev.Stamp.UTC())
	vevent.SetStartAt(ev.Start.UTC())
	vevent.SetEndAt(ev.End.UTC())
	vevent.SetSummary(OneLine(ev.Summary))
	// golang-ical escapes TEXT values (commas, semicolons, backslashes, line feeds)
	// and folds long lines; a bare CR it would write as is, so line breaks become LF.
	if ev.Location != "" {
		vevent.SetLocation(OneLine(ev.Location))
	}
	if ev.Description != "" {
		vevent.SetDescription(lineFeeds.Replace(ev.Description))
	}
	vevent.SetStatus(status)
	vevent.SetOrganizer("mailto:" + ev.Organizer)
	if ev.Attendee != "" {
		vevent.AddAttendee("mailto:"+ev.Attendee, ics.ParticipationRoleReqParticipant,
			&ics.KeyValues{Key: string(ics.ParameterRsvp), Value: []string{"TRUE"}}) // docs/api.md §5 spells it TRUE
	}
}

// lineFeeds writes every line break as a line feed.
var lineFeeds = strings.NewReplacer("\r\n", "\n", "\r", "\n")

// OneLine folds every line break and control character into a space: a name is one line.
func OneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
