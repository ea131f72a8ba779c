package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// Verification is a fresh verification token: its hash is stored, its link is mailed.
type Verification struct {
	TokenHash []byte
	Link      string
	ExpiresAt time.Time
}

// queueVerification stores v for u and writes the verification e-mail into the outbox,
// inside the caller's transaction.
func queueVerification(ctx context.Context, tx *txn, u asso.User, v Verification) error {
	if _, err := tx.Exec(ctx, `
		INSERT INTO verification_tokens (token_hash, user_id, expires_at) VALUES ($1, $2, $3)`,
		v.TokenHash, u.ID, v.ExpiresAt); err != nil {
		return err
	}
	return enqueueMail(ctx, tx, asso.MailVerification, u.Email, asso.VerificationEmail{
		Firstname: u.Firstname, Lastname: u.Lastname, Link: v.Link, Reader: asso.ReaderOf(u),
	}, 0)
}

// enqueueMail writes one e-mail into the outbox, inside the caller's transaction.
// senderID is the user who caused it, counted against their mail budget (0: nobody,
// as for a sign-up).
func enqueueMail(ctx context.Context, tx *txn, kind, recipient string, payload any, senderID int64) error {
	var id int64
	err := tx.QueryRow(ctx, `
		INSERT INTO mail_outbox (kind, recipient, payload, sender_id, published_at)
		VALUES ($1, $2, $3, NULLIF($4, 0), CASE WHEN $5 THEN now() END) RETURNING id`,
		kind, recipient, payload, senderID, tx.publishing).Scan(&id)
	tx.queuedMail = append(tx.queuedMail, id)
	return err
}

// Verify uses a verification token up: it marks a new account verified, or applies
// the e-mail change the token confirms (which revokes every older access token).
// Opening a sign-up link again answers 403 "user already verified", as the original did.
func (db *DB) Verify(ctx context.Context, tokenHash []byte) (u asso.User, err error) {
	defer wrap(&err, "Verify()")
	invalid := asso.Reasoned(asso.ENOTFOUND, "invalid_token", "invalid or expired token")
	err = db.inTx(ctx, func(tx *txn) error {
		var expired, used, verified bool
		var newEmail *string
		err := tx.QueryRow(ctx, `
			SELECT t.user_id, t.expires_at <= now(), t.used_at IS NOT NULL, u.verified_at IS NOT NULL, t.new_email
			FROM verification_tokens t JOIN users u ON u.id = t.user_id
			WHERE t.token_hash = $1
			FOR UPDATE`, tokenHash).Scan(&u.ID, &expired, &used, &verified, &newEmail)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			return invalid
		case err != nil:
			return err
		case verified && newEmail == nil:
			return asso.Reasoned(asso.EFORBIDDEN, "already_verified", "user already verified")
		case expired || used:
			return invalid
		}
		if _, err := tx.Exec(ctx, `UPDATE verification_tokens SET used_at = now() WHERE token_hash = $1`, tokenHash); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `
			UPDATE users u SET verified_at = COALESCE(verified_at, now()), email = COALESCE($2, email),
			       token_version = token_version + CASE WHEN $2::text IS NULL THEN 0 ELSE 1 END
			WHERE u.id = $1 RETURNING `+userColumns, u.ID, newEmail)
		u, err = pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[asso.User])
		if isUniqueViolation(err, "users_email_lower_key") {
			return errEmailUsed
		}
		if err != nil {
			return err
		}
		// The address is proven: what was sent to it before it had an account is theirs.
		return claimEmailInvitations(ctx, tx, u.ID)
	})
	return u, err
}

// ResendVerification records a resend request for email and, when the address belongs
// to an unverified account, replaces its unused tokens with v and queues the e-mail.
// Requests are throttled per address, known or not, so the answer reveals nothing.
func (db *DB) ResendVerification(ctx context.Context, email string, v Verification, policy asso.LoginThrottle) (err error) {
	defer wrap(&err, "ResendVerification()")
	return db.inTx(ctx, func(tx *txn) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(lower($1), 2))`, email); err != nil {
			return err
		}
		if err := recordResend(ctx, tx, email, policy); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `
			SELECT `+userColumns+` FROM users u
			WHERE lower(u.email) = lower($1) AND u.verified_at IS NULL`, email)
		u, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByPos[asso.User])
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // unknown or already verified: nothing to send, and nothing said
		}
		if err != nil {
			return err
		}
		// Only the newest link works: a stale e-mail cannot verify the account.
		if _, err := tx.Exec(ctx, `DELETE FROM verification_tokens WHERE user_id = $1 AND used_at IS NULL`, u.ID); err != nil {
			return err
		}
		return queueVerification(ctx, tx, u, v)
	})
}

// recordResend records that a verification link is to be mailed to email, unless the
// address had its share within the window (ETOOMANY).
func recordResend(ctx context.Context, tx *txn, email string, policy asso.LoginThrottle) error {
	if err := checkThrottle(ctx, tx, resendsPerEmail, policy.ResendPerKey, email, policy.ResendWindow.Seconds()); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO verification_resends (email) VALUES ($1)`, email)
	return err
}

// CountClientRequest records one request of action (sign-up, resend) from clientIP,
// unless the address made limit of them within window (ETOOMANY with Retry-After).
func (db *DB) CountClientRequest(ctx context.Context, action, clientIP string, window time.Duration, limit int) (err error) {
	defer wrap(&err, "CountClientRequest()")
	return db.inTx(ctx, func(tx *txn) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1 || ' ' || $2, 4))`, action, clientIP); err != nil {
			return err
		}
		if err := checkThrottle(ctx, tx, requestsPerClient, limit, clientIP, window.Seconds(), action); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO client_requests (action, client_ip) VALUES ($1, $2)`, action, clientIP)
		return err
	})
}

// ReserveLoginAttempt counts recent attempts for email and for clientIP and, below both
// limits, records this attempt as a failure until ForgiveLoginAttempts says otherwise.
// Recording before the password check makes the limit exact under concurrency: parallel
// guesses each take a slot. Over a limit it returns ETOOMANY with RetryAfter.
func (db *DB) ReserveLoginAttempt(ctx context.Context, email, clientIP string, policy asso.LoginThrottle) (err error) {
	defer wrap(&err, "ReserveLoginAttempt()")
	return db.inTx(ctx, func(tx *txn) error {
		// Always e-mail lock first, then client lock: one order, so no deadlock.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended(lower($1), 0)),
		                                  pg_advisory_xact_lock(hashtextextended($2, 1))`, email, clientIP); err != nil {
			return err
		}
		if err := checkThrottle(ctx, tx, attemptsPerEmail, policy.PerEmail, email, policy.Window.Seconds()); err != nil {
			return err
		}
		if err := checkThrottle(ctx, tx, attemptsPerClient, policy.PerClient, clientIP, policy.Window.Seconds()); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO login_attempts (email, client_ip) VALUES ($1, $2)`, email, clientIP)
		return err
	})
}

// ForgiveLoginAttempts forgets the recorded attempts for email after a correct password.
func (db *DB) ForgiveLoginAttempts(ctx context.Context, email string) (err error) {
	defer wrap(&err, "ForgiveLoginAttempts()")
	_, err = db.pool.Exec(ctx, `DELETE FROM login_attempts WHERE lower(email) = lower($1)`, email)
	return err
}
