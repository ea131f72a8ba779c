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

func (s *Server) listAssociations(w http.ResponseWriter, r *http.Request) error {
	search, err := searchOf(r)
	if err != nil {
		return err
	}
	return listPage(w, r, func(p asso.Page) (json.RawMessage, asso.Listed, error) {
		return s.DB.Associations(r.Context(), search, p)
	})
}

func (s *Server) getAssociation(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, func(id int64) (json.RawMessage, error) { return s.DB.Association(r.Context(), id) })
}

// createAssociation: any signed-in user may create one, and is always made a member.
func (s *Server) createAssociation(w http.ResponseWriter, r *http.Request) error {
	return withBody(w, r, http.StatusCreated, func(f *form) (asso.AssociationInput, error) { return parseAssociation(f, true) },
		func(in asso.AssociationInput) (json.RawMessage, error) {
			return s.DB.CreateAssociation(r.Context(), caller(r), in)
		})
}

func (s *Server) updateAssociation(w http.ResponseWriter, r *http.Request) error {
	return updateByID(w, r, func(f *form) (asso.AssociationInput, error) { return parseAssociation(f, false) },
		func(id int64, in asso.AssociationInput) (json.RawMessage, error) {
			return s.DB.UpdateAssociation(r.Context(), caller(r), id, in)
		})
}

func (s *Server) deleteAssociation(w http.ResponseWriter, r *http.Request) error {
	return byID(w, r, func(id int64) (json.RawMessage, error) { return s.DB.DeleteAssociation(r.Context(), caller(r), id) })
}

func (s *Server) associationMembers(w http.ResponseWriter, r *http.Request) error {
	return listPageByID(w, r, func(id int64, p asso.Page) (json.RawMessage, asso.Listed, error) {
		return s.DB.AssociationMembers(r.Context(), id, p)
	})
}

func (s *Server) associationRoles(w http.ResponseWriter, r *http.Request) error {
	return listPageByID(w, r, func(id int64, p asso.Page) (json.RawMessage, asso.Listed, error) {
		return s.DB.AssociationRoles(r.Context(), caller(r), id, p)
	})
}

// associationMinutes lists minutes sorted by sort ∈ {date, content}, order ∈ {ASC, DESC}.
func (s *Server) associationMinutes(w http.ResponseWriter, r *http.Request) error {
	return listPageByID(w, r, func(id int64, p asso.Page) (json.RawMessage, asso.Listed, error) {
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
}
