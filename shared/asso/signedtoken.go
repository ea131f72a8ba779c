package asso

import (
	"encoding/base64"
	"encoding/binary"
	"time"
)

// The links in e-mails (answers to events, invitations to join) carry tokens that the
// store signs with keys that never leave the database (migrations 0007 and 0010):
// two positive ids and an expiry, 8 bytes each, then a 16-byte signature, base64url.
const signedTokenBytes = 40

// parseSignedToken reads a token's ids and expiry, and reports whether it has the
// right shape and has not expired.
func parseSignedToken(raw string, now time.Time) (a, b int64, expires time.Time, ok bool) {
	if !isSignedTokenShape(raw) {
		return 0, 0, time.Time{}, false
	}
	bytes, _ := base64.RawURLEncoding.DecodeString(raw)
	a = int64(binary.BigEndian.Uint64(bytes[0:8]))
	b = int64(binary.BigEndian.Uint64(bytes[8:16]))
	unix := int64(binary.BigEndian.Uint64(bytes[16:24]))
	expires = time.Unix(unix, 0)
	return a, b, expires, a > 0 && b > 0 && now.Before(expires) && unix <= maxTokenExpiry
}

// maxTokenExpiry (9999-12-31) bounds a token's expiry: no genuine link lasts longer,
// and a forged one beyond what the database's timestamps hold is refused here, as
// invalid, instead of failing the query.
const maxTokenExpiry = 253402300799

func isSignedTokenShape(s string) bool {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return err == nil && len(b) == signedTokenBytes
}
