// Package relayfn is the composition root of the scheduled mail relay: it reads the
// mail configuration and builds the relay, for Lambda (Serve) and for the local stack
// (New).
package relayfn

import (
	"context"
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/kittenasso/kittenasso/shared/app"
	"github.com/kittenasso/kittenasso/shared/config"
	"github.com/kittenasso/kittenasso/shared/mailqueue"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// relayGrace leaves a request time to publish its own mail before the relay does.
const relayGrace = 30 * time.Second

// NewRelay builds the scheduled relay from cfg (config.LoadMail).
func New(cfg config.Config, db *postgres.DB, q mailqueue.Queue, log *slog.Logger) mailqueue.Relay {
	return mailqueue.Relay{DB: db, Queue: q, Grace: relayGrace, RepublishAfter: cfg.MailRepublishAfter, Batch: 100,
		Retention: postgres.Retention{Throttle: cfg.Throttle, Mail: cfg.MailRetention}, ReminderBefore: cfg.ReminderBefore, Log: log}
}

// ServeRelay is the scheduled relay function's main.
func Serve() {
	cfg, db, log := app.MailInit()
	r := New(cfg, db, mailqueue.New(cfg.MailQueueURL), log)
	run := func(ctx context.Context) (mailqueue.RelayResult, error) {
		res, err := r.Run(ctx)
		os.Stdout.Write(append(res.EMF(time.Now()), '\n')) // to CloudWatch, through the function's log
		return res, err
	}
	lambda.StartWithOptions(run, lambda.WithEnableSIGTERM(db.Close))
}
