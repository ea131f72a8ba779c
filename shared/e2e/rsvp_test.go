package e2e_test

import (
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// answerLink finds an e-mail's one-click answer link for answer and returns its token.
func answerLink(t *testing.T, text, answer string) string {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(webOrigin) + `/rsvp\?t=([A-Za-z0-9_-]+)&a=` + answer + `\b`).FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no %s link in the e-mail:\n%s", answer, text)
	}
	return m[1]
}

// TestAnswerThroughTheInvitation: a member answers from the invitation's link (opening
// the link changes nothing; the web app's confirmation does), changes the answer in the
// app, and sees the counts; the organiser sees who comes; a bad link is a clear 404;
// the update carries the links again, and the cancellation tells who was coming.
func TestAnswerThroughTheInvitation(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	ada, bob := s.addr("ada"), s.addr("bob")
	_, adaToken := s.member(ada)
	b := s.person("Bob", "Marley", bob, "password123")
	bobToken := s.login(bob, "password123")
	club := s.createAssociation(adaToken, "Chess club", b.ID)
	// A name to fold and escape in the calendar file.
	name := "Tournament; rapid, blitz and a very long name that folds over seventy-five octets"
	var e asso.Event
	s.request("POST", "/api/events", adaToken, map[string]any{"name": name, "start": "2099-05-01T10:00:00Z",
		"end": "2099-05-01T18:00:00Z", "association": club.ID}).want(t, 201).decode(t, &e)
	if e.Attendance != (asso.Attendance{NoAnswer: 2}) {
		t.Errorf("a new event's attendance: %+v", e.Attendance)
	}
	invitation := s.pumpMail(bob, "Invitation: "+name+" from Chess club")
	checkRFC5545(t, calendarOf(t, invitation))
	going, notGoing := answerLink(t, invitation.Body.Text, "going"), answerLink(t, invitation.Body.Text, "not_going")
	if going != notGoing {
		t.Errorf("the two links carry different tokens: %s, %s", going, notGoing)
	}

	// Opening the link (as a mail scanner would) serves the web app and records nothing.
	page, err := http.Get(s.url + "/rsvp?t=" + going + "&a=going")
	if err != nil {
		t.Fatal(err)
	}
	page.Body.Close()
	if page.StatusCode != 200 || !strings.HasPrefix(page.Header.Get("Content-Type"), "text/html") {
		t.Errorf("the link's page: %d %s", page.StatusCode, page.Header.Get("Content-Type"))
	}
	event := func() asso.Event {
		var got asso.Event
		s.request("GET", "/api/events/"+itoa(e.ID), adaToken, nil).want(t, 200).decode(t, &got)
		return got
	}
	if got := event().Attendance; got.Going != 0 {
		t.Fatalf("opening the link recorded an answer: %+v", got)
	}
	var answered struct {
		EventID         int64
		Name            string
		AssociationName string
		Answer          string
	}
	s.request("POST", "/api/rsvp", "", map[string]any{"token": going, "answer": "going"}).want(t, 200).decode(t, &answered)
	if answered.EventID != e.ID || answered.Name != name || answered.AssociationName != "Chess club" || answered.Answer != "going" {
		t.Errorf("the answer says %+v", answered)
	}
	if got := event().Attendance; got != (asso.Attendance{Going: 1, NoAnswer: 1}) {
		t.Errorf("after bob's click: %+v", got)
	}
	var who asso.Attendees
	s.request("GET", "/api/attendance/"+itoa(e.ID), adaToken, nil).want(t, 200).decode(t, &who)
	if len(who.Going) != 1 || who.Going[0].ID != b.ID || len(who.NoAnswer) != 1 {
		t.Errorf("the organiser sees %+v", who)
	}
	outsider, outsiderToken := s.member(s.addr("cy"))
	s.request("GET", "/api/attendance/"+itoa(e.ID), outsiderToken, nil).want(t, 403)
	s.request("PUT", "/api/attendance/"+itoa(e.ID), outsiderToken, map[string]any{"answer": "going"}).want(t, 403)
	_ = outsider

	// bob changes his mind in the app, then again.
	var changed asso.Event
	s.request("PUT", "/api/attendance/"+itoa(e.ID), bobToken, map[string]any{"answer": "not_going"}).want(t, 200).decode(t, &changed)
	if changed.Attendance != (asso.Attendance{NotGoing: 1, NoAnswer: 1}) {
		t.Errorf("after bob changed his answer: %+v", changed.Attendance)
	}
	s.request("PUT", "/api/attendance/"+itoa(e.ID), bobToken, map[string]any{"answer": "maybe"}).want(t, 400)
	s.request("PUT", "/api/attendance/"+itoa(e.ID), bobToken, map[string]any{"answer": "going"}).want(t, 200)

	// Links that are not ours.
	for _, bad := range []string{going[:len(going)-2] + "AA", "not-a-token", strings.Repeat("A", 54)} {
		r := s.request("POST", "/api/rsvp", "", map[string]any{"token": bad, "answer": "going"}).want(t, 404)
		if !bytes.Contains(r.body, []byte(`"invalid_token"`)) {
			t.Errorf("the bad link %q: %s", bad, r.body)
		}
	}

	// The update carries the links again; the cancellation tells bob he was coming.
	s.request("PATCH", "/api/events/"+itoa(e.ID), adaToken, map[string]any{"name": "Grand tournament"}).want(t, 200)
	update := s.pumpMail(bob, "Updated: Grand tournament from Chess club")
	answerLink(t, update.Body.Text, "going")
	checkRFC5545(t, calendarOf(t, update))
	s.request("DELETE", "/api/events/"+itoa(e.ID), adaToken, nil).want(t, 200)
	cancellation := s.pumpMail(bob, "Cancelled: Grand tournament from Chess club")
	checkRFC5545(t, calendarOf(t, cancellation))
	if !strings.Contains(cancellation.Body.Text, "You had said you were coming.") || strings.Contains(cancellation.Body.Text, "/rsvp?") {
		t.Errorf("bob's cancellation:\n%s", cancellation.Body.Text)
	}
	if adas := s.pumpMail(ada, "Cancelled: Grand tournament from Chess club"); strings.Contains(adas.Body.Text, "You had said") {
		t.Errorf("ada, who never answered, reads:\n%s", adas.Body.Text)
	}
}

// checkRFC5545 reads a calendar file line by line as RFC 5545 says, without
// golang-ical: CRLF endings, lines of at most 75 octets folded with a leading space,
// content lines "name[;param=value]*:value", BEGIN/END nested and balanced, and TEXT
// values with their commas, semicolons and backslashes escaped.
func checkRFC5545(t *testing.T, data []byte) {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) {
		t.Fatalf("the calendar does not end with CRLF")
	}
	var lines []string // unfolded
	for i, raw := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
		switch {
		case strings.ContainsAny(raw, "\r\n"):
			t.Fatalf("line %d has a bare CR or LF: %q", i+1, raw)
		case len(raw) > 75:
			t.Errorf("line %d is %d octets, over 75: %q", i+1, len(raw), raw)
		case strings.HasPrefix(raw, " ") || strings.HasPrefix(raw, "\t"):
			if len(lines) == 0 {
				t.Fatalf("the first line is a continuation")
			}
			lines[len(lines)-1] += raw[1:]
		default:
			lines = append(lines, raw)
		}
	}
	contentLine := regexp.MustCompile(`^([A-Za-z0-9-]+)((?:;[A-Za-z0-9-]+=(?:"[^"]*"|[^";:,]*)(?:,(?:"[^"]*"|[^";:,]*))*)*):(.*)$`)
	var open []string
	seen := map[string]bool{}
	events := 0
	for _, line := range lines {
		m := contentLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("not a content line: %q", line)
			continue
		}
		name, value := strings.ToUpper(m[1]), m[3]
		seen[name] = true
		switch name {
		case "BEGIN":
			open = append(open, value)
			events += strings.Count(value, "VEVENT")
		case "END":
			if len(open) == 0 || open[len(open)-1] != value {
				t.Errorf("END:%s closes %v", value, open)
			} else {
				open = open[:len(open)-1]
			}
		case "SUMMARY", "DESCRIPTION", "LOCATION":
			unescaped := regexp.MustCompile(`\\[\\;,nN]`).ReplaceAllString(value, "")
			if strings.ContainsAny(unescaped, `;,\`) {
				t.Errorf("%s has an unescaped comma, semicolon or backslash: %q", name, value)
			}
		}
	}
	if len(open) != 0 {
		t.Errorf("never closed: %v", open)
	}
	required := []string{"VERSION", "PRODID"}
	if events > 0 {
		required = append(required, "UID", "DTSTAMP", "DTSTART")
	}
	for _, required := range required {
		if !seen[required] {
			t.Errorf("no %s", required)
		}
	}
}

// TestReminders: the relay, as its schedule runs it, reminds the members coming or who
// have not answered of an event starting within 24 hours, once however often it runs,
// and again when the event moves.
func TestReminders(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	ada, bob, cy := s.addr("ada"), s.addr("bob"), s.addr("cy")
	_, adaToken := s.member(ada)
	b := s.person("Bob", "Marley", bob, "password123")
	c := s.person("Cy", "Young", cy, "password123")
	cyToken := s.login(cy, "password123")
	club := s.createAssociation(adaToken, "Chess club", b.ID, c.ID)
	start := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
	var e asso.Event
	s.request("POST", "/api/events", adaToken, map[string]any{"name": "Blitz", "start": start.Format(time.RFC3339),
		"end": start.Add(time.Hour).Format(time.RFC3339), "association": club.ID}).want(t, 201).decode(t, &e)
	s.request("PUT", "/api/attendance/"+itoa(e.ID), cyToken, map[string]any{"answer": "not_going"}).want(t, 200)
	reminders := func(to string) (n int) {
		for _, m := range s.inbox(to) {
			if m.Subject == "Reminder: Blitz from Chess club" {
				n++
			}
		}
		return n
	}
	relay := s.built.Relay // the stack's, built by relayfn from the mail configuration
	for run := 1; run <= 3; run++ {
		if _, err := relay.Run(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	reminder := s.pumpMail(bob, "Reminder: Blitz from Chess club")
	answerLink(t, reminder.Body.Text, "going")
	checkRFC5545(t, calendarOf(t, reminder))
	s.pumpMail(ada, "Reminder: Blitz from Chess club")
	s.pump(20*time.Second, "the queue to drain", func() bool { return s.queueDepth(s.queue.URL) == 0 })
	if n, m, o := reminders(ada), reminders(bob), reminders(cy); n != 1 || m != 1 || o != 0 {
		t.Errorf("after three runs: ada %d, bob %d, cy (not going) %d reminders; want 1, 1, 0", n, m, o)
	}

	moved := start.Add(30 * time.Minute)
	s.request("PATCH", "/api/events/"+itoa(e.ID), adaToken, map[string]any{"start": moved.Format(time.RFC3339),
		"end": moved.Add(time.Hour).Format(time.RFC3339)}).want(t, 200)
	if _, err := relay.Run(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.pump(20*time.Second, "bob's second reminder", func() bool { return reminders(bob) == 2 })
}
