// Package postgres is the PostgreSQL adapter: every query of the product, each write in
// one transaction, every statement parameterised.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// DB is the product's database.
type DB struct {
	pool *pgxpool.Pool
	// Limits bound what one caller's writes may do: members, voters, page bytes and
	// the mail they cause. Open sets asso.DefaultLimits.
	Limits asso.Limits

	outbox Publisher    // nil: the relay publishes everything
	log    *slog.Logger // for what publishing after a commit misses
}

// txn is a transaction that remembers the e-mails it queued.
type txn struct {
	pgx.Tx
	queuedMail []int64
	// publishing: the e-mails queued now are published after the commit (the store
	// has an Outbox publisher), so they are written already marked published (see
	// publish); without it they wait for the relay.
	publishing bool
}

// Options tune a connection pool.
type Options struct {
	// MaxConns bounds the pool: in Lambda one environment serves one request at a
	// time, so 2 is plenty; the local gateway runs every function in one process.
	MaxConns int32
	// StatementTimeout cancels any statement running longer, so that no request can
	// hold a connection for long (the caller gets a 503).
	StatementTimeout time.Duration
	// Credentials, when set, gives the connection string (from a secret) at every new
	// connection, so that a rotated password is used without a restart; the URL given
	// to Open may then be empty.
	Credentials func(context.Context) (string, error)
	// Outbox, when set, is where the e-mails a transaction queued are published once
	// it commits (the mail queue). A failure there does not fail the request: the
	// relay publishes what it missed. Log tells about such failures.
	Outbox Publisher
	Log    *slog.Logger
}

// connectTimeout bounds each connection attempt, unless the URL sets connect_timeout:
// a database that is resuming (Aurora Serverless from zero) or down answers a 503
// with Retry-After, not a function timeout.
const connectTimeout = 5 * time.Second

// DefaultStatementTimeout is the statement_timeout of every connection unless a
// deployment says otherwise: far above any query of the product on its largest page.
const DefaultStatementTimeout = 5 * time.Second

// Open connects to databaseURL.
func Open(ctx context.Context, databaseURL string, opts Options) (*DB, error) {
	if opts.Credentials != nil {
		databaseURL = "" // each connection reads the secret (BeforeConnect below)
	}
	cfg, err := pgxpool.ParseConfig(databaseURL)
	if err != nil {
		// The parse error may quote the URL, password included: keep it out of logs.
		return nil, errors.New("postgres: DATABASE_URL is not a valid connection string")
	}
	if opts.MaxConns > 0 {
		cfg.MaxConns = opts.MaxConns
	}
	timeout := opts.StatementTimeout
	if timeout <= 0 {
		timeout = DefaultStatementTimeout
	}
	settings := func(cc *pgx.ConnConfig, url string) {
		cc.RuntimeParams["statement_timeout"] = strconv.FormatInt(timeout.Milliseconds(), 10)
		if !strings.Contains(url, "connect_timeout") {
			cc.ConnectTimeout = connectTimeout
		}
	}
	settings(cfg.ConnConfig, databaseURL)
	if opts.Credentials != nil {
		// Reading the secret here, not at Open, keeps the init of a function that never
		// queries (api-info) from needing the right to read it.
		cfg.BeforeConnect = func(ctx context.Context, cc *pgx.ConnConfig) error {
			current, err := opts.Credentials(ctx)
			if err != nil {
				return err
			}
			fresh, err := pgx.ParseConfig(current)
			if err != nil {
				return errors.New("postgres: the database secret is not a valid connection string")
			}
			cc.Config = fresh.Config
			cc.DefaultQueryExecMode = fresh.DefaultQueryExecMode // exec behind a pooler
			settings(cc, current)
			return nil
		}
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &DB{pool: pool, Limits: asso.DefaultLimits, outbox: opts.Outbox, log: log}, nil
}

// Close releases every connection.
func (db *DB) Close() { db.pool.Close() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	return db.pool.Ping(ctx)
}

// txAttempts bounds how often a transaction that lost a deadlock or a serialization
// race is tried: such a failure says nothing about the request, so it is retried
// rather than answered with an error.
const txAttempts = 4

// inTx runs fn in one transaction, committed when fn returns nil, then hands the
// e-mails it queued to the Outbox publisher. A transaction that PostgreSQL aborted as a
// deadlock victim or a serialization failure is run again from the start.
func (db *DB) inTx(ctx context.Context, fn func(*txn) error) error {
	var t *txn
	var err error
	for attempt := 1; ; attempt++ {
		t = &txn{publishing: db.outbox != nil}
		err = pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
			t.Tx = tx
			return fn(t)
		})
		if !isRetryable(err) || attempt == txAttempts || ctx.Err() != nil {
			break
		}
		// A short, growing pause lets the winner of the race finish first.
		time.Sleep(time.Duration(attempt*attempt) * 5 * time.Millisecond)
	}
	if err == nil && len(t.queuedMail) > 0 && db.outbox != nil {
		db.publish(ctx, t.queuedMail)
	}
	return err
}

// inOneTrip runs a transaction sent to PostgreSQL as one pipeline: the statements
// queue puts in a batch, then the commit, in one round trip. With no BEGIN, the
// statements up to the pipeline's Sync are one implicit transaction: PostgreSQL runs
// them one after the other, each with a snapshot taken when it starts, and commits at
// the end; an error skips the rest and rolls everything back. read then reads their
// results, in order; by then the transaction has committed, or failed as a whole, so
// read cannot undo it: a refusal must be raised by a statement (authorizeFirst), and
// a statement whose effect depends on an answer must itself check what it depends on.
//
// What it is for: a lock taken by the first statement (an association's row) is held
// only while PostgreSQL works, never while a round trip waits for this process, busy
// with other requests, to send the next statement. Like inTx, a transaction that lost
// a deadlock or a serialization race is run again; queue builds the batch anew for
// each try (a sent batch keeps the prepared statements of its connection).
func (db *DB) inOneTrip(ctx context.Context, queue func(*pgx.Batch), read func(pgx.BatchResults) error) error {
	for attempt := 1; ; attempt++ {
		b := &pgx.Batch{}
		queue(b)
		br := db.pool.SendBatch(ctx, b)
		err := read(br)
		if closeErr := br.Close(); err == nil {
			err = closeErr // the commit's own failure comes with the Sync
		}
		if !isRetryable(err) || attempt == txAttempts || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(attempt*attempt) * 5 * time.Millisecond)
	}
}

// isRetryable reports a deadlock (40P01) or serialization failure (40001).
func isRetryable(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && (pgErr.Code == "40P01" || pgErr.Code == "40001")
}

// Unavailable reports whether err means the database cannot serve now: it cannot be
// reached, is shutting down or starting (57P0x), the connection failed (08xxx), it has
// too many connections (53300) or a statement ran out of time (57014). The API
// answers these with 503 and Retry-After, never 500.
func Unavailable(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return strings.HasPrefix(pgErr.Code, "57P0") || strings.HasPrefix(pgErr.Code, "08") ||
			pgErr.Code == "53300" || pgErr.Code == "57014"
	}
	var connectErr *pgconn.ConnectError
	return errors.As(err, &connectErr) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) || isNetError(err)
}

// isNetError reports a network failure talking to the database.
func isNetError(err error) bool {
	var netErr net.Error
	return errors.As(err, &netErr)
}

// wrap prefixes *errp with the operation and the object it was about, such as
// "postgres: UpdateAssociation(7): ...", so that a logged 500 says what failed; the
// error stays matchable with errors.As.
func wrap(errp *error, format string, args ...any) {
	if *errp != nil {
		*errp = fmt.Errorf("postgres: %s: %w", fmt.Sprintf(format, args...), *errp)
	}
}

// isUniqueViolation reports whether err is a unique-index violation of constraint.
func isUniqueViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

// isForeignKeyViolation reports whether err violates the foreign key constraint.
func isForeignKeyViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23503" && pgErr.ConstraintName == constraint
}

// isCheckViolation reports whether err is a violation of CHECK constraint.
func isCheckViolation(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23514" && pgErr.ConstraintName == constraint
}

// distinct returns ids sorted, each once, leaving ids as it was: sets of users are
// stored and locked in id order.
func distinct(ids []int64) []int64 {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return slices.Compact(ids)
}
