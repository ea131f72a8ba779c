// Package metrics is what the product counts, and how a Lambda function reports it:
// CloudWatch Embedded Metric Format lines in its log (emf.go), since nothing scrapes a
// Lambda. The local stack keeps the same counts in Prometheus (metrics/prom), which
// the functions do not link: it would only make their bootstraps bigger.
package metrics

import (
	"strconv"
	"time"
)

// Namespace prefixes every Prometheus series.
const Namespace = "kittenasso"

// Recorder counts what the handlers and the mailer do. Locally it is prom.Metrics; in
// Lambda it is Discard, and the same facts leave as EMF lines: per invocation
// (lambdahttp), per mail batch (the mailer) and per relay run.
type Recorder interface {
	ObserveRequest(route string, status int, d time.Duration)
	LoginFailed()
	LoginThrottled()
	MailSent(kind string)
	MailFailed(kind, reason string)
}

// Discard records nothing: the Recorder of the Lambda functions.
type Discard struct{}

func (Discard) ObserveRequest(string, int, time.Duration) {}
func (Discard) LoginFailed()                              {}
func (Discard) LoginThrottled()                           {}
func (Discard) MailSent(string)                           {}
func (Discard) MailFailed(string, string)                 {}

// StatusClass is "2xx", "4xx", ... for status.
func StatusClass(status int) string { return strconv.Itoa(status/100) + "xx" }
