package postgres

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// SetCalendarFeed gives the caller a calendar feed whose token hashes to tokenHash,
// replacing the one they had: its address stops working at once.
func (db *DB) SetCalendarFeed(ctx context.Context, caller asso.User, tokenHash []byte) (err error) {
	defer wrap(&err, "SetCalendarFeed(%d)", caller.ID)
	_, err = db.pool.Exec(ctx, `
		INSERT INTO calendar_feeds (user_id, token_hash) VALUES ($1, $2)
		ON CONFLICT (user_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, created_at = now()`, caller.ID, tokenHash)
	return err
}

// FeedEvent is an event as a calendar feed shows it. Place and Description are empty
// when it has none.
type FeedEvent struct {
	ID                 int64
	Sequence           int
	Name               string
	Start, End         time.Time
	UpdatedAt          time.Time
	Association        string
	Place, Description string
}

// Feed bounds: the events that ended within feedPast, and those to come, the first
// feedMaxEvents by start. A calendar app polls the feed; its cost must not grow with
// the years.
const (
	feedPast      = 180 * 24 * time.Hour
	feedMaxEvents = 1000
)

// CalendarFeed returns the events of every association of the feed's owner.
func (db *DB) CalendarFeed(ctx context.Context, tokenHash []byte) (events []FeedEvent, err error) {
	defer wrap(&err, "CalendarFeed()")
	rows, _ := db.pool.Query(ctx, `
		SELECT e.id, e.sequence, e.name, e.starts_at, e.ends_at, e.updated_at, a.name,
		       COALESCE(e.place, ''), COALESCE(e.description, '')
		FROM calendar_feeds f
		LEFT JOIN memberships m ON m.user_id = f.user_id AND m.status = 'member'
		LEFT JOIN events e ON e.association_id = m.association_id AND e.ends_at > now() - make_interval(secs => $2)
		LEFT JOIN associations a ON a.id = e.association_id
		WHERE f.token_hash = $1
		ORDER BY e.starts_at, e.id
		LIMIT $3`, tokenHash, feedPast.Seconds(), feedMaxEvents)
	found := false // the feed's own row comes even when there is no event
	events = []FeedEvent{}
	var (
		id, seq                               *int64
		name, association, place, description *string
		start, end, updated                   *time.Time
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &seq, &name, &start, &end, &updated, &association, &place, &description}, func() error {
		found = true
		if id != nil {
			events = append(events, FeedEvent{ID: *id, Sequence: int(*seq), Name: *name, Start: *start, End: *end,
				UpdatedAt: *updated, Association: *association, Place: *place, Description: *description})
		}
		return nil
	})
	if err == nil && !found {
		err = asso.ErrUnknownFeed
	}
	return events, err
}
