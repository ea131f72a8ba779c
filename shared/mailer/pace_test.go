package mailer

import (
	"context"
	"testing"
	"time"
)

// TestSendInterval: together, the mailers stay under the account's rate.
func TestSendInterval(t *testing.T) {
	for _, tc := range []struct {
		rate        float64
		concurrency int
		want        time.Duration
	}{
		{1, 2, 2 * time.Second},              // the SES sandbox, two mailers
		{14, 2, 142857142 * time.Nanosecond}, // a production quota of 14 a second
		{0, 5, 0},                            // no limit
	} {
		if got := SendInterval(tc.rate, tc.concurrency); got != tc.want {
			t.Errorf("SendInterval(%v, %d) = %v, want %v", tc.rate, tc.concurrency, got, tc.want)
		}
	}
}

// TestPacer: sends are spaced at least the interval apart, and a cancelled context
// stops the wait.
func TestPacer(t *testing.T) {
	p := Pacer{Interval: 40 * time.Millisecond}
	start := time.Now()
	for range 6 {
		if err := p.Wait(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	if elapsed := time.Since(start); elapsed < 200*time.Millisecond {
		t.Errorf("6 sends in %v, want at least 5 intervals (200 ms)", elapsed)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	p = Pacer{Interval: time.Hour}
	p.Wait(ctx) // the first goes at once
	if err := p.Wait(ctx); err == nil {
		t.Error("a cancelled wait returned no error")
	}
	var unpaced Pacer
	start = time.Now()
	for range 100 {
		unpaced.Wait(context.Background())
	}
	if elapsed := time.Since(start); elapsed > 50*time.Millisecond {
		t.Errorf("the zero Pacer waited %v", elapsed)
	}
}
