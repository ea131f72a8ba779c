package httpapi

import (
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/auth"
	"github.com/kittenasso/kittenasso/shared/calendar"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// calendarFeed is the answer to a new feed: its address, over https and as the
// webcal:// link calendar apps subscribe to.
type calendarFeed struct {
	URL    string `json:"url"`
	Webcal string `json:"webcal"`
}

// newCalendarFeed gives the caller a new secret feed address; the old one stops
// working at once. The address is shown this once: only its hash is kept.
func (s *Server) newCalendarFeed(w http.ResponseWriter, r *http.Request) error {
	token, hash, err := auth.NewLinkToken()
	if err != nil {
		return err
	}
	if err := s.DB.SetCalendarFeed(r.Context(), caller(r), hash); err != nil {
		return err
	}
	url := s.FrontendURL + "/api/calendar/" + token + ".ics"
	_, rest, _ := strings.Cut(url, "://")
	return respond(w, http.StatusCreated, calendarFeed{URL: url, Webcal: "webcal://" + rest})
}

// calendarFeedICS serves a feed: the events of every association of its owner, with
// the UIDs and SEQUENCEs of their e-mails. Its ETag (finishBody) changes only when an
// event does, so a calendar app's polling mostly gets 304.
func (s *Server) calendarFeedICS(w http.ResponseWriter, r *http.Request) error {
	token, ok := strings.CutSuffix(r.PathValue("token"), ".ics")
	if b, err := base64.RawURLEncoding.DecodeString(token); !ok || err != nil || len(b) != 32 {
		return asso.ErrUnknownFeed
	}
	events, err := s.DB.CalendarFeed(r.Context(), auth.HashLinkToken(token))
	if err != nil {
		return err
	}
	items := make([]calendar.Event, len(events))
	for i, e := range events {
		items[i] = feedEvent(e, s.MailFrom)
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	w.Write(calendar.Writer{Domain: asso.MailDomain(s.MailFrom)}.Feed("KittenAsso's", items))
	return nil
}

// feedEvent is how a feed shows an event: its association's name after its own.
func feedEvent(e postgres.FeedEvent, organizer string) calendar.Event {
	return calendar.Event{ID: e.ID, Sequence: e.Sequence, Summary: e.Name + " (" + e.Association + ")",
		Start: e.Start, End: e.End, Stamp: e.UpdatedAt, Organizer: organizer,
		Location: e.Place, Description: e.Description}
}
