package setup

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/kittenasso/kittenasso/shared/auth"
	"github.com/kittenasso/kittenasso/shared/postgres/pgtest"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func TestConcurrentFirstStartsCreateOneAdmin(t *testing.T) {
	url := pgtest.NewDatabaseURL(t)
	const starts = 4
	results := make([]Result, starts)
	errs := make([]error, starts)
	var wg sync.WaitGroup
	for i := range starts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			// Each start has its own pool, as two Lambda instances would.
			db := pgtest.Open(t, url, nil)
			results[i], errs[i] = Run(context.Background(), db, "admin@administration.fr", "admin", quiet)
		}()
	}
	wg.Wait()
	migrated, created := 0, 0
	for i := range starts {
		if errs[i] != nil {
			t.Fatalf("start %d: %v", i, errs[i])
		}
		if len(results[i].Applied) > 0 {
			migrated++
		}
		if results[i].AdminCreated {
			created++
		}
	}
	if migrated != 1 || created != 1 {
		t.Errorf("%d starts migrated and %d created the admin, want 1 and 1", migrated, created)
	}

	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	var n int
	var first, last, hash string
	var age int
	var admin, verified bool
	err = conn.QueryRow(context.Background(), `
		SELECT count(*) OVER (), firstname, lastname, age, is_admin, verified_at IS NOT NULL, password_hash
		FROM users`).Scan(&n, &first, &last, &age, &admin, &verified, &hash)
	if err != nil {
		t.Fatal(err)
	}
	if n != 1 || first != "admin" || last != "admin" || age != 21 || !admin || !verified || !auth.CheckPassword(hash, "admin") {
		t.Errorf("admin row: n=%d %s %s %d admin=%v verified=%v", n, first, last, age, admin, verified)
	}
}

func TestRunIsIdempotentAndSkipsAdminWhenUsersExist(t *testing.T) {
	db := pgtest.Open(t, pgtest.NewDatabaseURL(t), nil)
	ctx := context.Background()
	first, err := Run(ctx, db, "", "", quiet)
	if err != nil || len(first.Applied) == 0 || first.AdminCreated {
		t.Fatalf("first run %+v, %v", first, err)
	}
	again, err := Run(ctx, db, "", "", quiet)
	if err != nil || len(again.Applied) != 0 {
		t.Fatalf("second run %+v, %v: applied migrations twice", again, err)
	}
	if _, err := db.EnsureDefaultAdmin(ctx, "someone@example.org", "x"); err != nil {
		t.Fatal(err)
	}
	res, err := Run(ctx, db, "admin@administration.fr", "admin", quiet)
	if err != nil || res.AdminCreated {
		t.Errorf("with a user present: %+v, %v; want no admin created", res, err)
	}
}
