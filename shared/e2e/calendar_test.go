package e2e_test

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"

	ics "github.com/arran4/golang-ical"
)

// fetchFeed GETs a calendar feed as a calendar app does: no sign-in, maybe with the
// ETag it has.
func fetchFeed(t *testing.T, url, etag string) (status int, body []byte, newETag string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ = io.ReadAll(resp.Body)
	if resp.StatusCode == 200 && !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/calendar") {
		t.Errorf("feed Content-Type %q", resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, body, resp.Header.Get("ETag")
}

// feedEvents parses a feed with golang-ical (and checkRFC5545) and returns its events'
// SEQUENCE by UID.
func feedEvents(t *testing.T, body []byte) map[string]string {
	t.Helper()
	checkRFC5545(t, body)
	cal, err := ics.ParseCalendar(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("the feed does not parse: %v\n%s", err, body)
	}
	events := map[string]string{}
	for _, e := range cal.Events() {
		events[e.Id()] = e.GetProperty(ics.ComponentPropertySequence).Value
	}
	return events
}

// TestCalendarFeed: a member's secret feed holds the events of their associations
// only, with the UIDs and SEQUENCEs of the e-mails; it answers 304 while nothing
// changed; a new address revokes the old one at once; leaving an association takes
// its events out.
func TestCalendarFeed(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	ada, bob, cy := s.addr("ada"), s.addr("bob"), s.addr("cy")
	_, adaToken := s.member(ada)
	b := s.person("Bob", "Marley", bob, "password123")
	bobToken := s.login(bob, "password123")
	c := s.person("Cy", "Young", cy, "password123")
	club := s.createAssociation(adaToken, "Chess club", b.ID)
	other := s.createAssociation(adaToken, "Other club", c.ID)
	var mine, theirs struct{ ID int64 }
	s.request("POST", "/api/events", adaToken, map[string]any{"name": "Tournament, rapid", "start": "2099-05-01T10:00:00Z",
		"end": "2099-05-01T18:00:00Z", "association": club.ID}).want(t, 201).decode(t, &mine)
	s.request("POST", "/api/events", adaToken, map[string]any{"name": "Not bob's", "start": "2099-06-01T10:00:00Z",
		"end": "2099-06-01T18:00:00Z", "association": other.ID}).want(t, 201).decode(t, &theirs)

	s.request("POST", "/api/calendar", "", nil).want(t, 401)
	var feed struct{ URL, Webcal string }
	s.request("POST", "/api/calendar", bobToken, nil).want(t, 201).decode(t, &feed)
	path := feed.URL[strings.Index(feed.URL, "/api/calendar/"):]
	if !strings.HasPrefix(feed.URL, webOrigin+"/api/calendar/") || !strings.HasSuffix(path, ".ics") ||
		feed.Webcal != "webcal://"+strings.TrimPrefix(feed.URL, "http://") || len(path) != len("/api/calendar/")+43+4 {
		t.Fatalf("feed address %+v", feed)
	}
	status, body, etag := fetchFeed(t, s.url+path, "")
	events := feedEvents(t, body)
	_, invitation := parseCalendar(t, calendarOf(t, s.pumpMail(bob, "Invitation: Tournament, rapid from Chess club")))
	if status != 200 || len(events) != 1 || events[invitation.Id()] != "0" || etag == "" {
		t.Errorf("bob's feed (%d, ETag %q): %v, want only %s at SEQUENCE 0\n%s", status, etag, events, invitation.Id(), body)
	}
	if status, _, _ := fetchFeed(t, s.url+path, etag); status != 304 {
		t.Errorf("polled again with its ETag: %d, want 304", status)
	}

	s.request("PATCH", "/api/events/"+itoa(mine.ID), adaToken, map[string]any{"name": "Grand tournament"}).want(t, 200)
	status, body, newETag := fetchFeed(t, s.url+path, etag)
	_, update := parseCalendar(t, calendarOf(t, s.pumpMail(bob, "Updated: Grand tournament from Chess club")))
	if status != 200 || newETag == etag || feedEvents(t, body)[update.Id()] != update.GetProperty(ics.ComponentPropertySequence).Value {
		t.Errorf("after the update (%d): %s", status, body)
	}

	// A new address: the old one is gone at once.
	var renewed struct{ URL string }
	s.request("POST", "/api/calendar", bobToken, nil).want(t, 201).decode(t, &renewed)
	if status, body, _ := fetchFeed(t, s.url+path, ""); status != 404 || !bytes.Contains(body, []byte(`"invalid_token"`)) {
		t.Errorf("the replaced address: %d %s", status, body)
	}
	newPath := renewed.URL[strings.Index(renewed.URL, "/api/calendar/"):]
	if status, _, _ := fetchFeed(t, s.url+newPath, ""); status != 200 {
		t.Errorf("the new address: %d", status)
	}
	for _, bad := range []string{"/api/calendar/nope.ics", "/api/calendar/" + strings.Repeat("A", 43), "/api/calendar/" + strings.Repeat("A", 43) + ".ics"} {
		if status, _, _ := fetchFeed(t, s.url+bad, ""); status != 404 {
			t.Errorf("%s: %d, want 404", bad, status)
		}
	}

	// bob leaves the club: its events leave his calendar.
	s.request("PUT", "/api/associations/"+itoa(club.ID), adaToken, map[string]any{"idUsers": []int64{}}).want(t, 200)
	if _, body, _ := fetchFeed(t, s.url+newPath, ""); len(feedEvents(t, body)) != 0 {
		t.Errorf("after bob left: %s", body)
	}
}
