package postgres_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// Writes that do not queue (issue 23, migration 0013): the common writes to an
// association hold its lock only while PostgreSQL works, and stay as correct as
// when they held it across round trips.

// lockWatch is a pgx tracer that, each time the store is about to send statements,
// looks from a connection of its own whether an association's row is locked. With
// one write at a time, a statement sent while the row is locked is one that the
// write's transaction, holding the lock, waited for: a round trip to the API server
// (which, under load, waits for a core) inside the locked section.
type lockWatch struct {
	t           *testing.T
	sql         *pgxpool.Pool
	association int64

	mu         sync.Mutex
	sends      int
	sentLocked []string
}

// locked reports whether another transaction holds the association's row.
func (w *lockWatch) locked() bool {
	var id int64
	err := w.sql.QueryRow(context.Background(),
		`SELECT id FROM associations WHERE id = $1 FOR NO KEY UPDATE SKIP LOCKED`, w.association).Scan(&id)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		w.t.Error(err)
	}
	return errors.Is(err, pgx.ErrNoRows)
}

func (w *lockWatch) sending(sql string) {
	locked := w.locked()
	w.mu.Lock()
	defer w.mu.Unlock()
	w.sends++
	if locked {
		statement := strings.Join(strings.Fields(sql), " ")
		w.sentLocked = append(w.sentLocked, statement[:min(60, len(statement))])
	}
}

// seen returns what was sent since the last call, and what of it while the row was locked.
func (w *lockWatch) seen() (sends int, sentLocked []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	sends, sentLocked = w.sends, w.sentLocked
	w.sends, w.sentLocked = 0, nil
	return sends, sentLocked
}

func (w *lockWatch) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	w.sending(data.SQL)
	return ctx
}

func (w *lockWatch) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (w *lockWatch) TraceBatchStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceBatchStartData) context.Context {
	w.sending("batch: " + data.Batch.QueuedQueries[0].SQL)
	return ctx
}

func (w *lockWatch) TraceBatchQuery(context.Context, *pgx.Conn, pgx.TraceBatchQueryData) {}

func (w *lockWatch) TraceBatchEnd(context.Context, *pgx.Conn, pgx.TraceBatchEndData) {}

// TestWritesHoldNoLockAcrossRoundTrips: writing minutes, renaming a role and renaming
// an association send nothing to PostgreSQL while the association's row is locked:
// the lock, the writes, the answer and the commit go in one round trip, so the next
// writer never waits for this process. (Before, the transaction sent each statement
// after the lock, and its COMMIT, one round trip at a time; under 50 clients a writer
// held the lock idle two thirds of the time.)
func TestWritesHoldNoLockAcrossRoundTrips(t *testing.T) {
	f := newFixture(t)
	ada, bob := f.user("ada", true), f.user("bob", true)
	club := f.association(ada, bob)
	watch := &lockWatch{t: t, sql: f.sql, association: club}
	db, err := postgres.OpenTraced(f.ctx, f.url, watch)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()

	// The watch sees a lock when one is held.
	tx, err := f.sql.Begin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(f.ctx, `SELECT 1 FROM associations WHERE id = $1 FOR NO KEY UPDATE`, club); err != nil {
		t.Fatal(err)
	}
	if !watch.locked() {
		t.Fatal("the watch does not see a lock that is held")
	}
	tx.Rollback(f.ctx)

	content, name, day := "Minutes", "Renamed", time.Date(2030, 1, 1, 18, 0, 0, 0, time.UTC)
	voters := []int64{ada.ID, bob.ID}
	for _, w := range []struct {
		name  string
		write func() error
	}{
		{"CreateMinute", func() error {
			_, err := db.CreateMinute(f.ctx, ada, asso.MinuteInput{Content: &content, Date: &day, AssociationID: &club, VoterIDs: &voters})
			return err
		}},
		{"RenameRole", func() error {
			_, err := db.RenameRole(f.ctx, ada, asso.RoleKey{UserID: bob.ID, AssociationID: club}, "Captain")
			return err
		}},
		{"UpdateAssociation (a rename)", func() error {
			_, err := db.UpdateAssociation(f.ctx, ada, club, asso.AssociationInput{Name: &name})
			return err
		}},
	} {
		watch.seen()
		if err := w.write(); err != nil {
			t.Fatalf("%s: %v", w.name, err)
		}
		sends, sentLocked := watch.seen()
		if sends == 0 {
			t.Errorf("%s: the watch saw nothing sent", w.name)
		}
		if len(sentLocked) > 0 {
			t.Errorf("%s sent %q while holding the association's lock: the next writer waited for round trips to this process",
				w.name, sentLocked)
		}
	}
}

// TestWriteRefusedWhenDemotedMeanwhile: a write waiting for the association's lock
// while another transaction takes the caller's management away is refused once that
// commits. The right to write is checked after the lock is granted, by a statement
// that sees what committed before, and holds until the commit. (Before migration
// 0013 the membership was read by the statement that waited for the lock, from the
// snapshot it took before waiting: every write went through.)
func TestWriteRefusedWhenDemotedMeanwhile(t *testing.T) {
	f := newFixture(t)
	ada, bob := f.user("ada", true), f.user("bob", true)
	club := f.association(ada, bob)
	content, renamed, day := "Minutes", "Renamed", time.Date(2030, 1, 1, 18, 0, 0, 0, time.UTC)
	none := []int64{}
	for _, w := range []struct {
		name  string
		write func() error
	}{
		{"CreateMinute", func() error {
			_, err := f.db.CreateMinute(f.ctx, bob, asso.MinuteInput{Content: &content, Date: &day, AssociationID: &club, VoterIDs: &none})
			return err
		}},
		{"RenameRole", func() error {
			_, err := f.db.RenameRole(f.ctx, bob, asso.RoleKey{UserID: ada.ID, AssociationID: club}, "Captain")
			return err
		}},
		{"UpdateAssociation (a rename)", func() error {
			_, err := f.db.UpdateAssociation(f.ctx, bob, club, asso.AssociationInput{Name: &renamed})
			return err
		}},
		{"SetRole (a write that is not one pipeline)", func() error {
			_, err := f.db.SetRole(f.ctx, bob, asso.RoleKey{UserID: ada.ID, AssociationID: club}, "Treasurer")
			return err
		}},
	} {
		f.manager(ada, bob, club)
		var before string
		f.scan(`SELECT (SELECT count(*) FROM minutes)::text || (SELECT name FROM associations WHERE id = $1) ||
			COALESCE((SELECT name FROM roles WHERE user_id = $2), '')`, []any{club, ada.ID}, &before)

		tx, err := f.sql.Begin(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(f.ctx, `SELECT 1 FROM associations WHERE id = $1 FOR NO KEY UPDATE`, club); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(f.ctx, `UPDATE memberships SET manager = false WHERE association_id = $1 AND user_id = $2`, club, bob.ID); err != nil {
			t.Fatal(err)
		}
		done := make(chan error, 1)
		go func() { done <- w.write() }()
		waitForLockWait(t, f)
		if err := tx.Commit(f.ctx); err != nil {
			t.Fatal(err)
		}
		if err := <-done; reason(err) != "not_manager" {
			t.Errorf("%s by bob, demoted while it waited: %v, want forbidden (not_manager)", w.name, err)
		}
		var after string
		f.scan(`SELECT (SELECT count(*) FROM minutes)::text || (SELECT name FROM associations WHERE id = $1) ||
			COALESCE((SELECT name FROM roles WHERE user_id = $2), '')`, []any{club, ada.ID}, &after)
		if after != before {
			t.Errorf("%s refused, yet it wrote: %q, then %q", w.name, before, after)
		}
	}
}

// waitForLockWait returns once a session of the test's database waits for a lock.
func waitForLockWait(t *testing.T, f *fixture) {
	t.Helper()
	for start := time.Now(); time.Since(start) < 30*time.Second; time.Sleep(5 * time.Millisecond) {
		var waiting int
		f.scan(`SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`, nil, &waiting)
		if waiting > 0 {
			return
		}
	}
	t.Fatal("no write waited for the association's lock")
}

// TestConcurrentWritesOnOneAssociation: writers at once on one association (minutes
// written, a role renamed, the association renamed) lose nothing and mix nothing up:
// every answer is the write's own (the minutes it wrote, with their voters; the name
// it gave), every minute written is there and counted, and once a write has answered,
// the data version that the page caches compare has grown, so no cached page from
// before it is served again.
func TestConcurrentWritesOnOneAssociation(t *testing.T) {
	f := newFixture(t)
	ada, bob := f.user("ada", true), f.user("bob", true)
	club := f.association(ada, bob)
	version := func() int64 {
		_, v, err := f.db.Authenticate(f.ctx, ada.ID, 0)
		if err != nil {
			t.Error(err)
		}
		return v
	}
	day := time.Date(2030, 1, 1, 18, 0, 0, 0, time.UTC)
	voters := []int64{bob.ID, ada.ID}
	const clients, rounds = 16, 12

	var mu sync.Mutex
	minutes := map[int64]string{}
	var wg sync.WaitGroup
	for c := range clients {
		wg.Go(func() {
			for n := range rounds {
				label := fmt.Sprintf("%d.%d", c, n)
				before := version()
				switch (c + n) % 3 {
				case 0:
					content := "Decision " + label
					doc, err := f.db.CreateMinute(f.ctx, ada, asso.MinuteInput{Content: &content, Date: &day, AssociationID: &club, VoterIDs: &voters})
					var m asso.Minute
					if err == nil {
						err = json.Unmarshal(doc, &m)
					}
					if err != nil || m.Content != content || len(m.Voters) != 2 || m.Association.ID != club {
						t.Errorf("CreateMinute %q answered %s, %v", content, doc, err)
					}
					mu.Lock()
					if other, ok := minutes[m.ID]; ok {
						t.Errorf("minutes %d answered to %q and %q", m.ID, other, content)
					}
					minutes[m.ID] = content
					mu.Unlock()
				case 1:
					name := "Chair " + label
					doc, err := f.db.RenameRole(f.ctx, ada, asso.RoleKey{UserID: bob.ID, AssociationID: club}, name)
					var r asso.Role
					if err == nil {
						err = json.Unmarshal(doc, &r)
					}
					if err != nil || r.Name != name || r.UserID != bob.ID {
						t.Errorf("RenameRole %q answered %s, %v", name, doc, err)
					}
				case 2:
					name := "Board " + label
					doc, err := f.db.UpdateAssociation(f.ctx, ada, club, asso.AssociationInput{Name: &name})
					var a asso.Association
					if err == nil {
						err = json.Unmarshal(doc, &a)
					}
					if err != nil || a.Name != name || len(a.Members) != 2 {
						t.Errorf("UpdateAssociation %q answered %s, %v", name, doc, err)
					}
				}
				if after := version(); after <= before {
					t.Errorf("write %s answered, yet the data version went from %d to %d: a cached page would be served stale",
						label, before, after)
				}
			}
		})
	}
	wg.Wait()

	for id, content := range minutes {
		var stored string
		var votes int
		f.scan(`SELECT content, (SELECT count(*) FROM minute_voters WHERE minute_id = $1) FROM minutes WHERE id = $1`, []any{id}, &stored, &votes)
		if stored != content || votes != 2 {
			t.Errorf("minutes %d: %q with %d votes, want %q with 2", id, stored, votes, content)
		}
	}
	var written, counted, roles int
	f.scan(`SELECT (SELECT count(*) FROM minutes WHERE association_id = $1),
		(SELECT row_count FROM data_versions WHERE name = 'minutes'),
		(SELECT count(*) FROM roles WHERE association_id = $1)`, []any{club}, &written, &counted, &roles)
	if written != len(minutes) || counted != written || roles != 1 {
		t.Errorf("%d minutes answered, %d stored, %d counted; %d roles, want 1", len(minutes), written, counted, roles)
	}
}

// TestDataVersionsBumpedAtCommit: a transaction that writes a table holds no lock on
// that table's data version until it commits, so writers of one table in different
// associations do not wait for each other's transactions, and two transactions
// writing two tables in opposite orders do not deadlock; the versions and row counts
// still move with each commit, and only with it. (Before migration 0013 each
// statement bumped the version and held its row until the transaction ended: the
// second writer below waited for the first until its lock timeout.)
func TestDataVersionsBumpedAtCommit(t *testing.T) {
	f := newFixture(t)
	ada := f.user("ada", true)
	one, two := f.association(ada), f.association(ada)
	versions := func() (sum, minutes, voters int64) {
		t.Helper()
		f.scan(`SELECT sum(version)::bigint, sum(row_count) FILTER (WHERE name = 'minutes'),
			sum(row_count) FILTER (WHERE name = 'minute_voters') FROM data_versions`, nil, &sum, &minutes, &voters)
		return sum, minutes, voters
	}
	begin := func() pgx.Tx {
		t.Helper()
		tx, err := f.sql.Begin(f.ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { tx.Rollback(context.Background()) })
		if _, err := tx.Exec(f.ctx, `SET LOCAL lock_timeout = '3s'`); err != nil {
			t.Fatal(err)
		}
		return tx
	}
	exec := func(tx pgx.Tx, who, sql string, args ...any) {
		t.Helper()
		if _, err := tx.Exec(f.ctx, sql, args...); err != nil {
			t.Fatalf("%s: %s: %v", who, strings.Fields(sql)[0], err)
		}
	}
	f.exec(`INSERT INTO minutes (association_id, content, date) VALUES ($1, 'old', now())`, two)
	f.exec(`INSERT INTO minute_voters (minute_id, user_id) SELECT id, $1 FROM minutes WHERE content = 'old'`, ada.ID)
	before, minutes, voters := versions()

	first, second := begin(), begin()
	exec(first, "the first writer", `INSERT INTO minutes (association_id, content, date) VALUES ($1, 'first', now())`, one)
	exec(second, "the second writer, while the first is open", `DELETE FROM minute_voters WHERE user_id = $1`, ada.ID)
	exec(second, "the second writer, while the first is open", `INSERT INTO minutes (association_id, content, date) VALUES ($1, 'second', now())`, two)
	exec(first, "the first writer, after the second", `INSERT INTO minute_voters (minute_id, user_id) SELECT id, $1 FROM minutes WHERE content = 'first'`, ada.ID)
	if sum, _, _ := versions(); sum != before {
		t.Errorf("the data version moved from %d to %d before any commit", before, sum)
	}
	if err := second.Commit(f.ctx); err != nil {
		t.Fatal(err)
	}
	afterSecond, m, v := versions()
	if afterSecond <= before || m != minutes+1 || v != voters-1 {
		t.Errorf("after the second commit: version %d (was %d), %d minutes (was %d), %d votes (was %d)",
			afterSecond, before, m, minutes, v, voters)
	}
	if err := first.Commit(f.ctx); err != nil {
		t.Fatal(err)
	}
	afterFirst, m, v := versions()
	if afterFirst <= afterSecond || m != minutes+2 || v != voters {
		t.Errorf("after the first commit: version %d (was %d), %d minutes (was %d), %d votes (was %d)",
			afterFirst, afterSecond, m, minutes, v, voters)
	}
	var left int
	f.scan(`SELECT count(*) FROM data_version_flushes`, nil, &left)
	if left != 0 {
		t.Errorf("%d rows left in data_version_flushes", left)
	}
}

// TestOneTripWritesInEveryQueryMode: the pipelined writes answer and refuse the same
// in every pgx query mode: prepared statements (the default), exec (behind RDS Proxy
// or PgBouncer) and the simple protocol. A refusal and an unknown voter leave nothing
// written: the pipeline is one transaction.
func TestOneTripWritesInEveryQueryMode(t *testing.T) {
	f := newFixture(t)
	ada, bob := f.user("ada", true), f.user("bob", true)
	club := f.association(ada, bob)
	day := time.Date(2030, 1, 1, 18, 0, 0, 0, time.UTC)
	for _, mode := range []string{"cache_statement", "exec", "simple_protocol"} {
		sep := "?"
		if strings.Contains(f.url, "?") {
			sep = "&"
		}
		db, err := postgres.Open(f.ctx, f.url+sep+"default_query_exec_mode="+mode, postgres.Options{})
		if err != nil {
			t.Fatal(err)
		}
		content, name := "Minutes in "+mode, "Club in "+mode
		doc, err := db.CreateMinute(f.ctx, ada, asso.MinuteInput{Content: &content, Date: &day, AssociationID: &club, VoterIDs: &[]int64{bob.ID}})
		var m asso.Minute
		if err == nil {
			err = json.Unmarshal(doc, &m)
		}
		if err != nil || m.Content != content || len(m.Voters) != 1 || m.Voters[0].ID != bob.ID || m.Date != "2030-01-01T18:00:00Z" {
			t.Errorf("%s: CreateMinute answered %s, %v", mode, doc, err)
		}
		doc, err = db.RenameRole(f.ctx, ada, asso.RoleKey{UserID: bob.ID, AssociationID: club}, name)
		var r asso.Role
		if err == nil {
			err = json.Unmarshal(doc, &r)
		}
		if err != nil || r.Name != name || r.UserID != bob.ID {
			t.Errorf("%s: RenameRole answered %s, %v", mode, doc, err)
		}
		doc, err = db.UpdateAssociation(f.ctx, ada, club, asso.AssociationInput{Name: &name})
		var a asso.Association
		if err == nil {
			err = json.Unmarshal(doc, &a)
		}
		if err != nil || a.Name != name || len(a.Members) != 2 {
			t.Errorf("%s: UpdateAssociation answered %s, %v", mode, doc, err)
		}

		var before string
		state := `SELECT (SELECT count(*) FROM minutes)::text || (SELECT name FROM associations WHERE id = $1) ||
			(SELECT string_agg(name, ',') FROM roles WHERE association_id = $1)`
		f.scan(state, []any{club}, &before)
		refused, unknown := "Refused", []int64{bob.ID, bob.ID + 1000}
		if _, err := db.CreateMinute(f.ctx, bob, asso.MinuteInput{Content: &refused, Date: &day, AssociationID: &club, VoterIDs: &[]int64{}}); reason(err) != "not_manager" {
			t.Errorf("%s: CreateMinute by a plain member: %v, want not_manager", mode, err)
		}
		if _, err := db.RenameRole(f.ctx, bob, asso.RoleKey{UserID: bob.ID, AssociationID: club}, refused); reason(err) != "not_manager" {
			t.Errorf("%s: RenameRole by a plain member: %v, want not_manager", mode, err)
		}
		if _, err := db.UpdateAssociation(f.ctx, bob, club, asso.AssociationInput{Name: &refused}); reason(err) != "not_manager" {
			t.Errorf("%s: UpdateAssociation by a plain member: %v, want not_manager", mode, err)
		}
		if _, err := db.CreateMinute(f.ctx, ada, asso.MinuteInput{Content: &refused, Date: &day, AssociationID: &club, VoterIDs: &unknown}); asso.ErrorCode(err) != asso.ENOTFOUND {
			t.Errorf("%s: CreateMinute with a voter who is no user: %v, want not found", mode, err)
		}
		if _, err := db.CreateMinute(f.ctx, ada, asso.MinuteInput{Content: &refused, Date: &day, AssociationID: &[]int64{club + 1000}[0], VoterIDs: &[]int64{}}); asso.ErrorCode(err) != asso.ENOTFOUND {
			t.Errorf("%s: CreateMinute in no association: %v, want not found", mode, err)
		}
		if _, err := db.RenameRole(f.ctx, ada, asso.RoleKey{UserID: bob.ID, AssociationID: club + 1000}, refused); asso.ErrorCode(err) != asso.ENOTFOUND {
			t.Errorf("%s: RenameRole in no association: %v, want not found", mode, err)
		}
		var after string
		f.scan(state, []any{club}, &after)
		if after != before {
			t.Errorf("%s: refused writes wrote: %q, then %q", mode, before, after)
		}
		db.Close()
	}
}

// TestSharedWritesDoNotWaitForEachOther: writing minutes and renaming a role take the
// association's lock shared (migration 0013): they go through while another such write
// holds it, and a write that changes the association itself (a rename here; membership
// and manager changes alike) waits for them to commit.
func TestSharedWritesDoNotWaitForEachOther(t *testing.T) {
	f := newFixture(t)
	ada, bob := f.user("ada", true), f.user("bob", true)
	club := f.association(ada, bob)
	// A write of minutes in progress, as far as the lock goes.
	tx, err := f.sql.Begin(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(f.ctx)
	if _, err := tx.Exec(f.ctx, `SELECT 1 FROM associations WHERE id = $1 FOR SHARE`, club); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(f.ctx, 10*time.Second)
	defer cancel()
	content, day := "Minutes", time.Date(2030, 1, 1, 18, 0, 0, 0, time.UTC)
	if _, err := f.db.CreateMinute(ctx, ada, asso.MinuteInput{Content: &content, Date: &day, AssociationID: &club, VoterIDs: &[]int64{bob.ID}}); err != nil {
		t.Errorf("CreateMinute beside another shared write: %v", err)
	}
	if _, err := f.db.RenameRole(ctx, ada, asso.RoleKey{UserID: bob.ID, AssociationID: club}, "Captain"); err != nil {
		t.Errorf("RenameRole beside another shared write: %v", err)
	}

	name := "Renamed"
	done := make(chan error, 1)
	go func() {
		_, err := f.db.UpdateAssociation(f.ctx, ada, club, asso.AssociationInput{Name: &name})
		done <- err
	}()
	waitForLockWait(t, f)
	select {
	case err := <-done:
		t.Fatalf("the association was renamed while a shared write held it: %v", err)
	default:
	}
	if err := tx.Commit(f.ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("the rename, once the shared write committed: %v", err)
	}
}
