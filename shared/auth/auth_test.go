package auth

import (
	"encoding/base64"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func testTokens(now time.Time) Tokens {
	return Tokens{Secret: []byte("test secret of reasonable length!"), Issuer: "iss", Audience: "aud",
		TTL: time.Hour, Now: func() time.Time { return now }}
}

func TestTokenRoundTrip(t *testing.T) {
	tk := testTokens(time.Now())
	s, err := tk.Issue(42, 3)
	if err != nil {
		t.Fatal(err)
	}
	id, version, err := tk.Parse(s)
	if err != nil || id != 42 || version != 3 {
		t.Fatalf("Parse = %d, %d, %v; want 42, 3, nil", id, version, err)
	}
}

func TestTokenRefused(t *testing.T) {
	now := time.Now()
	tk := testTokens(now)
	valid, _ := tk.Issue(7, 0)
	expired, _ := testTokens(now.Add(-2*time.Hour)).Issue(7, 0)
	otherKey := tk
	otherKey.Secret = []byte("another secret entirely, also long")
	wrongKey, _ := otherKey.Issue(7, 0)
	otherAud := tk
	otherAud.Audience = "someone-else"
	wrongAud, _ := otherAud.Issue(7, 0)

	sign := func(method jwt.SigningMethod, key any, claims jwt.MapClaims) string {
		s, err := jwt.NewWithClaims(method, claims).SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	good := jwt.MapClaims{"sub": "7", "iss": "iss", "aud": "aud", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	noExp := jwt.MapClaims{"sub": "7", "iss": "iss", "aud": "aud", "iat": now.Unix()}
	badSub := jwt.MapClaims{"sub": "seven", "iss": "iss", "aud": "aud", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}
	noIat := jwt.MapClaims{"sub": "7", "iss": "iss", "aud": "aud", "exp": now.Add(time.Hour).Unix()}
	future := jwt.MapClaims{"sub": "7", "iss": "iss", "aud": "aud", "iat": now.Add(time.Minute).Unix(),
		"exp": now.Add(time.Hour).Unix()}
	// Signed with the right key, but living a year: longer than the configured TTL.
	tooLong := jwt.MapClaims{"sub": "7", "iss": "iss", "aud": "aud", "iat": now.Unix(),
		"exp": now.Add(365 * 24 * time.Hour).Unix()}
	// alg:none, built by hand: header {"alg":"none"} and an empty signature.
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	payload := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"7","iss":"iss","aud":"aud","exp":` +
		strconv.FormatInt(now.Add(time.Hour).Unix(), 10) + `}`))

	if _, _, err := tk.Parse(sign(jwt.SigningMethodHS256, tk.Secret, good)); err != nil {
		t.Fatalf("a well-formed token is refused: %v", err)
	}
	for name, token := range map[string]string{
		"empty":           "",
		"garbage":         "not.a.token",
		"expired":         expired,
		"wrong key":       wrongKey,
		"wrong audience":  wrongAud,
		"no exp":          sign(jwt.SigningMethodHS256, tk.Secret, noExp),
		"non-numeric sub": sign(jwt.SigningMethodHS256, tk.Secret, badSub),
		"no iat":          sign(jwt.SigningMethodHS256, tk.Secret, noIat),
		"iat in future":   sign(jwt.SigningMethodHS256, tk.Secret, future),
		"lifetime > TTL":  sign(jwt.SigningMethodHS256, tk.Secret, tooLong),
		"HS512":           sign(jwt.SigningMethodHS512, tk.Secret, good),
		"alg none":        header + "." + payload + ".",
		"tampered":        valid[:len(valid)-2] + "AA",
	} {
		if id, _, err := tk.Parse(token); err == nil {
			t.Errorf("%s: Parse accepted the token (id %d)", name, id)
		}
	}
}

func TestPassword(t *testing.T) {
	h, err := HashPassword("correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$2a$10$") {
		t.Errorf("hash %q is not bcrypt cost 10", h)
	}
	if !CheckPassword(h, "correct horse") || CheckPassword(h, "wrong horse") {
		t.Error("CheckPassword does not tell right from wrong")
	}
}

func TestVerificationToken(t *testing.T) {
	tok, hash, err := NewLinkToken()
	if err != nil {
		t.Fatal(err)
	}
	raw, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(raw) != 32 {
		t.Fatalf("token %q is not 32 URL-safe bytes", tok)
	}
	if string(HashLinkToken(tok)) != string(hash) {
		t.Error("hash of the token differs from the one returned")
	}
	tok2, _, _ := NewLinkToken()
	if tok2 == tok {
		t.Error("two tokens are equal")
	}
}
