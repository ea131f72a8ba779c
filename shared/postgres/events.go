package postgres

import (
	"context"
	"encoding/json"

	"github.com/kittenasso/kittenasso/shared/asso"
)

var errEventNotFound = asso.Errorf(asso.ENOTFOUND, "Event not found")

// Events lists every event.
func (db *DB) Events(ctx context.Context, viewer asso.User, p asso.Page) (doc json.RawMessage, listed asso.Listed, err error) {
	defer wrap(&err, "Events()")
	return db.list(ctx, listQuery(`SELECT id, id AS ord FROM events ORDER BY id LIMIT $3 OFFSET $4`,
		eventSizes, eventDocs, `SELECT `+rowCount("events"), 5), viewer.ID, viewer.IsAdmin, p.Limit, p.Offset, db.Limits.ResponseBytes)
}

// AssociationEvents lists the events of one association by start.
func (db *DB) AssociationEvents(ctx context.Context, viewer asso.User, id int64, p asso.Page) (doc json.RawMessage, listed asso.Listed, err error) {
	defer wrap(&err, "AssociationEvents(%d)", id)
	if err := db.associationExists(ctx, id); err != nil {
		return nil, asso.Listed{}, err
	}
	return db.list(ctx, listQuery(`SELECT id, row_number() OVER (ORDER BY starts_at, id) AS ord
		FROM events WHERE association_id = $3 ORDER BY starts_at, id LIMIT $4 OFFSET $5`,
		eventSizes, eventDocs, `SELECT count(*) FROM events WHERE association_id = $3`, 6),
		viewer.ID, viewer.IsAdmin, id, p.Limit, p.Offset, db.Limits.ResponseBytes)
}

// Event returns one event.
func (db *DB) Event(ctx context.Context, viewer asso.User, id int64) (doc json.RawMessage, err error) {
	defer wrap(&err, "Event(%d)", id)
	return db.one(ctx, errEventNotFound, oneEvent, viewer.ID, viewer.IsAdmin, id)
}

// CreateEvent plans an event and queues an invitation to every member.
func (db *DB) CreateEvent(ctx context.Context, caller asso.User, in asso.EventInput) (doc json.RawMessage, err error) {
	defer wrap(&err, "CreateEvent()")
	err = db.inTx(ctx, func(tx *txn) error {
		if err := authorizeAssociations(ctx, tx, caller, *in.AssociationID); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `
			INSERT INTO events (association_id, name, starts_at, ends_at, organiser_id, place, description, capacity)
			VALUES ($1, $2, $3, $4, $5, NULLIF($6, ''), NULLIF($7, ''), NULLIF($8, 0)) RETURNING id`,
			*in.AssociationID, *in.Name, *in.Start, *in.End, caller.ID, in.Place, in.Description, in.Capacity).Scan(&id); err != nil {
			return err
		}
		if err := enqueueEventMails(ctx, tx, asso.MailInvitation, id, caller.ID); err != nil {
			return err
		}
		if err := checkMailBudget(ctx, tx, db.Limits, caller.ID, *in.AssociationID); err != nil {
			return err
		}
		doc, err = queryJSON(ctx, tx, oneEvent, caller.ID, caller.IsAdmin, id)
		return err
	})
	return doc, err
}

// UpdateEvent changes an event, bumps its calendar SEQUENCE and queues an update to
// every member of its (new) association. Moving it needs membership of both, and
// keeps the answers of the members of its new association only. The places free after
// the change (a capacity grown or gone, answers gone with a move) go to the first on
// the waiting list, who are told by e-mail; a capacity lowered below the members who
// have a place takes no place back.
func (db *DB) UpdateEvent(ctx context.Context, caller asso.User, id int64, in asso.EventInput) (doc json.RawMessage, err error) {
	defer wrap(&err, "UpdateEvent(%d)", id)
	err = db.inTx(ctx, func(tx *txn) error {
		associationID, err := lockForChange(ctx, tx, caller, eventRow, id, errEventNotFound, in.AssociationID)
		if err != nil {
			return err
		}
		if in.AssociationID != nil {
			associationID = *in.AssociationID // the event moves there
		}
		// The table's CHECK refuses an end before the start, whichever field moved.
		_, err = tx.Exec(ctx, `
			UPDATE events SET name = COALESCE($2, name), starts_at = COALESCE($3, starts_at),
			                  ends_at = COALESCE($4, ends_at), association_id = COALESCE($5, association_id),
			                  sequence = sequence + 1, organiser_id = $6,
			                  place = CASE WHEN $7::text IS NULL THEN place ELSE NULLIF($7, '') END,
			                  description = CASE WHEN $8::text IS NULL THEN description ELSE NULLIF($8, '') END,
			                  capacity = CASE WHEN $9::integer IS NULL THEN capacity ELSE NULLIF($9, 0) END
			WHERE id = $1`, id, in.Name, in.Start, in.End, in.AssociationID, caller.ID, in.Place, in.Description, in.Capacity)
		// The other CHECKs (place, description, capacity) hold what the API validated.
		if isCheckViolation(err, "events_check") {
			return asso.ErrEndBeforeStart
		}
		if err != nil {
			return err
		}
		if in.AssociationID != nil {
			// Only the members of its new association answer it: the others' answers go,
			// and with them the places they held.
			if _, err := tx.Exec(ctx, `
				DELETE FROM event_answers ea WHERE ea.event_id = $1 AND ea.association_id <> $2
				  AND NOT EXISTS (SELECT 1 FROM memberships m WHERE m.association_id = $2 AND m.user_id = ea.user_id AND m.status = 'member')`,
				id, associationID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `UPDATE event_answers SET association_id = $2 WHERE event_id = $1 AND association_id <> $2`,
				id, associationID); err != nil {
				return err
			}
		}
		// A capacity raised, an event moved back from the past or to another
		// association: whatever the change, the free places go to the waiting list.
		if err := db.promote(ctx, tx, []int64{id}, caller.ID, associationID); err != nil {
			return err
		}
		if err := enqueueEventUpdates(ctx, tx, id, caller.ID, db.Limits.UpdateWindow); err != nil {
			return err
		}
		if err := checkMailBudget(ctx, tx, db.Limits, caller.ID, associationID); err != nil {
			return err
		}
		doc, err = queryJSON(ctx, tx, oneEvent, caller.ID, caller.IsAdmin, id)
		return err
	})
	return doc, err
}

// DeleteEvent cancels an event: every member gets a cancellation, within the mail
// budgets like every other e-mail.
func (db *DB) DeleteEvent(ctx context.Context, caller asso.User, id int64) (doc json.RawMessage, err error) {
	defer wrap(&err, "DeleteEvent(%d)", id)
	err = db.inTx(ctx, func(tx *txn) error {
		associationID, err := lockForChange(ctx, tx, caller, eventRow, id, errEventNotFound, nil)
		if err != nil {
			return err
		}
		if doc, err = queryJSON(ctx, tx, oneEvent, caller.ID, caller.IsAdmin, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE events SET sequence = sequence + 1 WHERE id = $1`, id); err != nil {
			return err
		}
		if err := enqueueEventMails(ctx, tx, asso.MailCancellation, id, caller.ID); err != nil {
			return err
		}
		if err := checkMailBudget(ctx, tx, db.Limits, caller.ID, associationID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM events WHERE id = $1`, id)
		return err
	})
	return doc, err
}
