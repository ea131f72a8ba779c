package mailer

import (
	"context"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/kittenasso/kittenasso/shared/config"
	"github.com/kittenasso/kittenasso/shared/mail"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// NewQueue connects to the mail queue at url. The SDK reads its endpoint from
// AWS_ENDPOINT_URL_SQS when set (the local emulator), else from the region.
func NewQueue(ctx context.Context, url string) (Queue, error) {
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return Queue{}, err
	}
	return Queue{Client: sqs.NewFromConfig(cfg), URL: url}, nil
}

// NewMailer builds the mail queue's consumer from cfg.
func NewMailer(ctx context.Context, cfg config.Config, db *postgres.DB, log *slog.Logger) (*Mailer, error) {
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return nil, err
	}
	return &Mailer{
		DB:     db,
		Sender: SES{Client: sesv2.NewFromConfig(awsCfg), ConfigurationSet: cfg.SESConfigurationSet},
		Renderer: mail.Renderer{
			From:     cfg.MailFrom,
			Domain:   cfg.MailFrom[strings.LastIndex(cfg.MailFrom, "@")+1:],
			Calendar: mail.ICal{ProductID: "-//KittenAsso's//Events//EN"},
			Now:      time.Now,
		},
		Lease: DefaultLease,
		Log:   log,
	}, nil
}

// DefaultLease: a claim outlives any one send (SES answers within seconds) and ends
// well before the queue's visibility timeout.
const DefaultLease = 60 * time.Second

// setup builds what both mail functions need, once, at init.
func setup() (config.Config, *postgres.DB, *slog.Logger) {
	log := config.Logger()
	cfg, err := config.LoadMail(os.Getenv)
	if err != nil {
		log.Error("bad configuration", "error", err.Error())
		os.Exit(1)
	}
	db, err := postgres.Open(context.Background(), cfg.DatabaseURL, 2)
	if err != nil {
		log.Error("cannot start", "error", err.Error())
		os.Exit(1)
	}
	return cfg, db, log
}

// StartMailer is the mailer function's main: SQS batches in, partial failures out.
func StartMailer() {
	cfg, db, log := setup()
	m, err := NewMailer(context.Background(), cfg, db, log)
	if err != nil {
		log.Error("cannot start", "error", err.Error())
		os.Exit(1)
	}
	lambda.StartWithOptions(m.Handle, lambda.WithEnableSIGTERM(db.Close))
}

// StartRelay is the scheduled relay function's main.
func StartRelay() {
	cfg, db, log := setup()
	q, err := NewQueue(context.Background(), cfg.MailQueueURL)
	if err != nil {
		log.Error("cannot start", "error", err.Error())
		os.Exit(1)
	}
	r := Relay{DB: db, Queue: q, Grace: DefaultRelayGrace, Batch: 100, Log: log}
	lambda.StartWithOptions(r.Run, lambda.WithEnableSIGTERM(db.Close))
}

// DefaultRelayGrace leaves a request time to publish its own mail first.
const DefaultRelayGrace = 30 * time.Second
