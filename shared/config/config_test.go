package config

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
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
	if c.Limits != asso.DefaultLimits || c.Throttle != asso.DefaultLoginThrottle || c.StatementTimeout != 5*time.Second ||
		c.MailRepublishAfter != 15*time.Minute || c.MailRetention != 30*24*time.Hour || c.MailMaxDelay != 15*time.Minute {
		t.Errorf("limits %+v, throttle %+v, timeouts %v %v %v %v", c.Limits, c.Throttle, c.StatementTimeout,
			c.MailRepublishAfter, c.MailRetention, c.MailMaxDelay)
	}
}

func TestLoadLimits(t *testing.T) {
	c, err := Load(env(map[string]string{
		"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("s", 32),
		"MAX_MEMBERS": "50", "MAX_VOTERS": "60", "RESPONSE_MAX_BYTES": "1000000", "MAIL_UPDATE_WINDOW": "5m",
		"MAIL_BUDGET_PER_USER": "100", "MAIL_BUDGET_PER_ASSOCIATION": "200", "SIGNUPS_PER_CLIENT_HOUR": "7",
		"RESENDS_PER_CLIENT_HOUR": "8", "DB_STATEMENT_TIMEOUT": "2s", "INVITATION_MAILS_PER_ADDRESS": "2",
		"EMAIL_INVITATIONS_PER_USER_DAY": "9",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := asso.Limits{MaxMembers: 50, MaxVoters: 60, ResponseBytes: 1000000, UpdateWindow: 5 * time.Minute,
		MailsPerUserHour: 100, MailsPerAssociationHour: 200, JoinMailsPerAddress: 2, EmailInvitationsPerUserDay: 9}
	if c.Limits != want || c.Throttle.SignUpsPerClient != 7 || c.Throttle.ResendsPerClient != 8 || c.StatementTimeout != 2*time.Second {
		t.Errorf("limits %+v, throttle %+v, statement timeout %v", c.Limits, c.Throttle, c.StatementTimeout)
	}
}

func TestLoadRefusesBadSettings(t *testing.T) {
	for name, m := range map[string]map[string]string{
		"no database":  {"JWT_SECRET": strings.Repeat("s", 32)},
		"short secret": {"DATABASE_URL": "postgres://x", "JWT_SECRET": "short"},
		"bad ttl":      {"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("s", 32), "JWT_TTL": "soon"},
		"cors star":    {"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("s", 32), "CORS_ORIGINS": "*"},
		"bad frontend": {"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("s", 32), "FRONTEND_URL": "ftp:/x"},
		"zero members": {"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("s", 32), "MAX_MEMBERS": "0"},
		"bad window":   {"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("s", 32), "MAIL_UPDATE_WINDOW": "-1m"},
		"budget under the largest association": {"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("s", 32),
			"MAIL_BUDGET_PER_USER": "999"},
		"short retention": {"DATABASE_URL": "postgres://x", "JWT_SECRET": strings.Repeat("s", 32), "MAIL_RETENTION": "1h"},
	} {
		if _, err := Load(env(m)); err == nil {
			t.Errorf("%s: Load accepted it", name)
		}
	}
}

// TestVariablesListsEveryName: the local stack passes Variables on to the functions'
// processes, so every name this package reads must be in it.
func TestVariablesListsEveryName(t *testing.T) {
	read := map[string]bool{}
	record := func(k string) string { read[k] = true; return "" }
	Load(record)
	LoadMail(record)
	LoadDatabase(record)
	for k := range read {
		if !slices.Contains(Variables, k) {
			t.Errorf("%s is read but not in Variables", k)
		}
	}
}
