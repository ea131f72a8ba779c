package httpapi

import (
	"encoding/json"
	"net/http"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// invitationAnswer reads {answer: "accept" | "decline", never}: never, with a
// decline, asks not to be invited to that association again.
func invitationAnswer(f *form) asso.InvitationAnswer {
	s, ok := f.str("answer", true)
	if ok && s != "accept" && s != "decline" {
		f.problem(`answer must be "accept" or "decline"`)
	}
	answer := asso.InvitationAnswer{Accept: s == "accept", Never: f.boolean("never", false)}
	if answer.Accept && answer.Never {
		f.problem("never goes only with a decline")
	}
	return answer
}

func parseInvitationAnswer(f *form) (asso.InvitationAnswer, error) {
	answer := invitationAnswer(f)
	return answer, f.err()
}

// listInvitations lists the caller's pending invitations.
func (s *Server) listInvitations(w http.ResponseWriter, r *http.Request) error {
	return listPage(w, r, func(p asso.Page) (json.RawMessage, asso.Listed, error) {
		return s.DB.Invitations(r.Context(), caller(r), p)
	})
}

// answerInvitation records the caller's answer to their invitation to association {id}.
func (s *Server) answerInvitation(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, parseInvitationAnswer, func(id int64, answer asso.InvitationAnswer) (json.RawMessage, error) {
		return s.DB.AnswerInvitation(r.Context(), caller(r), id, answer)
	})
}

// invitationLink is what an invitation e-mail's accept or decline link sends, once
// the person confirmed it on the web app's page (mail scanners follow links).
type invitationLink struct {
	token  asso.InvitationToken
	answer asso.InvitationAnswer
}

func parseInvitationLink(f *form) (invitationLink, error) {
	raw := f.secret("token", true, maxRSVPToken)
	answer := invitationAnswer(f)
	if err := f.err(); err != nil {
		return invitationLink{}, err
	}
	token, err := asso.ParseInvitationToken(*raw, time.Now())
	return invitationLink{token, answer}, err
}

// answerInvitationByLink records the answer of an invitation e-mail's link, without
// signing in.
func (s *Server) answerInvitationByLink(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, http.StatusOK, parseInvitationLink, func(in invitationLink) (json.RawMessage, error) {
		return s.DB.AnswerInvitationByLink(r.Context(), in.token, in.answer)
	})
}

// parseInviteEmail reads {email}.
func parseInviteEmail(f *form) (string, error) {
	email := f.email("email", true)
	if err := f.err(); err != nil {
		return "", err
	}
	return *email, nil
}

// inviteByEmail invites an address to association {id}: 202 whether the address has
// an account or not, so that the answer tells nothing about who has one.
func (s *Server) inviteByEmail(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return withBody(w, r, http.StatusAccepted, parseInviteEmail, func(email string) (map[string]string, error) {
		return map[string]string{"email": email, "status": asso.StatusInvited}, s.DB.InviteByEmail(r.Context(), caller(r), id, email)
	})
}

// leaveAssociation ends the caller's own membership of association {id}.
func (s *Server) leaveAssociation(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, func(id int64) (json.RawMessage, error) { return s.DB.LeaveAssociation(r.Context(), caller(r), id) })
}

// parseManager reads {manager: true | false}.
func parseManager(f *form) (bool, error) {
	manager := f.boolean("manager", true)
	return manager, f.err()
}

// setManager makes a member of association {id} a manager, or no longer one.
func (s *Server) setManager(w http.ResponseWriter, r *http.Request) error {
	userID, err := pathID(r, "userId")
	if err != nil {
		return err
	}
	return updateByID(w, r, parseManager, func(id int64, manager bool) (json.RawMessage, error) {
		return s.DB.SetManager(r.Context(), caller(r), id, userID, manager)
	})
}
