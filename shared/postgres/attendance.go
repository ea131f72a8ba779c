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

// lockPlaces prepares an answer to event eventID: for an event with a capacity, it
// locks the event's row, so that answers to it are counted one at a time and never
// overfill it, and, when the answer may free a place (freeing), first the row of its
// association, as every write that may mail takes it (the association's budget).
// Locks are taken association first, then the event, as lockForChange takes them. It
// returns the capacity the answer is held to (nil: none).
func lockPlaces(ctx context.Context, tx *txn, eventID int64, freeing bool) (capacity *int, err error) {
	for range 3 {
		var associationID int64
		err := tx.QueryRow(ctx, `SELECT association_id, capacity FROM events WHERE id = $1`, eventID).Scan(&associationID, &capacity)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, errEventNotFound
		}
		// Without a capacity there is no list to keep: an answer racing a change that
		// sets one counts as given before it (the change keeps those coming).
		if err != nil || capacity == nil {
			return nil, err
		}
		if freeing {
			if _, err := tx.Exec(ctx, `SELECT FROM associations WHERE id = $1 FOR NO KEY UPDATE`, associationID); err != nil {
				return nil, err
			}
		}
		var locked int64
		err = tx.QueryRow(ctx, `SELECT association_id, capacity FROM events WHERE id = $1 FOR NO KEY UPDATE`, eventID).Scan(&locked, &capacity)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil, errEventNotFound
		}
		if err != nil || !freeing || locked == associationID {
			return capacity, err
		}
		// It moved to another association meanwhile: lock that one instead.
	}
	return nil, asso.Errorf(asso.ECONFLICT, "the event was moved to another association meanwhile; try again")
}

// recordAnswer stores member userID's answer to eventID, or reports why it cannot. A
// "going" beyond capacity (nil: none) joins the waiting list; answering "going"
// again keeps one's place, or one's rank on the list.
func recordAnswer(ctx context.Context, tx *txn, eventID, userID int64, answer asso.RSVP, capacity *int) error {
	tag, err := tx.Exec(ctx, `
		INSERT INTO event_answers AS ea (event_id, association_id, user_id, going, waiting_order)
		SELECT e.id, e.association_id, m.user_id, $3,
		       CASE WHEN $3 AND $4::integer <= (SELECT count(*) FROM event_answers p
		                                        WHERE p.event_id = e.id AND p.going AND p.waiting_order IS NULL)
		            THEN nextval('event_waiting_order') END
		FROM events e JOIN memberships m ON m.association_id = e.association_id AND m.user_id = $2 AND m.status = 'member'
		WHERE e.id = $1
		ON CONFLICT (event_id, user_id) DO UPDATE SET going = EXCLUDED.going, answered_at = now(),
		       waiting_order = CASE WHEN ea.going AND EXCLUDED.going THEN ea.waiting_order ELSE EXCLUDED.waiting_order END`,
		eventID, userID, answer == asso.Going, capacity)
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

// answer records member userID's answer to eventID. A "not going" may free a place:
// it goes to the first on the waiting list. Saying one cannot come is never refused
// for the mail it causes (consent comes first): the promotion e-mail counts in the
// association's budget without a sender, and promote sends at most one a day to a
// member for an event, so that two members trading a place cannot make mail.
func (db *DB) answer(ctx context.Context, tx *txn, eventID, userID int64, answer asso.RSVP) error {
	capacity, err := lockPlaces(ctx, tx, eventID, answer == asso.NotGoing)
	if err != nil {
		return err
	}
	if err := recordAnswer(ctx, tx, eventID, userID, answer, capacity); err != nil {
		return err
	}
	if capacity == nil || answer == asso.Going {
		return nil
	}
	return db.promote(ctx, tx, []int64{eventID}, 0, 0)
}

// AnswerEvent records the caller's answer to an event of their association and
// returns the event, with its new attendance and the caller's place in it.
func (db *DB) AnswerEvent(ctx context.Context, caller asso.User, eventID int64, answer asso.RSVP) (doc json.RawMessage, err error) {
	defer wrap(&err, "AnswerEvent(%d)", eventID)
	err = db.inTx(ctx, func(tx *txn) error {
		if err := db.answer(ctx, tx, eventID, caller.ID, answer); err != nil {
			return err
		}
		doc, err = queryJSON(ctx, tx, oneEvent, caller.ID, caller.IsAdmin, eventID)
		return err
	})
	return doc, err
}

// AnswerByLink records the answer a one-click link gives, once the store has checked
// the link's signature, and returns what the answer is about:
// {eventId, name, start, end, associationName, answer, myAttendance}.
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
		if err := db.answer(ctx, tx, token.EventID, token.UserID, answer); err != nil {
			return err
		}
		doc, err = queryJSON(ctx, tx, `
			SELECT json_build_object('eventId', e.id, 'name', e.name, 'start', `+apiTime("e.starts_at")+`,
			       'end', `+apiTime("e.ends_at")+`, 'associationName', a.name, 'answer', $2::text,
			       'myAttendance', `+attendanceStateJSON("ea")+`)
			FROM events e JOIN associations a ON a.id = e.association_id
			LEFT JOIN event_answers ea ON ea.event_id = e.id AND ea.user_id = $3
			WHERE e.id = $1`, token.EventID, string(answer), token.UserID)
		return err
	})
	return doc, err
}

// promote gives the free places of each of eventIDs (locked by the caller, with
// their associations) to the first on its waiting list, in order, and queues a
// promotion e-mail to each member moved up who gets the association's mail, unless
// they had one for that event within a day (a place traded back and forth makes no
// mail). An event without a capacity (it was just removed) has room for everyone; one
// that has ended moves nobody. The e-mails come from senderID and count in its budget
// and in associationID's, which may refuse them, unless 0: then they count in their
// associations' budgets and are never refused. A capacity lowered below the number of
// members who have a place moves nobody up until enough give theirs up.
func (db *DB) promote(ctx context.Context, tx *txn, eventIDs []int64, senderID, associationID int64) error {
	if len(eventIDs) == 0 {
		return nil
	}
	rows, _ := tx.Query(ctx, `
		WITH promoted AS (
			UPDATE event_answers ea SET waiting_order = NULL
			FROM events e
			CROSS JOIN LATERAL (
				SELECT w.user_id FROM event_answers w
				WHERE w.event_id = e.id AND w.waiting_order IS NOT NULL
				ORDER BY w.waiting_order
				LIMIT CASE WHEN e.capacity IS NOT NULL THEN greatest(e.capacity - (
				          SELECT count(*) FROM event_answers p WHERE p.event_id = e.id AND p.going AND p.waiting_order IS NULL), 0) END) up
			WHERE e.id = ANY($1) AND e.ends_at > now() AND ea.event_id = e.id AND ea.user_id = up.user_id
			RETURNING ea.event_id, ea.user_id)
		INSERT INTO mail_outbox (kind, recipient, payload, user_id, event_id, association_id, sender_id, published_at)
		SELECT 'promotion', u.email, `+eventMailPayload+`, u.id, e.id, a.id, NULLIF($2, 0), CASE WHEN $3 THEN now() END
		FROM promoted p
		JOIN events e ON e.id = p.event_id
		JOIN associations a ON a.id = e.association_id
		JOIN memberships m ON m.association_id = a.id AND m.user_id = p.user_id
		JOIN users u ON u.id = m.user_id
		WHERE u.verified_at IS NOT NULL AND NOT m.mail_opt_out
		  AND NOT EXISTS (SELECT 1 FROM mail_outbox o WHERE o.kind = 'promotion' AND o.event_id = e.id
		                  AND o.user_id = u.id AND o.created_at > now() - interval '1 day')
		ORDER BY e.id, u.id
		RETURNING id`, eventIDs, senderID, tx.publishing)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) == 0 {
		return err
	}
	tx.queuedMail = append(tx.queuedMail, ids...)
	if senderID == 0 && associationID == 0 {
		return nil
	}
	return checkMailBudget(ctx, tx, db.Limits, senderID, associationID)
}

// lockPlacesHeld locks, in id order, the events of association associationID (of
// every association when 0) where one of userIDs has a place, for a change that takes
// them out: those events are the ones whose waiting lists then move up. The events
// that have ended or have no capacity keep no list.
func lockPlacesHeld(ctx context.Context, tx *txn, associationID int64, userIDs []int64) ([]int64, error) {
	rows, _ := tx.Query(ctx, `
		SELECT e.id FROM events e
		WHERE e.id IN (SELECT ea.event_id FROM memberships m
		               JOIN event_answers ea ON ea.association_id = m.association_id AND ea.user_id = m.user_id
		               WHERE m.user_id = ANY($2) AND ($1 = 0 OR m.association_id = $1)
		                 AND ea.going AND ea.waiting_order IS NULL)
		  AND e.capacity IS NOT NULL AND e.ends_at > now()
		ORDER BY e.id
		FOR NO KEY UPDATE`, associationID, userIDs)
	return pgx.CollectRows(rows, pgx.RowTo[int64])
}

// EventAttendees says which members of an event's association answered what, the
// waiting list in its order with each one's position, and how many of each. Only its
// members and the admin may know.
func (db *DB) EventAttendees(ctx context.Context, viewer asso.User, eventID int64) (doc json.RawMessage, err error) {
	defer wrap(&err, "EventAttendees(%d)", eventID)
	var member bool
	err = db.pool.QueryRow(ctx, `
		SELECT EXISTS (SELECT 1 FROM memberships m
		               WHERE m.association_id = e.association_id AND m.user_id = $1 AND m.status = 'member'),
		       json_build_object(
		           'going', COALESCE(json_agg(members.j ORDER BY members.id) FILTER (WHERE members.state = 'going'), '[]'),
		           'waiting', COALESCE(json_agg(members.j ORDER BY members.waiting_order) FILTER (WHERE members.state = 'waiting'), '[]'),
		           'notGoing', COALESCE(json_agg(members.j ORDER BY members.id) FILTER (WHERE members.state = 'not_going'), '[]'),
		           'noAnswer', COALESCE(json_agg(members.j ORDER BY members.id) FILTER (WHERE members.state = 'no_answer'), '[]'),
		           'attendance', json_build_object('going', count(*) FILTER (WHERE members.state = 'going'),
		                                           'waiting', count(*) FILTER (WHERE members.state = 'waiting'),
		                                           'notGoing', count(*) FILTER (WHERE members.state = 'not_going'),
		                                           'noAnswer', count(*) FILTER (WHERE members.state = 'no_answer')))
		FROM events e
		LEFT JOIN LATERAL (
			SELECT u.id, ea.waiting_order, `+attendanceState("ea")+` AS state,
			       CASE WHEN ea.waiting_order IS NULL THEN `+userJSON("$1", "true")+`
			            ELSE `+userWithJSON("$1", "true", `, 'position', rank() OVER (ORDER BY ea.waiting_order NULLS LAST)`)+` END AS j
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
