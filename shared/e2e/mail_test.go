package e2e_test

import (
	"bytes"
	"context"
	"github.com/kittenasso/kittenasso/shared/asso"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	ics "github.com/arran4/golang-ical"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/kittenasso/kittenasso/shared/local/sqstrigger"
	"github.com/kittenasso/kittenasso/shared/mailqueue"
)

var verifyLink = regexp.MustCompile(`http://localhost:3000/verify\?t=([A-Za-z0-9_-]{43})`)

func TestSignUpMailVerifyAndSignIn(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	ada := s.addr("ada")
	s.request("POST", "/api/users", "", map[string]any{
		"firstname": "Ada", "lastname": "<Lovelace>", "age": 36, "email": ada, "password": "password123",
	}).want(t, 201)
	s.pump(20*time.Second, "the verification e-mail", func() bool { return len(s.inbox(ada)) == 1 })

	e := s.inbox(ada)[0]
	if e.Subject != "❤️ A big welcome from KittenAsso's" || !strings.Contains(e.Body.Text, "Hi Ada <Lovelace> !") ||
		!strings.Contains(e.Body.HTML, "Hi Ada &lt;Lovelace&gt; !") {
		t.Errorf("e-mail %q: %q / %q", e.Subject, e.Body.Text, e.Body.HTML)
	}
	link := verifyLink.FindStringSubmatch(e.Body.Text)
	if link == nil || !strings.Contains(e.Body.HTML, `href="`+link[0]+`"`) {
		t.Fatalf("no working link in %q / %q", e.Body.Text, e.Body.HTML)
	}
	s.request("POST", "/api/auth/login", "", map[string]string{"username": ada, "password": "password123"}).want(t, 403)
	s.request("POST", "/api/verification", "", map[string]string{"token": link[1]}).want(t, 201)
	s.login(ada, "password123")

	// The outbox row is marked sent with SES's id, and no longer holds the link.
	var sesID string
	var hasLink bool
	if err := s.sql.QueryRow(t.Context(), `SELECT ses_message_id, payload ? 'link' FROM mail_outbox WHERE recipient = $1`, ada).Scan(&sesID, &hasLink); err != nil {
		t.Fatal(err)
	}
	if sesID != e.MessageID || hasLink {
		t.Errorf("outbox: ses id %q (SES says %q), link kept %v", sesID, e.MessageID, hasLink)
	}
	// In Lambda the batch's outcome leaves as an EMF line, for CloudWatch.
	if emf := s.emf.String(); !strings.Contains(emf, `"Kind":"verification"`) || !strings.Contains(emf, `"MailsSent":1`) ||
		!strings.Contains(emf, `"Namespace":"KittenAsso"`) {
		t.Errorf("the mailer's EMF lines: %q", emf)
	}
}

// parseCalendar reads an .ics back and returns its METHOD and its one VEVENT.
func parseCalendar(t *testing.T, data []byte) (string, *ics.VEvent) {
	t.Helper()
	cal, err := ics.ParseCalendar(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the .ics does not parse: %v\n%s", err, data)
	}
	method := ""
	for _, p := range cal.CalendarProperties {
		if p.IANAToken == "METHOD" {
			method = p.Value
		}
	}
	if len(cal.Events()) != 1 {
		t.Fatalf("%d VEVENTs", len(cal.Events()))
	}
	return method, cal.Events()[0]
}

func TestEventMailsEndToEnd(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	ada, bob, cy := s.addr("ada"), s.addr("bob"), s.addr("cy")
	_, token := s.member(ada)
	b := s.person("Ada", "Lovelace", bob, "password123") // only verified members get event mail
	c := s.person("Ada", "Lovelace", cy, "password123")
	a := s.createAssociation(token, "Chess club", b.ID, c.ID)
	all := []string{ada, bob, cy}
	// count returns how many e-mails with subject prefix each member has.
	count := func(prefix string) (n int) {
		for _, to := range all {
			for _, e := range s.inbox(to) {
				if strings.HasPrefix(e.Subject, prefix) {
					n++
				}
			}
		}
		return n
	}

	var e asso.Event
	s.request("POST", "/api/events", token, map[string]any{"name": "Tournament", "start": "2030-05-01T10:00:00+02:00",
		"end": "2030-05-01T18:00:00Z", "association": a.ID}).want(t, 201).decode(t, &e)
	s.pump(20*time.Second, "3 invitations", func() bool { return count("Invitation: Tournament from Chess club") == 3 })
	checkCalendars := func(subject, method string, sequence string, status string) {
		t.Helper()
		for _, to := range all {
			for _, m := range s.inbox(to) {
				if m.Subject != subject {
					continue
				}
				gotMethod, ev := parseCalendar(t, calendarOf(t, m))
				start, _ := ev.GetStartAt()
				attendee := ev.GetProperty(ics.ComponentPropertyAttendee)
				if gotMethod != method || ev.Id() != "event-"+itoa(e.ID)+"@kittenasso.test" ||
					ev.GetProperty(ics.ComponentPropertySequence).Value != sequence ||
					ev.GetProperty(ics.ComponentPropertyStatus).Value != status ||
					!start.Equal(time.Date(2030, 5, 1, 8, 0, 0, 0, time.UTC)) ||
					attendee == nil || attendee.Value != "mailto:"+to || attendee.ICalParameters["RSVP"][0] != "TRUE" {
					t.Errorf("%s to %s: method %s, calendar %s", subject, to, gotMethod, calendarOf(t, m))
				}
			}
		}
	}
	checkCalendars("Invitation: Tournament from Chess club", "REQUEST", "0", "CONFIRMED")

	s.request("PATCH", "/api/events/"+itoa(e.ID), token, map[string]any{"name": "Grand tournament"}).want(t, 200)
	s.pump(20*time.Second, "3 updates", func() bool { return count("Updated: Grand tournament from Chess club") == 3 })
	checkCalendars("Updated: Grand tournament from Chess club", "REQUEST", "1", "CONFIRMED")

	s.request("DELETE", "/api/events/"+itoa(e.ID), token, nil).want(t, 200)
	s.pump(20*time.Second, "3 cancellations", func() bool { return count("Cancelled: Grand tournament from Chess club") == 3 })
	checkCalendars("Cancelled: Grand tournament from Chess club", "CANCEL", "2", "CANCELLED")

	// An association without members: nothing is sent, nothing fails.
	empty := s.createAssociation(token, "Empty")
	s.request("PUT", "/api/associations/"+itoa(empty.ID), token, map[string]any{"idUsers": []int64{}}).want(t, 200)
	admin := s.login(adminEmail, adminPassword)
	s.request("POST", "/api/events", admin, map[string]any{"name": "Alone", "start": "2030-01-01", "end": "2030-01-01", "association": empty.ID}).want(t, 201)
	if n := s.count(`SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL`); n != 0 {
		t.Errorf("%d e-mails unsent", n)
	}
}

func TestQueueDownDuringSignUpMailArrivesThroughTheRelay(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	// The queue is unreachable when the request commits.
	down := mailqueue.Queue{Client: sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String("http://127.0.0.1:1"),
		Credentials: testCredentials, RetryMaxAttempts: 1}), URL: s.queue.URL}
	s.publisher.set(down)
	ada := s.addr("ada")
	s.request("POST", "/api/users", "", map[string]any{"firstname": "Ada", "lastname": "L", "age": 36, "email": ada, "password": "password123"}).want(t, 201)
	if n := s.count(`SELECT count(*) FROM mail_outbox WHERE published_at IS NULL`); n != 1 {
		t.Fatalf("%d unpublished rows, want the sign-up's", n)
	}
	// The queue is back: the scheduled relay publishes what was missed.
	relay := mailqueue.Relay{DB: s.server.DB, Queue: s.queue, Grace: 0, RepublishAfter: time.Hour, Batch: 100, Log: slogDiscard()}
	res, err := relay.Run(context.Background())
	if err != nil || res.Published != 1 {
		t.Fatalf("relay published %d, %v", res.Published, err)
	}
	s.pump(20*time.Second, "the verification e-mail", func() bool { return len(s.inbox(ada)) == 1 })
	if res, _ := relay.Run(context.Background()); res.Published != 0 {
		t.Errorf("the relay published %d again", res.Published)
	}
}

func TestDuplicateDeliverySendsOnce(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	ada := s.addr("ada")
	s.request("POST", "/api/users", "", map[string]any{"firstname": "Ada", "lastname": "L", "age": 36, "email": ada, "password": "password123"}).want(t, 201)
	var id int64
	if err := s.sql.QueryRow(t.Context(), `SELECT id FROM mail_outbox WHERE recipient = $1`, ada).Scan(&id); err != nil {
		t.Fatal(err)
	}
	// SQS delivers at least once: the same message twice more.
	for range 2 {
		if _, err := s.queue.Publish(context.Background(), []int64{id}); err != nil {
			t.Fatal(err)
		}
	}
	s.pump(20*time.Second, "the queue to drain", func() bool { return s.queueDepth(s.queue.URL) == 0 })
	if n := len(s.inbox(ada)); n != 1 {
		t.Errorf("%d e-mails for three deliveries of one, want 1", n)
	}
}

func TestSESFailingForOneRecipientRetriesOnlyThatOne(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	ada, bob, cy := s.addr("ada"), s.addr("bob"), s.addr("cy")
	_, token := s.member(ada)
	b := s.person("Ada", "Lovelace", bob, "password123") // only verified members get event mail
	c := s.person("Ada", "Lovelace", cy, "password123")
	a := s.createAssociation(token, "Club", b.ID, c.ID)
	s.pump(20*time.Second, "sign-up e-mails", func() bool { return s.queueDepth(s.queue.URL) == 0 })

	s.failSES(bob, 429, "TooManyRequestsException") // throttled: transient
	s.request("POST", "/api/events", token, map[string]any{"name": "Match", "start": "2030-01-01", "end": "2030-01-01", "association": a.ID}).want(t, 201)
	invitations := func(to string) (n int) {
		for _, e := range s.inbox(to) {
			if strings.HasPrefix(e.Subject, "Invitation") {
				n++
			}
		}
		return n
	}
	s.pump(20*time.Second, "ada's and cy's invitations", func() bool { return invitations(ada) == 1 && invitations(cy) == 1 })
	var attempts int
	var lastError string
	if err := s.sql.QueryRow(t.Context(), `SELECT attempts, last_error FROM mail_outbox WHERE kind = 'invitation' AND recipient = $1`, bob).Scan(&attempts, &lastError); err != nil {
		t.Fatal(err)
	}
	if invitations(bob) != 0 || attempts < 1 || !strings.Contains(lastError, "TooManyRequests") {
		t.Fatalf("bob: %d invitations, %d attempts, last error %q", invitations(bob), attempts, lastError)
	}
	s.failSES("", 0, "") // SES recovers
	s.pump(20*time.Second, "bob's invitation", func() bool { return invitations(bob) == 1 })
	s.pump(20*time.Second, "the queue to drain", func() bool { return s.queueDepth(s.queue.URL) == 0 })
	if invitations(ada) != 1 || invitations(cy) != 1 {
		t.Errorf("ada %d, cy %d invitations: the retry resent them", invitations(ada), invitations(cy))
	}
}

func TestSESRejectingAnAddressIsNotRetried(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	ada := s.addr("ada")
	s.failSES(ada, 400, "MessageRejected")
	s.request("POST", "/api/users", "", map[string]any{"firstname": "Ada", "lastname": "L", "age": 36, "email": ada, "password": "password123"}).want(t, 201)
	s.pump(20*time.Second, "the rejection", func() bool {
		return s.count(`SELECT count(*) FROM mail_outbox WHERE recipient = $1 AND failed_at IS NOT NULL`, ada) == 1
	})
	s.pump(10*time.Second, "the queue to drain", func() bool { return s.queueDepth(s.queue.URL) == 0 })
	if n := s.count(`SELECT attempts FROM mail_outbox WHERE recipient = $1`, ada); n != 1 {
		t.Errorf("%d attempts for a rejected address, want 1", n)
	}
	if n := s.queueDepth(s.dlqURL); n != 0 {
		t.Errorf("%d messages in the dead-letter queue", n)
	}
}

func TestSESDownEndsInDeadLetterQueueAndRedriveDelivers(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	ada := s.addr("ada")
	s.failSES("", 503, "ServiceUnavailable")
	s.request("POST", "/api/users", "", map[string]any{"firstname": "Ada", "lastname": "L", "age": 36, "email": ada, "password": "password123"}).want(t, 201)
	s.pump(40*time.Second, "the message in the dead-letter queue", func() bool { return s.queueDepth(s.dlqURL) == 1 })

	var attempts int
	var sent, failed bool
	if err := s.sql.QueryRow(t.Context(), `SELECT attempts, sent_at IS NOT NULL, failed_at IS NOT NULL FROM mail_outbox WHERE recipient = $1`, ada).
		Scan(&attempts, &sent, &failed); err != nil {
		t.Fatal(err)
	}
	if attempts != 5 || sent || failed {
		t.Errorf("after the DLQ: %d attempts (want 5, maxReceiveCount), sent %v, failed %v", attempts, sent, failed)
	}
	if len(s.inbox(ada)) != 0 {
		t.Fatal("an e-mail arrived while SES was down")
	}
	// SES recovers; the re-drive tool sends the dead letters back.
	s.failSES("", 0, "")
	moved, err := sqstrigger.Redrive(context.Background(), s.sqs, s.dlqURL, s.queue.URL)
	if err != nil || moved != 1 {
		t.Fatalf("redrive moved %d, %v", moved, err)
	}
	s.pump(20*time.Second, "the verification e-mail", func() bool { return len(s.inbox(ada)) == 1 })
}

func TestExpiredClaimIsRetried(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	ada := s.addr("ada")
	// A mailer claims the row, then dies without releasing it.
	s.publisher.set(nil)
	s.request("POST", "/api/users", "", map[string]any{"firstname": "Ada", "lastname": "L", "age": 36, "email": ada, "password": "password123"}).want(t, 201)
	var id int64
	if err := s.sql.QueryRow(t.Context(), `SELECT id FROM mail_outbox WHERE recipient = $1`, ada).Scan(&id); err != nil {
		t.Fatal(err)
	}
	if _, state, err := s.server.DB.ClaimMail(context.Background(), id, 3*time.Second); err != nil || state != 0 {
		t.Fatalf("claim: %v %v", state, err)
	}
	if _, err := s.queue.Publish(context.Background(), []int64{id}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s.pump(20*time.Second, "the e-mail after the lease", func() bool { return len(s.inbox(ada)) == 1 })
	if time.Since(start) < 2*time.Second {
		t.Errorf("sent after %v, while the dead mailer's lease still held", time.Since(start))
	}
}

// TestMetricsExposeEveryPromisedSeries: after real requests, a sent e-mail, a failed
// and a throttled sign-in, /metrics shows every series the product promises.
func TestMetricsExposeEveryPromisedSeries(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	ada := s.addr("ada")
	_, token := s.member(ada)
	s.request("GET", "/api/users/x", token, nil).want(t, 400)
	for range 5 {
		s.request("POST", "/api/auth/login", "", map[string]string{"username": ada, "password": "wrong"}).want(t, 401)
	}
	s.request("POST", "/api/auth/login", "", map[string]string{"username": ada, "password": "wrong"}).want(t, 429)
	s.pump(20*time.Second, "the verification e-mail", func() bool { return len(s.inbox(ada)) == 1 })

	rec := httptest.NewRecorder()
	s.built.WithMetrics().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil)) // as make dev serves them
	body := rec.Body.String()
	for _, series := range []string{
		`kittenasso_http_requests_total{route="POST /api/users",status_class="2xx"} 1`,
		`kittenasso_http_requests_total{route="GET /api/users/{id}",status_class="4xx"} 1`,
		`kittenasso_http_request_duration_seconds_bucket{route="POST /api/auth/login"`,
		`kittenasso_login_failures_total 5`,
		`kittenasso_login_throttled_total 1`,
		`kittenasso_mails_sent_total{kind="verification"} 1`,
		`kittenasso_outbox_backlog 0`,
		`kittenasso_outbox_oldest_age_seconds 0`,
		`kittenasso_db_pool_connections{state="max"} 20`,
		`go_goroutines`,
	} {
		if !strings.Contains(body, series) {
			t.Errorf("/metrics lacks %s", series)
		}
	}
	if strings.Contains(body, ada) || regexp.MustCompile(`route="[^"]*/[0-9]+`).MatchString(body) {
		t.Error("a metric label carries an address or an id: unbounded cardinality")
	}
}
