package postgres

import (
	"context"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// AllMinutesQuery is the page query of GET /api/minutes, for the test of its work.
var AllMinutesQuery = allMinutes

// The estimates and the sizes of the documents of every row of each kind: (id,
// estimated bytes, document bytes). Those of minutes and events are for the viewer
// ($1 id, $2 isAdmin).
var (
	MinuteEstimates          = estimatesAndSizes(`SELECT id, id AS ord FROM minutes`, minuteSizes, minuteDocs)
	EventEstimates           = estimatesAndSizes(`SELECT id, id AS ord FROM events`, eventSizes, eventDocs)
	AssociationEstimates     = estimatesAndSizes(`SELECT id, id AS ord FROM associations`, associationSizes, associationDocs)
	UserAssociationEstimates = estimatesAndSizes(`SELECT id, id AS ord FROM associations`, userAssociationSizes, userAssociationDocs)
)

func estimatesAndSizes(listed, sizes, docs string) string {
	return `WITH listed AS (` + listed + `),` + sizes + `, page AS (SELECT id, ord FROM listed),` + docs + `
		SELECT s.id, s.bytes, octet_length(d.doc::text) FROM sizes s JOIN docs d ON d.id = s.id ORDER BY s.id`
}

// OpenTraced opens url as Open does, with tracer told of every statement the store
// sends (a pgx.QueryTracer, and a pgx.BatchTracer when it is one).
func OpenTraced(ctx context.Context, url string, tracer pgx.QueryTracer) (*DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.Tracer = tracer
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	return &DB{pool: pool, Limits: asso.DefaultLimits, log: slog.New(slog.DiscardHandler)}, nil
}
