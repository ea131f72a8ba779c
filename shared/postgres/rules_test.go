package postgres_test

import (
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// The store's rules, tested where they live, on a real database. The end-to-end
// tests (shared/e2e) check that the API answers them with the contract's statuses.

// TestManagersOnly: every write to an association, or to what is in it, is refused to
// a signed-in non-member and to a person invited (forbidden, not_member), to a member
// who is not a manager (forbidden, not_manager), and allowed to a manager and to the
// admin.
func TestManagersOnly(t *testing.T) {
	f := newFixture(t)
	member, outsider, other := f.user("member", true), f.user("outsider", true), f.user("other", true)
	plain, invited := f.user("plain", true), f.user("invited", true)
	admin := f.user("admin", true)
	f.exec(`UPDATE users SET is_admin = true WHERE id = $1`, admin.ID)
	admin.IsAdmin = true
	aID := f.association(member, other, plain)
	f.invite(member, aID, invited)
	key := asso.RoleKey{UserID: other.ID, AssociationID: aID}
	text, name := "Minutes", "Meeting"
	day := time.Date(2030, 1, 1, 18, 0, 0, 0, time.UTC)
	none := []int64{}
	newMinute := func() int64 {
		doc, err := f.db.CreateMinute(f.ctx, member, asso.MinuteInput{Content: &text, Date: &day, AssociationID: &aID, VoterIDs: &none})
		return idOf(t, doc, err)
	}
	newEvent := func() int64 {
		doc, err := f.db.CreateEvent(f.ctx, member, asso.EventInput{Name: &name, Start: &day, End: &day, AssociationID: &aID})
		return idOf(t, doc, err)
	}
	giveRole := func() {
		if _, err := f.db.SetRole(f.ctx, member, key, "Coach"); err != nil {
			t.Fatal(err)
		}
	}
	writes := map[string]func(caller asso.User) error{
		"UpdateAssociation": func(c asso.User) error {
			_, err := f.db.UpdateAssociation(f.ctx, c, aID, asso.AssociationInput{Name: &name})
			return err
		},
		"DeleteAssociation": func(c asso.User) error {
			club := f.association(member, plain)
			f.invite(member, club, invited)
			_, err := f.db.DeleteAssociation(f.ctx, c, club)
			return err
		},
		"SetRole":    func(c asso.User) error { _, err := f.db.SetRole(f.ctx, c, key, "Treasurer"); return err },
		"RenameRole": func(c asso.User) error { giveRole(); _, err := f.db.RenameRole(f.ctx, c, key, "Captain"); return err },
		"DeleteRole": func(c asso.User) error { giveRole(); _, err := f.db.DeleteRole(f.ctx, c, key); return err },
		"CreateMinute": func(c asso.User) error {
			_, err := f.db.CreateMinute(f.ctx, c, asso.MinuteInput{Content: &text, Date: &day, AssociationID: &aID, VoterIDs: &none})
			return err
		},
		"UpdateMinute": func(c asso.User) error {
			_, err := f.db.UpdateMinute(f.ctx, c, newMinute(), asso.MinuteInput{Content: &name})
			return err
		},
		"DeleteMinute": func(c asso.User) error { _, err := f.db.DeleteMinute(f.ctx, c, newMinute()); return err },
		"CreateEvent": func(c asso.User) error {
			_, err := f.db.CreateEvent(f.ctx, c, asso.EventInput{Name: &name, Start: &day, End: &day, AssociationID: &aID})
			return err
		},
		"UpdateEvent": func(c asso.User) error {
			_, err := f.db.UpdateEvent(f.ctx, c, newEvent(), asso.EventInput{Name: &text})
			return err
		},
		"DeleteEvent": func(c asso.User) error { _, err := f.db.DeleteEvent(f.ctx, c, newEvent()); return err },
	}
	for op, write := range writes {
		for who, refused := range map[string]struct {
			caller asso.User
			reason string
		}{"a non-member": {outsider, "not_member"}, "a person invited": {invited, "not_member"}, "a plain member": {plain, "not_manager"}} {
			var e *asso.Error
			if err := write(refused.caller); !errors.As(err, &e) || e.Code != asso.EFORBIDDEN || e.Reason != refused.reason {
				t.Errorf("%s by %s: %v, want forbidden (%s)", op, who, err, refused.reason)
			}
		}
		if err := write(member); err != nil {
			t.Errorf("%s by a manager: %v", op, err)
		}
		if err := write(admin); err != nil {
			t.Errorf("%s by the admin: %v", op, err)
		}
	}
}

// TestAccountRules: an account is changed or deleted by its owner or the admin only,
// and the admin cannot delete themselves.
func TestAccountRules(t *testing.T) {
	f := newFixture(t)
	ada, bob := f.user("ada", true), f.user("bob", true)
	admin := f.user("root", true)
	f.exec(`UPDATE users SET is_admin = true WHERE id = $1`, admin.ID)
	admin.IsAdmin = true
	name := "Robert"
	if _, err := f.db.UpdateUser(f.ctx, ada, bob.ID, asso.UserPatch{Firstname: &name}, postgres.Verification{}, asso.DefaultLoginThrottle); asso.ErrorCode(err) != asso.EFORBIDDEN {
		t.Errorf("ada renames bob: %v, want forbidden", err)
	}
	if u, err := f.db.UpdateUser(f.ctx, admin, bob.ID, asso.UserPatch{Firstname: &name}, postgres.Verification{}, asso.DefaultLoginThrottle); err != nil || u.Firstname != name {
		t.Errorf("the admin renames bob: %+v, %v", u, err)
	}
	if _, err := f.db.DeleteUser(f.ctx, ada, bob.ID); asso.ErrorCode(err) != asso.EFORBIDDEN {
		t.Errorf("ada deletes bob: %v, want forbidden", err)
	}
	var e *asso.Error
	if _, err := f.db.DeleteUser(f.ctx, admin, admin.ID); !errors.As(err, &e) || e.Reason != "cannot_delete_self" {
		t.Errorf("the admin deletes themselves: %v, want cannot_delete_self", err)
	}
	if _, err := f.db.DeleteUser(f.ctx, bob, bob.ID); err != nil {
		t.Errorf("bob deletes himself: %v", err)
	}
	if _, err := f.db.User(f.ctx, bob.ID); asso.ErrorCode(err) != asso.ENOTFOUND {
		t.Errorf("bob after his deletion: %v, want not found", err)
	}
}

// TestRoleRules: a role goes only to a member; a second SetRole renames it; renaming
// a member who has no role gives them one; a missing role is not found.
func TestRoleRules(t *testing.T) {
	f := newFixture(t)
	ada, bob, cyd := f.user("ada", true), f.user("bob", true), f.user("cyd", true)
	aID := f.association(ada, bob)
	if _, err := f.db.SetRole(f.ctx, ada, asso.RoleKey{UserID: cyd.ID, AssociationID: aID}, "Coach"); asso.ErrorCode(err) != asso.EINVALID {
		t.Errorf("a role for a non-member: %v, want invalid", err)
	}
	key := asso.RoleKey{UserID: bob.ID, AssociationID: aID}
	for _, name := range []string{"Coach", "Captain"} {
		if _, err := f.db.SetRole(f.ctx, ada, key, name); err != nil {
			t.Fatal(err)
		}
	}
	if roles, err := f.db.UserRoles(f.ctx, bob.ID); err != nil || len(roles) != 1 || roles[0].Name != "Captain" {
		t.Errorf("bob's roles after two SetRole: %+v, %v", roles, err)
	}
	if _, err := f.db.RenameRole(f.ctx, ada, asso.RoleKey{UserID: ada.ID, AssociationID: aID}, "President"); err != nil {
		t.Errorf("renaming the creator, who has no role row: %v", err)
	}
	if _, err := f.db.DeleteRole(f.ctx, ada, key); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.Role(f.ctx, key); asso.ErrorCode(err) != asso.ENOTFOUND {
		t.Errorf("a deleted role: %v, want not found", err)
	}
}

// TestDeletionsCascade: deleting an association takes its memberships, roles,
// minutes and events with it; deleting a user takes their memberships, roles and votes.
func TestDeletionsCascade(t *testing.T) {
	f := newFixture(t)
	ada, bob := f.user("ada", true), f.user("bob", true)
	aID := f.association(ada, bob)
	if _, err := f.db.SetRole(f.ctx, ada, asso.RoleKey{UserID: bob.ID, AssociationID: aID}, "Coach"); err != nil {
		t.Fatal(err)
	}
	text, day, voters := "Minutes", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC), []int64{ada.ID, bob.ID}
	if _, err := f.db.CreateMinute(f.ctx, ada, asso.MinuteInput{Content: &text, Date: &day, AssociationID: &aID, VoterIDs: &voters}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.event(ada, aID); err != nil {
		t.Fatal(err)
	}
	rows := func(table, column string, id int64) (n int) {
		f.scan(`SELECT count(*) FROM `+table+` WHERE `+column+` = $1`, []any{id}, &n)
		return n
	}
	if _, err := f.db.DeleteUser(f.ctx, bob, bob.ID); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"memberships", "roles", "minute_voters"} {
		if n := rows(table, "user_id", bob.ID); n != 0 {
			t.Errorf("%d %s rows of a deleted user", n, table)
		}
	}
	if _, err := f.db.DeleteAssociation(f.ctx, ada, aID); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"memberships", "roles", "minutes", "events"} {
		if n := rows(table, "association_id", aID); n != 0 {
			t.Errorf("%d %s rows of a deleted association", n, table)
		}
	}
}

// TestVerificationTokens: a token verifies once; opened again on a verified account
// it says already_verified; an unknown or expired one is invalid_token.
func TestVerificationTokens(t *testing.T) {
	f := newFixture(t)
	f.user("ada", false)
	hash := []byte("ada token hash") // what f.user stored
	if u, err := f.db.Verify(f.ctx, hash); err != nil || u.Firstname != "ada" {
		t.Fatalf("first use: %+v, %v", u, err)
	}
	var e *asso.Error
	if _, err := f.db.Verify(f.ctx, hash); !errors.As(err, &e) || e.Reason != "already_verified" {
		t.Errorf("second use: %v, want already_verified", err)
	}
	if _, err := f.db.Verify(f.ctx, []byte("no such token")); !errors.As(err, &e) || e.Reason != "invalid_token" {
		t.Errorf("an unknown token: %v, want invalid_token", err)
	}
	f.user("bob", false)
	f.exec(`UPDATE verification_tokens SET expires_at = now() - interval '1 second' WHERE token_hash = $1`, []byte("bob token hash"))
	if _, err := f.db.Verify(f.ctx, []byte("bob token hash")); !errors.As(err, &e) || e.Reason != "invalid_token" {
		t.Errorf("an expired token: %v, want invalid_token", err)
	}
}

// TestEmailVisibility: a user's e-mail is shown to themselves, the admin and people
// who share an association with them, and left out for everyone else.
func TestEmailVisibility(t *testing.T) {
	f := newFixture(t)
	ada, bob, cyd := f.user("ada", true), f.user("bob", true), f.user("cyd", true)
	f.association(ada, bob)
	admin := asso.User{ID: -1, IsAdmin: true}
	for _, tc := range []struct {
		viewer asso.User
		sees   map[int64]bool
	}{
		{ada, map[int64]bool{ada.ID: true, bob.ID: true, cyd.ID: false}},
		{cyd, map[int64]bool{ada.ID: false, bob.ID: false, cyd.ID: true}},
		{admin, map[int64]bool{ada.ID: true, bob.ID: true, cyd.ID: true}},
	} {
		users, _, err := f.db.Users(f.ctx, tc.viewer, asso.Search{}, asso.Page{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range users {
			if sees, ok := tc.sees[u.ID]; ok && sees != (u.Email != "") {
				t.Errorf("viewer %d sees the e-mail of %d: %v, want %v", tc.viewer.ID, u.ID, !sees, sees)
			}
		}
	}
}

// TestLoginThrottle: past PerEmail attempts within the window, the next is refused
// with throttled and a Retry-After, whatever the client; forgiving clears the count.
func TestLoginThrottle(t *testing.T) {
	f := newFixture(t)
	policy := asso.DefaultLoginThrottle
	for i := range policy.PerEmail {
		if err := f.db.ReserveLoginAttempt(f.ctx, "ada@example.org", "192.0.2."+string(rune('1'+i)), policy); err != nil {
			t.Fatalf("attempt %d: %v", i+1, err)
		}
	}
	var e *asso.Error
	err := f.db.ReserveLoginAttempt(f.ctx, "ADA@example.org", "192.0.2.99", policy)
	if !errors.As(err, &e) || e.Reason != "throttled" || e.RetryAfter <= 0 {
		t.Errorf("attempt %d: %v, want throttled with a Retry-After", policy.PerEmail+1, err)
	}
	if err := f.db.ForgiveLoginAttempts(f.ctx, "ada@example.org"); err != nil {
		t.Fatal(err)
	}
	if err := f.db.ReserveLoginAttempt(f.ctx, "ada@example.org", "192.0.2.1", policy); err != nil {
		t.Errorf("after a correct password: %v", err)
	}
}

// TestTotals: X-Total-Count is the list's length on every page: a full page and an
// empty one past the end count the list, a page that ends it says it from its offset.
func TestTotals(t *testing.T) {
	f := newFixture(t)
	ada := f.user("ada", true)
	for range 5 {
		f.association(ada)
	}
	for _, tc := range []struct{ limit, offset, count int }{{2, 0, 2}, {2, 2, 2}, {2, 4, 1}, {2, 10, 0}, {10, 0, 5}} {
		_, listed, err := f.db.Associations(f.ctx, asso.Search{}, asso.Page{Limit: tc.limit, Offset: tc.offset})
		if err != nil || listed.Total != 5 || listed.Count != tc.count {
			t.Errorf("associations limit %d offset %d: %+v, %v; want %d of 5", tc.limit, tc.offset, listed, err, tc.count)
		}
		want := 0 // ada is the only user: on the first page only
		if tc.offset == 0 {
			want = 1
		}
		_, listed, err = f.db.Users(f.ctx, ada, asso.Search{}, asso.Page{Limit: tc.limit, Offset: tc.offset})
		if err != nil || listed.Total != 1 || listed.Count != want {
			t.Errorf("users limit %d offset %d: %+v, %v; want %d of 1", tc.limit, tc.offset, listed, err, want)
		}
	}
}

// idOf is the id of the document a store write answered.
func idOf(t *testing.T, doc json.RawMessage, err error) int64 {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
	var v struct{ ID int64 }
	if err := json.Unmarshal(doc, &v); err != nil {
		t.Fatal(err)
	}
	return v.ID
}
