package mailer

import (
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"

	"github.com/kittenasso/kittenasso/shared/awsenv"
	"github.com/kittenasso/kittenasso/shared/config"
	"github.com/kittenasso/kittenasso/shared/mail"
	"github.com/kittenasso/kittenasso/shared/mailqueue"
	"github.com/kittenasso/kittenasso/shared/metrics"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// NewMailer builds the mail queue's consumer from cfg.
func NewMailer(cfg config.Config, db *postgres.DB, log *slog.Logger, m *metrics.Metrics) *Mailer {
	ses := sesv2.NewFromConfig(awsenv.Config(), func(o *sesv2.Options) { o.BaseEndpoint = awsenv.Endpoint("SESV2") })
	return &Mailer{
		DB:     db,
		Sender: SES{Client: ses, ConfigurationSet: cfg.SESConfigurationSet},
		Renderer: mail.Renderer{
			From:     cfg.MailFrom,
			Domain:   cfg.MailFrom[strings.LastIndex(cfg.MailFrom, "@")+1:],
			WebURL:   cfg.FrontendURL,
			Calendar: mail.ICal{ProductID: "-//KittenAsso's//Events//EN"},
			Now:      time.Now,
		},
		Lease:   DefaultLease,
		Log:     log,
		Metrics: m,
		Pace:    Pacer{Interval: SendInterval(cfg.SESMaxSendRate, cfg.MailerConcurrency)},
	}
}

// DefaultLease: a claim outlives any one send (SES answers within seconds) and ends
// well before the queue's visibility timeout.
const DefaultLease = 60 * time.Second

// StartMailer is the mailer function's main: SQS batches in, partial failures out.
func StartMailer() {
	cfg, db, log := mailqueue.FunctionInit()
	m := NewMailer(cfg, db, log, metrics.New())
	m.EMF = os.Stdout // Lambda sends it to CloudWatch Logs, which reads EMF lines
	lambda.StartWithOptions(m.Handle, lambda.WithEnableSIGTERM(db.Close))
}
