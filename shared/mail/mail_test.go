package mail

import (
	"bytes"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	ics "github.com/arran4/golang-ical"

	"github.com/kittenasso/kittenasso/shared/asso"

	"github.com/kittenasso/kittenasso/shared/calendar"
)

var stamp = time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)

func testRenderer() Renderer {
	return Renderer{From: "events@kittenasso.test", Domain: "kittenasso.test", WebURL: "https://app.kittenasso.test",
		Now: func() time.Time { return stamp }}
}

// parsed is a MIME message read back: its headers and its leaf parts by content type.
type parsed struct {
	header mail.Header
	parts  map[string][]byte // media type → decoded body
	files  map[string]string // media type → attachment file name
}

func parseMIME(t testing.TB, raw []byte) parsed {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("not an RFC 5322 message: %v", err)
	}
	p := parsed{header: msg.Header, parts: map[string][]byte{}, files: map[string]string{}}
	var walk func(contentType string, body io.Reader)
	walk = func(contentType string, body io.Reader) {
		mediaType, params, err := mime.ParseMediaType(contentType)
		if err != nil {
			t.Fatalf("content type %q: %v", contentType, err)
		}
		if !strings.HasPrefix(mediaType, "multipart/") {
			data, err := io.ReadAll(body)
			if err != nil {
				t.Fatal(err)
			}
			p.parts[mediaType] = data
			return
		}
		r := multipart.NewReader(body, params["boundary"])
		for {
			part, err := r.NextPart() // decodes quoted-printable itself
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("multipart: %v", err)
			}
			var data io.Reader = part
			if part.Header.Get("Content-Transfer-Encoding") == "base64" {
				data = base64Reader(part)
			}
			if _, dp, err := mime.ParseMediaType(part.Header.Get("Content-Disposition")); err == nil && dp["filename"] != "" {
				mt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
				p.files[mt] = dp["filename"]
			}
			walk(part.Header.Get("Content-Type"), data)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Body)
	return p
}

func TestVerificationEmail(t *testing.T) {
	payload, _ := json.Marshal(asso.VerificationEmail{Firstname: "<b>Ada</b>", Lastname: "Love & lace",
		Link: "https://club.example.org/verify?t=abc_DEF-123"})
	m, err := testRenderer().Render(asso.MailVerification, "ada@example.org", payload)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := BuildMIME("hello@kittenasso.test", m, stamp, "1@kittenasso.test")
	if err != nil {
		t.Fatal(err)
	}
	p := parseMIME(t, raw)
	subject, err := new(mime.WordDecoder).DecodeHeader(p.header.Get("Subject"))
	if err != nil || subject != "❤️ A big welcome from KittenAsso's" {
		t.Errorf("subject %q, %v", subject, err)
	}
	if p.header.Get("To") != "ada@example.org" || p.header.Get("From") != "hello@kittenasso.test" {
		t.Errorf("headers %v", p.header)
	}
	text, html := string(p.parts["text/plain"]), string(p.parts["text/html"])
	if !strings.Contains(text, "Hi <b>Ada</b> Love & lace !") || !strings.Contains(text, "https://club.example.org/verify?t=abc_DEF-123") {
		t.Errorf("text part %q", text)
	}
	if !strings.Contains(html, "Hi &lt;b&gt;Ada&lt;/b&gt; Love &amp; lace !") ||
		!strings.Contains(html, `<a href="https://club.example.org/verify?t=abc_DEF-123">`) {
		t.Errorf("html part %q", html)
	}
	if _, err := testRenderer().Render(asso.MailVerification, "a@b.co", []byte(`{"link":"javascript:alert(1)"}`)); err == nil {
		t.Error("a non-http link was rendered")
	}
}

// eventCalendar renders an event e-mail and reads its .ics back.
func eventCalendar(t testing.TB, kind string, p asso.EventEmail, to string) (parsed, *ics.VEvent, *ics.Calendar, []byte) {
	t.Helper()
	payload, _ := json.Marshal(p)
	m, err := testRenderer().Render(kind, to, payload)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := BuildMIME("events@kittenasso.test", m, stamp, "2@kittenasso.test")
	if err != nil {
		t.Fatal(err)
	}
	msg := parseMIME(t, raw)
	data := msg.parts["text/calendar"]
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the .ics does not parse: %v\n%s", err, data)
	}
	events := cal.Events()
	if len(events) != 1 {
		t.Fatalf("%d VEVENTs, want 1", len(events))
	}
	return msg, events[0], cal, data
}

func prop(t testing.TB, e *ics.VEvent, name ics.ComponentProperty) *ics.IANAProperty {
	t.Helper()
	p := e.GetProperty(name)
	if p == nil {
		t.Fatalf("no %s", name)
	}
	return p
}

// testUnsubscribe is a membership's unsubscribe token, as PostgreSQL writes a UUID.
const testUnsubscribe = "6f1c2a9e-0b7d-4c3e-9a8f-2d4b6e8c0a1f"

func TestEventEmails(t *testing.T) {
	ev := asso.EventEmail{EventID: 7, Sequence: 0, Name: "Tournament", Start: "2030-05-01T08:00:00Z", End: "2030-05-01T18:00:00Z",
		AssociationID: 3, AssociationName: "Chess club", Firstname: "Bob", Lastname: "B", Unsubscribe: testUnsubscribe}
	for _, tc := range []struct {
		kind, subject, method, status string
		sequence                      int
	}{
		{asso.MailInvitation, "Invitation: Tournament from Chess club", "REQUEST", "CONFIRMED", 0},
		{asso.MailUpdate, "Updated: Tournament from Chess club", "REQUEST", "CONFIRMED", 1},
		{asso.MailCancellation, "Cancelled: Tournament from Chess club", "CANCEL", "CANCELLED", 2},
	} {
		ev.Sequence = tc.sequence
		msg, vevent, cal, data := eventCalendar(t, tc.kind, ev, "bob@example.org")
		if got := msg.header.Get("Subject"); got != tc.subject {
			t.Errorf("%s: subject %q", tc.kind, got)
		}
		if !strings.Contains(string(msg.parts["text/plain"]), "Name: Tournament") || msg.files["text/calendar"] != "event.ics" {
			t.Errorf("%s: text %q files %v", tc.kind, msg.parts["text/plain"], msg.files)
		}
		// RFC 8058 one-click unsubscribe, and a visible link for people.
		if got := msg.header.Get("List-Unsubscribe"); got != "<https://app.kittenasso.test/api/unsubscribe/"+testUnsubscribe+">" {
			t.Errorf("%s: List-Unsubscribe %q", tc.kind, got)
		}
		if got := msg.header.Get("List-Unsubscribe-Post"); got != "List-Unsubscribe=One-Click" {
			t.Errorf("%s: List-Unsubscribe-Post %q", tc.kind, got)
		}
		if !strings.Contains(string(msg.parts["text/plain"]), "https://app.kittenasso.test/unsubscribe?t="+testUnsubscribe) {
			t.Errorf("%s: no visible unsubscribe link in %q", tc.kind, msg.parts["text/plain"])
		}
		calProps := map[string]string{}
		for _, p := range cal.CalendarProperties {
			calProps[p.IANAToken] = p.Value
		}
		if calProps["VERSION"] != "2.0" || calProps["METHOD"] != tc.method || calProps["PRODID"] == "" {
			t.Errorf("%s: calendar properties %v", tc.kind, calProps)
		}
		start, _ := vevent.GetStartAt()
		end, _ := vevent.GetEndAt()
		if prop(t, vevent, ics.ComponentPropertyUniqueId).Value != "event-7@kittenasso.test" ||
			prop(t, vevent, ics.ComponentPropertySequence).Value != itoa(tc.sequence) ||
			prop(t, vevent, ics.ComponentPropertyStatus).Value != tc.status ||
			prop(t, vevent, ics.ComponentPropertySummary).Value != "Tournament" ||
			prop(t, vevent, ics.ComponentPropertyDtstamp).Value != "20261128T090000Z" ||
			prop(t, vevent, ics.ComponentPropertyDtStart).Value != "20300501T080000Z" ||
			!start.Equal(time.Date(2030, 5, 1, 8, 0, 0, 0, time.UTC)) || !end.Equal(time.Date(2030, 5, 1, 18, 0, 0, 0, time.UTC)) ||
			prop(t, vevent, ics.ComponentPropertyOrganizer).Value != "mailto:events@kittenasso.test" {
			t.Errorf("%s: event %s", tc.kind, data)
		}
		attendee := prop(t, vevent, ics.ComponentPropertyAttendee)
		if attendee.Value != "mailto:bob@example.org" || attendee.ICalParameters["ROLE"][0] != "REQ-PARTICIPANT" ||
			attendee.ICalParameters["RSVP"][0] != "TRUE" {
			t.Errorf("%s: attendee %+v", tc.kind, attendee)
		}
		checkICSLines(t, data)
	}
}

// checkICSLines: CRLF endings only, lines of at most 75 octets, valid UTF-8.
func checkICSLines(t testing.TB, data []byte) {
	t.Helper()
	if !bytes.HasSuffix(data, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\n")) ||
		bytes.Contains(bytes.ReplaceAll(data, []byte("\r\n"), nil), []byte("\r")) {
		t.Fatalf("line endings are not CRLF only: %q", data)
	}
	for _, line := range strings.Split(strings.TrimSuffix(string(data), "\r\n"), "\r\n") {
		if len(line) > 75 || !utf8.ValidString(line) {
			t.Fatalf("line of %d octets (or invalid UTF-8): %q", len(line), line)
		}
	}
}

func TestBuildMIMERefusesBadAddresses(t *testing.T) {
	for _, to := range []string{"", "not an address", "a@b.co\r\nBcc: c@d.ef", "Ada <a@b.co>", "a@b.co, c@d.ef"} {
		if _, err := BuildMIME("from@kittenasso.test", Message{To: to, Subject: "x", Text: "y"}, stamp, "id"); err == nil {
			t.Errorf("recipient %q accepted", to)
		}
	}
}

// FuzzEventEmail: hostile event and association names (line breaks, Unicode, very long
// strings) still give a valid message with exactly its own headers and a valid .ics.
func FuzzEventEmail(f *testing.F) {
	f.Add("Tournament", "Chess club")
	f.Add("x\r\nBcc: victim@example.org", "y\nSubject: spoofed")
	f.Add("END:VEVENT\r\nBEGIN:VEVENT", "🐱 ünïcødé, ; \\ \"quotes\"")
	f.Add(strings.Repeat("é", 5000), strings.Repeat("long ", 2000))
	f.Add("\x00\x01\x7f", "=?utf-8?q?encoded?=")
	f.Fuzz(func(t *testing.T, name, association string) {
		if !utf8.ValidString(name) || !utf8.ValidString(association) {
			t.Skip("the API only stores valid UTF-8")
		}
		ev := asso.EventEmail{EventID: 1, Name: name, Start: "2030-01-01T10:00:00Z", End: "2030-01-01T12:00:00Z",
			AssociationName: association, Unsubscribe: testUnsubscribe}
		msg, vevent, _, data := eventCalendar(t, asso.MailInvitation, ev, "bob@example.org")
		for key := range msg.header {
			switch key {
			case "From", "To", "Subject", "Date", "Message-Id", "Mime-Version", "Content-Type",
				"List-Unsubscribe", "List-Unsubscribe-Post":
			default:
				t.Fatalf("injected header %q", key)
			}
		}
		subject, err := new(mime.WordDecoder).DecodeHeader(msg.header.Get("Subject"))
		// Header parsing drops the value's surrounding blanks (the API trims names anyway).
		want := strings.TrimSpace("Invitation: " + calendar.OneLine(name) + " from " + calendar.OneLine(association))
		if err != nil || strings.TrimSpace(subject) != want {
			t.Fatalf("subject %q (%v)", subject, err)
		}
		if got := prop(t, vevent, ics.ComponentPropertySummary).Value; got != calendar.OneLine(name) {
			t.Fatalf("summary %q, want %q", got, calendar.OneLine(name))
		}
		if len(msg.parts["text/calendar"]) == 0 {
			t.Fatal("no calendar part")
		}
		checkICSLines(t, data)
	})
}
