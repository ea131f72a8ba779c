package httpapi

import (
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
	p, err := page(r)
	if err != nil {
		return err
	}
	docs, listed, err := s.DB.Associations(r.Context(), p)
	if err != nil {
		return err
	}
	return respondPage(w, r, p, listed, docs)
}

func (s *Server) getAssociation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	doc, err := s.DB.Association(r.Context(), id)
	if err != nil {
		return err
	}
	return respond(w, http.StatusOK, doc)
}

// createAssociation: any signed-in user may create one, and is always made a member.
func (s *Server) createAssociation(w http.ResponseWriter, r *http.Request) error {
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	in, err := parseAssociation(f, true)
	if err != nil {
		return err
	}
	doc, err := s.DB.CreateAssociation(r.Context(), caller(r), in)
	if err != nil {
		return err
	}
	return respond(w, http.StatusCreated, doc)
}

func (s *Server) updateAssociation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	in, err := parseAssociation(f, false)
	if err != nil {
		return err
	}
	doc, err := s.DB.UpdateAssociation(r.Context(), caller(r), id, in)
	if err != nil {
		return err
	}
	return respond(w, http.StatusOK, doc)
}

func (s *Server) deleteAssociation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	doc, err := s.DB.DeleteAssociation(r.Context(), caller(r), id)
	if err != nil {
		return err
	}
	return respond(w, http.StatusOK, doc)
}

func (s *Server) associationMembers(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	docs, listed, err := s.DB.AssociationMembers(r.Context(), id, p)
	if err != nil {
		return err
	}
	return respondPage(w, r, p, listed, docs)
}

func (s *Server) associationRoles(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	docs, listed, err := s.DB.AssociationRoles(r.Context(), caller(r), id, p)
	if err != nil {
		return err
	}
	return respondPage(w, r, p, listed, docs)
}

// associationMinutes lists minutes sorted by sort ∈ {date, content}, order ∈ {ASC, DESC}.
func (s *Server) associationMinutes(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	sort, err := oneOf(q, "sort", "date", "date", "content")
	if err != nil {
		return err
	}
	order, err := oneOf(q, "order", "DESC", "ASC", "DESC", "asc", "desc")
	if err != nil {
		return err
	}
	docs, listed, err := s.DB.AssociationMinutes(r.Context(), caller(r), id, postgres.MinuteSort{
		ByContent: sort == "content", Descending: order == "DESC" || order == "desc",
	}, p)
	if err != nil {
		return err
	}
	return respondPage(w, r, p, listed, docs)
}
