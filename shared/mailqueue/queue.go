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
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/kittenasso/kittenasso/shared/awsenv"
	"github.com/kittenasso/kittenasso/shared/config"
	"github.com/kittenasso/kittenasso/shared/metrics"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/secrets"
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

// publishTimeout bounds the publish after a request's commit: the relay catches up
// with anything it misses, so the request should not wait long on a sick queue.
const publishTimeout = 3 * time.Second

// PublishAfterCommit returns the postgres.DB.MailQueued hook: publish the ids and mark
// those published. Failures are logged, never returned: the request has committed.
func PublishAfterCommit(db *postgres.DB, q Queue, log *slog.Logger) func(context.Context, []int64) {
	return func(ctx context.Context, ids []int64) {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
		defer cancel()
		published, err := q.Publish(ctx, ids)
		if err != nil {
			log.WarnContext(ctx, "mail not published; the relay will publish it", "outbox_ids", ids, "error", err.Error())
		}
		if len(published) > 0 {
			if err := db.MarkPublished(ctx, published); err != nil {
				log.WarnContext(ctx, "published mail not marked", "error", err.Error())
			}
		}
	}
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

// DefaultRelayGrace leaves a request time to publish its own mail first.
const DefaultRelayGrace = 30 * time.Second

// NewRelay is the relay of cfg's settings.
func NewRelay(cfg config.Config, db *postgres.DB, q Queue, log *slog.Logger) Relay {
	return Relay{DB: db, Queue: q, Grace: DefaultRelayGrace, RepublishAfter: cfg.MailRepublishAfter, Batch: 100,
		Retention: postgres.Retention{Throttle: cfg.Throttle, Mail: cfg.MailRetention}, Log: log}
}

// FunctionInit is the init of the mail functions (mailer and relay): the mail
// configuration, the database pool and the logger, built once; it exits on failure,
// as Lambda expects of an init that cannot succeed.
func FunctionInit() (config.Config, *postgres.DB, *slog.Logger) {
	log := config.Logger()
	cfg, err := config.LoadMail(os.Getenv)
	if err != nil {
		log.Error("bad configuration", "error", err.Error())
		os.Exit(1)
	}
	db, err := postgres.Open(context.Background(), cfg.DatabaseURL, postgres.Options{MaxConns: 2, StatementTimeout: cfg.StatementTimeout,
		Credentials: secrets.DatabaseCredentials(cfg.DatabaseSecretARN, "url")})
	if err != nil {
		log.Error("cannot start", "error", err.Error())
		os.Exit(1)
	}
	return cfg, db, log
}

// StartRelay is the scheduled relay function's main.
func StartRelay() {
	cfg, db, log := FunctionInit()
	r := NewRelay(cfg, db, New(cfg.MailQueueURL), log)
	run := func(ctx context.Context) (RelayResult, error) {
		res, err := r.Run(ctx)
		os.Stdout.Write(append(res.EMF(time.Now()), '\n')) // to CloudWatch, through the function's log
		return res, err
	}
	lambda.StartWithOptions(run, lambda.WithEnableSIGTERM(db.Close))
}
