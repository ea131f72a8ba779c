package postgres_test

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/postgres/pgtest"
)

// TestEditsRaceAssociationDeletion runs the pattern that deadlocked: events and
// minutes edited while their association is deleted. Every request must either
// succeed or find its object gone (404), never fail.
func TestEditsRaceAssociationDeletion(t *testing.T) {
	f := newFixture(t)
	ada := f.user("ada", true)
	for round := range 15 {
		club := f.association(ada)
		eventID, err := f.event(ada, club)
		if err != nil {
			t.Fatal(err)
		}
		content, date := "AGM", time.Now()
		doc, err := f.db.CreateMinute(f.ctx, ada, asso.MinuteInput{Content: &content, Date: &date, AssociationID: &club, VoterIDs: &[]int64{}})
		if err != nil {
			t.Fatal(err)
		}
		var minuteID int64
		fmt.Sscanf(string(doc), `{"id" : %d`, &minuteID)

		var wg sync.WaitGroup
		errs := make(chan error, 8)
		for i := range 3 {
			name := fmt.Sprintf("Edit %d.%d", round, i)
			wg.Go(func() {
				_, err := f.db.UpdateEvent(f.ctx, ada, eventID, asso.EventInput{Name: &name})
				errs <- err
			})
			wg.Go(func() {
				_, err := f.db.UpdateMinute(f.ctx, ada, minuteID, asso.MinuteInput{Content: &name})
				errs <- err
			})
		}
		wg.Go(func() {
			_, err := f.db.DeleteAssociation(f.ctx, ada, club)
			errs <- err
		})
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil && asso.ErrorCode(err) != asso.ENOTFOUND {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}

// TestRelayRepublishesLostMail: mail the queue lost (published long ago, still not
// sent) goes out again; mail being sent, sent, or not due yet does not.
func TestRelayRepublishesLostMail(t *testing.T) {
	f := newFixture(t)
	ada, bob, cy, dan := f.user("ada", true), f.user("bob", true), f.user("cy", true), f.user("dan", true)
	if _, err := f.event(ada, f.association(ada, bob, cy, dan)); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	rows, _ := f.sql.Query(f.ctx, `SELECT id FROM mail_outbox WHERE kind = 'invitation' ORDER BY id`)
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	if len(ids) != 4 {
		t.Fatalf("%d invitations", len(ids))
	}
	f.exec(`UPDATE mail_outbox SET published_at = now() - interval '1 hour'`)                               // all lost, but:
	f.exec(`UPDATE mail_outbox SET claimed_until = now() + interval '1 minute' WHERE id = $1`, ids[1])      // a mailer holds it
	f.exec(`UPDATE mail_outbox SET sent_at = now() WHERE id = $1`, ids[2])                                  // sent
	f.exec(`UPDATE mail_outbox SET send_after = now() + interval '5 minutes' WHERE id = $1`, ids[3])        // not due yet
	f.exec(`UPDATE mail_outbox SET published_at = now() - interval '1 minute' WHERE kind = 'verification'`) // recent
	var handed []int64
	publish := func(_ context.Context, batch []int64) ([]int64, error) {
		handed = append(handed, batch...)
		return batch, nil
	}
	published, err := f.db.RelayUnpublished(f.ctx, 0, 15*time.Minute, 100, publish)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(published, []int64{ids[0]}) || !slices.Equal(handed, published) {
		t.Errorf("republished %v, want only the lost one %d", published, ids[0])
	}
	// It is marked published again, so the next run leaves it to the queue.
	if again, _ := f.db.RelayUnpublished(f.ctx, 0, 15*time.Minute, 100, publish); len(again) != 0 {
		t.Errorf("republished again at once: %v", again)
	}
	// A failed publish marks nothing: the next run tries again.
	f.exec(`UPDATE mail_outbox SET published_at = NULL WHERE id = $1`, ids[0])
	if _, err := f.db.RelayUnpublished(f.ctx, 0, 15*time.Minute, 100, func(context.Context, []int64) ([]int64, error) {
		return nil, errors.New("queue down")
	}); err == nil {
		t.Error("a failed publish is not reported")
	}
	var unpublished bool
	f.scan(`SELECT published_at IS NULL FROM mail_outbox WHERE id = $1`, []any{ids[0]}, &unpublished)
	if !unpublished {
		t.Error("a mail the queue refused is marked published")
	}
}

// TestClaimMail: a claim is atomic and honours the recipient's wishes at send time.
func TestClaimMail(t *testing.T) {
	f := newFixture(t)
	ada, bob := f.user("ada", true), f.user("bob", true)
	club := f.association(ada, bob)
	if _, err := f.event(ada, club); err != nil {
		t.Fatal(err)
	}
	var adaMail, bobMail int64
	f.scan(`SELECT id FROM mail_outbox WHERE kind = 'invitation' AND user_id = $1`, []any{ada.ID}, &adaMail)
	f.scan(`SELECT id FROM mail_outbox WHERE kind = 'invitation' AND user_id = $1`, []any{bob.ID}, &bobMail)
	// Bob unsubscribes after the invitation was queued: it is claimed, but not wanted.
	f.exec(`UPDATE memberships SET mail_opt_out = true WHERE user_id = $1`, bob.ID)
	for _, tc := range []struct {
		id     int64
		state  postgres.ClaimState
		wanted bool
	}{
		{adaMail, postgres.Claimed, true},
		{adaMail, postgres.Busy, false}, // a duplicate delivery while the first is sending
		{bobMail, postgres.Claimed, false},
		{987654, postgres.Missing, false},
	} {
		m, state, err := f.db.ClaimMail(f.ctx, tc.id, time.Minute)
		if err != nil || state != tc.state || m.Wanted != tc.wanted {
			t.Errorf("claim %d: state %d wanted %v (%v), want %d %v", tc.id, state, m.Wanted, err, tc.state, tc.wanted)
		}
	}
	f.exec(`UPDATE mail_outbox SET claimed_until = NULL, send_after = now() + interval '1 minute' WHERE id = $1`, adaMail)
	if _, state, _ := f.db.ClaimMail(f.ctx, adaMail, time.Minute); state != postgres.NotDue {
		t.Errorf("a mail not due: state %d, want NotDue", state)
	}
	f.db.MarkSent(f.ctx, adaMail, "ses-1")
	if _, state, _ := f.db.ClaimMail(f.ctx, adaMail, time.Minute); state != postgres.Done {
		t.Errorf("a sent mail: state %d, want Done", state)
	}
}

// TestPrune: throttle counters past their windows, and sent or failed mail and
// expired tokens past the retention, go; everything still in use stays.
func TestPrune(t *testing.T) {
	f := newFixture(t)
	f.user("ada", false)
	f.exec(`INSERT INTO login_attempts (email, client_ip, attempted_at) VALUES ('a', '1', now() - interval '1 hour'), ('b', '1', now())`)
	f.exec(`INSERT INTO verification_resends (email, requested_at) VALUES ('a', now() - interval '2 hours'), ('b', now())`)
	f.exec(`INSERT INTO client_requests (action, client_ip, requested_at) VALUES ('sign-up', '1', now() - interval '2 hours'), ('resend', '1', now())`)
	f.exec(`INSERT INTO mail_outbox (kind, recipient, payload, created_at, sent_at)
		VALUES ('verification', 'old@example.org', '{}', now() - interval '40 days', now() - interval '40 days'),
		       ('verification', 'new@example.org', '{}', now() - interval '1 day', now() - interval '1 day')`)
	f.exec(`INSERT INTO mail_outbox (kind, recipient, payload, created_at) VALUES ('verification', 'pending@example.org', '{}', now() - interval '40 days')`)
	f.exec(`UPDATE verification_tokens SET expires_at = now() - interval '40 days'`)

	deleted, err := f.db.Prune(f.ctx, postgres.Retention{Throttle: asso.DefaultLoginThrottle, Mail: 30 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if deleted != 5 {
		t.Errorf("pruned %d rows, want 5", deleted)
	}
	var left string
	f.scan(`SELECT (SELECT count(*) FROM login_attempts)::text || (SELECT count(*) FROM verification_resends) ||
		(SELECT count(*) FROM client_requests) || (SELECT count(*) FROM verification_tokens) ||
		(SELECT string_agg(recipient, ',' ORDER BY id) FROM mail_outbox)`, nil, &left)
	// One of each counter, no token, and the recent and the unsent mail (the
	// sign-up's own, and the old pending one: never pruned unsent).
	if left != "1110ada@example.org,new@example.org,pending@example.org" {
		t.Errorf("left %q", left)
	}
}

// TestUnavailable: a database that cannot be reached is told apart from a bug, so
// that the API answers 503 and not 500.
func TestUnavailable(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	db, err := postgres.Open(ctx, "postgres://nobody@127.0.0.1:1/nothing?connect_timeout=2", postgres.Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.User(ctx, 1)
	if err == nil || !postgres.Unavailable(err) {
		t.Errorf("a closed port: %v, Unavailable = false", err)
	}
	// The error names the operation and its object, so that a logged 500 says what failed.
	_, err = db.UpdateAssociation(ctx, asso.User{ID: 3}, 7, asso.AssociationInput{})
	if err == nil || !strings.HasPrefix(err.Error(), "postgres: UpdateAssociation(7): ") {
		t.Errorf("error %q does not name UpdateAssociation(7)", err)
	}
	if postgres.Unavailable(asso.Errorf(asso.ENOTFOUND, "x")) || postgres.Unavailable(errors.New("a bug")) {
		t.Error("ordinary errors taken for an unavailable database")
	}
}

// TestStatementTimeout: a statement that runs (or waits) longer than the timeout is
// cancelled, and the error says the database cannot serve now (503), not a bug.
func TestStatementTimeout(t *testing.T) {
	f := newFixture(t)
	ada := f.user("ada", true)
	club := f.association(ada)
	db, err := postgres.Open(f.ctx, f.url, postgres.Options{MaxConns: 1, StatementTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// Another transaction holds the association's row: the write waits for it.
	tx, err := f.sql.Begin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(f.ctx)
	if _, err := tx.Exec(f.ctx, `SELECT 1 FROM associations WHERE id = $1 FOR UPDATE`, club); err != nil {
		t.Fatal(err)
	}
	name := "Renamed"
	start := time.Now()
	_, err = db.UpdateAssociation(f.ctx, ada, club, asso.AssociationInput{Name: &name})
	if err == nil || !postgres.Unavailable(err) || time.Since(start) > 5*time.Second {
		t.Errorf("after %v: %v, want a cancelled statement taken as unavailable", time.Since(start), err)
	}
}

// TestConnectTimeout: a database that accepts the connection but does not answer (an
// Aurora Serverless cluster resuming from zero) is given up on within the connect
// timeout, as unavailable (503 with Retry-After), before the function's own timeout.
func TestConnectTimeout(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() { // accept, and say nothing
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	db, err := postgres.Open(context.Background(), "postgres://nobody@"+l.Addr().String()+"/nothing?sslmode=disable", postgres.Options{MaxConns: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	start := time.Now()
	_, err = db.User(context.Background(), 1)
	if took := time.Since(start); err == nil || !postgres.Unavailable(err) || took > 8*time.Second {
		t.Errorf("after %v: %v, want an unavailable database within the 5 s connect timeout", took, err)
	}
}

// refusingQueue takes the ids it is given, except those it refuses.
type refusingQueue struct{ refuse int64 }

func (q refusingQueue) Publish(_ context.Context, ids []int64) ([]int64, error) {
	taken := slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return id == q.refuse })
	if len(taken) < len(ids) {
		return taken, errors.New("refused one")
	}
	return taken, nil
}

// TestPublishAfterCommit: a store with a publisher writes its mail marked published
// and hands it over after the commit; what the queue refused is unmarked, so that the
// relay publishes it. A store without one leaves every mail to the relay.
func TestPublishAfterCommit(t *testing.T) {
	f := newFixture(t)
	ada, bob, cy := f.user("ada", true), f.user("bob", true), f.user("cy", true)
	aID := f.association(ada, bob, cy)
	var next int64
	f.scan(`SELECT COALESCE(max(id), 0) + 2 FROM mail_outbox`, nil, &next) // the second invitation
	publishing := pgtest.Open(t, f.url, refusingQueue{refuse: next})
	if _, err := publishing.CreateEvent(f.ctx, ada, asso.EventInput{Name: ptr("Match"), Start: ptr(time.Now().Add(time.Hour)),
		End: ptr(time.Now().Add(2 * time.Hour)), AssociationID: &aID}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.event(ada, aID); err != nil { // through the store without a publisher
		t.Fatal(err)
	}
	rows, _ := f.sql.Query(f.ctx, `SELECT id, published_at IS NOT NULL FROM mail_outbox WHERE kind = 'invitation' ORDER BY id`)
	marked := map[int64]bool{}
	var id int64
	var published bool
	if _, err := pgx.ForEachRow(rows, []any{&id, &published}, func() error { marked[id] = published; return nil }); err != nil {
		t.Fatal(err)
	}
	want := map[int64]bool{next - 1: true, next: false, next + 1: true, next + 2: false, next + 3: false, next + 4: false}
	if !maps.Equal(marked, want) {
		t.Errorf("published marks %v, want %v (the refused one and those of the store without a publisher unmarked)", marked, want)
	}
	// The three sign-ups' verifications came through the store without a publisher too.
	var verifications []int64
	f.scan(`SELECT array_agg(id ORDER BY id) FROM mail_outbox WHERE kind = 'verification'`, nil, &verifications)
	relayed, err := f.db.RelayUnpublished(f.ctx, 0, 15*time.Minute, 100, func(_ context.Context, ids []int64) ([]int64, error) { return ids, nil })
	if err != nil || !slices.Equal(relayed, append(verifications, next, next+2, next+3, next+4)) {
		t.Errorf("the relay published %v (%v), want the unmarked ones", relayed, err)
	}
}

func ptr[T any](v T) *T { return &v }
