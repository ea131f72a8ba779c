package main

// load replays the original system's load scenario, or a write-heavy one, against a
// running stack (make dev) and writes a report: a text summary and an HTML page with
// throughput and latency over time.
//
//	go run ./cmd/bench load -scenario read   # ramp to 20 users over 30 s, to 10 over 90 s, to 0 over 20 s
//	go run ./cmd/bench load -scenario write  # sign-ups, associations, events
//
// It targets loopback only unless told -allow-remote, stops by itself, and prints its
// progress every 5 seconds. vegeta (as a library) aggregates and reports the results.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kittenasso/kittenasso/cmd/internal/apiclient"
	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// stage ramps the number of virtual users linearly to target over d (k6's stages).
type stage struct {
	d      time.Duration
	target int
}

var scenarios = map[string][]stage{
	// The original k6 script (load-testing/scripts/all.js).
	"read":  {{30 * time.Second, 20}, {90 * time.Second, 10}, {20 * time.Second, 0}},
	"write": {{20 * time.Second, 5}, {40 * time.Second, 5}, {10 * time.Second, 0}},
}

func load(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	target := fs.String("target", "http://127.0.0.1:3000", "base URL of the stack")
	allowRemote := fs.Bool("allow-remote", false, "allow a target that is not on this machine")
	scenario := fs.String("scenario", "read", "read (the original k6 scenario) or write")
	user := fs.String("user", "admin@administration.fr", "account to sign in with")
	password := fs.String("password", "admin", "its password")
	out := fs.String("out", "docs/load", "folder for the reports")
	scale := fs.Float64("scale", 1, "multiplies every stage's duration (0.1 for a quick try)")
	fs.Parse(args)
	return run(*target, *allowRemote, *scenario, *user, *password, *out, *scale)
}

func run(target string, allowRemote bool, scenario, user, password, out string, scale float64) error {
	stages, ok := scenarios[scenario]
	if !ok {
		return fmt.Errorf("unknown scenario %q (read or write)", scenario)
	}
	base, err := url.Parse(target)
	if err != nil {
		return err
	}
	if !allowRemote && !isLoopback(base.Hostname()) {
		return fmt.Errorf("%s is not on this machine; pass -allow-remote to load it anyway", base.Hostname())
	}
	var total time.Duration
	for i := range stages {
		stages[i].d = time.Duration(float64(stages[i].d) * scale)
		total += stages[i].d
	}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 100}}
	token, err := apiclient.SignIn(client, target, user, password)
	if err != nil {
		return fmt.Errorf("sign in as %s: %w", user, err)
	}
	fmt.Fprintf(os.Stderr, "loadtest: %s scenario against %s for %v\n", scenario, target, total)

	results := make(chan vegeta.Result, 1024)
	rec := newRecorder()
	done := make(chan struct{})
	go func() { rec.collect(results); close(done) }()

	ctx, cancel := context.WithTimeout(context.Background(), total)
	defer cancel()
	start := time.Now()
	var active atomic.Int64
	var wg sync.WaitGroup
	spawned := 0
	ticker := time.NewTicker(100 * time.Millisecond)
	progress := time.NewTicker(5 * time.Second)
loop:
	for {
		want := usersAt(stages, time.Since(start))
		active.Store(int64(want))
		for ; spawned < want; spawned++ { // a VU stops by itself when its index is past the active count
			wg.Add(1)
			go func(index int) {
				defer wg.Done()
				vu := &virtualUser{client: client, base: target, token: token, results: results, scenario: scenario, index: index}
				for ctx.Err() == nil && int64(index) < active.Load() {
					vu.iterate(ctx)
				}
			}(spawned)
		}
		if want < spawned {
			spawned = want
		}
		select {
		case <-ctx.Done():
			break loop
		case <-progress.C:
			fmt.Fprintf(os.Stderr, "  %3.0fs  users %2d  %s\n", time.Since(start).Seconds(), want, rec.progress())
		case <-ticker.C:
		}
	}
	wg.Wait()
	close(results)
	<-done
	return rec.write(out, scenario, target, start)
}

// usersAt is the number of virtual users elapsed into the stages.
func usersAt(stages []stage, elapsed time.Duration) int {
	from := 0
	for _, s := range stages {
		if elapsed < s.d {
			return from + int(float64(s.target-from)*float64(elapsed)/float64(s.d))
		}
		elapsed -= s.d
		from = s.target
	}
	return from
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// virtualUser runs a scenario's iterations, like a k6 VU.
type virtualUser struct {
	client   *http.Client
	base     string
	token    string
	results  chan<- vegeta.Result
	scenario string
	index    int
	seq      uint64
}

func (vu *virtualUser) iterate(ctx context.Context) {
	if vu.scenario == "read" {
		// The original: six GETs, then a 20 ms pause.
		for _, path := range []string{"/", "/api", "/api/associations", "/api/roles", "/api/events", "/api/minutes"} {
			vu.do(ctx, "GET", path, nil)
		}
		time.Sleep(20 * time.Millisecond)
		return
	}
	n := fmt.Sprintf("%d-%d-%d", vu.index, vu.seq, time.Now().UnixNano())
	vu.do(ctx, "POST", "/api/users", map[string]any{"firstname": "Load", "lastname": n, "age": 30,
		"email": "load-" + n + "@example.org", "password": "password123"})
	body := vu.do(ctx, "POST", "/api/associations", map[string]any{"name": "Load " + n, "idUsers": []int{}})
	var a struct{ ID int64 }
	if json.Unmarshal(body, &a) != nil || a.ID == 0 {
		return
	}
	body = vu.do(ctx, "POST", "/api/events", map[string]any{"name": "Load " + n, "start": "2030-01-01T10:00:00Z",
		"end": "2030-01-01T12:00:00Z", "association": a.ID})
	var e struct{ ID int64 }
	if json.Unmarshal(body, &e) == nil && e.ID != 0 {
		vu.do(ctx, "DELETE", fmt.Sprintf("/api/events/%d", e.ID), nil)
	}
}

// do sends one request and reports it as a vegeta.Result.
func (vu *virtualUser) do(ctx context.Context, method, path string, body any) []byte {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequestWithContext(ctx, method, vu.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+vu.token)
	req.Header.Set("Content-Type", "application/json")
	start := time.Now()
	resp, err := vu.client.Do(req)
	r := vegeta.Result{Attack: vu.scenario, Seq: vu.seq, Timestamp: start, Method: method, URL: path}
	vu.seq++
	var data []byte
	if err == nil {
		data, err = io.ReadAll(resp.Body)
		resp.Body.Close()
		r.Code = uint16(resp.StatusCode)
		r.BytesIn = uint64(len(data))
	}
	r.Latency = time.Since(start)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
			return nil // the run ended mid-request: not a result
		}
		r.Error = err.Error()
	}
	vu.results <- r
	return data
}
