package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"time"

	"github.com/kittenasso/kittenasso/shared/auth"
	"github.com/kittenasso/kittenasso/shared/httpapi"
	"github.com/kittenasso/kittenasso/shared/local/apigateway"
	"github.com/kittenasso/kittenasso/shared/local/lambdarie"
)

// benchRIE reports the size of every bootstrap as deployed (arm64), and the cold
// start (emulator process start to first response, database connection included)
// and warm invoke latency of two functions under aws-lambda-rie on this machine.
func benchRIE(args []string) error {
	fs := flag.NewFlagSet("bench-rie", flag.ExitOnError)
	colds := fs.Int("cold", 20, "cold starts per function")
	warms := fs.Int("warm", 300, "warm invokes per function")
	fs.Parse(args)
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "kittenasso-bench-rie-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	fmt.Println("building every function for linux/arm64, as deployed ...")
	if err := lambdarie.BuildFunctions(ctx, ".", filepath.Join(dir, "arm64"), "arm64"); err != nil {
		return err
	}
	entries, err := os.ReadDir(filepath.Join(dir, "arm64"))
	if err != nil {
		return err
	}
	fmt.Println("\n| function | bootstrap size (arm64) |\n|---|---|")
	for _, e := range entries {
		info, err := e.Info()
		if err != nil {
			return err
		}
		fmt.Printf("| %s | %.1f MB |\n", e.Name(), float64(info.Size())/(1<<20))
	}

	host := filepath.Join(dir, runtime.GOARCH)
	if err := lambdarie.BuildFunctions(ctx, ".", host, runtime.GOARCH); err != nil {
		return err
	}
	emulator, err := lambdarie.BuildEmulator(ctx, ".", dir)
	if err != nil {
		return err
	}
	b, err := newBenchStack(ctx, false, nil)
	if err != nil {
		return err
	}
	defer b.close()
	token, err := auth.Tokens{Secret: b.cfg.JWTSecret, Issuer: b.cfg.JWTIssuer, Audience: b.cfg.JWTAudience, TTL: time.Hour}.Issue(1, 0)
	if err != nil {
		return err
	}
	env := []string{"DATABASE_URL=" + b.cfg.DatabaseURL, "JWT_SECRET=" + string(b.cfg.JWTSecret)}

	fmt.Printf("\nunder aws-lambda-rie on this machine (%s), %d cold starts and %d warm invokes each:\n\n", runtime.GOARCH, *colds, *warms)
	fmt.Println("| function | request | cold p50 | cold max | warm p50 | warm p99 |\n|---|---|---|---|---|---|")
	for _, f := range []struct{ name, path string }{{"health", "/api/health"}, {"users-list", "/api/users"}} {
		req := httptest.NewRequest("GET", f.path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		rt, _ := httpapi.RouteByName(f.name)
		payload, _ := json.Marshal(apigateway.Event(req, rt.Pattern(), nil))
		var cold, warm []time.Duration
		for range *colds {
			rie := &lambdarie.RIE{Emulator: emulator, Bootstrap: filepath.Join(host, f.name), Env: env, Log: io.Discard}
			start := time.Now()
			if _, err := invokeOK(ctx, rie, payload); err != nil {
				rie.Stop()
				return fmt.Errorf("%s: %w", f.name, err)
			}
			cold = append(cold, time.Since(start))
			rie.Stop()
		}
		rie := &lambdarie.RIE{Emulator: emulator, Bootstrap: filepath.Join(host, f.name), Env: env, Log: io.Discard}
		if _, err := invokeOK(ctx, rie, payload); err != nil {
			return err
		}
		for range *warms {
			start := time.Now()
			if _, err := invokeOK(ctx, rie, payload); err != nil {
				return err
			}
			warm = append(warm, time.Since(start))
		}
		rie.Stop()
		fmt.Printf("| %s | GET %s | %v | %v | %v | %v |\n", f.name, f.path, quantile(cold, 0.5), quantile(cold, 1),
			quantile(warm, 0.5), quantile(warm, 0.99))
	}
	return nil
}

// invokeOK invokes and checks that the function answered an HTTP 200.
func invokeOK(ctx context.Context, rie *lambdarie.RIE, payload []byte) ([]byte, error) {
	out, err := rie.Invoke(ctx, payload)
	if err != nil {
		return nil, err
	}
	var resp struct {
		StatusCode int `json:"statusCode"`
	}
	if err := json.Unmarshal(out, &resp); err != nil || resp.StatusCode != 200 {
		return nil, fmt.Errorf("answered %s", out)
	}
	return out, nil
}

func quantile(ds []time.Duration, q float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	i := int(q*float64(len(s))+0.5) - 1
	return s[max(0, min(i, len(s)-1))].Round(10 * time.Microsecond)
}
