// Package postgres is the PostgreSQL adapter: every query of the product, each write in
// one transaction, every statement parameterised.
package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DB is the product's database.
type DB struct {
	pool *pgxpool.Pool
	// MailQueued, when set, is called after a transaction that queued e-mails in the
	// outbox commits, with their ids: the API publishes them to the mail queue there.
	// It must not fail the request: what it misses, the relay publishes later.
	MailQueued func(ctx context.Context, outboxIDs []int64)
}

// txn is a transaction that remembers the e-mails it queued.
type txn struct {
	pgx.Tx
	queuedMail []int64
}

// Open connects to databaseURL. maxConns bounds the pool: in Lambda one environment
// serves one request at a time, so 2 is plenty; the local gateway runs every function
// in one process and wants more.
func Open(ctx context.Context, databaseURL string, maxConns int32) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		// The parse error may quote the URL, password included: keep it out of logs.
		return nil, errors.New("postgres: DATABASE_URL is not a valid connection string")
	}
	if maxConns > 0 {
		cfg.MaxConns = maxConns
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	return &DB{pool: pool}, nil
}

// Close releases every connection.
func (db *DB) Close() { db.pool.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.pool.Ping(ctx)
}

// inTx runs fn in one transaction, committed when fn returns nil, then hands the
// e-mails it queued to MailQueued.
func (db *DB) inTx(ctx context.Context, fn func(*txn) error) error {
	t := &txn{}
	err := pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		t.Tx = tx
		return fn(t)
	})
	if err == nil && len(t.queuedMail) > 0 && db.MailQueued != nil {
		db.MailQueued(ctx, t.queuedMail)
	}
	return err
}

// wrap prefixes *errp with the operation's name, keeping it matchable with errors.As.
func wrap(errp *error, op string) {
	if *errp != nil {
		*errp = fmt.Errorf("postgres: %s: %w", op, *errp)
	}
}

// isUniqueViolation reports whether err is a unique-index violation of constraint.
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

// isCheckViolation reports whether err is a CHECK constraint violation.
func isCheckViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23514"
}
