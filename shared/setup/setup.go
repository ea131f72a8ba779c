// Package setup is the one-shot migration step: schema migrations, then the default
// admin. It runs as the migrate function (invoked once per deploy) and from the local
// stack, never on a route function's cold start.
package setup

import (
	"context"
	"log/slog"

	"github.com/kittenasso/kittenasso/shared/auth"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// Result says what a run changed.
type Result struct {
	Applied      []int `json:"applied"`
	AdminCreated bool  `json:"adminCreated"`
}

// Run migrates db and, when adminEmail and adminPass are both set and no user exists,
// creates the verified default admin (docs/api.md §6). Concurrent runs are safe.
func Run(ctx context.Context, db *postgres.DB, adminEmail, adminPass string, log *slog.Logger) (Result, error) {
	var res Result
	var err error
	if res.Applied, err = db.Migrate(ctx); err != nil {
		return res, err
	}
	log.InfoContext(ctx, "migrations done", "applied", res.Applied)
	if adminEmail == "" || adminPass == "" {
		return res, nil
	}
	hash, err := auth.HashPassword(adminPass)
	if err != nil {
		return res, err
	}
	if res.AdminCreated, err = db.EnsureDefaultAdmin(ctx, adminEmail, hash); err != nil {
		return res, err
	}
	if res.AdminCreated {
		log.InfoContext(ctx, "default admin created", "email", adminEmail)
	}
	return res, nil
}
