package postgres_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// TestSearch: a search finds the names holding every word, whatever the case and
// accents and in any order; LIKE's characters in it are literal; an address is found
// only by a viewer who may see it; the total counts what was found.
func TestSearch(t *testing.T) {
	f := newFixture(t)
	emilie, bob, alice := f.user("Émilie", true), f.user("Bob", true), f.user("Alice", true)
	f.exec(`UPDATE users SET lastname = 'Dupont' WHERE id = $1`, emilie.ID)
	f.exec(`UPDATE users SET lastname = 'Marley', email = 'bob.marley@example.org' WHERE id = $1`, bob.ID)
	cats := f.association(emilie, bob) // Émilie sees Bob's address; Alice does not
	f.exec(`UPDATE associations SET name = 'Cat lovers' WHERE id = $1`, cats)
	page := asso.Page{Limit: 100}

	for _, tc := range []struct {
		viewer asso.User
		q      string
		want   []int64
	}{
		{alice, "emilie dup", []int64{emilie.ID}},
		{alice, "MARLEY bob", []int64{bob.ID}},
		{alice, "li", []int64{emilie.ID, alice.ID}},
		{alice, "émilie", []int64{emilie.ID}},
		{alice, "%", nil},
		{alice, "bob.marley@", nil}, // an address Alice may not see
		{emilie, "bob.marley@", []int64{bob.ID}},
		{alice, "nobody", nil},
	} {
		users, listed, err := f.db.Users(f.ctx, tc.viewer, asso.Search{Words: strings.Fields(tc.q)}, page)
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		var got []int64
		for _, u := range users {
			got = append(got, u.ID)
		}
		if !slices.Equal(got, tc.want) || listed.Total != len(tc.want) || listed.Count != len(tc.want) {
			t.Errorf("viewer %s searches %q: %v (total %d), want %v", tc.viewer.Firstname, tc.q, got, listed.Total, tc.want)
		}
	}

	chess, echecs := f.association(alice), f.association(alice)
	f.exec(`UPDATE associations SET name = 'Chess Club of Rennes' WHERE id = $1`, chess)
	f.exec(`UPDATE associations SET name = 'Club d''Échecs' WHERE id = $1`, echecs)
	for _, tc := range []struct {
		q    string
		want []int64
	}{
		{"chess", []int64{chess}},
		{"echecs CLUB", []int64{echecs}},
		{"club", []int64{chess, echecs}},
		{"_", nil},
	} {
		doc, listed, err := f.db.Associations(f.ctx, asso.Search{Words: strings.Fields(tc.q)}, page)
		if err != nil {
			t.Fatalf("%q: %v", tc.q, err)
		}
		var found []asso.Association
		if err := json.Unmarshal(doc, &found); err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, a := range found {
			got = append(got, a.ID)
		}
		if !slices.Equal(got, tc.want) || listed.Total != len(tc.want) {
			t.Errorf("associations %q: %v (total %d), want %v", tc.q, got, listed.Total, tc.want)
		}
	}
}
