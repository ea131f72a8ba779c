package mailer_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/internal/testenv"
	"github.com/kittenasso/kittenasso/shared/mail"
	"github.com/kittenasso/kittenasso/shared/mailer"
	"github.com/kittenasso/kittenasso/shared/metrics"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/postgres/pgtest"
)

// TestMailerSendsEachOutboxRowOnce: the mailer sends an outbox row through SES (the
// emulator), marks it sent, and a second delivery of the same message, as SQS may
// make, sends nothing, whether it names one row or several; a message whose body
// does not name outbox rows (or names more than a message may) comes back (to end
// in the dead-letter queue); SES refusing is retried, the row released.
func TestMailerSendsEachOutboxRowOnce(t *testing.T) {
	sesURL := testenv.Emulator(t, "TEST_SES_ENDPOINT")
	ctx := context.Background()
	db, sql := newStore(t)
	suffix := make([]byte, 4)
	rand.Read(suffix)
	to := "ada-" + hex.EncodeToString(suffix) + "@example.org" // unique in the emulator's shared store
	if _, err := db.CreateUser(ctx, asso.NewUser{Email: to, Firstname: "Ada", Lastname: "Lovelace", Age: 36, PasswordHash: "x"},
		postgres.Verification{TokenHash: suffix, Link: "http://localhost:3000/verify?t=x", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	var id int64
	if err := sql.QueryRow(ctx, `SELECT id FROM mail_outbox WHERE recipient = $1`, to).Scan(&id); err != nil {
		t.Fatal(err)
	}
	m := newMailer(db, sesURL)
	message := func(body string) events.SQSEvent {
		return events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-" + body, Body: body}}}
	}
	body, _ := json.Marshal(map[string]int64{"outboxId": id})

	for delivery := 1; delivery <= 2; delivery++ {
		resp, err := m.Handle(ctx, message(string(body)))
		if err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("delivery %d: %+v, %v", delivery, resp, err)
		}
	}
	if n := len(testenv.SESInbox(t, sesURL, to)); n != 1 {
		t.Errorf("SES received %d e-mails for %s, want exactly 1", n, to)
	}
	var sent bool
	if err := sql.QueryRow(ctx, `SELECT sent_at IS NOT NULL FROM mail_outbox WHERE id = $1`, id).Scan(&sent); err != nil || !sent {
		t.Errorf("outbox row %d not marked sent (%v)", id, err)
	}

	// Messages carry up to ten rows: each is sent once, however often the message
	// comes, and the first row sent above is not sent again.
	recipients := []string{to}
	ids := []int64{id}
	for i := range 3 {
		email := fmt.Sprintf("%d%s", i, to)
		if _, err := db.CreateUser(ctx, asso.NewUser{Email: email, Firstname: "Many", Lastname: "M", Age: 30, PasswordHash: "x"},
			postgres.Verification{TokenHash: append(suffix, byte(i)), Link: "http://localhost:3000/verify?t=z", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		var rowID int64
		if err := sql.QueryRow(ctx, `SELECT id FROM mail_outbox WHERE recipient = $1`, email).Scan(&rowID); err != nil {
			t.Fatal(err)
		}
		recipients, ids = append(recipients, email), append(ids, rowID)
	}
	many, _ := json.Marshal(map[string][]int64{"outboxIds": ids})
	for delivery := 1; delivery <= 2; delivery++ {
		if resp, err := m.Handle(ctx, message(string(many))); err != nil || len(resp.BatchItemFailures) != 0 {
			t.Fatalf("delivery %d of %s: %+v, %v", delivery, many, resp, err)
		}
	}
	for _, r := range recipients {
		if n := len(testenv.SESInbox(t, sesURL, r)); n != 1 {
			t.Errorf("SES received %d e-mails for %s, want exactly 1", n, r)
		}
	}

	for _, bad := range []string{`{"outboxId":"seven"}`, `{"outboxIds":[]}`, `{"outboxIds":[1,2,3,4,5,6,7,8,9,10,11]}`, `{"outboxIds":[3,-1]}`, `[7]`} {
		if resp, _ := m.Handle(ctx, message(bad)); len(resp.BatchItemFailures) != 1 {
			t.Errorf("the malformed message %s: %+v, want it back", bad, resp)
		}
	}

	// SES unreachable: the message comes back, and the row is free for the retry.
	if _, err := db.CreateUser(ctx, asso.NewUser{Email: "b" + to, Firstname: "Bob", Lastname: "B", Age: 30, PasswordHash: "x"},
		postgres.Verification{TokenHash: append(suffix, 'b'), Link: "http://localhost:3000/verify?t=y", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if err := sql.QueryRow(ctx, `SELECT id FROM mail_outbox WHERE recipient = $1`, "b"+to).Scan(&id); err != nil {
		t.Fatal(err)
	}
	down := newMailer(db, "http://127.0.0.1:1")
	body, _ = json.Marshal(map[string]int64{"outboxId": id})
	if resp, _ := down.Handle(ctx, message(string(body))); len(resp.BatchItemFailures) != 1 {
		t.Errorf("SES down: %+v, want the message back", resp)
	}
	if row, state, err := db.ClaimMail(ctx, id, time.Minute); err != nil || state != postgres.Claimed || row.Attempts != 2 {
		t.Errorf("after SES was down: state %v, attempts %d, %v; want the row free for its second attempt", state, row.Attempts, err)
	}
}

// TestShutdownHandsUnsentMailBack: a mailer stopped in the middle of a message (a
// clean shutdown cancels its context) keeps the row it sent sent, sends nothing more,
// and hands the rows it did not send back to the relay, which publishes them on its
// next run instead of after MAIL_REPUBLISH_AFTER.
func TestShutdownHandsUnsentMailBack(t *testing.T) {
	sesURL := testenv.Emulator(t, "TEST_SES_ENDPOINT")
	ctx := context.Background()
	db, sql := newStore(t)
	suffix := make([]byte, 4)
	rand.Read(suffix)
	var recipients []string
	for i := range 4 {
		email := fmt.Sprintf("stop%d-%x@example.org", i, suffix) // unique in the emulator's shared store
		if _, err := db.CreateUser(ctx, asso.NewUser{Email: email, Firstname: "Ada", Lastname: "L", Age: 36, PasswordHash: "x"},
			postgres.Verification{TokenHash: []byte(email), Link: "http://localhost:3000/verify?t=x", ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		recipients = append(recipients, email)
	}
	const republishAfter = 15 * time.Minute
	relay := func() []int64 {
		t.Helper()
		published, err := db.RelayUnpublished(ctx, 0, republishAfter, 100, func(_ context.Context, ids []int64) ([]int64, error) { return ids, nil })
		if err != nil {
			t.Fatal(err)
		}
		return published
	}
	ids := relay() // on the queue, as one message
	if len(ids) != 4 {
		t.Fatalf("the relay published %v, want the 4 verification e-mails", ids)
	}

	// The first row goes at once; the pace holds the second until the shutdown.
	m := newMailer(db, sesURL)
	m.Pace = mailer.Pacer{Interval: time.Hour}
	running, shutdown := context.WithCancel(ctx)
	body, _ := json.Marshal(map[string][]int64{"outboxIds": ids})
	handled := make(chan events.SQSEventResponse)
	go func() {
		resp, _ := m.Handle(running, events.SQSEvent{Records: []events.SQSMessage{{MessageId: "m-1", Body: string(body)}}})
		handled <- resp
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		var claimed bool
		if err := sql.QueryRow(ctx, `SELECT claimed_until IS NOT NULL FROM mail_outbox WHERE id = $1`, ids[1]).Scan(&claimed); err != nil {
			t.Fatal(err)
		}
		if claimed {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("after 10 s, the mailer has not reached the second row")
		}
	}
	shutdown()
	if resp := <-handled; len(resp.BatchItemFailures) != 1 {
		t.Errorf("stopped mid message: %+v, want the message back", resp)
	}

	for i, to := range recipients {
		wantSent := i == 0
		var sent, claimed bool
		if err := sql.QueryRow(ctx, `SELECT sent_at IS NOT NULL, claimed_until IS NOT NULL FROM mail_outbox WHERE id = $1`, ids[i]).
			Scan(&sent, &claimed); err != nil {
			t.Fatal(err)
		}
		if n := len(testenv.SESInbox(t, sesURL, to)); sent != wantSent || claimed || (n == 1) != wantSent || n > 1 {
			t.Errorf("row %d: sent %t, claimed %t, %d e-mails; want only the first sent, and no claim left", i, sent, claimed, n)
		}
	}
	if again := relay(); !slices.Equal(again, ids[1:]) {
		t.Errorf("the relay's next run published %v, want the unsent %v at once", again, ids[1:])
	}
}

// newStore is a fresh, migrated database, through the store and directly.
func newStore(t *testing.T) (*postgres.DB, *pgxpool.Pool) {
	t.Helper()
	url := pgtest.NewDatabaseURL(t)
	db := pgtest.Open(t, url, nil)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	sql, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(sql.Close)
	return db, sql
}

// newMailer is a mailer sending through the SES endpoint at url, without retries of
// its own (the queue is the retry loop).
func newMailer(db *postgres.DB, url string) *mailer.Mailer {
	ses := sesv2.New(sesv2.Options{Region: "us-east-1", BaseEndpoint: aws.String(url), RetryMaxAttempts: 1,
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	return &mailer.Mailer{
		DB:     db,
		Sender: mailer.SES{Client: ses},
		Renderer: mail.Renderer{From: "hello@kittenasso.test", Domain: "kittenasso.test", WebURL: "http://localhost:3000",
			Now: time.Now},
		Lease:   time.Minute,
		Log:     slog.New(slog.NewTextHandler(io.Discard, nil)),
		Metrics: metrics.Discard{},
	}
}
