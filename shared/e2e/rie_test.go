package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/internal/testenv"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/httpapi"
	"github.com/kittenasso/kittenasso/shared/local/apigateway"
	"github.com/kittenasso/kittenasso/shared/local/lambdarie"
	"github.com/kittenasso/kittenasso/shared/postgres/pgtest"
)

// smokeCase is one request to one route's real bootstrap, and the status it must answer.
type smokeCase struct {
	method, path string
	body         any
	status       int
}

// TestBootstrapsUnderRuntimeEmulator builds every function exactly as it is deployed
// and runs each one under the Lambda runtime interface emulator against the test
// database and the SQS and SES emulators: every route with a real HTTP API v2 event,
// the mailer with the SQS batches of the queue, the relay and the migration step.
func TestBootstrapsUnderRuntimeEmulator(t *testing.T) {
	s := newMailStack(t)
	ctx := context.Background()
	dir := t.TempDir()
	start := time.Now()
	if err := lambdarie.BuildFunctions(ctx, "../..", dir, runtime.GOARCH); err != nil {
		t.Fatal(err)
	}
	emulator, err := lambdarie.BuildEmulator(ctx, "../..", dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("built every bootstrap and aws-lambda-rie in %v", time.Since(start).Round(time.Second))
	var output bytes.Buffer
	env := []string{
		"DATABASE_URL=" + s.dbURL, "JWT_SECRET=" + string(s.server.Tokens.Secret), "FRONTEND_URL=" + webOrigin,
		"MAIL_QUEUE_URL=" + s.queue.URL, "MAIL_FROM=hello@kittenasso.test",
		"AWS_ENDPOINT_URL_SQS=" + testenv.Emulator(t, "TEST_SQS_ENDPOINT"), "AWS_ENDPOINT_URL_SESV2=" + s.sesVia,
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test",
	}
	function := func(name string, extra ...string) *lambdarie.RIE {
		rie := &lambdarie.RIE{Emulator: emulator, Bootstrap: filepath.Join(dir, name), Env: append(env, extra...), Log: &output}
		t.Cleanup(rie.Stop)
		return rie
	}
	defer func() {
		if t.Failed() {
			t.Logf("emulator and function output:\n%s", output.String())
		}
	}()

	// The migration step, on an empty database, with the default admin.
	var migrated struct {
		Applied      []int `json:"applied"`
		AdminCreated bool  `json:"adminCreated"`
	}
	out, err := function("migrate", "DATABASE_URL="+pgtest.NewDatabaseURL(t), "DEFAULT_USER_EMAIL=a@b.co", "DEFAULT_USER_PASS=pw").
		Invoke(ctx, []byte(`{}`))
	if err != nil || json.Unmarshal(out, &migrated) != nil || len(migrated.Applied) == 0 || !migrated.AdminCreated {
		t.Fatalf("migrate: %s, %v", out, err)
	}

	// Fixtures the routes act on, made through the in-process stack.
	admin := s.login(adminEmail, adminPassword)
	bob := s.person("Bob", "B", s.addr("bob"), "password123") // verified: event mail goes only to verified members
	doomed, _ := s.signUp(s.addr("doomed"), "password123")
	a := s.createAssociation(admin, "Club", bob.ID)
	gone := s.createAssociation(admin, "Gone")
	left := s.createAssociation(admin, "Left") // the admin, its only member, leaves it
	var m asso.Minute
	s.request("POST", "/api/minutes", admin, map[string]any{"content": "c", "date": "2024-01-01", "idAssociation": a.ID, "idVoters": []int64{}}).want(t, 201).decode(t, &m)
	var e asso.Event
	s.request("POST", "/api/events", admin, map[string]any{"name": "e", "start": "2030-01-01", "end": "2030-01-01", "association": a.ID}).want(t, 201).decode(t, &e)
	s.pump(20*time.Second, "the fixtures' e-mails", func() bool { return s.queueDepth(s.queue.URL) == 0 })
	A, M, E := itoa(a.ID), itoa(m.ID), itoa(e.ID)
	var unsubscribe string // the admin's, in the association deleted later
	if err := s.sql.QueryRow(ctx, `SELECT unsubscribe_token::text FROM memberships WHERE association_id = $1`, gone.ID).Scan(&unsubscribe); err != nil {
		t.Fatal(err)
	}

	var rsvp string // the admin's answer link to the event
	if err := s.sql.QueryRow(ctx, `SELECT payload->>'rsvp' FROM mail_outbox WHERE kind = 'invitation' AND event_id = $1 AND recipient = $2`,
		e.ID, adminEmail).Scan(&rsvp); err != nil {
		t.Fatal(err)
	}
	var feed struct{ URL string }
	s.request("POST", "/api/calendar", admin, nil).want(t, 201).decode(t, &feed)
	feedPath := feed.URL[strings.Index(feed.URL, "/api/"):]

	cases := map[string]smokeCase{
		"api-info":              {"GET", "/api", nil, 200},
		"health":                {"GET", "/api/health", nil, 200},
		"openapi":               {"GET", "/api/openapi.json", nil, 200},
		"auth-login":            {"POST", "/api/auth/login", map[string]string{"username": adminEmail, "password": adminPassword}, 201},
		"users-create":          {"POST", "/api/users", map[string]any{"firstname": "R", "lastname": "I", "age": 5, "email": s.addr("rie"), "password": "password123"}, 201},
		"users-list":            {"GET", "/api/users", nil, 200},
		"users-get":             {"GET", "/api/users/" + itoa(bob.ID), nil, 200},
		"users-roles":           {"GET", "/api/users/" + itoa(bob.ID) + "/roles", nil, 200},
		"users-update":          {"PUT", "/api/users/" + itoa(bob.ID), map[string]any{"lastname": "Builder"}, 200},
		"users-delete":          {"DELETE", "/api/users/" + itoa(doomed.ID), nil, 200},
		"verification-verify":   {"POST", "/api/verification", map[string]string{"token": "not-a-token"}, 404},
		"verification-resend":   {"POST", "/api/verification/resend", map[string]string{"email": s.addr("nobody")}, 202},
		"unsubscribe":           {"POST", "/api/unsubscribe/" + unsubscribe, nil, 200},
		"associations-list":     {"GET", "/api/associations", nil, 200},
		"associations-get":      {"GET", "/api/associations/" + A, nil, 200},
		"associations-create":   {"POST", "/api/associations", map[string]any{"name": "New", "idUsers": []int64{}}, 201},
		"associations-update":   {"PUT", "/api/associations/" + A, map[string]any{"name": "Renamed"}, 200},
		"associations-delete":   {"DELETE", "/api/associations/" + itoa(gone.ID), nil, 200},
		"associations-members":  {"GET", "/api/associations/" + A + "/members", nil, 200},
		"associations-minutes":  {"GET", "/api/associations/" + A + "/minutes?sort=content", nil, 200},
		"associations-roles":    {"GET", "/api/associations/" + A + "/roles", nil, 200},
		"roles-create":          {"POST", "/api/roles", map[string]any{"name": "President", "idUser": bob.ID, "idAssociation": a.ID}, 201},
		"roles-list":            {"GET", "/api/roles", nil, 200},
		"roles-by-name":         {"GET", "/api/roles/users/President", nil, 200},
		"roles-get":             {"GET", "/api/roles/" + itoa(bob.ID) + "/" + A, nil, 200},
		"roles-update":          {"PUT", "/api/roles/" + itoa(bob.ID) + "/" + A, map[string]any{"name": "Captain"}, 200},
		"roles-delete":          {"DELETE", "/api/roles/" + itoa(bob.ID) + "/" + A, nil, 200},
		"minutes-create":        {"POST", "/api/minutes", map[string]any{"content": "c", "date": "2024-01-02", "idAssociation": a.ID, "idVoters": []int64{bob.ID}}, 201},
		"minutes-list":          {"GET", "/api/minutes", nil, 200},
		"minutes-get":           {"GET", "/api/minutes/" + M, nil, 200},
		"minutes-update":        {"PUT", "/api/minutes/" + M, map[string]any{"content": "changed"}, 200},
		"minutes-delete":        {"DELETE", "/api/minutes/" + M, nil, 200},
		"events-create":         {"POST", "/api/events", map[string]any{"name": "Through RIE", "start": "2030-02-01", "end": "2030-02-01", "association": a.ID}, 201},
		"events-list":           {"GET", "/api/events", nil, 200},
		"events-by-association": {"GET", "/api/events/association/" + A, nil, 200},
		"events-get":            {"GET", "/api/events/" + E, nil, 200},
		"events-update":         {"PATCH", "/api/events/" + E, map[string]any{"name": "Moved"}, 200},
		"events-answer":         {"PUT", "/api/attendance/" + E, map[string]string{"answer": "going"}, 200},
		"events-attendees":      {"GET", "/api/attendance/" + E, nil, 200},
		"rsvp-answer":           {"POST", "/api/rsvp", map[string]string{"token": rsvp, "answer": "not_going"}, 200},
		"events-delete":         {"DELETE", "/api/events/" + E, nil, 200},
		"calendar-feed":         {"GET", feedPath, nil, 200},
		"calendar-create":       {"POST", "/api/calendar", nil, 201},
		"associations-invite":   {"POST", "/api/associations/" + A + "/invitations", map[string]string{"email": s.addr("invitee")}, 202},
		"associations-leave":    {"DELETE", "/api/associations/" + itoa(left.ID) + "/membership", nil, 200},
		"associations-manager":  {"PUT", "/api/associations/" + A + "/members/" + itoa(bob.ID), map[string]bool{"manager": true}, 200},
		"invitations-list":      {"GET", "/api/invitations", nil, 200},
		"invitations-answer":    {"PUT", "/api/invitations/" + A, map[string]string{"answer": "accept"}, 200}, // already a member
		"invitations-link":      {"POST", "/api/invitations/answer", map[string]string{"token": rsvp, "answer": "accept"}, 404},

		"associations-members-csv": {"GET", "/api/associations/" + A + "/members.csv", nil, 200},
		"associations-minutes-md":  {"GET", "/api/associations/" + A + "/minutes.md", nil, 200},
		"events-attendees-csv":     {"GET", "/api/attendance/" + E + "/attendees.csv", nil, 200}, // before events-delete
	}
	// Every route's bootstrap behind the local gateway: the --rie mode of `make dev`.
	tmpl, err := apigateway.LoadTemplate("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	invokers := map[string]apigateway.Invoker{}
	for _, rt := range httpapi.Routes {
		invokers[rt.Name] = function(rt.Name)
	}
	gw, err := apigateway.New(tmpl, invokers, s.server.CORS, slogDiscard())
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(gw)
	defer hs.Close()
	real := *s.stack
	real.url = hs.URL
	for _, rt := range httpapi.Routes { // in table order: creations before the reads and deletes of the same kind
		c, ok := cases[rt.Name]
		if !ok {
			t.Errorf("no smoke case for %s", rt.Name)
			continue
		}
		if r := real.request(c.method, c.path, admin, c.body); r.status != c.status {
			t.Errorf("%s %s through the %s bootstrap: %d %s, want %d", c.method, c.path, rt.Name, r.status, r.body, c.status)
		}
	}

	// events-create (its bootstrap) published the invitations; the mailer's bootstrap,
	// fed by the poller as Lambda's SQS trigger would, sends them.
	s.poller.Function = function("mailer")
	s.pump(30*time.Second, "the invitation sent by the mailer bootstrap", func() bool {
		for _, got := range s.inbox(bob.Email) {
			if strings.HasPrefix(got.Subject, "Invitation: Through RIE") {
				return true
			}
		}
		return false
	})
	var relayed struct {
		Published int `json:"published"`
	}
	out, err = function("mail-relay").Invoke(ctx, []byte(`{"source":"aws.events","detail-type":"Scheduled Event"}`))
	if err != nil || json.Unmarshal(out, &relayed) != nil {
		t.Errorf("mail-relay: %s, %v", out, err)
	}

	// mail-feedback: SES reports a complaint from Bob; he gets no more of the club's mail.
	complaint, _ := json.Marshal(map[string]any{"eventType": "Complaint",
		"complaint": map[string]any{"complainedRecipients": []map[string]string{{"emailAddress": bob.Email}}}})
	batch, _ := json.Marshal(map[string]any{"Records": []map[string]string{{"messageId": "m1", "body": string(complaint)}}})
	out, err = function("mail-feedback").Invoke(ctx, batch)
	var optedOut bool
	if err != nil || s.sql.QueryRow(ctx, `SELECT mail_opt_out FROM memberships WHERE association_id = $1 AND user_id = $2`,
		a.ID, bob.ID).Scan(&optedOut) != nil || !optedOut {
		t.Errorf("mail-feedback: %s, %v; Bob's mail stopped: %v", out, err, optedOut)
	}
}
