// Package apifn is the composition root of the API's route functions: it reads
// their configuration and builds the Server they share, for Lambda (ServeRoute) and
// for the local stack (NewServer).
package apifn

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/kittenasso/kittenasso/shared/app"
	"github.com/kittenasso/kittenasso/shared/auth"
	"github.com/kittenasso/kittenasso/shared/config"
	"github.com/kittenasso/kittenasso/shared/httpapi"
	"github.com/kittenasso/kittenasso/shared/lambdahttp"
	"github.com/kittenasso/kittenasso/shared/mailqueue"
	"github.com/kittenasso/kittenasso/shared/metrics"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/secrets"
)

// NewServer connects to the database and builds the API's Server from cfg. With a
// mail queue, the e-mails a request queues are published to it after the commit.
func NewServer(ctx context.Context, cfg config.Config, log *slog.Logger) (*httpapi.Server, error) {
	var queue *mailqueue.Queue
	if cfg.MailQueueURL != "" {
		q := mailqueue.New(cfg.MailQueueURL)
		queue = &q
	}
	db, err := OpenDB(ctx, cfg, queue, log)
	if err != nil {
		return nil, err
	}
	return Server(cfg, db, queue, log), nil
}

// OpenDB opens the API's connection pool from cfg. queue, when not nil, is where the
// e-mails a transaction queued are published once it commits.
func OpenDB(ctx context.Context, cfg config.Config, queue *mailqueue.Queue, log *slog.Logger) (*postgres.DB, error) {
	opts := postgres.Options{MaxConns: cfg.DBMaxConns, StatementTimeout: cfg.StatementTimeout,
		Credentials: secrets.DatabaseCredentials(cfg.DatabaseSecretARN, "url"), Log: log}
	if queue != nil {
		opts.Outbox = *queue
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL, opts)
	if err != nil {
		return nil, err
	}
	db.Limits = cfg.Limits
	return db, nil
}

// Server builds the API's Server from cfg on db. queue, when not nil, is the mail
// queue /api/health checks.
func Server(cfg config.Config, db *postgres.DB, queue *mailqueue.Queue, log *slog.Logger) *httpapi.Server {
	srv := &httpapi.Server{
		DB:           db,
		Tokens:       auth.Tokens{Secret: cfg.JWTSecret, Issuer: cfg.JWTIssuer, Audience: cfg.JWTAudience, TTL: cfg.JWTTTL},
		JWTKey:       secrets.Key(cfg.JWTSecretARN, cfg.JWTSecret),
		OriginSecret: secrets.Origin(cfg.OriginSecretARN),
		CORS:         httpapi.CORS{Origins: cfg.CORSOrigins},
		Throttle:     cfg.Throttle,
		FrontendURL:  cfg.FrontendURL,
		MailFrom:     cfg.MailFrom,
		Log:          log,
		Metrics:      metrics.Discard{}, // in Lambda, metrics leave as EMF lines (lambdahttp)
		MailMaxDelay: cfg.MailMaxDelay,
	}
	if queue != nil {
		srv.MailQueue = *queue
	}
	if cfg.PageCacheBytes > 0 {
		srv.Pages = httpapi.NewPageCache(cfg.PageCacheBytes)
	}
	return srv
}

// ServeRoute is the whole of a route function's main: it builds the Server once (the
// Lambda's init) and serves rt until the runtime stops it.
func ServeRoute(rt httpapi.Route) {
	log := config.Logger()
	cfg := app.MustLoad(log, "bad configuration", func() (config.Config, error) { return config.Load(os.Getenv) })
	srv := app.MustLoad(log, "cannot start", func() (*httpapi.Server, error) { return NewServer(context.Background(), cfg, log) })
	handler := lambdahttp.WithEMF(rt.Name, rt.Pattern(), os.Stdout, lambdahttp.Handler(srv.Handler(rt), log))
	lambda.StartWithOptions(handler, lambda.WithEnableSIGTERM(srv.DB.Close))
}
