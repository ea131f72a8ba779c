// Package prom keeps the product's metrics in Prometheus (client_golang), for the
// local stack, which serves them at /metrics. Labels have bounded cardinality only:
// route patterns, status classes, e-mail kinds; never a user or association id. The
// Lambda functions do not link it: nothing scrapes a Lambda, so there the metrics
// leave as CloudWatch EMF lines (shared/metrics).
package prom

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/kittenasso/kittenasso/shared/metrics"
)

// Namespace prefixes every series.
const Namespace = metrics.Namespace

// Metrics are the product's series, on their own registry.
type Metrics struct {
	Registry        *prometheus.Registry
	Requests        *prometheus.CounterVec   // by route and status class
	Duration        *prometheus.HistogramVec // by route
	MailsSent       *prometheus.CounterVec   // by kind
	MailsFailed     *prometheus.CounterVec   // by kind and reason (permanent, transient)
	LoginFailures   prometheus.Counter
	LoginsThrottled prometheus.Counter
}

// New registers every series on a fresh registry, with the Go runtime's.
func New() *Metrics {
	m := &Metrics{
		Registry: prometheus.NewRegistry(),
		Requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "http_requests_total",
			Help: "API requests by route and status class."}, []string{"route", "status_class"}),
		Duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: Namespace, Name: "http_request_duration_seconds",
			Help: "API request duration by route.", Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}},
			[]string{"route"}),
		MailsSent: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "mails_sent_total",
			Help: "E-mails accepted by SES, by kind."}, []string{"kind"}),
		MailsFailed: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: Namespace, Name: "mails_failed_total",
			Help: "E-mail sends that failed, by kind and reason (permanent: not retried; transient: retried)."}, []string{"kind", "reason"}),
		LoginFailures: prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: "login_failures_total",
			Help: "Sign-ins refused for wrong credentials."}),
		LoginsThrottled: prometheus.NewCounter(prometheus.CounterOpts{Namespace: Namespace, Name: "login_throttled_total",
			Help: "Sign-ins refused by the brute-force throttle (429)."}),
	}
	m.Registry.MustRegister(m.Requests, m.Duration, m.MailsSent, m.MailsFailed, m.LoginFailures, m.LoginsThrottled,
		collectors.NewGoCollector())
	return m
}

// ObserveRequest records one API request.
func (m *Metrics) ObserveRequest(route string, status int, d time.Duration) {
	m.Requests.WithLabelValues(route, metrics.StatusClass(status)).Inc()
	m.Duration.WithLabelValues(route).Observe(d.Seconds())
}

// LoginFailed counts a sign-in refused for wrong credentials.
func (m *Metrics) LoginFailed() { m.LoginFailures.Inc() }

// LoginThrottled counts a sign-in refused by the throttle.
func (m *Metrics) LoginThrottled() { m.LoginsThrottled.Inc() }

// MailSent counts an e-mail of kind accepted by SES.
func (m *Metrics) MailSent(kind string) { m.MailsSent.WithLabelValues(kind).Inc() }

// MailFailed counts a send of kind that failed, for reason (permanent, transient, skipped).
func (m *Metrics) MailFailed(kind, reason string) { m.MailsFailed.WithLabelValues(kind, reason).Inc() }

// OutboxStats reads the outbox's backlog: e-mails neither sent nor failed, and the
// age of the oldest one.
type OutboxStats func(ctx context.Context) (pending int, oldest time.Duration, err error)

// PoolStats reads the database pool: connections in use, idle, and the maximum.
type PoolStats func() (inUse, idle, max int32)

// WatchDatabase adds series read at each scrape: the outbox backlog and the pool.
func (m *Metrics) WatchDatabase(outbox OutboxStats, pool PoolStats) {
	m.Registry.MustRegister(&dbCollector{outbox: outbox, pool: pool})
}

var (
	backlogDesc = prometheus.NewDesc(Namespace+"_outbox_backlog", "E-mails in the outbox neither sent nor failed.", nil, nil)
	ageDesc     = prometheus.NewDesc(Namespace+"_outbox_oldest_age_seconds", "Age of the oldest e-mail in the backlog.", nil, nil)
	poolDesc    = prometheus.NewDesc(Namespace+"_db_pool_connections", "Database pool connections by state.", []string{"state"}, nil)
)

type dbCollector struct {
	outbox OutboxStats
	pool   PoolStats
}

func (c *dbCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- backlogDesc
	ch <- ageDesc
	ch <- poolDesc
}

func (c *dbCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if pending, oldest, err := c.outbox(ctx); err == nil {
		ch <- prometheus.MustNewConstMetric(backlogDesc, prometheus.GaugeValue, float64(pending))
		ch <- prometheus.MustNewConstMetric(ageDesc, prometheus.GaugeValue, oldest.Seconds())
	}
	inUse, idle, max := c.pool()
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(inUse), "in_use")
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(idle), "idle")
	ch <- prometheus.MustNewConstMetric(poolDesc, prometheus.GaugeValue, float64(max), "max")
}
