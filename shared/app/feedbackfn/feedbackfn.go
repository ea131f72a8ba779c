// Package feedbackfn is the composition root of the mail-feedback function: SES
// bounce and complaint events in (MailFeedbackQueue), the app's mail to those
// addresses stopped where an unsubscribe is recorded (postgres.DB.StopMailTo).
package feedbackfn

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"github.com/kittenasso/kittenasso/shared/app"
	"github.com/kittenasso/kittenasso/shared/config"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/secrets"
)

// Handler stops mail to the addresses each SES event of a batch names.
type Handler struct {
	DB  *postgres.DB
	Log *slog.Logger
}

// Handle reports the records it could not apply (a database error, or a body that is
// not an SES event): SQS gives them again, and after 5 tries to the dead-letter queue.
func (h Handler) Handle(ctx context.Context, batch events.SQSEvent) (events.SQSEventResponse, error) {
	var res events.SQSEventResponse
	for _, rec := range batch.Records {
		if err := h.apply(ctx, rec.Body); err != nil {
			h.Log.Error("mail feedback not applied", "messageId", rec.MessageId, "err", err)
			res.BatchItemFailures = append(res.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return res, nil
}

func (h Handler) apply(ctx context.Context, body string) error {
	stop, err := addresses(body)
	if err != nil {
		return err
	}
	for _, a := range stop {
		if err := h.DB.StopMailTo(ctx, a); err != nil {
			return err
		}
	}
	if len(stop) > 0 {
		h.Log.Info("mail stopped", "addresses", len(stop)) // not the addresses: no e-mail in logs
	}
	return nil
}

// sesEvent is the part of an SES event (configuration set event publishing, through
// SNS with raw delivery) that names whom to stop mailing.
type sesEvent struct {
	EventType string `json:"eventType"`
	Bounce    struct {
		BounceType        string      `json:"bounceType"`
		BouncedRecipients []recipient `json:"bouncedRecipients"`
	} `json:"bounce"`
	Complaint struct {
		ComplainedRecipients []recipient `json:"complainedRecipients"`
	} `json:"complaint"`
}

type recipient struct {
	EmailAddress string `json:"emailAddress"`
}

// addresses returns the addresses an SES event says to stop mailing: the recipients of
// a permanent bounce or of a complaint. A transient bounce (a full mailbox, say) names
// none: SES retries it, and the address may work again.
func addresses(body string) ([]string, error) {
	var ev sesEvent
	if err := json.Unmarshal([]byte(body), &ev); err != nil {
		return nil, errors.New("feedbackfn: the message is not an SES event")
	}
	var rcpts []recipient
	switch {
	case ev.EventType == "Bounce" && ev.Bounce.BounceType == "Permanent":
		rcpts = ev.Bounce.BouncedRecipients
	case ev.EventType == "Bounce":
		return nil, nil
	case ev.EventType == "Complaint":
		rcpts = ev.Complaint.ComplainedRecipients
	default:
		return nil, errors.New("feedbackfn: an SES event other than a bounce or a complaint: " + ev.EventType)
	}
	var out []string
	for _, r := range rcpts {
		out = append(out, r.EmailAddress)
	}
	return out, nil
}

// Serve is the mail-feedback function's main.
func Serve() {
	log := config.Logger()
	cfg := app.MustLoad(log, "bad configuration", func() (config.Config, error) { return config.LoadDatabase(os.Getenv) })
	db := app.MustLoad(log, "cannot start", func() (*postgres.DB, error) {
		return postgres.Open(context.Background(), cfg.DatabaseURL, postgres.Options{MaxConns: 1,
			Credentials: secrets.DatabaseCredentials(cfg.DatabaseSecretARN, "url")})
	})
	h := Handler{DB: db, Log: log}
	lambda.StartWithOptions(h.Handle, lambda.WithEnableSIGTERM(db.Close))
}
