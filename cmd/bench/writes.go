package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// benchWrites loads one association with clients that mix reads and writes, the way a
// board editing together does: minutes written, roles renamed, the association renamed,
// while others read the association and its minutes. Every write takes the
// association's lock; the figures say how long writes queue behind each other. With
// -associations N the clients spread over N associations: writes then share only what
// every association shares (the data versions of migration 0006). -diagnose says what
// the sessions waited on (diagnose.go).
func benchWrites(args []string) error {
	fs := flag.NewFlagSet("bench-writes", flag.ExitOnError)
	duration := fs.Duration("duration", 10*time.Second, "load duration")
	clients := fs.Int("clients", 50, "concurrent clients")
	writeShare := fs.Float64("writes", 0.3, "share of requests that write")
	associations := fs.Int("associations", 1, "associations the clients write to (client i to association i mod this)")
	diagnose := fs.Bool("diagnose", false, "sample what the database's sessions wait on, time each statement (pg_stat_statements) and each route")
	cpuProfile := fs.String("cpuprofile", "", "write the CPU profile of the load (server and clients: one process) here")
	fs.Parse(args)

	ctx := context.Background()
	b, err := newBenchStack(ctx, false, map[string]string{"DB_MAX_CONNS": "20"})
	if err != nil {
		return err
	}
	defer b.close()
	if *diagnose {
		if b.cfg.DatabaseURL, err = withStatementStats(ctx, b.pg); err != nil {
			return err
		}
	}
	if err := b.serve(ctx); err != nil {
		return err
	}
	var users []struct{ ID int64 } // the first is the admin, every association's manager
	if err := b.call("GET", "/api/users?limit=1", nil, &users); err != nil {
		return err
	}
	me := users[0]
	clubs := make([]int64, *associations)
	for i := range clubs {
		var club struct{ ID int64 }
		if err := b.call("POST", "/api/associations", map[string]any{"name": fmt.Sprint("Board ", i), "idUsers": []int64{}}, &club); err != nil {
			return err
		}
		clubs[i] = club.ID
	}
	writes := []func(club int64, n int) (string, string, any){
		func(club int64, n int) (string, string, any) {
			return "POST", "/api/minutes", map[string]any{"content": fmt.Sprintf("Decision %d", n), "date": "2026-12-06",
				"idAssociation": club, "idVoters": []int64{}}
		},
		func(club int64, n int) (string, string, any) {
			return "PUT", fmt.Sprintf("/api/roles/%d/%d", me.ID, club), map[string]any{"name": fmt.Sprintf("Chair %d", n)}
		},
		func(club int64, n int) (string, string, any) {
			return "PUT", fmt.Sprint("/api/associations/", club), map[string]any{"name": fmt.Sprintf("Board %d", n)}
		},
	}
	reads := []func(club int64) string{
		func(club int64) string { return fmt.Sprint("/api/associations/", club) },
		func(club int64) string { return fmt.Sprint("/api/associations/", club, "/minutes?limit=20") },
	}

	var diag *diagnosis
	if *diagnose {
		if diag, err = startDiagnosis(ctx, b.cfg.DatabaseURL, 10*time.Millisecond); err != nil {
			return err
		}
	}
	stopProfile, err := startCPUProfile(*cpuProfile)
	if err != nil {
		return err
	}
	acquired0, waited0, waiting0 := b.stack.Server.DB.PoolWaits()

	var mu sync.Mutex
	latencies := map[string][]time.Duration{}
	byRoute := map[string][]time.Duration{} // method and path pattern
	failures := map[string]int{}
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for c := range *clients {
		wg.Go(func() {
			for n := 0; time.Now().Before(deadline); n++ {
				club := clubs[c%len(clubs)]
				kind, method, path, body := "read", "GET", reads[n%len(reads)](club), any(nil)
				if rand.Float64() < *writeShare {
					kind = "write"
					method, path, body = writes[(c+n)%len(writes)](club, c*1_000_000+n)
				}
				start := time.Now()
				err := b.call(method, path, body, nil)
				took := time.Since(start)
				mu.Lock()
				latencies[kind] = append(latencies[kind], took)
				route := method + " " + routeOf(path)
				byRoute[route] = append(byRoute[route], took)
				if err != nil {
					failures[kind]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	stopProfile()
	acquired, waited, waiting := b.stack.Server.DB.PoolWaits()
	fmt.Printf("%d association(s), %d clients, %.0f%% writes, %v\n\n", len(clubs), *clients, *writeShare*100, *duration)
	fmt.Println("| requests | count | errors | p50 | p99 |")
	fmt.Println("|---|---|---|---|---|")
	for _, kind := range []string{"write", "read"} {
		ds := latencies[kind]
		fmt.Printf("| %ss | %d | %d | %v | %v |\n", kind, len(ds), failures[kind],
			quantile(ds, 0.5).Round(time.Millisecond/10), quantile(ds, 0.99).Round(time.Millisecond/10))
	}
	if !*diagnose {
		return nil
	}
	fmt.Println()
	for _, route := range slices.Sorted(maps.Keys(byRoute)) {
		ds := byRoute[route]
		fmt.Printf("| %s | %d | | %v | %v |\n", route, len(ds),
			quantile(ds, 0.5).Round(time.Millisecond/10), quantile(ds, 0.99).Round(time.Millisecond/10))
	}
	acquired, waited, waiting = acquired-acquired0, waited-waited0, waiting-waiting0
	_, _, maxConns := b.stack.Server.DB.PoolStats()
	fmt.Printf("\npool (%d connections): %d connections taken, %d of them (%.0f%%) waited for one, %v in all (%v per wait)\n",
		maxConns, acquired, waited, 100*float64(waited)/float64(max(acquired, 1)), waiting.Round(time.Millisecond),
		(waiting / time.Duration(max(waited, 1))).Round(time.Microsecond))
	diag.report(ctx)
	return nil
}

// routeOf is path with its ids replaced by {id}.
func routeOf(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if _, err := strconv.ParseInt(p, 10, 64); err == nil {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

// benchClient keeps a connection per client open, as browsers do.
var benchClient = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 100}}

// call sends one API request as the bench's admin and decodes a 2xx answer into out.
func (b *benchStack) call(method, path string, body, out any) error {
	var payload []byte
	if body != nil {
		payload, _ = json.Marshal(body)
	}
	req, err := http.NewRequest(method, b.base+path, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+b.token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := benchClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s", method, path, res.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}
