package httpapi

import (
	"net/http"

	"github.com/kittenasso/kittenasso/shared/asso"
)

const maxEventName = 200

// parseEvent reads POST (create: every field required) or PATCH /api/events bodies.
// association is a JSON number, as in the original API.
func parseEvent(f *form, create bool) (asso.EventInput, error) {
	in := asso.EventInput{
		Name:          f.text("name", create, maxEventName),
		Start:         f.time("start", create),
		End:           f.time("end", create),
		AssociationID: f.id("association", create, false),
	}
	if in.Start != nil && in.End != nil && in.End.Before(*in.Start) {
		f.problem("end must not be before start")
	}
	return in, f.err()
}

// createEvent plans an event; every member gets an invitation through the outbox.
func (s *Server) createEvent(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	in, err := parseEvent(f, true)
	if err != nil {
		return err
	}
	doc, err := s.DB.CreateEvent(r.Context(), caller(r), in)
	if err != nil {
		return err
	}
	return respond(w, http.StatusCreated, doc)
}

func (s *Server) updateEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	in, err := parseEvent(f, false)
	if err != nil {
		return err
	}
	doc, err := s.DB.UpdateEvent(r.Context(), caller(r), id, in)
	if err != nil {
		return err
	}
	return respond(w, http.StatusOK, doc)
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	docs, listed, err := s.DB.Events(r.Context(), caller(r), p)
	if err != nil {
		return err
	}
	return respondPage(w, r, p, listed, docs)
}

func (s *Server) associationEvents(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	docs, listed, err := s.DB.AssociationEvents(r.Context(), caller(r), id, p)
	if err != nil {
		return err
	}
	return respondPage(w, r, p, listed, docs)
}

func (s *Server) getEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	doc, err := s.DB.Event(r.Context(), caller(r), id)
	if err != nil {
		return err
	}
	return respond(w, http.StatusOK, doc)
}

func (s *Server) deleteEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	doc, err := s.DB.DeleteEvent(r.Context(), caller(r), id)
	if err != nil {
		return err
	}
	return respond(w, http.StatusOK, doc)
}
