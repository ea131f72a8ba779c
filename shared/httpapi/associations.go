package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

const maxAssociationName = 200

// parseAssociation reads POST (create) or PUT /api/associations bodies.
func parseAssociation(f *form, create bool) (asso.AssociationInput, error) {
	in := asso.AssociationInput{
		Name:    f.text("name", create, maxAssociationName),
		UserIDs: f.ids("idUsers", create),
	}
	return in, f.err()
}

var listAssociations = list(func(s *Server, r *http.Request, p asso.Page) (json.RawMessage, asso.Listed, error) {
	return s.DB.Associations(r.Context(), p)
})

var getAssociation = byID(func(s *Server, r *http.Request, id int64) (json.RawMessage, error) {
	return s.DB.Association(r.Context(), id)
})

// createAssociation: any signed-in user may create one, and is always made a member.
var createAssociation = withBody(http.StatusCreated,
	func(f *form) (asso.AssociationInput, error) { return parseAssociation(f, true) },
	func(s *Server, r *http.Request, in asso.AssociationInput) (json.RawMessage, error) {
		return s.DB.CreateAssociation(r.Context(), caller(r), in)
	})

var updateAssociation = update(func(f *form) (asso.AssociationInput, error) { return parseAssociation(f, false) },
	func(s *Server, r *http.Request, id int64, in asso.AssociationInput) (json.RawMessage, error) {
		return s.DB.UpdateAssociation(r.Context(), caller(r), id, in)
	})

var deleteAssociation = byID(func(s *Server, r *http.Request, id int64) (json.RawMessage, error) {
	return s.DB.DeleteAssociation(r.Context(), caller(r), id)
})

var associationMembers = listByID(func(s *Server, r *http.Request, id int64, p asso.Page) (json.RawMessage, asso.Listed, error) {
	return s.DB.AssociationMembers(r.Context(), id, p)
})

var associationRoles = listByID(func(s *Server, r *http.Request, id int64, p asso.Page) (json.RawMessage, asso.Listed, error) {
	return s.DB.AssociationRoles(r.Context(), caller(r), id, p)
})

// associationMinutes lists minutes sorted by sort ∈ {date, content}, order ∈ {ASC, DESC}.
var associationMinutes = listByID(func(s *Server, r *http.Request, id int64, p asso.Page) (json.RawMessage, asso.Listed, error) {
	q := r.URL.Query()
	sort, err := oneOf(q, "sort", "date", "date", "content")
	if err != nil {
		return nil, asso.Listed{}, err
	}
	order, err := oneOf(q, "order", "DESC", "ASC", "DESC", "asc", "desc")
	if err != nil {
		return nil, asso.Listed{}, err
	}
	return s.DB.AssociationMinutes(r.Context(), caller(r), id, postgres.MinuteSort{
		ByContent: sort == "content", Descending: order == "DESC" || order == "desc",
	}, p)
})
