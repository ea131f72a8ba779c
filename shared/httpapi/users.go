package httpapi

import (
	"net/http"
	"strconv"

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
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	in, err := parseSignUp(f)
	if err != nil {
		return err
	}
	in.user.PasswordHash, err = auth.HashPassword(in.password)
	if err != nil {
		return err
	}
	v, err := s.newVerification()
	if err != nil {
		return err
	}
	u, err := s.DB.CreateUser(r.Context(), in.user, v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, u)
	return nil
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	users, total, err := s.DB.Users(r.Context(), p)
	if err != nil {
		return err
	}
	w.Header().Set("X-Total-Count", strconv.Itoa(total))
	writeJSON(w, http.StatusOK, users)
	return nil
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.DB.UserWithAssociations(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) userRoles(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	roles, err := s.DB.UserRoles(r.Context(), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, roles)
	return nil
}

// updateUser changes any of firstname, lastname, age, email and password; other
// fields (isAdmin among them) are ignored.
func (s *Server) updateUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	in, err := parseUserPatch(f)
	if err != nil {
		return err
	}
	if in.password != nil {
		hash, err := auth.HashPassword(*in.password)
		if err != nil {
			return err
		}
		in.patch.PasswordHash = &hash
	}
	u, err := s.DB.UpdateUser(r.Context(), caller(r), id, in.patch)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}

func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	u, err := s.DB.DeleteUser(r.Context(), caller(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, u)
	return nil
}
