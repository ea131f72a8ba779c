package main

import (
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// recorder aggregates results: vegeta's metrics overall, and per second for the charts.
type recorder struct {
	mu      sync.Mutex
	metrics vegeta.Metrics
	byCode  map[string]int
	seconds map[int64][]time.Duration
	first   time.Time
}

func newRecorder() *recorder {
	return &recorder{byCode: map[string]int{}, seconds: map[int64][]time.Duration{}}
}

func (r *recorder) collect(results <-chan vegeta.Result) {
	for res := range results {
		r.mu.Lock()
		if r.first.IsZero() || res.Timestamp.Before(r.first) {
			r.first = res.Timestamp
		}
		r.metrics.Add(&res)
		key := fmt.Sprint(res.Code)
		if res.Error != "" && res.Code == 0 {
			key = "transport error"
		}
		r.byCode[key]++
		sec := res.Timestamp.Unix()
		r.seconds[sec] = append(r.seconds[sec], res.Latency)
		r.mu.Unlock()
	}
}

func (r *recorder) progress() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return fmt.Sprintf("requests %6d  errors %d", r.metrics.Requests, len(r.metrics.Errors))
}

// point is one second of the run.
type point struct {
	T        int // seconds since the start
	Requests int
	P50, P99 float64 // ms
}

func (r *recorder) series() []point {
	var secs []int64
	for s := range r.seconds {
		secs = append(secs, s)
	}
	sort.Slice(secs, func(i, j int) bool { return secs[i] < secs[j] })
	var pts []point
	for _, s := range secs {
		lat := r.seconds[s]
		sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
		ms := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Microseconds()) / 1000 }
		pts = append(pts, point{T: int(s - r.first.Unix()), Requests: len(lat), P50: ms(0.5), P99: ms(0.99)})
	}
	return pts
}

func (r *recorder) write(out, scenario, target string, start time.Time) error {
	r.metrics.Close()
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	host, _ := os.Hostname()
	var text strings.Builder
	fmt.Fprintf(&text, "KittenAsso's load test: %s scenario\n", scenario)
	fmt.Fprintf(&text, "date     %s\nmachine  %s, %s/%s, %d cores\ntarget   %s\n\n", start.UTC().Format(time.RFC3339), host,
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), target)
	if err := vegeta.NewTextReporter(&r.metrics).Report(&text); err != nil {
		return err
	}
	fmt.Fprintf(&text, "\nBy status:\n")
	var codes []string
	for c := range r.byCode {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	for _, c := range codes {
		fmt.Fprintf(&text, "  %-16s %d\n", c, r.byCode[c])
	}
	txtFile := filepath.Join(out, scenario+"-report.txt")
	if err := os.WriteFile(txtFile, []byte(text.String()), 0o644); err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(out, scenario+"-report.html"))
	if err != nil {
		return err
	}
	defer f.Close()
	pts := r.series()
	if err := page.Execute(f, map[string]any{
		"Scenario": scenario, "Summary": text.String(),
		"Throughput": chart(pts, "requests/s", func(p point) float64 { return float64(p.Requests) }),
		"P50":        chart(pts, "p50 ms", func(p point) float64 { return p.P50 }),
		"P99":        chart(pts, "p99 ms", func(p point) float64 { return p.P99 }),
	}); err != nil {
		return err
	}
	fmt.Fprint(os.Stderr, text.String())
	fmt.Fprintf(os.Stderr, "reports: %s and %s\n", txtFile, f.Name())
	return nil
}

// chart draws one series as an SVG polyline, with its maximum marked.
func chart(pts []point, label string, value func(point) float64) template.HTML {
	const w, h = 720.0, 160.0
	maxV, maxT := 1.0, 1
	for _, p := range pts {
		maxV = max(maxV, value(p))
		maxT = max(maxT, p.T)
	}
	var line strings.Builder
	for _, p := range pts {
		fmt.Fprintf(&line, "%.1f,%.1f ", float64(p.T)/float64(maxT)*w, h-value(p)/maxV*h)
	}
	return template.HTML(fmt.Sprintf(`<svg viewBox="0 -20 %.0f %.0f" width="%.0f" height="%.0f" role="img" aria-label="%s over time">`+
		`<text x="0" y="-6" font-size="12">%s (max %.1f) over %d s</text>`+
		`<rect x="0" y="0" width="%.0f" height="%.0f" fill="none" stroke="#ccc"/>`+
		`<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="%s"/></svg>`,
		w, h+20, w, h+20, label, label, maxV, maxT, w, h, line.String()))
}

var page = template.Must(template.New("report").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>KittenAsso's load test: {{.Scenario}}</title>
<style>body{font-family:sans-serif;max-width:760px;margin:2em auto;padding:0 1em}pre{background:#f6f6f6;padding:1em;overflow:auto}</style>
</head><body>
<h1>Load test: {{.Scenario}} scenario</h1>
<h2>Throughput</h2>{{.Throughput}}
<h2>Latency</h2>{{.P50}}{{.P99}}
<h2>Summary</h2><pre>{{.Summary}}</pre>
</body></html>
`))
