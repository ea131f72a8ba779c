// Package app holds the composition roots: the one place that reads the
// configuration (shared/config) and builds the product's parts from it. Each kind of
// function has its own root, so that its bootstrap links only what it runs: apifn
// (the API's route functions), mailerfn, relayfn and migratefn. The local stack builds
// the same parts through the same roots. The libraries under shared/ receive what
// they need and read no configuration themselves.
//
// This package has what the roots share.
package app

import (
	"context"
	"log/slog"
	"os"

	"github.com/kittenasso/kittenasso/shared/config"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/secrets"
)

// MustLoad returns what load built; a function whose init cannot succeed exits, as
// Lambda expects, saying why.
func MustLoad[T any](log *slog.Logger, what string, load func() (T, error)) T {
	v, err := load()
	if err != nil {
		log.Error(what, "error", err.Error())
		os.Exit(1)
	}
	return v
}

// MailInit is the init of the mail functions (mailer and relay): the mail
// configuration, the database pool and the logger, built once.
func MailInit() (config.Config, *postgres.DB, *slog.Logger) {
	log := config.Logger()
	cfg := MustLoad(log, "bad configuration", func() (config.Config, error) { return config.LoadMail(os.Getenv) })
	db := MustLoad(log, "cannot start", func() (*postgres.DB, error) {
		return postgres.Open(context.Background(), cfg.DatabaseURL, postgres.Options{MaxConns: 2,
			StatementTimeout: cfg.StatementTimeout, Credentials: secrets.DatabaseCredentials(cfg.DatabaseSecretARN, "url")})
	})
	return cfg, db, log
}
