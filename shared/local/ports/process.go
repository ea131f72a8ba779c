package ports

import (
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Process is a local server (an emulator) kept running: when it dies, it is started
// again on the same port, and Restarted is called once it answers, so that what it
// lost (queues) can be made again. The local stack survives an emulator crash the
// way AWS survives a host's.
type Process struct {
	Name    string   // for the log: "SQS emulator"
	Command []string // the program and its arguments
	Env     []string // added to this process's environment
	Port    int      // where it listens; it must listen there again after a restart
	LogFile string   // its output, appended across restarts
	// Restarted, when set, runs after each restart once the port answers.
	Restarted func() error
	Log       *slog.Logger

	mu       sync.Mutex
	cmd      *exec.Cmd
	stopping bool
	done     chan struct{}
}

// startTimeout bounds how long a start may take before the port answers.
const startTimeout = 30 * time.Second

// Start starts the process, waits until its port answers, and supervises it.
func (p *Process) Start() error {
	p.done = make(chan struct{})
	exited, err := p.launch()
	if err != nil {
		return err
	}
	if err := WaitForPort(p.Port, startTimeout); err != nil {
		p.mu.Lock()
		p.stopping = true
		p.mu.Unlock()
		p.signal(syscall.SIGKILL)
		<-exited
		close(p.done)
		return fmt.Errorf("%s: %w (see %s)", p.Name, err, p.LogFile)
	}
	go p.supervise(exited)
	return nil
}

// signal sends sig to the process group of the current run.
func (p *Process) signal(sig syscall.Signal) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd != nil {
		syscall.Kill(-p.cmd.Process.Pid, sig)
	}
}

// launch starts one run of the process and returns a channel closed when it exits.
func (p *Process) launch() (<-chan struct{}, error) {
	log, err := os.OpenFile(p.LogFile, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(p.Command[0], p.Command[1:]...)
	cmd.Env = append(os.Environ(), p.Env...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // Stop and Kill end the whole group
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("%s: %w", p.Name, err)
	}
	p.mu.Lock()
	p.cmd = cmd
	p.mu.Unlock()
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		log.Close()
		close(exited)
	}()
	return exited, nil
}

// supervise restarts the process each time it exits, until Stop.
func (p *Process) supervise(exited <-chan struct{}) {
	defer close(p.done)
	for {
		<-exited
		p.mu.Lock()
		stopping := p.stopping
		p.mu.Unlock()
		if stopping {
			return
		}
		p.Log.Warn(p.Name+" exited; restarting it", "port", p.Port)
		for {
			var err error
			if exited, err = p.launch(); err == nil {
				if err = WaitForPort(p.Port, startTimeout); err == nil && p.Restarted != nil {
					err = p.Restarted()
				}
			}
			if err == nil {
				p.Log.Info(p.Name+" is back", "port", p.Port)
				break
			}
			p.Log.Error(p.Name+" did not come back; trying again", "error", err.Error())
			time.Sleep(time.Second)
		}
	}
}

// Kill ends the process abruptly, as a crash would; the supervisor restarts it.
func (p *Process) Kill() { p.signal(syscall.SIGKILL) }

// Stop ends the process for good and waits for it (and for a restart under way).
func (p *Process) Stop() {
	p.mu.Lock()
	p.stopping = true
	p.mu.Unlock()
	p.signal(syscall.SIGTERM)
	<-p.done
}
