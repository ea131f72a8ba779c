package e2e_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/sesv2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	appstack "github.com/kittenasso/kittenasso/shared/app/stack"
	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/config"
	"github.com/kittenasso/kittenasso/shared/httpapi"
	"github.com/kittenasso/kittenasso/shared/local/apigateway"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/postgres/pgtest"
	"github.com/kittenasso/kittenasso/shared/setup"
)

const (
	adminEmail    = "admin@administration.fr"
	adminPassword = "admin-password"
	webOrigin     = "http://localhost:3000"
)

// stack is the local stack under test: a fresh database, every function of
// template.yaml behind the real gateway, and the web app, served over real HTTP.
type stack struct {
	t      *testing.T
	url    string
	dbURL  string
	sql    *pgxpool.Pool // direct access, for arranging and checking rows
	server *httpapi.Server
	// outbox is where the server publishes the e-mails a request queued: nowhere
	// until a test points it at a queue (the mail stack does).
	publisher *publisherSwitch
	built     *appstack.Stack // the parts stack.New built
	options   appstack.Options
}

// publisherSwitch is the stack's outbox publisher: tests point it at a queue, at a
// queue that is down, or at nothing (the relay then publishes everything).
type publisherSwitch struct {
	target atomic.Pointer[postgres.Publisher]
}

func (p *publisherSwitch) set(q postgres.Publisher) { p.target.Store(&q) }

func (p *publisherSwitch) Publish(ctx context.Context, ids []int64) ([]int64, error) {
	if q := p.target.Load(); q != nil && *q != nil {
		return (*q).Publish(ctx, ids)
	}
	return nil, nil
}

func newStack(t *testing.T) *stack {
	t.Helper()
	return newStackWith(t, nil)
}

// stackMail is what a mail stack adds to the stack: its queue, on the SQS emulator
// the client reaches, and the SES client its mailer sends through.
type stackMail struct {
	sqs                *sqs.Client
	queueURL, queueARN string
	ses                *sesv2.Client
}

// testSecret signs the stack's tokens.
const testSecret = "a test secret that is long enough!!"

// newStackWith builds the stack as make dev does (stack.New, from the configuration
// the functions read), on a fresh database whose outbox publisher the test controls.
func newStackWith(t *testing.T, mail *stackMail) *stack {
	t.Helper()
	dbURL := pgtest.NewDatabaseURL(t)
	outbox := &publisherSwitch{}
	db := pgtest.Open(t, dbURL, outbox)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if _, err := setup.Run(context.Background(), db, adminEmail, adminPassword, log); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"DATABASE_URL": dbURL, "JWT_SECRET": testSecret, "FRONTEND_URL": webOrigin,
		"MAIL_FROM": "hello@kittenasso.test"}
	if mail != nil {
		env["MAIL_QUEUE_URL"] = mail.queueURL
	}
	getenv := func(k string) string { return env[k] }
	cfg, err := config.Load(getenv)
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := apigateway.LoadTemplate("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// As make dev and CloudFront do: the API under /api, the web app everywhere else.
	opts := appstack.Options{API: cfg, DB: db, Template: tmpl, Web: os.DirFS("../../web"), Log: log}
	if mail != nil {
		mailCfg, err := config.LoadMail(getenv)
		if err != nil {
			t.Fatal(err)
		}
		opts.Mail, opts.QueueARN, opts.SQS, opts.SES = &mailCfg, mail.queueARN, mail.sqs, mail.ses
	}
	built, err := appstack.New(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(built.Handler)
	t.Cleanup(hs.Close)
	pool, err := pgxpool.New(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return &stack{t: t, url: hs.URL, dbURL: dbURL, sql: pool, server: built.Server, publisher: outbox, built: built, options: opts}
}

// environment builds another instance of the API on the stack's database, with its
// own connection pool and page cache (none when pageCacheBytes is 0), as a second
// Lambda environment would be.
func (s *stack) environment(pageCacheBytes int) *stack {
	s.t.Helper()
	opts := s.options
	opts.DB, opts.Mail, opts.Web = nil, nil, nil
	opts.API.MailQueueURL, opts.API.PageCacheBytes = "", pageCacheBytes
	built, err := appstack.New(context.Background(), opts)
	if err != nil {
		s.t.Fatal(err)
	}
	s.t.Cleanup(built.Server.DB.Close)
	hs := httptest.NewServer(built.Handler)
	s.t.Cleanup(hs.Close)
	other := *s
	other.url, other.server, other.built = hs.URL, built.Server, built
	return &other
}

// response is an HTTP answer, read whole.
type response struct {
	status int
	header http.Header
	body   []byte
}

// request sends one request. body is JSON-encoded unless it is a string or []byte,
// sent as is. Every answer is checked for what every answer must have.
func (s *stack) request(method, path, token string, body any, headers ...string) response {
	s.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			s.t.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	r := response{status: resp.StatusCode, header: resp.Header, body: data}
	s.checkInvariants(method, path, r)
	return r
}

// sensitiveKeys must never appear as a key anywhere in a response body.
var sensitiveKeys = []string{"password", "passwordhash", "password_hash", "verified", "verified_at",
	"verificationtoken", "token", "token_hash", "tokenhash"}

func (s *stack) checkInvariants(method, path string, r response) {
	s.t.Helper()
	if r.header.Get("X-Request-Id") == "" {
		s.t.Errorf("%s %s: no X-Request-Id", method, path)
	}
	if r.header.Get("X-Content-Type-Options") != "nosniff" || r.header.Get("X-Frame-Options") != "DENY" {
		s.t.Errorf("%s %s: security headers missing: %v", method, path, r.header)
	}
	if len(r.body) == 0 {
		return
	}
	if r.status == http.StatusOK && strings.HasPrefix(r.header.Get("Content-Type"), "text/") {
		return // a calendar feed or an export: checkRFC5545 and the export tests read those
	}
	var v any
	if err := json.Unmarshal(r.body, &v); err != nil {
		s.t.Errorf("%s %s: body is not JSON: %q", method, path, r.body)
		return
	}
	// The OpenAPI document names the password field of request schemas; it holds no data.
	if key := findKey(v, sensitiveKeys); key != "" && path != "/api/openapi.json" {
		s.t.Errorf("%s %s: response has sensitive key %q: %s", method, path, key, r.body)
	}
	if problem := checkAgainstOpenAPI(method, path, r.status, r.body); problem != "" {
		s.t.Errorf("%s %s: response does not match openapi.json: %s", method, path, problem)
	}
	if r.status >= 400 {
		var e struct {
			StatusCode int    `json:"statusCode"`
			Error      string `json:"error"`
			Code       string `json:"code"`
		}
		if json.Unmarshal(r.body, &e) != nil || e.StatusCode != r.status || e.Error != http.StatusText(r.status) {
			s.t.Errorf("%s %s: error body %s does not match status %d", method, path, r.body, r.status)
		}
		if !stableCode.MatchString(e.Code) {
			s.t.Errorf("%s %s: error body %s has no stable code", method, path, r.body)
		}
	}
	if r.status == http.StatusInternalServerError && !bytes.Contains(r.body, []byte(`"Internal server error"`)) {
		s.t.Errorf("%s %s: a 500 says more than it should: %s", method, path, r.body)
	}
}

// stableCode is the form of an error body's code: a snake_case name.
var stableCode = regexp.MustCompile(`^[a-z]+(_[a-z]+)*$`)

func findKey(v any, keys []string) string {
	switch x := v.(type) {
	case map[string]any:
		for k, child := range x {
			for _, bad := range keys {
				if strings.EqualFold(k, bad) {
					return k
				}
			}
			if found := findKey(child, keys); found != "" {
				return found
			}
		}
	case []any:
		for _, child := range x {
			if found := findKey(child, keys); found != "" {
				return found
			}
		}
	}
	return ""
}

// want fails the test unless r has status.
func (r response) want(t *testing.T, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("status %d, want %d; body %s", r.status, status, r.body)
	}
	return r
}

// decode reads the JSON body into v.
func (r response) decode(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
}

// code returns the error body's stable code.
func (r response) code(t *testing.T) string {
	t.Helper()
	var e struct {
		Code string `json:"code"`
	}
	r.decode(t, &e)
	return e.Code
}

// message returns the error message: a string, or the validation messages joined by " | ".
func (r response) message(t *testing.T) string {
	t.Helper()
	var e struct {
		Message any `json:"message"`
	}
	r.decode(t, &e)
	switch m := e.Message.(type) {
	case string:
		return m
	case []any:
		parts := make([]string, len(m))
		for i, p := range m {
			parts[i], _ = p.(string)
		}
		return strings.Join(parts, " | ")
	}
	t.Fatalf("no message in %s", r.body)
	return ""
}

// signUp creates an account for Ada Lovelace and returns it with the token mailed
// to it (read from the outbox).
func (s *stack) signUp(email, password string) (asso.User, string) {
	s.t.Helper()
	return s.signUpAs("Ada", "Lovelace", email, password)
}

// signUpAs creates an account with these names and returns it with its mailed token.
func (s *stack) signUpAs(first, last, email, password string) (asso.User, string) {
	s.t.Helper()
	var u asso.User
	s.request("POST", "/api/users", "", map[string]any{
		"firstname": first, "lastname": last, "age": 36, "email": email, "password": password,
	}).want(s.t, 201).decode(s.t, &u)
	return u, s.mailedToken(email)
}

// mailedToken returns the verification token of the newest verification e-mail to email.
func (s *stack) mailedToken(email string) string {
	s.t.Helper()
	var link string
	err := s.sql.QueryRow(context.Background(), `
		SELECT payload->>'link' FROM mail_outbox
		WHERE kind = 'verification' AND recipient = $1 ORDER BY id DESC LIMIT 1`, email).Scan(&link)
	if err != nil {
		s.t.Fatalf("no verification e-mail for %s: %v", email, err)
	}
	prefix := webOrigin + "/verify?t="
	if !strings.HasPrefix(link, prefix) {
		s.t.Fatalf("verification link %q does not point at %s", link, prefix)
	}
	return strings.TrimPrefix(link, prefix)
}

// login signs in and returns the access token.
func (s *stack) login(email, password string) string {
	s.t.Helper()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	s.request("POST", "/api/auth/login", "", map[string]string{"username": email, "password": password}).
		want(s.t, 201).decode(s.t, &tok)
	return tok.AccessToken
}

// member signs up, verifies and signs in a user, returning them and their token.
func (s *stack) member(email string) (asso.User, string) {
	s.t.Helper()
	u := s.person("Ada", "Lovelace", email, "password123")
	return u, s.login(email, "password123")
}

// person signs up a user with these names through the API and verifies them.
func (s *stack) person(first, last, email, password string) asso.User {
	s.t.Helper()
	u, token := s.signUpAs(first, last, email, password)
	s.request("POST", "/api/verification", "", map[string]string{"token": token}).want(s.t, 201)
	return u
}

func (s *stack) exec(sql string, args ...any) {
	s.t.Helper()
	if _, err := s.sql.Exec(context.Background(), sql, args...); err != nil {
		s.t.Fatal(err)
	}
}

func (s *stack) count(sql string, args ...any) int {
	s.t.Helper()
	var n int
	if err := s.sql.QueryRow(context.Background(), sql, args...).Scan(&n); err != nil {
		s.t.Fatal(err)
	}
	return n
}

// idsOf returns the ids of the users called firstname, in order.
func (s *stack) idsOf(firstname string) []int64 {
	s.t.Helper()
	rows, _ := s.sql.Query(context.Background(), `SELECT id FROM users WHERE firstname = $1 ORDER BY id`, firstname)
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		s.t.Fatal(err)
	}
	return ids
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }
