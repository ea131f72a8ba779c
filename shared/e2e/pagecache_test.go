package e2e_test

import (
	"bytes"
	"fmt"
	"testing"
)

// TestNoStaleReadAcrossEnvironments: two instances of the API on one database stand
// for two Lambda environments, each with its own page cache. A page that B keeps is
// served from its cache while nothing changed; after a write committed through A, the
// next read through B is what an instance without a cache answers.
func TestNoStaleReadAcrossEnvironments(t *testing.T) {
	t.Parallel()
	a := newStack(t)
	b, uncached := a.environment(1<<20), a.environment(0)
	ada, adaToken := a.member("ada@example.org")
	bob, bobToken := a.member("bob@example.org")
	club := a.createAssociation(adaToken, "Chess club", ada.ID)
	var minute, event struct{ ID int64 }
	a.request("POST", "/api/minutes", adaToken, map[string]any{"content": "AGM", "date": "2024-01-10",
		"idAssociation": club.ID, "idVoters": []int64{ada.ID}}).want(t, 201).decode(t, &minute)
	a.request("POST", "/api/events", adaToken, map[string]any{"name": "Tournament", "start": "2099-01-01T10:00",
		"end": "2099-01-01T12:00", "association": club.ID}).want(t, 201).decode(t, &event)

	for _, tc := range []struct {
		name, path, token string
		write             func()
	}{
		{"an association renamed", "/api/associations", adaToken, func() {
			a.request("PUT", fmt.Sprintf("/api/associations/%d", club.ID), adaToken, map[string]any{"name": "Go club"}).want(t, 200)
		}},
		{"a member added, whose address the new fellow member may now see", "/api/users", bobToken, func() {
			a.request("PUT", fmt.Sprintf("/api/associations/%d", club.ID), adaToken,
				map[string]any{"idUsers": []int64{ada.ID, bob.ID}}).want(t, 200)
			a.request("PUT", fmt.Sprintf("/api/invitations/%d", club.ID), bobToken, map[string]any{"answer": "accept"}).want(t, 200)
		}},
		{"a member renamed, in the events that list them", "/api/events", adaToken, func() {
			a.request("PUT", fmt.Sprintf("/api/users/%d", bob.ID), bobToken, map[string]any{"firstname": "Robert"}).want(t, 200)
		}},
		{"a role given", "/api/roles", adaToken, func() {
			a.request("POST", "/api/roles", adaToken, map[string]any{"name": "Coach", "idUser": bob.ID, "idAssociation": club.ID}).want(t, 201)
		}},
		{"voters changed", fmt.Sprintf("/api/minutes/%d", minute.ID), adaToken, func() {
			a.request("PUT", fmt.Sprintf("/api/minutes/%d", minute.ID), adaToken, map[string]any{"idVoters": []int64{ada.ID, bob.ID}}).want(t, 200)
		}},
		{"an event moved", fmt.Sprintf("/api/events/association/%d", club.ID), adaToken, func() {
			a.request("PATCH", fmt.Sprintf("/api/events/%d", event.ID), adaToken,
				map[string]any{"start": "2099-02-01T10:00", "end": "2099-02-01T12:00"}).want(t, 200)
		}},
		{"a member's account deleted", fmt.Sprintf("/api/associations/%d/members", club.ID), adaToken, func() {
			a.request("DELETE", fmt.Sprintf("/api/users/%d", bob.ID), bobToken, nil).want(t, 200)
		}},
	} {
		before := b.request("GET", tc.path, tc.token, nil).want(t, 200)
		hits, _, _ := b.server.Pages.Stats()
		again := b.request("GET", tc.path, tc.token, nil).want(t, 200)
		if after, _, _ := b.server.Pages.Stats(); after != hits+1 || !bytes.Equal(again.body, before.body) {
			t.Fatalf("%s: the second read of %s was not served from B's cache (hits %d, then %d)", tc.name, tc.path, hits, after)
		}
		tc.write()
		got := b.request("GET", tc.path, tc.token, nil).want(t, 200)
		want := uncached.request("GET", tc.path, tc.token, nil).want(t, 200)
		if bytes.Equal(want.body, before.body) {
			t.Fatalf("%s: %s did not change, and the test proves nothing", tc.name, tc.path)
		}
		if !bytes.Equal(got.body, want.body) {
			t.Errorf("%s: B answered %s with\n%s\nafter the write through A; the database says\n%s", tc.name, tc.path, got.body, want.body)
		}
	}
}
