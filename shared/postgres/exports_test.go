package postgres_test

import (
	"strings"
	"testing"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// TestMinutesExportReadsWhatFits: the minutes export reads the content of the minutes
// whose sizes fit in the byte budget, and of at least one, not of every minute of
// the page: an association's minutes may be many and long.
func TestMinutesExportReadsWhatFits(t *testing.T) {
	f := newFixture(t)
	ada, bob := f.user("ada", true), f.user("bob", true)
	club := f.association(ada, bob)
	f.exec(`INSERT INTO minutes (association_id, content, date)
		SELECT $1, repeat(chr(96 + n), 30000), '2024-01-01'::timestamptz + n * interval '1 day' FROM generate_series(1, 5) AS n`, club)
	f.exec(`INSERT INTO minute_voters (minute_id, user_id) SELECT id, $1 FROM minutes`, bob.ID)
	f.db.Limits.ResponseBytes = 70000

	for _, c := range []struct {
		offset int
		want   string // the first letter of each minute read
	}{{0, "ab"}, {2, "cd"}, {4, "e"}} {
		export, err := f.db.ExportMinutes(f.ctx, ada, club, asso.Page{Limit: 1000, Offset: c.offset})
		if err != nil {
			t.Fatal(err)
		}
		var got strings.Builder
		for _, m := range export.Rows {
			got.WriteByte(m.Content[0])
			if len(m.Voters) != 1 || m.Voters[0] != "bob Test" {
				t.Errorf("voters %q", m.Voters)
			}
		}
		if got.String() != c.want || export.Total != 5 || export.Name != "Chess club" {
			t.Errorf("from %d: minutes %q of %d in %q, want %q of 5", c.offset, got.String(), export.Total, export.Name, c.want)
		}
	}
	f.db.Limits.ResponseBytes = 1000 // less than any minute: the first comes alone
	if export, err := f.db.ExportMinutes(f.ctx, ada, club, asso.Page{Limit: 1000}); err != nil || len(export.Rows) != 1 {
		t.Errorf("over the budget: %d minutes, %v; want the first alone", len(export.Rows), err)
	}
}
