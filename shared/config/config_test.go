package config

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	c, err := Load(env(map[string]string{
		"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("s", 32),
		"FRONTEND_URL": "https://club.example.org/",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.JWTTTL != time.Hour || c.DBMaxConns != 2 || c.FrontendURL != "https://club.example.org" {
		t.Errorf("defaults: ttl %v, conns %d, frontend %q", c.JWTTTL, c.DBMaxConns, c.FrontendURL)
	}
	if !slices.Equal(c.CORSOrigins, []string{"https://club.example.org"}) {
		t.Errorf("CORS origins default to the frontend origin, got %v", c.CORSOrigins)
	}
}

func TestLoadRefusesBadSettings(t *testing.T) {
	for name, m := range map[string]map[string]string{
		"no database":  {"JWT_SECRET": strings.Repeat("s", 32)},
		"short secret": {"DATABASE_URL": "postgres://x", "JWT_SECRET": "short"},
		"bad ttl":      {"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("s", 32), "JWT_TTL": "soon"},
		"cors star":    {"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("s", 32), "CORS_ORIGINS": "*"},
		"bad frontend": {"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("s", 32), "FRONTEND_URL": "ftp:/x"},
	} {
		if _, err := Load(env(m)); err == nil {
			t.Errorf("%s: Load accepted it", name)
		}
	}
}
