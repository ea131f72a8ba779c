package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/postgres/pgtest"
)

// reason is the stable reason of a store error ("not_member"), "" for any other.
func reason(err error) string {
	var e *asso.Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return ""
}

// members reads association id's list as the store gives it: who, with which status.
func (f *fixture) members(id int64) map[string]asso.Member {
	f.t.Helper()
	doc, _, err := f.db.AssociationMembers(f.ctx, id, asso.Page{Limit: 100})
	if err != nil {
		f.t.Fatal(err)
	}
	var list []asso.Member
	if err := json.Unmarshal(doc, &list); err != nil {
		f.t.Fatal(err)
	}
	out := map[string]asso.Member{}
	for _, m := range list {
		out[m.Firstname] = m
	}
	return out
}

// joinToken is the accept/decline token of the last invitation to join mailed to who.
func (f *fixture) joinToken(who string) asso.InvitationToken {
	f.t.Helper()
	var raw string
	f.scan(`SELECT payload->>'token' FROM mail_outbox WHERE kind = 'join' AND recipient = $1 ORDER BY id DESC LIMIT 1`,
		[]any{who}, &raw)
	token, err := asso.ParseInvitationToken(raw, time.Now())
	if err != nil {
		f.t.Fatalf("the token mailed to %s: %v", who, err)
	}
	return token
}

// TestNobodyIsAMemberWithoutConsent: people added to an association are invited,
// mailed once, shown to nobody with their address, sent no event mail and given no
// answer to events until they accept; declining with "never" drops later invitations
// silently.
func TestNobodyIsAMemberWithoutConsent(t *testing.T) {
	f := newFixture(t)
	ada, bob, cy, dan := f.user("ada", true), f.user("bob", true), f.user("cy", false), f.user("dan", true)
	name := "Chess club"
	ids := []int64{bob.ID, cy.ID, dan.ID}
	doc, err := f.db.CreateAssociation(f.ctx, ada, asso.AssociationInput{Name: &name, UserIDs: &ids})
	if err != nil {
		t.Fatal(err)
	}
	var a asso.Association
	json.Unmarshal(doc, &a)
	club := a.ID
	got := f.members(club)
	if m := got["ada"]; m.Status != asso.StatusMember || !m.Manager {
		t.Errorf("the creator: %+v, want a member and manager", m)
	}
	for _, who := range []string{"bob", "cy", "dan"} {
		if m := got[who]; m.Status != asso.StatusInvited || m.Manager {
			t.Errorf("%s: %+v, want invited", who, m)
		}
	}
	// One invitation each to the verified, none to the unverified.
	if joins := f.outbox("join"); len(joins) != 2 || !strings.Contains(joins[0], "bob@") || !strings.Contains(joins[1], "dan@") {
		t.Errorf("invitations to join: %v, want bob's and dan's", joins)
	}
	// Neither side sees the other's address while it is only an invitation.
	for _, pair := range [][2]asso.User{{ada, bob}, {bob, ada}} {
		seen, _, err := f.db.UserWithAssociations(f.ctx, pair[0], pair[1].ID, asso.Page{Limit: 100})
		if err != nil || seen.Email != "" {
			t.Errorf("%s sees %s's address %q (%v)", pair[0].Firstname, pair[1].Firstname, seen.Email, err)
		}
	}
	// No event mail, no answer while invited.
	eventID, err := f.event(ada, club)
	if err != nil {
		t.Fatal(err)
	}
	if inv := f.outbox("invitation"); len(inv) != 1 || !strings.Contains(inv[0], "ada@") {
		t.Errorf("event invitations %v, want ada's only", inv)
	}
	if _, err := f.db.AnswerEvent(f.ctx, bob, eventID, asso.Going); reason(err) != "not_member" {
		t.Errorf("a person invited answers an event: %v, want not_member", err)
	}
	// Inviting again within 30 days sends nothing more.
	all := []int64{ada.ID, bob.ID, cy.ID, dan.ID}
	if _, err := f.db.UpdateAssociation(f.ctx, ada, club, asso.AssociationInput{UserIDs: &all}); err != nil {
		t.Fatal(err)
	}
	if n := len(f.outbox("join")); n != 2 {
		t.Errorf("%d invitations to join after inviting again, want still 2", n)
	}

	// Bob accepts through his link: a member, who now sees ada's address and gets mail.
	answered, err := f.db.AnswerInvitationByLink(f.ctx, f.joinToken("bob@example.org"), asso.InvitationAnswer{Accept: true})
	if err != nil || !strings.Contains(string(answered), `"status" : "member"`) && !strings.Contains(string(answered), `"status":"member"`) {
		t.Fatalf("bob accepts: %s, %v", answered, err)
	}
	if seen, _, _ := f.db.UserWithAssociations(f.ctx, bob, ada.ID, asso.Page{Limit: 100}); seen.Email != "ada@example.org" {
		t.Errorf("a member does not see the other members' addresses: %q", seen.Email)
	}
	f.rename(ada, eventID, "Final")
	if updates := f.outbox("update"); len(updates) != 2 {
		t.Errorf("updates %v, want ada's and bob's", updates)
	}
	// A forged link (bob's signature, dan's id) is refused.
	forged := f.joinToken("bob@example.org")
	forged.UserID = dan.ID
	if _, err := f.db.AnswerInvitationByLink(f.ctx, forged, asso.InvitationAnswer{Accept: true}); reason(err) != "invalid_token" {
		t.Errorf("a forged link: %v, want invalid_token", err)
	}

	// Dan declines for good: a later invitation is dropped, without a mail or an error.
	if _, err := f.db.AnswerInvitation(f.ctx, dan, club, asso.InvitationAnswer{Never: true}); err != nil {
		t.Fatal(err)
	}
	if _, ok := f.members(club)["dan"]; ok {
		t.Error("dan is still listed after declining")
	}
	if _, err := f.db.AnswerInvitation(f.ctx, dan, club, asso.InvitationAnswer{Accept: true}); reason(err) != "no_invitation" {
		t.Errorf("accepting a declined invitation: %v, want no_invitation", err)
	}
	f.exec(`UPDATE invitation_mails SET mailed_at = mailed_at - interval '31 days'`) // the 30 days are over
	if err := f.db.InviteByEmail(f.ctx, ada, club, "dan@example.org"); err != nil {
		t.Errorf("inviting dan again: %v, want no error", err)
	}
	if _, ok := f.members(club)["dan"]; ok || len(f.outbox("join")) != 2 {
		t.Errorf("dan was invited again after asking never to be: %v", f.outbox("join"))
	}
}

// TestInvitationByEmail: an address with no account gets one mail that leads to
// sign-up; the invitation waits for the verified account.
func TestInvitationByEmail(t *testing.T) {
	f := newFixture(t)
	ada := f.user("ada", true)
	club := f.association(ada)
	for range 2 {
		if err := f.db.InviteByEmail(f.ctx, ada, club, "eve@example.org"); err != nil {
			t.Fatal(err)
		}
	}
	var token *string
	f.scan(`SELECT payload->>'token' FROM mail_outbox WHERE kind = 'join'`, nil, &token)
	if joins := f.outbox("join"); len(joins) != 1 || token != nil {
		t.Fatalf("invitations to a new address: %v (token %v), want one, with no token", joins, token)
	}
	eve := f.user("eve", false)
	if _, ok := f.members(club)["eve"]; ok {
		t.Error("an unverified account got the invitation of its address")
	}
	if _, err := f.db.Verify(f.ctx, []byte("eve token hash")); err != nil {
		t.Fatal(err)
	}
	if _, listed := f.members(club)["eve"]; listed {
		t.Error("an invitation by address is listed before it is accepted")
	}
	doc, listed, err := f.db.Invitations(f.ctx, eve, asso.Page{Limit: 10})
	if err != nil || listed.Total != 1 || !strings.Contains(string(doc), "Chess club") {
		t.Errorf("eve's invitations: %s %+v %v", doc, listed, err)
	}
	if n := len(f.outbox("join")); n != 1 {
		t.Errorf("%d invitations to join, want still 1", n)
	}
	// The invitations of a manager who is not one are refused.
	bob := f.user("bob", true)
	if err := f.db.InviteByEmail(f.ctx, bob, club, "x@example.org"); reason(err) != "not_member" {
		t.Errorf("an outsider invites: %v", err)
	}

	// Bob's account invited by its address: listed to nobody until he accepts, so that
	// the inviter cannot tell an account from none.
	if err := f.db.InviteByEmail(f.ctx, ada, club, "BOB@example.org"); err != nil {
		t.Fatal(err)
	}
	if _, listed := f.members(club)["bob"]; listed {
		t.Error("an invitation by address shows whose address it was")
	}
	// Nor does it answer to a role, and setting the members the manager sees keeps it.
	if _, err := f.db.SetRole(f.ctx, ada, asso.RoleKey{UserID: bob.ID, AssociationID: club}, "Spy"); asso.ErrorCode(err) != asso.EINVALID {
		t.Errorf("a role for a hidden invitation: %v, want 400 not a member", err)
	}
	visible := []int64{ada.ID}
	if _, err := f.db.UpdateAssociation(f.ctx, ada, club, asso.AssociationInput{UserIDs: &visible}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.AnswerInvitation(f.ctx, bob, club, asso.InvitationAnswer{Accept: true}); err != nil {
		t.Fatal(err)
	}
	if m := f.members(club)["bob"]; m.Status != asso.StatusMember {
		t.Errorf("bob after accepting: %+v", m)
	}

	// One address gets at most 3 invitations to join a month, whatever the associations.
	for i := range 4 {
		if err := f.db.InviteByEmail(f.ctx, ada, f.association(ada), "zed@example.org"); err != nil {
			t.Fatalf("invitation %d: %v", i+1, err)
		}
	}
	var toZed int
	f.scan(`SELECT count(*) FROM mail_outbox WHERE kind = 'join' AND recipient = 'zed@example.org'`, nil, &toZed)
	if toZed != 3 {
		t.Errorf("%d invitations mailed to one address, want 3", toZed)
	}
	// And one user invites at most EmailInvitationsPerUserDay addresses a day.
	f.db.Limits.EmailInvitationsPerUserDay = 9 // eve twice, bob, 4 × zed: 7 so far
	for i, address := range []string{"p@example.org", "q@example.org", "r@example.org"} {
		err := f.db.InviteByEmail(f.ctx, ada, club, address)
		if refused := reason(err) == "invitation_budget"; refused != (i == 2) || (!refused && err != nil) {
			t.Errorf("invitation by address %d of the day: %v", 7+i, err)
		}
	}
}

// TestManagers: the last manager can neither leave nor be demoted or removed; a
// member may leave; a deleted sole manager hands over to the member who joined first.
func TestManagers(t *testing.T) {
	f := newFixture(t)
	ada, bob, cy := f.user("ada", true), f.user("bob", true), f.user("cy", true)
	club := f.association(ada, bob, cy)
	if _, err := f.db.LeaveAssociation(f.ctx, ada, club); reason(err) != "last_manager" {
		t.Errorf("the last manager leaves: %v, want last_manager", err)
	}
	if _, err := f.db.SetManager(f.ctx, ada, club, ada.ID, false); reason(err) != "last_manager" {
		t.Errorf("the last manager steps down: %v, want last_manager", err)
	}
	onlyOthers := []int64{bob.ID, cy.ID}
	if _, err := f.db.UpdateAssociation(f.ctx, ada, club, asso.AssociationInput{UserIDs: &onlyOthers}); reason(err) != "last_manager" {
		t.Errorf("removing the last manager: %v, want last_manager", err)
	}
	if _, err := f.db.SetManager(f.ctx, bob, club, bob.ID, true); reason(err) != "not_manager" {
		t.Errorf("a member makes himself manager: %v, want not_manager", err)
	}
	if _, err := f.db.LeaveAssociation(f.ctx, cy, club); err != nil {
		t.Errorf("a member leaves: %v", err)
	}
	if _, err := f.db.LeaveAssociation(f.ctx, cy, club); reason(err) != "not_member" {
		t.Errorf("leaving twice: %v, want not_member", err)
	}
	f.manager(ada, bob, club)
	if _, err := f.db.LeaveAssociation(f.ctx, ada, club); err != nil {
		t.Errorf("a manager leaves once there is another: %v", err)
	}
	// A sole member with only invitations pending may leave: whoever accepts manages it.
	solo := f.association(ada)
	f.invite(ada, solo, cy)
	if _, err := f.db.LeaveAssociation(f.ctx, ada, solo); err != nil {
		t.Errorf("the only member leaves with an invitation pending: %v", err)
	}
	// Bob, sole manager, deletes his account: the member who joined first takes over.
	dan, eve := f.user("dan", true), f.user("eve", true)
	team := f.association(bob, dan, eve)
	f.exec(`UPDATE memberships SET joined_at = now() - interval '1 day' WHERE user_id = $1`, eve.ID)
	if _, err := f.db.DeleteUser(f.ctx, bob, bob.ID); err != nil {
		t.Fatal(err)
	}
	if m := f.members(team); !m["eve"].Manager || m["dan"].Manager {
		t.Errorf("after the manager left for good: %+v", m)
	}

	// Fay, sole manager of people only invited, deletes her account: whoever accepts
	// first manages the association.
	fay, gus, hal := f.user("fay", true), f.user("gus", true), f.user("hal", true)
	name := "Orphans"
	ids := []int64{gus.ID, hal.ID}
	doc, err := f.db.CreateAssociation(f.ctx, fay, asso.AssociationInput{Name: &name, UserIDs: &ids})
	if err != nil {
		t.Fatal(err)
	}
	var orphans asso.Association
	json.Unmarshal(doc, &orphans)
	if _, err := f.db.DeleteUser(f.ctx, fay, fay.ID); err != nil {
		t.Fatal(err)
	}
	for _, who := range []asso.User{gus, hal} {
		if _, err := f.db.AnswerInvitation(f.ctx, who, orphans.ID, asso.InvitationAnswer{Accept: true}); err != nil {
			t.Fatal(err)
		}
	}
	if m := f.members(orphans.ID); !m["gus"].Manager || m["hal"].Manager {
		t.Errorf("after joining an association without a manager: %+v", m)
	}
}

// TestOldInvitationLinks: a link answers only the invitation it was mailed for, and
// only within its 30 days.
func TestOldInvitationLinks(t *testing.T) {
	f := newFixture(t)
	ada, bob := f.user("ada", true), f.user("bob", true)
	club := f.association(ada)
	ids := []int64{ada.ID, bob.ID}
	invite := func() {
		t.Helper()
		if _, err := f.db.UpdateAssociation(f.ctx, ada, club, asso.AssociationInput{UserIDs: &ids}); err != nil {
			t.Fatal(err)
		}
	}
	invite()
	link := f.joinToken("bob@example.org")
	if _, err := f.db.AnswerInvitationByLink(f.ctx, link, asso.InvitationAnswer{Accept: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.LeaveAssociation(f.ctx, bob, club); err != nil {
		t.Fatal(err)
	}
	invite() // again, a minute later: no new mail, and the old link is not this invitation's
	f.exec(`UPDATE memberships SET invited_at = invited_at + interval '1 minute' WHERE user_id = $1`, bob.ID)
	if _, err := f.db.AnswerInvitationByLink(f.ctx, link, asso.InvitationAnswer{Accept: true}); reason(err) != "invalid_token" {
		t.Errorf("the link of an earlier invitation: %v, want invalid_token", err)
	}
	// A lapsed invitation cannot be accepted in the app either.
	f.exec(`UPDATE memberships SET invited_at = now() - interval '31 days' WHERE user_id = $1`, bob.ID)
	if _, err := f.db.AnswerInvitation(f.ctx, bob, club, asso.InvitationAnswer{Accept: true}); reason(err) != "no_invitation" {
		t.Errorf("a lapsed invitation accepted: %v", err)
	}
	if _, listed, _ := f.db.Invitations(f.ctx, bob, asso.Page{Limit: 10}); listed.Total != 0 {
		t.Errorf("a lapsed invitation listed: %+v", listed)
	}
}

// TestRemindersWithinTheBudget: reminders count in the organiser's and the
// association's budgets; an event whose reminders do not fit is skipped for good.
func TestRemindersWithinTheBudget(t *testing.T) {
	f := newFixture(t)
	f.db.Limits.MailsPerAssociationHour = 4
	ada, bob, cy := f.user("ada", true), f.user("bob", true), f.user("cy", true)
	club := f.association(ada, bob, cy)
	first, err := f.event(ada, club) // 3 invitations of 4
	if err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE events SET starts_at = now() + interval '1 hour', ends_at = now() + interval '2 hours'`)
	res, err := f.db.QueueReminders(f.ctx, 24*time.Hour, 100)
	if err != nil || len(res.Queued) != 0 || len(res.Skipped) != 1 ||
		res.Skipped[0] != (postgres.SkippedReminders{EventID: first, AssociationID: club, Recipients: 3}) {
		t.Fatalf("over the budget: %+v (%v), want the event's 3 reminders skipped", res, err)
	}
	if n := len(f.outbox("reminder")); n != 0 {
		t.Errorf("%d reminders queued over the budget", n)
	}
	// Skipped for good: the next run does not try again, even with room.
	f.exec(`UPDATE mail_outbox SET created_at = created_at - interval '2 hours'`)
	if again, err := f.db.QueueReminders(f.ctx, 24*time.Hour, 100); err != nil || len(again.Queued)+len(again.Skipped) != 0 {
		t.Errorf("the next run: %+v (%v)", again, err)
	}
	// Within the budget they go, and count as the organiser's.
	second, err := f.event(ada, club)
	if err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE events SET starts_at = now() + interval '1 hour', ends_at = now() + interval '2 hours' WHERE id = $1`, second)
	f.exec(`UPDATE mail_outbox SET created_at = created_at - interval '2 hours'`)
	res, err = f.db.QueueReminders(f.ctx, 24*time.Hour, 100)
	if err != nil || len(res.Queued) != 3 {
		t.Fatalf("within the budget: %+v (%v)", res, err)
	}
	var senders int
	f.scan(`SELECT count(*) FROM mail_outbox WHERE kind = 'reminder' AND sender_id = $1`, []any{ada.ID}, &senders)
	if senders != 3 {
		t.Errorf("%d reminders counted as the organiser's, want 3", senders)
	}

	// An organiser who no longer manages the association is charged nothing for it.
	f.manager(ada, bob, club)
	f.exec(`UPDATE mail_outbox SET created_at = created_at - interval '2 hours'`)
	third, err := f.event(bob, club)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.SetManager(f.ctx, ada, club, bob.ID, false); err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE events SET starts_at = now() + interval '1 hour', ends_at = now() + interval '2 hours' WHERE id = $1`, third)
	f.exec(`UPDATE mail_outbox SET created_at = created_at - interval '2 hours'`)
	if res, err := f.db.QueueReminders(f.ctx, 24*time.Hour, 100); err != nil || len(res.Queued) != 3 {
		t.Fatalf("the third event's reminders: %+v (%v)", res, err)
	}
	var bobs int
	f.scan(`SELECT count(*) FROM mail_outbox WHERE kind = 'reminder' AND sender_id = $1`, []any{bob.ID}, &bobs)
	if bobs != 0 {
		t.Errorf("%d reminders charged to an organiser who no longer manages the association", bobs)
	}
}

// TestMigrationMakesMembersAndManagers: the members before migration 0010 stay
// members, and each association's oldest member becomes its manager.
func TestMigrationMakesMembersAndManagers(t *testing.T) {
	url := pgtest.NewDatabaseURL(t)
	db := pgtest.Open(t, url, nil)
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	f := &fixture{t: t, db: db, sql: pool, url: url, ctx: ctx}
	// Everything up to 0009: 0010 is marked done, then undone once the old rows exist.
	f.exec(`CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now())`)
	f.exec(`INSERT INTO schema_migrations (version, name) VALUES (10, 'later')`)
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	f.exec(`INSERT INTO users (email, firstname, lastname, age, password_hash, created_at) VALUES
		('old@example.org', 'old', 'O', 30, 'x', now() - interval '2 years'),
		('new@example.org', 'new', 'N', 30, 'x', now())`)
	f.exec(`INSERT INTO associations (name) VALUES ('Club')`)
	f.exec(`INSERT INTO memberships (association_id, user_id) SELECT 1, id FROM users`)
	f.exec(`DELETE FROM schema_migrations WHERE version = 10`)
	if applied, err := db.Migrate(ctx); err != nil || !slices.Equal(applied, []int{10}) {
		t.Fatalf("migrating: %v %v", applied, err)
	}
	got := f.members(1)
	if got["old"].Status != asso.StatusMember || got["new"].Status != asso.StatusMember || !got["old"].Manager || got["new"].Manager {
		t.Errorf("after the migration: %+v, want both members, the oldest the manager", got)
	}
}

// TestEveryFanOutIsBudgeted: each write that mails many people (an event's
// invitation, update and cancellation, an association's deletion, invitations to
// join by account and by address) is refused whole, with nothing queued, once its
// mail would pass the sender's budget.
func TestEveryFanOutIsBudgeted(t *testing.T) {
	f := newFixture(t)
	ada, bob, cy, dan := f.user("ada", true), f.user("bob", true), f.user("cy", true), f.user("dan", true)
	club := f.association(ada, bob, cy)
	eventID, err := f.event(ada, club)
	if err != nil {
		t.Fatal(err)
	}
	f.exec(`UPDATE mail_outbox SET created_at = created_at - interval '2 hours'`) // the arrangement's mail is old
	f.db.Limits.MailsPerUserHour = 2                                              // each fan-out below mails 3
	queued := func() (n int) {
		f.scan(`SELECT count(*) FROM mail_outbox`, nil, &n)
		return n
	}
	name, newName := "Tournament", "Final"
	for what, write := range map[string]func() error{
		"an event's invitation": func() error { _, err := f.event(ada, club); return err },
		"an event's update": func() error {
			_, err := f.db.UpdateEvent(f.ctx, ada, eventID, asso.EventInput{Name: &newName})
			return err
		},
		"an event's cancellation":      func() error { _, err := f.db.DeleteEvent(f.ctx, ada, eventID); return err },
		"an association's deletion":    func() error { _, err := f.db.DeleteAssociation(f.ctx, ada, club); return err },
		"invitations to join, by name": func() error { return inviteAll(f, ada, name, bob, cy, dan) },
		"invitations to join, by address": func() error {
			other := f.association(ada)
			for _, address := range []string{"x@example.org", "y@example.org", "z@example.org"} {
				if err := f.db.InviteByEmail(f.ctx, ada, other, address); err != nil {
					return err
				}
			}
			return nil
		},
	} {
		before := queued()
		err := write()
		if what == "an association's deletion" {
			// Three cancellations could never fit in a budget of two: 409, not 429.
			if reason(err) != "too_many_cancellations" {
				t.Errorf("%s past any budget: %v, want too_many_cancellations", what, err)
			}
		} else if asso.ErrorCode(err) != asso.ETOOMANY {
			t.Errorf("%s over the budget: %v, want 429", what, err)
		}
		if after := queued(); after-before > f.db.Limits.MailsPerUserHour {
			t.Errorf("%s queued %d e-mails, past the budget of %d", what, after-before, f.db.Limits.MailsPerUserHour)
		}
	}
}

// inviteAll creates an association of caller's inviting people, in one request.
func inviteAll(f *fixture, caller asso.User, name string, people ...asso.User) error {
	ids := []int64{}
	for _, p := range people {
		ids = append(ids, p.ID)
	}
	_, err := f.db.CreateAssociation(f.ctx, caller, asso.AssociationInput{Name: &name, UserIDs: &ids})
	return err
}
