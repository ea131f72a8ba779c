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
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/kittenasso/kittenasso/shared/awsenv"
	"github.com/kittenasso/kittenasso/shared/metrics"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// Message is the body of a mail queue message: which outbox row to send.
type Message struct {
	OutboxID int64 `json:"outboxId"`
}

// Queue publishes outbox ids to the mail queue.
type Queue struct {
	Client *sqs.Client
	URL    string
}

// Publish sends one message per id, in batches of 10, and returns the ids the queue
// accepted; the error tells about the others.
func (q Queue) Publish(ctx context.Context, ids []int64) ([]int64, error) {
	var published []int64
	var errs []error
	for start := 0; start < len(ids); start += 10 {
		batch := ids[start:min(start+10, len(ids))]
		entries := make([]sqstypes.SendMessageBatchRequestEntry, len(batch))
		for i, id := range batch {
			body, _ := json.Marshal(Message{OutboxID: id})
			entries[i] = sqstypes.SendMessageBatchRequestEntry{Id: aws.String(strconv.FormatInt(id, 10)), MessageBody: aws.String(string(body))}
		}
		out, err := q.Client.SendMessageBatch(ctx, &sqs.SendMessageBatchInput{QueueUrl: aws.String(q.URL), Entries: entries})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		for _, ok := range out.Successful {
			id, _ := strconv.ParseInt(aws.ToString(ok.Id), 10, 64)
			published = append(published, id)
		}
		for _, failed := range out.Failed {
			errs = append(errs, fmt.Errorf("outbox %s: %s", aws.ToString(failed.Id), aws.ToString(failed.Message)))
		}
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
	Log            *slog.Logger
}

// RelayResult says what one run did.
type RelayResult struct {
	Published int   `json:"published"`
	Pruned    int64 `json:"pruned"`
}

// EMF is the run as a CloudWatch Embedded Metric Format line.
func (res RelayResult) EMF(at time.Time) []byte {
	return metrics.EMFCounts(at, map[string]string{"Function": "mail-relay"},
		map[string]float64{"MailsRelayed": float64(res.Published), "RowsPruned": float64(res.Pruned)})
}

// Run publishes until nothing is left or an error stops it, then prunes.
func (r Relay) Run(ctx context.Context) (RelayResult, error) {
	var res RelayResult
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

// New connects to the mail queue at url. The SDK reads its endpoint from
// AWS_ENDPOINT_URL_SQS when set (the local emulator), else from the region.
func New(url string) Queue {
	client := sqs.NewFromConfig(awsenv.Config(), func(o *sqs.Options) { o.BaseEndpoint = awsenv.Endpoint("SQS") })
	return Queue{Client: client, URL: url}
}
