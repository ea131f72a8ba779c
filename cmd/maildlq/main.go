// Command maildlq operates the mail dead-letter queue: it shows the messages the
// mailer gave up on, and after a fix sends them back to the mail queue.
//
//	maildlq show    [-queue URL -dlq URL]   the dead letters (make dlq)
//	maildlq redrive [-queue URL -dlq URL]   move them back to the mail queue (make redrive)
//
// Against AWS, pass -queue and -dlq (the stack's MailQueueUrl and
// MailDeadLetterQueueUrl outputs) with the usual AWS credentials; without them it
// uses the queues of the running `make dev`.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"github.com/kittenasso/kittenasso/shared/local/emulators"
	"os"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/kittenasso/kittenasso/shared/local/sqstrigger"
)

const usage = "usage: maildlq show|redrive [-queue URL -dlq URL]"

func main() {
	if len(os.Args) < 2 || (os.Args[1] != "show" && os.Args[1] != "redrive") {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if err := dlq(os.Args[2:], os.Args[1] == "redrive"); err != nil {
		fmt.Fprintln(os.Stderr, "maildlq:", err)
		os.Exit(1)
	}
}

// dlq shows the mail dead-letter queue, or with redrive moves it back to the queue.
func dlq(args []string, redrive bool) error {
	fs := flag.NewFlagSet("dlq", flag.ExitOnError)
	queueURL := fs.String("queue", "", "mail queue URL (default: the local stack's)")
	dlqURL := fs.String("dlq", "", "dead-letter queue URL (default: the local stack's)")
	fs.Parse(args)
	ctx := context.Background()
	if *dlqURL == "" {
		s, err := emulators.ReadState(".devstack")
		if err != nil {
			return errors.New("no -dlq given and no local stack found (start `make dev` first)")
		}
		*queueURL, *dlqURL = s.QueueURL, s.DeadLetterURL
		os.Setenv("AWS_ENDPOINT_URL_SQS", s.SQSEndpoint)
		for k, v := range map[string]string{"AWS_REGION": emulators.Region, "AWS_ACCESS_KEY_ID": emulators.Key, "AWS_SECRET_ACCESS_KEY": emulators.Key} {
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
		moved, err := sqstrigger.Redrive(ctx, client, *dlqURL, *queueURL)
		fmt.Printf("moved %d message(s) from the dead-letter queue back to the mail queue\n", moved)
		if err != nil {
			return err
		}
		return printDepths(ctx, client, "after", *dlqURL, *queueURL)
	}
	msgs, err := sqstrigger.Peek(ctx, client, *dlqURL, 1000)
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
	dead, err := sqstrigger.QueueDepth(ctx, client, dlqURL)
	if err != nil {
		return err
	}
	live, err := sqstrigger.QueueDepth(ctx, client, queueURL)
	if err != nil {
		return err
	}
	fmt.Printf("%s: dead-letter queue %s; mail queue %s\n", when, dead, live)
	return nil
}
