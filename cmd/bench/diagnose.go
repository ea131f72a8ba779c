package main

import (
	"context"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/local/pgcluster"
)

// diagnosis says what the database's sessions do while a benchmark runs: it samples
// pg_stat_activity (state, wait event, statement) every few milliseconds from a
// connection of its own, and, for the sessions that others wait on (pg_blocking_pids),
// what the holder of the lock is doing meanwhile: running a statement, or idle in its
// transaction, waiting for the server's next statement. With pg_stat_statements loaded
// (withStatementStats), it also prints each statement's calls and time.
type diagnosis struct {
	conn *pgx.Conn
	stop chan struct{}
	done sync.WaitGroup

	samples  int
	sessions map[string]int // "state | wait | statement" → sessions seen so, over all samples
	holders  map[string]int // the same, for sessions that block another one
	blocked  int            // sessions waiting on a lock, over all samples
}

// withStatementStats restarts the cluster with pg_stat_statements loaded (tracking
// the statements that triggers run too) and returns its new URL.
func withStatementStats(ctx context.Context, pg *pgcluster.Cluster) (string, error) {
	conn, err := pgx.Connect(ctx, pg.URL())
	if err != nil {
		return "", err
	}
	_, err = conn.Exec(ctx, `ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`)
	conn.Close(ctx)
	if err != nil {
		return "", err
	}
	if err := pg.Stop(); err != nil {
		return "", err
	}
	if err := pg.Start(true); err != nil {
		return "", err
	}
	conn, err = pgx.Connect(ctx, pg.URL())
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	for _, sql := range []string{`CREATE EXTENSION IF NOT EXISTS pg_stat_statements`,
		`ALTER SYSTEM SET pg_stat_statements.track = 'all'`, `SELECT pg_reload_conf()`} {
		if _, err := conn.Exec(ctx, sql); err != nil {
			return "", err
		}
	}
	return pg.URL(), nil
}

// startDiagnosis starts sampling the sessions of the database at url.
func startDiagnosis(ctx context.Context, url string, every time.Duration) (*diagnosis, error) {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, err
	}
	d := &diagnosis{conn: conn, stop: make(chan struct{}), sessions: map[string]int{}, holders: map[string]int{}}
	if _, err := conn.Exec(ctx, `SELECT pg_stat_statements_reset()`); err != nil {
		// Without the extension there are no statement figures; sampling still works.
		conn.Close(ctx)
		if conn, err = pgx.Connect(ctx, url); err != nil {
			return nil, err
		}
		d.conn = conn
	}
	d.done.Add(1)
	go func() {
		defer d.done.Done()
		tick := time.NewTicker(every)
		defer tick.Stop()
		for {
			select {
			case <-d.stop:
				return
			case <-tick.C:
				d.sample(ctx)
			}
		}
	}()
	return d, nil
}

var spaces = regexp.MustCompile(`\s+`)

// statementLabel shortens a statement to its first words, enough to tell which it is.
func statementLabel(q string) string {
	q = strings.TrimSpace(spaces.ReplaceAllString(q, " "))
	if len(q) > 72 {
		q = q[:72]
	}
	return q
}

func (d *diagnosis) sample(ctx context.Context) {
	rows, err := d.conn.Query(ctx, `
		WITH s AS (
			SELECT pid, state, COALESCE(wait_event_type || ':' || wait_event, 'running') AS wait, query,
			       pg_blocking_pids(pid) AS blockers
			FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid())
		SELECT s.state, s.wait, s.query, cardinality(s.blockers) > 0,
		       EXISTS (SELECT 1 FROM s o WHERE s.pid = ANY (o.blockers))
		FROM s`)
	if err != nil {
		return
	}
	defer rows.Close()
	d.samples++
	for rows.Next() {
		var state, wait, query string
		var waiting, blocking bool
		if rows.Scan(&state, &wait, &query, &waiting, &blocking) != nil {
			return
		}
		if state == "idle" {
			continue // a pooled connection nobody uses
		}
		if strings.HasPrefix(state, "idle") {
			wait = "waits for the server" // idle in transaction: the holder's Go code runs, or waits for a core
		}
		key := state + " | " + wait + " | " + statementLabel(query)
		d.sessions[key]++
		if blocking {
			d.holders[key]++
		}
		if waiting {
			d.blocked++
		}
	}
}

// report stops sampling and prints what was seen: the average number of sessions in
// each state per sample, and the statements' figures.
func (d *diagnosis) report(ctx context.Context) {
	close(d.stop)
	d.done.Wait()
	defer d.conn.Close(ctx)
	n := float64(max(d.samples, 1))
	print := func(title string, counts map[string]int) {
		fmt.Printf("\n%s (%d samples; sessions per sample)\n\n", title, d.samples)
		keys := slices.SortedFunc(maps.Keys(counts), func(a, b string) int { return counts[b] - counts[a] })
		for _, k := range keys {
			if float64(counts[k])/n >= 0.01 {
				fmt.Printf("%6.2f  %s\n", float64(counts[k])/n, k)
			}
		}
	}
	print("Sessions not idle: state | wait event | statement", d.sessions)
	fmt.Printf("\nsessions waiting on a lock: %.2f per sample\n", float64(d.blocked)/n)
	print("Sessions that others wait on, and what they do", d.holders)

	rows, err := d.conn.Query(ctx, `
		SELECT calls, total_exec_time, mean_exec_time, max_exec_time, query
		FROM pg_stat_statements WHERE query NOT LIKE '%pg_stat%' ORDER BY total_exec_time DESC LIMIT 25`)
	if err != nil {
		return // no pg_stat_statements
	}
	defer rows.Close()
	fmt.Printf("\nStatements by total time (pg_stat_statements)\n\n| calls | total ms | mean ms | max ms | statement |\n|---|---|---|---|---|\n")
	for rows.Next() {
		var calls int64
		var total, mean, maxTime float64
		var query string
		if rows.Scan(&calls, &total, &mean, &maxTime, &query) != nil {
			return
		}
		fmt.Printf("| %d | %.0f | %.2f | %.1f | %s |\n", calls, total, mean, maxTime, statementLabel(query))
	}
}
