package asso

import (
	"encoding/base64"
	"encoding/binary"
	"testing"
	"time"
)

// TestSignedTokenShape: a token is two positive ids and an expiry that has not passed
// and that the database can hold; anything else is an invalid link before any query.
func TestSignedTokenShape(t *testing.T) {
	now := time.Date(2026, 12, 6, 12, 0, 0, 0, time.UTC)
	token := func(a, b, expires uint64) string {
		raw := make([]byte, signedTokenBytes)
		binary.BigEndian.PutUint64(raw[0:], a)
		binary.BigEndian.PutUint64(raw[8:], b)
		binary.BigEndian.PutUint64(raw[16:], expires)
		return base64.RawURLEncoding.EncodeToString(raw)
	}
	tomorrow := uint64(now.Add(24 * time.Hour).Unix())
	for _, tc := range []struct {
		name  string
		raw   string
		valid bool
	}{
		{"genuine shape", token(1, 3, tomorrow), true},
		{"expired", token(1, 3, uint64(now.Add(-time.Second).Unix())), false},
		{"beyond what timestamps hold", token(1, 3, 1<<62), false},
		{"a zero id", token(0, 3, tomorrow), false},
		{"a negative id", token(1<<63, 3, tomorrow), false},
		{"too short", token(1, 3, tomorrow)[:50], false},
		{"not base64url", "!" + token(1, 3, tomorrow)[1:], false},
	} {
		_, errInvitation := ParseInvitationToken(tc.raw, now)
		_, errRSVP := ParseRSVPToken(tc.raw, now)
		if (errInvitation == nil) != tc.valid || (errRSVP == nil) != tc.valid {
			t.Errorf("%s: invitation %v, answer %v; want valid %v", tc.name, errInvitation, errRSVP, tc.valid)
		}
	}
}
