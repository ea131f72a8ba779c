package postgres

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// Exports (docs/api.md §4, *Exports*): an association's members and an event's
// attendance as the rows of a CSV file, its minutes as the sections of a document,
// for its managers and the admin. They only read: the caller's rights are checked as
// for a change (checkManager), without locking the association. The rows show what
// the lists show, under the same rules (listedMembership, seesEmail); the HTTP layer
// writes the files and cuts them at the byte budget.

// Export is one page of an export: the rows from the page's offset, and what names
// the file.
type Export[R any] struct {
	Name  string // the association's, or the event's for its attendance
	Total int    // the rows of the whole export
	Rows  []R
}

// ExportedMember is a line of the members' file. Email is empty where the caller may
// not see it; Role is empty for a member who holds none; JoinedAt is nil for a person
// invited.
type ExportedMember struct {
	Firstname, Lastname, Email string
	Role, Status               string
	Manager                    bool
	JoinedAt                   *time.Time
}

// ExportedAnswer is a line of an event's attendance: a member and their answer.
// Answer is the state as the database names it ("going", "not_going", "no_answer"),
// passed on as it is; AnsweredAt is nil without an answer.
type ExportedAnswer struct {
	Firstname, Lastname, Email string
	Answer                     string
	AnsweredAt                 *time.Time
}

// ExportedMinute is a section of the minutes' document.
type ExportedMinute struct {
	Date    time.Time
	Content string
	Voters  []string // their full names
}

// A page of members or answers reads at most maxLimit rows of a few hundred bytes
// each (names and roles are short), so it is read whole and cut at the byte budget
// as it is written. Minutes can be long: theirs is cut by their sizes first.

// ExportMembers returns a page of association id's members and people invited, as
// its members list shows them, by user id.
func (db *DB) ExportMembers(ctx context.Context, caller asso.User, id int64, p asso.Page) (out Export[ExportedMember], err error) {
	defer wrap(&err, "ExportMembers(%d)", id)
	err = db.inTx(ctx, func(tx *txn) error {
		if out.Name, err = checkManager(ctx, tx, caller, id); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM memberships m WHERE m.association_id = $1 AND `+listedMembership,
			id).Scan(&out.Total); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `
			SELECT u.firstname, u.lastname, CASE WHEN `+seesEmail("$2", "$3", "u.id")+` THEN u.email ELSE '' END,
			       COALESCE(r.name, ''), m.status, m.manager, m.joined_at
			FROM memberships m JOIN users u ON u.id = m.user_id
			LEFT JOIN roles r ON r.association_id = m.association_id AND r.user_id = m.user_id
			WHERE m.association_id = $1 AND `+listedMembership+`
			ORDER BY u.id LIMIT $4 OFFSET $5`, id, caller.ID, caller.IsAdmin, p.Limit, p.Offset)
		out.Rows, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ExportedMember])
		return err
	})
	return out, err
}

// answerState is the state of member m's answer ea to an event, as exports name it.
const answerState = `CASE WHEN ea.user_id IS NULL THEN 'no_answer' WHEN ea.waiting_order IS NOT NULL THEN 'waiting'
	WHEN ea.going THEN 'going' ELSE 'not_going' END`

// ExportAttendance returns a page of the answers of the members of event id's
// association, by user id.
func (db *DB) ExportAttendance(ctx context.Context, caller asso.User, id int64, p asso.Page) (out Export[ExportedAnswer], err error) {
	defer wrap(&err, "ExportAttendance(%d)", id)
	err = db.inTx(ctx, func(tx *txn) error {
		var associationID int64
		err := tx.QueryRow(ctx, `SELECT association_id, name FROM events WHERE id = $1`, id).Scan(&associationID, &out.Name)
		if errors.Is(err, pgx.ErrNoRows) {
			return errEventNotFound
		}
		if err != nil {
			return err
		}
		if _, err := checkManager(ctx, tx, caller, associationID); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM memberships WHERE association_id = $1 AND status = 'member'`,
			associationID).Scan(&out.Total); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `
			SELECT u.firstname, u.lastname, CASE WHEN `+seesEmail("$3", "$4", "u.id")+` THEN u.email ELSE '' END,
			       `+answerState+`, ea.answered_at
			FROM memberships m JOIN users u ON u.id = m.user_id
			LEFT JOIN event_answers ea ON ea.event_id = $2 AND ea.user_id = m.user_id
			WHERE m.association_id = $1 AND m.status = 'member'
			ORDER BY u.id LIMIT $5 OFFSET $6`, associationID, id, caller.ID, caller.IsAdmin, p.Limit, p.Offset)
		out.Rows, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ExportedAnswer])
		return err
	})
	return out, err
}

// voterBytes is the least a voter adds to a minute's section: a name of two letters
// and its separator. A minute's estimate, its content's length plus this per voter,
// never exceeds its section, so the rows kept hold every one that fits.
const voterBytes = 5

// ExportMinutes returns a page of association id's minutes, oldest first: those whose
// sizes fit in the byte budget, and at least one. The content of the others is never
// read (octet_length does not read a stored text).
func (db *DB) ExportMinutes(ctx context.Context, caller asso.User, id int64, p asso.Page) (out Export[ExportedMinute], err error) {
	defer wrap(&err, "ExportMinutes(%d)", id)
	err = db.inTx(ctx, func(tx *txn) error {
		if out.Name, err = checkManager(ctx, tx, caller, id); err != nil {
			return err
		}
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM minutes WHERE association_id = $1`, id).Scan(&out.Total); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `
			WITH listed AS (
				SELECT mi.id, row_number() OVER (ORDER BY mi.date, mi.id) AS ord,
				       octet_length(mi.content) + $5::bigint * (SELECT count(*) FROM minute_voters v WHERE v.minute_id = mi.id) AS bytes
				FROM minutes mi WHERE mi.association_id = $1
				ORDER BY mi.date, mi.id LIMIT $2 OFFSET $3),
			kept AS (
				SELECT id, ord FROM (SELECT id, ord, sum(bytes) OVER (ORDER BY ord) AS upto FROM listed) estimated
				WHERE upto <= $4 OR ord = (SELECT min(ord) FROM listed))
			SELECT mi.date, mi.content,
			       ARRAY(SELECT u.firstname || ' ' || u.lastname FROM minute_voters v JOIN users u ON u.id = v.user_id
			             WHERE v.minute_id = mi.id ORDER BY u.id)
			FROM kept k JOIN minutes mi ON mi.id = k.id
			ORDER BY k.ord`, id, p.Limit, p.Offset, db.Limits.ResponseBytes, voterBytes)
		out.Rows, err = pgx.CollectRows(rows, pgx.RowToStructByPos[ExportedMinute])
		return err
	})
	return out, err
}
