// Package mailerfn is the composition root of the mailer function: it reads the mail
// configuration and builds the mail queue's consumer, for Lambda (Serve) and for the
// local stack (New).
package mailerfn

import (
	"log/slog"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/kittenasso/kittenasso/shared/app"
	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/awsenv"
	"github.com/kittenasso/kittenasso/shared/config"
	"github.com/kittenasso/kittenasso/shared/mail"
	"github.com/kittenasso/kittenasso/shared/mailer"
	"github.com/kittenasso/kittenasso/shared/metrics"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// SES is the SES client of the environment: the region's endpoint, or the one
// AWS_ENDPOINT_URL_SESV2 names (the local emulator).
func SES() *sesv2.Client {
	return sesv2.NewFromConfig(awsenv.Config(), func(o *sesv2.Options) { o.BaseEndpoint = awsenv.Endpoint("SESV2") })
}

// New builds the mail queue's consumer from cfg (config.LoadMail), sending through ses.
func New(cfg config.Config, db *postgres.DB, ses *sesv2.Client, log *slog.Logger, m metrics.Recorder) *mailer.Mailer {
	return &mailer.Mailer{
		DB:     db,
		Sender: mailer.SES{Client: ses, ConfigurationSet: cfg.SESConfigurationSet},
		Renderer: mail.Renderer{
			From:   cfg.MailFrom,
			Domain: asso.MailDomain(cfg.MailFrom),
			WebURL: cfg.FrontendURL,
			Now:    time.Now,
		},
		Lease:   mailer.DefaultLease,
		Log:     log,
		Metrics: m,
		Pace:    mailer.Pacer{Interval: mailer.SendInterval(cfg.SESMaxSendRate, cfg.MailerConcurrency)},
	}
}

// ServeMailer is the mailer function's main: SQS batches in, partial failures out.
func Serve() {
	cfg, db, log := app.MailInit()
	m := New(cfg, db, SES(), log, metrics.Discard{})
	m.EMF = os.Stdout // Lambda sends it to CloudWatch Logs, which reads EMF lines
	lambda.StartWithOptions(m.Handle, lambda.WithEnableSIGTERM(db.Close))
}
