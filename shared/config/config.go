// Package config reads the functions' settings from the environment, once, at init.
package config

import (
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// Config is every setting the API functions read.
type Config struct {
	// DatabaseURL is the connection string; in AWS DatabaseSecretARN names the Secrets
	// Manager secret that holds it instead (secrets.DatabaseURL reads its forms).
	DatabaseURL       string
	DatabaseSecretARN string
	// DBMaxConns bounds each function's pool; a Lambda environment serves one request at a time.
	DBMaxConns int32
	// StatementTimeout cancels any statement running longer (DB_STATEMENT_TIMEOUT).
	StatementTimeout time.Duration
	// PageCacheBytes bounds the answers each function keeps while their data is
	// unchanged (httpapi.PageCache); 0 keeps none.
	PageCacheBytes int

	// Limits bound what one caller can make the product do; Throttle counts sign-ins,
	// sign-ups and resends.
	Limits   asso.Limits
	Throttle asso.LoginThrottle

	// Mail: the relay republishes mail published longer than MailRepublishAfter ago
	// and still not sent (the queue lost it), and prunes sent mail older than
	// MailRetention; /api/health reports "degraded" when due mail waits longer than
	// MailMaxDelay.
	MailRepublishAfter time.Duration
	MailRetention      time.Duration
	MailMaxDelay       time.Duration
	// ReminderBefore is how long before an event starts its reminders leave (the relay);
	// 0 sends none.
	ReminderBefore time.Duration

	// JWTSecret is the token signing key; in AWS JWTSecretARN names its secret instead.
	JWTSecret    []byte
	JWTSecretARN string
	JWTIssuer    string
	// OriginSecretARN names the secret CloudFront sends to the API (X-Origin-Verify).
	OriginSecretARN string
	JWTAudience     string
	JWTTTL          time.Duration

	// FrontendURL is the web app's address; verification links point at FrontendURL/verify.
	FrontendURL string
	// CORSOrigins are the origins allowed to call the API from a browser.
	CORSOrigins []string

	// DefaultUserEmail and DefaultUserPass create the admin on an empty database (migrate only).
	DefaultUserEmail string
	DefaultUserPass  string
	// DefaultUserSecretARN names the Secrets Manager secret holding DefaultUserPass in
	// AWS, where the password is never in the environment.
	DefaultUserSecretARN string

	// MailQueueURL is the SQS mail queue. Unset, the API only writes the outbox and
	// the relay publishes nothing (tests of the API alone).
	MailQueueURL string
	// MailFrom is the sender of every e-mail and the calendar ORGANIZER; its domain
	// names the events in calendars (UIDs).
	MailFrom string
	// SESConfigurationSet, when set, is named on every send.
	SESConfigurationSet string
	// SESMaxSendRate is the account's sending quota (e-mails a second, 0: no limit),
	// shared by MailerConcurrency mailers.
	SESMaxSendRate    float64
	MailerConcurrency int
}

// defaultPageCacheBytes is an eighth of a 256 MB function's memory.
const defaultPageCacheBytes = 32 << 20

// Variables are the environment variables the functions read, for a local stack that
// starts them as separate processes and must pass them on.
var Variables = []string{
	"DATABASE_URL", "DATABASE_SECRET_ARN", "DB_MAX_CONNS", "DB_STATEMENT_TIMEOUT", "PAGE_CACHE_BYTES", "REMINDER_BEFORE", "JWT_SECRET", "JWT_SECRET_ARN", "ORIGIN_SECRET_ARN", "JWT_ISSUER", "JWT_AUDIENCE", "JWT_TTL",
	"FRONTEND_URL", "CORS_ORIGINS", "DEFAULT_USER_EMAIL", "DEFAULT_USER_PASS", "DEFAULT_USER_SECRET_ARN", "MAIL_QUEUE_URL", "MAIL_FROM",
	"SES_CONFIGURATION_SET", "MAX_MEMBERS", "MAX_VOTERS", "RESPONSE_MAX_BYTES", "MAIL_UPDATE_WINDOW",
	"MAIL_BUDGET_PER_USER", "MAIL_BUDGET_PER_ASSOCIATION", "INVITATION_MAILS_PER_ADDRESS", "EMAIL_INVITATIONS_PER_USER_DAY",
	"SIGNUPS_PER_CLIENT_HOUR", "RESENDS_PER_CLIENT_HOUR",
	"MAIL_REPUBLISH_AFTER", "MAIL_RETENTION", "MAIL_MAX_DELAY", "SES_MAX_SEND_RATE", "MAILER_CONCURRENCY",
}

// minSecretBytes is the shortest JWT secret accepted: HS256 wants at least 256 bits.
const minSecretBytes = 32

// LoadDatabase reads only what the migration step needs: DATABASE_URL and the
// default admin.
func LoadDatabase(getenv func(string) string) (Config, error) {
	c := Config{
		DefaultUserEmail:     getenv("DEFAULT_USER_EMAIL"),
		DefaultUserPass:      getenv("DEFAULT_USER_PASS"),
		DefaultUserSecretARN: getenv("DEFAULT_USER_SECRET_ARN"),
	}
	var problems []string
	c.readDatabase(getenv, &problems)
	if len(problems) > 0 {
		return c, errors.New("config: " + strings.Join(problems, "; "))
	}
	return c, nil
}

// LoadMail reads what the mailer and the relay need.
func LoadMail(getenv func(string) string) (Config, error) {
	c := Config{
		MailQueueURL:        getenv("MAIL_QUEUE_URL"),
		MailFrom:            orDefault(getenv("MAIL_FROM"), defaultMailFrom),
		SESConfigurationSet: getenv("SES_CONFIGURATION_SET"),
	}
	var problems []string
	c.readOperations(getenv, &problems)
	c.readFrontendURL(getenv, &problems)
	c.MailerConcurrency = positive(getenv, "MAILER_CONCURRENCY", 1, &problems)
	c.ReminderBefore = duration(getenv, "REMINDER_BEFORE", 24*time.Hour, &problems)
	if v := getenv("SES_MAX_SEND_RATE"); v != "" {
		rate, err := strconv.ParseFloat(v, 64)
		if err != nil || rate < 0 {
			problems = append(problems, "SES_MAX_SEND_RATE must be a number of e-mails a second")
		}
		c.SESMaxSendRate = rate
	}
	c.readDatabase(getenv, &problems)
	if !asso.IsPlainAddress(c.MailFrom) {
		problems = append(problems, "MAIL_FROM must be a plain e-mail address")
	}
	if len(problems) > 0 {
		return c, errors.New("config: " + strings.Join(problems, "; "))
	}
	return c, nil
}

// defaultMailFrom is the local sender; a deployment sets MAIL_FROM to a verified identity.
const defaultMailFrom = "hello@kittenasso.local"

// Logger returns the logger every function and the local stack write with: JSON
// unless AWS_LAMBDA_LOG_FORMAT is Text, at AWS_LAMBDA_LOG_LEVEL (DEBUG, INFO, WARN,
// ERROR; INFO by default), the settings Lambda's advanced logging controls pass in.
func Logger() *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(os.Getenv("AWS_LAMBDA_LOG_LEVEL"))); err != nil {
		level = slog.LevelInfo
	}
	opts := &slog.HandlerOptions{Level: level}
	if strings.EqualFold(os.Getenv("AWS_LAMBDA_LOG_FORMAT"), "text") {
		return slog.New(slog.NewTextHandler(os.Stderr, opts))
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, opts))
}

// Load reads the API functions' configuration through getenv (os.Getenv in production, a map in tests).
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		JWTSecret:        []byte(getenv("JWT_SECRET")),
		JWTSecretARN:     getenv("JWT_SECRET_ARN"),
		OriginSecretARN:  getenv("ORIGIN_SECRET_ARN"),
		JWTIssuer:        orDefault(getenv("JWT_ISSUER"), "kittenasso"),
		JWTAudience:      orDefault(getenv("JWT_AUDIENCE"), "kittenasso-api"),
		DefaultUserEmail: getenv("DEFAULT_USER_EMAIL"),
		DefaultUserPass:  getenv("DEFAULT_USER_PASS"),
		MailQueueURL:     getenv("MAIL_QUEUE_URL"),
		MailFrom:         orDefault(getenv("MAIL_FROM"), defaultMailFrom),
	}
	var problems []string
	c.readDatabase(getenv, &problems)
	if !asso.IsPlainAddress(c.MailFrom) {
		problems = append(problems, "MAIL_FROM must be a plain e-mail address")
	}
	if len(c.JWTSecret) < minSecretBytes && c.JWTSecretARN == "" {
		problems = append(problems, fmt.Sprintf("JWT_SECRET (at least %d bytes) or JWT_SECRET_ARN is required", minSecretBytes))
	}
	ttl, err := time.ParseDuration(orDefault(getenv("JWT_TTL"), "1h"))
	if err != nil || ttl <= 0 {
		problems = append(problems, "JWT_TTL must be a positive duration such as 1h")
	}
	c.JWTTTL = ttl
	conns, err := strconv.ParseInt(orDefault(getenv("DB_MAX_CONNS"), "2"), 10, 32)
	if err != nil || conns < 1 {
		problems = append(problems, "DB_MAX_CONNS must be a positive integer")
	}
	c.DBMaxConns = int32(conns)
	cacheBytes, err := strconv.Atoi(orDefault(getenv("PAGE_CACHE_BYTES"), strconv.Itoa(defaultPageCacheBytes)))
	if err != nil || cacheBytes < 0 {
		problems = append(problems, "PAGE_CACHE_BYTES must be a number of bytes, 0 or more")
	}
	c.PageCacheBytes = cacheBytes
	c.readOperations(getenv, &problems)
	c.readLimits(getenv, &problems)
	if c.readFrontendURL(getenv, &problems) {
		frontend, _ := url.Parse(c.FrontendURL)
		c.CORSOrigins = splitList(orDefault(getenv("CORS_ORIGINS"), frontend.Scheme+"://"+frontend.Host))
	}
	for _, o := range c.CORSOrigins {
		if o == "*" {
			problems = append(problems, "CORS_ORIGINS must list origins, not *")
		}
	}
	if len(problems) > 0 {
		return c, errors.New("config: " + strings.Join(problems, "; "))
	}
	return c, nil
}

// readDatabase reads where the database is: its URL, or in AWS its secret.
func (c *Config) readDatabase(getenv func(string) string, problems *[]string) {
	c.DatabaseURL, c.DatabaseSecretARN = getenv("DATABASE_URL"), getenv("DATABASE_SECRET_ARN")
	if c.DatabaseURL == "" && c.DatabaseSecretARN == "" {
		*problems = append(*problems, "DATABASE_URL or DATABASE_SECRET_ARN is required")
	}
}

// readFrontendURL reads the web app's address (links in e-mails point into it) and
// reports whether it is a valid http(s) URL.
func (c *Config) readFrontendURL(getenv func(string) string, problems *[]string) bool {
	c.FrontendURL = strings.TrimRight(orDefault(getenv("FRONTEND_URL"), "http://localhost:3000"), "/")
	frontend, err := url.Parse(c.FrontendURL)
	if err != nil || (frontend.Scheme != "http" && frontend.Scheme != "https") || frontend.Host == "" {
		*problems = append(*problems, "FRONTEND_URL must be an http(s) URL")
		return false
	}
	return true
}

// readOperations reads the settings every function shares: the statement timeout,
// the throttles and the mail pipeline's timings.
func (c *Config) readOperations(getenv func(string) string, problems *[]string) {
	c.StatementTimeout = duration(getenv, "DB_STATEMENT_TIMEOUT", 5*time.Second, problems)
	c.MailRepublishAfter = duration(getenv, "MAIL_REPUBLISH_AFTER", 15*time.Minute, problems)
	c.MailRetention = duration(getenv, "MAIL_RETENTION", 30*24*time.Hour, problems)
	c.MailMaxDelay = duration(getenv, "MAIL_MAX_DELAY", 15*time.Minute, problems)
	// Budgets count the last hour's mail and coalescing looks at the last update.
	if c.MailRetention < 24*time.Hour {
		*problems = append(*problems, "MAIL_RETENTION must be at least 24h")
	}
	c.Throttle = asso.DefaultLoginThrottle
	c.Throttle.SignUpsPerClient = positive(getenv, "SIGNUPS_PER_CLIENT_HOUR", c.Throttle.SignUpsPerClient, problems)
	c.Throttle.ResendsPerClient = positive(getenv, "RESENDS_PER_CLIENT_HOUR", c.Throttle.ResendsPerClient, problems)
}

// readLimits reads the API's limits (README, "Limits"); unset ones keep docs/api.md's defaults.
func (c *Config) readLimits(getenv func(string) string, problems *[]string) {
	d, l := asso.DefaultLimits, &c.Limits
	l.MaxMembers = positive(getenv, "MAX_MEMBERS", d.MaxMembers, problems)
	l.MaxVoters = positive(getenv, "MAX_VOTERS", d.MaxVoters, problems)
	l.ResponseBytes = positive(getenv, "RESPONSE_MAX_BYTES", d.ResponseBytes, problems)
	l.UpdateWindow = duration(getenv, "MAIL_UPDATE_WINDOW", d.UpdateWindow, problems)
	l.MailsPerUserHour = positive(getenv, "MAIL_BUDGET_PER_USER", d.MailsPerUserHour, problems)
	l.MailsPerAssociationHour = positive(getenv, "MAIL_BUDGET_PER_ASSOCIATION", d.MailsPerAssociationHour, problems)
	l.JoinMailsPerAddress = positive(getenv, "INVITATION_MAILS_PER_ADDRESS", d.JoinMailsPerAddress, problems)
	l.EmailInvitationsPerUserDay = positive(getenv, "EMAIL_INVITATIONS_PER_USER_DAY", d.EmailInvitationsPerUserDay, problems)
	// A budget below the largest association could never let one invitation out.
	if l.MailsPerUserHour < l.MaxMembers || l.MailsPerAssociationHour < l.MaxMembers {
		*problems = append(*problems, "MAIL_BUDGET_PER_USER and MAIL_BUDGET_PER_ASSOCIATION must be at least MAX_MEMBERS")
	}
}

// duration reads a positive duration such as 10m, or def when unset.
func duration(getenv func(string) string, name string, def time.Duration, problems *[]string) time.Duration {
	v := getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		*problems = append(*problems, name+" must be a positive duration such as 10m")
		return def
	}
	return d
}

// positive reads a positive integer, or def when unset.
func positive(getenv func(string) string, name string, def int, problems *[]string) int {
	v := getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		*problems = append(*problems, name+" must be a positive integer")
		return def
	}
	return n
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimRight(strings.TrimSpace(part), "/"); part != "" {
			out = append(out, part)
		}
	}
	return out
}
