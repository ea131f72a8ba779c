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

// createUser is sign-up: the account starts unverified and its verification e-mail
// is queued in the same transaction.
func (s *Server) createUser(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	firstname := f.text("firstname", true, maxNameLen)
	lastname := f.text("lastname", true, maxNameLen)
	age := f.integer("age", true, 0, maxAge)
	email := f.email("email", true)
	password := f.password("password", true, minPasswordLen)
	if err := f.err(); err != nil {
		return err
	}
	hash, err := auth.HashPassword(*password)
	if err != nil {
		return err
	}
	v, err := s.newVerification()
	if err != nil {
		return err
	}
	u, err := s.DB.CreateUser(r.Context(), asso.NewUser{
		Email: *email, Firstname: *firstname, Lastname: *lastname, Age: *age, PasswordHash: hash,
	}, v)
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
	patch := asso.UserPatch{
		Firstname: f.text("firstname", false, maxNameLen),
		Lastname:  f.text("lastname", false, maxNameLen),
		Age:       f.integer("age", false, 0, maxAge),
		Email:     f.email("email", false),
	}
	password := f.password("password", false, minPasswordLen)
	if err := f.err(); err != nil {
		return err
	}
	if password != nil {
		hash, err := auth.HashPassword(*password)
		if err != nil {
			return err
		}
		patch.PasswordHash = &hash
	}
	u, err := s.DB.UpdateUser(r.Context(), caller(r), id, patch)
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
