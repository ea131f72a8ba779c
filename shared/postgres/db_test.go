package postgres_test

import (
	"context"
	"net/url"
	"sync/atomic"
	"testing"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// TestRotatedPasswordWithoutRestart: the connection string comes from the secret at
// every new connection, so after the password is rotated (and the old sessions end),
// the pool connects with the new one; nothing is restarted or redeployed.
func TestRotatedPasswordWithoutRestart(t *testing.T) {
	f := newFixture(t)
	ada := f.user("ada", true)
	// Members of password_login must give their password (the test cluster trusts
	// everyone else; cmd/devstack's requirePasswords).
	f.exec(`DO $$ BEGIN CREATE ROLE password_login NOLOGIN; EXCEPTION WHEN duplicate_object THEN NULL; END $$`)
	f.exec(`DROP ROLE IF EXISTS rotating`)
	f.exec(`CREATE ROLE rotating LOGIN PASSWORD 'first password' IN ROLE password_login`)
	t.Cleanup(func() {
		f.sql.Exec(context.Background(), `DROP OWNED BY rotating`)
		f.sql.Exec(context.Background(), `DROP ROLE rotating`)
	})
	f.exec(`GRANT SELECT ON ALL TABLES IN SCHEMA public TO rotating`)
	f.exec(`GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO rotating`)

	base, err := url.Parse(f.url)
	if err != nil {
		t.Fatal(err)
	}
	var password atomic.Value
	password.Store("first password")
	reads := atomic.Int32{}
	secret := func(context.Context) (string, error) { // what secrets.DatabaseCredentials gives
		reads.Add(1)
		u := *base
		u.User = url.UserPassword("rotating", password.Load().(string))
		return u.String(), nil
	}
	db, err := postgres.Open(f.ctx, "", postgres.Options{MaxConns: 1, Credentials: secret})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, _, err := db.Authenticate(f.ctx, ada.ID, 0); err != nil {
		t.Fatalf("before the rotation: %v", err)
	}

	// The rotation: a new password, and the sessions of the old one ended.
	password.Store("second password")
	f.exec(`ALTER ROLE rotating PASSWORD 'second password'`)
	f.exec(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = 'rotating'`)
	var lastErr error
	for range 3 { // the pool finds its connection dead, then connects again
		if _, _, lastErr = db.Authenticate(f.ctx, ada.ID, 0); lastErr == nil {
			break
		}
		if !postgres.Unavailable(lastErr) && asso.ErrorCode(lastErr) != asso.EINTERNAL {
			t.Fatalf("after the rotation: %v", lastErr)
		}
	}
	if lastErr != nil {
		t.Fatalf("after the rotation the pool does not reconnect: %v", lastErr)
	}
	// The old password no longer opens a connection: the pool really used the new one.
	stale := *base
	stale.User = url.UserPassword("rotating", "first password")
	if old, err := postgres.Open(f.ctx, stale.String(), postgres.Options{MaxConns: 1}); err == nil {
		_, _, err = old.Authenticate(f.ctx, ada.ID, 0)
		old.Close()
		if err == nil {
			t.Fatal("the old password still signs in: the cluster does not check passwords, and this test proves nothing")
		}
	}
	if reads.Load() < 2 {
		t.Errorf("the secret was read %d times: the new connection did not read it again", reads.Load())
	}
}
