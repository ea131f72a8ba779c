package prom

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"gopkg.in/yaml.v3"
)

// TestDashboardsQueryEmittedSeries: every series a Grafana dashboard queries is one
// the code emits.
func TestDashboardsQueryEmittedSeries(t *testing.T) {
	m := New()
	m.ObserveRequest("GET /api", 200, time.Millisecond)
	m.MailsSent.WithLabelValues("invitation").Inc()
	m.MailsFailed.WithLabelValues("invitation", "transient").Inc()
	m.WatchDatabase(func(context.Context) (int, time.Duration, error) { return 0, 0, nil }, func() (int32, int32, int32) { return 0, 0, 2 })
	families, err := m.Registry.Gather()
	if err != nil {
		t.Fatal(err)
	}
	emitted := map[string]bool{}
	for _, f := range families {
		name := f.GetName()
		emitted[name] = true
		if f.GetType().String() == "HISTOGRAM" {
			for _, suffix := range []string{"_bucket", "_sum", "_count"} {
				emitted[name+suffix] = true
			}
		}
	}

	files, _ := filepath.Glob("../../../infra/grafana/dashboards/*.json")
	if len(files) == 0 {
		t.Fatal("no dashboards")
	}
	for name := range yaceSeries(t) {
		emitted[name] = true
	}
	series := regexp.MustCompile(`\b(kittenasso_[a-z_]+|go_[a-z_]+|aws_[a-z0-9_]+)\b`)
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		var dash struct {
			Panels []struct {
				Title   string `json:"title"`
				Targets []struct {
					Expr string `json:"expr"`
				} `json:"targets"`
			} `json:"panels"`
		}
		if err := json.Unmarshal(data, &dash); err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		for _, p := range dash.Panels {
			for _, target := range p.Targets {
				names := series.FindAllString(target.Expr, -1)
				if len(names) == 0 {
					t.Errorf("%s / %s: %q names no series", file, p.Title, target.Expr)
				}
				for _, n := range names {
					if !emitted[n] && !strings.HasPrefix(n, "go_") {
						t.Errorf("%s / %s: %s is not emitted", file, p.Title, n)
					}
				}
			}
		}
	}
}

// yaceSeries lists the series infra/yace/yace.yml makes YACE export, named by its
// convention: aws_<namespace>_<metric in snake case>_<statistic>.
func yaceSeries(t *testing.T) map[string]bool {
	t.Helper()
	data, err := os.ReadFile("../../../infra/yace/yace.yml")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Discovery struct {
			Jobs []struct {
				Type    string `yaml:"type"`
				Metrics []struct {
					Name       string   `yaml:"name"`
					Statistics []string `yaml:"statistics"`
				} `yaml:"metrics"`
			} `yaml:"jobs"`
		} `yaml:"discovery"`
	}
	if err := yaml.Unmarshal(data, &cfg); err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, job := range cfg.Discovery.Jobs {
		namespace := strings.ToLower(strings.TrimPrefix(job.Type, "AWS/"))
		for _, m := range job.Metrics {
			for _, stat := range m.Statistics {
				names["aws_"+namespace+"_"+snake(m.Name)+"_"+strings.ToLower(stat)] = true
			}
		}
	}
	return names
}

// snake turns ApproximateNumberOfMessagesVisible into approximate_number_of_messages_visible.
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) && i > 0 {
			b.WriteByte('_')
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
