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

// byRoleKey serves a GET or DELETE of the role named by /api/roles/{userId}/{associationId}.
func byRoleKey(act func(*Server, *http.Request, asso.RoleKey) (json.RawMessage, error)) handlerFunc {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		key, err := roleKey(r)
		if err != nil {
			return err
		}
		doc, err := act(s, r, key)
		if err != nil {
			return err
		}
		writeRaw(w, http.StatusOK, doc)
		return nil
	}
}

// createRole gives a member a role; a second POST for the same pair renames it.
var createRole = withBody(http.StatusCreated, parseRole, func(s *Server, r *http.Request, in roleInput) (json.RawMessage, error) {
	return s.DB.SetRole(r.Context(), caller(r), in.Key, in.Name)
})

var listRoles = list(func(s *Server, r *http.Request, p asso.Page) (json.RawMessage, asso.Listed, error) {
	return s.DB.Roles(r.Context(), p)
})

// usersWithRole lists the holders of a role name; the name is the whole path segment.
var usersWithRole = list(func(s *Server, r *http.Request, p asso.Page) (json.RawMessage, asso.Listed, error) {
	name := r.PathValue("name")
	switch {
	case !utf8.ValidString(name) || hasControl(name, ""):
		return nil, asso.Listed{}, asso.Invalid("name must be valid UTF-8 text without control characters")
	case utf8.RuneCountInString(name) > maxRoleName:
		return nil, asso.Listed{}, asso.Invalid("name must be shorter than or equal to 100 characters")
	}
	return s.DB.UsersWithRole(r.Context(), caller(r), name, p)
})

var getRole = byRoleKey(func(s *Server, r *http.Request, key asso.RoleKey) (json.RawMessage, error) {
	return s.DB.Role(r.Context(), key)
})

func updateRole(s *Server, w http.ResponseWriter, r *http.Request) error {
	key, err := roleKey(r)
	if err != nil {
		return err
	}
	return withBody(http.StatusOK, parseRoleName, func(s *Server, r *http.Request, name string) (json.RawMessage, error) {
		return s.DB.RenameRole(r.Context(), caller(r), key, name)
	})(s, w, r)
}

var deleteRole = byRoleKey(func(s *Server, r *http.Request, key asso.RoleKey) (json.RawMessage, error) {
	return s.DB.DeleteRole(r.Context(), caller(r), key)
})
