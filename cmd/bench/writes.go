package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// benchWrites loads one association with clients that mix reads and writes, the way a
// board editing together does: minutes written, roles renamed, the association renamed,
// while others read the association and its minutes. Every write takes the
// association's lock; the figures say how long writes queue behind each other.
func benchWrites(args []string) error {
	fs := flag.NewFlagSet("bench-writes", flag.ExitOnError)
	duration := fs.Duration("duration", 10*time.Second, "load duration")
	clients := fs.Int("clients", 50, "concurrent clients")
	writeShare := fs.Float64("writes", 0.3, "share of requests that write")
	fs.Parse(args)

	ctx := context.Background()
	b, err := newBenchStack(ctx, false, map[string]string{"DB_MAX_CONNS": "20"})
	if err != nil {
		return err
	}
	defer b.close()
	if err := b.serve(ctx); err != nil {
		return err
	}
	var club struct{ ID int64 }
	if err := b.call("POST", "/api/associations", map[string]any{"name": "Board", "idUsers": []int64{}}, &club); err != nil {
		return err
	}
	var users []struct{ ID int64 } // the first is the admin, the association's manager
	if err := b.call("GET", "/api/users?limit=1", nil, &users); err != nil {
		return err
	}
	me := users[0]
	id := fmt.Sprint(club.ID)
	writes := []func(n int) (string, string, any){
		func(n int) (string, string, any) {
			return "POST", "/api/minutes", map[string]any{"content": fmt.Sprintf("Decision %d", n), "date": "2026-12-06",
				"idAssociation": club.ID, "idVoters": []int64{}}
		},
		func(n int) (string, string, any) {
			return "PUT", fmt.Sprintf("/api/roles/%d/%s", me.ID, id), map[string]any{"name": fmt.Sprintf("Chair %d", n)}
		},
		func(n int) (string, string, any) {
			return "PUT", "/api/associations/" + id, map[string]any{"name": fmt.Sprintf("Board %d", n)}
		},
	}
	reads := []string{"/api/associations/" + id, "/api/associations/" + id + "/minutes?limit=20"}

	var mu sync.Mutex
	latencies := map[string][]time.Duration{}
	failures := map[string]int{}
	deadline := time.Now().Add(*duration)
	var wg sync.WaitGroup
	for c := range *clients {
		wg.Go(func() {
			for n := 0; time.Now().Before(deadline); n++ {
				kind, method, path, body := "read", "GET", reads[n%len(reads)], any(nil)
				if rand.Float64() < *writeShare {
					kind = "write"
					method, path, body = writes[(c+n)%len(writes)](c*1_000_000 + n)
				}
				start := time.Now()
				err := b.call(method, path, body, nil)
				took := time.Since(start)
				mu.Lock()
				latencies[kind] = append(latencies[kind], took)
				if err != nil {
					failures[kind]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	fmt.Printf("one association, %d clients, %.0f%% writes, %v\n\n", *clients, *writeShare*100, *duration)
	fmt.Println("| requests | count | errors | p50 | p99 |")
	fmt.Println("|---|---|---|---|---|")
	for _, kind := range []string{"write", "read"} {
		ds := latencies[kind]
		fmt.Printf("| %ss | %d | %d | %v | %v |\n", kind, len(ds), failures[kind],
			quantile(ds, 0.5).Round(time.Millisecond/10), quantile(ds, 0.99).Round(time.Millisecond/10))
	}
	return nil
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
