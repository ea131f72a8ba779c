package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// Members answer the invitations to their association's events (migration 0007):
// signed in, or through the one-click links of the e-mails.

// errNotEventMember: only a member of the event's association answers for themselves.
func errNotEventMember(eventID int64) error {
	return asso.Reasoned(asso.EFORBIDDEN, "not_member", fmt.Sprintf("you are not a member of the association of event %d", eventID))
}

// recordAnswer stores member userID's answer to eventID, or reports why it cannot.
func recordAnswer(ctx context.Context, tx *txn, eventID, userID int64, answer asso.RSVP) error {
	tag, err := tx.Exec(ctx, `
		INSERT INTO event_answers (event_id, association_id, user_id, going)
		SELECT e.id, e.association_id, m.user_id, $3
		FROM events e JOIN memberships m ON m.association_id = e.association_id AND m.user_id = $2 AND m.status = 'member'
		WHERE e.id = $1
		ON CONFLICT (event_id, user_id) DO UPDATE SET going = EXCLUDED.going, answered_at = now()`,
		eventID, userID, answer == asso.Going)
	if err != nil || tag.RowsAffected() == 1 {
		return err
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM events WHERE id = $1)`, eventID).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return errEventNotFound
	}
	return errNotEventMember(eventID)
}

// AnswerEvent records the caller's answer to an event of their association and
// returns the event, with its new attendance.
func (db *DB) AnswerEvent(ctx context.Context, caller asso.User, eventID int64, answer asso.RSVP) (doc json.RawMessage, err error) {
	defer wrap(&err, "AnswerEvent(%d)", eventID)
	err = db.inTx(ctx, func(tx *txn) error {
		if err := recordAnswer(ctx, tx, eventID, caller.ID, answer); err != nil {
			return err
		}
		doc, err = queryJSON(ctx, tx, oneEvent, caller.ID, caller.IsAdmin, eventID)
		return err
	})
	return doc, err
}

// AnswerByLink records the answer a one-click link gives, once the store has checked
// the link's signature, and returns what the answer is about:
// {eventId, name, start, end, associationName, answer}.
func (db *DB) AnswerByLink(ctx context.Context, token asso.RSVPToken, answer asso.RSVP) (doc json.RawMessage, err error) {
	defer wrap(&err, "AnswerByLink(%d)", token.EventID)
	err = db.inTx(ctx, func(tx *txn) error {
		// The token expires at the event's end when the e-mail was written: an event
		// moved since so that it is over ends its links too.
		var genuine, over bool
		if err := tx.QueryRow(ctx, `
			SELECT rsvp_token($1, $2, to_timestamp($3)) = $4,
			       EXISTS (SELECT 1 FROM events WHERE id = $1 AND ends_at <= now())`,
			token.EventID, token.UserID, token.Expires.Unix(), token.Raw).Scan(&genuine, &over); err != nil {
			return err
		}
		if !genuine || over {
			return asso.ErrInvalidRSVPLink
		}
		if err := recordAnswer(ctx, tx, token.EventID, token.UserID, answer); err != nil {
			return err
		}
		doc, err = queryJSON(ctx, tx, `
			SELECT json_build_object('eventId', e.id, 'name', e.name, 'start', `+apiTime("e.starts_at")+`,
			       'end', `+apiTime("e.ends_at")+`, 'associationName', a.name, 'answer', $2::text)
			FROM events e JOIN associations a ON a.id = e.association_id WHERE e.id = $1`, token.EventID, string(answer))
		return err
	})
	return doc, err
}

// EventAttendees says which members of an event's association answered what. Only
// its members and the admin may know.
func (db *DB) EventAttendees(ctx context.Context, viewer asso.User, eventID int64) (doc json.RawMessage, err error) {
	defer wrap(&err, "EventAttendees(%d)", eventID)
	var member bool
	err = db.pool.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM memberships m
		               WHERE m.association_id = e.association_id AND m.user_id = $1 AND m.status = 'member'),
		       json_build_object(
		           'going', COALESCE(json_agg(members.j ORDER BY members.id) FILTER (WHERE members.going), '[]'),
		           'notGoing', COALESCE(json_agg(members.j ORDER BY members.id) FILTER (WHERE NOT members.going), '[]'),
		           'noAnswer', COALESCE(json_agg(members.j ORDER BY members.id) FILTER (WHERE members.going IS NULL), '[]'))
		FROM events e
		LEFT JOIN LATERAL (
			SELECT u.id, ea.going, `+userJSON("$1", "true")+` AS j
			FROM memberships m JOIN users u ON u.id = m.user_id
			LEFT JOIN event_answers ea ON ea.event_id = e.id AND ea.user_id = m.user_id
			WHERE m.association_id = e.association_id AND m.status = 'member') members ON true
		WHERE e.id = $2
		GROUP BY e.id, e.association_id`, viewer.ID, eventID).Scan(&member, &doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, errEventNotFound
	}
	if err == nil && !member && !viewer.IsAdmin {
		return nil, errNotEventMember(eventID)
	}
	return doc, err
}
