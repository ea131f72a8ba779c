package sqstrigger

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// QueueSpec is a queue to create: template.yaml's settings under a local name.
type QueueSpec struct {
	Name              string
	VisibilityTimeout int
	MaxReceiveCount   int    // with DeadLetterARN: the redrive policy
	DeadLetterARN     string // "" for none
}

// CreateQueue creates (or finds) the queue and returns its URL and ARN.
func CreateQueue(ctx context.Context, c *sqs.Client, spec QueueSpec) (url, arn string, err error) {
	attrs := map[string]string{"VisibilityTimeout": strconv.Itoa(spec.VisibilityTimeout)}
	if spec.DeadLetterARN != "" {
		policy, _ := json.Marshal(map[string]string{
			"deadLetterTargetArn": spec.DeadLetterARN, "maxReceiveCount": strconv.Itoa(spec.MaxReceiveCount),
		})
		attrs["RedrivePolicy"] = string(policy)
	}
	out, err := c.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(spec.Name), Attributes: attrs})
	if err != nil {
		return "", "", err
	}
	got, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: out.QueueUrl, AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		return "", "", err
	}
	return aws.ToString(out.QueueUrl), got.Attributes[string(sqstypes.QueueAttributeNameQueueArn)], nil
}

// Message is a queued message as the DLQ tool shows it.
type Message struct {
	ID           string
	Body         string
	ReceiveCount string
}

// Peek lists up to max messages of a queue and leaves them there, visible. Each is
// received, which hides it for a while so that the next receive brings others; once
// all are seen they are made visible again at once. (A receive asking for a
// visibility timeout of 0 would not do: the SDK leaves a zero out of the request, so
// the queue's own timeout would hide them.)
func Peek(ctx context.Context, c *sqs.Client, url string, max int) ([]Message, error) {
	seen := map[string]bool{}
	var msgs []Message
	var handles []string
	defer func() { release(context.WithoutCancel(ctx), c, url, handles) }()
	for len(msgs) < max {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 1,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			return msgs, err
		}
		added := 0
		for _, m := range out.Messages {
			handles = append(handles, aws.ToString(m.ReceiptHandle))
			if id := aws.ToString(m.MessageId); !seen[id] {
				seen[id] = true
				added++
				msgs = append(msgs, Message{ID: id, Body: aws.ToString(m.Body), ReceiveCount: m.Attributes["ApproximateReceiveCount"]})
			}
		}
		if added == 0 {
			return msgs, nil
		}
	}
	return msgs, nil
}

// release makes received messages visible again now.
func release(ctx context.Context, c *sqs.Client, url string, handles []string) {
	for start := 0; start < len(handles); start += 10 {
		var entries []sqstypes.ChangeMessageVisibilityBatchRequestEntry
		for i, h := range handles[start:min(start+10, len(handles))] {
			entries = append(entries, sqstypes.ChangeMessageVisibilityBatchRequestEntry{
				Id: aws.String(strconv.Itoa(i)), ReceiptHandle: aws.String(h), VisibilityTimeout: 0})
		}
		c.ChangeMessageVisibilityBatch(ctx, &sqs.ChangeMessageVisibilityBatchInput{QueueUrl: aws.String(url), Entries: entries})
	}
}

// Depth is how many messages a queue holds: visible, and in flight (received and
// not yet deleted or back).
type Depth struct {
	Visible, InFlight int
}

func (d Depth) String() string { return fmt.Sprintf("%d visible, %d in flight", d.Visible, d.InFlight) }

// QueueDepth reads a queue's depth.
func QueueDepth(ctx context.Context, c *sqs.Client, url string) (Depth, error) {
	out, err := c.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible}})
	if err != nil {
		return Depth{}, err
	}
	visible, _ := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)])
	inFlight, _ := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)])
	return Depth{Visible: visible, InFlight: inFlight}, nil
}

// Redrive moves every message of the dead-letter queue back to the queue, each one
// sent before it is deleted, so a failure midway loses nothing (at worst a message
// is in both, and the mailer's claim makes the copy harmless). It long-polls, so a
// message that is briefly hidden or on another SQS host is not missed, and stops
// after a poll that brings nothing.
func Redrive(ctx context.Context, c *sqs.Client, deadLetterURL, queueURL string) (moved int, err error) {
	for {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(deadLetterURL), MaxNumberOfMessages: 10, VisibilityTimeout: 60, WaitTimeSeconds: 2,
		})
		if err != nil {
			return moved, err
		}
		if len(out.Messages) == 0 {
			return moved, nil
		}
		for _, m := range out.Messages {
			if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: m.Body}); err != nil {
				return moved, err
			}
			if _, err := c.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(deadLetterURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return moved, errors.Join(errors.New("sent back but not deleted from the dead-letter queue"), err)
			}
			moved++
		}
	}
}
