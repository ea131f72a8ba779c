package postgres

import (
	"context"
	"strconv"
	"strings"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// A search keeps the rows whose searched text holds every word of it, whatever the
// case and the accents: the columns search_name and search_email, which PostgreSQL
// keeps as search_text() of the names and the address (migration 0005). The trigram
// indexes serve the LIKEs.

// matchesAll is the condition that column holds each of n words, the words' LIKE
// patterns being parameters $first to $first+n-1.
func matchesAll(column string, first, n int) string {
	words := make([]string, n)
	for i := range words {
		words[i] = column + " LIKE $" + strconv.Itoa(first+i)
	}
	return "(" + strings.Join(words, " AND ") + ")"
}

// likeEscaper takes LIKE's own characters literally.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// searchPatterns are the parameters of matchesAll for s: one LIKE pattern per word,
// normalised as the columns are, LIKE's own characters in it taken literally. They
// are normalised by a query of their own, so that the search's query gets them as
// values: the planner then sees how selective they are, and uses the index when
// they are.
func (db *DB) searchPatterns(ctx context.Context, s asso.Search) ([]any, error) {
	words := make([]string, len(s.Words))
	for i, w := range s.Words {
		words[i] = "%" + likeEscaper.Replace(w) + "%"
	}
	var patterns []string
	err := db.pool.QueryRow(ctx, `SELECT array_agg(search_text(w) ORDER BY n) FROM unnest($1::text[]) WITH ORDINALITY AS t(w, n)`,
		words).Scan(&patterns)
	args := make([]any, len(patterns))
	for i, p := range patterns {
		args[i] = p
	}
	return args, err
}
