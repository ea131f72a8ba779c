// Package testenv is the test environment that `make test` provides: what a test does
// when this machine lacks a service it needs, and what the tests read of the emulators.
package testenv

import (
	"os"
	"testing"
)

// Missing stops a test that needs what this machine lacks. Under CI (CI=true) the
// setup must provide everything, so the test fails; elsewhere it is skipped. how
// says how to get it.
func Missing(t testing.TB, what, how string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s: %s", what, how)
	}
	t.Skipf("skipped: %s (%s)", what, how)
}

// Emulator returns the endpoint of the emulator that `make test` started and names in
// the environment variable name (TEST_SQS_ENDPOINT, TEST_SES_ENDPOINT); without it,
// the test stops as Missing says.
func Emulator(t testing.TB, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		Missing(t, name+" is not set", "`make test` starts the SQS and SES emulators")
	}
	return v
}
