// Package sqstrigger is the local stand-in for Lambda's SQS event source mapping:
// it receives batches from a queue, invokes a function with the SQS event through
// the Lambda JSON path, deletes what succeeded and leaves the reported failures to
// come back after the visibility timeout (and to the dead-letter queue after
// maxReceiveCount), as Lambda does with ReportBatchItemFailures.
package sqstrigger

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// Invoker runs a function: a JSON event in, a JSON response out (lambda.Handler).
type Invoker interface {
	Invoke(ctx context.Context, payload []byte) ([]byte, error)
}

// Poller feeds one queue to one function.
type Poller struct {
	SQS       *sqs.Client
	QueueURL  string
	QueueARN  string
	Function  Invoker
	BatchSize int32 // at most 10
	Wait      int32 // long-poll seconds
	Log       *slog.Logger
}

// Result counts what one batch did.
type Result struct {
	Received, Deleted, Failed int
}

// Once receives one batch (waiting up to Wait seconds) and hands it to the function.
// If the function itself fails, nothing is deleted: the whole batch comes back.
func (p *Poller) Once(ctx context.Context) (Result, error) {
	var res Result
	out, err := p.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
		QueueUrl:                    aws.String(p.QueueURL),
		MaxNumberOfMessages:         p.BatchSize,
		WaitTimeSeconds:             p.Wait,
		MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
	})
	if err != nil || len(out.Messages) == 0 {
		return res, err
	}
	res.Received = len(out.Messages)
	ev := events.SQSEvent{Records: make([]events.SQSMessage, len(out.Messages))}
	for i, m := range out.Messages {
		ev.Records[i] = events.SQSMessage{
			MessageId:      aws.ToString(m.MessageId),
			ReceiptHandle:  aws.ToString(m.ReceiptHandle),
			Body:           aws.ToString(m.Body),
			Md5OfBody:      aws.ToString(m.MD5OfBody),
			Attributes:     m.Attributes,
			EventSource:    "aws:sqs",
			EventSourceARN: p.QueueARN,
			AWSRegion:      "us-east-1",
		}
	}
	payload, err := json.Marshal(ev)
	if err != nil {
		return res, err
	}
	reply, err := p.Function.Invoke(ctx, payload)
	if err != nil {
		res.Failed = res.Received
		return res, fmt.Errorf("function failed, the batch will come back: %w", err)
	}
	var resp events.SQSEventResponse
	if err := json.Unmarshal(reply, &resp); err != nil {
		res.Failed = res.Received
		return res, fmt.Errorf("function reply is not an SQSEventResponse: %w", err)
	}
	failed := map[string]bool{}
	for _, f := range resp.BatchItemFailures {
		failed[f.ItemIdentifier] = true
	}
	var done []sqstypes.DeleteMessageBatchRequestEntry
	for _, m := range out.Messages {
		if !failed[aws.ToString(m.MessageId)] {
			done = append(done, sqstypes.DeleteMessageBatchRequestEntry{Id: m.MessageId, ReceiptHandle: m.ReceiptHandle})
		}
	}
	res.Failed = res.Received - len(done)
	if len(done) == 0 {
		return res, nil
	}
	del, err := p.SQS.DeleteMessageBatch(ctx, &sqs.DeleteMessageBatchInput{QueueUrl: aws.String(p.QueueURL), Entries: done})
	if err != nil {
		return res, err
	}
	res.Deleted = len(del.Successful)
	return res, nil
}

// Run polls until ctx ends, pausing a little after errors.
func (p *Poller) Run(ctx context.Context) {
	for ctx.Err() == nil {
		if _, err := p.Once(ctx); err != nil && ctx.Err() == nil {
			p.Log.WarnContext(ctx, "poller", "queue", p.QueueURL, "error", err.Error())
			select {
			case <-ctx.Done():
			case <-time.After(time.Second):
			}
		}
	}
}
