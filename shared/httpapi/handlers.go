package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/kittenasso/kittenasso/shared/asso"
)

// Every route's handler is a named method of *Server with this shape: parse the
// request, validate it, act through the store, respond. It writes a success itself
// and returns an error for routeHandler to render, so that no handler renders errors.
type handlerFunc = func(*Server, http.ResponseWriter, *http.Request) error

// respond writes v with status: a document the database built as JSON
// (json.RawMessage) as it is, anything else encoded. It returns nil, so that a handler
// can end with it.
func respond(w http.ResponseWriter, status int, v any) error {
	if doc, ok := v.(json.RawMessage); ok {
		writeRaw(w, status, doc)
		return nil
	}
	writeJSON(w, status, v)
	return nil
}

// respondPage writes page p of a list, with X-Total-Count, and a Link to the next
// page when there is more: after the last item, or where the page was cut short for
// its size.
func respondPage(w http.ResponseWriter, r *http.Request, p asso.Page, listed asso.Listed, items any) error {
	w.Header().Set("X-Total-Count", strconv.Itoa(listed.Total))
	setNextLink(w, r, p, listed)
	return respond(w, http.StatusOK, items)
}

// setNextLink links to the next page when the list goes on after this one.
func setNextLink(w http.ResponseWriter, r *http.Request, p asso.Page, listed asso.Listed) {
	if next := p.Offset + listed.Count; listed.Count > 0 && next < listed.Total {
		q := r.URL.Query()
		q.Set("limit", strconv.Itoa(p.Limit))
		q.Set("offset", strconv.Itoa(next))
		w.Header().Set("Link", "<"+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
	}
}

// The steps most handlers share, each handler passing what is its own as a closure:
// the handler stays the named function a profile or a panic names, and each step is
// written once.

// byID reads the path's {id} and answers act's result with 200.
func byID[R any](w http.ResponseWriter, r *http.Request, act func(id int64) (R, error)) error {
	return byPathKey(w, r, func(r *http.Request) (int64, error) { return pathID(r, "id") }, act)
}

// byPathKey reads the key the path names and answers act's result with 200.
func byPathKey[K, R any](w http.ResponseWriter, r *http.Request, readKey func(*http.Request) (K, error), act func(K) (R, error)) error {
	key, err := readKey(r)
	if err != nil {
		return err
	}
	out, err := act(key)
	if err != nil {
		return err
	}
	return respond(w, http.StatusOK, out)
}

// withBody reads and parses the JSON body and answers act's result with status.
func withBody[T, R any](w http.ResponseWriter, r *http.Request, status int, parse func(*form) (T, error), act func(in T) (R, error)) error {
	f, err := readForm(w, r)
	if err != nil {
		return err
	}
	in, err := parse(f)
	if err != nil {
		return err
	}
	out, err := act(in)
	if err != nil {
		return err
	}
	return respond(w, status, out)
}

// updateByID reads the path's {id}, then the body, and answers act's result with 200.
func updateByID[T, R any](w http.ResponseWriter, r *http.Request, parse func(*form) (T, error), act func(id int64, in T) (R, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return withBody(w, r, http.StatusOK, parse, func(in T) (R, error) { return act(id, in) })
}

// listPage reads limit and offset and answers query's page.
func listPage[R any](w http.ResponseWriter, r *http.Request, query func(asso.Page) (R, asso.Listed, error)) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	items, listed, err := query(p)
	if err != nil {
		return err
	}
	return respondPage(w, r, p, listed, items)
}

// listPageByID reads the path's {id}, then limit and offset, and answers query's page.
func listPageByID[R any](w http.ResponseWriter, r *http.Request, query func(int64, asso.Page) (R, asso.Listed, error)) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return listPage(w, r, func(p asso.Page) (R, asso.Listed, error) { return query(id, p) })
}
