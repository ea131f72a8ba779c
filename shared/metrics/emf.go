package metrics

import (
	"encoding/json"
	"time"
)

// EMFNamespace is the CloudWatch namespace of the product's metrics.
const EMFNamespace = "KittenAsso"

// EMFRequest is one API invocation as a CloudWatch Embedded Metric Format line: one
// JSON object with _aws.Timestamp (ms) and _aws.CloudWatchMetrics, dimensions
// Function, Route and StatusClass, metrics Requests and Duration. CloudWatch turns
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
				},
			}},
		},
		"Function":    function,
		"Route":       route,
		"StatusClass": StatusClass(status),
		"Requests":    1,
		"Duration":    float64(d.Microseconds()) / 1000,
	})
	return line
}
