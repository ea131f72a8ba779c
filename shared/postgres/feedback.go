package postgres

import "context"

// StopMailTo stops event mail to address after it bounced for good or its owner
// complained (SES feedback), where an unsubscribe is recorded: every membership of the
// user with that address opts out, so their invitations, updates and reminders are no
// longer queued, and those already queued are dropped at send time. It is idempotent;
// an address no user has changes nothing. A membership made later mails again, and SES
// still drops it (its suppression list).
func (db *DB) StopMailTo(ctx context.Context, address string) (err error) {
	defer wrap(&err, "StopMailTo()")
	_, err = db.pool.Exec(ctx, `
		UPDATE memberships SET mail_opt_out = true
		WHERE NOT mail_opt_out AND user_id = (SELECT id FROM users WHERE lower(email) = lower($1))`, address)
	return err
}
