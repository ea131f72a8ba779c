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
	if next := p.Offset + listed.Count; listed.Count > 0 && next < listed.Total {
		q := r.URL.Query()
		q.Set("limit", strconv.Itoa(p.Limit))
		q.Set("offset", strconv.Itoa(next))
		w.Header().Set("Link", "<"+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
	}
	return respond(w, http.StatusOK, items)
}
