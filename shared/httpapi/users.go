package httpapi

import (
	"net/http"
	"strings"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/auth"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// Field bounds shared by sign-up and profile edits.
const (
	maxNameLen     = 100
	maxAge         = 150
	minPasswordLen = 8
)

// signUp is the body of POST /api/users.
type signUp struct {
	user     asso.NewUser // without its password hash
	password string
}

func parseSignUp(f *form) (signUp, error) {
	firstname := f.text("firstname", true, maxNameLen)
	lastname := f.text("lastname", true, maxNameLen)
	age := f.integer("age", true, 0, maxAge)
	email := f.email("email", true)
	password := f.password("password", true, minPasswordLen)
	locale, timeZone := f.locale("locale"), f.timeZone("timeZone")
	if err := f.err(); err != nil {
		return signUp{}, err
	}
	in := signUp{user: asso.NewUser{Email: *email, Firstname: *firstname, Lastname: *lastname, Age: *age}}
	// The old client sends neither: the account has no preference (English, UTC).
	if locale != nil {
		in.user.Locale = *locale
		in.user.TimeZone = asso.DefaultTimeZone(*locale)
	}
	if timeZone != nil {
		in.user.TimeZone = *timeZone
	}
	in.password = *password
	return in, nil
}

// userPatch is the body of PUT /api/users/{id}; the passwords are still plain.
type userPatch struct {
	patch           asso.UserPatch
	password        *string
	currentPassword *string
}

func parseUserPatch(f *form) (userPatch, error) {
	in := userPatch{
		patch: asso.UserPatch{
			Firstname: f.text("firstname", false, maxNameLen),
			Lastname:  f.text("lastname", false, maxNameLen),
			Age:       f.integer("age", false, 0, maxAge),
			Email:     f.email("email", false),
			Locale:    f.locale("locale"),
			TimeZone:  f.timeZone("timeZone"),
		},
		password:        f.password("password", false, minPasswordLen),
		currentPassword: f.secret("currentPassword", false, maxPasswordInput),
	}
	return in, f.err()
}

// createUser is sign-up: the account starts unverified and its verification e-mail
// is queued in the same transaction.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, http.StatusCreated, parseSignUp, func(in signUp) (asso.User, error) {
		if err := s.DB.CountClientRequest(r.Context(), "sign-up", clientIP(r),
			s.Throttle.ClientWindow, s.Throttle.SignUpsPerClient); err != nil {
			return asso.User{}, err
		}
		hash, err := auth.HashPassword(in.password)
		if err != nil {
			return asso.User{}, err
		}
		in.user.PasswordHash = hash
		v, err := s.newVerification()
		if err != nil {
			return asso.User{}, err
		}
		return s.DB.CreateUser(r.Context(), in.user, v)
	})
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	search, err := searchOf(r)
	if err != nil {
		return err
	}
	return listPage(w, r, func(p asso.Page) ([]asso.User, asso.Listed, error) {
		return s.DB.Users(r.Context(), caller(r), search, p)
	})
}

// getUser answers a user with a page of their associations: those that fit in the
// byte budget from ?offset= (limit: how many at most), and a Link to the rest.
func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	uwa, listed, err := s.DB.UserWithAssociations(r.Context(), caller(r), id, p)
	if err != nil {
		return err
	}
	setNextLink(w, r, p, listed)
	return respond(w, http.StatusOK, uwa)
}

func (s *Server) userRoles(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, func(id int64) ([]asso.Role, error) { return s.DB.UserRoles(r.Context(), id) })
}

func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, parseUserPatch, func(id int64, in userPatch) (asso.User, error) {
		me := caller(r)
		if err := asso.MayChangeAccount(me, id); err != nil {
			return asso.User{}, err
		}
		changesEmail := in.patch.Email != nil && (me.ID != id || !strings.EqualFold(*in.patch.Email, me.Email))
		if me.ID == id && (in.password != nil || changesEmail) {
			if err := s.checkCurrentPassword(r, me, in.currentPassword); err != nil {
				return asso.User{}, err
			}
		}
		if in.password != nil {
			hash, err := auth.HashPassword(*in.password)
			if err != nil {
				return asso.User{}, err
			}
			in.patch.PasswordHash = &hash
		}
		var v postgres.Verification // used only if the e-mail changes
		if in.patch.Email != nil {
			var err error
			if v, err = s.newVerification(); err != nil {
				return asso.User{}, err
			}
		}
		return s.DB.UpdateUser(r.Context(), me, id, in.patch, v, s.Throttle)
	})
}

// checkCurrentPassword checks that the signed-in user typed their password, counting
// wrong guesses as failed sign-ins.
func (s *Server) checkCurrentPassword(r *http.Request, me asso.User, password *string) error {
	if password == nil {
		return asso.Invalid("currentPassword should not be empty")
	}
	ctx := r.Context()
	if err := s.DB.ReserveLoginAttempt(ctx, me.Email, clientIP(r), s.Throttle); err != nil {
		return err
	}
	cred, err := s.DB.CredentialsByEmail(ctx, me.Email)
	if err != nil {
		return err
	}
	if !auth.CheckPassword(cred.PasswordHash, *password) {
		return asso.Reasoned(asso.EFORBIDDEN, "wrong_password", "currentPassword is incorrect")
	}
	return s.DB.ForgiveLoginAttempts(ctx, me.Email)
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, func(id int64) (asso.User, error) { return s.DB.DeleteUser(r.Context(), caller(r), id) })
}
