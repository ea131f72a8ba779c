// Package pgtest gives each test a fresh, migrated PostgreSQL database on the server
// that `make test` starts (TEST_DATABASE_URL).
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/internal/testenv"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// ServerURL returns TEST_DATABASE_URL. Without it the test is skipped locally and
// fails under CI (CI=true), where a missing database is a broken setup, not a skip.
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv("TEST_DATABASE_URL")
	if u == "" {
		testenv.Missing(t, "TEST_DATABASE_URL is not set", "`make test` starts a PostgreSQL for the tests")
	}
	return u
}

// NewDatabaseURL creates an empty database for this test, dropped when it ends.
func NewDatabaseURL(t testing.TB) string {
	t.Helper()
	server := ServerURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	admin, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("connect to the test server: %v", err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	rand.Read(b)
	name := "test_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if conn, err := pgx.Connect(ctx, server); err == nil {
			conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			conn.Close(ctx)
		}
	})
	u, err := url.Parse(server)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open connects to url, closing the pool when the test ends; outbox, when not nil,
// publishes the e-mails each transaction queues. Its statement timeout is far above
// production's: `make test` runs many tests at once on a small machine, and a test
// about the timeout sets its own.
func Open(t testing.TB, url string, outbox postgres.Publisher) *postgres.DB {
	t.Helper()
	db, err := postgres.Open(context.Background(), url, postgres.Options{MaxConns: 20, StatementTimeout: time.Minute,
		Outbox: outbox})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// New returns a connection to a fresh database with every migration applied.
func New(t testing.TB) *postgres.DB {
	t.Helper()
	db := Open(t, NewDatabaseURL(t), nil)
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return db
}
