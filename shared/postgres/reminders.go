package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// Reminders says what one QueueReminders run did: the outbox ids it queued, for the
// caller to publish once committed, and the events whose reminders it skipped because
// they did not fit in a mail budget.
type Reminders struct {
	Queued  []int64
	Skipped []SkippedReminders
}

// SkippedReminders are the reminders of one event that were not sent: queueing them
// would have taken its organiser's, or its association's, mail over the budget.
type SkippedReminders struct {
	EventID, AssociationID int64
	Recipients             int
}

// organiser is the user whose budget event e's reminders count in: who last planned or
// changed it, while they still manage its association (0: the association's alone).
const organiser = `COALESCE((SELECT o.user_id FROM memberships o WHERE o.association_id = e.association_id
	AND o.user_id = e.organiser_id AND o.manager), 0)`

// remindersDue selects columns (of events e, associations a, memberships m, users u)
// for the members due a reminder, of the event $3 (all events when NULL): coming with
// a place (not on a waiting list), or not answered, to an event that starts within $1
// seconds; verified members who still
// get the association's mail, once per event and start (migration 0009), at most $2 of
// them. Only the query that queues the reminders builds their payloads.
func remindersDue(columns string) string {
	return `
	SELECT ` + columns + `
	FROM events e
	JOIN associations a ON a.id = e.association_id
	JOIN memberships m ON m.association_id = a.id AND m.status = 'member'
	JOIN users u ON u.id = m.user_id
	WHERE e.starts_at > now() AND e.starts_at <= now() + make_interval(secs => $1)
	  AND ($3::bigint IS NULL OR e.id = $3)
	  AND u.verified_at IS NOT NULL AND NOT m.mail_opt_out
	  AND NOT EXISTS (SELECT 1 FROM event_answers ea WHERE ea.event_id = e.id AND ea.user_id = u.id
	                  AND (NOT ea.going OR ea.waiting_order IS NOT NULL))
	  AND NOT EXISTS (SELECT 1 FROM event_reminders r
	                  WHERE r.event_id = e.id AND r.user_id = u.id AND r.starts_at = e.starts_at)
	ORDER BY e.starts_at, e.id, u.id
	LIMIT $2`
}

// The columns of remindersDue that a reminder's rows need.
var (
	dueReminder = remindersDue(`e.id AS event_id, u.id AS user_id, e.starts_at`)
	dueMail     = remindersDue(`e.id AS event_id, u.id AS user_id, e.starts_at, u.email, a.id AS association_id, ` +
		eventMailPayload + ` AS payload`)
)

// QueueReminders writes into the outbox the reminders of the events that start within
// before, at most limit of them a run, one event at a time. Reminders count in the mail
// budgets like every other e-mail: the organiser's (who last planned or changed the
// event) and the association's. An event whose reminders would go over either is
// skipped for good, and said so in the result; the rest go. What the caller cannot
// publish, the relay does.
func (db *DB) QueueReminders(ctx context.Context, before time.Duration, limit int) (res Reminders, err error) {
	defer wrap(&err, "QueueReminders()")
	rows, _ := db.pool.Query(ctx, `SELECT DISTINCT ON (d.starts_at, d.event_id) d.event_id FROM (`+dueReminder+`) d
		ORDER BY d.starts_at, d.event_id`, before.Seconds(), limit, nil)
	events, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return res, err
	}
	for _, eventID := range events {
		if len(res.Queued) >= limit {
			break
		}
		var queued []int64
		var skipped *SkippedReminders
		err := db.inTx(ctx, func(tx *txn) (err error) {
			queued, skipped, err = db.queueEventReminders(ctx, tx, eventID, before, limit-len(res.Queued))
			return err
		})
		if err != nil {
			return res, err
		}
		res.Queued = append(res.Queued, queued...)
		if skipped != nil {
			res.Skipped = append(res.Skipped, *skipped)
		}
	}
	return res, nil
}

// queueEventReminders queues the due reminders of one event in tx, or, when they do
// not fit in the budgets, records them as skipped.
func (db *DB) queueEventReminders(ctx context.Context, tx *txn, eventID int64, before time.Duration, limit int) (
	queued []int64, skipped *SkippedReminders, err error) {
	// The association's row lock serialises its budget with the writes that mail.
	var associationID, organiserID int64
	err = tx.QueryRow(ctx, `
		SELECT a.id, `+organiser+` FROM events e JOIN associations a ON a.id = e.association_id
		WHERE e.id = $1 FOR NO KEY UPDATE OF a`, eventID).Scan(&associationID, &organiserID)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, nil // deleted meanwhile
	}
	if err != nil {
		return nil, nil, err
	}
	attempt, err := tx.Begin(ctx) // a savepoint: the reminders go back if over the budget
	if err != nil {
		return nil, nil, err
	}
	defer attempt.Rollback(ctx)
	rows, _ := attempt.Query(ctx, `
		WITH due AS (`+dueMail+`),
		remembered AS (
			INSERT INTO event_reminders (event_id, user_id, starts_at)
			SELECT event_id, user_id, starts_at FROM due
			ON CONFLICT DO NOTHING
			RETURNING event_id, user_id)
		INSERT INTO mail_outbox (kind, recipient, payload, user_id, event_id, association_id, sender_id)
		SELECT 'reminder', d.email, d.payload, d.user_id, d.event_id, d.association_id, NULLIF($4, 0)
		FROM due d JOIN remembered r ON r.event_id = d.event_id AND r.user_id = d.user_id
		ORDER BY d.user_id
		RETURNING id`, before.Seconds(), limit, eventID, organiserID)
	if queued, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		return nil, nil, err
	}
	budgetErr := checkMailBudget(ctx, &txn{Tx: attempt}, db.Limits, organiserID, associationID)
	if asso.ErrorCode(budgetErr) != asso.ETOOMANY {
		if budgetErr != nil {
			return nil, nil, budgetErr
		}
		return queued, nil, attempt.Commit(ctx)
	}
	if err := attempt.Rollback(ctx); err != nil {
		return nil, nil, err
	}
	tag, err := tx.Exec(ctx, `
		INSERT INTO event_reminders (event_id, user_id, starts_at, skipped)
		SELECT event_id, user_id, starts_at, true FROM (`+dueReminder+`) d
		ON CONFLICT DO NOTHING`, before.Seconds(), limit, eventID)
	if err != nil {
		return nil, nil, err
	}
	return nil, &SkippedReminders{EventID: eventID, AssociationID: associationID, Recipients: int(tag.RowsAffected())}, nil
}

// MarkPublished records that the mails are on the queue.
func (db *DB) MarkPublished(ctx context.Context, ids []int64) (err error) {
	defer wrap(&err, "MarkPublished()")
	_, err = db.pool.Exec(ctx, `UPDATE mail_outbox SET published_at = now() WHERE id = ANY($1) AND published_at IS NULL`, ids)
	return err
}
