// Package mail renders the product's e-mails (docs/api.md §5): the verification
// e-mail, the invitation, update, cancellation and reminder of an event with its .ics,
// and the invitation to join an association.
package mail

import (
	"encoding/json"
	"fmt"
	"html"
	"net/url"
	"strings"
	"time"

	"github.com/kittenasso/kittenasso/shared/asso"
	"github.com/kittenasso/kittenasso/shared/calendar"
)

// Message is a rendered e-mail, before MIME encoding.
type Message struct {
	To         string
	Subject    string
	Text       string
	HTML       string // empty for text-only e-mails
	Attachment *Attachment
	// Unsubscribe, when set, is the RFC 8058 one-click address: a POST to it stops this
	// kind of mail. It becomes the List-Unsubscribe and List-Unsubscribe-Post headers.
	Unsubscribe string
}

// Attachment is a file attached to a Message.
type Attachment struct {
	Filename    string
	ContentType string
	Data        []byte
}

// Renderer turns outbox rows into Messages.
type Renderer struct {
	From   string // the sender address, also the calendar ORGANIZER
	Domain string // the mail domain: Message-IDs and the events' UIDs
	// WebURL is the web app's address (FRONTEND_URL): the API is under WebURL/api,
	// and the page that confirms an unsubscribe is WebURL/unsubscribe.
	WebURL string
	Now    func() time.Time
}

// VerificationSubject is the verification e-mail's subject (docs/api.md §5).
const VerificationSubject = "❤️ A big welcome from KittenAsso's"

// Render renders an outbox row of kind for recipient. An error means the row can
// never be rendered (a permanent failure).
func (r Renderer) Render(kind, recipient string, payload []byte) (Message, error) {
	switch kind {
	case asso.MailVerification:
		var p asso.VerificationEmail
		if err := json.Unmarshal(payload, &p); err != nil {
			return Message{}, fmt.Errorf("verification payload: %w", err)
		}
		return r.verification(recipient, p)
	case asso.MailInvitation, asso.MailUpdate, asso.MailCancellation, asso.MailReminder, asso.MailPromotion:
		var p asso.EventEmail
		if err := json.Unmarshal(payload, &p); err != nil {
			return Message{}, fmt.Errorf("event payload: %w", err)
		}
		return r.event(kind, recipient, p)
	case asso.MailJoin:
		var p asso.JoinEmail
		if err := json.Unmarshal(payload, &p); err != nil {
			return Message{}, fmt.Errorf("join payload: %w", err)
		}
		return r.join(recipient, p)
	}
	return Message{}, fmt.Errorf("unknown e-mail kind %q", kind)
}

// The verification e-mail's parts. They are written out, not templated: html/template
// looks methods up by name, which keeps every exported method of the binary (the
// whole SES client) from being dropped by the linker, adding megabytes to the mailer.
// The HTML part escapes every value it shows.
func verificationText(p asso.VerificationEmail) string {
	return "Hi " + p.Firstname + " " + p.Lastname + ` !

Here is your verification link :
` + p.Link + `

It works for 24 hours. We wanted to celebrate your new account by sending you a kitten.
Have fun using our service !

KittenAsso's - The best way to manage your associations
`
}

func verificationHTML(p asso.VerificationEmail) string {
	name, link := html.EscapeString(p.Firstname+" "+p.Lastname), html.EscapeString(p.Link)
	return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="color-scheme" content="light dark"><title>Welcome !</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: auto; padding: 1em">
<h1>🐱 KittenAsso's</h1>
<p>Hi ` + name + ` !</p>
<p>Here is your verification email link :</p>
<p><a href="` + link + `">` + link + `</a></p>
<p>It works for 24 hours. We wanted to celebrate your new account by sending you a kitten.</p>
<p>Have fun using our service !</p>
<p style="color: #777">KittenAsso's<br>The best way to manage your associations</p>
</body></html>
`
}

func (r Renderer) verification(to string, p asso.VerificationEmail) (Message, error) {
	if !strings.HasPrefix(p.Link, "https://") && !strings.HasPrefix(p.Link, "http://") {
		return Message{}, fmt.Errorf("verification link %q is not an http(s) URL", p.Link)
	}
	p.Firstname, p.Lastname = calendar.OneLine(p.Firstname), calendar.OneLine(p.Lastname)
	return Message{To: to, Subject: VerificationSubject, Text: verificationText(p), HTML: verificationHTML(p)}, nil
}

// eventWording is what each kind of event e-mail says.
var eventWording = map[string]struct{ subject, intro string }{
	asso.MailInvitation:   {"Invitation", "You have been invited to an event."},
	asso.MailUpdate:       {"Updated", "An event you are invited to has changed."},
	asso.MailCancellation: {"Cancelled", "An event you were invited to has been cancelled."},
	asso.MailReminder:     {"Reminder", "An event you are invited to starts soon."},
	asso.MailPromotion:    {"You have a place", "A place has freed up: you are off the waiting list and coming to this event."},
}

func (r Renderer) event(kind, to string, p asso.EventEmail) (Message, error) {
	start, err := time.Parse(time.RFC3339, p.Start)
	if err != nil {
		return Message{}, fmt.Errorf("event start: %w", err)
	}
	end, err := time.Parse(time.RFC3339, p.End)
	if err != nil {
		return Message{}, fmt.Errorf("event end: %w", err)
	}
	name, association := calendar.OneLine(p.Name), calendar.OneLine(p.AssociationName)
	words := eventWording[kind]
	cancelled := kind == asso.MailCancellation
	method := "REQUEST"
	if cancelled {
		method = "CANCEL"
	}
	if !asso.IsUnsubscribeToken(p.Unsubscribe) {
		return Message{}, fmt.Errorf("event payload: unsubscribe token %q is not a UUID", p.Unsubscribe)
	}
	token := p.Unsubscribe
	var answer string
	switch {
	case cancelled && p.Going:
		answer = "You had said you were coming.\n\n"
	case !cancelled && asso.IsRSVPTokenShape(p.RSVP):
		answer = fmt.Sprintf("Are you coming? Answer in one click:\nI'm coming: %[1]s/rsvp?t=%[2]s&a=going\n"+
			"I can't come: %[1]s/rsvp?t=%[2]s&a=not_going\n\n", r.WebURL, p.RSVP)
	}
	var about string
	if p.Place != "" {
		about += "Place: " + calendar.OneLine(p.Place) + "\n"
	}
	if p.Description != "" {
		about += "Description: " + p.Description + "\n"
	}
	text := fmt.Sprintf("%s\n\nName: %s\nStart: %s\nEnd: %s\nAssociation: %s\n%s\n%s"+
		"To stop receiving e-mails about the events of %s, open %s/unsubscribe?t=%s\n",
		words.intro, name, start.UTC().Format(time.RFC1123), end.UTC().Format(time.RFC1123), association, about,
		answer, association, r.WebURL, token)
	return Message{
		To:          to,
		Subject:     fmt.Sprintf("%s: %s from %s", words.subject, name, association),
		Text:        text,
		Unsubscribe: r.WebURL + "/api/unsubscribe/" + token,
		Attachment: &Attachment{
			Filename:    "event.ics",
			ContentType: "text/calendar; charset=utf-8; method=" + method,
			Data: calendar.Writer{Domain: r.Domain}.Invitation(calendar.Event{
				ID:        p.EventID,
				Sequence:  p.Sequence,
				Summary:   name,
				Start:     start,
				End:       end,
				Stamp:     r.Now(),
				Organizer: r.From,
				Attendee:  to,
				Cancelled: cancelled,
				Location:  p.Place, Description: p.Description,
			}),
		},
	}, nil
}

// join is the invitation to join an association: with accept and decline links for an
// account, with a link to sign up for an address that has none. Its links are its way
// out: declining can ask never to be invited there again.
func (r Renderer) join(to string, p asso.JoinEmail) (Message, error) {
	association := calendar.OneLine(p.AssociationName)
	inviter := calendar.OneLine(p.InviterFirstname + " " + p.InviterLastname)
	greeting := "Hello,"
	if p.Firstname != "" {
		greeting = "Hi " + calendar.OneLine(p.Firstname) + ","
	}
	type link struct{ label, url string }
	var links []link
	switch {
	case asso.IsInvitationTokenShape(p.Token):
		links = []link{
			{"Join " + association, r.WebURL + "/invitation?t=" + p.Token + "&a=accept"},
			{"Decline", r.WebURL + "/invitation?t=" + p.Token + "&a=decline"},
		}
	case p.Token == "":
		links = []link{{"Sign up to join", r.WebURL + "/signup?email=" + url.QueryEscape(to)}}
	default:
		return Message{}, fmt.Errorf("join payload: token %q has not the shape of an invitation token", p.Token)
	}
	intro := fmt.Sprintf("%s invites you to join %s on KittenAsso's.", inviter, association)
	text := greeting + "\n\n" + intro + "\n\n"
	htmlLinks := ""
	for _, l := range links {
		text += l.label + ": " + l.url + "\n"
		htmlLinks += `<p><a href="` + html.EscapeString(l.url) + `" style="display: inline-block; padding: .6em 1.2em; border-radius: .4em; background: #6b3fa0; color: #fff; text-decoration: none">` +
			html.EscapeString(l.label) + `</a></p>` + "\n"
	}
	text += "\nNothing happens unless you answer: you will not be a member, nor get its e-mails, until you accept. " +
		"The invitation lapses in 30 days.\n\nKittenAsso's - The best way to manage your associations\n"
	page := `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><meta name="color-scheme" content="light dark"><title>Invitation</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: auto; padding: 1em">
<h1>🐱 KittenAsso's</h1>
<p>` + html.EscapeString(greeting) + `</p>
<p>` + html.EscapeString(intro) + `</p>
` + htmlLinks + `<p>Nothing happens unless you answer: you will not be a member, nor get its e-mails, until you accept. The invitation lapses in 30 days.</p>
<p style="color: #777">KittenAsso's<br>The best way to manage your associations</p>
</body></html>
`
	// To an address with no account, the subject holds nothing the inviter wrote.
	subject := inviter + " invites you to join " + association
	if p.Token == "" {
		subject = "You are invited to join an association on KittenAsso's"
	}
	return Message{To: to, Subject: subject, Text: text, HTML: page}, nil
}
