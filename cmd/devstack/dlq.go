package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/kittenasso/kittenasso/shared/eventsource"
)

// localState tells the dlq and redrive commands where a running `make dev` put its queues.
type localState struct {
	SQSEndpoint   string `json:"sqsEndpoint"`
	QueueURL      string `json:"queueUrl"`
	DeadLetterURL string `json:"deadLetterUrl"`
}

var localStateFile = filepath.Join(stateDir, "local.json")

func writeLocalState(s localState) error {
	b, _ := json.MarshalIndent(s, "", "  ")
	if err := os.MkdirAll(stateDir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(localStateFile, b, 0o644)
}

// dlq shows the mail dead-letter queue, or with redrive moves it back to the queue.
// Against AWS, pass -queue and -dlq (the stack's MailQueueUrl and
// MailDeadLetterQueueUrl outputs) with the usual AWS credentials; without them it
// uses the queues of the running `make dev`.
func dlq(args []string, redrive bool) error {
	fs := flag.NewFlagSet("dlq", flag.ExitOnError)
	queueURL := fs.String("queue", "", "mail queue URL (default: the local stack's)")
	dlqURL := fs.String("dlq", "", "dead-letter queue URL (default: the local stack's)")
	fs.Parse(args)
	ctx := context.Background()
	if *dlqURL == "" {
		b, err := os.ReadFile(localStateFile)
		if err != nil {
			return errors.New("no -dlq given and no local stack found (start `make dev` first)")
		}
		var s localState
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*queueURL, *dlqURL = s.QueueURL, s.DeadLetterURL
		os.Setenv("AWS_ENDPOINT_URL_SQS", s.SQSEndpoint)
		for k, v := range map[string]string{"AWS_REGION": localRegion, "AWS_ACCESS_KEY_ID": localKey, "AWS_SECRET_ACCESS_KEY": localKey} {
			if os.Getenv(k) == "" {
				os.Setenv(k, v)
			}
		}
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx)
	if err != nil {
		return err
	}
	client := sqs.NewFromConfig(cfg)
	if redrive {
		if *queueURL == "" {
			return errors.New("redrive needs -queue too")
		}
		if err := printDepths(ctx, client, "before", *dlqURL, *queueURL); err != nil {
			return err
		}
		moved, err := eventsource.Redrive(ctx, client, *dlqURL, *queueURL)
		fmt.Printf("moved %d message(s) from the dead-letter queue back to the mail queue\n", moved)
		if err != nil {
			return err
		}
		return printDepths(ctx, client, "after", *dlqURL, *queueURL)
	}
	msgs, err := eventsource.Peek(ctx, client, *dlqURL, 1000)
	if err != nil {
		return err
	}
	fmt.Printf("%d message(s) in %s\n", len(msgs), *dlqURL)
	for _, m := range msgs {
		fmt.Printf("  %s  receives=%s  %s\n", m.ID, m.ReceiveCount, m.Body)
	}
	if len(msgs) > 0 {
		fmt.Println("Their outbox rows say why (last_error): SELECT id, kind, recipient, attempts, last_error FROM mail_outbox WHERE sent_at IS NULL;")
		fmt.Println("After a fix: make redrive")
	}
	return nil
}

// printDepths says how many messages each queue holds, visible and in flight.
func printDepths(ctx context.Context, client *sqs.Client, when, dlqURL, queueURL string) error {
	dead, err := eventsource.QueueDepth(ctx, client, dlqURL)
	if err != nil {
		return err
	}
	live, err := eventsource.QueueDepth(ctx, client, queueURL)
	if err != nil {
		return err
	}
	fmt.Printf("%s: dead-letter queue %s; mail queue %s\n", when, dead, live)
	return nil
}
