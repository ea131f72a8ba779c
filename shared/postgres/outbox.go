package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// Mail is one outbox row claimed for sending.
type Mail struct {
	ID        int64
	Kind      string
	Recipient string
	Payload   json.RawMessage
	Attempts  int
	// Wanted is false when the recipient no longer wants it: their account is gone or
	// unverified, or they unsubscribed from the association's mail since it was queued.
	Wanted bool
}

// ClaimState says what ClaimMail found.
type ClaimState int

const (
	Claimed ClaimState = iota // the caller owns the row until the lease ends
	Done                      // already sent or permanently failed: nothing to do
	Busy                      // another mailer holds a live claim: try again later
	Missing                   // no such row (a cancellation superseded the update)
	NotDue                    // a coalesced update whose window is still open: the relay publishes it when due
)

// ClaimMail takes row id for lease, atomically: a duplicate delivery or a concurrent
// mailer finds it Done or Busy and sends nothing. A claim whose lease ran out (the
// mailer died) can be taken again.
func (db *DB) ClaimMail(ctx context.Context, id int64, lease time.Duration) (m Mail, state ClaimState, err error) {
	defer wrap(&err, "ClaimMail(%d)", id)
	var payload []byte
	err = db.pool.QueryRow(ctx, `
		UPDATE mail_outbox o SET claimed_until = now() + make_interval(secs => $2), attempts = attempts + 1
		WHERE id = $1 AND sent_at IS NULL AND failed_at IS NULL AND send_after <= now()
		  AND (claimed_until IS NULL OR claimed_until < now())
		RETURNING id, kind, recipient, payload, attempts,
		          o.user_id IS NULL OR (
		              EXISTS (SELECT 1 FROM users u WHERE u.id = o.user_id AND u.verified_at IS NOT NULL)
		              AND NOT EXISTS (SELECT 1 FROM memberships m
		                              WHERE m.user_id = o.user_id AND m.association_id = o.association_id AND m.mail_opt_out))`,
		id, lease.Seconds()).
		Scan(&m.ID, &m.Kind, &m.Recipient, &payload, &m.Attempts, &m.Wanted)
	m.Payload = payload
	if err == nil {
		return m, Claimed, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return m, 0, err
	}
	var finished, due bool
	err = db.pool.QueryRow(ctx, `
		SELECT sent_at IS NOT NULL OR failed_at IS NOT NULL, send_after <= now() FROM mail_outbox WHERE id = $1`,
		id).Scan(&finished, &due)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return m, Missing, nil
	case err != nil:
		return m, 0, err
	case finished:
		return m, Done, nil
	case !due:
		return m, NotDue, nil
	}
	return m, Busy, nil
}

// MarkSent records that SES accepted mail id. A verification link has done its job in
// the outbox once sent: it is removed, so only the token's hash stays in the database.
func (db *DB) MarkSent(ctx context.Context, id int64, sesMessageID string) (err error) {
	defer wrap(&err, "MarkSent(%d)", id)
	_, err = db.pool.Exec(ctx, `
		UPDATE mail_outbox SET sent_at = now(), ses_message_id = $2, claimed_until = NULL, last_error = NULL,
		       payload = payload - 'link'
		WHERE id = $1`, id, sesMessageID)
	return err
}

// MarkFailed records a permanent failure: the mail is not retried.
func (db *DB) MarkFailed(ctx context.Context, id int64, reason string) (err error) {
	defer wrap(&err, "MarkFailed(%d)", id)
	_, err = db.pool.Exec(ctx, `
		UPDATE mail_outbox SET failed_at = now(), claimed_until = NULL, last_error = $2 WHERE id = $1`, id, reason)
	return err
}

// ReleaseMail gives up a claim after a transient failure, so the next delivery retries.
func (db *DB) ReleaseMail(ctx context.Context, id int64, reason string) (err error) {
	defer wrap(&err, "ReleaseMail(%d)", id)
	_, err = db.pool.Exec(ctx, `UPDATE mail_outbox SET claimed_until = NULL, last_error = $2 WHERE id = $1`, id, reason)
	return err
}

// Publisher puts outbox ids on the mail queue and returns the ids it took; the error
// tells about the others.
type Publisher interface {
	Publish(ctx context.Context, outboxIDs []int64) ([]int64, error)
}

// publishTimeout bounds the publish after a commit: the relay catches up with
// anything it misses, so a request should not wait long on a sick queue.
const publishTimeout = 3 * time.Second

// publish hands the ids a transaction queued to the Outbox publisher. Failures are
// logged, never returned: the transaction has committed.
//
// The rows were written marked published (txn.publishing): once on the queue, the
// mailers claim them at once, and marking them afterwards waited on those claims (an
// invitation to 5,000 members spent 130 ms there). Those the queue refused are
// unmarked here, for the relay to publish. A function that dies between its commit and
// its publish leaves rows marked and not on the queue: the relay takes them as lost
// after MAIL_REPUBLISH_AFTER, so they are late, not lost.
func (db *DB) publish(ctx context.Context, ids []int64) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	published, err := db.outbox.Publish(ctx, ids)
	if err == nil && len(published) == len(ids) {
		return
	}
	db.log.WarnContext(ctx, "mail not published; the relay will publish it", "outbox_ids", ids, "error", fmt.Sprint(err))
	refused := slices.DeleteFunc(slices.Clone(ids), func(id int64) bool { return slices.Contains(published, id) })
	if err := db.UnmarkPublished(ctx, refused); err != nil {
		db.log.ErrorContext(ctx, "refused mail left marked published; the relay republishes it later", "outbox_ids", refused, "error", err.Error())
	}
}

// UnmarkPublished records that the mails are not on the queue after all (the queue
// refused them, or a stopping mailer gives them back), for the relay to publish them
// on its next run instead of after MAIL_REPUBLISH_AFTER. Mail already sent stays as it is.
func (db *DB) UnmarkPublished(ctx context.Context, ids []int64) (err error) {
	defer wrap(&err, "UnmarkPublished()")
	_, err = db.pool.Exec(ctx, `UPDATE mail_outbox SET published_at = NULL WHERE id = ANY($1) AND sent_at IS NULL`, ids)
	return err
}

// RelayUnpublished hands publish the due mails that no queue message will bring to
// the mailer, at most limit of them, and marks those it published: mail committed
// more than grace ago but never published (the queue was down, or the function died
// between commit and publish), and mail published more than republishAfter ago but
// neither sent, failed nor claimed (the queue lost the message: expired, purged, or
// the queue itself restarted). A duplicate is harmless: the mailer's claim is atomic.
// Concurrent relays skip each other's rows.
func (db *DB) RelayUnpublished(ctx context.Context, grace, republishAfter time.Duration, limit int, publish func(context.Context, []int64) ([]int64, error)) (published []int64, err error) {
	defer wrap(&err, "RelayUnpublished()")
	var publishErr error
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			SELECT id FROM mail_outbox
			WHERE sent_at IS NULL AND failed_at IS NULL AND send_after <= now()
			  AND (claimed_until IS NULL OR claimed_until < now())
			  AND (published_at IS NULL AND created_at < now() - make_interval(secs => $1)
			       OR published_at < now() - make_interval(secs => $2))
			ORDER BY id LIMIT $3
			FOR UPDATE SKIP LOCKED`, grace.Seconds(), republishAfter.Seconds(), limit)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil || len(ids) == 0 {
			return err
		}
		// What was published is marked even when the rest failed: the failure is
		// reported after the commit, and the next run retries only the rest.
		published, publishErr = publish(ctx, ids)
		if len(published) == 0 {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE mail_outbox SET published_at = now() WHERE id = ANY($1)`, published)
		return err
	})
	if err != nil {
		return nil, err
	}
	return published, publishErr
}

// Retention says how long the bookkeeping tables keep their rows.
type Retention struct {
	Throttle asso.LoginThrottle // login, resend and client counters older than their windows go
	Mail     time.Duration      // sent and failed mail, and expired verification tokens
}

// pruneBatch bounds each delete, so that one run never holds long locks; the next
// run takes the rest.
const pruneBatch = 10000

// Prune deletes what no rule needs any more: throttle counters past their windows,
// invitations (by account or address) and records of invitation mail past their
// lifetime, the day's log of invitations by address, sent and
// failed mail and expired verification tokens older than the retention. It
// returns how many rows went.
func (db *DB) Prune(ctx context.Context, r Retention) (deleted int64, err error) {
	defer wrap(&err, "Prune()")
	for _, q := range []struct {
		sql string
		age time.Duration
	}{
		{`DELETE FROM login_attempts WHERE id IN (
			SELECT id FROM login_attempts WHERE attempted_at < now() - make_interval(secs => $1) LIMIT $2)`, r.Throttle.Window},
		{`DELETE FROM verification_resends WHERE id IN (
			SELECT id FROM verification_resends WHERE requested_at < now() - make_interval(secs => $1) LIMIT $2)`, r.Throttle.ResendWindow},
		{`DELETE FROM client_requests WHERE id IN (
			SELECT id FROM client_requests WHERE requested_at < now() - make_interval(secs => $1) LIMIT $2)`, r.Throttle.ClientWindow},
		{`DELETE FROM verification_tokens WHERE token_hash IN (
			SELECT token_hash FROM verification_tokens WHERE expires_at < now() - make_interval(secs => $1) LIMIT $2)`, r.Mail},
		{`DELETE FROM email_invitations WHERE ctid IN (
			SELECT ctid FROM email_invitations WHERE invited_at < now() - make_interval(secs => $1) LIMIT $2)`, asso.InvitationLifetime},
		{`DELETE FROM memberships WHERE (association_id, user_id) IN (
			SELECT association_id, user_id FROM memberships WHERE status = 'invited' AND invited_at < now() - make_interval(secs => $1) LIMIT $2)`,
			asso.InvitationLifetime},
		{`DELETE FROM email_invitation_log WHERE ctid IN (
			SELECT ctid FROM email_invitation_log WHERE invited_at < now() - make_interval(secs => $1) LIMIT $2)`, 24 * time.Hour},
		{`DELETE FROM invitation_mails WHERE (association_id, email) IN (
			SELECT association_id, email FROM invitation_mails WHERE mailed_at < now() - make_interval(secs => $1) LIMIT $2)`, asso.InvitationLifetime},
		{`DELETE FROM mail_outbox WHERE id IN (
			SELECT id FROM mail_outbox WHERE created_at < now() - make_interval(secs => $1)
			  AND (sent_at IS NOT NULL OR failed_at IS NOT NULL) LIMIT $2)`, r.Mail},
	} {
		tag, err := db.pool.Exec(ctx, q.sql, q.age.Seconds(), pruneBatch)
		if err != nil {
			return deleted, err
		}
		deleted += tag.RowsAffected()
	}
	return deleted, nil
}

// OutboxStats returns the due e-mails neither sent nor failed and how long the oldest
// has been due (coalesced updates waiting for their window are not late).
func (db *DB) OutboxStats(ctx context.Context) (pending int, oldest time.Duration, err error) {
	defer wrap(&err, "OutboxStats()")
	var seconds float64
	err = db.pool.QueryRow(ctx, `
		SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(send_after)), 0)
		FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND send_after <= now()`).Scan(&pending, &seconds)
	return pending, time.Duration(seconds * float64(time.Second)), err
}

// PoolStats returns the pool's connections in use, idle, and its maximum.
func (db *DB) PoolStats() (inUse, idle, max int32) {
	s := db.pool.Stat()
	return s.AcquiredConns(), s.IdleConns(), s.MaxConns()
}

// PoolWaits returns how many connections were taken from the pool, how many of those
// takers found none idle and waited, and the time they waited in total.
func (db *DB) PoolWaits() (acquired, waited int64, waiting time.Duration) {
	s := db.pool.Stat()
	return s.AcquireCount(), s.EmptyAcquireCount(), s.EmptyAcquireWaitTime()
}
