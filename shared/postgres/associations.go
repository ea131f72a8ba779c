package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/kittenasso/kittenasso/shared/asso"
)

var errTooManyCancellations = asso.Reasoned(asso.ECONFLICT, "too_many_cancellations",
	"the cancellations of its future events do not fit in an hour's mail budget: delete its future events first, then the association")

func associationNotFound(id int64) error {
	return asso.Errorf(asso.ENOTFOUND, "Association %d not found", id)
}

// authorizeAssociations locks the given associations (in id order, so two requests
// never wait on each other) for the rest of tx, and checks that caller may change
// them: a manager, or the admin. A person invited is not yet a member, and a member
// who is not a manager only reads and answers events. Locking serialises every write
// to one association, so concurrent membership and role changes apply one after the
// other (minutes written and roles renamed take it shared: authorizeFirst).
// lock_association (migration 0013) reads the caller's membership once the lock is
// granted, so that a change committed by the writer ahead counts.
func authorizeAssociations(ctx context.Context, tx *txn, caller asso.User, ids ...int64) error {
	for _, id := range distinct(ids) {
		var standing *string
		if err := tx.QueryRow(ctx, `SELECT lock_association($1, $2)`, id, caller.ID).Scan(&standing); err != nil {
			return err
		}
		if err := mayChange(caller, id, standing); err != nil {
			return err
		}
	}
	return nil
}

// mayChange is the rule of every change to association id: its managers and the
// admin may; standing is what caller is to it, as lock_association (migration 0013)
// names it: "manager", "member", "outsider", or nil for no such association.
func mayChange(caller asso.User, id int64, standing *string) error {
	switch {
	case standing == nil:
		return refusal(id, "not_found")
	case caller.IsAdmin || *standing == "manager":
		return nil
	case *standing == "member":
		return refusal(id, "not_manager")
	default:
		return refusal(id, "not_member")
	}
}

// refusal is the error of a write to association id refused because why: not_found,
// not_member or not_manager (authorizeAssociations, and the SQL function
// authorize_association of migration 0013 that pipelined writes start with).
func refusal(id int64, why string) error {
	switch why {
	case "not_found":
		return associationNotFound(id)
	case "not_manager":
		return asso.NotManager(id)
	default:
		return asso.Reasoned(asso.EFORBIDDEN, "not_member", fmt.Sprintf("you are not a member of association %d", id))
	}
}

// authorizeFirst queues, as the first statement of a pipelined write (inOneTrip), the
// check authorizeAssociations makes for one association: authorize_association locks
// its row for the rest of the transaction, or raises, which skips the statements
// queued after it and rolls the pipeline back. shared takes the lock FOR SHARE, for a
// write that changes neither the association's row nor its members (migration 0013):
// such writes do not wait for each other, and every other write waits for them.
func authorizeFirst(b *pgx.Batch, caller asso.User, id int64, shared bool) {
	b.Queue(`SELECT authorize_association($1, $2, $3, $4)`, id, caller.ID, caller.IsAdmin, shared)
}

// authorized reads the answer to authorizeFirst: nil, or why the write is refused.
func authorized(br pgx.BatchResults, id int64) error {
	_, err := br.Exec()
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "KA403" {
		return refusal(id, pgErr.Detail)
	}
	return err
}

// checkManager checks, without locking anything, that caller manages association id,
// or is the admin (mayChange), and returns its name: an export only reads. Its
// standing is lock_association's, read without the lock.
func checkManager(ctx context.Context, tx *txn, caller asso.User, id int64) (name string, err error) {
	var standing string
	err = tx.QueryRow(ctx, `
		SELECT a.name, CASE WHEN m.manager THEN 'manager' WHEN m.status = 'member' THEN 'member' ELSE 'outsider' END
		FROM associations a LEFT JOIN memberships m ON m.association_id = a.id AND m.user_id = $2
		WHERE a.id = $1`, id, caller.ID).Scan(&name, &standing)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", mayChange(caller, id, nil)
	}
	if err != nil {
		return "", err
	}
	return name, mayChange(caller, id, &standing)
}

// checkMemberCount refuses an association of more members than the limit.
func (db *DB) checkMemberCount(members []int64) error {
	if len(members) > db.Limits.MaxMembers {
		return asso.Invalid(fmt.Sprintf("an association has at most %d members", db.Limits.MaxMembers))
	}
	return nil
}

var errUsersNotFound = asso.Errorf(asso.ENOTFOUND, "Some users not found")

// checkUsersExist answers 404 "Some users not found" unless every id is a user.
func checkUsersExist(ctx context.Context, tx *txn, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	var found int
	if err := tx.QueryRow(ctx, `SELECT count(*) FROM users WHERE id = ANY($1)`, ids).Scan(&found); err != nil {
		return err
	}
	if found != len(ids) {
		return errUsersNotFound
	}
	return nil
}

// JSON documents built by PostgreSQL are scanned into a plain []byte: scanning into
// json.RawMessage (an Unmarshaler) would make pgx validate every byte again, which
// was a third of the server's CPU on list routes.

// queryJSON runs a query that returns one JSON document.
func queryJSON(ctx context.Context, q *txn, sql string, args ...any) (json.RawMessage, error) {
	var doc []byte
	err := q.QueryRow(ctx, sql, args...).Scan(&doc)
	return doc, err
}

// list runs a page query returning (total, count, JSON array) in one round trip.
func (db *DB) list(ctx context.Context, sql string, args ...any) (json.RawMessage, asso.Listed, error) {
	var doc []byte
	var listed asso.Listed
	err := db.pool.QueryRow(ctx, sql, args...).Scan(&listed.Total, &listed.Count, &doc)
	return doc, listed, err
}

// one runs a query returning one JSON object, or notFound when there is no row.
func (db *DB) one(ctx context.Context, notFound error, sql string, args ...any) (json.RawMessage, error) {
	var doc []byte
	err := db.pool.QueryRow(ctx, sql, args...).Scan(&doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, notFound
	}
	return doc, err
}

// associationExists answers 404 for an unknown association.
func (db *DB) associationExists(ctx context.Context, id int64) error {
	var exists bool
	if err := db.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM associations WHERE id = $1)`, id).Scan(&exists); err != nil {
		return err
	}
	if !exists {
		return associationNotFound(id)
	}
	return nil
}

// Associations lists the associations found by search (all without one), with their
// members and roles.
func (db *DB) Associations(ctx context.Context, search asso.Search, p asso.Page) (doc json.RawMessage, listed asso.Listed, err error) {
	defer wrap(&err, "Associations()")
	if len(search.Words) == 0 {
		return db.list(ctx, allAssociations, p.Limit, p.Offset, db.Limits.ResponseBytes)
	}
	patterns, err := db.searchPatterns(ctx, search)
	if err != nil {
		return nil, listed, err
	}
	found := matchesAll("a.search_name", 4, len(patterns))
	query := listQuery(`SELECT id, id AS ord FROM associations a WHERE `+found+` ORDER BY id LIMIT $1 OFFSET $2`,
		associationSizes, associationDocs, `SELECT count(*) FROM associations a WHERE `+found, 3)
	return db.list(ctx, query, append([]any{p.Limit, p.Offset, db.Limits.ResponseBytes}, patterns...)...)
}

// The page of every association: $1 limit, $2 offset, $3 the byte budget; a search's
// words follow, from $4.
var allAssociations = listQuery(`SELECT id, id AS ord FROM associations ORDER BY id LIMIT $1 OFFSET $2`,
	associationSizes, associationDocs, `SELECT `+rowCount("associations"), 3)

// Association returns one association with its members and roles.
func (db *DB) Association(ctx context.Context, id int64) (doc json.RawMessage, err error) {
	defer wrap(&err, "Association(%d)", id)
	return db.one(ctx, associationNotFound(id), oneAssociation, id)
}

// AssociationMembers lists the members of an association and the people invited to
// it, each with their own role, status and whether they manage it.
func (db *DB) AssociationMembers(ctx context.Context, id int64, p asso.Page) (doc json.RawMessage, listed asso.Listed, err error) {
	defer wrap(&err, "AssociationMembers(%d)", id)
	if err := db.associationExists(ctx, id); err != nil {
		return nil, asso.Listed{}, err
	}
	return db.list(ctx, `
		SELECT (SELECT count(*) FROM memberships m WHERE m.association_id = $1 AND `+listedMembership+`), count(*),
		       COALESCE(json_agg(`+memberJSON+` ORDER BY u.id), '[]')
		FROM (SELECT * FROM memberships m WHERE m.association_id = $1 AND `+listedMembership+`
		      ORDER BY m.user_id LIMIT $2 OFFSET $3) m
		JOIN users u ON u.id = m.user_id
		LEFT JOIN roles r ON r.association_id = $1 AND r.user_id = m.user_id`, id, p.Limit, p.Offset)
}

// CreateAssociation creates an association whose first member and manager is the
// caller, and invites userIDs to it: they become members when they accept.
func (db *DB) CreateAssociation(ctx context.Context, caller asso.User, in asso.AssociationInput) (doc json.RawMessage, err error) {
	defer wrap(&err, "CreateAssociation()")
	var invited []int64
	if in.UserIDs != nil {
		invited = distinct(*in.UserIDs)
	}
	if err := db.checkMemberCount(distinct(append([]int64{caller.ID}, invited...))); err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx *txn) error {
		if err := checkUsersExist(ctx, tx, invited); err != nil {
			return err
		}
		var id int64
		if err := tx.QueryRow(ctx, `INSERT INTO associations (name, created_by) VALUES ($1, $2) RETURNING id`,
			*in.Name, caller.ID).Scan(&id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO memberships (association_id, user_id, status, manager, joined_at)
			VALUES ($1, $2, 'member', true, now())`, id, caller.ID); err != nil {
			return err
		}
		if err := db.invite(ctx, tx, caller, id, invited, false); err != nil {
			return err
		}
		doc, err = queryJSON(ctx, tx, oneAssociation, id)
		return err
	})
	return doc, err
}

// UpdateAssociation renames an association and/or sets who belongs to it: members
// and people invited who are not in UserIDs are removed (their roles and answers go
// with them; their places at events go to the first on the waiting lists, told by
// e-mail), and those who are neither yet are invited. The association keeps a manager.
// A rename alone is one pipeline (inOneTrip): the lock, the new name and the document,
// committed in one round trip.
func (db *DB) UpdateAssociation(ctx context.Context, caller asso.User, id int64, in asso.AssociationInput) (doc json.RawMessage, err error) {
	defer wrap(&err, "UpdateAssociation(%d)", id)
	if in.UserIDs == nil {
		err = db.inOneTrip(ctx, func(b *pgx.Batch) {
			authorizeFirst(b, caller, id, false)
			if in.Name != nil {
				b.Queue(`UPDATE associations SET name = $2 WHERE id = $1`, id, *in.Name)
			}
			b.Queue(oneAssociation, id)
		}, func(br pgx.BatchResults) error {
			if err := authorized(br, id); err != nil {
				return err
			}
			if in.Name != nil {
				if _, err := br.Exec(); err != nil {
					return err
				}
			}
			var association []byte
			err := br.QueryRow().Scan(&association)
			doc = association
			return err
		})
		return doc, err
	}
	err = db.inTx(ctx, func(tx *txn) error {
		if err := authorizeAssociations(ctx, tx, caller, id); err != nil {
			return err
		}
		if in.Name != nil {
			if _, err := tx.Exec(ctx, `UPDATE associations SET name = $2 WHERE id = $1`, id, *in.Name); err != nil {
				return err
			}
		}
		if in.UserIDs != nil {
			members := distinct(*in.UserIDs)
			if err := db.checkMemberCount(members); err != nil {
				return err
			}
			if err := checkUsersExist(ctx, tx, members); err != nil {
				return err
			}
			var freed []int64
			if err := keepAManager(ctx, tx, id, func() error {
				// The invitations by address are not listed, so no list names them: they stay.
				rows, _ := tx.Query(ctx, `SELECT m.user_id FROM memberships m WHERE m.association_id = $1 AND m.user_id <> ALL($2)
					AND `+listedMembership, id, members)
				removed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
				if err != nil || len(removed) == 0 {
					return err
				}
				if freed, err = lockPlacesHeld(ctx, tx, id, removed); err != nil {
					return err
				}
				_, err = tx.Exec(ctx, `DELETE FROM memberships WHERE association_id = $1 AND user_id = ANY($2)`, id, removed)
				return err
			}); err != nil {
				return err
			}
			if err := db.promote(ctx, tx, freed, caller.ID, id); err != nil {
				return err
			}
			if err := db.invite(ctx, tx, caller, id, members, false); err != nil {
				return err
			}
		}
		doc, err = queryJSON(ctx, tx, oneAssociation, id)
		return err
	})
	return doc, err
}

// DeleteAssociation deletes an association with its memberships, roles, minutes and
// events, and queues a cancellation to each member for each of its future events,
// within the mail budgets.
func (db *DB) DeleteAssociation(ctx context.Context, caller asso.User, id int64) (doc json.RawMessage, err error) {
	defer wrap(&err, "DeleteAssociation(%d)", id)
	err = db.inTx(ctx, func(tx *txn) error {
		if err := authorizeAssociations(ctx, tx, caller, id); err != nil {
			return err
		}
		if doc, err = queryJSON(ctx, tx, oneAssociation, id); err != nil {
			return err
		}
		rows, err := tx.Query(ctx, `
			UPDATE events SET sequence = sequence + 1
			WHERE association_id = $1 AND starts_at > now() RETURNING id`, id)
		if err != nil {
			return err
		}
		future, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		for _, eventID := range future {
			if err := enqueueEventMails(ctx, tx, asso.MailCancellation, eventID, caller.ID); err != nil {
				return err
			}
		}
		// Cancellations that could never fit in an hour's budget would be refused at
		// every try: say what to do instead.
		if len(tx.queuedMail) > min(db.Limits.MailsPerUserHour, db.Limits.MailsPerAssociationHour) {
			return errTooManyCancellations
		}
		if err := checkMailBudget(ctx, tx, db.Limits, caller.ID, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM associations WHERE id = $1`, id)
		return err
	})
	return doc, err
}
