package main

import (
	"strings"
	"testing"
	"time"
)

// TestReferenceTable: the old system's figures in docs/benchmarks.md are read as the
// benchmark needs them, and a line it cannot read is an error, not a silent gap.
func TestReferenceTable(t *testing.T) {
	refs, err := readReference("../../" + referenceFile)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]reference{
		"/api/associations": {oldRate: 126, oldRates: "115–126", goalRatio: 20, goalP99: 15 * time.Millisecond},
		"/api/roles":        {oldRate: 890, oldRates: "640–890", goalRatio: 8, goalP99: 4 * time.Millisecond},
		"/api/events":       {oldRate: 44, oldRates: "42–44", goalRatio: 20, goalP99: 45 * time.Millisecond},
		"/api/minutes":      {oldRate: 10, oldRates: "9–10", goalRatio: 20, goalP99: 180 * time.Millisecond},
	}
	if len(refs) != len(want) {
		t.Errorf("%d routes, want %d: %v", len(refs), len(want), refs)
	}
	for route, w := range want {
		if refs[route] != w {
			t.Errorf("%s: %+v, want %+v", route, refs[route], w)
		}
	}
	if got := want["/api/roles"].verdict(8000, 3*time.Millisecond); !strings.HasSuffix(got, ": met") {
		t.Errorf("8,000/s at p99 3 ms against 890/s and a goal of 8×: %q", got)
	}
	if got := want["/api/roles"].verdict(8000, 5*time.Millisecond); !strings.HasSuffix(got, "**missed**") {
		t.Errorf("p99 5 ms against a goal of 4 ms: %q", got)
	}

	bad := referenceHeading + "\n\n| route | old req/s | old p99 | goal |\n|---|---|---|---|\n| /api/x | many | 1 s | fast |\n"
	if _, err := parseReference(bad); err == nil {
		t.Error("an unreadable reference line was accepted")
	}
}
