package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/auth"
)

// maxPasswordInput bounds what login reads as a password; longer is simply wrong.
const maxPasswordInput = 1024

var errInvalidCredentials = asso.Reasoned(asso.EUNAUTHORIZED, "invalid_credentials", "invalid credentials")

// loginResponse is the token answer of POST /api/auth/login.
type loginResponse struct {
	AccessToken string `json:"access_token"`
	ID          int64  `json:"id"`
	TokenType   string `json:"token_type"`
	ExpiresIn   int    `json:"expires_in"`
}

// login checks an e-mail and password. Unknown e-mail and wrong password answer the
// same 401 in the same time; the throttle applies before the password is looked at,
// so a correct guess past the limit is still refused.
func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, http.StatusCreated, parseLogin, func(in credentials) (loginResponse, error) {
		ctx := r.Context()
		if err := s.DB.ReserveLoginAttempt(ctx, in.email, clientIP(r), s.Throttle); err != nil {
			if asso.ErrorCode(err) == asso.ETOOMANY {
				s.Metrics.LoginThrottled()
			}
			return loginResponse{}, err
		}
		cred, err := s.DB.CredentialsByEmail(ctx, in.email)
		switch {
		case asso.ErrorCode(err) == asso.ENOTFOUND:
			auth.SpendPasswordCheck(in.password)
			s.Metrics.LoginFailed()
			return loginResponse{}, errInvalidCredentials
		case err != nil:
			return loginResponse{}, err
		case !auth.CheckPassword(cred.PasswordHash, in.password):
			s.Metrics.LoginFailed()
			return loginResponse{}, errInvalidCredentials
		}
		if err := s.DB.ForgiveLoginAttempts(ctx, in.email); err != nil {
			return loginResponse{}, err
		}
		if !cred.Verified {
			return loginResponse{}, asso.Reasoned(asso.EFORBIDDEN, "not_verified", "user not verified")
		}
		tokens, err := s.tokens(ctx)
		if err != nil {
			return loginResponse{}, s.keyUnavailable(r, err)
		}
		token, err := tokens.Issue(cred.User.ID, cred.TokenVersion)
		if err != nil {
			return loginResponse{}, err
		}
		return loginResponse{AccessToken: token, ID: cred.User.ID, TokenType: "Bearer",
			ExpiresIn: int(s.Tokens.TTL.Seconds())}, nil
	})
}

// credentials is the body of POST /api/auth/login.
type credentials struct {
	email, password string
}

// parseLogin reads {username, password}; email is an alias of username (docs/api.md §2).
func parseLogin(f *form) (credentials, error) {
	field := "username"
	if !f.present("username") && f.present("email") {
		field = "email"
	}
	email := f.text(field, true, 254)
	password := f.secret("password", true, maxPasswordInput)
	if err := f.err(); err != nil {
		return credentials{}, err
	}
	return credentials{email: *email, password: *password}, nil
}

// parseToken reads the body of POST /api/verification.
func parseToken(f *form) (*string, error) {
	token := f.text("token", true, 200)
	return token, f.err()
}

// parseEmail reads the body of POST /api/verification/resend.
func parseEmail(f *form) (*string, error) {
	email := f.email("email", true)
	return email, f.err()
}

// verify consumes a verification token from the e-mailed link.
func (s *Server) verify(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, http.StatusCreated, parseToken,
		func(token *string) (asso.User, error) {
			return s.DB.Verify(r.Context(), auth.HashLinkToken(*token))
		})
}

// resendAnswer is the same whether or not the address has an account.
var resendAnswer = map[string]any{
	"statusCode": http.StatusAccepted,
	"message":    "if this address belongs to an unverified account, a new verification link is on its way",
}

// resendFloor is the least time a resend takes to answer. The work differs between an
// address that gets a new link (a token, an e-mail, a publish to the queue) and one
// that does not; answering no sooner than this hides which it was.
const resendFloor = 250 * time.Millisecond

// resendVerification answers 202 whether or not the address has an account, so it
// cannot be used to learn which addresses do, not even by timing.
func (s *Server) resendVerification(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, http.StatusAccepted, parseEmail, func(email *string) (map[string]any, error) {
		started := time.Now()
		defer func() { time.Sleep(resendFloor - time.Since(started)) }()
		if err := s.DB.CountClientRequest(r.Context(), "resend", clientIP(r),
			s.Throttle.ClientWindow, s.Throttle.ResendsPerClient); err != nil {
			return nil, err
		}
		v, err := s.newVerification()
		if err != nil {
			return nil, err
		}
		return resendAnswer, s.DB.ResendVerification(r.Context(), *email, v, s.Throttle)
	})
}

// unsubscribe is RFC 8058's one-click unsubscribe: mail clients POST
// "List-Unsubscribe=One-Click" as a form, so the body, whatever it is, is not read.
// The web app's confirmation page posts here too.
func (s *Server) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	token := strings.ToLower(r.PathValue("token"))
	if !asso.IsUnsubscribeToken(token) {
		return asso.Invalid("token must be the token of an unsubscribe link")
	}
	name, err := s.DB.Unsubscribe(r.Context(), token)
	if err != nil {
		return err
	}
	return respond(w, http.StatusOK, map[string]any{"unsubscribed": true, "association": name})
}
