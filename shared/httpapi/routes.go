package httpapi

import "net/http"

// Access says who may call a route.
type Access int

const (
	Public   Access = iota // anyone
	SignedIn               // a valid bearer token; per-object rules are the store's
)

// Route is one API route, served by one Lambda function.
type Route struct {
	// Name is the function's folder under functions/ and its CodeUri in template.yaml.
	Name   string
	Method string
	// Path is the API Gateway route path, also used as the ServeMux pattern, so
	// r.PathValue reads the same parameters locally and in Lambda.
	Path   string
	Access Access
	handle handlerFunc
}

// Pattern is the route's ServeMux pattern, e.g. "GET /api/users/{id}".
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

// Routes is the one route table. template.yaml, the functions/ folders and the OpenAPI
// document must list exactly these routes; TestRoutesAgree proves that they do.
var Routes = []Route{
	{"api-info", http.MethodGet, "/api", Public, (*Server).apiInfo},
	{"health", http.MethodGet, "/api/health", Public, (*Server).health},
	{"openapi", http.MethodGet, "/api/openapi.json", Public, (*Server).openAPI},
	{"auth-login", http.MethodPost, "/api/auth/login", Public, login},
	{"users-create", http.MethodPost, "/api/users", Public, createUser},
	{"users-list", http.MethodGet, "/api/users", SignedIn, listUsers},
	{"users-get", http.MethodGet, "/api/users/{id}", SignedIn, getUser},
	{"users-roles", http.MethodGet, "/api/users/{id}/roles", SignedIn, userRoles},
	{"users-update", http.MethodPut, "/api/users/{id}", SignedIn, updateUser},
	{"users-delete", http.MethodDelete, "/api/users/{id}", SignedIn, deleteUser},
	{"verification-verify", http.MethodPost, "/api/verification", Public, verify},
	{"verification-resend", http.MethodPost, "/api/verification/resend", Public, resendVerification},
	{"unsubscribe", http.MethodPost, "/api/unsubscribe/{token}", Public, unsubscribe},

	{"associations-list", http.MethodGet, "/api/associations", SignedIn, listAssociations},
	{"associations-get", http.MethodGet, "/api/associations/{id}", SignedIn, getAssociation},
	{"associations-create", http.MethodPost, "/api/associations", SignedIn, createAssociation},
	{"associations-update", http.MethodPut, "/api/associations/{id}", SignedIn, updateAssociation},
	{"associations-delete", http.MethodDelete, "/api/associations/{id}", SignedIn, deleteAssociation},
	{"associations-members", http.MethodGet, "/api/associations/{id}/members", SignedIn, associationMembers},
	{"associations-minutes", http.MethodGet, "/api/associations/{id}/minutes", SignedIn, associationMinutes},
	{"associations-roles", http.MethodGet, "/api/associations/{id}/roles", SignedIn, associationRoles},

	{"roles-create", http.MethodPost, "/api/roles", SignedIn, createRole},
	{"roles-list", http.MethodGet, "/api/roles", SignedIn, listRoles},
	{"roles-by-name", http.MethodGet, "/api/roles/users/{name}", SignedIn, usersWithRole},
	{"roles-get", http.MethodGet, "/api/roles/{userId}/{associationId}", SignedIn, getRole},
	{"roles-update", http.MethodPut, "/api/roles/{userId}/{associationId}", SignedIn, updateRole},
	{"roles-delete", http.MethodDelete, "/api/roles/{userId}/{associationId}", SignedIn, deleteRole},

	{"minutes-create", http.MethodPost, "/api/minutes", SignedIn, createMinute},
	{"minutes-list", http.MethodGet, "/api/minutes", SignedIn, listMinutes},
	{"minutes-get", http.MethodGet, "/api/minutes/{id}", SignedIn, getMinute},
	{"minutes-update", http.MethodPut, "/api/minutes/{id}", SignedIn, updateMinute},
	{"minutes-delete", http.MethodDelete, "/api/minutes/{id}", SignedIn, deleteMinute},

	{"events-create", http.MethodPost, "/api/events", SignedIn, createEvent},
	{"events-list", http.MethodGet, "/api/events", SignedIn, listEvents},
	{"events-by-association", http.MethodGet, "/api/events/association/{id}", SignedIn, associationEvents},
	{"events-get", http.MethodGet, "/api/events/{id}", SignedIn, getEvent},
	{"events-update", http.MethodPatch, "/api/events/{id}", SignedIn, updateEvent},
	{"events-delete", http.MethodDelete, "/api/events/{id}", SignedIn, deleteEvent},
}

// RouteByName returns the route served by the function called name.
func RouteByName(name string) (Route, bool) {
	for _, rt := range Routes {
		if rt.Name == name {
			return rt, true
		}
	}
	return Route{}, false
}

// queuesMail names the routes that write e-mails to the outbox, and so publish to the
// mail queue after their commit: only their functions may send to the queue.
var queuesMail = map[string]bool{
	"users-create": true, "users-update": true, "verification-resend": true, "associations-delete": true,
	"events-create": true, "events-update": true, "events-delete": true,
}

// QueuesMail reports whether the route writes e-mails to the outbox.
func (rt Route) QueuesMail() bool { return queuesMail[rt.Name] }

// withoutDatabase names the routes that never query the database: their functions
// may not read the database secret.
var withoutDatabase = map[string]bool{"api-info": true, "openapi": true}

// UsesDatabase reports whether the route's function reads the database secret.
func (rt Route) UsesDatabase() bool { return !withoutDatabase[rt.Name] }

// UsesSigningKey reports whether the route's function reads the token signing key:
// to check tokens, or to issue them (sign-in).
func (rt Route) UsesSigningKey() bool { return rt.Access == SignedIn || rt.Name == "auth-login" }
