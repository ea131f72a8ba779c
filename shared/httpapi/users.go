package httpapi

import (
	"net/http"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/auth"
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
	if err := f.err(); err != nil {
		return signUp{}, err
	}
	return signUp{
		user:     asso.NewUser{Email: *email, Firstname: *firstname, Lastname: *lastname, Age: *age},
		password: *password,
	}, nil
}

// userPatch is the body of PUT /api/users/{id}; the password is still plain.
type userPatch struct {
	patch    asso.UserPatch
	password *string
}

func parseUserPatch(f *form) (userPatch, error) {
	in := userPatch{
		patch: asso.UserPatch{
			Firstname: f.text("firstname", false, maxNameLen),
			Lastname:  f.text("lastname", false, maxNameLen),
			Age:       f.integer("age", false, 0, maxAge),
			Email:     f.email("email", false),
		},
		password: f.password("password", false, minPasswordLen),
	}
	return in, f.err()
}

// createUser is sign-up: the account starts unverified and its verification e-mail
// is queued in the same transaction.
var createUser = withBody(http.StatusCreated, parseSignUp, func(s *Server, r *http.Request, in signUp) (asso.User, error) {
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

var listUsers = list(func(s *Server, r *http.Request, p asso.Page) ([]asso.User, int, error) {
	return s.DB.Users(r.Context(), p)
})

var getUser = byID(func(s *Server, r *http.Request, id int64) (asso.UserWithAssociations, error) {
	return s.DB.UserWithAssociations(r.Context(), id)
})

var userRoles = byID(func(s *Server, r *http.Request, id int64) ([]asso.Role, error) {
	return s.DB.UserRoles(r.Context(), id)
})

// updateUser changes any of firstname, lastname, age, email and password; other
// fields (isAdmin among them) are ignored.
var updateUser = update(parseUserPatch, func(s *Server, r *http.Request, id int64, in userPatch) (asso.User, error) {
	if in.password != nil {
		hash, err := auth.HashPassword(*in.password)
		if err != nil {
			return asso.User{}, err
		}
		in.patch.PasswordHash = &hash
	}
	return s.DB.UpdateUser(r.Context(), caller(r), id, in.patch)
})

var deleteUser = byID(func(s *Server, r *http.Request, id int64) (asso.User, error) {
	return s.DB.DeleteUser(r.Context(), caller(r), id)
})
