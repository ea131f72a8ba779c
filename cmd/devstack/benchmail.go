package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/config"
	"github.com/kittenasso/kittenasso/shared/eventsource"
	"github.com/kittenasso/kittenasso/shared/gateway"
	"github.com/kittenasso/kittenasso/shared/httpapi"
	"github.com/kittenasso/kittenasso/shared/mailer"
	"github.com/kittenasso/kittenasso/shared/postgres"
	"github.com/kittenasso/kittenasso/shared/setup"
)

// benchMail measures the mail pipeline end to end: an event in an association of
// -members members, from POST /api/events to the last invitation accepted by the
// SES emulator (outbox → queue → mailer → SES), with -mailers concurrent mailers
// (the template's MaximumConcurrency).
func benchMail(args []string) error {
	fs := flag.NewFlagSet("bench-mail", flag.ExitOnError)
	members := fs.Int("members", 500, "members of the association")
	mailers := fs.Int("mailers", 5, "concurrent mailer pollers")
	fs.Parse(args)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	log := quietLogger()

	dir, err := os.MkdirTemp("", "kittenasso-bench-mail-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	pg, err := newCluster(dir)
	if err != nil {
		return err
	}
	if err := pg.start(true); err != nil {
		return err
	}
	defer pg.stop()
	emu, err := startEmulators(filepath.Join(dir, "logs"))
	if err != nil {
		return err
	}
	defer emu.stop()
	for k, v := range emu.env() {
		os.Setenv(k, v)
	}
	tmpl, err := gateway.LoadTemplate("template.yaml")
	if err != nil {
		return err
	}
	queueURL, queueARN, _, err := mailQueues(ctx, emu.sqsClient(), tmpl)
	if err != nil {
		return err
	}
	password := "bench-" + httpapi.NewRequestID()
	getenv := func(k string) string {
		return map[string]string{
			"DATABASE_URL": pg.url(), "JWT_SECRET": httpapi.NewRequestID() + httpapi.NewRequestID(), "DB_MAX_CONNS": "20",
			"DEFAULT_USER_EMAIL": "admin@bench.local", "DEFAULT_USER_PASS": password, "MAIL_QUEUE_URL": queueURL,
		}[k]
	}
	cfg, err := config.Load(getenv)
	if err != nil {
		return err
	}
	mailCfg, err := config.LoadMail(getenv)
	if err != nil {
		return err
	}
	db, err := postgres.Open(ctx, cfg.DatabaseURL, 1)
	if err != nil {
		return err
	}
	if _, err := setup.Run(ctx, db, cfg.DefaultUserEmail, cfg.DefaultUserPass, log); err != nil {
		return err
	}
	db.Close()
	if err := seedMembers(ctx, cfg.DatabaseURL, *members); err != nil {
		return err
	}

	srv, err := httpapi.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer srv.DB.Close()
	gw, err := gateway.New(tmpl, gateway.InProcess(srv), srv.CORS, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go http.Serve(ln, gw)
	base := "http://" + ln.Addr().String()
	token, err := benchLogin(base, cfg.DefaultUserEmail, password)
	if err != nil {
		return err
	}
	m := mailer.NewMailer(mailCfg, srv.DB, log)
	var wg sync.WaitGroup
	for range *mailers {
		p := eventsource.Poller{SQS: emu.sqsClient(), QueueURL: queueURL, QueueARN: queueARN,
			Function: lambda.NewHandler(m.Handle), BatchSize: 10, Wait: 1, Log: log}
		wg.Add(1)
		go func() { defer wg.Done(); p.Run(ctx) }()
	}

	body, _ := json.Marshal(map[string]any{"name": "General assembly", "start": "2030-01-01T18:00:00Z", "end": "2030-01-01T20:00:00Z", "association": 1})
	req, _ := http.NewRequest("POST", base+"/api/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	start := time.Now()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	answered := time.Since(start)
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("POST /api/events: %d", resp.StatusCode)
	}
	fmt.Printf("mail benchmark: %d members, %d mailers; POST /api/events answered %d in %v (outbox rows written and published)\n",
		*members, *mailers, resp.StatusCode, answered.Round(time.Millisecond))
	want := *members + 1 // every member and the admin, who created the association
	conn, err := pgx.Connect(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	for sent := 0; sent < want; {
		if time.Since(start) > 5*time.Minute {
			return fmt.Errorf("only %d of %d invitations sent after 5 minutes", sent, want)
		}
		time.Sleep(50 * time.Millisecond)
		err := conn.QueryRow(ctx, `SELECT count(*) FROM mail_outbox WHERE kind = 'invitation' AND sent_at IS NOT NULL`).Scan(&sent)
		if err != nil {
			return err
		}
	}
	elapsed := time.Since(start)
	fmt.Printf("all %d invitations accepted by SES after %v: %.0f e-mails/s end to end\n",
		want, elapsed.Round(time.Millisecond), float64(want)/elapsed.Seconds())
	cancel()
	wg.Wait()
	return nil
}

// seedMembers creates n verified users and one association holding them and the admin.
func seedMembers(ctx context.Context, databaseURL string, n int) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, `
		INSERT INTO users (email, firstname, lastname, age, password_hash, verified_at)
		SELECT 'member' || i || '@bench.example.org', 'First' || i, 'Last' || i, 30, 'x', now()
		FROM generate_series(1, $1) i;
		`, n)
	if err != nil {
		return err
	}
	_, err = conn.Exec(ctx, `INSERT INTO associations (name) VALUES ('Big club')`)
	if err != nil {
		return err
	}
	_, err = conn.Exec(ctx, `INSERT INTO memberships (association_id, user_id) SELECT 1, id FROM users`)
	return err
}
