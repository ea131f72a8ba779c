package asso

import (
	"fmt"
	"time"
)

// A membership is an invitation until the person invited accepts it: only then are
// they a member, shown to the others with their e-mail, mailed about events and
// allowed to answer them. A member who is a manager may change the association.
const (
	StatusInvited = "invited"
	StatusMember  = "member"
)

// InvitationLifetime is how long an invitation's links work, and how long one address
// is sent no second invitation to the same association.
const InvitationLifetime = 30 * 24 * time.Hour

// JoinEmail is the outbox payload of an invitation to join an association. Token is
// the accept/decline links' token of an invitation to an account; an invitation to an
// address with no account has none, and its mail leads to sign-up instead.
type JoinEmail struct {
	AssociationID    int64  `json:"associationId"`
	AssociationName  string `json:"associationName"`
	InviterFirstname string `json:"inviterFirstname"`
	InviterLastname  string `json:"inviterLastname"`
	Firstname        string `json:"firstname,omitempty"`
	Token            string `json:"token,omitempty"`
	// Reader: the account's own; the inviter's for an address with no account.
	Reader
}

// InvitationToken is what an invitation's accept and decline links name: the
// association and the person invited, and when the links expire.
type InvitationToken struct {
	AssociationID, UserID int64
	Expires               time.Time
	Raw                   string
}

// ErrInvalidInvitationLink answers an invitation link that is malformed, expired, not
// signed by the store, or whose invitation was answered or withdrawn.
var ErrInvalidInvitationLink = Reasoned(ENOTFOUND, "invalid_token", "This invitation link is invalid or has expired.")

// ParseInvitationToken reads an invitation link's token: its shape, and that it has
// not expired. Only the store can tell whether it is genuine.
func ParseInvitationToken(raw string, now time.Time) (InvitationToken, error) {
	a, b, expires, ok := parseSignedToken(raw, now)
	if !ok {
		return InvitationToken{}, ErrInvalidInvitationLink
	}
	return InvitationToken{AssociationID: a, UserID: b, Expires: expires, Raw: raw}, nil
}

// IsInvitationTokenShape reports whether s looks like an invitation link's token:
// nothing else may reach a link in an e-mail.
func IsInvitationTokenShape(s string) bool { return isSignedTokenShape(s) }

// InvitationAnswer is a person's answer to an invitation to join. Never, with a
// refusal, asks never to be invited to that association again.
type InvitationAnswer struct {
	Accept bool
	Never  bool
}

// ErrLastManager refuses what would leave an association without a manager.
var ErrLastManager = Reasoned(ECONFLICT, "last_manager",
	"an association needs a manager: make another member a manager first")

// NotManager refuses a change of association id to a member who is not a manager.
func NotManager(id int64) error {
	return Reasoned(EFORBIDDEN, "not_manager", fmt.Sprintf("only the managers of association %d may change it", id))
}
