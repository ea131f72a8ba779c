package e2e_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/kittenasso/kittenasso/shared/internal/testenv"
	"github.com/kittenasso/kittenasso/shared/local/apigateway"
	"github.com/kittenasso/kittenasso/shared/local/sqstrigger"
	"github.com/kittenasso/kittenasso/shared/mailqueue"
)

func randomSuffix() string {
	b := make([]byte, 4)
	rand.Read(b)
	return hex.EncodeToString(b)
}

var testCredentials = credentials.NewStaticCredentialsProvider("test", "test", "")

// mailStack is a stack whose e-mails go through real SQS and SES emulators: its own
// queue and dead-letter queue (the template's maxReceiveCount, a 1 s visibility
// timeout so that retries are quick), the mailer behind the Lambda-like poller, and
// SES behind a proxy that can refuse sends.
type mailStack struct {
	*stack
	sqs      *sqs.Client
	queue    mailqueue.Queue
	dlqURL   string
	queueARN string
	poller   sqstrigger.Poller
	sesURL   string       // the SES emulator
	sesVia   string       // the failure-injecting proxy in front of it
	sesFail  atomic.Value // func(body string) (status int, errorType string), or nil
	suffix   string       // makes this test's addresses unique in the shared SES store
	emf      lockedBuffer // the mailer's EMF lines, as Lambda would log them
}

// lockedBuffer is a bytes.Buffer that a running mailer and the test can share.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newMailStack(t *testing.T) *mailStack {
	t.Helper()
	return newMailStackOn(t, testenv.Emulator(t, "TEST_SQS_ENDPOINT"))
}

// newMailStackOn is a mail stack whose queues are on the SQS emulator at sqsEndpoint.
func newMailStackOn(t *testing.T, sqsEndpoint string) *mailStack {
	t.Helper()
	sesEndpoint := testenv.Emulator(t, "TEST_SES_ENDPOINT")
	s := &mailStack{suffix: randomSuffix(), sesURL: sesEndpoint}
	s.sqs = sqs.New(sqs.Options{Region: "us-east-1", BaseEndpoint: aws.String(sqsEndpoint), Credentials: testCredentials})
	queueURL, queueARN, dlqURL, err := s.createQueues()
	if err != nil {
		t.Fatal(err)
	}
	s.dlqURL, s.queueARN = dlqURL, queueARN
	s.queue = mailqueue.Queue{Client: s.sqs, URL: queueURL}

	proxy := httptest.NewServer(http.HandlerFunc(s.sesProxy))
	t.Cleanup(proxy.Close)
	s.sesVia = proxy.URL
	ses := sesv2.New(sesv2.Options{Region: "us-east-1", BaseEndpoint: aws.String(proxy.URL), Credentials: testCredentials,
		RetryMaxAttempts: 1}) // the queue is the retry loop; the SDK's own retries would hide it
	s.stack = newStackWith(t, &stackMail{sqs: s.sqs, queueURL: queueURL, queueARN: queueARN, ses: ses})
	s.publisher.set(s.queue)
	// What a test needs sooner than production: a lease that ends in 2 s, an empty
	// queue noticed within a second, and the mailer's EMF lines kept.
	s.built.Mailer.Lease = 2 * time.Second
	s.built.Mailer.EMF = &s.emf
	s.poller = *s.built.Poller
	s.poller.Wait = 1
	return s
}

// createQueues creates the test's mail queue and dead-letter queue: the template's
// maxReceiveCount, a 1 s visibility timeout so that retries are quick. Creating them
// again (after an emulator restart) gives the same queues.
func (s *mailStack) createQueues() (queueURL, queueARN, dlqURL string, err error) {
	ctx := context.Background()
	tmpl, err := apigateway.LoadTemplate("../../template.yaml")
	if err != nil {
		return "", "", "", err
	}
	q, _ := tmpl.Queue("MailQueue")
	dlqURL, dlqARN, err := sqstrigger.CreateQueue(ctx, s.sqs, sqstrigger.QueueSpec{Name: "dlq-" + s.suffix, VisibilityTimeout: 1})
	if err != nil {
		return "", "", "", err
	}
	queueURL, queueARN, err = sqstrigger.CreateQueue(ctx, s.sqs, sqstrigger.QueueSpec{
		Name: "mail-" + s.suffix, VisibilityTimeout: 1, MaxReceiveCount: q.MaxReceiveCount, DeadLetterARN: dlqARN})
	return queueURL, queueARN, dlqURL, err
}

// sesProxy forwards to the SES emulator unless sesFail refuses the request, answering
// as SES does: a status and X-Amzn-ErrorType.
func (s *mailStack) sesProxy(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	if fail, _ := s.sesFail.Load().(func(string) (int, string)); fail != nil {
		if status, errType := fail(string(body)); status != 0 {
			w.Header().Set("X-Amzn-ErrorType", errType)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			json.NewEncoder(w).Encode(map[string]string{"message": "injected by the test: " + errType})
			return
		}
	}
	target, _ := url.Parse(s.sesURL)
	r.Body = io.NopCloser(bytes.NewReader(body))
	httputil.NewSingleHostReverseProxy(target).ServeHTTP(w, r)
}

// failSES makes SES refuse every send whose request mentions match (""= all);
// status 0 heals it.
func (s *mailStack) failSES(match string, status int, errType string) {
	if status == 0 {
		s.sesFail.Store(func(string) (int, string) { return 0, "" })
		return
	}
	s.sesFail.Store(func(body string) (int, string) {
		if strings.Contains(body, match) {
			return status, errType
		}
		return 0, ""
	})
}

// addr is a test-unique address.
func (s *mailStack) addr(name string) string { return name + "-" + s.suffix + "@example.org" }

// pump runs the poller until done says so, or fails the test after limit.
func (s *mailStack) pump(limit time.Duration, what string, done func() bool) {
	s.t.Helper()
	deadline := time.Now().Add(limit)
	for !done() {
		if time.Now().After(deadline) {
			s.t.Fatalf("after %v: still waiting for %s", limit, what)
		}
		if _, err := s.poller.Once(context.Background()); err != nil {
			s.t.Logf("poller: %v", err)
		}
	}
}

// pumpMail runs the poller until SES received an e-mail with subject for to, and
// returns it.
func (s *mailStack) pumpMail(to, subject string) (mail testenv.SESEmail) {
	s.t.Helper()
	s.pump(20*time.Second, subject+" to "+to, func() bool {
		for _, e := range s.inbox(to) {
			if e.Subject == subject {
				mail = e
				return true
			}
		}
		return false
	})
	return mail
}

// mailWhere waits until SES received an e-mail for to that match accepts, while the
// mailer runs on its own (a running poller), and returns it. Tests find e-mails by
// what they hold (a link, a calendar part) rather than by their subjects, which are in
// each recipient's language.
func (s *mailStack) mailWhere(to, what string, match func(testenv.SESEmail) bool) testenv.SESEmail {
	s.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		for _, e := range s.inbox(to) {
			if match(e) {
				return e
			}
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("no e-mail to %s after 20 s: %s", to, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// inbox returns the e-mails the SES emulator received for to.
func (s *mailStack) inbox(to string) []testenv.SESEmail {
	s.t.Helper()
	return testenv.SESInbox(s.t, s.sesURL, to)
}

// store returns every e-mail the SES emulator received, of every test.
func (s *mailStack) store() []testenv.SESEmail {
	s.t.Helper()
	return testenv.SESStore(s.t, s.sesURL)
}

// calendarOf returns the decoded event.ics of e.
func calendarOf(t *testing.T, e testenv.SESEmail) []byte {
	t.Helper()
	for _, a := range e.Attachments {
		if a.Filename == "event.ics" {
			data, err := base64.StdEncoding.DecodeString(a.Content)
			if err != nil {
				t.Fatal(err)
			}
			return data
		}
	}
	t.Fatalf("no event.ics in %q", e.Subject)
	return nil
}

// queueDepth is the number of messages in a queue, visible or in flight.
func (s *mailStack) queueDepth(url string) int {
	s.t.Helper()
	out, err := s.sqs.GetQueueAttributes(context.Background(), &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url), AttributeNames: []sqstypes.QueueAttributeName{"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"}})
	if err != nil {
		s.t.Fatal(err)
	}
	return atoi(out.Attributes["ApproximateNumberOfMessages"]) + atoi(out.Attributes["ApproximateNumberOfMessagesNotVisible"])
}

func atoi(s string) int { n, _ := strconv.Atoi(s); return n }

func slogDiscard() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }
