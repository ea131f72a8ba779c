package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/postgres/pgtest"
)

// fixture is a fresh database, arranged through the store itself; sql reaches the
// tables directly, to look at rows and to move time.
type fixture struct {
	t   *testing.T
	db  *postgres.DB
	sql *pgxpool.Pool
	url string
	ctx context.Context
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	url := pgtest.NewDatabaseURL(t)
	db := pgtest.Open(t, url, nil)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	pool, err := pgxpool.New(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &fixture{t: t, db: db, sql: pool, url: url, ctx: context.Background()}
}

// scan reads one row of sql into dest.
func (f *fixture) scan(sql string, args []any, dest ...any) {
	f.t.Helper()
	if err := f.sql.QueryRow(f.ctx, sql, args...).Scan(dest...); err != nil {
		f.t.Fatalf("%s: %v", sql, err)
	}
}

// user signs up name@example.org; verified users have opened their link.
func (f *fixture) user(name string, verified bool) asso.User {
	f.t.Helper()
	hash := []byte(name + " token hash")
	u, err := f.db.CreateUser(f.ctx, asso.NewUser{Email: name + "@example.org", Firstname: name, Lastname: "Test", Age: 30,
		PasswordHash: "not a real hash"}, postgres.Verification{TokenHash: hash, Link: "http://localhost/verify?t=x",
		ExpiresAt: time.Now().Add(time.Hour)})
	if err != nil {
		f.t.Fatal(err)
	}
	if verified {
		if _, err := f.db.Verify(f.ctx, hash); err != nil {
			f.t.Fatal(err)
		}
	}
	return u
}

// association creates an association of caller's and invites members, who accept.
func (f *fixture) association(caller asso.User, members ...asso.User) int64 {
	f.t.Helper()
	name := "Chess club"
	ids := []int64{}
	for _, m := range members {
		ids = append(ids, m.ID)
	}
	doc, err := f.db.CreateAssociation(f.ctx, caller, asso.AssociationInput{Name: &name, UserIDs: &ids})
	if err != nil {
		f.t.Fatal(err)
	}
	var a asso.Association
	json.Unmarshal(doc, &a)
	for _, m := range members {
		if _, err := f.db.AnswerInvitation(f.ctx, m, a.ID, asso.InvitationAnswer{Accept: true}); err != nil {
			f.t.Fatalf("%s accepts: %v", m.Firstname, err)
		}
	}
	// Their invitations went out long ago: what a test looks at in the outbox is its own.
	f.exec(`UPDATE mail_outbox SET published_at = COALESCE(published_at, now()), sent_at = now(),
		created_at = now() - interval '1 day' WHERE kind = 'join' AND association_id = $1`, a.ID)
	return a.ID
}

// invite invites people to association id by their addresses; they do not answer.
func (f *fixture) invite(caller asso.User, id int64, people ...asso.User) {
	f.t.Helper()
	for _, p := range people {
		if err := f.db.InviteByEmail(f.ctx, caller, id, p.Email); err != nil {
			f.t.Fatalf("invite %s: %v", p.Firstname, err)
		}
	}
}

// manager makes member a manager of association id.
func (f *fixture) manager(caller, member asso.User, id int64) {
	f.t.Helper()
	if _, err := f.db.SetManager(f.ctx, caller, id, member.ID, true); err != nil {
		f.t.Fatalf("make %s a manager: %v", member.Firstname, err)
	}
}

func (f *fixture) event(caller asso.User, associationID int64) (int64, error) {
	name := "Tournament"
	start := time.Now().Add(24 * time.Hour).UTC().Truncate(time.Second)
	doc, err := f.db.CreateEvent(f.ctx, caller, asso.EventInput{Name: &name, Start: &start, End: &start, AssociationID: &associationID})
	var e asso.Event
	json.Unmarshal(doc, &e)
	return e.ID, err
}

func (f *fixture) rename(caller asso.User, eventID int64, name string) {
	f.t.Helper()
	if _, err := f.db.UpdateEvent(f.ctx, caller, eventID, asso.EventInput{Name: &name}); err != nil {
		f.t.Fatalf("rename the event to %s: %v", name, err)
	}
}

func (f *fixture) exec(sql string, args ...any) {
	f.t.Helper()
	if _, err := f.sql.Exec(f.ctx, sql, args...); err != nil {
		f.t.Fatal(err)
	}
}

// outboxRow is what the tests look at in mail_outbox.
type outboxRow struct {
	Kind, Recipient, Name string
	Sequence              int
	Due                   bool
}

func (r outboxRow) String() string {
	due := "due"
	if !r.Due {
		due = "waiting"
	}
	return fmt.Sprintf("%s %s %s#%d %s", r.Kind, r.Recipient, r.Name, r.Sequence, due)
}

func (f *fixture) outbox(kind string) []string {
	f.t.Helper()
	rows, _ := f.sql.Query(f.ctx, `
		SELECT kind, recipient, COALESCE(payload->>'name', ''), COALESCE((payload->>'sequence')::int, 0), send_after <= now()
		FROM mail_outbox WHERE kind = $1 ORDER BY id`, kind)
	found, err := pgx.CollectRows(rows, pgx.RowToStructByPos[outboxRow])
	if err != nil {
		f.t.Fatal(err)
	}
	out := []string{}
	for _, r := range found {
		out = append(out, r.String())
	}
	return out
}

func TestEventMailGoesOnlyToVerifiedSubscribedMembers(t *testing.T) {
	f := newFixture(t)
	ada, bob, cy := f.user("ada", true), f.user("bob", false), f.user("cy", true)
	club := f.association(ada, bob, cy)

	// Cy stops the club's event mail with the token of an earlier e-mail.
	var token string
	f.scan(`SELECT unsubscribe_token::text FROM memberships WHERE user_id = $1`, []any{cy.ID}, &token)
	for range 2 { // twice: it is idempotent
		if name, err := f.db.Unsubscribe(f.ctx, token); err != nil || name != "Chess club" {
			t.Fatalf("Unsubscribe = %q, %v", name, err)
		}
	}
	if _, err := f.db.Unsubscribe(f.ctx, "00000000-0000-4000-8000-000000000000"); asso.ErrorCode(err) != asso.ENOTFOUND {
		t.Errorf("an unknown token: %v, want not found", err)
	}

	// Bob never verified his address: it gets no mail, whoever adds him anywhere.
	eventID, err := f.event(ada, club)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := f.outbox("invitation"), []string{"invitation ada@example.org Tournament#0 due"}; !slices.Equal(got, want) {
		t.Errorf("invitations %v, want %v", got, want)
	}
	if _, err := f.db.DeleteEvent(f.ctx, ada, eventID); err != nil {
		t.Fatal(err)
	}
	if got, want := f.outbox("cancellation"), []string{"cancellation ada@example.org Tournament#1 due"}; !slices.Equal(got, want) {
		t.Errorf("cancellations %v, want %v", got, want)
	}
}

func TestEventUpdatesCoalescePerRecipient(t *testing.T) {
	f := newFixture(t)
	ada, bob := f.user("ada", true), f.user("bob", true)
	eventID, err := f.event(ada, f.association(ada, bob))
	if err != nil {
		t.Fatal(err)
	}

	// An update not sent yet takes the content of a later edit: one mail, not two.
	f.rename(ada, eventID, "Edit 0")
	f.rename(ada, eventID, "Edit 1")
	if got, want := f.outbox("update"), []string{"update ada@example.org Edit 1#2 due", "update bob@example.org Edit 1#2 due"}; !slices.Equal(got, want) {
		t.Fatalf("updates %v, want %v", got, want)
	}
	// A storm of edits once the first update has left: they become one update per
	// recipient, with the latest content, when the window after the first closes.
	f.exec(`UPDATE mail_outbox SET sent_at = now() WHERE kind = 'update'`)
	for i := 2; i <= 5; i++ {
		f.rename(ada, eventID, fmt.Sprintf("Edit %d", i))
	}
	want := []string{
		"update ada@example.org Edit 1#2 due", "update bob@example.org Edit 1#2 due",
		"update ada@example.org Edit 5#6 waiting", "update bob@example.org Edit 5#6 waiting",
	}
	if got := f.outbox("update"); !slices.Equal(got, want) {
		t.Fatalf("updates %v, want %v", got, want)
	}
	var wait float64
	f.scan(`SELECT EXTRACT(EPOCH FROM max(send_after) - min(send_after))::float8 FROM mail_outbox WHERE kind = 'update'`, nil, &wait)
	if d := time.Duration(wait * float64(time.Second)); d < asso.DefaultLimits.UpdateWindow-time.Second || d > asso.DefaultLimits.UpdateWindow+time.Second {
		t.Errorf("the coalesced update waits %v after the first, want the window (%v)", d, asso.DefaultLimits.UpdateWindow)
	}

	// The window closes and the waiting updates are sent. An edit right after is one
	// more update, after the next window.
	f.exec(`UPDATE mail_outbox SET send_after = now() - interval '1 minute', sent_at = now() WHERE kind = 'update' AND sent_at IS NULL`)
	f.rename(ada, eventID, "Edit 6")
	if got := f.outbox("update")[4:]; !slices.Equal(got, []string{"update ada@example.org Edit 6#7 waiting", "update bob@example.org Edit 6#7 waiting"}) {
		t.Errorf("an edit within the window of the last sent update: %v", got)
	}

	// A cancellation leaves at once and supersedes the update still waiting.
	if _, err := f.db.DeleteEvent(f.ctx, ada, eventID); err != nil {
		t.Fatal(err)
	}
	if got := f.outbox("update"); len(got) != 4 {
		t.Errorf("updates after the cancellation %v, want the waiting ones gone", got)
	}
	if got := f.outbox("cancellation"); len(got) != 2 || got[0] != "cancellation ada@example.org Edit 6#8 due" {
		t.Errorf("cancellations %v", got)
	}
}

func TestMailBudgets(t *testing.T) {
	f := newFixture(t)
	f.db.Limits.MaxMembers = 3
	f.db.Limits.MailsPerUserHour = 5
	f.db.Limits.MailsPerAssociationHour = 7
	ada, bob, cy := f.user("ada", true), f.user("bob", true), f.user("cy", true)
	club := f.association(ada, bob, cy)

	// Three recipients an event: the first fits Ada's budget of 5, the second not.
	if _, err := f.event(ada, club); err != nil {
		t.Fatal(err)
	}
	_, err := f.event(ada, club)
	e, ok := appError(err)
	if !ok || e.Code != asso.ETOOMANY || e.RetryAfter < 59*time.Minute || e.RetryAfter > time.Hour+time.Second {
		t.Fatalf("over the user's budget: %v, want 429 with about an hour to wait", err)
	}
	var events int
	f.scan(`SELECT count(*) FROM events`, nil, &events)
	if events != 1 {
		t.Errorf("%d events: the refused write must leave nothing behind", events)
	}
	if n := len(f.outbox("invitation")); n != 3 {
		t.Errorf("%d invitations, want the first event's 3", n)
	}
	// Bob and Cy have budgets of their own, but the association's (7) holds only two
	// events of three recipients.
	f.manager(ada, bob, club)
	f.manager(ada, cy, club)
	if _, err := f.event(bob, club); err != nil {
		t.Fatal(err)
	}
	if _, err := f.event(cy, club); asso.ErrorCode(err) != asso.ETOOMANY {
		t.Fatalf("over the association's budget: %v, want 429", err)
	}
	// A cancellation counts like every other e-mail: refused whole over the budget.
	var eventID int64
	f.scan(`SELECT min(id) FROM events`, nil, &eventID)
	if _, err := f.db.DeleteEvent(f.ctx, ada, eventID); asso.ErrorCode(err) != asso.ETOOMANY {
		t.Errorf("cancelling over the budget: %v, want 429", err)
	}
	if n := len(f.outbox("cancellation")); n != 0 {
		t.Errorf("%d cancellations queued by a refused delete", n)
	}
	// An hour later the budget is back.
	f.exec(`UPDATE mail_outbox SET created_at = created_at - interval '61 minutes'`)
	if _, err := f.db.DeleteEvent(f.ctx, ada, eventID); err != nil {
		t.Errorf("cancelling an hour later: %v", err)
	}
	f.exec(`UPDATE mail_outbox SET created_at = created_at - interval '61 minutes'`)
	if _, err := f.event(ada, club); err != nil {
		t.Errorf("an hour later: %v", err)
	}
}

func TestMemberAndVoterCaps(t *testing.T) {
	f := newFixture(t)
	f.db.Limits.MaxMembers = 3
	f.db.Limits.MaxVoters = 2
	ada, bob, cy, dan := f.user("ada", true), f.user("bob", true), f.user("cy", true), f.user("dan", true)
	name := "Too big"
	four := []int64{bob.ID, cy.ID, dan.ID} // with Ada, the creator: four
	_, err := f.db.CreateAssociation(f.ctx, ada, asso.AssociationInput{Name: &name, UserIDs: &four})
	if e, ok := appError(err); !ok || e.Code != asso.EINVALID || e.Messages[0] != "an association has at most 3 members" {
		t.Errorf("four members: %v", err)
	}
	club := f.association(ada, bob)
	if _, err := f.db.UpdateAssociation(f.ctx, ada, club, asso.AssociationInput{UserIDs: &[]int64{ada.ID, bob.ID, cy.ID, dan.ID}}); asso.ErrorCode(err) != asso.EINVALID {
		t.Errorf("growing to four members: %v", err)
	}
	content, date := "AGM", time.Now()
	_, err = f.db.CreateMinute(f.ctx, ada, asso.MinuteInput{Content: &content, Date: &date, AssociationID: &club,
		VoterIDs: &[]int64{ada.ID, bob.ID, cy.ID}})
	if e, ok := appError(err); !ok || e.Code != asso.EINVALID || e.Messages[0] != "a minute has at most 2 voters" {
		t.Errorf("three voters: %v", err)
	}
	if _, err := f.db.CreateMinute(f.ctx, ada, asso.MinuteInput{Content: &content, Date: &date, AssociationID: &club,
		VoterIDs: &[]int64{ada.ID, bob.ID, bob.ID}}); err != nil {
		t.Errorf("two voters, one named twice: %v", err)
	}
}

// appError returns the *asso.Error inside err.
func appError(err error) (*asso.Error, bool) {
	var e *asso.Error
	return e, errors.As(err, &e)
}
