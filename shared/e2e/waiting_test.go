package e2e_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// TestWaitingListThroughTheMail: an event with a place, a description and one place.
// Its mails and the calendar feed show the place and description (LOCATION and
// DESCRIPTION in the .ics); a second member coming waits; when the first gives the
// place up through the e-mail's link, the one waiting gets exactly one "You have a
// place" e-mail, and so does the next when the capacity grows; a change can clear the
// place and description; bad values are a clear 400.
func TestWaitingListThroughTheMail(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	ada, bob, cy, dan := s.addr("ada"), s.addr("bob"), s.addr("cy"), s.addr("dan")
	_, adaToken := s.member(ada)
	b := s.person("Bob", "Marley", bob, "password123")
	c := s.person("Cy", "Young", cy, "password123")
	d := s.person("Dan", "Brown", dan, "password123")
	bobToken, cyToken, danToken := s.login(bob, "password123"), s.login(cy, "password123"), s.login(dan, "password123")
	club := s.createAssociation(adaToken, "Chess club", b.ID, c.ID, d.ID)
	place, description := "Salle des fêtes, 2 rue Haute; 1st floor", "Bring a board, a clock; and snacks.\nDoors open at 9."
	var e asso.Event
	s.request("POST", "/api/events", adaToken, map[string]any{"name": "Blitz", "start": "2099-05-01T10:00:00Z",
		"end": "2099-05-01T18:00:00Z", "association": club.ID, "place": place, "description": description, "capacity": 1}).
		want(t, 201).decode(t, &e)
	if e.Place == nil || *e.Place != place || e.Description == nil || *e.Description != description || e.Capacity == nil ||
		*e.Capacity != 1 || e.MyAttendance == nil || *e.MyAttendance != (asso.AttendanceState{State: "no_answer"}) {
		t.Errorf("the new event: %+v", e)
	}
	// An e-mail's .ics describes the event, then names its association in the reader's
	// language; the feed's describes the event only.
	mailed := description + "\n\nChess club, on KittenAsso's"
	checkPlaceAndDescription := func(what string, data []byte, description string) {
		t.Helper()
		checkRFC5545(t, data)
		cal, err := ics.ParseCalendar(bytes.NewReader(data))
		if err != nil || len(cal.Events()) != 1 {
			t.Fatalf("%s: %v\n%s", what, err, data)
		}
		location, desc := cal.Events()[0].GetProperty(ics.ComponentPropertyLocation), cal.Events()[0].GetProperty(ics.ComponentPropertyDescription)
		if location == nil || location.Value != place || desc == nil || desc.Value != description {
			t.Errorf("%s: LOCATION %+v, DESCRIPTION %+v", what, location, desc)
		}
	}
	invitation := s.pumpMail(bob, "Invitation: Blitz from Chess club")
	if !strings.Contains(invitation.Body.Text, "Place: "+place) || !strings.Contains(invitation.Body.Text, "\n\n"+description+"\n\n") ||
		!strings.Contains(invitation.Body.HTML, "Bring a board") {
		t.Errorf("the invitation's text:\n%s", invitation.Body.Text)
	}
	checkPlaceAndDescription("the invitation", calendarOf(t, invitation), mailed)

	// bob takes the place through his link; cy and dan wait, in that order.
	var answered struct{ MyAttendance asso.AttendanceState }
	s.request("POST", "/api/rsvp", "", map[string]any{"token": answerLink(t, invitation.Body.Text, "going"), "answer": "going"}).
		want(t, 200).decode(t, &answered)
	if answered.MyAttendance != (asso.AttendanceState{State: "going"}) {
		t.Errorf("bob's answer by link: %+v", answered)
	}
	for i, token := range []string{cyToken, danToken} {
		var got asso.Event
		s.request("PUT", "/api/attendance/"+itoa(e.ID), token, map[string]any{"answer": "going"}).want(t, 200).decode(t, &got)
		if got.MyAttendance == nil || *got.MyAttendance != (asso.AttendanceState{State: "waiting", Position: i + 1}) ||
			got.Attendance != (asso.Attendance{Going: 1, Waiting: i + 1, NoAnswer: 2 - i}) {
			t.Errorf("the %d. to wait: %+v, %+v", i+1, got.MyAttendance, got.Attendance)
		}
	}
	var who asso.Attendees
	s.request("GET", "/api/attendance/"+itoa(e.ID), bobToken, nil).want(t, 200).decode(t, &who)
	if len(who.Going) != 1 || who.Going[0].ID != b.ID || len(who.Waiting) != 2 || who.Waiting[0].ID != c.ID ||
		who.Waiting[0].Position != 1 || who.Waiting[1].ID != d.ID || who.Waiting[1].Position != 2 ||
		who.Attendance != (asso.Attendance{Going: 1, Waiting: 2, NoAnswer: 1}) {
		t.Errorf("the attendees: %+v", who)
	}

	// bob cannot come after all: cy has his place, and an e-mail says so.
	s.request("POST", "/api/rsvp", "", map[string]any{"token": answerLink(t, invitation.Body.Text, "not_going"), "answer": "not_going"}).
		want(t, 200).decode(t, &answered)
	if answered.MyAttendance != (asso.AttendanceState{State: "not_going"}) {
		t.Errorf("bob's second answer: %+v", answered)
	}
	promotion := s.pumpMail(cy, "You have a place: Blitz from Chess club")
	if !strings.Contains(promotion.Body.Text, "you were on the waiting list, and you are now coming") ||
		!strings.Contains(promotion.Body.Text, "Place: "+place) || !strings.Contains(promotion.Body.Text, "Changed your mind?") {
		t.Errorf("cy's promotion:\n%s", promotion.Body.Text)
	}
	answerLink(t, promotion.Body.Text, "not_going") // she may give it up in one click
	checkPlaceAndDescription("the promotion", calendarOf(t, promotion), mailed)

	// Two places: dan has the new one.
	var grown asso.Event
	s.request("PATCH", "/api/events/"+itoa(e.ID), adaToken, map[string]any{"capacity": 2}).want(t, 200).decode(t, &grown)
	if grown.Attendance != (asso.Attendance{Going: 2, NotGoing: 1, NoAnswer: 1}) {
		t.Errorf("after the capacity grew: %+v", grown.Attendance)
	}
	s.pumpMail(dan, "You have a place: Blitz from Chess club")
	s.pump(20*time.Second, "the queue to drain", func() bool { return s.queueDepth(s.queue.URL) == 0 })
	for to, want := range map[string]int{ada: 0, bob: 0, cy: 1, dan: 1} {
		n := 0
		for _, m := range s.inbox(to) {
			if strings.HasPrefix(m.Subject, "You have a place") {
				n++
			}
		}
		if n != want {
			t.Errorf("%s got %d promotion e-mails, want %d", to, n, want)
		}
	}

	// The calendar feed shows the place and description too.
	var feed struct{ URL string }
	s.request("POST", "/api/calendar", bobToken, nil).want(t, 201).decode(t, &feed)
	_, body, _ := fetchFeed(t, s.url+feed.URL[strings.Index(feed.URL, "/api/calendar/"):], "")
	checkPlaceAndDescription("the feed", body, description)

	// A change clears them: null or "" for the texts, null for the capacity.
	var cleared asso.Event
	s.request("PATCH", "/api/events/"+itoa(e.ID), adaToken, map[string]any{"place": nil, "description": "", "capacity": nil}).
		want(t, 200).decode(t, &cleared)
	if cleared.Place != nil || cleared.Description != nil || cleared.Capacity != nil || cleared.Name != "Blitz" {
		t.Errorf("after clearing: %+v", cleared)
	}
	r := s.request("POST", "/api/events", adaToken, map[string]any{"name": "Too many", "start": "2099-05-01T10:00:00Z",
		"end": "2099-05-01T18:00:00Z", "association": club.ID, "place": strings.Repeat("x", 201), "capacity": 0}).want(t, 400)
	if msg := r.message(t); !strings.Contains(msg, "place must be shorter than or equal to 200 characters") ||
		!strings.Contains(msg, "capacity must not be less than 1") || r.code(t) != "invalid" {
		t.Errorf("bad place and capacity: %s", r.body)
	}
	s.request("PATCH", "/api/events/"+itoa(e.ID), adaToken, map[string]any{"description": strings.Repeat("x", 5001)}).want(t, 400)
}
