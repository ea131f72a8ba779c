// Command bench runs the benchmarks, each printing its figures (docs/benchmarks.md):
//
//	bench api  [-duration 10s] [-clients 10,50] [-cpuprofile FILE]   the API under load, on a seeded throw-away stack (make bench-api)
//	bench mail [-members 5000] [-mailers 5]                          an invitation fan-out through the emulators (make bench-mail)
//	bench writes [-clients 50] [-writes 0.3] [-duration 10s] [-associations 1] [-diagnose] [-cpuprofile FILE]
//	                                                                 reads and writes on one association (make bench-writes)
//	bench rie  [-cold 20] [-warm 300]                                bootstrap sizes, cold starts and warm latency under aws-lambda-rie (make bench-rie)
//	bench load [-scenario read|write] [-target URL]                  the original load scenario against a running stack (make dev)
//
// Run it from the repository's root: it reads template.yaml and builds the functions.
package main

import (
	"fmt"
	"log/slog"
	"os"
)

const usage = "usage: bench api|mail|rie|load|writes [flags]   (bench CMD -h lists a command's flags)"

func main() {
	commands := map[string]func([]string) error{"api": benchAPI, "mail": benchMail, "rie": benchRIE, "load": load, "writes": benchWrites}
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if err := commands[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// quietLogger logs warnings and errors only, for runs where a line per request is noise.
func quietLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
