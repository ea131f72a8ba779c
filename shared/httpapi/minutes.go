package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/kittenasso/kittenasso/shared/asso"
)

const maxMinuteContent = 100000

// parseMinute reads POST (create: every field required) or PUT /api/minutes bodies.
func parseMinute(f *form, create bool) (asso.MinuteInput, error) {
	in := asso.MinuteInput{
		Content:       f.longText("content", create, maxMinuteContent),
		Date:          f.time("date", create),
		AssociationID: f.id("idAssociation", create, true),
		VoterIDs:      f.ids("idVoters", create),
	}
	return in, f.err()
}

var createMinute = withBody(http.StatusCreated, func(f *form) (asso.MinuteInput, error) { return parseMinute(f, true) },
	func(s *Server, r *http.Request, in asso.MinuteInput) (json.RawMessage, error) {
		return s.DB.CreateMinute(r.Context(), caller(r), in)
	})

var updateMinute = update(func(f *form) (asso.MinuteInput, error) { return parseMinute(f, false) },
	func(s *Server, r *http.Request, id int64, in asso.MinuteInput) (json.RawMessage, error) {
		return s.DB.UpdateMinute(r.Context(), caller(r), id, in)
	})

var listMinutes = list(func(s *Server, r *http.Request, p asso.Page) (json.RawMessage, asso.Listed, error) {
	return s.DB.Minutes(r.Context(), caller(r), p)
})

var getMinute = byID(func(s *Server, r *http.Request, id int64) (json.RawMessage, error) {
	return s.DB.Minute(r.Context(), caller(r), id)
})

var deleteMinute = byID(func(s *Server, r *http.Request, id int64) (json.RawMessage, error) {
	return s.DB.DeleteMinute(r.Context(), caller(r), id)
})
