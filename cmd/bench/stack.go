package main

import (
	"context"
	"github.com/kittenasso/kittenasso/shared/local/emulators"
	"github.com/kittenasso/kittenasso/shared/local/pgcluster"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/kittenasso/kittenasso/cmd/internal/apiclient"
	"github.com/kittenasso/kittenasso/shared/app/stack"
	"github.com/kittenasso/kittenasso/shared/config"
	"github.com/kittenasso/kittenasso/shared/httpapi"
	"github.com/kittenasso/kittenasso/shared/local/apigateway"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/setup"
)

// benchStack is the throw-away local stack the benchmarks run against: a fast
// PostgreSQL (fsync off), migrated, with an admin; with mail, the SQS and SES
// emulators and the mail queues too.
type benchStack struct {
	dir                string
	pg                 *pgcluster.Cluster
	emu                *emulators.Emulators // nil without mail
	cfg, mailCfg       config.Config
	queueURL, queueARN string
	tmpl               apigateway.Template
	stack              *stack.Stack // set by serve
	listener           net.Listener // set by serve
	base, token        string       // the gateway's URL and the admin's token, set by serve
}

const benchAdmin = "admin@bench.local"

// newBenchStack starts the stack; settings are environment variables the functions
// read, beyond the bench's own.
func newBenchStack(ctx context.Context, withMail bool, settings map[string]string) (b *benchStack, err error) {
	b = &benchStack{}
	defer func() {
		if err != nil {
			b.close()
		}
	}()
	if b.dir, err = os.MkdirTemp("", "kittenasso-bench-"); err != nil {
		return nil, err
	}
	if b.pg, err = pgcluster.New(filepath.Join(b.dir, "pg")); err != nil {
		return nil, err
	}
	if err := b.pg.Start(true); err != nil {
		return nil, err
	}
	if b.tmpl, err = apigateway.LoadTemplate("template.yaml"); err != nil {
		return nil, err
	}
	env := map[string]string{
		"DATABASE_URL": b.pg.URL(), "JWT_SECRET": httpapi.NewRequestID() + httpapi.NewRequestID(), "DB_MAX_CONNS": "20",
		"DEFAULT_USER_EMAIL": benchAdmin, "DEFAULT_USER_PASS": "bench-" + httpapi.NewRequestID(),
	}
	maps.Copy(env, settings)
	if withMail {
		if b.emu, err = emulators.Start(b.dir, false, nil, quietLogger()); err != nil {
			return nil, err
		}
		for k, v := range b.emu.Env() {
			os.Setenv(k, v) // for the in-process functions' AWS SDK
		}
		if b.queueURL, b.queueARN, _, err = emulators.MailQueues(ctx, b.emu.SQSClient(), b.tmpl); err != nil {
			return nil, err
		}
		env["MAIL_QUEUE_URL"] = b.queueURL
	}
	getenv := func(k string) string { return env[k] }
	if b.cfg, err = config.Load(getenv); err != nil {
		return nil, err
	}
	if b.mailCfg, err = config.LoadMail(getenv); err != nil {
		return nil, err
	}
	db, err := postgres.Open(ctx, b.cfg.DatabaseURL, postgres.Options{MaxConns: 1, StatementTimeout: time.Minute})
	if err != nil {
		return nil, err
	}
	defer db.Close()
	_, err = setup.Run(ctx, db, b.cfg.DefaultUserEmail, b.cfg.DefaultUserPass, quietLogger())
	return b, err
}

// serve builds the stack from b.cfg (with the mailer when the bench stack has mail),
// serves every function behind the gateway on a loopback port, and signs in as the
// admin. A stack served before is stopped first.
func (b *benchStack) serve(ctx context.Context) (err error) {
	b.stopServing()
	opts := stack.Options{API: b.cfg, Template: b.tmpl, Log: quietLogger()}
	if b.emu != nil {
		opts.Mail, opts.QueueARN, opts.SQS = &b.mailCfg, b.queueARN, b.emu.SQSClient()
	}
	if b.stack, err = stack.New(ctx, opts); err != nil {
		return err
	}
	if b.listener, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
		return err
	}
	go http.Serve(b.listener, b.stack.Handler)
	b.base = "http://" + b.listener.Addr().String()
	b.token, err = apiclient.SignIn(http.DefaultClient, b.base, benchAdmin, b.cfg.DefaultUserPass)
	return err
}

// stopServing stops what serve started.
func (b *benchStack) stopServing() {
	if b.listener != nil {
		b.listener.Close()
		b.listener = nil
	}
	if b.stack != nil {
		b.stack.Server.DB.Close()
		b.stack = nil
	}
}

func (b *benchStack) close() {
	b.stopServing()
	if b.emu != nil {
		b.emu.Stop()
	}
	if b.pg != nil {
		b.pg.Stop()
	}
	os.RemoveAll(b.dir)
}
