package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// Nobody becomes a member of an association without saying yes (migration 0010):
// adding people to an association invites them, by account or by e-mail address, with
// one e-mail per association and address within asso.InvitationLifetime, counted in
// the inviter's and the association's mail budgets. The person invited accepts or
// declines, signed in or through the links of the e-mail; declining may ask never to
// be invited there again, and a later invitation is then dropped without a word.

// invitationSeconds is asso.InvitationLifetime as the SQL below takes it.
var invitationSeconds = asso.InvitationLifetime.Seconds()

var errNoInvitation = asso.Reasoned(asso.ENOTFOUND, "no_invitation", "You have no invitation to this association.")

// invite invites userIDs to association id on behalf of inviter: those who are neither
// members nor invited yet, and have not asked never to be invited there, get an
// invitation (a pending one whose links expired is renewed), and each who is verified
// an e-mail. The e-mails count in the budgets. byEmail: the inviter named them by
// their address, and the invitation is listed to nobody else until accepted.
func (db *DB) invite(ctx context.Context, tx *txn, inviter asso.User, associationID int64, userIDs []int64, byEmail bool) error {
	if len(userIDs) == 0 {
		return nil
	}
	rows, _ := tx.Query(ctx, `
		INSERT INTO memberships AS m (association_id, user_id, status, invited_by, invited_at, by_email)
		SELECT $1, u.id, 'invited', $2, now(), $5 FROM users u
		WHERE u.id = ANY($3)
		  AND NOT EXISTS (SELECT 1 FROM invitation_refusals f WHERE f.association_id = $1 AND f.user_id = u.id)
		ORDER BY u.id
		ON CONFLICT (association_id, user_id) DO UPDATE SET invited_at = now(), invited_by = $2
		WHERE m.status = 'invited' AND m.invited_at < now() - make_interval(secs => $4)
		RETURNING user_id`, associationID, inviter.ID, userIDs, invitationSeconds, byEmail)
	invited, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(invited) == 0 {
		return err
	}
	if err := db.checkSeats(ctx, tx, associationID); err != nil {
		return err
	}
	return db.queueJoinMails(ctx, tx, inviter, associationID, `
		SELECT u.email, u.id AS user_id, u.firstname, m.invited_at
		FROM users u JOIN memberships m ON m.user_id = u.id AND m.association_id = $1
		WHERE u.id = ANY($4) AND u.verified_at IS NOT NULL`, invited)
}

// queueJoinMails writes an invitation to join association $1 from inviter $2 to each
// row of recipients (email, user_id or NULL, firstname or NULL, invited_at), given
// recipientsArg as $4, unless that address was sent one to this association within
// the lifetime ($3 seconds), or already JoinMailsPerAddress ($6) to any; then holds
// the budgets. An address passed over still has its invitation: an account sees it in
// the app.
func (db *DB) queueJoinMails(ctx context.Context, tx *txn, inviter asso.User, associationID int64, recipients string, recipientsArg any) error {
	// Each address's count of invitations is serialised by a lock on the address, taken
	// in order, so that two invitations at once cannot both pass the cap.
	if _, err := tx.Exec(ctx, `
		WITH typed AS (SELECT $1::bigint, $2::bigint, $3::float8), -- what recipients may name
		recipients AS (`+recipients+`)
		SELECT count(pg_advisory_xact_lock(hashtextextended(address, 6)))
		FROM (SELECT DISTINCT lower(email) AS address FROM recipients ORDER BY 1) r`,
		associationID, inviter.ID, invitationSeconds, recipientsArg); err != nil {
		return err
	}
	rows, _ := tx.Query(ctx, `
		WITH recipients AS (`+recipients+`),
		mailed AS (
			INSERT INTO invitation_mails AS im (association_id, email)
			SELECT $1, lower(r.email) FROM recipients r
			WHERE (SELECT count(*) FROM invitation_mails x
			       WHERE x.email = lower(r.email) AND x.mailed_at > now() - make_interval(secs => $3)) < $6
			ORDER BY 2
			ON CONFLICT (association_id, email) DO UPDATE SET mailed_at = now()
			WHERE im.mailed_at < now() - make_interval(secs => $3)
			RETURNING email)
		INSERT INTO mail_outbox (kind, recipient, payload, user_id, association_id, sender_id, published_at)
		SELECT 'join', r.email, json_strip_nulls(json_build_object(
		           'associationId', a.id, 'associationName', a.name,
		           'inviterFirstname', i.firstname, 'inviterLastname', i.lastname, 'firstname', r.firstname,
		           'token', signed_token('invitation', a.id, r.user_id, r.invited_at + make_interval(secs => $3)),
		           -- An account reads in its own language; an address with none in the inviter's.
		           'locale', CASE WHEN r.user_id IS NULL THEN i.locale ELSE ru.locale END,
		           'timeZone', CASE WHEN r.user_id IS NULL THEN i.time_zone ELSE ru.time_zone END)),
		       r.user_id, a.id, i.id, CASE WHEN $5 THEN now() END
		FROM recipients r JOIN mailed k ON k.email = lower(r.email)
		JOIN associations a ON a.id = $1 JOIN users i ON i.id = $2
		LEFT JOIN users ru ON ru.id = r.user_id
		ORDER BY r.email
		RETURNING id`, associationID, inviter.ID, invitationSeconds, recipientsArg, tx.publishing, db.Limits.JoinMailsPerAddress)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil || len(ids) == 0 {
		return err
	}
	tx.queuedMail = append(tx.queuedMail, ids...)
	return checkMailBudget(ctx, tx, db.Limits, inviter.ID, associationID)
}

// checkSeats refuses an association whose members, people invited and pending
// invitations by e-mail would be more than the limit of members.
func (db *DB) checkSeats(ctx context.Context, tx *txn, associationID int64) error {
	var seats int
	if err := tx.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM memberships WHERE association_id = $1)
		     + (SELECT count(*) FROM email_invitations WHERE association_id = $1)`, associationID).Scan(&seats); err != nil {
		return err
	}
	if seats > db.Limits.MaxMembers {
		return asso.Invalid(fmt.Sprintf("an association has at most %d members and invitations", db.Limits.MaxMembers))
	}
	return nil
}

// InviteByEmail invites the owner of address to association id. An address with no
// account yet gets an invitation that leads to sign-up, and waits for the account to
// be verified. The answer is the same whether the address has an account or not.
func (db *DB) InviteByEmail(ctx context.Context, caller asso.User, id int64, address string) (err error) {
	defer wrap(&err, "InviteByEmail(%d)", id)
	return db.inTx(ctx, func(tx *txn) error {
		if err := authorizeAssociations(ctx, tx, caller, id); err != nil {
			return err
		}
		if err := db.checkEmailInvitations(ctx, tx, caller); err != nil {
			return err
		}
		// A verified account gets the invitation with its links; an unverified account
		// and an address with none get the same e-mail, which leads to sign-up (or to
		// signing in), counted alike.
		var userID int64
		var verified bool
		err := tx.QueryRow(ctx, `SELECT id, verified_at IS NOT NULL FROM users WHERE lower(email) = lower($1)`,
			address).Scan(&userID, &verified)
		switch {
		case err == nil:
			if err := db.invite(ctx, tx, caller, id, []int64{userID}, true); err != nil || verified {
				return err
			}
		case errors.Is(err, pgx.ErrNoRows):
			if _, err := tx.Exec(ctx, `
				INSERT INTO email_invitations AS ei (association_id, email, invited_by) VALUES ($1, $2, $3)
				ON CONFLICT (association_id, lower(email)) DO UPDATE SET invited_at = now(), invited_by = $3
				WHERE ei.invited_at < now() - make_interval(secs => $4)`, id, address, caller.ID, invitationSeconds); err != nil {
				return err
			}
			if err := db.checkSeats(ctx, tx, id); err != nil {
				return err
			}
		default:
			return err
		}
		return db.queueJoinMails(ctx, tx, caller, id, `
			SELECT $4::text AS email, NULL::bigint AS user_id, NULL::text AS firstname, now() AS invited_at`, address)
	})
}

// checkEmailInvitations refuses (429) an invitation by address past the caller's daily
// number, and otherwise records it: they are counted in a log that withdrawing an
// invitation does not shorten, over the last day, under the caller's lock.
func (db *DB) checkEmailInvitations(ctx context.Context, tx *txn, caller asso.User) error {
	if err := lockSender(ctx, tx, caller.ID); err != nil {
		return err
	}
	limit := db.Limits.EmailInvitationsPerUserDay
	if err := checkWindow(ctx, tx, emailInvitationsPerUser, limit, "invitation_budget",
		fmt.Sprintf("you may invite %d addresses a day; try again later", limit),
		caller.ID, (24 * time.Hour).Seconds()); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `INSERT INTO email_invitation_log (invited_by) VALUES ($1)`, caller.ID)
	return err
}

var emailInvitationsPerUser = windowCount("email_invitation_log", "invited_at", "invited_by = $1")

// claimEmailInvitations turns the invitations by e-mail to user userID's (verified)
// address into invitations of the user, to answer in the app.
func claimEmailInvitations(ctx context.Context, tx *txn, userID int64) error {
	_, err := tx.Exec(ctx, `
		WITH claimed AS (
			DELETE FROM email_invitations ei USING users u
			WHERE u.id = $1 AND lower(ei.email) = lower(u.email)
			RETURNING ei.association_id, ei.invited_by, ei.invited_at)
		INSERT INTO memberships (association_id, user_id, status, invited_by, invited_at, by_email)
		SELECT c.association_id, $1, 'invited', c.invited_by, c.invited_at, true FROM claimed c
		WHERE c.invited_at > now() - make_interval(secs => $2)
		  AND NOT EXISTS (SELECT 1 FROM invitation_refusals f WHERE f.association_id = c.association_id AND f.user_id = $1)
		ORDER BY c.association_id
		ON CONFLICT DO NOTHING`, userID, invitationSeconds)
	return err
}

// invitationJSON is an Invitation {association: {id, name}, invitedBy: {id,
// firstname, lastname}, invitedAt} of membership m in association a, from user i.
var invitationJSON = `json_strip_nulls(json_build_object('association', json_build_object('id', a.id, 'name', a.name),
	'invitedBy', CASE WHEN i.id IS NOT NULL THEN json_build_object('id', i.id, 'firstname', i.firstname, 'lastname', i.lastname) END,
	'invitedAt', ` + apiTime("m.invited_at") + `))`

// Invitations lists the caller's pending invitations (not lapsed), newest first.
func (db *DB) Invitations(ctx context.Context, caller asso.User, p asso.Page) (doc json.RawMessage, listed asso.Listed, err error) {
	defer wrap(&err, "Invitations()")
	return db.list(ctx, `
		SELECT (SELECT count(*) FROM memberships WHERE user_id = $1 AND status = 'invited' AND invited_at > now() - make_interval(secs => $4)),
		       count(*), COALESCE(json_agg(j ORDER BY invited_at DESC, association_id DESC), '[]')
		FROM (SELECT m.invited_at, m.association_id, `+invitationJSON+` AS j
		      FROM memberships m JOIN associations a ON a.id = m.association_id
		      LEFT JOIN users i ON i.id = m.invited_by
		      WHERE m.user_id = $1 AND m.status = 'invited' AND m.invited_at > now() - make_interval(secs => $4)
		      ORDER BY m.invited_at DESC, m.association_id DESC LIMIT $2 OFFSET $3) page`, caller.ID, p.Limit, p.Offset, invitationSeconds)
}

// AnswerInvitation records the caller's answer to their invitation to association id:
// accepted, they are a member and get the association; declined, the invitation goes,
// and answer.Never keeps them from being invited there again.
func (db *DB) AnswerInvitation(ctx context.Context, caller asso.User, id int64, answer asso.InvitationAnswer) (doc json.RawMessage, err error) {
	defer wrap(&err, "AnswerInvitation(%d)", id)
	err = db.inTx(ctx, func(tx *txn) error {
		doc, err = answerInvitation(ctx, tx, caller.ID, id, answer)
		return err
	})
	return doc, err
}

// AnswerInvitationByLink records the answer a link of the invitation e-mail gives,
// once the store has checked the link's signature.
func (db *DB) AnswerInvitationByLink(ctx context.Context, token asso.InvitationToken, answer asso.InvitationAnswer) (doc json.RawMessage, err error) {
	defer wrap(&err, "AnswerInvitationByLink(%d)", token.AssociationID)
	err = db.inTx(ctx, func(tx *txn) error {
		// Genuine, and of the invitation now pending: the link of an earlier one, answered
		// or withdrawn since, does not answer a new one that was never mailed.
		var genuine bool
		if err := tx.QueryRow(ctx, `
			SELECT signed_token('invitation', $1, $2, to_timestamp($3)) = $4
			   AND EXISTS (SELECT 1 FROM memberships m WHERE m.association_id = $1 AND m.user_id = $2
			               AND floor(extract(epoch FROM m.invited_at + make_interval(secs => $5)))::bigint = $3)`,
			token.AssociationID, token.UserID, token.Expires.Unix(), token.Raw, invitationSeconds).Scan(&genuine); err != nil {
			return err
		}
		if !genuine {
			return asso.ErrInvalidInvitationLink
		}
		doc, err = answerInvitation(ctx, tx, token.UserID, token.AssociationID, answer)
		if errors.Is(err, errNoInvitation) {
			return asso.ErrInvalidInvitationLink
		}
		return err
	})
	return doc, err
}

// answerInvitation answers user userID's invitation to association id, and returns
// {associationId, associationName, status}: "member" once accepted, "declined".
// Accepting again is no error.
func answerInvitation(ctx context.Context, tx *txn, userID, id int64, answer asso.InvitationAnswer) (json.RawMessage, error) {
	var status *string
	err := tx.QueryRow(ctx, `
		SELECT m.status FROM associations a LEFT JOIN memberships m ON m.association_id = a.id AND m.user_id = $2
		WHERE a.id = $1 FOR NO KEY UPDATE OF a`, id, userID).Scan(&status)
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return nil, associationNotFound(id)
	case err != nil:
		return nil, err
	case answer.Accept && status != nil && *status == asso.StatusMember:
		// already a member: the second click of an accept link
	case status == nil || *status != asso.StatusInvited:
		return nil, errNoInvitation
	case answer.Accept:
		// A lapsed invitation is no invitation. Whoever joins an association that has
		// lost its managers (they left, or their accounts went) becomes its manager.
		var tag pgconn.CommandTag
		tag, err = tx.Exec(ctx, `
			UPDATE memberships m SET status = 'member', joined_at = now(),
			       manager = NOT EXISTS (SELECT 1 FROM memberships o WHERE o.association_id = $1 AND o.manager)
			WHERE association_id = $1 AND user_id = $2 AND invited_at > now() - make_interval(secs => $3)`,
			id, userID, invitationSeconds)
		if err == nil && tag.RowsAffected() == 0 {
			return nil, errNoInvitation
		}
	default:
		_, err = tx.Exec(ctx, `DELETE FROM memberships WHERE association_id = $1 AND user_id = $2`, id, userID)
		if err == nil && answer.Never {
			_, err = tx.Exec(ctx, `INSERT INTO invitation_refusals (association_id, user_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, id, userID)
		}
	}
	if err != nil {
		return nil, err
	}
	result := "declined"
	if answer.Accept {
		result = asso.StatusMember
	}
	return queryJSON(ctx, tx, `
		SELECT json_build_object('associationId', a.id, 'associationName', a.name, 'status', $2::text)
		FROM associations a WHERE a.id = $1`, id, result)
}

// keepAManager runs change, which removes memberships or managers of association id,
// and refuses it when it leaves members without a manager. An association emptied of
// members is left to the admin, as before managers existed; whoever accepts one of its
// invitations then manages it.
func keepAManager(ctx context.Context, tx *txn, id int64, change func() error) error {
	const managed = `SELECT EXISTS (SELECT 1 FROM memberships WHERE association_id = $1 AND manager)`
	var before, after, membersLeft bool
	if err := tx.QueryRow(ctx, managed, id).Scan(&before); err != nil {
		return err
	}
	if err := change(); err != nil {
		return err
	}
	if err := tx.QueryRow(ctx, managed+`,
		EXISTS (SELECT 1 FROM memberships WHERE association_id = $1 AND status = 'member')`, id).Scan(&after, &membersLeft); err != nil {
		return err
	}
	if before && !after && membersLeft {
		return asso.ErrLastManager
	}
	return nil
}

// LeaveAssociation ends the caller's membership of association id (or declines their
// invitation), with their role and answers. The last manager must hand over first. A
// place they had at an event goes to the first on its waiting list, who is told by an
// e-mail that counts in the caller's budget and the association's.
func (db *DB) LeaveAssociation(ctx context.Context, caller asso.User, id int64) (doc json.RawMessage, err error) {
	defer wrap(&err, "LeaveAssociation(%d)", id)
	err = db.inTx(ctx, func(tx *txn) error {
		var name string
		if err := tx.QueryRow(ctx, `SELECT name FROM associations WHERE id = $1 FOR NO KEY UPDATE`, id).Scan(&name); err != nil {
			if errors.Is(err, pgx.ErrNoRows) {
				return associationNotFound(id)
			}
			return err
		}
		var freed []int64
		err := keepAManager(ctx, tx, id, func() (err error) {
			if freed, err = lockPlacesHeld(ctx, tx, id, []int64{caller.ID}); err != nil {
				return err
			}
			tag, err := tx.Exec(ctx, `DELETE FROM memberships WHERE association_id = $1 AND user_id = $2`, id, caller.ID)
			if err == nil && tag.RowsAffected() == 0 {
				return asso.Reasoned(asso.ENOTFOUND, "not_member", fmt.Sprintf("you are not a member of association %d", id))
			}
			return err
		})
		if err != nil {
			return err
		}
		// Leaving is never refused for the mail it causes: the promotions count in the
		// association's budget, without a sender (as when one says one cannot come).
		if err := db.promote(ctx, tx, freed, 0, 0); err != nil {
			return err
		}
		doc, err = json.Marshal(map[string]any{"associationId": id, "associationName": name, "status": "left"})
		return err
	})
	return doc, err
}

// SetManager makes member userID of association id a manager, or no longer one. Only
// managers (and the admin) may; the association keeps at least one.
func (db *DB) SetManager(ctx context.Context, caller asso.User, id, userID int64, manager bool) (doc json.RawMessage, err error) {
	defer wrap(&err, "SetManager(%d/%d)", id, userID)
	err = db.inTx(ctx, func(tx *txn) error {
		if err := authorizeAssociations(ctx, tx, caller, id); err != nil {
			return err
		}
		err := keepAManager(ctx, tx, id, func() error {
			tag, err := tx.Exec(ctx, `
				UPDATE memberships SET manager = $3 WHERE association_id = $1 AND user_id = $2 AND status = 'member'`,
				id, userID, manager)
			if err == nil && tag.RowsAffected() == 0 {
				return asso.Invalid(fmt.Sprintf("user %d is not a member of association %d", userID, id))
			}
			return err
		})
		if err != nil {
			return err
		}
		doc, err = queryJSON(ctx, tx, `
			SELECT `+memberJSON+` FROM memberships m JOIN users u ON u.id = m.user_id
			LEFT JOIN roles r ON r.association_id = m.association_id AND r.user_id = m.user_id
			WHERE m.association_id = $1 AND m.user_id = $2`, id, userID)
		return err
	})
	return doc, err
}

// handOverManagement, run before user userID's account goes, makes a member of each
// association they alone manage its manager: the one who joined first.
func handOverManagement(ctx context.Context, tx *txn, userID int64) error {
	// Lock the associations they manage, as every change of managers does, so that two
	// managers leaving at once cannot each count on the other.
	if _, err := tx.Exec(ctx, `
		SELECT a.id FROM associations a JOIN memberships m ON m.association_id = a.id
		WHERE m.user_id = $1 AND m.manager ORDER BY a.id FOR NO KEY UPDATE OF a`, userID); err != nil {
		return err
	}
	_, err := tx.Exec(ctx, `
		UPDATE memberships m SET manager = true
		FROM (SELECT DISTINCT ON (o.association_id) o.association_id, o.user_id
		      FROM memberships mine
		      JOIN memberships o ON o.association_id = mine.association_id AND o.user_id <> $1 AND o.status = 'member'
		      WHERE mine.user_id = $1 AND mine.manager
		        AND NOT EXISTS (SELECT 1 FROM memberships other WHERE other.association_id = mine.association_id
		                        AND other.manager AND other.user_id <> $1)
		      ORDER BY o.association_id, o.joined_at NULLS LAST, o.user_id) heir
		WHERE m.association_id = heir.association_id AND m.user_id = heir.user_id`, userID)
	return err
}
