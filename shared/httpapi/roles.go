package httpapi

import (
	"encoding/json"
	"net/http"
	"unicode/utf8"

	"github.com/kittenasso/kittenasso/shared/asso"
)

const maxRoleName = 100

// roleInput is the body of POST /api/roles.
type roleInput struct {
	Key  asso.RoleKey
	Name string
}

func parseRole(f *form) (roleInput, error) {
	name := f.text("name", true, maxRoleName)
	user := f.id("idUser", true, true)
	association := f.id("idAssociation", true, true)
	if err := f.err(); err != nil {
		return roleInput{}, err
	}
	return roleInput{Key: asso.RoleKey{UserID: *user, AssociationID: *association}, Name: *name}, nil
}

// parseRoleName is the body of PUT /api/roles/{userId}/{associationId}.
func parseRoleName(f *form) (string, error) {
	name := f.text("name", true, maxRoleName)
	if err := f.err(); err != nil {
		return "", err
	}
	return *name, nil
}

// roleKey reads /api/roles/{userId}/{associationId}.
func roleKey(r *http.Request) (asso.RoleKey, error) {
	user, errUser := pathID(r, "userId")
	association, errAssociation := pathID(r, "associationId")
	if errUser != nil || errAssociation != nil {
		var problems []string
		for _, err := range []error{errUser, errAssociation} {
			if e, ok := err.(*asso.Error); ok {
				problems = append(problems, e.Messages...)
			}
		}
		return asso.RoleKey{}, asso.Invalid(problems...)
	}
	return asso.RoleKey{UserID: user, AssociationID: association}, nil
}

// createRole gives a member a role; a second POST for the same pair renames it.
func (s *Server) createRole(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, http.StatusCreated, parseRole,
		func(in roleInput) (json.RawMessage, error) {
			return s.DB.SetRole(r.Context(), caller(r), in.Key, in.Name)
		})
}

func (s *Server) listRoles(w http.ResponseWriter, r *http.Request) error {
	return listPage(w, r, func(p asso.Page) (json.RawMessage, asso.Listed, error) { return s.DB.Roles(r.Context(), p) })
}

// usersWithRole lists the holders of a role name; the name is the whole path segment.
func (s *Server) usersWithRole(w http.ResponseWriter, r *http.Request) error {
	return listPage(w, r, func(p asso.Page) (json.RawMessage, asso.Listed, error) {
		name := r.PathValue("name")
		switch {
		case !utf8.ValidString(name) || hasControl(name, ""):
			return nil, asso.Listed{}, asso.Invalid("name must be valid UTF-8 text without control characters")
		case utf8.RuneCountInString(name) > maxRoleName:
			return nil, asso.Listed{}, asso.Invalid("name must be shorter than or equal to 100 characters")
		}
		return s.DB.UsersWithRole(r.Context(), caller(r), name, p)
	})
}

func (s *Server) getRole(w http.ResponseWriter, r *http.Request) error {
	return byPathKey(w, r, roleKey, func(key asso.RoleKey) (json.RawMessage, error) { return s.DB.Role(r.Context(), key) })
}

func (s *Server) updateRole(w http.ResponseWriter, r *http.Request) error {
	key, err := roleKey(r)
	if err != nil {
		return err
	}
	return withBody(w, r, http.StatusOK, parseRoleName,
		func(name string) (json.RawMessage, error) { return s.DB.RenameRole(r.Context(), caller(r), key, name) })
}

func (s *Server) deleteRole(w http.ResponseWriter, r *http.Request) error {
	return byPathKey(w, r, roleKey, func(key asso.RoleKey) (json.RawMessage, error) { return s.DB.DeleteRole(r.Context(), caller(r), key) })
}
