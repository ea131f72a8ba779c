package eventsource

import (
	"context"
	"encoding/json"
	"errors"
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

// Peek lists up to max messages of a queue without removing them: each is received
// with a visibility timeout of 0, so it stays available.
func Peek(ctx context.Context, c *sqs.Client, url string, max int) ([]Message, error) {
	seen := map[string]bool{}
	var msgs []Message
	for len(msgs) < max {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(url), MaxNumberOfMessages: 10, VisibilityTimeout: 0,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
		})
		if err != nil {
			return msgs, err
		}
		added := 0
		for _, m := range out.Messages {
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

// Redrive moves every message of the dead-letter queue back to the queue, each one
// sent before it is deleted, so a failure midway loses nothing (at worst a message
// is in both, and the mailer's claim makes the copy harmless).
func Redrive(ctx context.Context, c *sqs.Client, deadLetterURL, queueURL string) (moved int, err error) {
	for {
		out, err := c.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(deadLetterURL), MaxNumberOfMessages: 10, VisibilityTimeout: 60,
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
