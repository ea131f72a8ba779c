package metrics

import (
	"encoding/json"
	"testing"
	"time"
)

// TestEMFRequestFollowsTheSpec parses an EMF line back and checks the rules of the
// CloudWatch Embedded Metric Format specification.
func TestEMFRequestFollowsTheSpec(t *testing.T) {
	at := time.Date(2026, 11, 28, 9, 0, 0, 123e6, time.UTC)
	doc := checkEMF(t, EMFRequest("users-list", "GET /api/users", 404, 12345*time.Microsecond, at), at)
	if doc["StatusClass"] != "4xx" || doc["Duration"] != 12.345 || doc["Requests"] != 1.0 || doc["Route"] != "GET /api/users" ||
		doc["Throttled"] != 0.0 {
		t.Errorf("values %v", doc)
	}
	if doc := checkEMF(t, EMFRequest("auth-login", "POST /api/auth/login", 429, time.Millisecond, at), at); doc["Throttled"] != 1.0 {
		t.Errorf("a 429: Throttled %v", doc["Throttled"])
	}
}

// TestEMFCountsFollowsTheSpec: the mailer's and the relay's lines.
func TestEMFCountsFollowsTheSpec(t *testing.T) {
	at := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	doc := checkEMF(t, EMFCounts(at, map[string]string{"Function": "mailer", "Kind": "invitation"},
		map[string]float64{"MailsSent": 9, "MailsFailed": 1, "MailsSkipped": 0}), at)
	if doc["MailsSent"] != 9.0 || doc["MailsSkipped"] != 0.0 || doc["Kind"] != "invitation" {
		t.Errorf("values %v", doc)
	}
}

// checkEMF parses an EMF line back, checks the rules of the CloudWatch Embedded Metric
// Format specification, and returns the object.
func checkEMF(t *testing.T, line []byte, at time.Time) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(line, &doc); err != nil {
		t.Fatalf("not one JSON object: %v", err)
	}
	aws, ok := doc["_aws"].(map[string]any)
	if !ok {
		t.Fatal("no _aws object")
	}
	if ts, ok := aws["Timestamp"].(float64); !ok || int64(ts) != at.UnixMilli() {
		t.Errorf("Timestamp %v, want %d (ms since the epoch)", aws["Timestamp"], at.UnixMilli())
	}
	directives, ok := aws["CloudWatchMetrics"].([]any)
	if !ok || len(directives) != 1 {
		t.Fatalf("CloudWatchMetrics %v", aws["CloudWatchMetrics"])
	}
	d := directives[0].(map[string]any)
	if ns, _ := d["Namespace"].(string); ns == "" || len(ns) > 255 {
		t.Errorf("Namespace %q", ns)
	}
	validUnits := map[string]bool{"Count": true, "Milliseconds": true, "Seconds": true, "None": true}
	for _, set := range d["Dimensions"].([]any) {
		keys := set.([]any)
		if len(keys) == 0 || len(keys) > 30 {
			t.Errorf("a dimension set of %d keys", len(keys))
		}
		for _, k := range keys {
			if v, ok := doc[k.(string)].(string); !ok || v == "" {
				t.Errorf("dimension %v has no string value at the top level", k)
			}
		}
	}
	metrics := d["Metrics"].([]any)
	if len(metrics) == 0 || len(metrics) > 100 {
		t.Fatalf("%d metrics", len(metrics))
	}
	for _, m := range metrics {
		def := m.(map[string]any)
		name, _ := def["Name"].(string)
		if _, ok := doc[name].(float64); !ok {
			t.Errorf("metric %q has no numeric value at the top level", name)
		}
		if unit, ok := def["Unit"].(string); ok && !validUnits[unit] {
			t.Errorf("metric %q: unit %q", name, unit)
		}
	}
	return doc
}
