// Package stack is the composition root of the local stack: from the configuration
// the functions read, and through their own roots (apifn, mailerfn, relayfn), it
// builds the API's Server behind the API Gateway stand-in, the web app behind the
// CloudFront stand-in, and, with mail, the mailer behind the SQS trigger and the relay
// on a schedule (the stand-ins are shared/local's). `make dev`, the benchmarks and
// the end-to-end tests all build their stack here.
package stack

import (
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/kittenasso/kittenasso/shared/app/apifn"
	"github.com/kittenasso/kittenasso/shared/app/mailerfn"
	"github.com/kittenasso/kittenasso/shared/app/relayfn"
	"github.com/kittenasso/kittenasso/shared/config"
	"github.com/kittenasso/kittenasso/shared/httpapi"
	"github.com/kittenasso/kittenasso/shared/local/apigateway"
	"github.com/kittenasso/kittenasso/shared/local/cloudfront"
	"github.com/kittenasso/kittenasso/shared/local/sqstrigger"
	"github.com/kittenasso/kittenasso/shared/mailer"
	"github.com/kittenasso/kittenasso/shared/mailqueue"
	"github.com/kittenasso/kittenasso/shared/metrics/prom"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// Options say what to build the stack from.
type Options struct {
	// API is the route functions' configuration (config.Load).
	API config.Config
	// Mail, when set, is the mail functions' configuration (config.LoadMail): the
	// stack then has the mailer, fed from API.MailQueueURL (whose ARN is QueueARN),
	// and the relay.
	Mail     *config.Config
	QueueARN string
	Template apigateway.Template
	// Web is the web app, served beside the API as CloudFront serves it; nil serves
	// the API alone.
	Web fs.FS
	Log *slog.Logger

	// DB, when set, is the API's database, instead of a pool opened from API.
	DB *postgres.DB
	// SQS and SES, when set, are the clients of the mail queue and of SES, instead of
	// the environment's (AWS_ENDPOINT_URL_SQS, AWS_ENDPOINT_URL_SESV2).
	SQS *sqs.Client
	SES *sesv2.Client
	// Invokers, when set, run the routes (real bootstraps under the runtime emulator)
	// instead of the in-process handlers; MailerFunction likewise runs the mailer.
	Invokers       map[string]apigateway.Invoker
	MailerFunction sqstrigger.Invoker
}

// Stack is the local stack's parts, built and not yet running: a caller may adjust
// them (a test's shorter lease, say) before Run, or drive them itself.
type Stack struct {
	Server *httpapi.Server
	// Metrics are what the in-process functions count, in Prometheus: make dev
	// serves them at /metrics (WithMetrics; in AWS they leave as EMF lines).
	Metrics *prom.Metrics
	Gateway *apigateway.Gateway
	// Handler is what the distribution serves: /api to the gateway, the rest to the
	// web app (the gateway alone without Options.Web).
	Handler http.Handler
	// With mail only: the mailer, the trigger that feeds it from the queue, and the
	// relay.
	Mailer *mailer.Mailer
	Poller *sqstrigger.Poller
	Relay  *mailqueue.Relay
}

// New builds the stack. Closing Server.DB releases it.
func New(ctx context.Context, o Options) (*Stack, error) {
	var queue *mailqueue.Queue
	if o.API.MailQueueURL != "" {
		q := mailqueue.New(o.API.MailQueueURL)
		if o.SQS != nil {
			q.Client = o.SQS
		}
		queue = &q
	}
	db := o.DB
	if db == nil {
		var err error
		if db, err = apifn.OpenDB(ctx, o.API, queue, o.Log); err != nil {
			return nil, err
		}
	}
	s := &Stack{Server: apifn.Server(o.API, db, queue, o.Log), Metrics: prom.New()}
	s.Metrics.WatchDatabase(db.OutboxStats, db.PoolStats)
	s.Server.Metrics = s.Metrics
	invokers := o.Invokers
	if invokers == nil {
		invokers = apigateway.InProcess(s.Server)
	}
	gw, err := apigateway.New(o.Template, invokers, s.Server.CORS, o.Log)
	if err != nil {
		db.Close()
		return nil, err
	}
	s.Gateway, s.Handler = gw, gw
	if o.Web != nil {
		s.Handler = cloudfront.Distribution(gw, cloudfront.Site(o.Web, o.Template.WebHeaders))
	}
	if o.Mail == nil {
		return s, nil
	}
	if queue == nil {
		db.Close()
		return nil, errors.New("stack: mail needs a mail queue (MAIL_QUEUE_URL)")
	}
	ses := o.SES
	if ses == nil {
		ses = mailerfn.SES()
	}
	s.Mailer = mailerfn.New(*o.Mail, db, ses, o.Log, s.Metrics)
	function := o.MailerFunction
	if function == nil {
		function = lambda.NewHandler(s.Mailer.Handle)
	}
	s.Poller = &sqstrigger.Poller{SQS: queue.Client, QueueURL: queue.URL, QueueARN: o.QueueARN,
		Function: function, BatchSize: 10, Wait: 5, Log: o.Log}
	relay := relayfn.New(*o.Mail, db, *queue, o.Log)
	s.Relay = &relay
	return s, nil
}

// WithMetrics returns what make dev serves: Handler, and the in-process functions'
// metrics at /metrics for Prometheus. It is no ServeMux: one in front of the gateway
// would answer a path with //, . or .. by a redirect (307, in HTML) to its clean form,
// where the API answers such a path with its JSON 404 (httpapi.JSONMux).
func (s *Stack) WithMetrics() http.Handler {
	metrics := promhttp.HandlerFor(s.Metrics.Registry, promhttp.HandlerOpts{})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			metrics.ServeHTTP(w, r)
			return
		}
		s.Handler.ServeHTTP(w, r)
	})
}

// Run feeds the mailer from the queue, as Lambda's trigger does, and runs the relay
// every relayEvery, as the schedule does, until ctx ends. It returns once the mailer
// has stopped, so that the database may be closed then: a mailer stopped mid message
// still hands the mail it did not send back to the relay. Without mail it only waits.
func (s *Stack) Run(ctx context.Context, relayEvery time.Duration) {
	if s.Poller == nil {
		<-ctx.Done()
		return
	}
	polling := make(chan struct{})
	go func() {
		defer close(polling)
		s.Poller.Run(ctx)
	}()
	defer func() { <-polling }()
	t := time.NewTicker(relayEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if _, err := s.Relay.Run(ctx); err != nil && ctx.Err() == nil {
				s.Relay.Log.WarnContext(ctx, "relay", "error", err.Error())
			}
		}
	}
}
