package main

import "testing"

// TestFrontendURLFollowsAddr: the mail links of `devstack dev -addr ...` lead to where
// it serves the web app.
func TestFrontendURLFollowsAddr(t *testing.T) {
	for addr, want := range map[string]string{
		"localhost:3000": "http://localhost:3000", // make dev, as the README opens it
		"127.0.0.1:3600": "http://127.0.0.1:3600",
		"[::1]:3600":     "http://[::1]:3600",
		":3600":          "http://localhost:3600", // every interface: no address a browser opens
		"0.0.0.0:3600":   "http://localhost:3600",
		"[::]:3600":      "http://localhost:3600",
		"kitten.lan:80":  "http://kitten.lan:80",
	} {
		if got, err := frontendURL(addr); got != want || err != nil {
			t.Errorf("frontendURL(%q) = %q, %v; want %q", addr, got, err, want)
		}
	}
	if got, err := frontendURL("3600"); err == nil {
		t.Errorf("frontendURL(3600) = %q, want an error: no port", got)
	}
}
