package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// The shapes every route takes, so each route states only what is its own: how to
// read its input and what to do with it. A result is written as JSON; a document
// already built as JSON by the database (json.RawMessage) is written as it is.

// handlerFunc is a route's handler: it writes a success or returns the error to render.
type handlerFunc = func(*Server, http.ResponseWriter, *http.Request) error

func respond(w http.ResponseWriter, status int, v any) {
	if doc, ok := v.(json.RawMessage); ok {
		writeRaw(w, status, doc)
		return
	}
	writeJSON(w, status, v)
}

// withBody serves a route that acts on its JSON body: parse, act, answer status.
func withBody[T, R any](status int, parse func(*form) (T, error), act func(*Server, *http.Request, T) (R, error)) handlerFunc {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		f, err := readForm(w, r)
		if err != nil {
			return err
		}
		in, err := parse(f)
		if err != nil {
			return err
		}
		out, err := act(s, r, in)
		if err != nil {
			return err
		}
		respond(w, status, out)
		return nil
	}
}

// update serves a PUT or PATCH of the object named by the path's {id}: parse, act, 200.
func update[T, R any](parse func(*form) (T, error), act func(*Server, *http.Request, int64, T) (R, error)) handlerFunc {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		return withBody(http.StatusOK, parse, func(s *Server, r *http.Request, in T) (R, error) {
			return act(s, r, id, in)
		})(s, w, r)
	}
}

// byID serves a GET or DELETE of the object named by the path's {id}.
func byID[R any](act func(*Server, *http.Request, int64) (R, error)) handlerFunc {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		out, err := act(s, r, id)
		if err != nil {
			return err
		}
		respond(w, http.StatusOK, out)
		return nil
	}
}

// list serves a page of a list, with X-Total-Count, and a Link to the next page when
// there is more: after the last item, or where the page was cut short for its size.
func list[R any](query func(*Server, *http.Request, asso.Page) (R, asso.Listed, error)) handlerFunc {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		p, err := page(r)
		if err != nil {
			return err
		}
		out, listed, err := query(s, r, p)
		if err != nil {
			return err
		}
		w.Header().Set("X-Total-Count", strconv.Itoa(listed.Total))
		if next := p.Offset + listed.Count; listed.Count > 0 && next < listed.Total {
			q := r.URL.Query()
			q.Set("limit", strconv.Itoa(p.Limit))
			q.Set("offset", strconv.Itoa(next))
			w.Header().Set("Link", "<"+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
		}
		respond(w, http.StatusOK, out)
		return nil
	}
}

// listByID serves a page of a list that belongs to the object named by the path's {id}.
func listByID[R any](query func(*Server, *http.Request, int64, asso.Page) (R, asso.Listed, error)) handlerFunc {
	return func(s *Server, w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		return list(func(s *Server, r *http.Request, p asso.Page) (R, asso.Listed, error) {
			return query(s, r, id, p)
		})(s, w, r)
	}
}
