package main

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// referenceFile holds the old system's figures the API benchmark compares with.
const referenceFile = "docs/benchmarks.md"

// reference is one route's line of the old system's table, and its goals.
type reference struct {
	oldRate   float64 // the best requests/s of the old system
	oldRates  string  // as the table says it
	goalRatio float64 // ours / oldRate must reach it
	goalP99   time.Duration
}

var (
	referenceHeading = "## Reference: the old system"
	// A line such as: | /api/roles | 640–890 | 25–38 ms | ≥ 8×, p99 ≤ 4 ms |
	referenceLine = regexp.MustCompile(`^\| (/api/\S+) \| [0-9]+(?:–([0-9]+))?[^|]*\| [^|]+ \| ≥ ([0-9.]+)×, p99 ≤ ([0-9.]+ ?m?s) \|$`)
)

// readReference reads the old system's table from docs/benchmarks.md, so that the
// figures live in one place.
func readReference(path string) (map[string]reference, error) {
	text, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseReference(string(text))
}

func parseReference(text string) (map[string]reference, error) {
	_, section, ok := strings.Cut(text, referenceHeading)
	if !ok {
		return nil, fmt.Errorf("%s: no %q section", referenceFile, referenceHeading)
	}
	section, _, _ = strings.Cut(section, "\n## ")
	refs := map[string]reference{}
	for line := range strings.Lines(section) {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "| /api/") {
			continue
		}
		m := referenceLine.FindStringSubmatch(line)
		if m == nil {
			return nil, fmt.Errorf("%s: cannot read the reference line %q", referenceFile, line)
		}
		cols := strings.Split(line, "|")
		rates := strings.TrimSpace(cols[2])
		best := m[2]
		if best == "" {
			best = strings.Fields(rates)[0]
		}
		rate, _ := strconv.ParseFloat(best, 64) // the pattern matched digits
		ratio, err := strconv.ParseFloat(m[3], 64)
		if err != nil {
			return nil, fmt.Errorf("%s: goal ratio in %q: %w", referenceFile, line, err)
		}
		p99, err := time.ParseDuration(strings.ReplaceAll(m[4], " ", ""))
		if err != nil {
			return nil, fmt.Errorf("%s: goal p99 in %q: %w", referenceFile, line, err)
		}
		refs[m[1]] = reference{oldRate: rate, oldRates: rates, goalRatio: ratio, goalP99: p99}
	}
	if len(refs) == 0 {
		return nil, fmt.Errorf("%s: the reference table has no routes", referenceFile)
	}
	return refs, nil
}

// verdict compares a run at 10 clients with the old system: the ratio, and whether
// both goals are met.
func (ref reference) verdict(rate float64, p99 time.Duration) string {
	ratio := rate / ref.oldRate
	met := "met"
	if ratio < ref.goalRatio || p99 > ref.goalP99 {
		met = "**missed**"
	}
	return fmt.Sprintf("%.1f× (old %s/s) | ≥ %g×, p99 ≤ %v: %s", ratio, ref.oldRates, ref.goalRatio, ref.goalP99, met)
}
