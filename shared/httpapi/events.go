package httpapi

import (
	"encoding/json"
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
	if in.EndsBeforeStart() {
		f.problem(asso.ErrEndBeforeStart.Messages[0])
	}
	return in, f.err()
}

// createEvent plans an event; every member gets an invitation through the outbox.
func (s *Server) createEvent(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, http.StatusCreated, func(f *form) (asso.EventInput, error) { return parseEvent(f, true) },
		func(in asso.EventInput) (json.RawMessage, error) { return s.DB.CreateEvent(r.Context(), caller(r), in) })
}

func (s *Server) updateEvent(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, func(f *form) (asso.EventInput, error) { return parseEvent(f, false) },
		func(id int64, in asso.EventInput) (json.RawMessage, error) {
			return s.DB.UpdateEvent(r.Context(), caller(r), id, in)
		})
}

func (s *Server) listEvents(w http.ResponseWriter, r *http.Request) error {
	return listPage(w, r, func(p asso.Page) (json.RawMessage, asso.Listed, error) { return s.DB.Events(r.Context(), caller(r), p) })
}

func (s *Server) associationEvents(w http.ResponseWriter, r *http.Request) error {
	return listPageByID(w, r, func(id int64, p asso.Page) (json.RawMessage, asso.Listed, error) {
		return s.DB.AssociationEvents(r.Context(), caller(r), id, p)
	})
}

func (s *Server) getEvent(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, func(id int64) (json.RawMessage, error) { return s.DB.Event(r.Context(), caller(r), id) })
}

func (s *Server) deleteEvent(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, func(id int64) (json.RawMessage, error) { return s.DB.DeleteEvent(r.Context(), caller(r), id) })
}
