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

func (s *Server) createMinute(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, http.StatusCreated, func(f *form) (asso.MinuteInput, error) { return parseMinute(f, true) },
		func(in asso.MinuteInput) (json.RawMessage, error) {
			return s.DB.CreateMinute(r.Context(), caller(r), in)
		})
}

func (s *Server) updateMinute(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, func(f *form) (asso.MinuteInput, error) { return parseMinute(f, false) },
		func(id int64, in asso.MinuteInput) (json.RawMessage, error) {
			return s.DB.UpdateMinute(r.Context(), caller(r), id, in)
		})
}

func (s *Server) listMinutes(w http.ResponseWriter, r *http.Request) error {
	return listPage(w, r, func(p asso.Page) (json.RawMessage, asso.Listed, error) {
		return s.DB.Minutes(r.Context(), caller(r), p)
	})
}

func (s *Server) getMinute(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, func(id int64) (json.RawMessage, error) { return s.DB.Minute(r.Context(), caller(r), id) })
}

func (s *Server) deleteMinute(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, func(id int64) (json.RawMessage, error) { return s.DB.DeleteMinute(r.Context(), caller(r), id) })
}
