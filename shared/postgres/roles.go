package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/asso"
)

var errRoleNotFound = asso.Errorf(asso.ENOTFOUND, "Role not found")

// Roles lists every role.
func (db *DB) Roles(ctx context.Context, p asso.Page) (doc json.RawMessage, listed asso.Listed, err error) {
	defer wrap(&err, "Roles()")
	return db.list(ctx, `
		SELECT `+rowCount("roles")+`, count(*), COALESCE(json_agg(j ORDER BY association_id, user_id), '[]')
		FROM (SELECT r.association_id, r.user_id, `+roleJSON+` AS j FROM roles r
		      ORDER BY r.association_id, r.user_id LIMIT $1 OFFSET $2) page`, p.Limit, p.Offset)
}

// AssociationRoles lists the roles of one association, with their user and association.
func (db *DB) AssociationRoles(ctx context.Context, viewer asso.User, id int64, p asso.Page) (doc json.RawMessage, listed asso.Listed, err error) {
	defer wrap(&err, "AssociationRoles(%d)", id)
	if err := db.associationExists(ctx, id); err != nil {
		return nil, asso.Listed{}, err
	}
	return db.list(ctx, `
		SELECT (SELECT count(*) FROM roles WHERE association_id = $3), count(*), COALESCE(json_agg(j ORDER BY user_id), '[]')
		FROM (SELECT r.user_id, `+roleRelationsJSON+` AS j
		      FROM roles r JOIN users u ON u.id = r.user_id JOIN associations a ON a.id = r.association_id
		      WHERE r.association_id = $3 ORDER BY r.user_id LIMIT $4 OFFSET $5) page`,
		viewer.ID, viewer.IsAdmin, id, p.Limit, p.Offset)
}

// UsersWithRole lists the users holding a role named exactly name, in any association.
func (db *DB) UsersWithRole(ctx context.Context, viewer asso.User, name string, p asso.Page) (doc json.RawMessage, listed asso.Listed, err error) {
	defer wrap(&err, "UsersWithRole()")
	return db.list(ctx, `
		WITH holders AS (SELECT DISTINCT user_id FROM roles WHERE name = $3)
		SELECT (SELECT count(*) FROM holders), count(*), COALESCE(json_agg(j ORDER BY id), '[]')
		FROM (SELECT u.id, `+userJSON("$1", "$2")+` AS j FROM users u JOIN holders h ON h.user_id = u.id
		      ORDER BY u.id LIMIT $4 OFFSET $5) page`, viewer.ID, viewer.IsAdmin, name, p.Limit, p.Offset)
}

// Role returns one role.
func (db *DB) Role(ctx context.Context, key asso.RoleKey) (doc json.RawMessage, err error) {
	defer wrap(&err, "Role(%d/%d)", key.UserID, key.AssociationID)
	return db.one(ctx, errRoleNotFound, `SELECT `+roleJSON+` FROM roles r WHERE r.user_id = $1 AND r.association_id = $2`,
		key.UserID, key.AssociationID)
}

// SetRole gives a member a role in their association, renaming the one they have.
func (db *DB) SetRole(ctx context.Context, caller asso.User, key asso.RoleKey, name string) (doc json.RawMessage, err error) {
	defer wrap(&err, "SetRole(%d/%d)", key.UserID, key.AssociationID)
	err = db.inTx(ctx, func(tx *txn) error {
		if err := authorizeAssociations(ctx, tx, caller, key.AssociationID); err != nil {
			return err
		}
		var exists, member bool
		if err := tx.QueryRow(ctx, `
			SELECT EXISTS (SELECT 1 FROM users WHERE id = $1),
			       EXISTS (SELECT 1 FROM memberships m WHERE m.user_id = $1 AND m.association_id = $2 AND `+listedMembership+`)`,
			key.UserID, key.AssociationID).Scan(&exists, &member); err != nil {
			return err
		}
		if !exists {
			return errUserNotFound
		}
		if !member {
			return asso.Invalid(fmt.Sprintf("user %d is not a member of association %d", key.UserID, key.AssociationID))
		}
		if _, err := tx.Exec(ctx, `
			INSERT INTO roles (user_id, association_id, name) VALUES ($1, $2, $3)
			ON CONFLICT (association_id, user_id) DO UPDATE SET name = EXCLUDED.name`,
			key.UserID, key.AssociationID, name); err != nil {
			return err
		}
		doc, err = queryJSON(ctx, tx, `
			SELECT `+roleRelationsJSON+`
			FROM roles r JOIN users u ON u.id = r.user_id JOIN associations a ON a.id = r.association_id
			WHERE r.user_id = $3 AND r.association_id = $4`, caller.ID, caller.IsAdmin, key.UserID, key.AssociationID)
		return err
	})
	return doc, err
}

// RenameRole names a member's role, creating the role row for a member who has none
// (the creator of an association has none, and the old web client renames it this
// way); only a user who is not a member has no role to name (404). It is one pipeline
// (inOneTrip): the association's lock (shared, as CreateMinute's; the role row itself
// orders two renames of it) and the role, committed in one round trip.
func (db *DB) RenameRole(ctx context.Context, caller asso.User, key asso.RoleKey, name string) (doc json.RawMessage, err error) {
	defer wrap(&err, "RenameRole(%d/%d)", key.UserID, key.AssociationID)
	err = db.inOneTrip(ctx, func(b *pgx.Batch) {
		authorizeFirst(b, caller, key.AssociationID, true)
		// No member, no row: nothing is written (the statement still counts as a
		// write of roles for the data version, which only costs the caches a miss).
		b.Queue(`
			INSERT INTO roles AS r (user_id, association_id, name)
			SELECT user_id, association_id, $3 FROM memberships m WHERE m.user_id = $1 AND m.association_id = $2 AND `+listedMembership+`
			ON CONFLICT (association_id, user_id) DO UPDATE SET name = EXCLUDED.name
			RETURNING `+roleJSON, key.UserID, key.AssociationID, name)
	}, func(br pgx.BatchResults) error {
		if err := roleAuthorized(authorized(br, key.AssociationID)); err != nil {
			return err
		}
		var role []byte
		err := br.QueryRow().Scan(&role)
		if errors.Is(err, pgx.ErrNoRows) {
			return errRoleNotFound
		}
		doc = role
		return err
	})
	return doc, err
}

// DeleteRole removes a role; the user stays a member.
func (db *DB) DeleteRole(ctx context.Context, caller asso.User, key asso.RoleKey) (doc json.RawMessage, err error) {
	defer wrap(&err, "DeleteRole(%d/%d)", key.UserID, key.AssociationID)
	err = db.inTx(ctx, func(tx *txn) error {
		if err := authorizeRole(ctx, tx, caller, key); err != nil {
			return err
		}
		doc, err = queryJSON(ctx, tx, `
			DELETE FROM roles r WHERE r.user_id = $1 AND r.association_id = $2
			RETURNING `+roleJSON, key.UserID, key.AssociationID)
		if errors.Is(err, pgx.ErrNoRows) {
			return errRoleNotFound
		}
		return err
	})
	return doc, err
}

// authorizeRole checks the caller may change roles of the key's association; a role
// of an unknown association is simply not found.
func authorizeRole(ctx context.Context, tx *txn, caller asso.User, key asso.RoleKey) error {
	return roleAuthorized(authorizeAssociations(ctx, tx, caller, key.AssociationID))
}

// roleAuthorized is the answer of an authorization to a write of a role.
func roleAuthorized(err error) error {
	if asso.ErrorCode(err) == asso.ENOTFOUND {
		return errRoleNotFound
	}
	return err
}
