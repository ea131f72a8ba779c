package httpapi

import (
	"net/http"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/auth"
)

// maxPasswordInput bounds what login reads as a password; longer is simply wrong.
const maxPasswordInput = 1024

var errInvalidCredentials = asso.Errorf(asso.EUNAUTHORIZED, "invalid credentials")

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
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	email, password, err := parseLogin(f)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if err := s.DB.ReserveLoginAttempt(ctx, *email, clientIP(r), s.Throttle); err != nil {
		return err
	}
	cred, err := s.DB.CredentialsByEmail(ctx, *email)
	switch {
	case asso.ErrorCode(err) == asso.ENOTFOUND:
		auth.SpendPasswordCheck(*password)
		return errInvalidCredentials
	case err != nil:
		return err
	case !auth.CheckPassword(cred.PasswordHash, *password):
		return errInvalidCredentials
	}
	if err := s.DB.ForgiveLoginAttempts(ctx, *email); err != nil {
		return err
	}
	if !cred.Verified {
		return asso.Errorf(asso.EFORBIDDEN, "user not verified")
	}
	token, err := s.Tokens.Issue(cred.User.ID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, loginResponse{
		AccessToken: token, ID: cred.User.ID, TokenType: "Bearer", ExpiresIn: int(s.Tokens.TTL.Seconds()),
	})
	return nil
}

// parseLogin reads {username, password}; email is an alias of username (contract.md §2).
func parseLogin(f *form) (email, password *string, err error) {
	field := "username"
	if !f.present("username") && f.present("email") {
		field = "email"
	}
	email = f.text(field, true, 254)
	password = f.text("password", true, maxPasswordInput)
	return email, password, f.err()
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
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	token, err := parseToken(f)
	if err != nil {
		return err
	}
	u, err := s.DB.Verify(r.Context(), auth.HashVerificationToken(*token))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

// resendVerification answers 202 whether or not the address has an account, so it
// cannot be used to learn which addresses do.
func (s *Server) resendVerification(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	email, err := parseEmail(f)
	if err != nil {
		return err
	}
	v, err := s.newVerification()
	if err != nil {
		return err
	}
	if err := s.DB.ResendVerification(r.Context(), *email, v, s.Throttle); err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, map[string]any{
		"statusCode": http.StatusAccepted,
		"message":    "if this address belongs to an unverified account, a new verification link is on its way",
	})
	return nil
}
