package mailqueue

import (
	"encoding/json"
	"testing"
	"time"
)

// TestRelayResultEMF: each relay run leaves its counts for CloudWatch.
func TestRelayResultEMF(t *testing.T) {
	var doc map[string]any
	if err := json.Unmarshal(RelayResult{Reminders: 2, RemindersSkipped: 4, Published: 3, Pruned: 120}.EMF(time.Now()), &doc); err != nil {
		t.Fatal(err)
	}
	directive := doc["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)
	if doc["MailsRelayed"] != 3.0 || doc["RowsPruned"] != 120.0 || doc["RemindersQueued"] != 2.0 || doc["RemindersSkipped"] != 4.0 || doc["Function"] != "mail-relay" ||
		directive["Namespace"] != "KittenAsso" || len(directive["Metrics"].([]any)) != 4 {
		t.Errorf("EMF line %v", doc)
	}
}
