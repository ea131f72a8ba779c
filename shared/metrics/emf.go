package metrics

import (
	"encoding/json"
	"slices"
	"time"
)

// EMFNamespace is the CloudWatch namespace of the product's metrics.
const EMFNamespace = "KittenAsso"

// EMFRequest is one API invocation as a CloudWatch Embedded Metric Format line: one
// JSON object with _aws.Timestamp (ms) and _aws.CloudWatchMetrics, dimensions
// Function, Route and StatusClass, metrics Requests, Duration and Throttled (429s:
// throttles and mail budgets). CloudWatch turns
// it into metrics when a Lambda writes it to its log.
func EMFRequest(function, route string, status int, d time.Duration, at time.Time) []byte {
	line, _ := json.Marshal(map[string]any{
		"_aws": map[string]any{
			"Timestamp": at.UnixMilli(),
			"CloudWatchMetrics": []any{map[string]any{
				"Namespace":  EMFNamespace,
				"Dimensions": [][]string{{"Function", "Route", "StatusClass"}},
				"Metrics": []map[string]string{
					{"Name": "Requests", "Unit": "Count"},
					{"Name": "Duration", "Unit": "Milliseconds"},
					{"Name": "Throttled", "Unit": "Count"},
				},
			}},
		},
		"Function":    function,
		"Route":       route,
		"StatusClass": StatusClass(status),
		"Requests":    1,
		"Duration":    float64(d.Microseconds()) / 1000,
		"Throttled":   throttled(status),
	})
	return line
}

// throttled counts a 429: a request refused by a throttle or a budget.
func throttled(status int) int {
	if status == 429 {
		return 1
	}
	return 0
}

// EMFCounts is one EMF line of counts (unit Count) under the given dimensions: what a
// function that is not an API route did in one invocation (the mailer's sends by kind
// and outcome, the relay's publishing and pruning). Counts of zero are written too, so
// that an alarm on them sees data.
func EMFCounts(at time.Time, dimensions map[string]string, counts map[string]float64) []byte {
	keys := make([]string, 0, len(dimensions))
	for k := range dimensions {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	names := make([]string, 0, len(counts))
	for name := range counts {
		names = append(names, name)
	}
	slices.Sort(names)
	defs := make([]map[string]string, len(names))
	doc := map[string]any{}
	for i, name := range names {
		defs[i] = map[string]string{"Name": name, "Unit": "Count"}
		doc[name] = counts[name]
	}
	for k, v := range dimensions {
		doc[k] = v
	}
	doc["_aws"] = map[string]any{
		"Timestamp": at.UnixMilli(),
		"CloudWatchMetrics": []any{map[string]any{
			"Namespace": EMFNamespace, "Dimensions": [][]string{keys}, "Metrics": defs,
		}},
	}
	line, _ := json.Marshal(doc)
	return line
}
