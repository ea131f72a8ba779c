package asso

import "time"

// ErrInvalidRSVPLink answers an answer link that is malformed, expired, or not signed
// by the store.
var ErrInvalidRSVPLink = Reasoned(ENOTFOUND, "invalid_token", "This link is invalid or has expired.")

// ErrUnknownFeed answers a calendar feed address that is malformed, unknown or replaced.
var ErrUnknownFeed = Reasoned(ENOTFOUND, "invalid_token", "This calendar address is unknown or was replaced.")

// ParseRSVPToken reads an answer link's token (migration 0007 makes them): its shape,
// and that it has not expired. Whether it is genuine, only the store can tell: the
// signing key never leaves the database.
func ParseRSVPToken(raw string, now time.Time) (RSVPToken, error) {
	eventID, userID, expires, ok := parseSignedToken(raw, now)
	if !ok {
		return RSVPToken{}, ErrInvalidRSVPLink
	}
	return RSVPToken{EventID: eventID, UserID: userID, Expires: expires, Raw: raw}, nil
}

// ParseRSVP reads an answer: going or not_going.
func ParseRSVP(s string) (RSVP, bool) {
	switch RSVP(s) {
	case Going, NotGoing:
		return RSVP(s), true
	}
	return "", false
}

// IsRSVPTokenShape reports whether s looks like an answer link's token: nothing else
// may reach a link in an e-mail.
func IsRSVPTokenShape(s string) bool { return isSignedTokenShape(s) }
