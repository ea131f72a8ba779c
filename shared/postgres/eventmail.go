package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// Event e-mail (docs/api.md §5) goes only to verified members (never to people
// invited who have not accepted) who have not unsubscribed from the association's mail; updates are coalesced per event and
// recipient; and every write that mails is held to its sender's and its association's
// hourly budget. All of it happens inside the write's transaction.

// eventMailRecipients are the members of event $1's association who get its mail,
// with the columns eventMailPayload reads (e, a, u, m).
const eventMailRecipients = `
	FROM events e
	JOIN associations a ON a.id = e.association_id
	JOIN memberships m ON m.association_id = a.id
	JOIN users u ON u.id = m.user_id
	WHERE e.id = $1 AND m.status = 'member' AND u.verified_at IS NOT NULL AND NOT m.mail_opt_out`

// enqueueEventMails writes an invitation or a cancellation of event eventID to every
// recipient, to leave at once. A cancellation first removes the event's updates that
// have not left yet: it supersedes them.
func enqueueEventMails(ctx context.Context, tx *txn, kind string, eventID, senderID int64) error {
	if kind == asso.MailCancellation {
		if _, err := tx.Exec(ctx, `
			DELETE FROM mail_outbox
			WHERE event_id = $1 AND kind = 'update' AND sent_at IS NULL AND failed_at IS NULL
			  AND (claimed_until IS NULL OR claimed_until < now())`, eventID); err != nil {
			return err
		}
	}
	rows, _ := tx.Query(ctx, `
		INSERT INTO mail_outbox (kind, recipient, payload, user_id, event_id, association_id, sender_id, published_at)
		SELECT $2, u.email, `+eventMailPayload+`, u.id, e.id, a.id, NULLIF($3, 0), CASE WHEN $4 THEN now() END`+eventMailRecipients+`
		ORDER BY u.id
		RETURNING id`, eventID, kind, senderID, tx.publishing)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	tx.queuedMail = append(tx.queuedMail, ids...)
	return err
}

// enqueueEventUpdates tells every recipient that event eventID changed, coalescing per
// recipient: an update that has not left yet takes the new content; otherwise a new
// one leaves at once when the recipient's last update left more than window ago, or
// when the window after it closes. So a recipient gets at most one update per window,
// always with the latest content. Deferred ones are published by the relay when due.
func enqueueEventUpdates(ctx context.Context, tx *txn, eventID, senderID int64, window time.Duration) error {
	rows, _ := tx.Query(ctx, `
		WITH recipients AS (
			SELECT u.id AS user_id, u.email, `+eventMailPayload+` AS payload`+eventMailRecipients+`),
		last_update AS (
			SELECT DISTINCT ON (o.user_id) o.user_id, o.id, o.send_after
			FROM mail_outbox o
			WHERE o.event_id = $1 AND o.kind = 'update'
			ORDER BY o.user_id, o.id DESC),
		refreshed AS (
			UPDATE mail_outbox o SET payload = r.payload, recipient = r.email
			FROM recipients r JOIN last_update l ON l.user_id = r.user_id
			WHERE o.id = l.id AND o.sent_at IS NULL AND o.failed_at IS NULL
			  AND (o.claimed_until IS NULL OR o.claimed_until < now())
			RETURNING o.user_id)
		INSERT INTO mail_outbox (kind, recipient, payload, user_id, event_id, association_id, sender_id, send_after, published_at)
		SELECT 'update', r.email, r.payload, r.user_id, $1, (SELECT association_id FROM events WHERE id = $1),
		       NULLIF($2, 0), s.send_after, CASE WHEN $4 AND s.send_after <= now() THEN now() END
		FROM recipients r LEFT JOIN last_update l ON l.user_id = r.user_id
		CROSS JOIN LATERAL (SELECT GREATEST(now(), l.send_after + make_interval(secs => $3)) AS send_after) s
		WHERE r.user_id NOT IN (SELECT user_id FROM refreshed)
		ORDER BY r.user_id
		RETURNING id, send_after <= now()`, eventID, senderID, window.Seconds(), tx.publishing)
	var id int64
	var due bool
	_, err := pgx.ForEachRow(rows, []any{&id, &due}, func() error {
		if due {
			tx.queuedMail = append(tx.queuedMail, id)
		}
		return nil
	})
	return err
}

// mailBudgetWindow is the period the mail budgets count over.
const mailBudgetWindow = time.Hour

// checkMailBudget refuses the transaction (ETOOMANY with Retry-After) when the
// e-mails it queued take sender's, or associationID's, count of recipient-mails
// within the hour over its budget. The sender's count is serialised by a lock on the
// sender (an association's by the association's row lock, held by every write to it).
func checkMailBudget(ctx context.Context, tx *txn, limits asso.Limits, senderID, associationID int64) error {
	if senderID != 0 {
		if err := lockSender(ctx, tx, senderID); err != nil {
			return err
		}
		if err := checkBudget(ctx, tx, senderBudget, senderID, limits.MailsPerUserHour,
			"you have sent too many e-mails this hour; try again later"); err != nil {
			return err
		}
	}
	if associationID != 0 {
		return checkBudget(ctx, tx, associationBudget, associationID, limits.MailsPerAssociationHour,
			"this association has sent too many e-mails this hour; try again later")
	}
	return nil
}

// lockSender serialises, for the rest of tx, what counts the mail of user senderID.
func lockSender(ctx context.Context, tx *txn, senderID int64) error {
	_, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1::bigint::text, 5))`, senderID)
	return err
}

// The budget queries count the recipient-mails of the last hour ($2 seconds) by
// sender or by association ($1), with the seconds until enough of them leave the
// window to bring the count back within the budget ($3).
var (
	senderBudget      = budgetQuery("sender_id")
	associationBudget = budgetQuery("association_id")
)

func budgetQuery(column string) string {
	return `
		WITH recent AS (
			SELECT created_at FROM mail_outbox
			WHERE ` + column + ` = $1 AND created_at > now() - make_interval(secs => $2))
		SELECT (SELECT count(*) FROM recent),
		       COALESCE((SELECT EXTRACT(EPOCH FROM created_at + make_interval(secs => $2) - now())::float8
		                 FROM recent ORDER BY created_at OFFSET greatest((SELECT count(*) FROM recent) - $3 - 1, 0)
		                 LIMIT 1), 0)`
}

func checkBudget(ctx context.Context, tx *txn, query string, id int64, budget int, message string) error {
	var count int
	var untilFree float64
	if err := tx.QueryRow(ctx, query, id, mailBudgetWindow.Seconds(), budget).Scan(&count, &untilFree); err != nil {
		return err
	}
	if count <= budget {
		return nil
	}
	return tooMany("mail_budget", message, untilFree)
}

// Unsubscribe stops event mail from one association for the member whose
// unsubscribe token this is (RFC 8058 one-click). It is idempotent; an unknown token
// is ENOTFOUND.
func (db *DB) Unsubscribe(ctx context.Context, token string) (associationName string, err error) {
	defer wrap(&err, "Unsubscribe()")
	err = db.pool.QueryRow(ctx, `
		UPDATE memberships m SET mail_opt_out = true
		FROM associations a
		WHERE m.unsubscribe_token = $1::uuid AND a.id = m.association_id
		RETURNING a.name`, token).Scan(&associationName)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", asso.Errorf(asso.ENOTFOUND, "invalid unsubscribe link")
	}
	return associationName, err
}
