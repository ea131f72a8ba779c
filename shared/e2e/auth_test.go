package e2e_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
)

func TestLogin(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, _ := s.member("ada@example.org")
	s.signUp("unverified@example.org", "password123")

	var tok struct {
		AccessToken string `json:"access_token"`
		ID          int64  `json:"id"`
		TokenType   string `json:"token_type"`
		ExpiresIn   int    `json:"expires_in"`
	}
	s.request("POST", "/api/auth/login", "", map[string]string{"username": "ADA@example.org", "password": "password123"}).
		want(t, 201).decode(t, &tok)
	if tok.ID != ada.ID || tok.TokenType != "Bearer" || tok.ExpiresIn != 3600 || strings.Count(tok.AccessToken, ".") != 2 {
		t.Errorf("token answer %+v", tok)
	}
	s.request("GET", "/api/users", tok.AccessToken, nil).want(t, 200)
	// email is an alias of username.
	s.request("POST", "/api/auth/login", "", map[string]string{"email": "ada@example.org", "password": "password123"}).want(t, 201)

	wrong := s.request("POST", "/api/auth/login", "", map[string]string{"username": "ada@example.org", "password": "nope"}).want(t, 401)
	unknown := s.request("POST", "/api/auth/login", "", map[string]string{"username": "who@example.org", "password": "nope"}).want(t, 401)
	if wrong.message(t) != "invalid credentials" || string(wrong.body) != string(unknown.body) {
		t.Errorf("wrong password %s and unknown e-mail %s must answer alike", wrong.body, unknown.body)
	}
	r := s.request("POST", "/api/auth/login", "", map[string]string{"username": "unverified@example.org", "password": "password123"}).want(t, 403)
	if m := r.message(t); m != "user not verified" {
		t.Errorf("message %q", m)
	}
	// The unverified user with a wrong password learns nothing more than anyone else.
	s.request("POST", "/api/auth/login", "", map[string]string{"username": "unverified@example.org", "password": "nope"}).want(t, 401)

	r = s.request("POST", "/api/auth/login", "", map[string]string{}).want(t, 400)
	if m := r.message(t); m != "username should not be empty | password should not be empty" {
		t.Errorf("message %q", m)
	}
	s.request("POST", "/api/auth/login", "", map[string]string{"username": "ada@example.org"}).want(t, 400)
	s.request("POST", "/api/auth/login", "", `{"username":`).want(t, 400)
}

func TestLoginThrottlePerEmail(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.member("ada@example.org")
	for i := range 5 {
		s.request("POST", "/api/auth/login", "", map[string]string{"username": "ada@example.org", "password": fmt.Sprint("guess", i)}).want(t, 401)
	}
	// Sixth try: refused before the password is looked at, right password included,
	// whatever the case of the address.
	r := s.request("POST", "/api/auth/login", "", map[string]string{"username": "Ada@Example.org", "password": "password123"}).want(t, 429)
	retry, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || retry < 890 || retry > 900 {
		t.Errorf("Retry-After %q, want about 900 seconds", r.header.Get("Retry-After"))
	}
	// Other addresses are not affected.
	s.member("bob@example.org")
	// When the window has passed, the right password works again.
	s.exec(`UPDATE login_attempts SET attempted_at = attempted_at - interval '16 minutes'`)
	s.login("ada@example.org", "password123")
}

func TestLoginThrottleForgivesAfterSuccess(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.member("ada@example.org")
	for range 2 {
		for range 4 {
			s.request("POST", "/api/auth/login", "", map[string]string{"username": "ada@example.org", "password": "typo"}).want(t, 401)
		}
		s.login("ada@example.org", "password123") // a success clears this address's failures
	}
}

func TestLoginThrottlePerClient(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.member("ada@example.org")
	// 20 failures from one client over many addresses (4 each: under the per-address limit).
	for i := range 20 {
		s.request("POST", "/api/auth/login", "", map[string]string{
			"username": fmt.Sprintf("victim%d@example.org", i/4), "password": "guess"}).want(t, 401)
	}
	r := s.request("POST", "/api/auth/login", "", map[string]string{"username": "ada@example.org", "password": "password123"}).want(t, 429)
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
}

func TestLoginThrottleUnderConcurrency(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	s.member("ada@example.org")
	const n = 12
	statuses := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses[i] = s.request("POST", "/api/auth/login", "", map[string]string{"username": "ada@example.org", "password": "guess"}).status
		}()
	}
	wg.Wait()
	counts := map[int]int{}
	for _, st := range statuses {
		counts[st]++
	}
	if counts[401] != 5 || counts[429] != n-5 {
		t.Errorf("statuses %v: want exactly 5 checked guesses and %d refused", counts, n-5)
	}
}

func TestTokensRefused(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, token := s.member("ada@example.org")
	expiredTokens := s.server.Tokens
	expiredTokens.Now = func() time.Time { return time.Now().Add(-2 * time.Hour) }
	expired, err := expiredTokens.Issue(ada.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	otherKey := s.server.Tokens
	otherKey.Secret = []byte("somebody else's secret, also long enough")
	forged, _ := otherKey.Issue(ada.ID, 0)
	header := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	payload := base64.RawURLEncoding.EncodeToString([]byte(fmt.Sprintf(
		`{"sub":"%d","iss":"kittenasso","aud":"kittenasso-api","exp":%d}`, ada.ID, time.Now().Add(time.Hour).Unix())))
	algNone := header + "." + payload + "."
	ghost, _ := s.server.Tokens.Issue(987654, 0)

	for name, auth := range map[string]string{
		"missing":        "",
		"not bearer":     "Basic " + base64.StdEncoding.EncodeToString([]byte("ada:password123")),
		"malformed":      "Bearer not-a-jwt",
		"alg none":       "Bearer " + algNone,
		"expired":        "Bearer " + expired,
		"wrongly signed": "Bearer " + forged,
		"unknown user":   "Bearer " + ghost,
		"bare token":     token,
	} {
		r := s.request("GET", "/api/users", "", nil, "Authorization", auth)
		if r.status != 401 || r.message(t) != "Unauthorized" {
			t.Errorf("%s: %d %s, want 401 Unauthorized", name, r.status, r.body)
		}
	}
	s.request("GET", "/api/users", token, nil).want(t, 200)
}

func TestVerification(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, token := s.signUp("ada@example.org", "password123")

	var u asso.User
	s.request("POST", "/api/verification", "", map[string]string{"token": token}).want(t, 201).decode(t, &u)
	if u != ada {
		t.Errorf("verified %+v, want %+v", u, ada)
	}
	s.login("ada@example.org", "password123")
	// A second click answers 403, as the original did: the old web client shows
	// "Already verified" on 403 and "unknown error" on anything else.
	r := s.request("POST", "/api/verification", "", map[string]string{"token": token}).want(t, 403)
	if m := r.message(t); m != "user already verified" || !strings.Contains(string(r.body), `"code":"already_verified"`) {
		t.Errorf("message %q", m)
	}
	r = s.request("POST", "/api/verification", "", map[string]string{"token": "not-a-token"}).want(t, 404)
	if m := r.message(t); m != "invalid or expired token" {
		t.Errorf("message %q", m)
	}
	s.request("POST", "/api/verification", "", map[string]string{}).want(t, 400)
	s.request("POST", "/api/verification", "", map[string]any{"token": 12}).want(t, 400)
	s.request("POST", "/api/verification", "", map[string]string{"token": strings.Repeat("t", 201)}).want(t, 400)

	// An expired link does not work.
	_, old := s.signUp("bob@example.org", "password123")
	s.exec(`UPDATE verification_tokens SET expires_at = now() - interval '1 second'`)
	s.request("POST", "/api/verification", "", map[string]string{"token": old}).want(t, 404)
	s.request("POST", "/api/auth/login", "", map[string]string{"username": "bob@example.org", "password": "password123"}).want(t, 403)
}

func TestResendVerification(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	_, first := s.signUp("ada@example.org", "password123")
	s.member("verified@example.org")

	for _, email := range []string{"ada@example.org", "nobody@example.org", "verified@example.org"} {
		s.request("POST", "/api/verification/resend", "", map[string]string{"email": email}).want(t, 202)
	}
	// Only the unverified account got a new e-mail; the old link died with it.
	if n := s.count(`SELECT count(*) FROM mail_outbox WHERE recipient = 'ada@example.org'`); n != 2 {
		t.Errorf("%d e-mails to ada, want 2", n)
	}
	if n := s.count(`SELECT count(*) FROM mail_outbox WHERE recipient IN ('nobody@example.org', 'verified@example.org') AND kind = 'verification'`); n != 1 {
		t.Errorf("%d e-mails to the others, want only verified@'s sign-up e-mail", n)
	}
	second := s.mailedToken("ada@example.org")
	if second == first {
		t.Fatal("the resent token is the old one")
	}
	s.request("POST", "/api/verification", "", map[string]string{"token": first}).want(t, 404)
	s.request("POST", "/api/verification", "", map[string]string{"token": second}).want(t, 201)

	// Three per address per hour, known or not: the answer never tells which.
	for _, email := range []string{"nobody@example.org", "Ada@example.org"} {
		for range 2 {
			s.request("POST", "/api/verification/resend", "", map[string]string{"email": email}).want(t, 202)
		}
		r := s.request("POST", "/api/verification/resend", "", map[string]string{"email": email}).want(t, 429)
		if r.header.Get("Retry-After") == "" {
			t.Error("429 without Retry-After")
		}
	}
	r := s.request("POST", "/api/verification/resend", "", map[string]string{"email": "nope"}).want(t, 400)
	if m := r.message(t); m != "email must be an email" {
		t.Errorf("message %q", m)
	}
	s.request("POST", "/api/verification/resend", "", `{}`).want(t, 400)
}

// rotatingKey is a signing key that is rotated in Secrets Manager: Value gives the
// key read earlier, Refresh the one stored now.
type rotatingKey struct {
	mu           sync.Mutex
	current, now string
	fail         error
}

func (k *rotatingKey) Value(context.Context) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.current, k.fail
}

func (k *rotatingKey) Refresh(context.Context) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.current = k.now
	return k.current, k.fail
}

// TestSigningKeyRotation: a token signed with a key rotated since the function read
// it is accepted once the key is read again; the old key's tokens are refused from
// then on; a key that cannot be read is a 503, not a 401.
func TestSigningKeyRotation(t *testing.T) {
	t.Parallel()
	s := newStack(t)
	ada, oldToken := s.member("ada@example.org")
	newKey := "a rotated signing key, also 32 bytes or more"
	key := &rotatingKey{current: string(s.server.Tokens.Secret), now: newKey}
	s.server.JWTKey = key
	rotated := s.server.Tokens
	rotated.Secret = []byte(newKey)
	newToken, err := rotated.Issue(ada.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	s.request("GET", "/api/users", oldToken, nil).want(t, 200) // the key read earlier
	s.request("GET", "/api/users", newToken, nil).want(t, 200) // read again, then accepted
	s.request("GET", "/api/users", oldToken, nil).want(t, 401)
	// Sign-in signs with the new key.
	fresh := s.login("ada@example.org", "password123")
	s.request("GET", "/api/users", fresh, nil).want(t, 200)
	key.mu.Lock()
	key.fail = errors.New("secrets manager unreachable")
	key.mu.Unlock()
	r := s.request("GET", "/api/users", fresh, nil).want(t, 503)
	if r.header.Get("Retry-After") == "" {
		t.Error("503 without Retry-After")
	}
}
