package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
)

// Mail is one outbox row claimed for sending.
type Mail struct {
	ID        int64
	Kind      string
	Recipient string
	Payload   json.RawMessage
	Attempts  int
}

// ClaimState says what ClaimMail found.
type ClaimState int

const (
	Claimed ClaimState = iota // the caller owns the row until the lease ends
	Done                      // already sent or permanently failed: nothing to do
	Busy                      // another mailer holds a live claim: try again later
	Missing                   // no such row
)

// ClaimMail takes row id for lease, atomically: a duplicate delivery or a concurrent
// mailer finds it Done or Busy and sends nothing. A claim whose lease ran out (the
// mailer died) can be taken again.
func (db *DB) ClaimMail(ctx context.Context, id int64, lease time.Duration) (m Mail, state ClaimState, err error) {
	defer wrap(&err, "claim mail")
	var payload []byte
	err = db.pool.QueryRow(ctx, `
		UPDATE mail_outbox SET claimed_until = now() + make_interval(secs => $2), attempts = attempts + 1
		WHERE id = $1 AND sent_at IS NULL AND failed_at IS NULL
		  AND (claimed_until IS NULL OR claimed_until < now())
		RETURNING id, kind, recipient, payload, attempts`, id, lease.Seconds()).
		Scan(&m.ID, &m.Kind, &m.Recipient, &payload, &m.Attempts)
	m.Payload = payload
	if err == nil {
		return m, Claimed, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return m, 0, err
	}
	var finished bool
	err = db.pool.QueryRow(ctx, `SELECT sent_at IS NOT NULL OR failed_at IS NOT NULL FROM mail_outbox WHERE id = $1`, id).Scan(&finished)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return m, Missing, nil
	case err != nil:
		return m, 0, err
	case finished:
		return m, Done, nil
	}
	return m, Busy, nil
}

// MarkSent records that SES accepted mail id. A verification link has done its job in
// the outbox once sent: it is removed, so only the token's hash stays in the database.
func (db *DB) MarkSent(ctx context.Context, id int64, sesMessageID string) (err error) {
	defer wrap(&err, "mark sent")
	_, err = db.pool.Exec(ctx, `
		UPDATE mail_outbox SET sent_at = now(), ses_message_id = $2, claimed_until = NULL, last_error = NULL,
		       payload = payload - 'link'
		WHERE id = $1`, id, sesMessageID)
	return err
}

// MarkFailed records a permanent failure: the mail is not retried.
func (db *DB) MarkFailed(ctx context.Context, id int64, reason string) (err error) {
	defer wrap(&err, "mark failed")
	_, err = db.pool.Exec(ctx, `
		UPDATE mail_outbox SET failed_at = now(), claimed_until = NULL, last_error = $2 WHERE id = $1`, id, reason)
	return err
}

// ReleaseMail gives up a claim after a transient failure, so the next delivery retries.
func (db *DB) ReleaseMail(ctx context.Context, id int64, reason string) (err error) {
	defer wrap(&err, "release mail")
	_, err = db.pool.Exec(ctx, `UPDATE mail_outbox SET claimed_until = NULL, last_error = $2 WHERE id = $1`, id, reason)
	return err
}

// MarkPublished records that the mails are on the queue.
func (db *DB) MarkPublished(ctx context.Context, ids []int64) (err error) {
	defer wrap(&err, "mark published")
	_, err = db.pool.Exec(ctx, `UPDATE mail_outbox SET published_at = now() WHERE id = ANY($1) AND published_at IS NULL`, ids)
	return err
}

// RelayUnpublished hands publish the mails that were committed more than grace ago
// but never published (the queue was down, or the function died between commit and
// publish), at most limit of them, and marks those it published. Concurrent relays
// skip each other's rows.
func (db *DB) RelayUnpublished(ctx context.Context, grace time.Duration, limit int, publish func(context.Context, []int64) ([]int64, error)) (published []int64, err error) {
	defer wrap(&err, "relay unpublished")
	var publishErr error
	err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `
			SELECT id FROM mail_outbox
			WHERE published_at IS NULL AND sent_at IS NULL AND failed_at IS NULL
			  AND created_at < now() - make_interval(secs => $1)
			ORDER BY id LIMIT $2
			FOR UPDATE SKIP LOCKED`, grace.Seconds(), limit)
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

// OutboxStats returns the e-mails neither sent nor failed and the age of the oldest.
func (db *DB) OutboxStats(ctx context.Context) (pending int, oldest time.Duration, err error) {
	defer wrap(&err, "outbox stats")
	var seconds float64
	err = db.pool.QueryRow(ctx, `
		SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)
		FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL`).Scan(&pending, &seconds)
	return pending, time.Duration(seconds * float64(time.Second)), err
}

// PoolStats returns the pool's connections in use, idle, and its maximum.
func (db *DB) PoolStats() (inUse, idle, max int32) {
	s := db.pool.Stat()
	return s.AcquiredConns(), s.IdleConns(), s.MaxConns()
}
