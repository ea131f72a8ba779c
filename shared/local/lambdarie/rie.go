// Package lambdarie runs the functions' real bootstraps under the Lambda runtime
// interface emulator, and builds them as deployed.
package lambdarie

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/kittenasso/kittenasso/shared/local/ports"
)

// RIE runs one function's real bootstrap under the Lambda runtime interface emulator
// (aws-lambda-rie), as Lambda would, and invokes it over the emulator's HTTP API.
// The emulator takes one invocation at a time (it crashes on concurrent ones), so
// Invoke serialises them. The emulator starts on the first Invoke.
type RIE struct {
	Emulator  string    // path of aws-lambda-rie
	Bootstrap string    // path of the function's bootstrap
	Env       []string  // the function's environment (KEY=value)
	Log       io.Writer // the emulator's and the function's output

	mu  sync.Mutex
	cmd *exec.Cmd
	url string
}

// Start starts the emulator and the bootstrap and waits until the emulator listens.
func (r *RIE) Start() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.start()
}

func (r *RIE) start() error {
	if r.cmd != nil {
		return nil
	}
	invokePort, err := ports.FreePort()
	if err != nil {
		return err
	}
	runtimePort, err := ports.FreePort()
	if err != nil {
		return err
	}
	cmd := exec.Command(r.Emulator,
		"--runtime-interface-emulator-address", "127.0.0.1:"+strconv.Itoa(invokePort),
		"--runtime-api-address", "127.0.0.1:"+strconv.Itoa(runtimePort),
		r.Bootstrap)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}, r.Env...)
	cmd.Stdout, cmd.Stderr = r.Log, r.Log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return err
	}
	if err := ports.WaitForPort(invokePort, 10*time.Second); err != nil {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		cmd.Wait()
		return fmt.Errorf("aws-lambda-rie for %s: %w", r.Bootstrap, err)
	}
	r.cmd = cmd
	r.url = "http://127.0.0.1:" + strconv.Itoa(invokePort) + "/2015-03-31/functions/function/invocations"
	return nil
}

// Invoke sends payload to the function and returns its response.
func (r *RIE) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.start(); err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.url, bytes.NewReader(payload))
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("aws-lambda-rie answered %d: %s", resp.StatusCode, body)
	}
	return body, nil
}

// Stop ends the emulator and the bootstrap.
func (r *RIE) Stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	syscall.Kill(-r.cmd.Process.Pid, syscall.SIGTERM)
	r.cmd.Wait()
	r.cmd = nil
}

// BuildFunctions builds every function of the module at root as a Lambda bootstrap
// (static, no RPC shim, stripped, as deployed) for goarch, into outDir/<name>.
func BuildFunctions(ctx context.Context, root, outDir, goarch string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w",
		"-o", outDir+"/", "./functions/...")
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("building the functions: %w\n%s", err, out)
	}
	return nil
}

// BuildEmulator builds aws-lambda-rie, pinned in go.mod as a tool, into outDir.
func BuildEmulator(ctx context.Context, root, outDir string) (string, error) {
	path := outDir + "/aws-lambda-rie"
	cmd := exec.CommandContext(ctx, "go", "build", "-o", path, "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("building aws-lambda-rie: %w\n%s", err, out)
	}
	return path, nil
}
