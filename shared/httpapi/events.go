package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// Bounds of an event's texts (characters) and of its capacity.
const (
	maxEventName        = 200
	maxEventPlace       = 200
	maxEventDescription = 5000
	maxEventCapacity    = 100000
)

// parseEvent reads POST (create: name, start, end and association required) or PATCH
// /api/events bodies. association is a JSON number, as in the original API. place,
// description and capacity are optional; null (or "" for the texts) says the event
// has none, which clears it on PATCH.
func parseEvent(f *form, create bool) (asso.EventInput, error) {
	in := asso.EventInput{
		Name:          f.text("name", create, maxEventName),
		Start:         f.time("start", create),
		End:           f.time("end", create),
		AssociationID: f.id("association", create, false),
		Place:         f.clearable("place", maxEventPlace, false),
		Description:   f.clearable("description", maxEventDescription, true),
		Capacity:      f.clearableInteger("capacity", 1, maxEventCapacity),
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
