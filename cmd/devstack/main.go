// Command devstack runs KittenAsso's locally.
//
//	devstack dev [-addr localhost:3000]   the whole local stack, until Ctrl-C (make dev)
//	devstack test -- CMD [ARGS...]        CMD with a private test PostgreSQL (make test)
//
// The benchmarks are cmd/bench; the dead-letter queue's operations are cmd/maildlq.
//
// dev starts a private PostgreSQL cluster under .devstack/ (or uses DATABASE_URL),
// runs the migration step, creates the default admin and serves every function of
// template.yaml behind the local API gateway, with the web app (web/) beside it as
// CloudFront serves it. test starts a throw-away cluster on a
// free port, runs CMD with TEST_DATABASE_URL pointing at it, then removes it.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"github.com/kittenasso/kittenasso/shared/local/emulators"
	"github.com/kittenasso/kittenasso/shared/local/pgcluster"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/kittenasso/kittenasso/shared/app/stack"
	"github.com/kittenasso/kittenasso/shared/config"
	"github.com/kittenasso/kittenasso/shared/httpapi"
	"github.com/kittenasso/kittenasso/shared/local/apigateway"
	"github.com/kittenasso/kittenasso/shared/local/lambdarie"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/setup"
)

const usage = `usage:
  devstack dev [-addr localhost:3000] [-template template.yaml]
  devstack test -- COMMAND [ARGS...]`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "dev":
		err = dev(os.Args[2:])
	case "test":
		var code int
		code, err = test(os.Args[2:])
		if err == nil {
			os.Exit(code)
		}
	default:
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "devstack:", err)
		os.Exit(1)
	}
}

// stateDir holds the dev cluster and the local JWT secret; it is git-ignored.
const stateDir = ".devstack"

// devDefaults are the local settings used where the environment sets nothing; so is
// FRONTEND_URL, from -addr (frontendURL).
var devDefaults = map[string]string{
	"DEFAULT_USER_EMAIL": "admin@administration.fr",
	"DEFAULT_USER_PASS":  "admin",
	"DB_MAX_CONNS":       "20",
}

// frontendURL is the address of the web app that dev serves on addr, as the links of
// its e-mails give it: addr's host, or localhost where addr names every interface
// (":3600", "0.0.0.0:3600"), which is no address a browser opens.
func frontendURL(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("-addr %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port), nil
}

func dev(args []string) error {
	fs := flag.NewFlagSet("dev", flag.ExitOnError)
	// localhost, not 127.0.0.1: the address the README opens and the mail links give
	// must be one origin, or the session kept by the page is not the link's.
	addr := fs.String("addr", "localhost:3000", "address the API gateway listens on (and, unless FRONTEND_URL is set, of the mail links)")
	templateFile := fs.String("template", "template.yaml", "the SAM template to serve")
	useRIE := fs.Bool("rie", false, "run the real Lambda bootstraps under aws-lambda-rie instead of in-process handlers")
	fs.Parse(args)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := config.Logger()

	env := map[string]string{}
	for k, v := range devDefaults {
		env[k] = v
	}
	site, err := frontendURL(*addr)
	if err != nil {
		return err
	}
	env["FRONTEND_URL"] = site
	if os.Getenv("DATABASE_URL") == "" {
		pg, err := pgcluster.New(filepath.Join(stateDir, "postgres"))
		if err != nil {
			return err
		}
		fmt.Println("starting PostgreSQL under", pg.Dir, "...")
		if err := pg.Start(false); err != nil {
			return err
		}
		defer func() {
			fmt.Println("stopping PostgreSQL ...")
			if err := pg.Stop(); err != nil {
				fmt.Fprintln(os.Stderr, "devstack:", err)
			}
		}()
		env["DATABASE_URL"] = pg.URL()
	}
	tmpl, err := apigateway.LoadTemplate(*templateFile)
	if err != nil {
		return err
	}
	// An emulator that dies is started again; the SQS emulator keeps its queues and
	// messages on disk, and they are made again if they are missing.
	recreateQueues := func(c *sqs.Client) error {
		_, _, _, err := emulators.MailQueues(ctx, c, tmpl)
		return err
	}
	emu, err := emulators.Start(stateDir, true, recreateQueues, log)
	if err != nil {
		return err
	}
	defer emu.Stop()
	// The functions run in this process: their AWS SDK reads these.
	for k, v := range emu.Env() {
		os.Setenv(k, v)
	}
	queueURL, queueARN, dlqURL, err := emulators.MailQueues(ctx, emu.SQSClient(), tmpl)
	if err != nil {
		return fmt.Errorf("mail queues: %w", err)
	}
	env["MAIL_QUEUE_URL"] = queueURL
	if err := emulators.WriteState(stateDir, emulators.State{SQSEndpoint: emu.SQS, QueueURL: queueURL, DeadLetterURL: dlqURL}); err != nil {
		return err
	}
	if os.Getenv("JWT_SECRET") == "" {
		secret, err := localSecret(filepath.Join(stateDir, "jwt-secret"))
		if err != nil {
			return err
		}
		env["JWT_SECRET"] = secret
	}
	getenv := func(k string) string {
		if v := os.Getenv(k); v != "" {
			return v
		}
		return env[k]
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	mailCfg, err := config.LoadMail(getenv)
	if err != nil {
		return err
	}

	db, err := postgres.Open(ctx, cfg.DatabaseURL, postgres.Options{MaxConns: 1, StatementTimeout: time.Minute})
	if err != nil {
		return err
	}
	res, err := setup.Run(ctx, db, cfg.DefaultUserEmail, cfg.DefaultUserPass, log)
	db.Close()
	if err != nil {
		return err
	}
	opts := stack.Options{API: cfg, Mail: &mailCfg, QueueARN: queueARN, Template: tmpl, Web: os.DirFS("web"), Log: log,
		SQS: emu.SQSClient()}
	mode := "in-process"
	if *useRIE {
		if opts.Invokers, opts.MailerFunction, err = realBootstraps(ctx, getenv); err != nil {
			return err
		}
		mode = "real bootstraps under aws-lambda-rie"
	}
	st, err := stack.New(ctx, opts)
	if err != nil {
		return err
	}
	defer st.Server.DB.Close()
	// The mailer, fed by the queue as Lambda would, and the relay, as the schedule
	// would, sooner after a request than in AWS.
	st.Relay.Grace = 10 * time.Second
	running := make(chan struct{})
	go func() {
		defer close(running)
		st.Run(ctx, 15*time.Second)
	}()

	// Prometheus reads the in-process functions' metrics here; in AWS they go to
	// CloudWatch as EMF lines instead.
	httpServer := &http.Server{Addr: *addr, Handler: st.WithMetrics(), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- httpServer.ListenAndServe() }()

	fmt.Printf(`
KittenAsso's local stack is up
  web app       %[1]s/   (web/, served as CloudFront serves it; mail links to %[13]s)
  API gateway   %[1]s/api   (%d functions from %s, %s)
  OpenAPI       %s/api/openapi.json   metrics %[5]s/metrics
  mail inbox    %s/   (the SES emulator: every e-mail sent, verification links included)
  mail queue    %s, dead letters in mail-dlq (make dlq, make redrive)
  PostgreSQL    %s
  migrations    applied now: %v
  admin         %s (created now: %v)
  logs          %s/logs
Press Ctrl-C to stop everything.

`, site, len(tmpl.Functions), *templateFile, mode, site, emu.SES, emu.SQS, redact(cfg.DatabaseURL), res.Applied,
		cfg.DefaultUserEmail, res.AdminCreated, stateDir, cfg.FrontendURL)

	select {
	case err := <-errc:
		return fmt.Errorf("API gateway: %w", err)
	case <-ctx.Done():
	}
	fmt.Println("\nshutting down ...")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err = httpServer.Shutdown(shutdownCtx)
	<-running // the mailer has handed back what it did not send before the database closes
	return err
}

// realBootstraps builds every function as deployed (for this machine's architecture)
// and returns invokers that run each under aws-lambda-rie, started on first use,
// with the environment the in-process functions have.
func realBootstraps(ctx context.Context, getenv func(string) string) (map[string]apigateway.Invoker, apigateway.Invoker, error) {
	dir := filepath.Join(stateDir, "bootstrap")
	fmt.Println("building every function as a Lambda bootstrap, and aws-lambda-rie ...")
	if err := lambdarie.BuildFunctions(ctx, ".", dir, runtime.GOARCH); err != nil {
		return nil, nil, err
	}
	emulator, err := lambdarie.BuildEmulator(ctx, ".", dir)
	if err != nil {
		return nil, nil, err
	}
	var env []string
	for _, k := range append(slices.Clone(config.Variables),
		"AWS_ENDPOINT_URL_SQS", "AWS_ENDPOINT_URL_SESV2", "AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY") {
		if v := getenv(k); v != "" {
			env = append(env, k+"="+v)
		}
	}
	function := func(name string) apigateway.Invoker {
		return &lambdarie.RIE{Emulator: emulator, Bootstrap: filepath.Join(dir, name), Env: env, Log: os.Stderr}
	}
	invokers := map[string]apigateway.Invoker{}
	for _, rt := range httpapi.Routes {
		invokers[rt.Name] = function(rt.Name)
	}
	return invokers, function("mailer"), nil
}

// localSecret returns the secret stored in file, making one on first use, so tokens
// survive a restart of the local stack.
func localSecret(file string) (string, error) {
	if b, err := os.ReadFile(file); err == nil && len(b) >= 32 {
		return string(b), nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	secret := hex.EncodeToString(b)
	if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
		return "", err
	}
	return secret, os.WriteFile(file, []byte(secret), 0o600)
}

// redact hides a password in a connection string before printing it.
func redact(databaseURL string) string {
	if u, err := url.Parse(databaseURL); err == nil {
		return u.Redacted()
	}
	return "(set by DATABASE_URL)"
}

func test(args []string) (int, error) {
	if len(args) > 0 && args[0] == "--" {
		args = args[1:]
	}
	if len(args) == 0 {
		return 0, errors.New(usage)
	}
	dir, err := os.MkdirTemp("", "kittenasso-test-pg-")
	if err != nil {
		return 0, err
	}
	defer os.RemoveAll(dir)
	pg, err := pgcluster.New(dir)
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := pg.Start(true); err != nil {
		return 0, err
	}
	defer pg.Stop()
	emu, err := emulators.Start(dir, false, nil, quietLogger())
	if err != nil {
		return 0, err
	}
	defer emu.Stop()
	fmt.Printf("devstack: test PostgreSQL on 127.0.0.1:%d, SQS emulator %s, SES emulator %s (ready in %v)\n",
		pg.Port, emu.SQS, emu.SES, time.Since(start).Round(time.Millisecond))

	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	// TEST_SQS_EMULATOR is the command that starts an SQS emulator (FAUXQS_PORT says
	// where), for the fault tests that kill and restart one of their own.
	sqsEmulator, err := filepath.Abs(emulators.Fauxqs)
	if err != nil {
		return 0, err
	}
	node, err := filepath.Abs(emulators.NodeBin)
	if err != nil {
		return 0, err
	}
	cmd.Env = append(os.Environ(), "TEST_DATABASE_URL="+pg.URL(), "TEST_SQS_ENDPOINT="+emu.SQS, "TEST_SES_ENDPOINT="+emu.SES,
		"TEST_SQS_EMULATOR="+node+" "+sqsEmulator)
	// Ctrl-C reaches the child through the terminal; we wait for it, then clean up.
	signal.Ignore(os.Interrupt)
	err = cmd.Run()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return exit.ExitCode(), nil
	}
	if err != nil {
		return 0, err
	}
	return 0, nil
}

// quietLogger logs warnings and errors only, for runs where a line per request is noise.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
