package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

// QueueReminders writes a reminder into the outbox for every member who is coming to
// an event, or has not answered, when it starts within before: verified members who
// still get the association's mail, once per event and start (migration 0009), at
// most limit of them a run. It returns the outbox ids, for the caller to publish once
// committed; what it cannot publish, the relay does.
func (db *DB) QueueReminders(ctx context.Context, before time.Duration, limit int) (ids []int64, err error) {
	defer wrap(&err, "QueueReminders()")
	err = db.inTx(ctx, func(tx *txn) error {
		rows, _ := tx.Query(ctx, `
			WITH due AS (
				SELECT e.id AS event_id, e.starts_at, u.id AS user_id, u.email, a.id AS association_id,
				       `+eventMailPayload+` AS payload
				FROM events e
				JOIN associations a ON a.id = e.association_id
				JOIN memberships m ON m.association_id = a.id
				JOIN users u ON u.id = m.user_id
				WHERE e.starts_at > now() AND e.starts_at <= now() + make_interval(secs => $1)
				  AND u.verified_at IS NOT NULL AND NOT m.mail_opt_out
				  AND NOT EXISTS (SELECT 1 FROM event_answers ea WHERE ea.event_id = e.id AND ea.user_id = u.id AND NOT ea.going)
				  AND NOT EXISTS (SELECT 1 FROM event_reminders r
				                  WHERE r.event_id = e.id AND r.user_id = u.id AND r.starts_at = e.starts_at)
				ORDER BY e.starts_at, e.id, u.id
				LIMIT $2),
			remembered AS (
				INSERT INTO event_reminders (event_id, user_id, starts_at)
				SELECT event_id, user_id, starts_at FROM due
				ON CONFLICT DO NOTHING
				RETURNING event_id, user_id)
			INSERT INTO mail_outbox (kind, recipient, payload, user_id, event_id, association_id)
			SELECT 'reminder', d.email, d.payload, d.user_id, d.event_id, d.association_id
			FROM due d JOIN remembered r ON r.event_id = d.event_id AND r.user_id = d.user_id
			ORDER BY d.event_id, d.user_id
			RETURNING id`, before.Seconds(), limit)
		ids, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	return ids, err
}

// MarkPublished records that the mails are on the queue.
func (db *DB) MarkPublished(ctx context.Context, ids []int64) (err error) {
	defer wrap(&err, "MarkPublished()")
	_, err = db.pool.Exec(ctx, `UPDATE mail_outbox SET published_at = now() WHERE id = ANY($1) AND published_at IS NULL`, ids)
	return err
}
