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

// The routes, one variable each, so that a function's main names the route it serves
// and go-to-definition leads from there to its handler.
var (
	APIInfo            = Route{"api-info", http.MethodGet, "/api", Public, (*Server).apiInfo}
	Health             = Route{"health", http.MethodGet, "/api/health", Public, (*Server).health}
	OpenAPI            = Route{"openapi", http.MethodGet, "/api/openapi.json", Public, (*Server).openAPI}
	AuthLogin          = Route{"auth-login", http.MethodPost, "/api/auth/login", Public, (*Server).login}
	UsersCreate        = Route{"users-create", http.MethodPost, "/api/users", Public, (*Server).createUser}
	UsersList          = Route{"users-list", http.MethodGet, "/api/users", SignedIn, (*Server).listUsers}
	UsersGet           = Route{"users-get", http.MethodGet, "/api/users/{id}", SignedIn, (*Server).getUser}
	UsersRoles         = Route{"users-roles", http.MethodGet, "/api/users/{id}/roles", SignedIn, (*Server).userRoles}
	UsersUpdate        = Route{"users-update", http.MethodPut, "/api/users/{id}", SignedIn, (*Server).updateUser}
	UsersDelete        = Route{"users-delete", http.MethodDelete, "/api/users/{id}", SignedIn, (*Server).deleteUser}
	VerificationVerify = Route{"verification-verify", http.MethodPost, "/api/verification", Public, (*Server).verify}
	VerificationResend = Route{"verification-resend", http.MethodPost, "/api/verification/resend", Public, (*Server).resendVerification}
	Unsubscribe        = Route{"unsubscribe", http.MethodPost, "/api/unsubscribe/{token}", Public, (*Server).unsubscribe}

	AssociationsList    = Route{"associations-list", http.MethodGet, "/api/associations", SignedIn, (*Server).listAssociations}
	AssociationsGet     = Route{"associations-get", http.MethodGet, "/api/associations/{id}", SignedIn, (*Server).getAssociation}
	AssociationsCreate  = Route{"associations-create", http.MethodPost, "/api/associations", SignedIn, (*Server).createAssociation}
	AssociationsUpdate  = Route{"associations-update", http.MethodPut, "/api/associations/{id}", SignedIn, (*Server).updateAssociation}
	AssociationsDelete  = Route{"associations-delete", http.MethodDelete, "/api/associations/{id}", SignedIn, (*Server).deleteAssociation}
	AssociationsMembers = Route{"associations-members", http.MethodGet, "/api/associations/{id}/members", SignedIn, (*Server).associationMembers}
	AssociationsMinutes = Route{"associations-minutes", http.MethodGet, "/api/associations/{id}/minutes", SignedIn, (*Server).associationMinutes}
	AssociationsRoles   = Route{"associations-roles", http.MethodGet, "/api/associations/{id}/roles", SignedIn, (*Server).associationRoles}
	AssociationsInvite  = Route{"associations-invite", http.MethodPost, "/api/associations/{id}/invitations", SignedIn, (*Server).inviteByEmail}
	AssociationsLeave   = Route{"associations-leave", http.MethodDelete, "/api/associations/{id}/membership", SignedIn, (*Server).leaveAssociation}
	AssociationsManager = Route{"associations-manager", http.MethodPut, "/api/associations/{id}/members/{userId}", SignedIn, (*Server).setManager}

	// Exports: files for an association's managers. The attendance is under
	// /api/attendance: /api/events/{id}/... would share its paths with
	// /api/events/association/{id}.
	AssociationsMembersCSV = Route{"associations-members-csv", http.MethodGet, "/api/associations/{id}/members.csv", SignedIn, (*Server).exportMembers}
	AssociationsMinutesMD  = Route{"associations-minutes-md", http.MethodGet, "/api/associations/{id}/minutes.md", SignedIn, (*Server).exportMinutes}
	EventsAttendeesCSV     = Route{"events-attendees-csv", http.MethodGet, "/api/attendance/{id}/attendees.csv", SignedIn, (*Server).exportAttendance}

	InvitationsList   = Route{"invitations-list", http.MethodGet, "/api/invitations", SignedIn, (*Server).listInvitations}
	InvitationsAnswer = Route{"invitations-answer", http.MethodPut, "/api/invitations/{id}", SignedIn, (*Server).answerInvitation}
	InvitationsLink   = Route{"invitations-link", http.MethodPost, "/api/invitations/answer", Public, (*Server).answerInvitationByLink}

	RolesCreate = Route{"roles-create", http.MethodPost, "/api/roles", SignedIn, (*Server).createRole}
	RolesList   = Route{"roles-list", http.MethodGet, "/api/roles", SignedIn, (*Server).listRoles}
	RolesByName = Route{"roles-by-name", http.MethodGet, "/api/roles/users/{name}", SignedIn, (*Server).usersWithRole}
	RolesGet    = Route{"roles-get", http.MethodGet, "/api/roles/{userId}/{associationId}", SignedIn, (*Server).getRole}
	RolesUpdate = Route{"roles-update", http.MethodPut, "/api/roles/{userId}/{associationId}", SignedIn, (*Server).updateRole}
	RolesDelete = Route{"roles-delete", http.MethodDelete, "/api/roles/{userId}/{associationId}", SignedIn, (*Server).deleteRole}

	MinutesCreate = Route{"minutes-create", http.MethodPost, "/api/minutes", SignedIn, (*Server).createMinute}
	MinutesList   = Route{"minutes-list", http.MethodGet, "/api/minutes", SignedIn, (*Server).listMinutes}
	MinutesGet    = Route{"minutes-get", http.MethodGet, "/api/minutes/{id}", SignedIn, (*Server).getMinute}
	MinutesUpdate = Route{"minutes-update", http.MethodPut, "/api/minutes/{id}", SignedIn, (*Server).updateMinute}
	MinutesDelete = Route{"minutes-delete", http.MethodDelete, "/api/minutes/{id}", SignedIn, (*Server).deleteMinute}

	EventsCreate        = Route{"events-create", http.MethodPost, "/api/events", SignedIn, (*Server).createEvent}
	EventsList          = Route{"events-list", http.MethodGet, "/api/events", SignedIn, (*Server).listEvents}
	EventsByAssociation = Route{"events-by-association", http.MethodGet, "/api/events/association/{id}", SignedIn, (*Server).associationEvents}
	EventsGet           = Route{"events-get", http.MethodGet, "/api/events/{id}", SignedIn, (*Server).getEvent}
	EventsUpdate        = Route{"events-update", http.MethodPatch, "/api/events/{id}", SignedIn, (*Server).updateEvent}
	EventsDelete        = Route{"events-delete", http.MethodDelete, "/api/events/{id}", SignedIn, (*Server).deleteEvent}
	EventsAnswer        = Route{"events-answer", http.MethodPut, "/api/attendance/{id}", SignedIn, (*Server).answerEvent}
	EventsAttendees     = Route{"events-attendees", http.MethodGet, "/api/attendance/{id}", SignedIn, (*Server).eventAttendees}
	RSVPAnswer          = Route{"rsvp-answer", http.MethodPost, "/api/rsvp", Public, (*Server).answerByLink}
	CalendarCreate      = Route{"calendar-create", http.MethodPost, "/api/calendar", SignedIn, (*Server).newCalendarFeed}
	CalendarFeed        = Route{"calendar-feed", http.MethodGet, "/api/calendar/{token}", Public, (*Server).calendarFeedICS}
)

// Routes is the one route table. template.yaml, the functions/ folders and the OpenAPI
// document must list exactly these routes; TestRoutesAgree proves that they do.
var Routes = []Route{
	APIInfo, Health, OpenAPI, AuthLogin, UsersCreate, UsersList,
	UsersGet, UsersRoles, UsersUpdate, UsersDelete, VerificationVerify, VerificationResend,
	Unsubscribe, AssociationsList, AssociationsGet, AssociationsCreate, AssociationsUpdate, AssociationsDelete,
	AssociationsMembers, AssociationsMinutes, AssociationsRoles, RolesCreate, RolesList, RolesByName,
	RolesGet, RolesUpdate, RolesDelete, MinutesCreate, MinutesList, MinutesGet,
	MinutesUpdate, MinutesDelete, EventsCreate, EventsList, EventsByAssociation, EventsGet,
	EventsUpdate, EventsAnswer, EventsAttendees, EventsAttendeesCSV, RSVPAnswer, EventsDelete, CalendarFeed, CalendarCreate,
	AssociationsInvite, AssociationsLeave, AssociationsManager, InvitationsList, InvitationsAnswer, InvitationsLink,
	AssociationsMembersCSV, AssociationsMinutesMD,
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
// mail queue after their commit: only their functions may send to the queue. Those
// that may free a place at an event (an answer, a member who goes) mail the first on
// its waiting list.
var queuesMail = map[string]bool{
	"users-create": true, "users-update": true, "users-delete": true, "verification-resend": true,
	"associations-create": true, "associations-update": true, "associations-delete": true, "associations-invite": true, "associations-leave": true,
	"events-create": true, "events-update": true, "events-delete": true, "events-answer": true, "rsvp-answer": true,
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
