// Package asso holds KittenAsso's domain types and the one error type that every layer
// uses. It imports nothing from the project: adapters (postgres, httpapi, lambdahttp)
// stand around it.
package asso

import (
	"net/mail"
	"strings"
	"time"
)

// User is the public view of an account. It never carries the password hash,
// verification state or tokens, so it is always safe to serialise. Email is empty, and
// left out, when the viewer may not see it (docs/api.md §3).
type User struct {
	ID        int64  `json:"id"`
	Email     string `json:"email,omitempty"`
	Firstname string `json:"firstname"`
	Lastname  string `json:"lastname"`
	Age       int    `json:"age"`
	IsAdmin   bool   `json:"isAdmin"`
	// Locale and TimeZone are the user's preferences: only the user reads them (and
	// the admin); they are empty, and left out, for anyone else and when not chosen.
	Locale   string `json:"locale,omitempty"`
	TimeZone string `json:"timeZone,omitempty"`
}

// AssociationWithUsers is the nested association shape used inside users, minutes and
// events: the association and its full member list.
type AssociationWithUsers struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Users []User `json:"users"`
}

// UserWithAssociations is a user and the associations they belong to.
type UserWithAssociations struct {
	User
	Associations []AssociationWithUsers `json:"associations"`
}

// Role is a member's title inside one association. With its relations (POST
// /api/roles, an association's roles) it also carries the user and the association.
type Role struct {
	Name          string           `json:"name"`
	UserID        int64            `json:"userId"`
	AssociationID int64            `json:"associationId"`
	User          *User            `json:"user,omitempty"`
	Association   *AssociationName `json:"association,omitempty"`
}

// AssociationName names an association inside another object.
type AssociationName struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// Member is a member, or a person invited, as their association lists them, with
// their own role in it ("member" when they hold none), whether they accepted
// (Status: StatusMember) or not yet (StatusInvited), and whether they manage it.
type Member struct {
	ID        int64  `json:"id"`
	Firstname string `json:"firstname"`
	Lastname  string `json:"lastname"`
	Age       int    `json:"age"`
	Role      string `json:"role"`
	Status    string `json:"status"`
	Manager   bool   `json:"manager"`
}

// Association is an association and its members.
type Association struct {
	ID      int64    `json:"id"`
	Name    string   `json:"name"`
	Members []Member `json:"members"`
}

// Minute is the record of a meeting of an association, with those who voted. Date is
// written as the API writes every time: RFC 3339 in UTC, to the second.
type Minute struct {
	ID          int64                `json:"id"`
	Content     string               `json:"content"`
	Date        string               `json:"date"`
	Association AssociationWithUsers `json:"association"`
	Voters      []User               `json:"voters"`
}

// Event is an event an association plans; Start and End are written as Minute.Date.
// Place, Description and Capacity are null when the event has none. MyAttendance is
// the viewer's own answer, null when the viewer is not a member of its association.
type Event struct {
	ID           int64                `json:"id"`
	Name         string               `json:"name"`
	Start        string               `json:"start"`
	End          string               `json:"end"`
	Place        *string              `json:"place"`
	Description  *string              `json:"description"`
	Capacity     *int                 `json:"capacity"`
	Association  AssociationWithUsers `json:"association"`
	Attendance   Attendance           `json:"attendance"`
	MyAttendance *AttendanceState     `json:"myAttendance"`
}

// Attendance counts the members' answers to an event: every member may see them.
// Going counts those who have a place; Waiting, those who said they are coming
// once every place was taken (events with a capacity).
type Attendance struct {
	Going    int `json:"going"`
	Waiting  int `json:"waiting"`
	NotGoing int `json:"notGoing"`
	NoAnswer int `json:"noAnswer"`
}

// AttendanceState is one member's answer to an event: State is "going" (they have a
// place), "waiting" (Position on the waiting list, from 1), "not_going" or
// "no_answer".
type AttendanceState struct {
	State    string `json:"state"`
	Position int    `json:"position,omitempty"`
}

// Attendees says who answered what: only members (and the admin) may see it. Waiting
// is in the order of the list; Attendance counts each.
type Attendees struct {
	Going      []User        `json:"going"`
	Waiting    []WaitingUser `json:"waiting"`
	NotGoing   []User        `json:"notGoing"`
	NoAnswer   []User        `json:"noAnswer"`
	Attendance Attendance    `json:"attendance"`
}

// WaitingUser is a member on an event's waiting list, at Position (from 1).
type WaitingUser struct {
	User
	Position int `json:"position"`
}

// RSVP is an answer to an event's invitation: going, or not going.
type RSVP string

const (
	Going    RSVP = "going"
	NotGoing RSVP = "not_going"
)

// RSVPToken is what an invitation's answer link names: its event and member, when
// it expires, and the signature the store checks.
type RSVPToken struct {
	EventID, UserID int64
	Expires         time.Time
	Raw             string
}

// NewUser is what sign-up needs to create an account. PasswordHash is already hashed:
// plain passwords never leave the HTTP layer.
type NewUser struct {
	Email        string
	Firstname    string
	Lastname     string
	Age          int
	PasswordHash string
	Locale       string
	TimeZone     string
}

// UserPatch lists the fields PUT /api/users/{id} may change; nil means unchanged.
type UserPatch struct {
	Email        *string
	Firstname    *string
	Lastname     *string
	Age          *int
	PasswordHash *string
	Locale       *string
	TimeZone     *string
}

// Page bounds a list query.
type Page struct {
	Limit  int
	Offset int
}

// Search keeps the items of a list whose name holds every one of Words, whatever
// their case and accents. The zero Search keeps every item.
type Search struct {
	Words []string
}

// Listed says what a list query returned: Count items of Total in all. Count can be
// under the page's limit before the end of the list when the page was cut short to
// keep the response within its byte budget.
type Listed struct {
	Count int
	Total int
}

// LoginThrottle says how many failed logins are tolerated within Window, per e-mail
// address and per client address, and how many sign-ups and resends one client
// address may ask for within ClientWindow.
type LoginThrottle struct {
	Window       time.Duration
	PerEmail     int
	PerClient    int
	ResendWindow time.Duration
	ResendPerKey int

	ClientWindow     time.Duration
	SignUpsPerClient int
	ResendsPerClient int
}

// DefaultLoginThrottle is the policy of docs/api.md §2.
var DefaultLoginThrottle = LoginThrottle{
	Window:       15 * time.Minute,
	PerEmail:     5,
	PerClient:    20,
	ResendWindow: time.Hour,
	ResendPerKey: 3,

	ClientWindow:     time.Hour,
	SignUpsPerClient: 20,
	ResendsPerClient: 20,
}

// Limits bound the work and the mail that one caller can cause (docs/api.md §1, §5).
type Limits struct {
	MaxMembers    int // members of one association
	MaxVoters     int // voters of one minute
	ResponseBytes int // the largest list body: a page that would be larger is cut short

	// UpdateWindow coalesces event updates: after one update mail to a recipient,
	// later edits within the window become one mail sent when it closes.
	UpdateWindow time.Duration
	// Recipient-mails that one user, and one association, may cause per hour. Past
	// them a write that would mail is refused with 429 and Retry-After.
	MailsPerUserHour        int
	MailsPerAssociationHour int
	// Invitations to join: at most JoinMailsPerAddress to one address within
	// InvitationLifetime, whatever the associations (more are not mailed), and at most
	// EmailInvitationsPerUserDay invitations by address from one user a day (429 past
	// it), so that invitations cannot be turned into a way to mail strangers.
	JoinMailsPerAddress        int
	EmailInvitationsPerUserDay int
}

// DefaultLimits are the limits of docs/api.md unless a deployment changes them.
var DefaultLimits = Limits{
	MaxMembers:              1000,
	MaxVoters:               1000,
	ResponseBytes:           4 << 20,
	UpdateWindow:            10 * time.Minute,
	MailsPerUserHour:        2000,
	MailsPerAssociationHour: 5000,

	JoinMailsPerAddress:        3,
	EmailInvitationsPerUserDay: 50,
}

// Outbox e-mail kinds, as stored in mail_outbox.kind.
const (
	MailVerification = "verification"
	MailInvitation   = "invitation"
	MailUpdate       = "update"
	MailCancellation = "cancellation"
	MailReminder     = "reminder"
	MailJoin         = "join"      // an invitation to join an association
	MailPromotion    = "promotion" // a place freed: the first on the waiting list has it
)

// VerificationLifetime is how long a verification link works (docs/api.md §5).
const VerificationLifetime = 24 * time.Hour

// Reader is the language and time zone an e-mail is written in: its recipient's. Empty
// (not chosen, or a payload queued before migration 0012), it reads in English, in UTC.
type Reader struct {
	Locale   string `json:"locale,omitempty"`
	TimeZone string `json:"timeZone,omitempty"`
}

// ReaderOf is the Reader of user u.
func ReaderOf(u User) Reader { return Reader{Locale: u.Locale, TimeZone: u.TimeZone} }

// VerificationEmail is the outbox payload of a verification e-mail: of a new account,
// or of a new address when NewEmail is set.
type VerificationEmail struct {
	Firstname string `json:"firstname"`
	Lastname  string `json:"lastname"`
	Link      string `json:"link"`
	NewEmail  bool   `json:"newEmail,omitempty"`
	Reader
}

// EventEmail is the outbox payload of an invitation, update, cancellation, reminder
// or promotion: a snapshot of the event for one recipient, so it still renders after
// a deletion. Place and Description are empty when the event has none.
type EventEmail struct {
	EventID         int64  `json:"eventId"`
	Sequence        int    `json:"sequence"`
	Name            string `json:"name"`
	Start           string `json:"start"`
	End             string `json:"end"`
	Place           string `json:"place"`
	Description     string `json:"description"`
	AssociationID   int64  `json:"associationId"`
	AssociationName string `json:"associationName"`
	Firstname       string `json:"firstname"`
	Lastname        string `json:"lastname"`
	// Unsubscribe is the membership's one-click unsubscribe token (RFC 8058).
	Unsubscribe string `json:"unsubscribe"`
	// RSVP is the recipient's answer-link token (invitations and updates).
	RSVP string `json:"rsvp,omitempty"`
	// Going: the recipient had said they were coming, with a place or waiting for one
	// (cancellations).
	Going bool `json:"going"`
	Reader
}

// AssociationInput creates or changes an association. A nil field is unchanged
// (on create, Name is required and nil UserIDs means no other member).
type AssociationInput struct {
	Name    *string
	UserIDs *[]int64
}

// RoleKey names a role: a member of an association.
type RoleKey struct {
	UserID        int64
	AssociationID int64
}

// MinuteInput creates or changes minutes; nil fields are unchanged.
type MinuteInput struct {
	Content       *string
	Date          *time.Time
	AssociationID *int64
	VoterIDs      *[]int64
}

// EventInput creates or changes an event; nil fields are unchanged. The event's
// place, description and capacity are optional: an empty Place or Description, or a
// Capacity of 0, says it has none (clears it on a change).
type EventInput struct {
	Name          *string
	Start         *time.Time
	End           *time.Time
	AssociationID *int64
	Place         *string
	Description   *string
	Capacity      *int
}

// ErrEndBeforeStart refuses an event that would end before it starts. The events
// table's CHECK holds the rule for every write; the API also tells it at once, among
// the other problems of a request, when the request sends both times.
var ErrEndBeforeStart = Invalid("end must not be before start")

// EndsBeforeStart reports whether in sends both times, the end before the start.
func (in EventInput) EndsBeforeStart() bool {
	return in.Start != nil && in.End != nil && in.End.Before(*in.Start)
}

// IsUnsubscribeToken reports whether s has the shape of an unsubscribe token: a UUID
// in PostgreSQL's text form. Nothing else may reach an unsubscribe link or header.
func IsUnsubscribeToken(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		dash := i == 8 || i == 13 || i == 18 || i == 23
		if dash != (c == '-') || !dash && !strings.ContainsRune("0123456789abcdef", c) {
			return false
		}
	}
	return true
}

// MayChangeAccount is the rule of PUT /api/users/{id}: only the user themselves, or
// the admin, may change an account.
func MayChangeAccount(caller User, id int64) error {
	if caller.ID != id && !caller.IsAdmin {
		return Errorf(EFORBIDDEN, "you can only change your own account")
	}
	return nil
}

// MailDomain is the domain of an e-mail address: what follows its last @.
func MailDomain(address string) string { return address[strings.LastIndex(address, "@")+1:] }

// IsPlainAddress reports whether s is exactly one bare e-mail address: no display
// name, no list, no line break (so it cannot smuggle a header into an e-mail).
func IsPlainAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}
