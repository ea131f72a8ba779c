package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// userColumns selects asso.User's fields in its declaration order, for RowToStructByPos.
// A preference not chosen (NULL) is empty.
const userColumns = `u.id, u.email, u.firstname, u.lastname, u.age, u.is_admin, COALESCE(u.locale, ''), COALESCE(u.time_zone, '')`

// viewedUserColumns are userColumns as the viewer ($1 id, $2 isAdmin) may see them:
// the e-mail is empty (and left out of the JSON) unless they may see it, the
// preferences unless they are the user or the admin.
var viewedUserColumns = `u.id, CASE WHEN ` + seesEmail("$1", "$2", "u.id") + ` THEN u.email ELSE '' END,
	u.firstname, u.lastname, u.age, u.is_admin,
	CASE WHEN $1 = u.id OR $2 THEN COALESCE(u.locale, '') ELSE '' END,
	CASE WHEN $1 = u.id OR $2 THEN COALESCE(u.time_zone, '') ELSE '' END`

var errUserNotFound = asso.Errorf(asso.ENOTFOUND, "user not found")
var errEmailUsed = asso.Reasoned(asso.ECONFLICT, "email_taken", "email already used")

// Credentials is what login needs to know about an account.
type Credentials struct {
	User         asso.User
	PasswordHash string
	Verified     bool
	TokenVersion int
}

// CreateUser creates an unverified account and, in the same transaction, its
// verification token and the verification e-mail in the outbox.
func (db *DB) CreateUser(ctx context.Context, nu asso.NewUser, v Verification) (u asso.User, err error) {
	defer wrap(&err, "CreateUser()")
	err = db.inTx(ctx, func(tx *txn) error {
		rows, _ := tx.Query(ctx, `
			INSERT INTO users AS u (email, firstname, lastname, age, password_hash, locale, time_zone)
			VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), NULLIF($7, ''))
			RETURNING `+userColumns,
			nu.Email, nu.Firstname, nu.Lastname, nu.Age, nu.PasswordHash, nu.Locale, nu.TimeZone)
		u, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[asso.User])
		if isUniqueViolation(err, "users_email_lower_key") {
			return errEmailUsed
		}
		if err != nil {
			return err
		}
		return queueVerification(ctx, tx, u, v)
	})
	return u, err
}

// User returns one user.
func (db *DB) User(ctx context.Context, id int64) (u asso.User, err error) {
	defer wrap(&err, "User(%d)", id)
	rows, _ := db.pool.Query(ctx, `SELECT `+userColumns+` FROM users u WHERE u.id = $1`, id)
	u, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[asso.User])
	if errors.Is(err, pgx.ErrNoRows) {
		return u, errUserNotFound
	}
	return u, err
}

// Authenticate returns the user of an access token: the account must still exist and
// be at the token's version (no password or e-mail change since it was issued). In
// the same query it reads the data version: the sum of data_versions, which every
// write to a table an API document reads from increases (migration 0006). Any page
// rendered at that version is still what the database would answer.
func (db *DB) Authenticate(ctx context.Context, id int64, version int) (u asso.User, dataVersion int64, err error) {
	defer wrap(&err, "Authenticate(%d)", id)
	err = db.pool.QueryRow(ctx, `SELECT `+userColumns+`, `+dataVersionSQL+` FROM users u WHERE u.id = $1 AND u.token_version = $2`,
		id, version).Scan(&u.ID, &u.Email, &u.Firstname, &u.Lastname, &u.Age, &u.IsAdmin, &u.Locale, &u.TimeZone, &dataVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, 0, errUserNotFound
	}
	return u, dataVersion, err
}

// Users lists the users found by search (all without one) by id, with their total
// count for X-Total-Count.
func (db *DB) Users(ctx context.Context, viewer asso.User, search asso.Search, page asso.Page) (users []asso.User, listed asso.Listed, err error) {
	defer wrap(&err, "Users()")
	where, args := "", []any{viewer.ID, viewer.IsAdmin}
	if len(search.Words) > 0 {
		// An address matches only for a viewer who may see it: a search must not tell
		// whose address it is.
		patterns, err := db.searchPatterns(ctx, search)
		if err != nil {
			return nil, listed, err
		}
		n := len(patterns)
		where = `WHERE ` + matchesAll("u.search_name", 3, n) + ` OR (` +
			matchesAll("u.search_email", 3, n) + ` AND ` + seesEmail("$1", "$2", "u.id") + `)`
		args = append(args, patterns...)
	}
	rows, _ := db.pool.Query(ctx, `
		SELECT `+viewedUserColumns+`
		FROM users u `+where+` ORDER BY u.id LIMIT $`+strconv.Itoa(len(args)+1)+` OFFSET $`+strconv.Itoa(len(args)+2),
		append(args, page.Limit, page.Offset)...)
	users, err = pgx.CollectRows(rows, pgx.RowToStructByPos[asso.User])
	if err != nil {
		return nil, listed, err
	}
	listed.Count = len(users)
	if endsTheList(page, len(users)) {
		listed.Total = page.Offset + len(users)
		return users, listed, nil
	}
	if where == "" {
		err = db.pool.QueryRow(ctx, `SELECT `+rowCount("users")).Scan(&listed.Total)
	} else {
		err = db.pool.QueryRow(ctx, `SELECT count(*) FROM users u `+where, args...).Scan(&listed.Total)
	}
	return users, listed, err
}

// UserWithAssociations returns a user and a page of the associations they are a
// member of, by id, each with its full member list (members only, not the people
// invited), as viewer may see them, in two queries whatever the number of
// associations. Like a list, the page holds the associations that fit in the byte
// budget, at least one: a member of many large associations would otherwise get a
// document past what Lambda can answer. listed says where the next page starts.
func (db *DB) UserWithAssociations(ctx context.Context, viewer asso.User, id int64, p asso.Page) (uwa asso.UserWithAssociations, listed asso.Listed, err error) {
	defer wrap(&err, "UserWithAssociations(%d)", id)
	rows, _ := db.pool.Query(ctx, `SELECT `+viewedUserColumns+` FROM users u WHERE u.id = $3`, viewer.ID, viewer.IsAdmin, id)
	uwa.User, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[asso.User])
	if errors.Is(err, pgx.ErrNoRows) {
		return uwa, listed, errUserNotFound
	}
	if err != nil {
		return uwa, listed, err
	}
	doc, listed, err := db.list(ctx, userAssociations, viewer.ID, viewer.IsAdmin, id, p.Limit, p.Offset, db.Limits.ResponseBytes)
	if err != nil {
		return uwa, listed, err
	}
	return uwa, listed, json.Unmarshal(doc, &uwa.Associations)
}

// The page of the associations user $3 is a member of, for the viewer ($1 id, $2
// isAdmin): $4 limit, $5 offset, $6 the byte budget.
var userAssociations = listQuery(`SELECT association_id AS id, association_id AS ord FROM memberships
		WHERE user_id = $3 AND status = 'member' ORDER BY association_id LIMIT $4 OFFSET $5`,
	userAssociationSizes, userAssociationDocs, `SELECT count(*) FROM memberships WHERE user_id = $3 AND status = 'member'`, 6)

// UserRoles returns the roles a user holds in every association.
func (db *DB) UserRoles(ctx context.Context, id int64) (roles []asso.Role, err error) {
	defer wrap(&err, "UserRoles(%d)", id)
	if _, err := db.User(ctx, id); err != nil {
		return nil, err
	}
	rows, _ := db.pool.Query(ctx, `
		SELECT name, user_id, association_id FROM roles
		WHERE user_id = $1 ORDER BY association_id`, id)
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (asso.Role, error) {
		var r asso.Role
		err := row.Scan(&r.Name, &r.UserID, &r.AssociationID)
		return r, err
	})
}

// UpdateUser applies patch to user id on behalf of caller: only oneself or the admin
// (the handler has checked that, and the current password, before hashing anything).
// A new password revokes every older access token. A new e-mail does not apply yet:
// v is mailed to it, and Verify applies it once the link is opened. Asking for a
// change of address is throttled per address like a resend.
func (db *DB) UpdateUser(ctx context.Context, caller asso.User, id int64, p asso.UserPatch, v Verification, policy asso.LoginThrottle) (u asso.User, err error) {
	defer wrap(&err, "UpdateUser(%d)", id)
	if err := asso.MayChangeAccount(caller, id); err != nil {
		return u, err
	}
	err = db.inTx(ctx, func(tx *txn) error {
		rows, _ := tx.Query(ctx, `
			UPDATE users AS u SET
				firstname     = COALESCE($2, firstname),
				lastname      = COALESCE($3, lastname),
				age           = COALESCE($4, age),
				password_hash = COALESCE($5, password_hash),
				token_version = token_version + CASE WHEN $5::text IS NULL THEN 0 ELSE 1 END,
				locale        = COALESCE($6, locale),
				time_zone     = COALESCE($7, time_zone)
			WHERE u.id = $1
			RETURNING `+userColumns,
			id, p.Firstname, p.Lastname, p.Age, p.PasswordHash, p.Locale, p.TimeZone)
		u, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[asso.User])
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return errUserNotFound
		case err != nil:
			return err
		}
		if p.Email == nil || strings.EqualFold(*p.Email, u.Email) {
			return nil
		}
		return requestEmailChange(ctx, tx, db.Limits, caller, u, *p.Email, v, policy)
	})
	return u, err
}

// requestEmailChange mails a confirmation link to newEmail; the account keeps its
// address until the link is opened. Only the newest request's link works.
func requestEmailChange(ctx context.Context, tx *txn, limits asso.Limits, caller, u asso.User, newEmail string, v Verification, policy asso.LoginThrottle) error {
	var taken bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE lower(email) = lower($1))`, newEmail).Scan(&taken); err != nil {
		return err
	}
	if taken {
		return errEmailUsed
	}
	if err := recordResend(ctx, tx, newEmail, policy); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM verification_tokens WHERE user_id = $1 AND used_at IS NULL AND new_email IS NOT NULL`, u.ID); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `
		INSERT INTO verification_tokens (token_hash, user_id, expires_at, new_email) VALUES ($1, $2, $3, $4)`,
		v.TokenHash, u.ID, v.ExpiresAt, newEmail); err != nil {
		return err
	}
	if err := enqueueMail(ctx, tx, asso.MailVerification, newEmail, asso.VerificationEmail{
		Firstname: u.Firstname, Lastname: u.Lastname, Link: v.Link, NewEmail: true, Reader: asso.ReaderOf(u),
	}, caller.ID); err != nil {
		return err
	}
	return checkMailBudget(ctx, tx, limits, caller.ID, 0)
}

// DeleteUser deletes user id on behalf of caller (oneself or the admin, who may not
// delete themselves). Memberships, roles, votes, answers and tokens go with it by
// cascade; a place it had at an event goes to the first on the waiting list.
func (db *DB) DeleteUser(ctx context.Context, caller asso.User, id int64) (u asso.User, err error) {
	defer wrap(&err, "DeleteUser(%d)", id)
	switch {
	case caller.ID != id && !caller.IsAdmin:
		return u, asso.Errorf(asso.EFORBIDDEN, "you can only delete your own account")
	case caller.ID == id && caller.IsAdmin:
		return u, asso.Reasoned(asso.EINVALID, "cannot_delete_self", "You cannot delete yourself")
	}
	err = db.inTx(ctx, func(tx *txn) error {
		// The associations first, in id order, then their events, as every other write
		// takes them: an answer that promotes this user, or another member leaving, is
		// then either done before (and its place seen here) or waits for the deletion.
		if _, err := tx.Exec(ctx, `
			SELECT FROM associations WHERE id IN (SELECT association_id FROM memberships WHERE user_id = $1)
			ORDER BY id FOR NO KEY UPDATE`, id); err != nil {
			return err
		}
		freed, err := lockPlacesHeld(ctx, tx, 0, []int64{id})
		if err != nil {
			return err
		}
		if err := handOverManagement(ctx, tx, id); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `DELETE FROM users u WHERE u.id = $1 RETURNING `+userColumns, id)
		u, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[asso.User])
		if errors.Is(err, pgx.ErrNoRows) {
			return errUserNotFound
		}
		if err != nil {
			return err
		}
		// An erasure never waits on a mail budget: the promotions it causes (one a place
		// it had) are queued, and counted in the association's budget, never refused.
		return db.promote(ctx, tx, freed, 0, 0)
	})
	return u, err
}

// CredentialsByEmail returns what login checks, matching the e-mail without regard to case.
func (db *DB) CredentialsByEmail(ctx context.Context, email string) (c Credentials, err error) {
	defer wrap(&err, "CredentialsByEmail()")
	var verifiedAt *time.Time
	err = db.pool.QueryRow(ctx, `
		SELECT `+userColumns+`, u.password_hash, u.verified_at, u.token_version
		FROM users u WHERE lower(u.email) = lower($1)`, email).Scan(
		&c.User.ID, &c.User.Email, &c.User.Firstname, &c.User.Lastname, &c.User.Age, &c.User.IsAdmin,
		&c.User.Locale, &c.User.TimeZone, &c.PasswordHash, &verifiedAt, &c.TokenVersion)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, errUserNotFound
	}
	c.Verified = verifiedAt != nil
	return c, err
}

// defaultAdminLockID serialises default-admin creation across concurrent first starts.
const defaultAdminLockID = 7461_2024_0002

// EnsureDefaultAdmin creates the verified admin account when no user exists yet.
// Two concurrent first starts create exactly one: the advisory lock makes the second
// wait, and then it sees the first one's user. It reports whether it created one.
func (db *DB) EnsureDefaultAdmin(ctx context.Context, email, passwordHash string) (created bool, err error) {
	defer wrap(&err, "EnsureDefaultAdmin()")
	err = db.inTx(ctx, func(tx *txn) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, defaultAdminLockID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `
			INSERT INTO users (email, firstname, lastname, age, password_hash, is_admin, verified_at)
			SELECT $1, 'admin', 'admin', 21, $2, true, now()
			WHERE NOT EXISTS (SELECT 1 FROM users)`, email, passwordHash)
		created = tag.RowsAffected() == 1
		return err
	})
	return created, err
}

// endsTheList reports whether a page of p holding n rows is the list's last, which
// then says the total itself: it holds some rows but fewer than asked, or it is the
// first page and holds none. listQuery makes the same choice in SQL.
func endsTheList(p asso.Page, n int) bool {
	return (n > 0 && n < p.Limit) || (n == 0 && p.Offset == 0)
}
