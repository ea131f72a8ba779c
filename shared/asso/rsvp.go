package asso

import (
	"encoding/base64"
	"encoding/binary"
	"time"
)

// rsvpTokenBytes: event, user and expiry (8 bytes each), then a 16-byte signature.
const rsvpTokenBytes = 40

// ErrInvalidRSVPLink answers an answer link that is malformed, expired, or not signed
// by the store.
var ErrInvalidRSVPLink = Reasoned(ENOTFOUND, "invalid_token", "This link is invalid or has expired.")

// ErrUnknownFeed answers a calendar feed address that is malformed, unknown or replaced.
var ErrUnknownFeed = Reasoned(ENOTFOUND, "invalid_token", "This calendar address is unknown or was replaced.")

// ParseRSVPToken reads an answer link's token (migration 0007 makes them): its shape,
// and that it has not expired. Whether it is genuine, only the store can tell: the
// signing key never leaves the database.
func ParseRSVPToken(raw string, now time.Time) (RSVPToken, error) {
	b, err := base64.RawURLEncoding.DecodeString(raw)
	if err != nil || len(b) != rsvpTokenBytes {
		return RSVPToken{}, ErrInvalidRSVPLink
	}
	t := RSVPToken{
		EventID: int64(binary.BigEndian.Uint64(b[0:8])),
		UserID:  int64(binary.BigEndian.Uint64(b[8:16])),
		Expires: time.Unix(int64(binary.BigEndian.Uint64(b[16:24])), 0),
		Raw:     raw,
	}
	if t.EventID <= 0 || t.UserID <= 0 || !now.Before(t.Expires) {
		return RSVPToken{}, ErrInvalidRSVPLink
	}
	return t, nil
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
func IsRSVPTokenShape(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == rsvpTokenBytes
}
