// Package mailqueue is the queue side of the outbox: it publishes outbox ids to the
// SQS mail queue after a commit, and the relay publishes what a request missed. The
// API functions link this package only, not the SES side (shared/mailer).
package mailqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/kittenasso/kittenasso/shared/awsenv"
	"github.com/kittenasso/kittenasso/shared/metrics"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// Message is the body of a mail queue message: which outbox rows to send, at most
// IDsPerMessage of them. OutboxID is the one-row form of messages published before,
// still read.
type Message struct {
	OutboxIDs []int64 `json:"outboxIds,omitempty"`
	OutboxID  int64   `json:"outboxId,omitempty"`
}

// IDsPerMessage is how many outbox rows one message carries. Ten to a message and ten
// messages to a SendMessageBatch call, an invitation to 5,000 members is 51 calls,
// not 501; and one mailer invocation (a batch of up to 10 messages) sends at most 100
// e-mails, which its timeout allows.
const IDsPerMessage = 10

// ParseMessage reads a message body: the outbox rows it names, or an error when it
// is not a message, names none or too many, or a row that cannot be.
func ParseMessage(body string) ([]int64, error) {
	var m Message
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		return nil, fmt.Errorf("malformed queue message %q", body)
	}
	ids := m.OutboxIDs
	if m.OutboxID != 0 {
		ids = append(ids, m.OutboxID)
	}
	if len(ids) == 0 || len(ids) > IDsPerMessage || slices.ContainsFunc(ids, func(id int64) bool { return id <= 0 }) {
		return nil, fmt.Errorf("malformed queue message %q", body)
	}
	return ids, nil
}

// Queue publishes outbox ids to the mail queue.
type Queue struct {
	Client *sqs.Client
	URL    string
}

// publishInFlight bounds the SendMessageBatch calls one Publish has in flight.
const publishInFlight = 8

// Publish sends the ids, IDsPerMessage to a message and ten messages to a call,
// publishInFlight calls at a time, and returns the ids the queue accepted; the error
// tells about the others.
func (q Queue) Publish(ctx context.Context, ids []int64) ([]int64, error) {
	var (
		mu        sync.Mutex
		published []int64
		errs      []error
		wg        sync.WaitGroup
		inFlight  = make(chan struct{}, publishInFlight)
	)
	const perCall = 10 * IDsPerMessage // SendMessageBatch takes ten messages
	for start := 0; start < len(ids); start += perCall {
		call := ids[start:min(start+perCall, len(ids))]
		inFlight <- struct{}{}
		wg.Go(func() {
			defer func() { <-inFlight }()
			accepted, err := q.publishBatch(ctx, call)
			mu.Lock()
			defer mu.Unlock()
			published = append(published, accepted...)
			if err != nil {
				errs = append(errs, err)
			}
		})
	}
	wg.Wait()
	return published, errors.Join(errs...)
}

// publishBatch sends ids (at most ten messages' worth) in one call.
func (q Queue) publishBatch(ctx context.Context, ids []int64) ([]int64, error) {
	chunks := slices.Collect(slices.Chunk(ids, IDsPerMessage))
	entries := make([]sqstypes.SendMessageBatchRequestEntry, len(chunks))
	for i, chunk := range chunks {
		body, _ := json.Marshal(Message{OutboxIDs: chunk})
		entries[i] = sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.Itoa(i)), MessageBody: aws.String(string(body))}
	}
	out, err := q.Client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.URL), Entries: entries})
	if err != nil {
		return nil, err
	}
	var published []int64
	for _, ok := range out.Successful {
		if i, err := strconv.Atoi(aws.ToString(ok.Id)); err == nil && i >= 0 && i < len(chunks) {
			published = append(published, chunks[i]...)
		}
	}
	var errs []error
	for _, failed := range out.Failed {
		errs = append(errs, fmt.Errorf("message %s of the call: %s", aws.ToString(failed.Id), aws.ToString(failed.Message)))
	}
	return published, errors.Join(errs...)
}

// Reachable checks that the queue answers, for /api/health.
func (q Queue) Reachable(ctx context.Context) error {
	_, err := q.Client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(q.URL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages},
	})
	return err
}

// Relay publishes the outbox rows that no queue message will bring to the mailer, and
// prunes what the product no longer needs: it is the scheduled housekeeping.
type Relay struct {
	DB    *postgres.DB
	Queue Queue
	// Grace leaves a request time to publish its own mail before the relay does.
	Grace time.Duration
	// RepublishAfter is how long a published mail may stay unsent before the relay
	// takes its message as lost and publishes it again.
	RepublishAfter time.Duration
	Batch          int
	Retention      postgres.Retention
	// ReminderBefore is how long before an event starts its reminders leave; 0 sends
	// none.
	ReminderBefore time.Duration
	Log            *slog.Logger
}

// reminderBatch bounds the reminders one run queues; the next run queues the rest.
const reminderBatch = 5000

// RelayResult says what one run did.
type RelayResult struct {
	Reminders        int   `json:"reminders"`
	RemindersSkipped int   `json:"remindersSkipped"` // over a mail budget
	Published        int   `json:"published"`
	Pruned           int64 `json:"pruned"`
}

// EMF is the run as a CloudWatch Embedded Metric Format line.
func (res RelayResult) EMF(at time.Time) []byte {
	return metrics.EMFCounts(at, map[string]string{"Function": "mail-relay"},
		map[string]float64{"RemindersQueued": float64(res.Reminders), "RemindersSkipped": float64(res.RemindersSkipped),
			"MailsRelayed": float64(res.Published), "RowsPruned": float64(res.Pruned)})
}

// Run queues the reminders that are due and publishes them, publishes until nothing
// is left or an error stops it, then prunes.
func (r Relay) Run(ctx context.Context) (RelayResult, error) {
	var res RelayResult
	if err := r.remind(ctx, &res); err != nil {
		return res, err
	}
	for {
		published, err := r.DB.RelayUnpublished(ctx, r.Grace, r.RepublishAfter, r.Batch, r.Queue.Publish)
		res.Published += len(published)
		if err != nil {
			return res, err
		}
		if len(published) < r.Batch {
			break
		}
	}
	if res.Published > 0 {
		r.Log.InfoContext(ctx, "relayed mail", "count", res.Published)
	}
	pruned, err := r.DB.Prune(ctx, r.Retention)
	res.Pruned = pruned
	if pruned > 0 {
		r.Log.InfoContext(ctx, "pruned old rows", "count", pruned)
	}
	return res, err
}

// remind queues the due reminders, then publishes them. What the queue does not take
// stays unpublished, for the loop that follows or the next run.
func (r Relay) remind(ctx context.Context, res *RelayResult) error {
	if r.ReminderBefore <= 0 {
		return nil
	}
	reminders, err := r.DB.QueueReminders(ctx, r.ReminderBefore, reminderBatch)
	for _, s := range reminders.Skipped {
		res.RemindersSkipped += s.Recipients
		r.Log.WarnContext(ctx, "reminders skipped: over the mail budget", "event_id", s.EventID,
			"association_id", s.AssociationID, "count", s.Recipients)
	}
	ids := reminders.Queued
	res.Reminders = len(ids)
	if err != nil || len(ids) == 0 {
		return err
	}
	r.Log.InfoContext(ctx, "queued reminders", "count", len(ids))
	published, err := r.Queue.Publish(ctx, ids)
	if len(published) > 0 {
		res.Published += len(published)
		if err := r.DB.MarkPublished(ctx, published); err != nil {
			return err
		}
	}
	if err != nil {
		r.Log.WarnContext(ctx, "reminders not published; the relay publishes them later", "error", err.Error())
	}
	return nil
}

// New connects to the mail queue at url. The SDK reads its endpoint from
// AWS_ENDPOINT_URL_SQS when set (the local emulator), else from the region.
func New(url string) Queue {
	client := sqs.NewFromConfig(awsenv.Config(), func(o *sqs.Options) { o.BaseEndpoint = awsenv.Endpoint("SQS") })
	return Queue{Client: client, URL: url}
}
