// Package pgcluster runs a private PostgreSQL server under a folder, on a loopback
// port: the database of the local stack, the tests and the benchmarks.
package pgcluster

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/kittenasso/kittenasso/shared/local/ports"
)

// Cluster is a private PostgreSQL server under a project folder, on a loopback port.
type Cluster struct {
	Dir  string // holds data/, the socket and the log
	bin  string // the server binaries' folder
	Port int
	// runAs is the account that owns and runs the server: initdb refuses root.
	runAs string
}

// findPostgresBin returns the folder of initdb and pg_ctl: $PG_BIN, then the newest
// Debian install, then $PATH.
func findPostgresBin() (string, error) {
	if dir := os.Getenv("PG_BIN"); dir != "" {
		return dir, nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL server binaries not found: install postgresql (Debian: apt-get install postgresql), set PG_BIN, or set DATABASE_URL to use an existing server")
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// New prepares (without starting) a Cluster in dir.
func New(dir string) (*Cluster, error) {
	bin, err := findPostgresBin()
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: abs, bin: bin}
	if os.Geteuid() == 0 {
		if _, err := user.Lookup("postgres"); err != nil {
			return nil, errors.New("running as root, and there is no 'postgres' account to run PostgreSQL as (initdb refuses root)")
		}
		c.runAs = "postgres"
	}
	return c, nil
}

// command runs a server binary as the Cluster's account.
func (c *Cluster) command(name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	if c.runAs != "" {
		return exec.Command("runuser", append([]string{"-u", c.runAs, "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

func (c *Cluster) run(name string, args ...string) error {
	out, err := c.command(name, args...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w\n%s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// start initialises the Cluster if needed and starts it on a free loopback port.
// fast trades durability for speed (tests); a dev Cluster keeps its data safe.
func (c *Cluster) Start(fast bool) error {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return err
	}
	if c.runAs != "" {
		// The server's account must be able to reach and own its folder.
		if err := exec.Command("chown", "-R", c.runAs, c.Dir).Run(); err != nil {
			return fmt.Errorf("chown %s: %w", c.Dir, err)
		}
		if err := allowTraverse(c.Dir); err != nil {
			return err
		}
	}
	data := filepath.Join(c.Dir, "data")
	if _, err := os.Stat(filepath.Join(data, "PG_VERSION")); err != nil {
		if err := c.run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--no-sync"); err != nil {
			return err
		}
		if err := requirePasswords(filepath.Join(data, "pg_hba.conf")); err != nil {
			return err
		}
	}
	port, err := ports.FreePort()
	if err != nil {
		return err
	}
	c.Port = port
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=200", port, c.Dir)
	if fast {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	return c.run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(c.Dir, "postgres.log"), "-w", "-t", "60", "start")
}

// requirePasswords makes the members of role password_login sign in with their
// password: everyone else is trusted (a private loopback Cluster), but the test of a
// rotated database password needs the password to count.
func requirePasswords(hba string) error {
	rules, err := os.ReadFile(hba)
	if err != nil {
		return err
	}
	first := "host all +password_login 127.0.0.1/32 scram-sha-256\nhost all +password_login ::1/128 scram-sha-256\n"
	return os.WriteFile(hba, append([]byte(first), rules...), 0o600)
}

// stop shuts the server down; it is safe to call on a Cluster that did not start.
func (c *Cluster) Stop() error {
	if c.Port == 0 {
		return nil
	}
	c.Port = 0
	return c.run("pg_ctl", "-D", filepath.Join(c.Dir, "data"), "-m", "fast", "-w", "stop")
}

// url is the superuser connection string of the running Cluster.
func (c *Cluster) URL() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.Port)
}

// allowTraverse lets other accounts enter every parent folder of dir (mode +x), so
// that the server's account reaches its data under a root-owned checkout.
func allowTraverse(dir string) error {
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
		info, err := os.Stat(d)
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(d, info.Mode().Perm()|0o001); err != nil {
				return fmt.Errorf("cannot let PostgreSQL reach %s: %w", d, err)
			}
		}
	}
	return nil
}
