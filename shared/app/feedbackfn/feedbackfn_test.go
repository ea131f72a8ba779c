package feedbackfn_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"maps"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kittenasso/kittenasso/shared/app/feedbackfn"
	"github.com/kittenasso/kittenasso/shared/postgres/pgtest"
)

// SES event bodies as configuration set event publishing sends them (trimmed to the
// fields that matter and a few around them).
const (
	permanentBounce = `{"eventType":"Bounce","bounce":{"feedbackId":"0100-a","bounceType":"Permanent","bounceSubType":"General",
		"bouncedRecipients":[{"emailAddress":"Cy@example.org","action":"failed","status":"5.1.1","diagnosticCode":"smtp; 550 5.1.1 user unknown"}],
		"timestamp":"2026-12-06T10:00:00.000Z","reportingMTA":"dsn; a.example.com"},
		"mail":{"timestamp":"2026-12-06T09:59:59.000Z","source":"hello@kittenasso.example.org","messageId":"0100-m1","destination":["Cy@example.org"]}}`
	transientBounce = `{"eventType":"Bounce","bounce":{"bounceType":"Transient","bounceSubType":"MailboxFull",
		"bouncedRecipients":[{"emailAddress":"ada@example.org"}]},"mail":{"messageId":"0100-m2"}}`
	complaint = `{"eventType":"Complaint","complaint":{"complainedRecipients":[{"emailAddress":"bob@example.org"}],
		"timestamp":"2026-12-06T10:01:00.000Z","feedbackId":"0100-c","complaintFeedbackType":"abuse"},"mail":{"messageId":"0100-m3"}}`
)

// TestBouncesAndComplaintsStopMail runs an SQS batch through the function's handler,
// by the Lambda JSON path, against PostgreSQL: a permanent bounce and a complaint opt
// their recipients out of every association's mail, a transient bounce does not, and
// a body that is not an SES event is reported as failed, alone.
func TestBouncesAndComplaintsStopMail(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewDatabaseURL(t)
	db := pgtest.Open(t, url, nil)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	if _, err := pool.Exec(ctx, `
		WITH u AS (INSERT INTO users (email, firstname, lastname, age, password_hash, verified_at)
		           SELECT name || '@example.org', name, 'Test', 30, 'not a real hash', now()
		           FROM unnest(ARRAY['ada', 'bob', 'cy']) AS name RETURNING id),
		     a AS (INSERT INTO associations (name) VALUES ('Chess club'), ('Bridge club') RETURNING id)
		INSERT INTO memberships (association_id, user_id) SELECT a.id, u.id FROM a, u`); err != nil {
		t.Fatal(err)
	}

	var batch events.SQSEvent
	for i, body := range []string{permanentBounce, transientBounce, complaint, `not JSON`} {
		batch.Records = append(batch.Records, events.SQSMessage{MessageId: string(rune('a' + i)), Body: body})
	}
	payload, _ := json.Marshal(batch)
	h := feedbackfn.Handler{DB: db, Log: slog.New(slog.DiscardHandler)}
	out, err := lambda.NewHandler(h.Handle).Invoke(ctx, payload)
	if err != nil {
		t.Fatal(err)
	}
	var res events.SQSEventResponse
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatal(err)
	}
	if len(res.BatchItemFailures) != 1 || res.BatchItemFailures[0].ItemIdentifier != "d" {
		t.Errorf("failures %+v, want only the body that is not an SES event (d)", res.BatchItemFailures)
	}

	rows, err := pool.Query(ctx, `SELECT u.firstname, count(*) FILTER (WHERE m.mail_opt_out)
		FROM users u JOIN memberships m ON m.user_id = u.id GROUP BY u.firstname`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{} // memberships opted out, per user
	for rows.Next() {
		var name string
		var n int
		if err := rows.Scan(&name, &n); err != nil {
			t.Fatal(err)
		}
		got[name] = n
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if want := map[string]int{"ada": 0, "bob": 2, "cy": 2}; !maps.Equal(got, want) {
		t.Errorf("memberships opted out per user %v, want %v", got, want)
	}
}
