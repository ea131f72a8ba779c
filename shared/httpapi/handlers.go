package httpapi

import (
	"encoding/json"
	"net/http"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/postgres"
)

// The shapes most routes share, so each route states only what is its own.

// handlerFunc is a route's handler: it writes a success or returns the error to render.
type handlerFunc = func(*Server, http.ResponseWriter, *http.Request) error

// create serves a POST that creates an object from its body: parse, act, 201.
func create[T any](parse func(*form) (T, error), act func(*Server, *http.Request, T) (json.RawMessage, error)) handlerFunc {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		f, err := readForm(w, r)
		if err != nil {
			return err
		}
		in, err := parse(f)
		if err != nil {
			return err
		}
		doc, err := act(s, r, in)
		if err != nil {
			return err
		}
		writeRaw(w, http.StatusCreated, doc)
		return nil
	}
}

// update serves a PUT or PATCH of the object named by the path's {id}: parse, act, 200.
func update[T any](parse func(*form) (T, error), act func(*Server, *http.Request, int64, T) (json.RawMessage, error)) handlerFunc {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		f, err := readForm(w, r)
		if err != nil {
			return err
		}
		in, err := parse(f)
		if err != nil {
			return err
		}
		doc, err := act(s, r, id, in)
		if err != nil {
			return err
		}
		writeRaw(w, http.StatusOK, doc)
		return nil
	}
}

// listHandler serves a plain list: page, query, write with X-Total-Count.
func listHandler(query func(*postgres.DB, *http.Request, asso.Page) (json.RawMessage, int, error)) handlerFunc {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		p, err := page(r)
		if err != nil {
			return err
		}
		doc, total, err := query(s.DB, r, p)
		if err != nil {
			return err
		}
		writeList(w, doc, total)
		return nil
	}
}

// byID serves a route that reads or changes one object named by the path's {id}.
func byID(status int, act func(*Server, *http.Request, int64) (json.RawMessage, error)) handlerFunc {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		doc, err := act(s, r, id)
		if err != nil {
			return err
		}
		writeRaw(w, status, doc)
		return nil
	}
}

// listByID serves a list that belongs to the association named by the path's {id}.
func listByID(query func(*postgres.DB, *http.Request, int64, asso.Page) (json.RawMessage, int, error)) handlerFunc {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		p, err := page(r)
		if err != nil {
			return err
		}
		doc, total, err := query(s.DB, r, id, p)
		if err != nil {
			return err
		}
		writeList(w, doc, total)
		return nil
	}
}
