// Package auth holds the pure security logic: password hashing, access tokens and
// verification tokens. It touches no database and no HTTP.
package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"golang.org/x/crypto/bcrypt"
)

// PasswordCost is the bcrypt cost; docs/api.md asks for at least 10.
const PasswordCost = 10

// HashPassword returns the bcrypt hash of password (at most 72 bytes, checked by callers).
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	return string(h), err
}

// CheckPassword reports whether password matches hash.
func CheckPassword(hash, password string) bool {
	return bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// decoyHash is compared against when the e-mail is unknown, so that a login for an
// unknown address costs as much time as one with a wrong password.
var decoyHash, _ = bcrypt.GenerateFromPassword([]byte("decoy password, never matches"), PasswordCost)

// SpendPasswordCheck burns the time of one password check.
func SpendPasswordCheck(password string) {
	_ = bcrypt.CompareHashAndPassword(decoyHash, []byte(password))
}

// Tokens issues and checks access tokens (JWT, HS256).
type Tokens struct {
	Secret   []byte
	Issuer   string
	Audience string
	TTL      time.Duration
	Now      func() time.Time // time source; time.Now when nil
}

// ErrInvalidToken covers every reason a token is refused; callers answer 401 whatever it was.
var ErrInvalidToken = errors.New("invalid token")

func (t Tokens) now() time.Time {
	if t.Now != nil {
		return t.Now()
	}
	return time.Now()
}

// claims are the token's claims: the registered ones and the account's token version,
// which a password or e-mail change bumps so that every older token is refused.
type claims struct {
	jwt.RegisteredClaims
	Version int `json:"ver"`
}

// Issue returns a signed token for userID at the account's token version.
func (t Tokens) Issue(userID int64, version int) (string, error) {
	now := t.now()
	c := claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   strconv.FormatInt(userID, 10),
			Issuer:    t.Issuer,
			Audience:  jwt.ClaimStrings{t.Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			ExpiresAt: jwt.NewNumericDate(now.Add(t.TTL)),
		},
		Version: version,
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, c).SignedString(t.Secret)
}

// Parse checks a token and returns its user id and token version. The algorithm is
// pinned to HS256 (so alg:none and key-confusion tokens fail); exp, iat, iss and aud
// are required; a token issued in the future, or living longer than TTL, is refused.
func (t Tokens) Parse(token string) (userID int64, version int, err error) {
	var c claims
	_, err = jwt.ParseWithClaims(token, &c,
		func(*jwt.Token) (any, error) { return t.Secret, nil },
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithIssuer(t.Issuer),
		jwt.WithAudience(t.Audience),
		jwt.WithTimeFunc(t.now),
	)
	if err != nil || c.IssuedAt == nil || c.ExpiresAt.Sub(c.IssuedAt.Time) > t.TTL {
		return 0, 0, ErrInvalidToken
	}
	id, err := strconv.ParseInt(c.Subject, 10, 64)
	if err != nil || id <= 0 {
		return 0, 0, ErrInvalidToken
	}
	return id, c.Version, nil
}

// NewLinkToken returns a URL-safe token of 32 random bytes and the hash to store: the
// secret of a verification link or of a calendar feed's address.
func NewLinkToken() (token string, hash []byte, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", nil, err
	}
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashLinkToken(token), nil
}

// HashLinkToken returns the stored form of a link token.
func HashLinkToken(token string) []byte {
	sum := sha256.Sum256([]byte(token))
	return sum[:]
}
