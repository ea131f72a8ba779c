package apigateway

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
)

// TestConcurrentInvocationsKeepTheirOwnResponses: one route's handler invoked from
// many requests at once answers each with its own body (aws-lambda-go hands back the
// bytes of a buffer it has already returned to its pool: two invocations at once of one
// lambda.Handler could share it: 76 of 16,000 did, before inProcess).
func TestConcurrentInvocationsKeepTheirOwnResponses(t *testing.T) {
	echo := func(_ context.Context, n int) (string, error) { return strings.Repeat(fmt.Sprint(n%10), 4096), nil }
	inv := inProcess{echo}
	var wg sync.WaitGroup
	var mu sync.Mutex
	mixed := 0
	for g := range 8 {
		wg.Go(func() {
			for i := range 2000 {
				n := g*2000 + i
				out, err := inv.Invoke(context.Background(), []byte(fmt.Sprint(n)))
				want := `"` + strings.Repeat(fmt.Sprint(n%10), 4096) + `"`
				if err != nil || !bytes.Equal(out, []byte(want)) {
					mu.Lock()
					mixed++
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if mixed > 0 {
		t.Errorf("%d of 16000 invocations got another's response", mixed)
	}
}
