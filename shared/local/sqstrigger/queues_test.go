package sqstrigger_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/kittenasso/kittenasso/shared/internal/testenv"
	"github.com/kittenasso/kittenasso/shared/local/sqstrigger"
)

// TestPeekThenRedrive is `make dlq` then `make redrive` at once: the peek must leave
// every dead letter visible, so that the redrive moves them all.
func TestPeekThenRedrive(t *testing.T) {
	endpoint := testenv.Emulator(t, "TEST_SQS_ENDPOINT")
	ctx := context.Background()
	c := sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(endpoint),
		Credentials: credentials.NewStaticCredentialsProvider("test", "test", "")})
	b := make([]byte, 4)
	rand.Read(b)
	suffix := hex.EncodeToString(b)
	// The queue's own visibility timeout is long: a peek that left messages hidden
	// would hide them from the redrive for that long.
	dlq, _, err := sqstrigger.CreateQueue(ctx, c, sqstrigger.QueueSpec{Name: "peek-dlq-" + suffix, VisibilityTimeout: 300})
	if err != nil {
		t.Fatal(err)
	}
	queue, _, err := sqstrigger.CreateQueue(ctx, c, sqstrigger.QueueSpec{Name: "peek-queue-" + suffix, VisibilityTimeout: 300})
	if err != nil {
		t.Fatal(err)
	}
	for _, body := range []string{`{"outboxId":1}`, `{"outboxId":2}`, `{"outboxId":3}`, `{"outboxId":4}`, `{"outboxId":5}`,
		`{"outboxId":6}`, `{"outboxId":7}`, `{"outboxId":8}`, `{"outboxId":9}`, `{"outboxId":10}`, `{"outboxId":11}`, `{"outboxId":12}`} {
		if _, err := c.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(dlq), MessageBody: aws.String(body)}); err != nil {
			t.Fatal(err)
		}
	}
	for range 2 { // twice: a second look sees the same
		msgs, err := sqstrigger.Peek(ctx, c, dlq, 1000)
		if err != nil || len(msgs) != 12 {
			t.Fatalf("peek: %d messages (%v), want 12", len(msgs), err)
		}
		if d, err := sqstrigger.QueueDepth(ctx, c, dlq); err != nil || d != (sqstrigger.Depth{Visible: 12}) {
			t.Fatalf("after a peek: %v (%v), want 12 visible, none in flight", d, err)
		}
	}
	moved, err := sqstrigger.Redrive(ctx, c, dlq, queue)
	if err != nil || moved != 12 {
		t.Fatalf("redrive moved %d (%v), want 12", moved, err)
	}
	if d, _ := sqstrigger.QueueDepth(ctx, c, dlq); d != (sqstrigger.Depth{}) {
		t.Errorf("dead-letter queue after the redrive: %v", d)
	}
	if d, _ := sqstrigger.QueueDepth(ctx, c, queue); d.Visible != 12 {
		t.Errorf("mail queue after the redrive: %v, want 12 visible", d)
	}
}
