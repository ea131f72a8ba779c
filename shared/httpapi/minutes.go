package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

const maxMinuteContent = 100000

// parseMinute reads POST (create: every field required) or PUT /api/minutes bodies.
func parseMinute(f *form, create bool) (asso.MinuteInput, error) {
	in := asso.MinuteInput{
		Content:       f.text("content", create, maxMinuteContent),
		Date:          f.time("date", create),
		AssociationID: f.id("idAssociation", create, true),
		VoterIDs:      f.ids("idVoters", create),
	}
	return in, f.err()
}

var createMinute = create(func(f *form) (asso.MinuteInput, error) { return parseMinute(f, true) },
	func(s *Server, r *http.Request, in asso.MinuteInput) (json.RawMessage, error) {
		return s.DB.CreateMinute(r.Context(), caller(r), in)
	})

var updateMinute = update(func(f *form) (asso.MinuteInput, error) { return parseMinute(f, false) },
	func(s *Server, r *http.Request, id int64, in asso.MinuteInput) (json.RawMessage, error) {
		return s.DB.UpdateMinute(r.Context(), caller(r), id, in)
	})

var listMinutes = listHandler(func(db *postgres.DB, r *http.Request, p asso.Page) (json.RawMessage, int, error) {
	return db.Minutes(r.Context(), p)
})

var getMinute = byID(http.StatusOK, func(s *Server, r *http.Request, id int64) (json.RawMessage, error) {
	return s.DB.Minute(r.Context(), id)
})

var deleteMinute = byID(http.StatusOK, func(s *Server, r *http.Request, id int64) (json.RawMessage, error) {
	return s.DB.DeleteMinute(r.Context(), caller(r), id)
})
