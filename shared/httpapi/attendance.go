package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// rsvpAnswer reads an answer field: "going" or "not_going".
func rsvpAnswer(f *form) asso.RSVP {
	s, ok := f.str("answer", true)
	answer, valid := asso.ParseRSVP(s)
	if ok && !valid {
		f.problem(`answer must be "going" or "not_going"`)
	}
	return answer
}

// answerEvent records the signed-in member's answer and answers the event.
func (s *Server) answerEvent(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, func(f *form) (asso.RSVP, error) { answer := rsvpAnswer(f); return answer, f.err() },
		func(id int64, answer asso.RSVP) (json.RawMessage, error) {
			return s.DB.AnswerEvent(r.Context(), caller(r), id, answer)
		})
}

// eventAttendees says who answered what, to the event's members.
func (s *Server) eventAttendees(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, func(id int64) (json.RawMessage, error) { return s.DB.EventAttendees(r.Context(), caller(r), id) })
}

// rsvpLink is what a one-click answer link sends, once the member confirmed it in the
// web app: the link opens a page, and only this POST changes anything, because mail
// scanners follow links.
type rsvpLink struct {
	token  asso.RSVPToken
	answer asso.RSVP
}

// maxRSVPToken is far above a real token's 54 characters.
const maxRSVPToken = 128

func parseRSVPLink(f *form) (rsvpLink, error) {
	raw := f.secret("token", true, maxRSVPToken)
	answer := rsvpAnswer(f)
	if err := f.err(); err != nil {
		return rsvpLink{}, err
	}
	token, err := asso.ParseRSVPToken(*raw, time.Now())
	return rsvpLink{token, answer}, err
}

// answerByLink records the answer of a one-click link.
func (s *Server) answerByLink(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, http.StatusOK, parseRSVPLink,
		func(in rsvpLink) (json.RawMessage, error) { return s.DB.AnswerByLink(r.Context(), in.token, in.answer) })
}
