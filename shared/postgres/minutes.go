package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/asso"
)

var errMinuteNotFound = asso.Errorf(asso.ENOTFOUND, "Minute not found")

// MinuteSort is how an association's minutes are ordered.
type MinuteSort struct {
	ByContent  bool // else by date
	Descending bool
}

// Minutes lists every minute.
func (db *DB) Minutes(ctx context.Context, viewer asso.User, p asso.Page) (doc json.RawMessage, listed asso.Listed, err error) {
	defer wrap(&err, "Minutes()")
	return db.list(ctx, allMinutes, viewer.ID, viewer.IsAdmin, p.Limit, p.Offset, db.Limits.ResponseBytes)
}

// The page of every minute for the viewer ($1 id, $2 isAdmin): $3 limit, $4 offset,
// $5 the byte budget.
var allMinutes = listQuery(`SELECT id, id AS ord FROM minutes ORDER BY id LIMIT $3 OFFSET $4`,
	minuteSizes, minuteDocs, `SELECT `+rowCount("minutes"), 5)

// AssociationMinutes lists the minutes of one association in the given order.
func (db *DB) AssociationMinutes(ctx context.Context, viewer asso.User, id int64, sort MinuteSort, p asso.Page) (doc json.RawMessage, listed asso.Listed, err error) {
	defer wrap(&err, "AssociationMinutes(%d)", id)
	if err := db.associationExists(ctx, id); err != nil {
		return nil, asso.Listed{}, err
	}
	// The order is one of four fixed strings chosen here, never text from the request.
	order := "m.date"
	if sort.ByContent {
		order = "m.content"
	}
	if sort.Descending {
		order += " DESC"
	}
	order += ", m.id"
	page := fmt.Sprintf(`SELECT m.id, row_number() OVER (ORDER BY %s) AS ord
		FROM minutes m WHERE m.association_id = $3 ORDER BY %s LIMIT $4 OFFSET $5`, order, order)
	return db.list(ctx, listQuery(page, minuteSizes, minuteDocs, `SELECT count(*) FROM minutes WHERE association_id = $3`, 6),
		viewer.ID, viewer.IsAdmin, id, p.Limit, p.Offset, db.Limits.ResponseBytes)
}

// Minute returns one minute.
func (db *DB) Minute(ctx context.Context, viewer asso.User, id int64) (doc json.RawMessage, err error) {
	defer wrap(&err, "Minute(%d)", id)
	return db.one(ctx, errMinuteNotFound, oneMinute, viewer.ID, viewer.IsAdmin, id)
}

// CreateMinute records minutes in an association the caller manages. It is one
// pipeline (inOneTrip): the association's lock (shared: writes of minutes and of roles
// do not wait for each other), the minutes and their voters, and the document,
// committed in one round trip.
func (db *DB) CreateMinute(ctx context.Context, caller asso.User, in asso.MinuteInput) (doc json.RawMessage, err error) {
	defer wrap(&err, "CreateMinute()")
	voters, err := db.checkVoterCount(*in.VoterIDs)
	if err != nil {
		return nil, err
	}
	err = db.inOneTrip(ctx, func(b *pgx.Batch) {
		authorizeFirst(b, caller, *in.AssociationID, true)
		// A voter who is no user fails the foreign key: the whole pipeline rolls back.
		b.Queue(`
			WITH minute AS (INSERT INTO minutes (association_id, content, date) VALUES ($1, $2, $3) RETURNING id)
			INSERT INTO minute_voters (minute_id, user_id) SELECT minute.id, unnest($4::bigint[]) FROM minute`,
			*in.AssociationID, *in.Content, *in.Date, voters)
		b.Queue(newMinute, caller.ID, caller.IsAdmin)
	}, func(br pgx.BatchResults) error {
		if err := authorized(br, *in.AssociationID); err != nil {
			return err
		}
		if _, err := br.Exec(); err != nil {
			if isForeignKeyViolation(err, "minute_voters_user_id_fkey") {
				return errUsersNotFound
			}
			return err
		}
		var minute []byte
		err := br.QueryRow().Scan(&minute)
		doc = minute
		return err
	})
	return doc, err
}

// UpdateMinute changes minutes; moving them to another association needs membership of both.
func (db *DB) UpdateMinute(ctx context.Context, caller asso.User, id int64, in asso.MinuteInput) (doc json.RawMessage, err error) {
	defer wrap(&err, "UpdateMinute(%d)", id)
	err = db.inTx(ctx, func(tx *txn) error {
		if _, err := lockForChange(ctx, tx, caller, minuteRow, id, errMinuteNotFound, in.AssociationID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `
			UPDATE minutes SET content = COALESCE($2, content), date = COALESCE($3, date),
			                   association_id = COALESCE($4, association_id)
			WHERE id = $1`, id, in.Content, in.Date, in.AssociationID); err != nil {
			return err
		}
		if in.VoterIDs != nil {
			if _, err := tx.Exec(ctx, `DELETE FROM minute_voters WHERE minute_id = $1`, id); err != nil {
				return err
			}
			if err := db.setVoters(ctx, tx, id, *in.VoterIDs); err != nil {
				return err
			}
		}
		doc, err = queryJSON(ctx, tx, oneMinute, caller.ID, caller.IsAdmin, id)
		return err
	})
	return doc, err
}

// DeleteMinute deletes minutes and their votes.
func (db *DB) DeleteMinute(ctx context.Context, caller asso.User, id int64) (doc json.RawMessage, err error) {
	defer wrap(&err, "DeleteMinute(%d)", id)
	err = db.inTx(ctx, func(tx *txn) error {
		if _, err := lockForChange(ctx, tx, caller, minuteRow, id, errMinuteNotFound, nil); err != nil {
			return err
		}
		if doc, err = queryJSON(ctx, tx, oneMinute, caller.ID, caller.IsAdmin, id); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `DELETE FROM minutes WHERE id = $1`, id)
		return err
	})
	return doc, err
}

// child is a table of rows that belong to an association (minutes, events): how to
// read a row's association, and how to lock the row.
type child struct{ read, lock string }

var (
	minuteRow = child{
		read: `SELECT association_id FROM minutes WHERE id = $1`,
		lock: `SELECT association_id FROM minutes WHERE id = $1 FOR UPDATE`,
	}
	eventRow = child{
		read: `SELECT association_id FROM events WHERE id = $1`,
		lock: `SELECT association_id FROM events WHERE id = $1 FOR UPDATE`,
	}
)

// lockForChange locks one minute or event and checks that caller may change it: a
// member of its association, and of moveTo when it moves. It returns the association
// the row belongs to. Locks are always taken association first, then the row, as
// every write to an association takes them (its deletion included): two writers never
// wait on each other in a cycle. The row is read, its associations locked, then the
// row locked and its association checked again, in case it moved in between.
func lockForChange(ctx context.Context, tx *txn, caller asso.User, c child, id int64, notFound error, moveTo *int64) (int64, error) {
	for range 3 {
		var associationID int64
		err := tx.QueryRow(ctx, c.read, id).Scan(&associationID)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, notFound
		}
		if err != nil {
			return 0, err
		}
		touched := []int64{associationID}
		if moveTo != nil {
			touched = append(touched, *moveTo)
		}
		if err := authorizeAssociations(ctx, tx, caller, touched...); err != nil {
			if asso.ErrorCode(err) == asso.ENOTFOUND {
				// Its association may have been deleted meanwhile, and the row with it.
				if err := tx.QueryRow(ctx, c.read, id).Scan(&associationID); errors.Is(err, pgx.ErrNoRows) {
					return 0, notFound
				}
			}
			return 0, err
		}
		var lockedAssociation int64
		err = tx.QueryRow(ctx, c.lock, id).Scan(&lockedAssociation)
		if errors.Is(err, pgx.ErrNoRows) {
			return 0, notFound
		}
		if err != nil || lockedAssociation == associationID {
			return associationID, err
		}
	}
	return 0, asso.Errorf(asso.ECONFLICT, "it was moved to another association meanwhile; try again")
}

// checkVoterCount returns the voters sorted, each once, or refuses more than
// Limits.MaxVoters.
func (db *DB) checkVoterCount(voterIDs []int64) ([]int64, error) {
	voters := distinct(voterIDs)
	if len(voters) > db.Limits.MaxVoters {
		return nil, asso.Invalid(fmt.Sprintf("a minute has at most %d voters", db.Limits.MaxVoters))
	}
	return voters, nil
}

// A minute has at most Limits.MaxVoters voters.
func (db *DB) setVoters(ctx context.Context, tx *txn, minuteID int64, voterIDs []int64) error {
	voters, err := db.checkVoterCount(voterIDs)
	if err != nil {
		return err
	}
	if err := checkUsersExist(ctx, tx, voters); err != nil {
		return err
	}
	_, err = tx.Exec(ctx, `INSERT INTO minute_voters (minute_id, user_id) SELECT $1, unnest($2::bigint[])`, minuteID, voters)
	return err
}
