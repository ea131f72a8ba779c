// Package migratefn is the composition root of the migrate function.
package migratefn

import (
	"context"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/kittenasso/kittenasso/shared/app"
	"github.com/kittenasso/kittenasso/shared/config"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/secrets"
	"github.com/kittenasso/kittenasso/shared/setup"
)

// ServeMigrate is the migrate function's main: each invocation runs setup.Run.
func Serve() {
	log := config.Logger()
	cfg := app.MustLoad(log, "bad configuration", func() (config.Config, error) { return config.LoadDatabase(os.Getenv) })
	lambda.Start(func(ctx context.Context) (setup.Result, error) {
		// Migrations hold a session advisory lock: the secret's direct URL, if it has one.
		db, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{MaxConns: 1, StatementTimeout: 10 * time.Minute,
			Credentials: secrets.DatabaseCredentials(cfg.DatabaseSecretARN, "directUrl")})
		if err != nil {
			return setup.Result{}, err
		}
		defer db.Close()
		pass, err := secrets.DefaultUserPass(cfg.DefaultUserSecretARN, cfg.DefaultUserPass).Value(ctx)
		if err != nil {
			return setup.Result{}, err
		}
		return setup.Run(ctx, db, cfg.DefaultUserEmail, pass, log)
	})
}
