// Package mailer is the SES side of the outbox: the mailer function, triggered by the
// mail queue, claims each outbox row, renders it and sends it through SES, exactly
// once per row. Publishing to the queue is shared/mailqueue's.
package mailer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	sestypes "github.com/aws/aws-sdk-go-v2/service/sesv2/types"
	"github.com/aws/smithy-go"

	"github.com/kittenasso/kittenasso/shared/mail"
	"github.com/kittenasso/kittenasso/shared/mailqueue"
	"github.com/kittenasso/kittenasso/shared/metrics"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// Sender sends one raw MIME message and returns its provider message id.
type Sender interface {
	SendRaw(ctx context.Context, from, to string, raw []byte) (string, error)
}

// SES is the Sender of production (and of the local SES emulator).
type SES struct {
	Client           *sesv2.Client
	ConfigurationSet string // optional
}

// SendRaw sends raw through SES v2 SendEmail.
func (s SES) SendRaw(ctx context.Context, from, to string, raw []byte) (string, error) {
	in := &sesv2.SendEmailInput{
		FromEmailAddress: aws.String(from),
		Destination:      &sestypes.Destination{ToAddresses: []string{to}},
		Content:          &sestypes.EmailContent{Raw: &sestypes.RawMessage{Data: raw}},
	}
	if s.ConfigurationSet != "" {
		in.ConfigurationSetName = aws.String(s.ConfigurationSet)
	}
	out, err := s.Client.SendEmail(ctx, in)
	if err != nil {
		return "", err
	}
	return aws.ToString(out.MessageId), nil
}

// permanentSESErrors are SES answers that no retry can change: the message or the
// address is refused. Everything else (throttling, 5xx, timeouts) is retried.
var permanentSESErrors = map[string]bool{
	"MessageRejected":                    true,
	"BadRequestException":                true,
	"MailFromDomainNotVerifiedException": true,
	"NotFoundException":                  true,
}

// Permanent reports whether a send error means the e-mail can never be sent.
func Permanent(err error) bool {
	var apiErr smithy.APIError
	return errors.As(err, &apiErr) && permanentSESErrors[apiErr.ErrorCode()]
}

// Mailer is the mail queue's consumer.
type Mailer struct {
	DB       *postgres.DB
	Sender   Sender
	Renderer mail.Renderer
	// Lease is how long a claim protects a row from a concurrent mailer; keep it
	// longer than a send can take, shorter than the queue's visibility timeout.
	Lease   time.Duration
	Log     *slog.Logger
	Metrics metrics.Recorder
	// Pace spaces this mailer's sends so that all mailers together stay under the SES
	// account's sending rate; the zero Pacer does not wait.
	Pace Pacer
	// EMF, when set (stdout in Lambda), gets one CloudWatch Embedded Metric Format line
	// per e-mail kind after each batch: Prometheus cannot scrape a Lambda.
	EMF io.Writer

	mu    sync.Mutex
	tally map[string]map[string]float64 // this batch's outcomes, by kind
}

// outcomeMetrics names the EMF metric of each outcome of a send.
var outcomeMetrics = map[string]string{
	"sent": "MailsSent", "permanent": "MailsFailed", "transient": "MailsRetried", "skipped": "MailsSkipped",
}

// record counts one outcome of a send of kind, in Metrics and in this batch's tally.
func (m *Mailer) record(kind, outcome string) {
	if outcome == "sent" {
		m.Metrics.MailSent(kind)
	} else {
		m.Metrics.MailFailed(kind, outcome)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.tally == nil {
		m.tally = map[string]map[string]float64{}
	}
	if m.tally[kind] == nil {
		m.tally[kind] = map[string]float64{}
		for _, name := range outcomeMetrics {
			m.tally[kind][name] = 0
		}
	}
	m.tally[kind][outcomeMetrics[outcome]]++
}

// writeEMF writes the batch's tally, one line per kind, and starts a new one.
func (m *Mailer) writeEMF() {
	m.mu.Lock()
	tally := m.tally
	m.tally = nil
	m.mu.Unlock()
	if m.EMF == nil {
		return
	}
	kinds := make([]string, 0, len(tally))
	for kind := range tally {
		kinds = append(kinds, kind)
	}
	slices.Sort(kinds)
	for _, kind := range kinds {
		m.EMF.Write(append(metrics.EMFCounts(time.Now(), map[string]string{"Function": "mailer", "Kind": kind}, tally[kind]), '\n'))
	}
}

// Pacer spaces calls to Wait at least Interval apart.
type Pacer struct {
	Interval time.Duration
	mu       sync.Mutex
	next     time.Time
}

// Wait returns when the next send may go, or with ctx's error.
func (p *Pacer) Wait(ctx context.Context) error {
	p.mu.Lock()
	now := time.Now()
	at := now
	if p.next.After(now) {
		at = p.next
	}
	p.next = at.Add(p.Interval)
	p.mu.Unlock()
	if wait := at.Sub(now); wait > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
	return nil
}

// SendInterval is how far apart one of concurrency mailers sends, for them all to
// stay under maxRate e-mails a second; 0 when there is no limit.
func SendInterval(maxRate float64, concurrency int) time.Duration {
	if maxRate <= 0 {
		return 0
	}
	return time.Duration(float64(max(concurrency, 1)) / maxRate * float64(time.Second))
}

// sendTimeBudget is the time left that one send needs: a claim, SES, a mark.
const sendTimeBudget = 5 * time.Second

// errRetry asks for a message to come back later.
var errRetry = errors.New("retry later")

// Handle processes an SQS batch and reports only the messages to retry
// (ReportBatchItemFailures). It never fails the whole batch. A message that comes
// back is delivered whole again: its rows already sent are skipped by their claim.
func (m *Mailer) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	defer m.writeEMF()
	var resp events.SQSEventResponse
	for _, rec := range ev.Records {
		if err := m.deliverMessage(ctx, rec.Body); err != nil {
			m.Log.WarnContext(ctx, "mail will be retried", "message_id", rec.MessageId, "error", err.Error(),
				"receive_count", rec.Attributes["ApproximateReceiveCount"])
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
		}
	}
	return resp, nil
}

// errNoTime stops a message whose next send could run into the function's timeout.
var errNoTime = errors.New("no time left in this invocation")

// deliverMessage sends the outbox rows of one message. It returns an error when the
// message should come back: a malformed body (so it ends in the dead-letter queue,
// where a person sees it), or a row that failed for now; the other rows are sent
// anyway. A shutdown (ctx cancelled) stops it, and the rows not sent go back to the
// relay.
func (m *Mailer) deliverMessage(ctx context.Context, body string) error {
	ids, err := mailqueue.ParseMessage(body)
	if err != nil {
		return err
	}
	var errs []error
	for i, id := range ids {
		// Paced sends must not run into the function's timeout: what would, comes back.
		if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < m.Pace.Interval+sendTimeBudget {
			return errors.Join(append(errs, errNoTime)...)
		}
		if err := m.deliver(ctx, id); err != nil {
			errs = append(errs, fmt.Errorf("outbox %d: %w", id, err))
		}
		if errors.Is(ctx.Err(), context.Canceled) { // a shutdown
			m.handBack(ctx, ids[i:])
			return errors.Join(append(errs, ctx.Err())...)
		}
	}
	return errors.Join(errs...)
}

// handBack gives the rows of a message this mailer stops before sending to the relay,
// which publishes them on its next run: the message may never come back (a local queue
// stops with the stack), and the relay would otherwise wait MAIL_REPUBLISH_AFTER. The
// row being sent was released by deliver; a row another mailer holds keeps its claim.
func (m *Mailer) handBack(ctx context.Context, ids []int64) {
	if err := m.DB.UnmarkPublished(context.WithoutCancel(ctx), ids); err != nil {
		m.Log.ErrorContext(ctx, "cannot hand unsent mail back to the relay; it republishes it after MAIL_REPUBLISH_AFTER",
			"outbox_ids", ids, "error", err.Error())
	}
}

// deliver sends one outbox row. It returns an error only when the row should be tried
// again: a busy row, or a transient failure.
func (m *Mailer) deliver(ctx context.Context, id int64) error {
	row, state, err := m.DB.ClaimMail(ctx, id, m.Lease)
	switch {
	case err != nil:
		return err
	case state == postgres.Busy:
		return errRetry
	case state != postgres.Claimed:
		m.Log.InfoContext(ctx, "mail already handled or not due", "outbox_id", id, "state", int(state))
		return nil
	}
	log := m.Log.With("outbox_id", id, "kind", row.Kind, "attempt", row.Attempts)
	if !row.Wanted {
		log.InfoContext(ctx, "mail not sent: the recipient unsubscribed, or is gone or unverified")
		m.record(row.Kind, "skipped")
		return m.DB.MarkFailed(ctx, id, "not sent: the recipient unsubscribed, or is gone or unverified")
	}
	msg, err := m.Renderer.Render(row.Kind, row.Recipient, row.Payload)
	if err != nil {
		return m.fail(ctx, log, row.Kind, id, err)
	}
	raw, err := mail.BuildMIME(m.Renderer.From, msg, m.Renderer.Now(), "outbox-"+strconv.FormatInt(id, 10)+"@"+m.Renderer.Domain)
	if err != nil {
		return m.fail(ctx, log, row.Kind, id, err)
	}
	if err := m.Pace.Wait(ctx); err != nil {
		m.releaseQuietly(ctx, log, id, "not sent: "+err.Error())
		return err
	}
	sesID, err := m.Sender.SendRaw(ctx, m.Renderer.From, row.Recipient, raw)
	if err != nil {
		if Permanent(err) {
			return m.fail(ctx, log, row.Kind, id, err)
		}
		m.record(row.Kind, "transient")
		m.releaseQuietly(ctx, log, id, err.Error())
		return err
	}
	m.record(row.Kind, "sent")
	// The e-mail is gone: from here on, never ask for a retry, or it would be sent
	// twice; a shutdown now must not keep the row from being marked. If the row cannot
	// be marked, its claim stays and nothing resends it.
	if err := m.DB.MarkSent(context.WithoutCancel(ctx), id, sesID); err != nil {
		log.ErrorContext(ctx, "sent, but cannot mark it sent", "ses_message_id", sesID, "error", err.Error())
		return nil
	}
	log.InfoContext(ctx, "mail sent", "ses_message_id", sesID)
	return nil
}

// releaseQuietly gives up a claim so that the next delivery retries at once.
func (m *Mailer) releaseQuietly(ctx context.Context, log *slog.Logger, id int64, reason string) {
	if err := m.DB.ReleaseMail(context.WithoutCancel(ctx), id, reason); err != nil {
		log.ErrorContext(ctx, "cannot release claim", "error", err.Error())
	}
}

// fail records a permanent failure; the message is done with.
func (m *Mailer) fail(ctx context.Context, log *slog.Logger, kind string, id int64, cause error) error {
	log.ErrorContext(ctx, "mail failed permanently", "error", cause.Error())
	m.record(kind, "permanent")
	if err := m.DB.MarkFailed(ctx, id, cause.Error()); err != nil {
		return err
	}
	return nil
}

// DefaultLease: a claim outlives any one send (SES answers within seconds) and ends
// well before the queue's visibility timeout.
const DefaultLease = 60 * time.Second
