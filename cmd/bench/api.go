package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/auth"
)

// seedSQL is the data set of the API benchmark at scale × (1×: 200 users, 50
// associations of 5-20 members, 150 roles, 100 minutes with 3-8 voters and 100
// events; 100×: 20,000 users, 5,000 associations...). Members are drawn by id, not
// by sorting the users, so that 100× seeds in seconds. setseed makes it the same on
// every run. $1 is the users' password hash.
func seedSQL(scale int) string {
	return fmt.Sprintf(`
SELECT setseed(0.42);
INSERT INTO users (email, firstname, lastname, age, password_hash, verified_at)
SELECT 'user' || i || '@example.org', 'First' || i, 'Last' || i, 18 + i %% 60, $1, now()
FROM generate_series(1, %[1]d) i;
INSERT INTO associations (name) SELECT 'Association ' || i FROM generate_series(1, %[2]d) i;
INSERT INTO memberships (association_id, user_id)
SELECT a.id, 2 + floor(random() * %[1]d)::int FROM associations a
CROSS JOIN LATERAL generate_series(1, 5 + floor(random() * 16)::int + 0 * a.id) g
ON CONFLICT DO NOTHING;
INSERT INTO roles (association_id, user_id, name)
SELECT association_id, user_id, (ARRAY['President', 'Treasurer', 'Secretary', 'Captain', 'Coach'])[1 + floor(random() * 5)::int]
FROM memberships ORDER BY random() LIMIT %[3]d;
INSERT INTO minutes (association_id, content, date)
SELECT 1 + floor(random() * %[2]d)::int, 'Minutes of meeting ' || i || ': ' || repeat('we discussed the budget. ', 4),
       now() - (i || ' days')::interval
FROM generate_series(1, %[4]d) i;
INSERT INTO minute_voters (minute_id, user_id)
SELECT m.id, v.user_id FROM minutes m
CROSS JOIN LATERAL (SELECT user_id FROM memberships WHERE association_id = m.association_id
                    ORDER BY random() LIMIT 3 + floor(random() * 6)::int) v;
INSERT INTO events (association_id, name, starts_at, ends_at)
SELECT 1 + floor(random() * %[2]d)::int, 'Event ' || i, now() + (i || ' days')::interval,
       now() + (i || ' days')::interval + interval '2 hours'
FROM generate_series(1, %[4]d) i;
ANALYZE;
`, 200*scale, 50*scale, 150*scale, 100*scale)
}

// vegetaReport is the part of `vegeta report -type=json` the benchmark prints.
type vegetaReport struct {
	Latencies struct {
		P50 time.Duration `json:"50th"`
		P99 time.Duration `json:"99th"`
	} `json:"latencies"`
	Throughput  float64                `json:"throughput"`
	Success     float64                `json:"success"`
	BytesIn     struct{ Mean float64 } `json:"bytes_in"`
	StatusCodes map[string]int         `json:"status_codes"`
}

// benchAPI seeds a throw-away database, serves the gateway in this process and loads
// each list route from a separate vegeta process.
func benchAPI(args []string) error {
	fs := flag.NewFlagSet("bench-api", flag.ExitOnError)
	duration := fs.Duration("duration", 10*time.Second, "load duration per route and client count")
	clients := fs.String("clients", "10,50", "concurrent clients, comma-separated")
	routes := fs.String("routes", "/api/associations,/api/roles,/api/events,/api/minutes,/api/events?offset=9000,"+
		"/api/users?q=user142%40example,/api/associations?q=association+4999", "routes to load")
	scales := fs.String("scale", "1,100", "data set sizes, comma-separated: 1 (200 users...) or 100 (20,000 users...)")
	cpuProfile := fs.String("cpuprofile", "", "write the server's CPU profile here")
	fs.Parse(args)

	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	defer stopProfile()
	refs, err := readReference(referenceFile)
	if err != nil {
		return err
	}
	fmt.Printf("API benchmark: %s per run, server in this process (pid %d), vegeta in another\n", *duration, os.Getpid())
	for _, sc := range strings.Split(*scales, ",") {
		scale, err := strconv.Atoi(strings.TrimSpace(sc))
		if err != nil || scale < 1 {
			return fmt.Errorf("bad scale %q", sc)
		}
		if err := loadAtScale(scale, strings.Split(*routes, ","), strings.Split(*clients, ","), *duration, refs); err != nil {
			return err
		}
	}
	return nil
}

// loadAtScale seeds a fresh stack with the data set at scale and loads each route,
// with the page cache and without it, and compares the cached figures at 10 clients
// with the old system's (docs/benchmarks.md).
func loadAtScale(scale int, routes, clients []string, duration time.Duration, refs map[string]reference) error {
	ctx := context.Background()
	b, err := newBenchStack(ctx, false, nil)
	if err != nil {
		return err
	}
	defer b.close()
	started := time.Now()
	if err := seed(ctx, b.cfg.DatabaseURL, scale); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	fmt.Printf("\n%d× data set (%d users, %d associations; seeded in %v)\n\n", scale, 200*scale, 50*scale,
		time.Since(started).Round(100*time.Millisecond))
	type run struct{ route, clients string }
	results := map[bool]map[run]vegetaReport{}
	cacheBytes := b.cfg.PageCacheBytes
	for _, cached := range []bool{true, false} {
		b.cfg.PageCacheBytes = 0
		if cached {
			b.cfg.PageCacheBytes = cacheBytes
		}
		if err := b.serve(ctx); err != nil {
			return err
		}
		results[cached] = map[run]vegetaReport{}
		for _, route := range routes {
			for _, c := range clients {
				n, err := strconv.Atoi(strings.TrimSpace(c))
				if err != nil || n < 1 {
					return fmt.Errorf("bad client count %q", c)
				}
				rep, err := attack(b.dir, b.base+route, b.token, n, duration)
				if err != nil {
					return err
				}
				if rep.Success < 1 {
					return fmt.Errorf("%s at %d clients: %.2f%% succeeded, status codes %v", route, n, rep.Success*100, rep.StatusCodes)
				}
				results[cached][run{route, c}] = rep
			}
		}
	}
	fmt.Println("| route | clients | cached req/s | p50 | p99 | uncached req/s | p50 | p99 | body | cached vs old system | goal (10 clients) |")
	fmt.Println("|---|---|---|---|---|---|---|---|---|---|---|")
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	for _, route := range routes {
		for _, c := range clients {
			hot, cold := results[true][run{route, c}], results[false][run{route, c}]
			versus := "|"
			if ref, ok := refs[route]; ok && strings.TrimSpace(c) == "10" {
				versus = ref.verdict(hot.Throughput, hot.Latencies.P99)
			}
			fmt.Printf("| %s | %s | %.0f | %s | %s | %.0f | %s | %s | %.0f KB | %s |\n", route, strings.TrimSpace(c),
				hot.Throughput, ms(hot.Latencies.P50), ms(hot.Latencies.P99),
				cold.Throughput, ms(cold.Latencies.P50), ms(cold.Latencies.P99), hot.BytesIn.Mean/1024, versus)
		}
	}
	return nil
}

func seed(ctx context.Context, databaseURL string, scale int) error {
	conn, err := pgx.Connect(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	hash, err := auth.HashPassword("seeded-user-password")
	if err != nil {
		return err
	}
	// Multiple statements in one Exec need the simple protocol; the hash is the only parameter.
	_, err = conn.Exec(ctx, strings.Replace(seedSQL(scale), "$1", "'"+hash+"'", 1), pgx.QueryExecModeSimpleProtocol)
	return err
}

// attack runs a closed-loop load with vegeta (rate 0: each of clients workers sends its next
// request when the previous answer arrives) in a separate process, after a short warm-up.
func attack(dir, url, token string, clients int, duration time.Duration) (vegetaReport, error) {
	var rep vegetaReport
	targets := filepath.Join(dir, "targets.txt")
	if err := os.WriteFile(targets, []byte("GET "+url+"\nAuthorization: Bearer "+token+"\n"), 0o600); err != nil {
		return rep, err
	}
	results := filepath.Join(dir, "results.bin")
	attack := func(d time.Duration) error {
		cmd := exec.Command("go", "tool", "vegeta", "attack", "-rate=0", "-workers="+strconv.Itoa(clients),
			"-max-workers="+strconv.Itoa(clients), "-duration="+d.String(), "-targets="+targets, "-output="+results)
		cmd.Stderr = os.Stderr
		return cmd.Run()
	}
	if err := attack(time.Second); err != nil {
		return rep, fmt.Errorf("vegeta: %w", err)
	}
	if err := attack(duration); err != nil {
		return rep, fmt.Errorf("vegeta: %w", err)
	}
	out, err := exec.Command("go", "tool", "vegeta", "report", "-type=json", results).Output()
	if err != nil {
		return rep, fmt.Errorf("vegeta report: %w", err)
	}
	return rep, json.Unmarshal(out, &rep)
}

// startCPUProfile writes this process's CPU profile to path (nothing when path is
// empty) until stop is called.
func startCPUProfile(path string) (stop func(), err error) {
	if path == "" {
		return func() {}, nil
	}
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}, nil
}
