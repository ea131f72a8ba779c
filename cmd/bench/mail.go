package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// benchMail measures the mail pipeline end to end: an event in an association of
// -members members, from POST /api/events to the last invitation accepted by the
// SES emulator (outbox → queue → mailer → SES), with -mailers concurrent mailers
// (the template's MaximumConcurrency).
func benchMail(args []string) error {
	fs := flag.NewFlagSet("bench-mail", flag.ExitOnError)
	members := fs.Int("members", 5000, "members of the association")
	mailers := fs.Int("mailers", 5, "concurrent mailer pollers")
	fs.Parse(args)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// An association this large is a deployment's choice: its caps and mail budget
	// must allow it (README, Limits).
	recipients := strconv.Itoa(*members + 1)
	b, err := newBenchStack(ctx, true, map[string]string{"MAX_MEMBERS": recipients,
		"MAIL_BUDGET_PER_ASSOCIATION": recipients, "MAIL_BUDGET_PER_USER": recipients})
	if err != nil {
		return err
	}
	defer b.close()
	if err := seedMembers(ctx, b.cfg.DatabaseURL, *members); err != nil {
		return err
	}
	if err := b.serve(ctx); err != nil {
		return err
	}
	var wg sync.WaitGroup
	// Stop the mailers before the stack they poll (deferred earlier, so run later).
	defer wg.Wait()
	defer cancel()
	for range *mailers {
		p := *b.stack.Poller // the stack's trigger, one per concurrent mailer
		p.Wait = 1
		wg.Add(1)
		go func() { defer wg.Done(); p.Run(ctx) }()
	}

	body, _ := json.Marshal(map[string]any{"name": "General assembly", "start": "2030-01-01T18:00:00Z", "end": "2030-01-01T20:00:00Z", "association": 1})
	req, _ := http.NewRequest("POST", b.base+"/api/events", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+b.token)
	req.Header.Set("Content-Type", "application/json")
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
	conn, err := pgx.Connect(ctx, b.cfg.DatabaseURL)
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
