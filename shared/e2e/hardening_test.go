package e2e_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/auth"
	"github.com/kittenasso/kittenasso/shared/mailqueue"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/secrets"
)

// TestMailCannonIsDisarmed is the reproduction of the mail cannon: one caller puts
// 997 addresses that never verified into an association, plans an event and edits it
// in a storm. The unverified addresses get nothing, and each verified member gets one
// invitation and at most one update per window, with the latest content.
func TestMailCannonIsDisarmed(t *testing.T) {
	t.Parallel()
	s := newMailStack(t)
	ada, bob, cy := s.addr("ada"), s.addr("bob"), s.addr("cy")
	_, token := s.member(ada)
	b := s.person("Bob", "B", bob, "password123")
	c := s.person("Cy", "C", cy, "password123")
	// Sign-ups that were never verified: the victims' addresses.
	s.exec(`INSERT INTO users (email, firstname, lastname, age, password_hash)
		SELECT 'victim' || n || '-' || $1 || '@example.org', 'Victim', 'V', 30, 'x' FROM generate_series(1, 997) AS n`, s.suffix)
	members := append(s.idsOf("Victim"), b.ID, c.ID)
	var club struct{ ID int64 }
	s.request("POST", "/api/associations", token, map[string]any{"name": "Cannon", "idUsers": members}).want(t, 201).decode(t, &club)
	s.accept(club.ID, members...) // even had they all accepted

	var ev struct{ ID int64 }
	s.request("POST", "/api/events", token, map[string]any{"name": "Storm 0", "start": "2031-01-01T10:00:00Z",
		"end": "2031-01-01T12:00:00Z", "association": club.ID}).want(t, 201).decode(t, &ev)
	for i := 1; i <= 5; i++ {
		s.request("PATCH", "/api/events/"+itoa(ev.ID), token, map[string]any{"name": fmt.Sprintf("Storm %d", i)}).want(t, 200)
	}
	verified := []string{ada, bob, cy}
	subjects := func(to string) []string {
		var out []string
		for _, e := range s.inbox(to) {
			if !strings.HasPrefix(e.Subject, "❤️") && !strings.Contains(e.Subject, "invites you to join") {
				out = append(out, e.Subject)
			}
		}
		return out
	}
	s.pump(30*time.Second, "the invitations and the update", func() bool {
		for _, to := range verified {
			if len(subjects(to)) < 2 {
				return false
			}
		}
		return s.queueDepth(s.queue.URL) == 0
	})
	for _, to := range verified {
		// The update not sent yet when the next edits came took their content.
		want := []string{"Invitation: Storm 0 from Cannon", "Updated: Storm 5 from Cannon"}
		if got := subjects(to); !slices.Equal(got, want) {
			t.Errorf("%s got %q, want %q", to, got, want)
		}
	}
	victims := 0
	for _, e := range s.store() {
		for _, to := range e.Destination.To {
			if strings.HasPrefix(to, "victim") {
				victims++
			}
		}
	}
	if n := s.count(`SELECT count(*) FROM mail_outbox WHERE recipient LIKE 'victim%'`); victims != 0 || n != 0 {
		t.Errorf("%d e-mails sent and %d queued to addresses that never verified", victims, n)
	}

	// More edits once the update has left wait for the window to close: then one
	// more update, with the latest content, and nothing before.
	for i := 6; i <= 8; i++ {
		s.request("PATCH", "/api/events/"+itoa(ev.ID), token, map[string]any{"name": fmt.Sprintf("Storm %d", i)}).want(t, 200)
	}
	relay := mailqueue.Relay{DB: s.server.DB, Queue: s.queue, Grace: 0, RepublishAfter: time.Hour, Batch: 100, Log: slogDiscard()}
	if res, err := relay.Run(context.Background()); err != nil || res.Published != 0 {
		t.Errorf("the relay published %d (%v) before the window closed", res.Published, err)
	}
	s.exec(`UPDATE mail_outbox SET send_after = now() WHERE sent_at IS NULL AND kind = 'update'`) // the window closes
	if res, err := relay.Run(context.Background()); err != nil || res.Published != 3 {
		t.Fatalf("the relay published %d (%v) when the window closed, want 3", res.Published, err)
	}
	s.pump(20*time.Second, "the coalesced updates", func() bool {
		for _, to := range verified {
			if len(subjects(to)) < 3 {
				return false
			}
		}
		return true
	})
	for _, to := range verified {
		if got := subjects(to); len(got) != 3 || got[2] != "Updated: Storm 8 from Cannon" {
			t.Errorf("%s got %q", to, got)
		}
	}
}

// TestOneClickUnsubscribe: the link of an event e-mail stops that association's
// event mail for that member, with the form body mail clients send (RFC 8058).
func TestOneClickUnsubscribe(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	_, adaToken := s.member("ada@example.org")
	bob := s.person("Bob", "B", "bob@example.org", "password123")
	club := s.createAssociation(adaToken, "Chess club", bob.ID)
	plan := func(name string) {
		s.request("POST", "/api/events", adaToken, map[string]any{"name": name, "start": "2031-01-01T10:00:00Z",
			"end": "2031-01-01T12:00:00Z", "association": club.ID}).want(t, 201)
	}
	plan("First")
	var token string
	if err := s.sql.QueryRow(context.Background(), `SELECT payload->>'unsubscribe' FROM mail_outbox
		WHERE recipient = 'bob@example.org' AND kind = 'invitation'`).Scan(&token); err != nil {
		t.Fatal(err)
	}
	r := s.request("POST", "/api/unsubscribe/"+token, "", "List-Unsubscribe=One-Click",
		"Content-Type", "application/x-www-form-urlencoded").want(t, 200)
	if string(r.body) != `{"association":"Chess club","unsubscribed":true}` {
		t.Errorf("answer %s", r.body)
	}
	s.request("POST", "/api/unsubscribe/"+token, "", nil).want(t, 200) // the web page's button: idempotent
	plan("Second")
	if n := s.count(`SELECT count(*) FROM mail_outbox WHERE recipient = 'bob@example.org' AND kind = 'invitation'`); n != 1 {
		t.Errorf("bob has %d invitations, want only the one before he unsubscribed", n)
	}
	if n := s.count(`SELECT count(*) FROM mail_outbox WHERE recipient = 'ada@example.org' AND kind = 'invitation'`); n != 2 {
		t.Errorf("ada has %d invitations, want 2", n)
	}
	s.request("POST", "/api/unsubscribe/not-a-token", "", nil).want(t, 400)
	s.request("POST", "/api/unsubscribe/00000000-0000-4000-8000-000000000000", "", nil).want(t, 404)
	s.request("GET", "/api/unsubscribe/"+token, "", nil).want(t, 405) // a GET never changes anything
}

// TestResponseByteBudget is the reproduction of the 17.5 MB page: 1,000 members and
// 70 minutes with 1,000 voters each. Every page stays within 4 MB, says where the
// next one starts, and together they hold every minute once.
func TestResponseByteBudget(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	_, token := s.member("ada@example.org")
	s.exec(`INSERT INTO users (email, firstname, lastname, age, password_hash, verified_at)
		SELECT 'member' || n || '@example.org', 'Member', 'Number ' || n, 30, 'x', now() FROM generate_series(1, 999) AS n`)
	s.exec(`INSERT INTO associations (name) VALUES ('Big club')`)
	s.exec(`INSERT INTO memberships (association_id, user_id) SELECT 1, id FROM users WHERE id > 1`)
	s.exec(`INSERT INTO minutes (association_id, content, date) SELECT 1, 'Minutes ' || n, now() FROM generate_series(1, 70) AS n`)
	s.exec(`INSERT INTO minute_voters (minute_id, user_id) SELECT m.id, u.id FROM minutes m CROSS JOIN users u WHERE u.id > 1`)

	for _, list := range []string{"/api/minutes", "/api/associations/1/minutes?sort=content&order=ASC"} {
		var seen []int64
		next, pages, largest := list, 0, 0
		for next != "" {
			start := time.Now()
			r := s.request("GET", next, token, nil).want(t, 200)
			if pages == 0 {
				// A log line, not an assertion: the work is bounded by
				// TestPagesBuildOnlyWhatFits, and a clock flakes on a busy machine.
				t.Logf("%s: the first page in %v", list, time.Since(start))
			}
			pages++
			largest = max(largest, len(r.body))
			if len(r.body) > asso.DefaultLimits.ResponseBytes {
				t.Fatalf("%s: a %d-byte page", next, len(r.body))
			}
			if total := r.header.Get("X-Total-Count"); total != "70" {
				t.Fatalf("%s: X-Total-Count %q", next, total)
			}
			var page []struct{ ID int64 }
			r.decode(t, &page)
			for _, m := range page {
				seen = append(seen, m.ID)
			}
			next = ""
			if link := r.header.Get("Link"); link != "" {
				m := regexp.MustCompile(`^<(/api/[^>]+)>; rel="next"$`).FindStringSubmatch(link)
				if m == nil {
					t.Fatalf("Link %q", link)
				}
				next = m[1]
			}
		}
		t.Logf("%s: 70 minutes in %d pages, the largest %d bytes", list, pages, largest)
		slices.Sort(seen)
		if len(seen) != 70 || len(slices.Compact(seen)) != 70 || pages < 4 {
			t.Errorf("%s: %d minutes in %d pages, want the 70 once each in several pages", list, len(seen), pages)
		}
	}
	// A user's associations, each with its members, are paged by the byte budget too:
	// Ada in 46 associations of 1,000 members (4.7 MB at once) gets them in pages,
	// each under the budget, linked, holding every association once.
	s.exec(`INSERT INTO associations (name) SELECT 'Club ' || n FROM generate_series(2, 46) AS n`)
	s.exec(`INSERT INTO memberships (association_id, user_id) SELECT a.id, u.id FROM associations a CROSS JOIN users u WHERE a.id > 1 AND u.id > 1`)
	var clubs []int64
	next, pages := "/api/users/2", 0
	for next != "" {
		r := s.request("GET", next, token, nil).want(t, 200)
		pages++
		if len(r.body) > asso.DefaultLimits.ResponseBytes {
			t.Fatalf("%s: a %d-byte answer", next, len(r.body))
		}
		var uwa asso.UserWithAssociations
		r.decode(t, &uwa)
		if uwa.Email != "ada@example.org" {
			t.Fatalf("%s: user %+v", next, uwa.User)
		}
		for _, a := range uwa.Associations {
			if len(a.Users) != 1000 {
				t.Fatalf("association %d with %d users, want 1000", a.ID, len(a.Users))
			}
			clubs = append(clubs, a.ID)
		}
		next = ""
		if link := r.header.Get("Link"); link != "" {
			m := regexp.MustCompile(`^<(/api/users/2\?[^>]+)>; rel="next"$`).FindStringSubmatch(link)
			if m == nil {
				t.Fatalf("Link %q", link)
			}
			next = m[1]
		}
	}
	t.Logf("/api/users/2: 46 associations in %d answers", pages)
	slices.Sort(clubs)
	if len(clubs) != 46 || len(slices.Compact(clubs)) != 46 || pages < 2 {
		t.Errorf("/api/users/2: %d associations in %d answers, want the 46 once each in several", len(clubs), pages)
	}

	// The members cap: 1,000. The admin and the 999 others, with Ada, are 1,001.
	ids := []int64{1}
	for id := int64(3); id <= 1001; id++ {
		ids = append(ids, id)
	}
	r := s.request("POST", "/api/associations", token, map[string]any{"name": "Too big", "idUsers": ids}).want(t, 400)
	if m := r.message(t); m != "an association has at most 1000 members" {
		t.Errorf("message %q", m)
	}
}

// TestBodiesAndPathsAreChecked: what broke the database, or was silently changed, is
// a clear 400 (or 415), on the unauthenticated routes too.
func TestBodiesAndPathsAreChecked(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	_, token := s.member("ada@example.org")
	for name, tc := range map[string]struct {
		path, body string
		status     int
		message    string
	}{
		"NUL in the login name":         {"/api/auth/login", `{"username":"a\u0000@example.org","password":"x"}`, 400, "username must not contain control characters"},
		"NUL in the password":           {"/api/auth/login", `{"username":"a@example.org","password":"x\u0000"}`, 400, "password must not contain control characters"},
		"a lone surrogate in a name":    {"/api/users", `{"firstname":"\ud800","lastname":"B","age":1,"email":"a@example.org","password":"password123"}`, 400, "the request body must be valid UTF-8"},
		"invalid UTF-8":                 {"/api/auth/login", "{\"username\":\"\xff@example.org\",\"password\":\"x\"}", 400, "the request body must be valid UTF-8"},
		"a duplicate key":               {"/api/auth/login", `{"username":"a@example.org","username":"b@example.org","password":"x"}`, 400, `duplicate key "username" in the request body`},
		"an IP literal":                 {"/api/users", `{"firstname":"A","lastname":"B","age":1,"email":"a@[127.0.0.1]","password":"password123"}`, 400, "email must be an email"},
		"a raw Unicode domain":          {"/api/users", `{"firstname":"A","lastname":"B","age":1,"email":"a@bücher.example","password":"password123"}`, 400, "email must be an email"},
		"a control character in a name": {"/api/users", `{"firstname":"A\u0007","lastname":"B","age":1,"email":"a@example.org","password":"password123"}`, 400, "firstname must not contain control characters"},
	} {
		r := s.request("POST", tc.path, "", tc.body).want(t, tc.status)
		if m := r.message(t); m != tc.message {
			t.Errorf("%s: message %q, want %q", name, m, tc.message)
		}
	}
	r := s.request("POST", "/api/auth/login", "", `{"username":"a@example.org","password":"x"}`, "Content-Type", "text/plain").want(t, 415)
	if !strings.Contains(string(r.body), `"code":"unsupported_media_type"`) {
		t.Errorf("415 body %s", r.body)
	}
	for _, p := range []string{"/api/roles/users/%00", "/api/roles/users/%ff", "/api/roles/users/a%0Ab"} {
		s.request("GET", p, token, nil).want(t, 400)
	}
	// Paths that only cleaning makes a route are no route, answered in JSON: through
	// the distribution, and through all that make dev serves.
	dev := httptest.NewServer(s.built.WithMetrics())
	defer dev.Close()
	for _, base := range []string{s.url, dev.URL} {
		for _, p := range []string{"//api/users", "/api//users", "/api/../api/users", "/api/./users", "/api/users/.."} {
			req, _ := http.NewRequest("GET", base+p, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := (&http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 404 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
				t.Errorf("GET %s%s: %d %s, want a JSON 404", base, p, resp.StatusCode, resp.Header.Get("Content-Type"))
			}
		}
	}
	// The auth scheme's case does not matter (RFC 7235).
	for _, scheme := range []string{"bearer", "BEARER", "Bearer"} {
		s.request("GET", "/api/users", "", nil, "Authorization", scheme+" "+token).want(t, 200)
	}
}

// TestPasswordsAreKeptAsTyped: spaces around a password are part of it, at sign-up
// and at sign-in alike.
func TestPasswordsAreKeptAsTyped(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.person("Ada", "L", "ada@example.org", "  spaced out  ")
	s.login("ada@example.org", "  spaced out  ")
	s.request("POST", "/api/auth/login", "", map[string]string{"username": "ada@example.org", "password": "spaced out"}).want(t, 401)
}

// TestAuthorizationBeforeHashing: refusing someone else's password change costs no
// bcrypt hash, so 403s cannot be used to burn the server's CPU.
func TestAuthorizationBeforeHashing(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	_, token := s.member("ada@example.org")
	bob := s.person("Bob", "B", "bob@example.org", "password123")
	long := strings.Repeat("p", 72)
	timed := func(f func()) time.Duration {
		var d []time.Duration
		for range 5 {
			start := time.Now()
			f()
			d = append(d, time.Since(start))
		}
		slices.Sort(d)
		return d[2]
	}
	refused := timed(func() {
		s.request("PUT", "/api/users/"+itoa(bob.ID), token, map[string]any{"password": long}).want(t, 403)
	})
	hash := timed(func() { auth.HashPassword(long) })
	if refused > hash/2 {
		t.Errorf("a refused password change takes %v, a bcrypt hash %v: it still hashes", refused, hash)
	}
}

// TestPerClientLimits: one address cannot sign up or ask for links without bound.
func TestPerClientLimits(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.server.Throttle.SignUpsPerClient = 3
	s.server.Throttle.ResendsPerClient = 2
	for i := range 4 {
		r := s.request("POST", "/api/users", "", map[string]any{"firstname": "A", "lastname": "B", "age": 1,
			"email": fmt.Sprintf("u%d@example.org", i), "password": "password123"})
		if want := []int{201, 201, 201, 429}[i]; r.status != want {
			t.Fatalf("sign-up %d: %d, want %d", i+1, r.status, want)
		}
		if i == 3 && (r.header.Get("Retry-After") == "" || !strings.Contains(string(r.body), `"code":"throttled"`)) {
			t.Errorf("429 without Retry-After or code: %v %s", r.header, r.body)
		}
	}
	for i := range 3 {
		r := s.request("POST", "/api/verification/resend", "", map[string]string{"email": fmt.Sprintf("x%d@example.org", i)})
		if want := []int{202, 202, 429}[i]; r.status != want {
			t.Fatalf("resend %d: %d, want %d", i+1, r.status, want)
		}
	}
}

// TestResendTakesTheSameTime: a resend answers no sooner than a fixed floor, whether
// a link is sent or not, so timing does not tell which addresses have accounts.
func TestResendTakesTheSameTime(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.signUp("ada@example.org", "password123") // unverified: a resend sends a link
	for _, email := range []string{"ada@example.org", "nobody@example.org"} {
		start := time.Now()
		s.request("POST", "/api/verification/resend", "", map[string]string{"email": email}).want(t, 202)
		if d := time.Since(start); d < 250*time.Millisecond {
			t.Errorf("resend for %s answered in %v, under the 250 ms floor", email, d)
		}
	}
	if n := s.count(`SELECT count(*) FROM mail_outbox WHERE kind = 'verification'`); n != 2 {
		t.Errorf("%d verification e-mails, want the sign-up's and the resend's", n)
	}
}

// TestDatabaseDownIs503: a database that cannot be reached is a 503 with Retry-After
// on every route, health included, never a 500.
func TestDatabaseDownIs503(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	_, token := s.member("ada@example.org")
	down, err := postgres.Open(context.Background(), "postgres://nobody@127.0.0.1:1/nothing?connect_timeout=2", postgres.Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(down.Close)
	s.server.DB = down
	for _, tc := range []struct{ method, path, token string }{
		{"GET", "/api/users", token},
		{"POST", "/api/auth/login", ""},
		{"GET", "/api/health", ""},
	} {
		r := s.request(tc.method, tc.path, tc.token, map[string]string{"username": "ada@example.org", "password": "password123"}).want(t, 503)
		if r.header.Get("Retry-After") == "" || !strings.Contains(string(r.body), `"code":"unavailable"`) {
			t.Errorf("%s %s: 503 without Retry-After or code: %v %s", tc.method, tc.path, r.header, r.body)
		}
	}
}

// TestClientThatHangsUp: a client that hangs up before its answer is no failure of
// ours: its request is logged "client went away" at INFO and counted as a 499, never
// an ERROR line or a 5xx.
func TestClientThatHangsUp(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	_, token := s.member("ada@example.org")
	var logs lockedBuffer
	s.server.Log = slog.New(slog.NewJSONHandler(&logs, nil))

	// The request waits on a lock the test holds until its client has gone.
	ctx := context.Background()
	lock, err := s.sql.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback(ctx)
	if _, err := lock.Exec(ctx, `LOCK TABLE users IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	clientCtx, hangUp := context.WithCancel(ctx)
	req, _ := http.NewRequestWithContext(clientCtx, "GET", s.url+"/api/users", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	gone := make(chan error, 1)
	go func() {
		_, err := http.DefaultClient.Do(req)
		gone <- err
	}()
	waitFor(t, "the request waiting on the lock", func() bool {
		return s.count(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`) == 1
	})
	hangUp()
	if err := <-gone; !errors.Is(err, context.Canceled) {
		t.Fatalf("the client's request ended with %v, want it cancelled", err)
	}
	waitFor(t, "the access log line", func() bool { return strings.Contains(logs.String(), `"msg":"request"`) })
	lock.Rollback(ctx)

	var wentAway, accessLogged bool
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		var entry struct {
			Level, Msg string
			Status     int
		}
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		switch {
		case entry.Level == "ERROR":
			t.Errorf("an ERROR line for a client that went away: %s", line)
		case entry.Msg == "client went away" && entry.Level == "INFO":
			wentAway = true
		case entry.Msg == "request" && entry.Status == 499:
			accessLogged = true
		}
	}
	if !wentAway || !accessLogged {
		t.Errorf("want an INFO \"client went away\" line and the access log's 499:\n%s", logs.String())
	}
	rec := httptest.NewRecorder()
	s.built.WithMetrics().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	counted := regexp.MustCompile(`kittenasso_http_requests_total\{route="GET /api/users".*`).FindAllString(rec.Body.String(), -1)
	if !slices.Equal(counted, []string{`kittenasso_http_requests_total{route="GET /api/users",status_class="4xx"} 1`}) {
		t.Errorf("the request is counted as %q, want a 4xx alone", counted)
	}
}

// waitFor waits until done says so, or fails the test after ten seconds.
func waitFor(t *testing.T, what string, done func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !done() {
		if time.Now().After(deadline) {
			t.Fatalf("after 10 s: still waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestHealthDegraded: late mail and an unreachable queue are reported, and the API
// stays up (200).
func TestHealthDegraded(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.server.MailMaxDelay = 15 * time.Minute
	s.signUp("ada@example.org", "password123")
	var health map[string]any
	s.request("GET", "/api/health", "", nil).want(t, 200).decode(t, &health)
	if health["status"] != "ok" {
		t.Errorf("health %v", health)
	}
	s.exec(`UPDATE mail_outbox SET created_at = now() - interval '1 hour', send_after = now() - interval '1 hour'`)
	s.server.MailQueue = unreachableQueue{}
	s.request("GET", "/api/health", "", nil).want(t, 200).decode(t, &health)
	if health["status"] != "degraded" || health["mail"] != "delayed" || health["queue"] != "unreachable" ||
		health["oldestMailSeconds"].(float64) < 3600 {
		t.Errorf("health %v", health)
	}
}

type unreachableQueue struct{}

func (unreachableQueue) Reachable(context.Context) error { return fmt.Errorf("connection refused") }

// TestErrorBodiesCarryStableCodes: clients can key on code instead of the wording.
func TestErrorBodiesCarryStableCodes(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	_, adaToken := s.member("ada@example.org")
	_, bobToken := s.member("bob@example.org")
	club := s.createAssociation(adaToken, "Chess club")
	r := s.request("PUT", "/api/associations/"+itoa(club.ID), bobToken, map[string]any{"name": "Mine"}).want(t, 403)
	if !strings.Contains(string(r.body), `"code":"not_member"`) {
		t.Errorf("403 body %s", r.body)
	}
	s.signUp("cy@example.org", "password123")
	r = s.request("POST", "/api/auth/login", "", map[string]string{"username": "cy@example.org", "password": "password123"}).want(t, 403)
	if !strings.Contains(string(r.body), `"code":"not_verified"`) {
		t.Errorf("unverified body %s", r.body)
	}
}

// TestWhoSeesEmails: an e-mail address is shown to its owner, to the admin and to
// people who share an association with them, in every document that shows users.
func TestWhoSeesEmails(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, adaToken := s.member("ada@example.org")
	bob, bobToken := s.member("bob@example.org")
	cy, cyToken := s.member("cy@example.org")
	admin := s.login(adminEmail, adminPassword)
	club := s.createAssociation(adaToken, "Chess club", bob.ID)
	s.request("POST", "/api/minutes", adaToken, map[string]any{"content": "AGM", "date": "2030-01-01",
		"idAssociation": club.ID, "idVoters": []int64{ada.ID, bob.ID, cy.ID}}).want(t, 201)
	s.request("POST", "/api/events", adaToken, map[string]any{"name": "Tournament", "start": "2031-01-01T10:00:00Z",
		"end": "2031-01-01T12:00:00Z", "association": club.ID}).want(t, 201)
	s.request("POST", "/api/roles", adaToken, map[string]any{"name": "Captain", "idUser": bob.ID, "idAssociation": club.ID}).want(t, 201)

	// emails lists the e-mail addresses a body shows, anywhere in it.
	emails := func(body []byte) []string {
		found := regexp.MustCompile(`"email" ?: ?"([^"]+)"`).FindAllStringSubmatch(string(body), -1)
		var out []string
		for _, m := range found {
			out = append(out, m[1])
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	for _, tc := range []struct {
		who, token string
		want       []string
	}{
		{"ada, a member", adaToken, []string{"ada@example.org", "bob@example.org"}}, // not cy, who only votes
		{"cy, in no association", cyToken, []string{"cy@example.org"}},
		{"the admin", admin, []string{"ada@example.org", "admin@administration.fr", "bob@example.org", "cy@example.org"}},
	} {
		for _, path := range []string{"/api/users", "/api/users/" + itoa(bob.ID), "/api/minutes", "/api/minutes/1",
			"/api/events", "/api/events/1", "/api/associations/" + itoa(club.ID) + "/roles", "/api/roles/users/Captain"} {
			got := emails(s.request("GET", path, tc.token, nil).want(t, 200).body)
			var allowed []string
			for _, e := range got {
				if slices.Contains(tc.want, e) {
					allowed = append(allowed, e)
				}
			}
			if !slices.Equal(got, allowed) || path == "/api/users" && !slices.Equal(got, tc.want) {
				t.Errorf("%s sees %v in %s; want %v", tc.who, got, path, tc.want)
			}
		}
	}
	// Cy sees the members' names, not their addresses; a member sees them all.
	var bobSeenByCy, bobSeenByAda asso.User
	s.request("GET", "/api/users/"+itoa(bob.ID), cyToken, nil).want(t, 200).decode(t, &bobSeenByCy)
	s.request("GET", "/api/users/"+itoa(bob.ID), adaToken, nil).want(t, 200).decode(t, &bobSeenByAda)
	if bobSeenByCy.Email != "" || bobSeenByCy.Firstname != "Ada" || bobSeenByAda.Email != "bob@example.org" {
		t.Errorf("bob as cy sees him %+v, as ada %+v", bobSeenByCy, bobSeenByAda)
	}
	if got := emails(s.request("GET", "/api/minutes/1", bobToken, nil).body); !slices.Equal(got, []string{"ada@example.org", "bob@example.org"}) {
		t.Errorf("bob sees %v in the minutes; cy only votes there, and shares no association with him", got)
	}
	var me asso.User
	s.request("GET", "/api/users/"+itoa(cy.ID), cyToken, nil).want(t, 200).decode(t, &me)
	if me.Email != "cy@example.org" {
		t.Errorf("cy does not see his own address: %+v", me)
	}
}

// TestOnlyThroughCloudFront: with an origin secret, a request that does not carry it
// (one sent to the execute-api URL directly) is refused, and the throttles count by
// the viewer's address CloudFront forwards, not by CloudFront's edge that everyone
// shares, nor by what the client claims.
func TestOnlyThroughCloudFront(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.server.OriginSecret = secrets.Static("the origin secret")
	s.server.Throttle.PerClient = 3
	r := s.request("GET", "/api", "", nil).want(t, 403)
	if !strings.Contains(string(r.body), `"code":"direct_access"`) {
		t.Errorf("403 body %s", r.body)
	}
	s.request("GET", "/api", "", nil, "X-Origin-Verify", "a guess").want(t, 403)
	s.request("GET", "/api", "", nil, "X-Origin-Verify", "the origin secret").want(t, 200)

	// What CloudFront sends: the client's own X-Forwarded-For, then the viewer's address.
	login := func(forwardedFor, email string) int {
		return s.request("POST", "/api/auth/login", "", map[string]string{"username": email, "password": "wrong password"},
			"X-Origin-Verify", "the origin secret", "X-Forwarded-For", forwardedFor).status
	}
	for i := range 3 {
		if got := login("198.51.100.7", fmt.Sprintf("a%d@example.org", i)); got != 401 {
			t.Fatalf("failure %d from viewer A: %d", i+1, got)
		}
	}
	if got := login("198.51.100.7", "a9@example.org"); got != 429 {
		t.Errorf("viewer A's fourth failure: %d, want 429", got)
	}
	if got := login("203.0.113.9", "b@example.org"); got != 401 {
		t.Errorf("viewer B, behind the same edge: %d, want 401 (not throttled with A)", got)
	}
	if got := login("203.0.113.9, 198.51.100.7", "c@example.org"); got != 429 {
		t.Errorf("viewer A claiming to be B: %d, want 429", got)
	}
	if got := login("", "d@example.org"); got != 401 { // no header at all: the edge's address
		t.Errorf("no X-Forwarded-For: %d", got)
	}
	var viewer string
	if got := s.request("POST", "/api/auth/login", "", map[string]string{"username": "e@example.org", "password": "x"},
		"X-Origin-Verify", "the origin secret", "CloudFront-Viewer-Address", "2001:db8::7:46532").status; got != 401 {
		t.Errorf("IPv6 viewer: %d", got)
	}
	if err := s.sql.QueryRow(context.Background(), `SELECT client_ip FROM login_attempts WHERE email = 'e@example.org'`).Scan(&viewer); err != nil || viewer != "2001:db8::7" {
		t.Errorf("CloudFront-Viewer-Address counted as %q (%v), want 2001:db8::7", viewer, err)
	}
}

// TestConditionalGet: every GET carries an ETag; asking again with it answers 304 and
// no body while nothing changed, and the new page once something did. The browser
// keeps its copy but must ask first (private, no-cache), so a read after a write is
// never stale.
func TestConditionalGet(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	_, token := s.member("ada@example.org")
	first := s.request("GET", "/api/users", token, nil).want(t, 200)
	etag := first.header.Get("ETag")
	if etag == "" || first.header.Get("Cache-Control") != "private, no-cache" {
		t.Fatalf("ETag %q, Cache-Control %q", etag, first.header.Get("Cache-Control"))
	}
	again := s.request("GET", "/api/users", token, nil, "If-None-Match", etag).want(t, 304)
	if len(again.body) != 0 || again.header.Get("ETag") != etag {
		t.Errorf("304 with body %q and ETag %q", again.body, again.header.Get("ETag"))
	}
	s.request("GET", "/api/users", token, nil, "If-None-Match", `"other", `+strings.TrimPrefix(etag, "W/")).want(t, 304)
	s.person("Bob", "B", "bob@example.org", "password123") // the list changes
	changed := s.request("GET", "/api/users", token, nil, "If-None-Match", etag).want(t, 200)
	if changed.header.Get("ETag") == etag || !strings.Contains(string(changed.body), "Bob") {
		t.Errorf("after a change: ETag %q, body %s", changed.header.Get("ETag"), changed.body)
	}
	// Writes and errors carry no ETag, and are never kept.
	r := s.request("GET", "/api/users/9999", token, nil).want(t, 404)
	if r.header.Get("ETag") != "" || r.header.Get("Cache-Control") != "no-store" {
		t.Errorf("404: ETag %q, Cache-Control %q", r.header.Get("ETag"), r.header.Get("Cache-Control"))
	}
}

// TestCompression: bodies of 1 KB or more go gzipped to clients that accept it, the
// same bytes once unzipped; small ones and other clients get them as they are.
func TestCompression(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	_, token := s.member("ada@example.org")
	for i := range 30 {
		s.exec(`INSERT INTO users (email, firstname, lastname, age, password_hash) VALUES ($1, 'Some', 'One', 30, 'x')`,
			fmt.Sprintf("someone%d@example.org", i))
	}
	raw := &http.Client{Transport: &http.Transport{DisableCompression: true}} // sees the encoding
	get := func(path, acceptEncoding string) (*http.Response, []byte) {
		req, _ := http.NewRequest("GET", s.url+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		if acceptEncoding != "" {
			req.Header.Set("Accept-Encoding", acceptEncoding)
		}
		resp, err := raw.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp, body
	}
	plainResp, plain := get("/api/users", "")
	zippedResp, zipped := get("/api/users", "br;q=1.0, gzip;q=0.8")
	if plainResp.Header.Get("Content-Encoding") != "" || zippedResp.Header.Get("Content-Encoding") != "gzip" ||
		!strings.Contains(zippedResp.Header.Get("Vary"), "Accept-Encoding") {
		t.Fatalf("encodings %q and %q, Vary %q", plainResp.Header.Get("Content-Encoding"),
			zippedResp.Header.Get("Content-Encoding"), zippedResp.Header.Get("Vary"))
	}
	zr, err := gzip.NewReader(bytes.NewReader(zipped))
	if err != nil {
		t.Fatal(err)
	}
	unzipped, _ := io.ReadAll(zr)
	if !bytes.Equal(unzipped, plain) || len(zipped) >= len(plain) {
		t.Errorf("gzipped %d bytes unzip to %d, the plain body is %d", len(zipped), len(unzipped), len(plain))
	}
	refused, _ := get("/api/users", "gzip;q=0")
	small, _ := get("/api", "gzip")
	if refused.Header.Get("Content-Encoding") != "" || small.Header.Get("Content-Encoding") != "" {
		t.Errorf("gzip;q=0 got %q, a small body %q", refused.Header.Get("Content-Encoding"), small.Header.Get("Content-Encoding"))
	}
}
