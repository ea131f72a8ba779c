package e2e_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/internal/testenv"
	"github.com/kittenasso/kittenasso/shared/local/ports"
	"github.com/kittenasso/kittenasso/shared/mailqueue"
)

// TestQueueCrashMidFanOut kills the SQS emulator while a 301-member invitation is
// being delivered; it comes back empty (as a queue that lost its messages), its
// supervisor makes the queues again, and the relay republishes what was lost. Every
// member gets the invitation exactly once.
func TestQueueCrashMidFanOut(t *testing.T) {
	t.Parallel()
	command := os.Getenv("TEST_SQS_EMULATOR")
	if command == "" {
		testenv.Missing(t, "TEST_SQS_EMULATOR is not set", "`make test` says how to start an SQS emulator")
	}
	port, err := ports.FreePort()
	if err != nil {
		t.Fatal(err)
	}
	var s *mailStack
	emulator := &ports.Process{Name: "SQS emulator", Command: strings.Fields(command), Port: port,
		Env:     []string{"FAUXQS_PORT=" + strconv.Itoa(port), "FAUXQS_LOGGER=false"},
		LogFile: filepath.Join(t.TempDir(), "sqs.log"), Log: slogDiscard(),
		Restarted: func() error { _, _, _, err := s.createQueues(); return err }}
	if err := emulator.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(emulator.Stop)
	s = newMailStackOn(t, "http://127.0.0.1:"+strconv.Itoa(port))

	_, token := s.member(s.addr("ada"))
	s.exec(`INSERT INTO users (email, firstname, lastname, age, password_hash, verified_at)
		SELECT 'm' || n || '-' || $1 || '@example.org', 'Member', 'M', 30, 'x', now() FROM generate_series(1, 300) AS n`, s.suffix)
	members := s.idsOf("Member")
	var club struct{ ID int64 }
	s.request("POST", "/api/associations", token, map[string]any{"name": "Crash", "idUsers": members}).want(t, 201).decode(t, &club)
	s.accept(club.ID, members...)

	// The mailer, fed as Lambda's trigger feeds it, and the relay on its schedule,
	// taking a mail as lost once it was published 2 s ago and is still not sent.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.poller.Run(ctx)
	relay := mailqueue.Relay{DB: s.server.DB, Queue: s.queue, Grace: time.Second, RepublishAfter: 2 * time.Second,
		Batch: 100, Log: slogDiscard()}
	go func() {
		for ctx.Err() == nil {
			relay.Run(ctx)
			time.Sleep(500 * time.Millisecond)
		}
	}()

	s.request("POST", "/api/events", token, map[string]any{"name": "Fan-out", "start": "2031-01-01T10:00:00Z",
		"end": "2031-01-01T12:00:00Z", "association": club.ID}).want(t, 201)
	invitations := func() map[string]int {
		got := map[string]int{}
		for _, e := range s.store() {
			for _, to := range e.Destination.To {
				if strings.Contains(to, "-"+s.suffix+"@") && strings.HasPrefix(e.Subject, "Invitation: Fan-out") {
					got[to]++
				}
			}
		}
		return got
	}
	deadline := time.Now().Add(20 * time.Second)
	for len(invitations()) < 10 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	emulator.Kill()
	sentBefore := len(invitations())
	if sentBefore >= 301 {
		t.Fatalf("all %d invitations left before the crash: the test crashed nothing", sentBefore)
	}

	deadline = time.Now().Add(60 * time.Second)
	for s.count(`SELECT count(*) FROM mail_outbox WHERE kind = 'invitation' AND sent_at IS NULL`) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("after 60 s, %d invitations still not sent", s.count(`SELECT count(*) FROM mail_outbox WHERE kind = 'invitation' AND sent_at IS NULL`))
		}
		time.Sleep(100 * time.Millisecond)
	}
	got := invitations()
	if len(got) != 301 {
		t.Errorf("%d members got the invitation, want 301", len(got))
	}
	for to, n := range got {
		if n != 1 {
			t.Errorf("%s got the invitation %d times", to, n)
		}
	}
	t.Logf("%d invitations sent before the crash, %d after", sentBefore, 301-sentBefore)
}
