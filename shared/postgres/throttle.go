package postgres

import (
	"context"
	"math"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// The throttles count recent rows of a table: sign-in attempts, resends and client
// requests. Each query counts the rows whose key matches $1 within the last $2
// seconds, with the seconds until the oldest of them leaves that window.
var (
	resendsPerEmail   = windowCount("verification_resends", "requested_at", "lower(email) = lower($1)")
	requestsPerClient = windowCount("client_requests", "requested_at", "client_ip = $1 AND action = $3")
	attemptsPerEmail  = windowCount("login_attempts", "attempted_at", "lower(email) = lower($1)")
	attemptsPerClient = windowCount("login_attempts", "attempted_at", "client_ip = $1")
)

// windowCount builds a throttle's query from constants only: the table, its time
// column and the condition on the key.
func windowCount(table, timeColumn, keyMatches string) string {
	return `
		SELECT count(*), EXTRACT(EPOCH FROM min(` + timeColumn + `) + make_interval(secs => $2) - now())::float8
		FROM ` + table + `
		WHERE ` + keyMatches + ` AND ` + timeColumn + ` > now() - make_interval(secs => $2)`
}

// checkThrottle runs query, which counts the entries within the window and the
// seconds until the oldest counted one leaves it, and returns ETOOMANY with that wait
// when the count has reached limit.
func checkThrottle(ctx context.Context, tx *txn, query string, limit int, args ...any) error {
	return checkWindow(ctx, tx, query, limit, "throttled", "too many attempts, try again later", args...)
}

// checkWindow is checkThrottle with the refusal's own reason and message.
func checkWindow(ctx context.Context, tx *txn, query string, limit int, reason, message string, args ...any) error {
	var count int
	var untilFree *float64
	if err := tx.QueryRow(ctx, query, args...).Scan(&count, &untilFree); err != nil {
		return err
	}
	if count < limit || untilFree == nil {
		return nil
	}
	return tooMany(reason, message, *untilFree)
}

// tooMany is ETOOMANY with a Retry-After of the given seconds (at least one).
func tooMany(reason, message string, seconds float64) error {
	wait := time.Duration(math.Ceil(seconds)) * time.Second
	return &asso.Error{Code: asso.ETOOMANY, Reason: reason, Message: message, RetryAfter: max(wait, time.Second)}
}
