package httpapi

import (
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
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	in, err := parseMinute(f, true)
	if err != nil {
		return err
	}
	doc, err := s.DB.CreateMinute(r.Context(), caller(r), in)
	if err != nil {
		return err
	}
	return respond(w, http.StatusCreated, doc)
}

func (s *Server) updateMinute(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	in, err := parseMinute(f, false)
	if err != nil {
		return err
	}
	doc, err := s.DB.UpdateMinute(r.Context(), caller(r), id, in)
	if err != nil {
		return err
	}
	return respond(w, http.StatusOK, doc)
}

func (s *Server) listMinutes(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	docs, listed, err := s.DB.Minutes(r.Context(), caller(r), p)
	if err != nil {
		return err
	}
	return respondPage(w, r, p, listed, docs)
}

func (s *Server) getMinute(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	doc, err := s.DB.Minute(r.Context(), caller(r), id)
	if err != nil {
		return err
	}
	return respond(w, http.StatusOK, doc)
}

func (s *Server) deleteMinute(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	doc, err := s.DB.DeleteMinute(r.Context(), caller(r), id)
	if err != nil {
		return err
	}
	return respond(w, http.StatusOK, doc)
}
